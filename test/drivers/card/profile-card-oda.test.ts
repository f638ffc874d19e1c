import { describe, expect, it } from 'vitest';
import { loadCaKeys } from '../../../src/emv/oda/capk';
import { recoverIccKey, recoverIssuerKey } from '../../../src/emv/oda/certificates';
import { verifySignedDynamicData, verifySignedStaticData } from '../../../src/emv/oda/signatures';
import { staticDataToAuthenticate } from '../../../src/emv/oda/static-data';
import { parseTlv } from '../../../src/emv/tlv';
import {
  card, hex, terminal, tlv, upper, upToGpo, type Terminal,
} from './profile-card-support';

/**
 * SDA and DDA on the profile cards, checked with the kernel's own functions (src/emv/oda):
 * the issuer key from quay's test CA (A000000003 F1), the static data as Book 3 10.3 builds
 * it (SFI 2 record 1, flagged in the AFL, without its 70 template, then the AIP for 9F4A
 * '82'), Signed Static Application Data format 03 with DAC DAC1 (Book 2 5.4) and Signed
 * Dynamic Application Data format 05 over the DDOL data (Book 2 6.5).
 */
const CAPK = new URL('../../../config/capk/', import.meta.url).pathname;
const DATE = new Date(2026, 2, 15);

async function readOda(t: Terminal, pan: string, aip: string) {
  const cardRecord = await t.send('00B2011400');
  const issuerRecord = await t.send('00B2011C00');
  const caKey = loadCaKeys({ dir: CAPK, allowTest: true })
    .find('A000000003', tlv(issuerRecord, '8F')![0]!, DATE)!;
  const issuerKey = recoverIssuerKey({
    caKey, certificate: tlv(issuerRecord, '90')!, remainder: tlv(issuerRecord, '92'),
    exponent: tlv(issuerRecord, '9F32')!, pan, date: DATE, isRevoked: () => false,
  });
  const value = parseTlv(cardRecord.data)[0]!.value;
  return { issuerKey, value, aip: hex(aip) };
}

describe('SDA (visa-sda)', () => {
  it('flags SFI 2 record 1 in the AFL and signs it with the AIP: DAC DAC1', async () => {
    const t = terminal(card('visa-sda.yaml'));
    await t.send('00A4040007A000000003101000');
    const gpo = await t.send('80A800000483020704 00');
    expect(upper(tlv(gpo, '82'))).toBe('5C00');
    // SFI 1 records 1-1; SFI 2 records 1-2, the first signed; SFI 3 records 1-3.
    expect(upper(tlv(gpo, '94'))).toBe('080101001001020118010300');

    const { issuerKey, value, aip } = await readOda(t, '4761739001010069', '5C00');
    const signed = tlv(await t.send('00B2021C00'), '93')!;
    const tagList = tlv(await t.send('00B2031C00'), '9F4A');
    expect(upper(tagList)).toBe('82');
    const staticData = staticDataToAuthenticate([value], tagList, aip);
    expect(upper(verifySignedStaticData(issuerKey, signed, staticData).dataAuthenticationCode))
      .toBe('DAC1');
    // The signature covers the record: one changed byte of it and the hash fails.
    const changed = Buffer.from(staticData);
    changed[3]! ^= 0x01;
    expect(() => verifySignedStaticData(issuerKey, signed, changed)).toThrow(/hash/);
  });
});

describe('DDA (visa-dda)', () => {
  it('answers INTERNAL AUTHENTICATE with format 1 (80) the kernel verifies', async () => {
    const c = card('visa-dda.yaml');
    const t = await upToGpo(c);
    const { issuerKey, value, aip } = await readOda(t, '4761739001010077', '3C00');
    const iccRecord = await t.send('00B2021C00');
    expect(upper(tlv(iccRecord, '9F49'))).toBe('9F3704');
    const iccKey = recoverIccKey({
      issuerKey, certificate: tlv(iccRecord, '9F46')!, remainder: tlv(iccRecord, '9F48'),
      exponent: tlv(iccRecord, '9F47')!, pan: '4761739001010077', date: DATE,
      staticData: staticDataToAuthenticate([value], tlv(iccRecord, '9F4A'), aip),
    });

    const ddolData = hex('1A2B3C4D');
    const answer = await t.send(Buffer.concat([hex('0088000004'), ddolData, hex('00')]));
    expect(answer.sw).toBe(0x9000);
    const nodes = parseTlv(answer.data);
    expect(nodes.map((n) => n.tag)).toEqual(['80']);
    expect(nodes[0]!.value).toHaveLength(96);
    const result = verifySignedDynamicData(iccKey, nodes[0]!.value, ddolData);
    expect(result.iccDynamicNumber).toHaveLength(8);
    expect(result.iccDynamicData[0]).toBe(8);
    // Bound to the terminal's number: another unpredictable number fails the hash.
    expect(() => verifySignedDynamicData(iccKey, nodes[0]!.value, hex('1A2B3C4E')))
      .toThrow(/hash/);
    // A fresh dynamic number each time.
    const second = await t.send(Buffer.concat([hex('0088000004'), ddolData, hex('00')]));
    const again = verifySignedDynamicData(iccKey, parseTlv(second.data)[0]!.value, ddolData);
    expect(again.iccDynamicNumber.equals(result.iccDynamicNumber)).toBe(false);
  });

  it('checks the DDOL length (6700), P1 P2 (6A86), and wants GPO first (6985)', async () => {
    const c = card('visa-dda.yaml');
    const t = await upToGpo(c);
    expect((await t.send('00880000021A2B00')).sw).toBe(0x6700);
    expect((await t.send('00880100041A2B3C4D00')).sw).toBe(0x6a86);
    await t.send('00A4040007A000000003101000');
    expect((await t.send('00880000041A2B3C4D00')).sw).toBe(0x6985);
  });

  it('a card without an ICC key does not know INTERNAL AUTHENTICATE (6D00)', async () => {
    const t = await upToGpo(card('visa-sda.yaml'));
    expect((await t.send('00880000041A2B3C4D00')).sw).toBe(0x6d00);
  });
});
