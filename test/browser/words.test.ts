import { describe, expect, it } from 'vitest';
import { formatDong, parseDong, stepOf, WORDS } from '../../src/api/page/words.js';

/** The page's dictionary and its money forms, without a browser. */
describe('the clerk page words', () => {
  it('has every label in both languages, none empty', () => {
    expect(Object.keys(WORDS.en).sort()).toEqual(Object.keys(WORDS.vi).sort());
    for (const lang of ['vi', 'en'] as const) {
      expect(Object.entries(WORDS[lang]).filter(([, text]) => text.trim() === '')).toEqual([]);
    }
  });

  it('writes dong with dots and the đồng sign after', () => {
    expect(formatDong(150_000)).toBe('150.000 ₫');
    expect(formatDong(1_234_567)).toBe('1.234.567 ₫');
    expect(formatDong(999)).toBe('999 ₫');
  });

  it('reads amounts typed with or without thousands dots, and nothing else', () => {
    expect(['150.000', '150000', ' 150.000 ₫', '150.000đ', '1.000.000', '7']
      .map(parseDong)).toEqual([150_000, 150_000, 150_000, 150_000, 1_000_000, 7]);
    expect(['', '0', '-5', '20.5', '1.50.000', '150,000', '015000', '1e5', '12.34']
      .map(parseDong)).toEqual(Array(9).fill(null));
  });

  it('names the step of a running payment from its journal state', () => {
    expect([stepOf('in_progress', 'created'), stepOf('in_progress', 'card_read'),
      stepOf('outcome_unknown', 'sent'), stepOf('approved', 'settled')])
      .toEqual(['insertCard', 'enterPin', 'processing', 'approved']);
  });
});
