import { describe, expect, it } from 'vitest';
import {
  decipherFormat4, encipherFormat4, format2PinBlock, format4PanField, format4PinField,
} from '../../../drivers/pinpad/pin-blocks';

const hex = (s: string) => Buffer.from(s, 'hex');
const upper = (b: Buffer) => b.toString('hex').toUpperCase();

describe('ISO 9564 format 2 (EMV plaintext offline PIN block)', () => {
  // Published in psec (github.com/knovichikhin/psec, tests/test_pinblock.py, format 2).
  it('lays out control 2, length, digits and F fill', () => {
    expect(upper(format2PinBlock('1234'))).toBe('241234FFFFFFFFFF');
    expect(upper(format2PinBlock('123456789'))).toBe('29123456789FFFFF');
    expect(upper(format2PinBlock('123456789012'))).toBe('2C123456789012FF');
  });

  it('refuses a PIN outside 4 to 12 digits', () => {
    expect(() => format2PinBlock('123')).toThrow(RangeError);
    expect(() => format2PinBlock('1234567890123')).toThrow(RangeError);
    expect(() => format2PinBlock('12a4')).toThrow(RangeError);
  });
});

describe('ISO 9564-1:2017 format 4 (AES)', () => {
  const random = hex('0102030405060708');

  // ANSI X9.24-3:2017 supplement test vectors, as quoted in github.com/openemv/pinblock
  // (test/pinblock_format4_test.c): PIN 1234 -> 441234AAAAAAAAAA, PAN 4111111111111111.
  it('forms the PIN field with A fill and the random half', () => {
    expect(upper(format4PinField('1234', random)))
      .toBe('441234AAAAAAAAAA0102030405060708');
    expect(upper(format4PinField('12345', random)).slice(0, 16)).toBe('4512345AAAAAAAAA');
  });

  // The 15- and 9-digit PANs are the same file's own cases.
  it('forms the PAN field: M, the PAN left-justified, a short PAN padded to 12', () => {
    expect(upper(format4PanField('4111111111111111')))
      .toBe('44111111111111111000000000000000');
    expect(upper(format4PanField('411111111111111')))
      .toBe('34111111111111110000000000000000');
    expect(upper(format4PanField('123456789')))
      .toBe('00001234567890000000000000000000');
    expect(() => format4PanField('12345678901234567890')).toThrow(RangeError);
  });

  // psec (github.com/knovichikhin/psec, tests/test_pinblock.py,
  // test_encipher_pinblock_iso_4_det): random bytes all FF.
  it('enciphers the published block, and the bank side reads the PIN back', () => {
    const key = hex('00112233445566778899AABBCCDDEEFF');
    const pan = '1234567890123456789';
    const block = encipherFormat4(key, '1234', pan, hex('FFFFFFFFFFFFFFFF'));
    expect(upper(block)).toBe('28B41FDDD29B743E93124BD8E32D921E');
    expect(decipherFormat4(key, block, pan)).toBe('1234');
    // Bound to the PAN: under another PAN the block holds no format 4 PIN field.
    expect(decipherFormat4(key, block, '1234567890123456788')).toBeNull();
  });

  it('refuses a key that is not AES-128', () => {
    expect(() => encipherFormat4(hex('0011'), '1234', '4111111111111111', random))
      .toThrow(RangeError);
  });
});
