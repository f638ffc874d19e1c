import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cbcMac, retailMac } from '../../src/crypto/mac';
import { ConfigError, Iso8583Error } from '../../src/errors';
import { defineLayout } from '../../src/iso8583/layout';
import { loadLayout } from '../../src/iso8583/layouts';
import { applyMac, macInput, verifyMac } from '../../src/iso8583/mac';
import { macProfileSchema, type MacProfileInput } from '../../src/iso8583/mac-profile';
import { createMessage } from '../../src/iso8583/message';
import { pack } from '../../src/iso8583/pack';

// Keys and values from ../shared/testdata/vectors/README.md (MAC section) unless said.
const KEY = Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex');
const ascii = loadLayout('iso87-ascii');
const pos = loadLayout('pos-bcd');
const profile = (input: MacProfileInput) => macProfileSchema.parse(input);

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('no error thrown');
}

describe('ISO/IEC 9797-1 MAC algorithms', () => {
  it('algorithm 3 (retail MAC) reproduces the published vectors', () => {
    expect(retailMac(KEY, Buffer.from('Now is the time for all '), 'zero').toString('hex'))
      .toBe('a1c72e74ea3fa9b6');
    expect(retailMac(KEY, Buffer.from('Now is the time for it'), 'zero').toString('hex'))
      .toBe('2e2b1428cc78254f');
  });

  it('algorithm 1 with a single DES key gives the ANSI X9.9 / FIPS 113 example', () => {
    const key = Buffer.from('0123456789ABCDEF', 'hex');
    expect(cbcMac(key, Buffer.from('7654321 Now is the time for '), 'zero').toString('hex'))
      .toBe('f1d30f6849312ca4');
  });

  it.each([
    ['Now is the time for all ', 'zero'], ['Now is the time for it', 'zero'],
    ['Now is the time for it', 'iso2'], ['', 'zero'],
  ] as const)('algorithm 1 with 3DES is the last block of des-ede-cbc: %j %s', (text, padding) => {
    const data = Buffer.from(text);
    // Padding method 1: zeros to a block boundary (one block for empty data); method 2: 80 00…
    const zeros = data.length === 0 ? 8 : (8 - (data.length % 8)) % 8;
    const padded = padding === 'zero' ? Buffer.concat([data, Buffer.alloc(zeros)])
      : Buffer.concat([data, Buffer.from([0x80]), Buffer.alloc(7 - (data.length % 8))]);
    const cipher = createCipheriv('des-ede-cbc', KEY, Buffer.alloc(8)).setAutoPadding(false);
    const last = Buffer.concat([cipher.update(padded), cipher.final()]).subarray(-8);
    expect(cbcMac(KEY, data, padding)).toEqual(last);
  });

  it('algorithm 1 and 3 differ for a double-length key, agree when both halves are equal', () => {
    const data = Buffer.from('Now is the time for all ');
    expect(cbcMac(KEY, data, 'zero')).not.toEqual(retailMac(KEY, data, 'zero'));
    const single = KEY.subarray(0, 8);
    const doubled = Buffer.concat([single, single]);
    expect(cbcMac(single, data, 'zero')).toEqual(retailMac(doubled, data, 'zero'));
  });
});

const purchase = () => createMessage('0200', [
  [3, '000000'], [4, '000000450000'], [11, '000123'], [41, 'QUAY0001'], [49, '704'],
]);

describe('applyMac and verifyMac', () => {
  it('iso87-ascii: field 128 in hex over the message from the MTI up to the MAC', () => {
    const mac = ascii.mac!;
    expect(mac).toEqual({ field: 128, algorithm: 'iso9797-1-alg3', padding: 'zero',
      covers: 'mti-to-before-mac' });
    const { packed, message } = applyMac(purchase(), ascii, mac, KEY);
    // Written out by hand: MTI, both bitmaps (bits 1 3 4 11 41 49 and 128), the fields.
    const covered = '0200' + 'B020000000808000' + '0000000000000001' + '000000' + '000000450000'
      + '000123' + 'QUAY0001' + '704';
    const expected = retailMac(KEY, Buffer.from(covered, 'latin1'), 'zero');
    expect(packed.toString('latin1'))
      .toBe(covered + expected.toString('hex').toUpperCase());
    expect(message.fields.get(128)).toEqual(expected);
    expect(verifyMac(packed, ascii, mac, KEY).fields.get(4)).toBe('000000450000');
  });

  it('pos-bcd: field 64 in binary; TPDU and length header coverages', () => {
    const mac = pos.mac!;
    const message = createMessage('0200', [[3, '000000'], [4, '000000450000']]);
    const tpdu = Buffer.from('6000010000', 'hex');
    const covered = Buffer.from('0200' + '3000000000000001' + '000000' + '000000450000', 'hex');
    const mti = applyMac(message, pos, mac, KEY).packed;
    expect(mti.subarray(-8)).toEqual(retailMac(KEY, covered, 'zero'));

    const withTpdu = profile({ ...mac, covers: 'tpdu-to-before-mac' });
    const t = applyMac(message, pos, withTpdu, KEY, { tpdu }).packed;
    expect(t.subarray(-8)).toEqual(retailMac(KEY, Buffer.concat([tpdu, covered]), 'zero'));

    const withHeader = profile({ ...mac, covers: 'header-to-before-mac', padding: 'iso2',
      algorithm: 'iso9797-1-alg1' });
    const h = applyMac(message, pos, withHeader, KEY, { tpdu }).packed;
    // The header counts the TPDU (5) and the message with its MAC (19 + 8): 32 = 0x0020.
    const header = Buffer.from('0020', 'hex');
    expect(h.subarray(-8)).toEqual(cbcMac(KEY, Buffer.concat([header, tpdu, covered]), 'iso2'));
    expect(macInput(h, pos, withHeader, { tpdu })).toEqual(Buffer.concat([header, tpdu, covered]));
    expect(verifyMac(h, pos, withHeader, KEY, { tpdu }).mti).toBe('0200');
    expect(() => applyMac(message, pos, withTpdu, KEY)).toThrow(ConfigError);
  });

  it('checks a reply on the bytes received, lower-case hex included', () => {
    const { packed } = applyMac(purchase(), ascii, ascii.mac!, KEY);
    const text = packed.toString('latin1');
    const lower = Buffer.from(text.slice(0, -16) + text.slice(-16).toLowerCase(), 'latin1');
    expect(verifyMac(lower, ascii, ascii.mac!, KEY).fields.get(11)).toBe('000123');
  });

  it('refuses a changed byte, a wrong key and a missing MAC with MAC_INVALID', () => {
    const { packed } = applyMac(purchase(), ascii, ascii.mac!, KEY);
    const changed = Buffer.from(packed.toString('latin1').replace('450000', '540000'), 'latin1');
    const bad = caught(() => verifyMac(changed, ascii, ascii.mac!, KEY)) as Iso8583Error;
    expect(bad).toBeInstanceOf(Iso8583Error);
    expect(bad.code).toBe('MAC_INVALID');
    expect(bad.detail).toMatchObject({ layout: 'iso87-ascii', field: 128,
      reason: 'the MAC does not match', received: packed.subarray(-16).toString('latin1') });
    const otherKey = Buffer.from(KEY).fill(0x11, 0, 1);
    expect((caught(() => verifyMac(packed, ascii, ascii.mac!, otherKey)) as Iso8583Error).code)
      .toBe('MAC_INVALID');
    const plain = pack(purchase(), ascii);
    const none = caught(() => verifyMac(plain, ascii, ascii.mac!, KEY)) as Iso8583Error;
    expect(none.code).toBe('MAC_INVALID');
    expect(none.message).toMatch(/carries no MAC/);
  });

  it('an unreadable reply is ISO_UNPACK, not a MAC failure', () => {
    const { packed } = applyMac(purchase(), ascii, ascii.mac!, KEY);
    const err = caught(() => verifyMac(packed.subarray(0, -1), ascii, ascii.mac!, KEY));
    expect((err as Iso8583Error).code).toBe('ISO_UNPACK');
  });

  it('the MAC field must be the last field', () => {
    const message = createMessage('0200', [[3, '000000'], [70, '001']]);
    const err = caught(() => applyMac(message, ascii, profile({ field: 64,
      algorithm: 'iso9797-1-alg3' }), KEY)) as Iso8583Error;
    expect(err.code).toBe('ISO_PACK');
    expect(err.detail).toMatchObject({ field: 70, macField: 64 });
  });

  it('refuses a key of the wrong length as a configuration error', () => {
    const err = caught(() => applyMac(purchase(), ascii, ascii.mac!, KEY.subarray(0, 8)));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/Retail MAC key must be 16 bytes/);
  });

  it('a layout whose mac block names a field it lacks or a non-MAC field is refused', () => {
    const base = { name: 't', description: '', mti: 'ascii', bitmap: 'hex-ascii' } as const;
    expect(() => defineLayout({ ...base, fields: {}, mac: { field: 64,
      algorithm: 'iso9797-1-alg1' } })).toThrow(/mac: field 64 must be in the layout/);
    expect(() => defineLayout({ ...base, fields: {
      64: { description: 'MAC', type: 'b', length: 4 } },
    mac: { field: 64, algorithm: 'iso9797-1-alg1' } })).toThrow(ConfigError);
  });
});
