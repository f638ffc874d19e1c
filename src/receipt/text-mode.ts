import { bandRows } from './bands';
import {
  CODE_PAGE_TCVN3, CODE_PAGE_WPC1258, encodeTcvn3, encodeWindows1258,
} from './code-pages';
import {
  characterSize, cut, emphasis, feedLines, initialize, justify, lineFeed, qrCode, rasterBands,
  selectCodePage,
} from './escpos';
import { textLength } from './layout';
import { qrBitmap, qrMatrix, qrModuleDots, QR_MODULE_DOTS } from './qr';
import type { PrinterProfile, ReceiptLine } from './types';

/** Code pages text mode can print Vietnamese with. */
export const TEXT_CODE_PAGES = [CODE_PAGE_WPC1258, CODE_PAGE_TCVN3] as const;

const RULE_CHARS = { single: '-', double: '=', dotted: '.' } as const;

/**
 * Turns text into bytes for one code page family, remembering the table in force: TCVN-3
 * switches between tables 30 and 31 inside a line, and the next line starts where it ended.
 */
class LineEncoder {
  private page: number;

  constructor(private readonly family: number) {
    this.page = family;
  }

  encode(text: string): Buffer {
    if (this.family === CODE_PAGE_WPC1258) return encodeWindows1258(text).bytes;
    const encoded = encodeTcvn3(text, this.page);
    this.page = encoded.codePage;
    return encoded.bytes;
  }
}

/** Font A, the power-on font after ESC @, is 12 dots a character. */
const FONT_A_DOTS = 12;

function checkTextProfile(profile: PrinterProfile): number {
  const fontA = profile.widthDots / FONT_A_DOTS;
  if (profile.columns !== fontA) {
    throw new RangeError(`text mode prints font A, ${fontA} columns on ${profile.widthDots} `
      + `dots; got ${profile.columns}`);
  }
  const page = profile.codePage ?? CODE_PAGE_WPC1258;
  if (!(TEXT_CODE_PAGES as readonly number[]).includes(page)) {
    throw new RangeError(`text mode prints Vietnamese on code page 52 or 30, got ${page}`);
  }
  return page;
}

function textLine(line: Extract<ReceiptLine, { kind: 'text' }>, enc: LineEncoder): Buffer[] {
  const double = line.size === 'double';
  return [
    justify(line.align),
    ...(line.bold ? [emphasis(true)] : []),
    ...(double ? [characterSize(2, 2)] : []),
    enc.encode(line.text),
    lineFeed(),
    ...(double ? [characterSize(1, 1)] : []),
    ...(line.bold ? [emphasis(false)] : []),
  ];
}

/** Label at the left margin, value at the right, padded with spaces to the column count. */
function pairLine(line: Extract<ReceiptLine, { kind: 'pair' }>, columns: number,
  enc: LineEncoder): Buffer[] {
  const gap = Math.max(1, columns - textLength(line.label) - textLength(line.value));
  const textBytes = enc.encode(`${line.label}${' '.repeat(gap)}${line.value}`);
  const body = [justify('left'), textBytes, lineFeed()];
  return line.bold ? [emphasis(true), ...body, emphasis(false)] : body;
}

/** GS ( k where the printer has it, else the symbol as a raster image of the paper width. */
function qrLine(line: Extract<ReceiptLine, { kind: 'qr' }>, profile: PrinterProfile): Buffer[] {
  const data = Buffer.from(line.data, 'utf8');
  const level = line.level ?? 'M';
  const matrix = qrMatrix(data, level);
  const dots = qrModuleDots(matrix.size, profile.widthDots, QR_MODULE_DOTS);
  if (profile.qrCommand) return [justify('center'), qrCode(data, dots, level), justify('left')];
  const image = qrBitmap(matrix, profile.widthDots, dots);
  return [justify('left'), ...rasterBands(image, bandRows(image.bytesPerRow))];
}

/**
 * The ESC/POS job for receipt lines in text mode: ESC @, ESC t with the profile's table,
 * then each line with its justification (ESC a), emphasis (ESC E) and size (GS !), the
 * printer's own font drawing the characters. Ends with a feed and, with a cutter, a cut.
 */
export function textJob(lines: ReceiptLine[], profile: PrinterProfile,
  trailingFeed: number): Buffer {
  const page = checkTextProfile(profile);
  const enc = new LineEncoder(page);
  const parts: Buffer[] = [initialize(), selectCodePage(page)];
  for (const line of lines) {
    if (line.kind === 'text') parts.push(...textLine(line, enc));
    else if (line.kind === 'pair') parts.push(...pairLine(line, profile.columns, enc));
    else if (line.kind === 'rule') {
      parts.push(justify('left'), enc.encode(RULE_CHARS[line.style].repeat(profile.columns)),
        lineFeed());
    } else if (line.kind === 'space') parts.push(feedLines(line.lines));
    else parts.push(...qrLine(line, profile));
  }
  parts.push(feedLines(trailingFeed));
  if (profile.cutter) parts.push(cut('partial', 0));
  return Buffer.concat(parts);
}
