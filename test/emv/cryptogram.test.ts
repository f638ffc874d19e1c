import { describe, expect, it } from 'vitest';
import { CardError } from '../../src/errors';
import {
  computeArpc, computeCryptogram, csuFor, deriveIccMasterKey, issuerAuthenticationData,
  verifyIssuerAuthentication, type TagValues,
} from '../../src/emv/cryptogram';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');

// pyemv tests/test_cvn_hsm.py (github.com/knovichikhin/pyemv), quoted in
// ../shared/testdata/vectors/README.md.
const IMK = hex('0123456789ABCDEF FEDCBA9876543210');
const MK = deriveIccMasterKey(IMK, '1234567890123456', '00');
const ARC_00 = Buffer.from('00', 'latin1');

function transaction(iad: string): TagValues {
  const values: Record<string, string> = {
    '9F02': '000000004000', '9F03': '000000000000', '9F1A': '0124', '95': '8000048000',
    '5F2A': '0124', '9A': '191105', '9C': '01', '9F37': '52BF4585', '82': '1800',
    '9F36': '001C', '9F10': iad,
  };
  return Object.fromEntries(Object.entries(values).map(([t, v]) => [t, hex(v)]));
}

describe('CVN 10', () => {
  const tags = transaction('06010A03A06010');
  const arqc = computeCryptogram(10, MK, tags);

  it('gives the pyemv ARQC and ARPC', () => {
    expect(arqc).toEqual(hex('29CCA15AE665FA2E'));
    expect(computeArpc(10, MK, arqc, tags, { arc: ARC_00 })).toEqual(hex('28993816AFAE4AEB'));
  });

  it('puts ARPC || ARC in tag 91 and the card accepts it', () => {
    const tag91 = issuerAuthenticationData(10, hex('28993816AFAE4AEB'), { arc: ARC_00 });
    expect(tag91).toEqual(hex('28993816AFAE4AEB 3030'));
    expect(verifyIssuerAuthentication(10, MK, arqc, tags, tag91))
      .toEqual({ ok: true, arc: ARC_00 });
  });

  it('rejects a tag 91 whose ARC was changed', () => {
    const forged = hex('28993816AFAE4AEB 3035');
    expect(verifyIssuerAuthentication(10, MK, arqc, tags, forged).ok).toBe(false);
  });
});

describe('CVN 18', () => {
  const tags = transaction('06011203A0B800');
  const arqc = computeCryptogram(18, MK, tags);
  const answer = { arc: ARC_00, csu: hex('00000000') };

  it('gives the pyemv ARQC and ARPC', () => {
    expect(arqc).toEqual(hex('7A788EA6B8A3E733'));
    expect(computeArpc(18, MK, arqc, tags, answer)).toEqual(hex('9AF514C1'));
  });

  it('depends on the ATC through the session key', () => {
    const other = { ...tags, '9F36': hex('001D') };
    expect(computeCryptogram(18, MK, other)).not.toEqual(arqc);
  });

  it('puts ARPC || CSU in tag 91; the CSU approval bit stands for the ARC', () => {
    const declined = issuerAuthenticationData(18, hex('9AF514C1'), answer);
    expect(declined).toEqual(hex('9AF514C1 00000000'));
    expect(verifyIssuerAuthentication(18, MK, arqc, tags, declined))
      .toEqual({ ok: true, arc: Buffer.from('05', 'latin1') });

    const approving = { arc: ARC_00 };
    expect(csuFor(approving)).toEqual(hex('00800000'));
    const arpc = computeArpc(18, MK, arqc, tags, approving);
    const tag91 = issuerAuthenticationData(18, arpc, approving);
    expect(tag91.subarray(4)).toEqual(hex('00800000'));
    expect(verifyIssuerAuthentication(18, MK, arqc, tags, tag91))
      .toEqual({ ok: true, arc: ARC_00 });
  });

  it('rejects an ARPC computed over another ARQC', () => {
    const tag91 = hex('9AF514C1 00000000');
    const otherArqc = hex('7A788EA6B8A3E734');
    expect(verifyIssuerAuthentication(18, MK, otherArqc, tags, tag91).ok).toBe(false);
  });
});

describe('inputs', () => {
  it('derives the ICC master key with odd parity whatever the PAN padding', () => {
    expect(deriveIccMasterKey(IMK, '1234567890123456F', '00')).toEqual(MK);
    for (const byte of MK) {
      let ones = 0;
      for (let b = byte; b !== 0; b >>= 1) ones += b & 1;
      expect(ones % 2).toBe(1);
    }
  });

  it('names a missing or wrongly sized tag', () => {
    const tags = transaction('06010A03A06010');
    delete tags['9F37'];
    expect(() => computeCryptogram(10, MK, tags)).toThrow(CardError);
    try {
      computeCryptogram(10, MK, { ...transaction('06010A03A06010'), '9A': hex('1911') });
    } catch (err) {
      expect((err as CardError).code).toBe('CARD_DATA_MISSING');
      expect((err as CardError).detail.tag).toBe('9A');
      return;
    }
    expect.unreachable('a 2-byte 9A was accepted');
  });
});
