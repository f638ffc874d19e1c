import { RequestError } from '../errors';

/**
 * Amounts in words, as printed under the figure on a Vietnamese receipt
 * ("Bằng chữ: Một trăm năm mươi nghìn đồng").
 *
 * Vietnamese reading rules implemented here:
 * - 10–19 use "mười" (mười, mười một, mười lăm); 20–90 use "<digit> mươi".
 * - A units 1 after "mươi" is "mốt" (hai mươi mốt), but "một" after "mười" and "linh".
 * - A units 5 after any tens is "lăm" (mười lăm, hai mươi lăm), but "năm" after "linh".
 * - A units 4 after "mươi" is "tư" (hai mươi tư); after "mười" it stays "bốn".
 * - A zero tens before a non-zero units is "linh" (northern, the default) or "lẻ" (southern):
 *   một trăm linh năm.
 * - Groups of three digits take nghìn, triệu, tỷ; above a tỷ the reading repeats
 *   (một nghìn tỷ). A group that is not the leading one is read with all three digits,
 *   so its zero hundreds are said: một nghìn không trăm linh năm. Zero groups are skipped.
 */
export interface VietnameseWordsOptions {
  /** Word for a zero tens before a units digit: 'linh' (default) or 'lẻ'. */
  zeroTens?: 'linh' | 'lẻ';
  /** Word for 10^3: 'nghìn' (default) or 'ngàn'. */
  thousand?: 'nghìn' | 'ngàn';
}

const DIGITS = ['không', 'một', 'hai', 'ba', 'bốn', 'năm', 'sáu', 'bảy', 'tám', 'chín'] as const;

function digitWord(d: number): string {
  const word = DIGITS[d];
  if (word === undefined) throw new RangeError(`not a digit: ${d}`);
  return word;
}

function unitsAfterTens(units: number, tens: number): string {
  if (units === 1 && tens >= 2) return 'mốt';
  if (units === 5 && tens >= 1) return 'lăm';
  if (units === 4 && tens >= 2) return 'tư';
  return digitWord(units);
}

/** Words for 0..999; `full` reads the hundreds even when zero (a group after the leading one). */
function groupWords(n: number, full: boolean, opts: Required<VietnameseWordsOptions>): string[] {
  const hundreds = Math.floor(n / 100);
  const tens = Math.floor(n / 10) % 10;
  const units = n % 10;
  const words: string[] = [];
  const saysHundreds = full || hundreds > 0;

  if (saysHundreds) words.push(digitWord(hundreds), 'trăm');
  if (tens === 0) {
    if (units === 0) return words;
    if (saysHundreds) words.push(opts.zeroTens);
    words.push(digitWord(units));
    return words;
  }
  words.push(...(tens === 1 ? ['mười'] : [digitWord(tens), 'mươi']));
  if (units > 0) words.push(unitsAfterTens(units, tens));
  return words;
}

const SCALES = ['', 'nghìn', 'triệu'] as const;

/** Words for n ≥ 1, leading groups first; `full` as for groupWords, for the leading group. */
function positiveWords(n: number, full: boolean, opts: Required<VietnameseWordsOptions>): string[] {
  const billion = 1_000_000_000;
  if (n >= billion) {
    const high = Math.floor(n / billion);
    const low = n % billion;
    const words = [...positiveWords(high, full, opts), 'tỷ'];
    return low === 0 ? words : [...words, ...positiveWords(low, true, opts)];
  }
  const groups = [n % 1000, Math.floor(n / 1000) % 1000, Math.floor(n / 1_000_000)];
  const top = groups.reduce((last, g, i) => (g > 0 ? i : last), 0);
  const words: string[] = [];
  for (let i = top; i >= 0; i--) {
    const group = groups[i] ?? 0;
    if (group === 0) continue;
    words.push(...groupWords(group, full || i < top, opts));
    const scale = i === 1 ? opts.thousand : SCALES[i];
    if (scale) words.push(scale);
  }
  return words;
}

function checkWhole(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RequestError('AMOUNT_INVALID', `not a whole non-negative amount: ${n}`, {
      detail: { amount: n },
    });
  }
}

/** "một trăm năm mươi nghìn" for 150000; "không" for 0. Lower case, no unit. */
export function vietnameseNumberWords(n: number, options: VietnameseWordsOptions = {}): string {
  checkWhole(n);
  if (n === 0) return 'không';
  const opts = { zeroTens: options.zeroTens ?? 'linh', thousand: options.thousand ?? 'nghìn' };
  return positiveWords(n, false, opts).join(' ');
}

const EN_SMALL = [
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten',
  'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen',
  'nineteen',
] as const;
const EN_TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty',
  'ninety'] as const;
const EN_SCALES = ['', 'thousand', 'million', 'billion', 'trillion', 'quadrillion'] as const;

function englishGroup(n: number): string[] {
  const words: string[] = [];
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  if (hundreds > 0) words.push(EN_SMALL[hundreds] ?? '', 'hundred');
  if (rest === 0) return words;
  if (rest < 20) return [...words, EN_SMALL[rest] ?? ''];
  const tens = EN_TENS[Math.floor(rest / 10)] ?? '';
  const units = rest % 10;
  return [...words, units === 0 ? tens : `${tens}-${EN_SMALL[units] ?? ''}`];
}

/** "one hundred fifty thousand" for 150000 (short scale). */
export function englishNumberWords(n: number): string {
  checkWhole(n);
  if (n === 0) return 'zero';
  const words: string[] = [];
  let rest = n;
  for (let i = 0; rest > 0; i++) {
    const group = rest % 1000;
    rest = Math.floor(rest / 1000);
    if (group === 0) continue;
    const scale = EN_SCALES[i] ?? '';
    words.unshift(...englishGroup(group), ...(scale ? [scale] : []));
  }
  return words.join(' ');
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The amount line under the figure: "Một trăm năm mươi nghìn đồng" / "One hundred … dong". */
export function amountInWords(amount: number, language: 'vi' | 'en' = 'vi'): string {
  if (language === 'en') return capitalise(`${englishNumberWords(amount)} dong`);
  return capitalise(`${vietnameseNumberWords(amount)} đồng`);
}
