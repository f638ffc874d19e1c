import { describe, expect, it } from 'vitest';
import { TlvError } from '../../src/errors';
import { buildDolData, dolIncludes, fitToLength, parseDol } from '../../src/emv/dol';
import { EMV_TAGS, tagFormat } from '../../src/emv/tags';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');

// CDOL1 of the emvpt trace (../shared/testdata/cards/emvpt-contact-dda.yaml, SFI 3 record 2).
const CDOL1 = hex('9F02 06 9F03 06 9F1A 02 95 05 5F2A 02 9A 03 9C 01 9F37 04');

describe('parseDol', () => {
  it('reads tag and length pairs', () => {
    expect(parseDol(CDOL1)).toEqual([
      { tag: '9F02', length: 6 }, { tag: '9F03', length: 6 }, { tag: '9F1A', length: 2 },
      { tag: '95', length: 5 }, { tag: '5F2A', length: 2 }, { tag: '9A', length: 3 },
      { tag: '9C', length: 1 }, { tag: '9F37', length: 4 },
    ]);
  });

  it('reads an empty DOL as no entries', () => {
    expect(parseDol(Buffer.alloc(0))).toEqual([]);
  });

  it('refuses a DOL cut inside an entry, as DOL_MALFORMED', () => {
    for (const bad of [hex('9F02 06 9F03'), hex('9F02'), hex('9F'), hex('9F02 80')]) {
      let caught: unknown;
      try {
        parseDol(bad, 'CDOL1');
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(TlvError);
      expect((caught as TlvError).code).toBe('DOL_MALFORMED');
      expect((caught as TlvError).detail.dol).toBe('CDOL1');
    }
  });
});

describe('fitToLength (EMV Book 3 5.4)', () => {
  it('cuts numeric values on the left and others on the right', () => {
    expect(fitToLength('9F02', hex('000000004000'), 4)).toEqual(hex('00004000'));
    expect(fitToLength('9F33', hex('E0F8C8'), 2)).toEqual(hex('E0F8'));
    expect(fitToLength('9F1C', Buffer.from('TERM0001'), 4)).toEqual(Buffer.from('TERM'));
    expect(fitToLength('5A', hex('4761739001010010'), 6)).toEqual(hex('476173900101'));
  });

  it('pads numeric with leading zeros, cn with trailing FF, others with trailing zeros', () => {
    expect(fitToLength('9F02', hex('4000'), 6)).toEqual(hex('000000004000'));
    expect(fitToLength('5A', hex('4761739001010010'), 10))
      .toEqual(hex('4761739001010010 FFFF'));
    expect(fitToLength('9F1C', Buffer.from('T1'), 4)).toEqual(hex('5431 0000'));
    expect(fitToLength('9F37', hex('0123'), 4)).toEqual(hex('0123 0000'));
  });

  it('treats a tag it does not know as binary', () => {
    expect(tagFormat('DF8101')).toBe('b');
    expect(fitToLength('DF8101', hex('0102'), 3)).toEqual(hex('010200'));
  });
});

describe('buildDolData', () => {
  const terminal: Record<string, Buffer> = {
    '9F02': hex('000000000100'), '9F03': hex('000000000000'), '9F1A': hex('0246'),
    '95': hex('0000000000'), '5F2A': hex('0978'), '9A': hex('200724'), '9C': hex('21'),
    '9F37': hex('01234567'), '70': hex('5A01FF'),
  };
  const source = (tag: string) => terminal[tag];

  it('gives the CDOL1 data of the emvpt trace', () => {
    expect(buildDolData(parseDol(CDOL1), source)).toEqual(hex(
      '000000000100 000000000000 0246 0000000000 0978 200724 21 01234567',
    ));
  });

  it('zero-fills unknown and constructed tags, keeps repeated tags in place', () => {
    const dol = parseDol(hex('9C 01 DF01 03 9F37 02 70 02 9C 02'));
    expect(buildDolData(dol, source)).toEqual(hex('21 000000 0123 0000 0021'));
  });

  it('finds a tag in a DOL', () => {
    expect(dolIncludes(parseDol(CDOL1), '9F37')).toBe(true);
    expect(dolIncludes(parseDol(CDOL1), '91')).toBe(false);
  });
});

describe('EMV_TAGS', () => {
  it('holds formats that decide DOL padding', () => {
    expect(EMV_TAGS['5A']).toMatchObject({ format: 'cn', source: 'card' });
    expect(EMV_TAGS['9F02']).toMatchObject({ format: 'n', source: 'terminal' });
    expect(EMV_TAGS['8A']).toMatchObject({ format: 'an', source: 'issuer' });
    for (const tag of Object.keys(EMV_TAGS)) expect(tag).toMatch(/^([0-9A-F]{2})+$/);
  });
});
