import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import type { MonoBitmap } from './escpos';
import { receiptFont } from './font';
import { qrBitmap, qrMatrix, qrModuleDots } from './qr';
import type { PrinterProfile, ReceiptLine } from './types';

/** Dots kept blank at each side, so antialiased edges do not fall off the head. */
const MARGIN = 4;
/**
 * Grey level (0–255) below which a pixel prints. Text is drawn antialiased, and DejaVu Sans
 * flattens the marks over capitals: at mid-grey the circumflex of Ê and the acute of Á lose
 * their middle. Checked by eye at 128–235: from 180 up every mark is whole; 190 keeps the
 * regular weight from thickening.
 */
const INK_THRESHOLD = 190;

interface Metrics {
  fontPx: number;
  lineHeight: number;
  baseline: number;
}

/**
 * One column of the layout is widthDots / columns dots (12 for 384/32 and 576/48, like the
 * printers' font A). DejaVu Sans at 1.7 cells (20 px) still fits a line of mixed text in its
 * columns, and is the smallest size at which the marks over capitals (Á, Ê) are more than
 * two or three dots; a line that measures wider than the paper is drawn smaller. Lines are
 * 1.45 em apart so that the stacked marks of capitals such as Ề and Ặ clear the line above.
 */
function metrics(profile: PrinterProfile, scale: number): Metrics {
  const fontPx = Math.round((profile.widthDots / profile.columns) * 1.7 * scale);
  const lineHeight = Math.round(fontPx * 1.45);
  return { fontPx, lineHeight, baseline: lineHeight - Math.round(fontPx * 0.35) };
}

function lineHeight(line: ReceiptLine, profile: PrinterProfile): number {
  const m = metrics(profile, 1);
  switch (line.kind) {
    case 'text':
      return line.size === 'double' ? m.lineHeight * 2 : m.lineHeight;
    case 'pair':
      return m.lineHeight;
    case 'rule':
      return Math.round(m.lineHeight / 2);
    case 'space':
      return m.lineHeight * line.lines;
    case 'qr':
      return qrImage(line, profile).height;
  }
}

function qrImage(line: Extract<ReceiptLine, { kind: 'qr' }>, profile: PrinterProfile):
  MonoBitmap {
  const matrix = qrMatrix(Buffer.from(line.data, 'utf8'), line.level);
  return qrBitmap(matrix, profile.widthDots, qrModuleDots(matrix.size, profile.widthDots));
}

/** Draws a 1-bit image's dark dots at `top`. */
function drawBitmap(ctx: SKRSContext2D, image: MonoBitmap, top: number): void {
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const byte = image.data[y * image.bytesPerRow + (x >> 3)] ?? 0;
      if (byte & (0x80 >> (x & 7))) ctx.fillRect(x, top + y, 1, 1);
    }
  }
}

/** Sets the font, shrunk until `text` fits `room` dots; returns the text's width. */
function fitFont(ctx: SKRSContext2D, text: string, px: number, bold: boolean,
  room: number): number {
  let size = px;
  ctx.font = receiptFont(size, bold);
  let width = ctx.measureText(text).width;
  while (width > room && size > 8) {
    size = Math.max(8, Math.floor((size * room) / width));
    ctx.font = receiptFont(size, bold);
    width = ctx.measureText(text).width;
    if (width > room) size -= 1;
  }
  return width;
}

function drawText(ctx: SKRSContext2D, line: Extract<ReceiptLine, { kind: 'text' }>,
  profile: PrinterProfile, top: number): void {
  const m = metrics(profile, line.size === 'double' ? 2 : 1);
  const room = profile.widthDots - 2 * MARGIN;
  const width = fitFont(ctx, line.text, m.fontPx, line.bold ?? false, room);
  const x = line.align === 'left' ? MARGIN
    : line.align === 'right' ? profile.widthDots - MARGIN - width
      : (profile.widthDots - width) / 2;
  ctx.fillText(line.text, x, top + m.baseline);
}

function drawPair(ctx: SKRSContext2D, line: Extract<ReceiptLine, { kind: 'pair' }>,
  profile: PrinterProfile, top: number): void {
  const m = metrics(profile, 1);
  const room = profile.widthDots - 2 * MARGIN;
  const joined = `${line.label}  ${line.value}`;
  fitFont(ctx, joined, m.fontPx, line.bold ?? false, room);
  ctx.fillText(line.label, MARGIN, top + m.baseline);
  const valueWidth = ctx.measureText(line.value).width;
  ctx.fillText(line.value, profile.widthDots - MARGIN - valueWidth, top + m.baseline);
}

function drawRule(ctx: SKRSContext2D, line: Extract<ReceiptLine, { kind: 'rule' }>,
  profile: PrinterProfile, top: number, height: number): void {
  const middle = top + Math.floor(height / 2);
  const right = profile.widthDots - MARGIN;
  if (line.style === 'double') {
    ctx.fillRect(MARGIN, middle - 3, right - MARGIN, 2);
    ctx.fillRect(MARGIN, middle + 1, right - MARGIN, 2);
    return;
  }
  const [dash, step] = line.style === 'dotted' ? [2, 5] : [6, 10];
  for (let x = MARGIN; x < right; x += step) {
    ctx.fillRect(x, middle - 1, Math.min(dash, right - x), 2);
  }
}

/** Packs the canvas's grey levels into 1-bit rows: 1 = black dot, leftmost dot in bit 7. */
function threshold(rgba: Uint8ClampedArray, width: number, height: number): MonoBitmap {
  const bytesPerRow = Math.ceil(width / 8);
  const data = Buffer.alloc(bytesPerRow * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const grey = ((rgba[i] ?? 255) + (rgba[i + 1] ?? 255) + (rgba[i + 2] ?? 255)) / 3;
      if (grey < INK_THRESHOLD) data[y * bytesPerRow + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  return { width, height, bytesPerRow, data };
}

/** Draws receipt lines at the printer's width and returns the 1-bit image to send. */
export function rasterizeLines(lines: ReceiptLine[], profile: PrinterProfile): MonoBitmap {
  const width = profile.widthDots;
  const heights = lines.map((line) => lineHeight(line, profile));
  const height = Math.max(1, heights.reduce((a, b) => a + b, 0));
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#000000';
  ctx.textBaseline = 'alphabetic';

  let top = 0;
  lines.forEach((line, i) => {
    const h = heights[i] ?? 0;
    if (line.kind === 'text') drawText(ctx, line, profile, top);
    else if (line.kind === 'pair') drawPair(ctx, line, profile, top);
    else if (line.kind === 'rule') drawRule(ctx, line, profile, top, h);
    else if (line.kind === 'qr') drawBitmap(ctx, qrImage(line, profile), top);
    top += h;
  });
  return threshold(ctx.getImageData(0, 0, width, height).data, width, height);
}
