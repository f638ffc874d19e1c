import { describe, expect, it } from 'vitest';
import {
  buildApdu, exchange, parseCommandApdu, parseResponse, swHex, withLe,
} from '../../../drivers/card/apdu';
import { CardError } from '../../../src/errors';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const toHex = (b: Buffer): string => b.toString('hex').toUpperCase();

/** A session that answers from a script and records what it was sent. */
function scripted(answers: string[]) {
  const sent: string[] = [];
  return {
    sent,
    async transmit(command: Buffer): Promise<Buffer> {
      sent.push(toHex(command));
      const next = answers.shift();
      if (next === undefined) throw new Error(`unexpected command ${toHex(command)}`);
      return hex(next);
    },
  };
}

describe('buildApdu', () => {
  it('builds the four cases with short lengths', () => {
    expect(toHex(buildApdu(0x00, 0x84, 0x00, 0x00))).toBe('00840000');
    expect(toHex(buildApdu(0x00, 0xb2, 0x01, 0x0c, undefined, 0))).toBe('00B2010C00');
    expect(toHex(buildApdu(0x00, 0x82, 0x00, 0x00, hex('1122')))).toBe('00820000021122');
    const pse = buildApdu(0x00, 0xa4, 0x04, 0x00, Buffer.from('1PAY.SYS.DDF01'), 256);
    expect(toHex(pse)).toBe('00A404000E315041592E5359532E444446303100');
  });

  it('codes Le 256 as 00 and leaves empty data out', () => {
    expect(toHex(buildApdu(0x80, 0xca, 0x9f, 0x36, Buffer.alloc(0), 5))).toBe('80CA9F3605');
    expect(toHex(buildApdu(0x00, 0xc0, 0, 0, undefined, 256))).toBe('00C0000000');
  });

  it('refuses what a short APDU cannot carry', () => {
    expect(() => buildApdu(0x100, 0, 0, 0)).toThrow(RangeError);
    expect(() => buildApdu(0, 0, 0, 0, Buffer.alloc(256))).toThrow(/255/);
    expect(() => buildApdu(0, 0, 0, 0, undefined, 257)).toThrow(/Le/);
  });
});

describe('parseCommandApdu', () => {
  it('tells the cases apart by length', () => {
    expect(parseCommandApdu(hex('80A80000'))).toMatchObject({ case: 1, ins: 0xa8 });
    expect(parseCommandApdu(hex('00B2010C00'))).toMatchObject({ case: 2, le: 256 });
    const c3 = parseCommandApdu(hex('00820000021122'));
    expect(c3?.case).toBe(3);
    expect(toHex(c3!.data)).toBe('1122');
    expect(c3?.le).toBeUndefined();
    const c4 = parseCommandApdu(hex('80CA9F36021234 05'));
    expect(c4).toMatchObject({ case: 4, le: 5 });
    expect(toHex(c4!.data)).toBe('1234');
  });

  it('rejects lengths that do not fit and extended lengths', () => {
    expect(parseCommandApdu(hex('00A404'))).toBeUndefined();
    expect(parseCommandApdu(hex('00A40400 05 A0000000'))).toBeUndefined();
    expect(parseCommandApdu(hex('00A40400 02 A000 00 00'))).toBeUndefined();
    expect(parseCommandApdu(hex('00A40400 00 0002 A000'))).toBeUndefined();
  });
});

describe('parseResponse and withLe', () => {
  it('splits data and status word', () => {
    const r = parseResponse(hex('9F36020017 9000'));
    expect(toHex(r.data)).toBe('9F36020017');
    expect([r.sw, r.sw1, r.sw2]).toEqual([0x9000, 0x90, 0x00]);
    expect(swHex(0x6a82)).toBe('6A82');
    expect(swHex(0x0090)).toBe('0090');
  });

  it('throws CARD_UNRESPONSIVE without a status word', () => {
    const err = (() => { try { parseResponse(hex('90')); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(CardError);
    expect((err as CardError).code).toBe('CARD_UNRESPONSIVE');
  });

  it('replaces or adds Le', () => {
    expect(toHex(withLe(hex('00B2010C00'), 0x37))).toBe('00B2010C37');
    expect(toHex(withLe(hex('80A80000'), 0x10))).toBe('80A8000010');
    expect(toHex(withLe(hex('0082000002 1122'), 0))).toBe('0082000002112200');
  });
});

describe('exchange', () => {
  it('returns a plain answer as it came', async () => {
    const s = scripted(['6F0A 9000']);
    const r = await exchange(s, hex('00A4040007A000000003101000'));
    expect(toHex(r.data)).toBe('6F0A');
    expect(r.sw).toBe(0x9000);
    expect(s.sent).toEqual(['00A4040007A000000003101000']);
  });

  it('fetches 61xx with GET RESPONSE and chains while the card says 61xx', async () => {
    const s = scripted(['612E', '6F2C 6103', '112233 9000']);
    const r = await exchange(s, hex('00A404000E315041592E5359532E444446303100'));
    expect(s.sent).toEqual([
      '00A404000E315041592E5359532E444446303100', '00C000002E', '00C0000003',
    ]);
    expect(toHex(r.data)).toBe('6F2C112233');
    expect(r.sw).toBe(0x9000);
  });

  it('asks GET RESPONSE for 256 bytes on 6100', async () => {
    const s = scripted(['6100', '9000']);
    await exchange(s, hex('80AE80000100'));
    expect(s.sent[1]).toBe('00C0000000');
  });

  it('resends with the Le the card asks for on 6Cxx', async () => {
    const s = scripted(['6C37', '7035 9000']);
    const r = await exchange(s, hex('00B2010C00'));
    expect(s.sent).toEqual(['00B2010C00', '00B2010C37']);
    expect(toHex(r.data)).toBe('7035');
  });

  it('handles 6Cxx to a GET RESPONSE after 61xx', async () => {
    const s = scripted(['6110', '6C0E', '800C 9000']);
    const r = await exchange(s, hex('80A8000002830000'));
    expect(s.sent).toEqual(['80A8000002830000', '00C0000010', '00C000000E']);
    expect(toHex(r.data)).toBe('800C');
  });

  it('corrects Le only once per command, then returns what the card said', async () => {
    const s = scripted(['6C10', '6C12']);
    const r = await exchange(s, hex('00B2010C00'));
    expect(r.sw).toBe(0x6c12);
    expect(s.sent).toHaveLength(2);
  });

  it('fetches the data after a warning to a case-4 command, keeping the warning', async () => {
    // SELECT of a blocked application on T=0: 6283 first, the FCI through GET RESPONSE.
    const s = { ...scripted(['6283', '6F0A 9000']), protocol: 'T0' as const };
    const r = await exchange(s, hex('00A4040007A000000003101000'));
    expect(s.sent).toEqual(['00A4040007A000000003101000', '00C0000000']);
    expect(toHex(r.data)).toBe('6F0A');
    expect(r.sw).toBe(0x6283);
  });

  it('keeps a warning alone when GET RESPONSE has nothing; none for case 3 or on T=1',
    async () => {
      const s = { ...scripted(['6283', '6985']), protocol: 'T0' as const };
      const r = await exchange(s, hex('00A4040007A000000003101000'));
      expect(r.sw).toBe(0x6283);
      expect(r.data.length).toBe(0);
      const t1 = { ...scripted(['6283']), protocol: 'T1' as const };
      expect((await exchange(t1, hex('00A4040007A000000003101000'))).sw).toBe(0x6283);
      expect(t1.sent).toHaveLength(1);
      // VERIFY (case 3) answering 63C2 is an answer, not a prompt for data.
      const v = scripted(['63C2']);
      expect((await exchange(v, hex('0020008008241234FFFFFFFFFF'))).sw).toBe(0x63c2);
      expect(v.sent).toHaveLength(1);
    });

  it('passes error status words through', async () => {
    const r = await exchange(scripted(['6A82']), hex('00A4040005A00000000300'));
    expect(r.sw).toBe(0x6a82);
    expect(r.data.length).toBe(0);
  });

  it('throws CARD_UNRESPONSIVE on a one-byte answer', async () => {
    await expect(exchange(scripted(['90']), hex('00B2010C00')))
      .rejects.toMatchObject({ code: 'CARD_UNRESPONSIVE' });
  });

  it('stops a card that asks for GET RESPONSE forever', async () => {
    const endless = { transmit: async () => hex('6101') };
    await expect(exchange(endless, hex('00B2010C00')))
      .rejects.toMatchObject({ code: 'CARD_UNRESPONSIVE' });
  });
});
