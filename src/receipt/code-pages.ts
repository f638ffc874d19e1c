/**
 * Printer character code tables (ESC t n) that quay can encode and decode. Numbers are
 * Epson's; other vendors number their tables differently, which is why receipts default to
 * raster mode.
 */

/** PC437, bytes 80–FF (00–7F are ASCII). */
const PC437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»' +
  '░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀' +
  'αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/**
 * Windows-1258, bytes 80–FF, from Microsoft's table (unicode.org, MAPPINGS/VENDORS/MICSFT/
 * WindowsBestFit/bestfit1258.txt); the positions Microsoft leaves unassigned hold the C1
 * control of the same number, as the WHATWG decoder does. The five tone marks are combining
 * characters (CC grave, D2 hook above, DE tilde, EC acute, F2 dot below): a Vietnamese letter
 * is a base letter, itself often precomposed (â, ơ, ư), followed by one of them.
 */
const WINDOWS_1258_HIGH =
  '€\u0081‚ƒ„…†‡ˆ‰\u008a‹Œ\u008d\u008e\u008f' +
  '\u0090‘’“”•–—˜™\u009a›œ\u009d\u009eŸ' +
  '\u00a0¡¢£¤¥¦§¨©ª«¬\u00ad®¯' +
  '°±²³´µ¶·¸¹º»¼½¾¿' +
  'ÀÁÂĂÄÅÆÇÈÉÊË\u0300ÍÎÏ' +
  'ĐÑ\u0309ÓÔƠÖ×ØÙÚÛÜƯ\u0303ß' +
  'àáâăäåæçèéêë\u0301íîï' +
  'đñ\u0323óôơö÷øùúûüư₫ÿ';

/**
 * TCVN 5712:1993 VN3 ("ABC" code), bytes A0–FF, as Epson lays it out in table 30. VN3 keeps
 * ASCII and puts the 67 lowercase Vietnamese letters in the upper half, precomposed; its
 * capitals live in a second table at the same positions (Epson table 31, like the ".VnTimeH"
 * capital fonts). '\0' marks a position with no letter. Positions checked against the
 * TCVN 5712 VN1 table of libiconv and X11 (tcvn.h, a superset that also fills the gaps with
 * capitals) and against the Epson tables of npm @point-of-sale/codepage-encoder ("tcvn3",
 * "tcvn3capitals"). The VN3 standard also has Ă Â Ê Ô Ơ Ư Đ at A1–A7 of the base table;
 * Epson's table 30 leaves A1–A7 empty, so quay sends every capital on table 31.
 */
const TCVN3_HIGH =
  '\0\0\0\0\0\0\0\0ăâêôơưđ\0' +
  '\0\0\0\0\0àảãáạ\0ằẳẵắ\0' +
  '\0\0\0\0\0\0ặầẩẫấậè\0ẻẽ' +
  'éẹềểễếệìỉ\0\0\0ĩíịò' +
  '\0ỏõóọồổỗốộờởỡớợù' +
  '\0ủũúụừửữứựỳỷỹýỵ\0';

/**
 * Epson table 31, TCVN-3 capitals: the capital of each lowercase letter of table 30 at the
 * same byte, except Ă, Â and Đ, which are at A1, A2 and A7 (A8, A9 and AE are empty).
 */
const TCVN3_CAPITALS_HIGH = [...TCVN3_HIGH].map((ch, i) => {
  const moved: Record<number, string> = { 0x01: 'Ă', 0x02: 'Â', 0x07: 'Đ' };
  if (moved[i] !== undefined) return moved[i];
  if (i === 0x08 || i === 0x09 || i === 0x0e) return '\0';
  return ch.toUpperCase();
}).join('');

export const CODE_PAGE_PC437 = 0;
export const CODE_PAGE_WPC1252 = 16;
export const CODE_PAGE_TCVN3 = 30;
export const CODE_PAGE_TCVN3_CAPITALS = 31;
export const CODE_PAGE_WPC1258 = 52;

export const CODE_PAGES: Record<number, string> = {
  0: 'PC437', 16: 'WPC1252', 30: 'TCVN-3', 31: 'TCVN-3 capitals', 52: 'WPC1258',
};

/** Byte → character for the bytes 80–FF (or A0–FF) of a single-byte table. */
function decodeHigh(bytes: Buffer, high: string, first: number): string {
  let out = '';
  for (const b of bytes) {
    if (b < 0x80) out += String.fromCharCode(b);
    else {
      const ch = b >= first ? high[b - first] : undefined;
      out += ch === undefined || ch === '\0' ? '\ufffd' : ch;
    }
  }
  return out;
}

/**
 * Text bytes as the printer would show them, NFC-normalised (Windows-1258 sends base letter
 * and tone mark apart); undefined for a table quay does not know. Unassigned bytes give U+FFFD.
 */
export function decodeCodePage(bytes: Buffer, codePage: number): string | undefined {
  switch (codePage) {
    case CODE_PAGE_PC437: return decodeHigh(bytes, PC437_HIGH, 0x80);
    case CODE_PAGE_WPC1252: return new TextDecoder('windows-1252').decode(bytes);
    case CODE_PAGE_TCVN3: return decodeHigh(bytes, TCVN3_HIGH, 0xa0);
    case CODE_PAGE_TCVN3_CAPITALS: return decodeHigh(bytes, TCVN3_CAPITALS_HIGH, 0xa0);
    case CODE_PAGE_WPC1258:
      return decodeHigh(bytes, WINDOWS_1258_HIGH, 0x80).normalize('NFC');
    default: return undefined;
  }
}

/** Character → byte of a table's upper half; '\0' positions are left out. */
function reverse(high: string, first: number): Map<string, number> {
  const map = new Map<string, number>();
  [...high].forEach((ch, i) => {
    if (ch !== '\0' && !map.has(ch)) map.set(ch, first + i);
  });
  return map;
}

const TO_1258 = reverse(WINDOWS_1258_HIGH, 0x80);
const TO_TCVN3 = reverse(TCVN3_HIGH, 0xa0);
const TO_TCVN3_CAPITALS = reverse(TCVN3_CAPITALS_HIGH, 0xa0);

/** The đồng sign and what is printed where a table lacks it. */
export const DONG_SIGN = '₫';
export const DONG_FALLBACK = 'đ';

/**
 * Characters that are not ASCII nor in a table, printed as their nearest ASCII: the
 * punctuation that layouts and payers' names may carry.
 */
const ASCII_FALLBACK: Record<string, string> = {
  '‘': "'", '’': "'", '“': '"', '”': '"', '–': '-', '—': '-', '…': '...', '\u00a0': ' ',
};

const TONE_MARKS = ['\u0300', '\u0301', '\u0303', '\u0309', '\u0323'];

/**
 * One character in Windows-1258 as Microsoft's conversion does it: the precomposed byte when
 * the table has the letter (á = E1), else the letter decomposed (NFD) into its base, which
 * is recomposed when the table has it (â, ơ, ư), and the combining tone mark (ấ = E2 EC).
 */
function encode1258Char(ch: string): number[] | undefined {
  const code = ch.charCodeAt(0);
  if (ch.length === 1 && code < 0x80) return [code];
  const direct = TO_1258.get(ch);
  if (direct !== undefined) return [direct];
  // NFD puts the dot below before a breve or circumflex (ặ = a, U+0323, U+0306), so the
  // tone is looked for among the marks rather than taken as the last one.
  const parts = [...ch.normalize('NFD')];
  const at = parts.findIndex((p) => TONE_MARKS.includes(p));
  if (at < 1) return undefined;
  const [mark] = parts.splice(at, 1) as [string];
  const base = parts.join('').normalize('NFC');
  const baseBytes = base.length === 1 && base.charCodeAt(0) < 0x80 ? base.charCodeAt(0)
    : TO_1258.get(base);
  const markByte = TO_1258.get(mark);
  if (baseBytes === undefined || markByte === undefined) return undefined;
  return [baseBytes, markByte];
}

/** Bytes for text on a code page, with any ESC t switches it needs; the page in force after. */
export interface EncodedText {
  bytes: Buffer;
  codePage: number;
  /** Characters the table cannot show, printed as '?'. */
  missing: string[];
}

/** Text in Windows-1258 (Epson table 52). */
export function encodeWindows1258(text: string): EncodedText {
  const out: number[] = [];
  const missing: string[] = [];
  for (const ch of text.normalize('NFC')) {
    const bytes = encode1258Char(ch) ?? fallback(ch, missing);
    out.push(...bytes);
  }
  return { bytes: Buffer.from(out), codePage: CODE_PAGE_WPC1258, missing };
}

function fallback(ch: string, missing: string[]): number[] {
  const ascii = ASCII_FALLBACK[ch];
  if (ascii !== undefined) return [...ascii].map((c) => c.charCodeAt(0));
  missing.push(ch);
  return [0x3f];
}

const ESC = 0x1b;

/**
 * Text in TCVN-3, starting on table `from` (30 or 31). Lowercase Vietnamese letters are in
 * table 30, capitals in 31, ASCII in both: the table switches (ESC t) only where the next
 * character is not in the one in force. The đồng sign, which VN3 lacks, prints as "đ".
 */
export function encodeTcvn3(text: string, from = CODE_PAGE_TCVN3): EncodedText {
  const out: number[] = [];
  const missing: string[] = [];
  let page = from;
  for (const raw of text.normalize('NFC')) {
    const ch = raw === DONG_SIGN ? DONG_FALLBACK : raw;
    const code = ch.charCodeAt(0);
    if (ch.length === 1 && code < 0x80) {
      out.push(code);
      continue;
    }
    const lower = TO_TCVN3.get(ch);
    const upper = TO_TCVN3_CAPITALS.get(ch);
    const inForce = page === CODE_PAGE_TCVN3 ? lower : upper;
    if (inForce !== undefined) out.push(inForce);
    else if (lower !== undefined || upper !== undefined) {
      page = lower !== undefined ? CODE_PAGE_TCVN3 : CODE_PAGE_TCVN3_CAPITALS;
      out.push(ESC, 0x74, page, (lower ?? upper)!);
    } else out.push(...fallback(ch, missing));
  }
  return { bytes: Buffer.from(out), codePage: page, missing };
}

/** The 134 Vietnamese letters outside ASCII: 67 lowercase, then their 67 capitals. */
export function vietnameseLetters(): string[] {
  const bases = ['a', 'ă', 'â', 'e', 'ê', 'i', 'o', 'ô', 'ơ', 'u', 'ư', 'y'];
  const tones = ['', '\u0300', '\u0301', '\u0309', '\u0303', '\u0323'];
  const lower = bases.flatMap((b) => tones.map((t) => (b + t).normalize('NFC')))
    .filter((ch) => ch.charCodeAt(0) >= 0x80);
  lower.push('đ');
  return [...lower, ...lower.map((ch) => ch.toUpperCase())];
}
