import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  decodeCodePage, encodeTcvn3, encodeWindows1258, vietnameseLetters,
} from '../../src/receipt/code-pages';
import { parseEscPos } from '../../src/receipt/escpos-parse';

const hex = (b: Buffer): string => b.toString('hex').toUpperCase();

/** Decodes a TCVN-3 byte string the way the printer does: ESC t switches the table. */
function decodeTcvn3(bytes: Buffer, start = 30): string {
  let page = start;
  let out = '';
  for (const cmd of parseEscPos(bytes)) {
    if (cmd.op === 'codePage') page = cmd.n;
    else if (cmd.op === 'text') out += decodeCodePage(cmd.bytes, page);
    else throw new Error(`unexpected ${cmd.op}`);
  }
  return out;
}

describe('the Vietnamese alphabet', () => {
  it('has 134 letters outside ASCII: 67 lowercase and their capitals', () => {
    const letters = vietnameseLetters();
    expect(letters).toHaveLength(134);
    expect(new Set(letters).size).toBe(134);
    expect(letters.slice(0, 6).join('')).toBe('àáảãạă');
    expect(letters[66]).toBe('đ');
    expect(letters[133]).toBe('Đ');
  });
});

describe('Windows-1258 (Epson table 52)', () => {
  it('encodes precomposed where the table has the letter, else base + tone mark', () => {
    // From Microsoft's cp1258 table: E1 á, E2 â, E3 ă, CA Ê, FD ư, F0 đ, D0 Đ, FE ₫;
    // tone marks CC grave, D2 hook, DE tilde, EC acute, F2 dot below.
    expect(hex(encodeWindows1258('á').bytes)).toBe('E1');
    expect(hex(encodeWindows1258('ấ').bytes)).toBe('E2EC');
    expect(hex(encodeWindows1258('ặ').bytes)).toBe('E3F2');
    expect(hex(encodeWindows1258('Ệ').bytes)).toBe('CAF2');
    expect(hex(encodeWindows1258('ữ').bytes)).toBe('FDDE');
    expect(hex(encodeWindows1258('ỷ').bytes)).toBe('79D2');
    expect(hex(encodeWindows1258('ã').bytes)).toBe('61DE');
    expect(hex(encodeWindows1258('ì').bytes)).toBe('69CC');
    expect(hex(encodeWindows1258('đĐ₫').bytes)).toBe('F0D0FE');
  });

  it.each(vietnameseLetters())('round-trips %s', (letter) => {
    const { bytes, missing } = encodeWindows1258(letter);
    expect(missing).toEqual([]);
    expect(decodeCodePage(bytes, 52)).toBe(letter);
  });

  it('round-trips a decomposed input too, and the whole alphabet in one string', () => {
    const all = vietnameseLetters().join('');
    expect(decodeCodePage(encodeWindows1258(all.normalize('NFD')).bytes, 52)).toBe(all);
  });

  it('decodes every byte as the WHATWG windows-1258 decoder does', () => {
    const whatwg = new TextDecoder('windows-1258');
    for (let b = 0x80; b <= 0xff; b++) {
      const byte = Buffer.from([b]);
      expect(decodeCodePage(byte, 52), b.toString(16)).toBe(whatwg.decode(byte));
    }
  });

  it('is needed because iconv-lite sends "?" for letters 1258 only has decomposed', () => {
    expect(hex(iconv.encode('ấ', 'windows-1258'))).toBe('3F');
    expect(hex(encodeWindows1258('ấ').bytes)).toBe('E2EC');
  });
});

describe('TCVN-3 (Epson tables 30 and 31)', () => {
  it('puts lowercase letters in table 30 and switches to 31 for capitals', () => {
    // VN3: B8 á, CA ấ, D6 ệ, AE đ, F9 ự; table 31 has the capitals at the same bytes,
    // Đ at A7. ASCII is in both tables, so "N" after "Ấ" needs no switch back.
    expect(hex(encodeTcvn3('á ấ ệ đ ự').bytes)).toBe('B820CA20D620AE20F9');
    expect(hex(encodeTcvn3('Ấ').bytes)).toBe('1B741FCA');
    expect(hex(encodeTcvn3('ẤN').bytes)).toBe('1B741FCA4E');
    expect(hex(encodeTcvn3('Đa').bytes)).toBe('1B741FA761');
    expect(hex(encodeTcvn3('Ấấ').bytes)).toBe('1B741FCA1B741ECA');
    expect(encodeTcvn3('Ấ').codePage).toBe(31);
  });

  it('prints the đồng sign, which VN3 lacks, as đ', () => {
    expect(hex(encodeTcvn3('150.000 ₫').bytes)).toBe('3135302E30303020AE');
  });

  it.each(vietnameseLetters())('round-trips %s', (letter) => {
    const { bytes, missing } = encodeTcvn3(letter);
    expect(missing).toEqual([]);
    expect(decodeTcvn3(bytes)).toBe(letter);
  });

  it('round-trips the alphabet as one string, starting on either table', () => {
    const all = vietnameseLetters().join('');
    expect(decodeTcvn3(encodeTcvn3(all).bytes)).toBe(all);
    expect(decodeTcvn3(encodeTcvn3(all, 31).bytes, 31)).toBe(all);
  });

  it('decodes a position with no letter as U+FFFD', () => {
    expect(decodeCodePage(Buffer.from([0xa1, 0xb0]), 30)).toBe('\ufffd\ufffd');
    expect(decodeCodePage(Buffer.from([0xae]), 31)).toBe('\ufffd');
  });
});
