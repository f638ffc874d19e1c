import { describe, expect, it } from 'vitest';
import { Iso8583Error } from '../../src/errors';
import { loadLayout } from '../../src/iso8583/layouts';
import { createMessage } from '../../src/iso8583/message';
import { pack, unpack } from '../../src/iso8583/pack';

const pos = loadLayout('pos-bcd');
const ascii = loadLayout('iso87-ascii');
const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const PAN = '4761739001010119';

function caught(fn: () => unknown): Iso8583Error {
  try {
    fn();
  } catch (err) {
    if (err instanceof Iso8583Error) return err;
    throw err;
  }
  throw new Error('no error thrown');
}

describe('unpack refuses malformed input with the field named', () => {
  it('a message cut short inside a field', () => {
    const bytes = pack(createMessage('0200', [[3, '000000'], [4, '000000450000']]), pos);
    const err = caught(() => unpack(bytes.subarray(0, bytes.length - 1), pos));
    expect(err.code).toBe('ISO_UNPACK');
    expect(err.detail).toMatchObject({
      layout: 'pos-bcd', field: 4, description: 'Amount, transaction', offset: 13,
    });
    expect(err.message).toMatch(/field 4 \(Amount, transaction\) at offset 13: truncated/);
  });

  it('a message cut inside the bitmap', () => {
    const err = caught(() => unpack(hex('0200 3020'), pos));
    expect(err.detail).toMatchObject({ field: 1, offset: 2 });
  });

  it('a length prefix over the field maximum', () => {
    // Field 35 (LL BCD, at most 37 digits) announcing 99 digits.
    const err = caught(() => unpack(hex('0200 0000000020000000 99 4761'), pos));
    expect(err.code).toBe('ISO_UNPACK');
    expect(err.detail).toMatchObject({ field: 35, description: 'Track 2 data', offset: 10 });
    expect(err.message).toMatch(/length prefix: 99 over the maximum 37/);
  });

  it('a length prefix that is not BCD', () => {
    const err = caught(() => unpack(hex('0200 0000000020000000 3A 4761'), pos));
    expect(err.detail).toMatchObject({ field: 35 });
    expect(err.message).toMatch(/bad length prefix: bad BCD nibble A/);
  });

  it('an ASCII length prefix that is not digits', () => {
    const bytes = Buffer.from('0200' + '4000000000000000' + '1X' + PAN, 'latin1');
    const err = caught(() => unpack(bytes, ascii));
    expect(err.detail).toMatchObject({ layout: 'iso87-ascii', field: 2, offset: 20 });
    expect(err.message).toMatch(/not ASCII digits/);
  });

  it('a BCD value with a nibble above 9', () => {
    const err = caught(() => unpack(hex('0200 1000000000000000 00000045A000'), pos));
    expect(err.detail).toMatchObject({ field: 4, offset: 10, raw: '00000045A000' });
    expect(err.message).toMatch(/bad BCD nibble A at digit 9/);
  });

  it('an odd-length BCD value whose pad nibble is not the layout one', () => {
    // Field 22 (n3, left-padded with 0) sent as F051.
    const err = caught(() => unpack(hex('0200 0000040000000000 F051'), pos));
    expect(err.detail).toMatchObject({ field: 22 });
    expect(err.message).toMatch(/pad nibble F/);
  });

  it('a bitmap announcing a field the layout lacks', () => {
    // Bit 5 (settlement amount) is not in pos-bcd.
    const err = caught(() => unpack(hex('0200 0800000000000000 000000450000'), pos));
    expect(err.detail).toMatchObject({ field: 5, offset: 10, description: 'not in the layout' });
    expect(err.message).toMatch(/announces a field the layout lacks/);
  });

  it('a secondary bitmap announcing a field the layout lacks', () => {
    const err = caught(() => unpack(hex('0200 8000000000000000 0000000000000001'), pos));
    expect(err.detail).toMatchObject({ field: 128 });
  });

  it('bytes left over after the last field', () => {
    const bytes = pack(createMessage('0200', [[39, '00']]), pos);
    const err = caught(() => unpack(Buffer.concat([bytes, hex('00')]), pos));
    expect(err.detail).toMatchObject({ field: 39, offset: 12 });
    expect(err.message).toMatch(/1 bytes left/);
  });

  it('a BCD MTI with a bad nibble', () => {
    const err = caught(() => unpack(hex('02A0 0000000000000000'), pos));
    expect(err.detail).toMatchObject({ field: 0, offset: 0 });
  });

  it('never shows card data in clear', () => {
    // Track 2 with a bad nibble (B) after the PAN.
    const bytes = hex(`0200 0000000020000000 22 ${PAN}B22122`);
    const err = caught(() => unpack(bytes, pos));
    expect(err.detail).toMatchObject({ field: 35 });
    expect(String(err.detail.raw)).toMatch(/^4761…2122 \(11 bytes\)$/);
    expect(JSON.stringify({ message: err.message, detail: err.detail })).not.toContain('7390010');
  });
});

describe('pack refuses what the layout does not allow', () => {
  it('a value longer than a fixed field', () => {
    const err = caught(() => pack(createMessage('0200', [[3, '000000'], [4, '1'.repeat(13)]]),
      pos));
    expect(err.code).toBe('ISO_PACK');
    expect(err.detail).toMatchObject({ field: 4, description: 'Amount, transaction', offset: 13 });
  });

  it('a variable field over its maximum', () => {
    const err = caught(() => pack(createMessage('0200', [[2, '1'.repeat(20)]]), pos));
    expect(err.message).toMatch(/length 20 over the maximum 19/);
  });

  it('letters in a numeric field, without showing a PAN', () => {
    const err = caught(() => pack(createMessage('0200', [[2, `${PAN}X`]]), pos));
    expect(err.detail).toMatchObject({ field: 2 });
    expect(JSON.stringify(err.detail)).not.toContain(PAN);
  });

  it('a string for a binary field and a Buffer for a text field', () => {
    expect(caught(() => pack(createMessage('0200', [[55, '9F26']]), pos)).detail)
      .toMatchObject({ field: 55 });
    expect(caught(() => pack(createMessage('0200', [[41, Buffer.from('QUAY')]]), pos)).detail)
      .toMatchObject({ field: 41 });
  });

  it('a field the layout lacks, and field 1', () => {
    expect(caught(() => pack(createMessage('0200', [[5, '1']]), pos)).detail)
      .toMatchObject({ field: 5 });
    expect(caught(() => pack(createMessage('0200', [[1, '1']]), pos)).detail)
      .toMatchObject({ field: 1 });
  });

  it('an MTI that is not four digits', () => {
    expect(caught(() => pack(createMessage('200'), pos)).detail).toMatchObject({ field: 0 });
  });
});
