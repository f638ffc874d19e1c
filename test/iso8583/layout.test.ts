import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors';
import { decodeBcd, encodeBcd } from '../../src/iso8583/bcd';
import { defineLayout, type FieldSpecInput } from '../../src/iso8583/layout';
import { loadLayout, readLayoutFile } from '../../src/iso8583/layouts';
import { createMessage } from '../../src/iso8583/message';
import { convertMoovSpec } from '../../src/iso8583/moov';
import { pack, unpack } from '../../src/iso8583/pack';

function layoutWith(fields: Record<string, FieldSpecInput>, mti: 'ascii' | 'bcd' = 'bcd') {
  return defineLayout({ name: 'test', description: '', mti, bitmap: 'binary', fields });
}

describe('BCD', () => {
  it.each([
    ['left-0', '123', '0123'], ['left-F', '123', 'F123'],
    ['right-0', '123', '1230'], ['right-F', '123', '123F'], ['left-0', '1234', '1234'],
  ] as const)('pads odd digit counts %s: %s → %s', (pad, digits, wire) => {
    expect(encodeBcd(digits, pad).toString('hex').toUpperCase()).toBe(wire);
    expect(decodeBcd(Buffer.from(wire, 'hex'), digits.length, pad)).toBe(digits);
  });

  it('drops only an F pad when the count is in bytes', () => {
    expect(decodeBcd(Buffer.from('123F', 'hex'), undefined, 'right-F')).toBe('123');
    expect(decodeBcd(Buffer.from('1230', 'hex'), undefined, 'right-0')).toBe('1230');
  });
});

describe('field encodings and prefixes', () => {
  it('hex-ascii binary fields and binary prefixes', () => {
    const layout = layoutWith({
      52: { description: 'PIN data', type: 'b', length: 8, encoding: 'hex-ascii' },
      55: { description: 'ICC', type: 'b', length: 300, lengthKind: 'LLL', prefix: 'binary' },
      63: { description: 'Text', type: 'ans', length: 99, lengthKind: 'LL', prefix: 'ascii' },
    });
    const message = createMessage('0200', [
      [52, Buffer.from('1B9C1845EB993A7A', 'hex')], [55, Buffer.alloc(258, 0xab)], [63, 'hi'],
    ]);
    const bytes = pack(message, layout);
    const pin = bytes.subarray(10, 26).toString('latin1');
    expect(pin).toBe('1B9C1845EB993A7A');
    expect(bytes.subarray(26, 28).toString('hex')).toBe('0102'); // 258 in two binary bytes
    expect(bytes.subarray(bytes.length - 4).toString('latin1')).toBe('02hi');
    expect(unpack(bytes, layout).fields).toEqual(message.fields);
  });

  it('a BCD field whose prefix counts bytes, and a hex field counted in characters', () => {
    const layout = layoutWith({
      48: { description: 'Digits', type: 'n', length: 20, lengthKind: 'LL', prefix: 'bcd',
        encoding: 'bcd', lengthUnit: 'bytes', bcdPad: 'right-F' },
      62: { description: 'Hex', type: 'b', length: 10, lengthKind: 'LL', encoding: 'hex-ascii',
        lengthUnit: 'chars' },
    }, 'ascii');
    const bytes = pack(createMessage('0200', [[48, '12345'], [62, Buffer.from('ABCD', 'hex')]]),
      layout);
    // MTI 4 + bitmap 8; then 48: prefix 03 (bytes), 12 34 5F; then 62: '04' 'ABCD'.
    expect(bytes.subarray(12).toString('hex'))
      .toBe('0312345f' + Buffer.from('04ABCD').toString('hex'));
    expect(unpack(bytes, layout).fields.get(48)).toBe('12345');
  });
});

describe('a text field that takes binary data as hex digits', () => {
  it('writes a Buffer as upper-case hex text and keeps text as it is', () => {
    const layout = layoutWith({ 55: { description: 'ICC data', type: 'ans', length: 999,
      lengthKind: 'LLL', binaryAsHex: true } }, 'ascii');
    const bytes = pack(createMessage('0200', [[55, Buffer.from('9f2701', 'hex')]]), layout);
    expect(bytes.subarray(12).toString('latin1')).toBe('0069F2701');
    expect(unpack(bytes, layout).fields.get(55)).toBe('9F2701');
    const text = pack(createMessage('0200', [[55, '0033170003']]), layout);
    expect(text.subarray(12).toString('latin1')).toBe('0100033170003');
  });
});

describe('layout checks', () => {
  it.each([
    [{ description: 'x', type: 'an', length: 3, encoding: 'bcd' }, /type an needs encoding ascii/],
    [{ description: 'x', type: 'b', length: 3, encoding: 'ascii' }, /type b needs encoding binary/],
    [{ description: 'x', type: 'ans', length: 100, lengthKind: 'LL' }, /does not fit a LL ascii/],
    [{ description: 'x', type: 'ans', length: 9, lengthKind: 'LL',
      pad: { side: 'left', char: ' ' } },
      /pad applies to fixed fields only/],
    [{ description: 'x', type: 'ans', length: 9, lengthUnit: 'digits' }, /counted in digits/],
    [{ description: 'x', type: 'b', length: 9, binaryAsHex: true },
      /binaryAsHex applies to text fields/],
  ] as const)('refuses %j', (spec, message) => {
    expect(() => layoutWith({ 48: spec as FieldSpecInput })).toThrow(message);
  });

  it('refuses unknown keys and field numbers outside 2..128, as ConfigError', () => {
    const unknownKey = () => layoutWith({ 48: { description: 'x', type: 'ans', length: 3,
      lenght: 4 } as unknown as FieldSpecInput });
    expect(unknownKey).toThrow(ConfigError);
    expect(unknownKey).toThrow(/field 48/);
    expect(() => layoutWith({ 1: { description: 'x', type: 'b', length: 8 } })).toThrow(/2\.\.128/);
  });

  it('loads a moov-io spec file given by path, named after the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quay-layout-'));
    const path = join(dir, 'tiny.json');
    writeFileSync(path, JSON.stringify({ fields: {
      0: { type: 'String', length: 4, description: 'MTI', enc: 'BCD', prefix: 'BCD.Fixed' },
      1: { type: 'Bitmap', length: 8, description: 'Bitmap', enc: 'Binary',
        prefix: 'Binary.Fixed' },
      2: { type: 'Numeric', length: 19, description: 'PAN', enc: 'BCD', prefix: 'BCD.LL' },
    } }));
    const layout = readLayoutFile(path);
    expect(layout).toMatchObject({ name: 'tiny', mti: 'bcd', bitmap: 'binary' });
    expect(layout.fields.get(2)).toMatchObject({ type: 'n', lengthKind: 'LL', prefix: 'bcd' });
  });

  it('refuses moov-io notations it does not know, naming the field', () => {
    const spec = { fields: {
      0: { type: 'String', length: 4, description: 'MTI', enc: 'ASCII', prefix: 'ASCII.Fixed' },
      1: { type: 'Bitmap', length: 16, description: 'Bitmap', enc: 'HexToASCII',
        prefix: 'Hex.Fixed' },
      43: { type: 'String', length: 40, description: 'Name', enc: 'EBCDIC',
        prefix: 'EBCDIC.Fixed' },
    } };
    expect(() => convertMoovSpec(spec, 'x.json')).toThrow(/field 43: encoding EBCDIC/);
  });

  it('reads spec87ascii.json field 52 as 8 bytes in hex and 4 as padded digits', () => {
    const layout = loadLayout('iso87-ascii');
    expect(layout.mti).toBe('ascii');
    expect(layout.bitmap).toBe('hex-ascii');
    expect(layout.fields.get(52)).toMatchObject({ type: 'b', length: 8, encoding: 'hex-ascii' });
    expect(layout.fields.get(4)).toMatchObject({ pad: { side: 'left', char: '0' } });
    const bytes = pack(createMessage('0200', [[4, '450000']]), layout);
    expect(bytes.toString('latin1')).toBe('0200' + '1000000000000000' + '000000450000');
  });
});
