import { describe, expect, it } from 'vitest';
import { TlvError } from '../../src/errors';
import {
  encodeLength, encodeNodes, encodeTlv, findTag, isConstructed, parseTlv,
} from '../../src/emv/tlv';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');

function tlvError(data: Buffer): TlvError {
  try {
    parseTlv(data);
  } catch (err) {
    if (err instanceof TlvError) return err;
    throw err;
  }
  throw new Error(`parsed without error: ${data.toString('hex')}`);
}

// The PSE FCI of the emvpt trace (../shared/testdata/cards/emvpt-contact-dda.yaml).
const PSE_FCI = hex(
  '6F 2C 84 0E 31 50 41 59 2E 53 59 53 2E 44 44 46 30 31 A5 1A 88 01 01 5F 2D 02 65 6E' +
  '9F 11 01 01 BF 0C 0B DF 02 02 02 46 DF 47 03 80 01 01',
);

describe('parseTlv', () => {
  it('reads a nested FCI with one-, two-byte and constructed tags', () => {
    const nodes = parseTlv(PSE_FCI);
    expect(nodes).toHaveLength(1);
    const fci = nodes[0]!;
    expect(fci.tag).toBe('6F');
    expect(fci.children!.map((n) => n.tag)).toEqual(['84', 'A5']);
    expect(findTag(nodes, '84')!.value.toString('latin1')).toBe('1PAY.SYS.DDF01');
    expect(findTag(nodes, '88')!.value).toEqual(hex('01'));
    expect(findTag(nodes, '5F2D')!.value.toString('latin1')).toBe('en');
    expect(findTag(nodes, 'bf0c')!.children!.map((n) => n.tag)).toEqual(['DF02', 'DF47']);
    expect(findTag(nodes, 'DF47')!.value).toEqual(hex('800101'));
  });

  it('reads three-byte tags and 81 / 82 lengths', () => {
    const long = Buffer.alloc(300, 0x11);
    const data = Buffer.concat([
      hex('DF8101 01 AA'), hex('9F4681B0'), Buffer.alloc(0xb0, 0x22), hex('5F20 82 012C'), long,
    ]);
    const nodes = parseTlv(data);
    expect(nodes.map((n) => [n.tag, n.value.length])).toEqual([
      ['DF8101', 1], ['9F46', 0xb0], ['5F20', 300],
    ]);
    expect(nodes[2]!.value).toEqual(long);
  });

  it('skips 00 and FF filler before, between and after objects', () => {
    const nodes = parseTlv(hex('00 FF 5A 02 1234 00 00 FF 5F24 03 251231 FF FF'));
    expect(nodes.map((n) => n.tag)).toEqual(['5A', '5F24']);
    expect(parseTlv(hex('70 06 00 5A 02 1234 FF'))[0]!.children!.map((n) => n.tag))
      .toEqual(['5A']);
  });

  it('takes an empty value and an empty constructed template', () => {
    expect(parseTlv(hex('9F38 00 A5 00'))).toEqual([
      { tag: '9F38', value: Buffer.alloc(0) },
      { tag: 'A5', value: Buffer.alloc(0), children: [] },
    ]);
  });

  it('refuses an indefinite length', () => {
    const err = tlvError(hex('70 80 5A 01 12 00 00'));
    expect(err.code).toBe('TLV_MALFORMED');
    expect(err.detail).toMatchObject({ offset: 1, tag: '70' });
  });

  it('refuses lengths of three or more bytes', () => {
    expect(tlvError(hex('5A 83 000001 12')).detail).toMatchObject({ offset: 1, tag: '5A' });
    expect(tlvError(hex('5A 84 00000001 12')).code).toBe('TLV_MALFORMED');
  });

  it('refuses a value that overruns the data, naming offset and tag', () => {
    const err = tlvError(hex('5A 01 12 5F24 05 2512'));
    expect(err.code).toBe('TLV_MALFORMED');
    expect(err.detail).toMatchObject({ offset: 3, tag: '5F24', length: 5, available: 2 });
  });

  it('gives the absolute offset of an error inside a template', () => {
    const err = tlvError(hex('6F 07 84 01 AA A5 02 88 05'));
    expect(err.detail).toMatchObject({ offset: 7, tag: '88' });
  });

  it('refuses a constructed value that is not TLV', () => {
    expect(tlvError(hex('70 03 5A 05 12')).detail).toMatchObject({ offset: 2, tag: '5A' });
  });

  it('refuses truncated tags and lengths', () => {
    expect(tlvError(hex('9F')).detail).toMatchObject({ offset: 0 });
    expect(tlvError(hex('9F 81')).code).toBe('TLV_MALFORMED');
    expect(tlvError(hex('5A')).detail).toMatchObject({ offset: 1, tag: '5A' });
    expect(tlvError(hex('5A 82 01')).detail).toMatchObject({ offset: 1, tag: '5A' });
  });

  it('refuses a tag longer than four bytes', () => {
    expect(tlvError(hex('DF 81 82 83 84 01 00')).code).toBe('TLV_MALFORMED');
  });

  it('keeps card bytes out of the error message and masks them in detail', () => {
    const err = tlvError(hex('5A 08 4761739001010010 5F24 05 2512'));
    expect(err.message).not.toContain('4761739001010010');
    expect(JSON.stringify(err.detail)).not.toMatch(/4761739001010010/i);
  });
});

describe('findTag', () => {
  it('searches depth-first: a node before its children, earlier siblings first', () => {
    const nodes = parseTlv(hex('70 05 A5 03 50 01 41 50 01 42'));
    expect(findTag(nodes, '50')!.value.toString('latin1')).toBe('A');
    expect(findTag(nodes, 'A5')!.children).toHaveLength(1);
    expect(findTag(nodes, '9F12')).toBeUndefined();
  });
});

describe('encodeTlv', () => {
  it('chooses the shortest length form', () => {
    expect(encodeLength(0x7f)).toEqual(hex('7F'));
    expect(encodeLength(0x80)).toEqual(hex('8180'));
    expect(encodeLength(0xff)).toEqual(hex('81FF'));
    expect(encodeLength(0x100)).toEqual(hex('820100'));
    expect(() => encodeLength(0x10000)).toThrow(TlvError);
  });

  it('encodes primitive and constructed objects', () => {
    expect(encodeTlv('9F02', hex('000000004000'))).toEqual(hex('9F02 06 000000004000'));
    const template = encodeTlv('77', [
      encodeTlv('82', hex('1800')), encodeTlv('94', hex('08010100')),
    ]);
    expect(template).toEqual(hex('77 0A 82 02 1800 94 04 08010100'));
  });

  it('refuses a tag that does not follow the BER rules', () => {
    expect(() => encodeTlv('9F', Buffer.alloc(0))).toThrow(TlvError);
    expect(() => encodeTlv('5A00', Buffer.alloc(0))).toThrow(TlvError);
    expect(() => encodeTlv('xyz', Buffer.alloc(0))).toThrow(TlvError);
  });

  it('round-trips through parseTlv', () => {
    const samples = [
      PSE_FCI,
      Buffer.concat([hex('70 81 84 9F46 81 80'), Buffer.alloc(0x80, 0x5c)]),
      encodeTlv('77', [encodeTlv('9F27', hex('80')), encodeTlv('9F10', Buffer.alloc(300, 1))]),
    ];
    for (const sample of samples) expect(encodeNodes(parseTlv(sample))).toEqual(sample);
  });
});

describe('isConstructed', () => {
  it('reads bit 6 of the first tag byte', () => {
    expect(['70', '77', 'A5', 'BF0C', '61', '6F'].map(isConstructed)).toEqual(Array(6).fill(true));
    expect(['5A', '9F02', '84', 'DF8101', '80'].map(isConstructed)).toEqual(Array(5).fill(false));
  });
});
