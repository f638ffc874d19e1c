import { describe, expect, it } from 'vitest';
import {
  amountInWords, englishNumberWords, vietnameseNumberWords,
} from '../../src/receipt/amount-words';
import { RequestError } from '../../src/errors';

describe('vietnameseNumberWords', () => {
  const cases: Array<[number, string]> = [
    [0, 'không'],
    [1, 'một'],
    [4, 'bốn'],
    [5, 'năm'],
    [10, 'mười'],
    [11, 'mười một'],
    [14, 'mười bốn'],
    [15, 'mười lăm'],
    [20, 'hai mươi'],
    [21, 'hai mươi mốt'],
    [24, 'hai mươi tư'],
    [25, 'hai mươi lăm'],
    [31, 'ba mươi mốt'],
    [55, 'năm mươi lăm'],
    [70, 'bảy mươi'],
    [99, 'chín mươi chín'],
    [100, 'một trăm'],
    [101, 'một trăm linh một'],
    [104, 'một trăm linh bốn'],
    [105, 'một trăm linh năm'],
    [110, 'một trăm mười'],
    [111, 'một trăm mười một'],
    [115, 'một trăm mười lăm'],
    [121, 'một trăm hai mươi mốt'],
    [999, 'chín trăm chín mươi chín'],
    [1000, 'một nghìn'],
    [1001, 'một nghìn không trăm linh một'],
    [1010, 'một nghìn không trăm mười'],
    [1024, 'một nghìn không trăm hai mươi tư'],
    [1050, 'một nghìn không trăm năm mươi'],
    [1100, 'một nghìn một trăm'],
    [10_000, 'mười nghìn'],
    [15_000, 'mười lăm nghìn'],
    [21_000, 'hai mươi mốt nghìn'],
    [150_000, 'một trăm năm mươi nghìn'],
    [205_000, 'hai trăm linh năm nghìn'],
    [1_000_000, 'một triệu'],
    [1_000_005, 'một triệu không trăm linh năm'],
    [1_250_005, 'một triệu hai trăm năm mươi nghìn không trăm linh năm'],
    [2_500_000, 'hai triệu năm trăm nghìn'],
    [10_000_000, 'mười triệu'],
    [45_015_000, 'bốn mươi lăm triệu không trăm mười lăm nghìn'],
    [1_000_000_000, 'một tỷ'],
    [1_005_000_000, 'một tỷ không trăm linh năm triệu'],
    [2_000_500_000, 'hai tỷ năm trăm nghìn'],
    [1_000_000_000_000, 'một nghìn tỷ'],
    [5_000_000_000_001, 'năm nghìn tỷ không trăm linh một'],
  ];
  it.each(cases)('%i → %s', (n, words) => {
    expect(vietnameseNumberWords(n)).toBe(words);
  });

  it('reads a zero tens as lẻ and a thousand as ngàn on request (southern usage)', () => {
    expect(vietnameseNumberWords(105, { zeroTens: 'lẻ' })).toBe('một trăm lẻ năm');
    expect(vietnameseNumberWords(2_001, { zeroTens: 'lẻ', thousand: 'ngàn' }))
      .toBe('hai ngàn không trăm lẻ một');
  });

  it.each([-1, 1.5, Number.NaN, 2 ** 60])('refuses %s with AMOUNT_INVALID', (n) => {
    expect(() => vietnameseNumberWords(n)).toThrow(RequestError);
    try {
      vietnameseNumberWords(n);
    } catch (err) {
      expect((err as RequestError).code).toBe('AMOUNT_INVALID');
    }
  });
});

describe('englishNumberWords', () => {
  it.each([
    [0, 'zero'],
    [13, 'thirteen'],
    [21, 'twenty-one'],
    [105, 'one hundred five'],
    [150_000, 'one hundred fifty thousand'],
    [1_250_005, 'one million two hundred fifty thousand five'],
    [3_000_000_017, 'three billion seventeen'],
  ] as Array<[number, string]>)('%i → %s', (n, words) => {
    expect(englishNumberWords(n)).toBe(words);
  });
});

describe('amountInWords', () => {
  it('writes the receipt line with a capital and the currency', () => {
    expect(amountInWords(150_000)).toBe('Một trăm năm mươi nghìn đồng');
    expect(amountInWords(0)).toBe('Không đồng');
    expect(amountInWords(150_000, 'en')).toBe('One hundred fifty thousand dong');
  });
});
