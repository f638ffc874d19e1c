/**
 * ESC/POS command builders. Each returns the exact bytes of one command as defined in Epson's
 * ESC/POS command reference; the byte layout is written above each function.
 */

const ESC = 0x1b;
const GS = 0x1d;
const DLE = 0x10;
const EOT = 0x04;
const LF = 0x0a;

function byteArg(name: string, n: number, min = 0, max = 255): number {
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new RangeError(`${name} must be an integer in ${min}..${max}, got ${n}`);
  }
  return n;
}

/** ESC @ — 1B 40: clears the print buffer and restores the power-on settings. */
export function initialize(): Buffer {
  return Buffer.from([ESC, 0x40]);
}

/** ESC t n — 1B 74 n: selects character code table n (0 = PC437, 16 = WPC1252 on Epson). */
export function selectCodePage(n: number): Buffer {
  return Buffer.from([ESC, 0x74, byteArg('code page', n)]);
}

const ALIGN_CODES = { left: 0, center: 1, right: 2 } as const;

/** ESC a n — 1B 61 n: justification, n = 0 left, 1 centre, 2 right. */
export function justify(align: keyof typeof ALIGN_CODES): Buffer {
  return Buffer.from([ESC, 0x61, ALIGN_CODES[align]]);
}

/** ESC E n — 1B 45 n: emphasised (bold) on when the low bit of n is 1. */
export function emphasis(on: boolean): Buffer {
  return Buffer.from([ESC, 0x45, on ? 1 : 0]);
}

/**
 * GS ! n — 1D 21 n: character size. Bits 4–6 hold the width multiple − 1, bits 0–2 the
 * height multiple − 1 (1..8 each).
 */
export function characterSize(width: number, height: number): Buffer {
  const w = byteArg('width', width, 1, 8) - 1;
  const h = byteArg('height', height, 1, 8) - 1;
  return Buffer.from([GS, 0x21, (w << 4) | h]);
}

/** LF — 0A: prints the line buffer and feeds one line. */
export function lineFeed(): Buffer {
  return Buffer.from([LF]);
}

/** ESC d n — 1B 64 n: prints the buffer and feeds n lines. */
export function feedLines(n: number): Buffer {
  return Buffer.from([ESC, 0x64, byteArg('lines', n)]);
}

/**
 * GS v 0 m xL xH yL yH d1…dk — 1D 76 30 m xL xH yL yH: prints a raster bit image.
 * x = xL + xH×256 bytes per row (8 dots each, most significant bit leftmost, 1 = print),
 * y = yL + yH×256 rows, k = x×y data bytes. m = 0 normal, 1 double width, 2 double height,
 * 3 quadruple.
 */
export function rasterImage(bytesPerRow: number, rows: number, data: Buffer, mode = 0): Buffer {
  byteArg('mode', mode, 0, 3);
  byteArg('bytes per row', bytesPerRow, 1, 0xffff);
  byteArg('rows', rows, 1, 0xffff);
  if (data.length !== bytesPerRow * rows) {
    throw new RangeError(`raster data is ${data.length} bytes, expected ${bytesPerRow * rows}`);
  }
  const header = Buffer.from([
    GS, 0x76, 0x30, mode, bytesPerRow & 0xff, bytesPerRow >> 8, rows & 0xff, rows >> 8,
  ]);
  return Buffer.concat([header, data]);
}

/**
 * GS V — paper cut.
 * Without feed: GS V m — 1D 56 00 (full cut) or 1D 56 01 (partial cut), at the current position.
 * With feed n: GS V m n — 1D 56 41 n (full) or 1D 56 42 n (partial): feeds the paper to the
 * cutting position plus n motion units, then cuts, so the last printed line is not cut through.
 */
export function cut(kind: 'full' | 'partial', feed?: number): Buffer {
  if (feed === undefined) return Buffer.from([GS, 0x56, kind === 'full' ? 0x00 : 0x01]);
  return Buffer.from([GS, 0x56, kind === 'full' ? 0x41 : 0x42, byteArg('feed', feed)]);
}

/** QR error correction levels and their GS ( k function 169 values (48 L … 51 H). */
export const QR_ERROR_CORRECTION = { L: 48, M: 49, Q: 50, H: 51 } as const;
export type QrErrorCorrection = keyof typeof QR_ERROR_CORRECTION;

/** GS ( k pL pH cn fn [params]: pL + pH×256 counts cn, fn and the parameters; cn 49 is QR. */
function qrFunction(fn: number, params: Buffer): Buffer {
  const length = params.length + 2;
  byteArg('QR function length', length, 2, 0xffff);
  return Buffer.concat([Buffer.from([GS, 0x28, 0x6b, length & 0xff, length >> 8, 0x31, fn]),
    params]);
}

/**
 * A QR code by Epson's GS ( k functions: 165 selects model 2 (1D 28 6B 04 00 31 41 32 00),
 * 167 the module size in dots (… 31 43 n, 1–16), 169 the error correction (… 31 45 n),
 * 180 stores the data (1D 28 6B pL pH 31 50 30 d1…dk, pL + pH×256 = k + 3) and 181 prints
 * it (1D 28 6B 03 00 31 51 30). The printer picks the QR version from the data.
 */
export function qrCode(data: Buffer, moduleDots: number, level: QrErrorCorrection): Buffer {
  byteArg('QR module size', moduleDots, 1, 16);
  byteArg('QR data length', data.length, 1, 7089);
  return Buffer.concat([
    qrFunction(0x41, Buffer.from([0x32, 0x00])),
    qrFunction(0x43, Buffer.from([moduleDots])),
    qrFunction(0x45, Buffer.from([QR_ERROR_CORRECTION[level]])),
    qrFunction(0x50, Buffer.concat([Buffer.from([0x30]), data])),
    qrFunction(0x51, Buffer.from([0x30])),
  ]);
}

/**
 * DLE EOT n — 10 04 n: real-time status. The printer answers one byte at once, even while
 * offline: n = 1 printer, 2 offline cause, 3 error cause, 4 roll paper sensor.
 */
export function realtimeStatus(n: 1 | 2 | 3 | 4): Buffer {
  return Buffer.from([DLE, EOT, n]);
}

/** A 1-bit image: rows of bytesPerRow bytes, most significant bit leftmost, 1 = black dot. */
export interface MonoBitmap {
  width: number;
  height: number;
  bytesPerRow: number;
  data: Buffer;
}

/**
 * Splits an image into GS v 0 commands of at most bandRows rows each. Printers buffer a
 * whole GS v 0 image before printing it, so a band must fit their receive buffer.
 */
export function rasterBands(image: MonoBitmap, bandRows: number): Buffer[] {
  byteArg('band rows', bandRows, 1, 0xffff);
  const bands: Buffer[] = [];
  for (let top = 0; top < image.height; top += bandRows) {
    const rows = Math.min(bandRows, image.height - top);
    const start = top * image.bytesPerRow;
    const data = image.data.subarray(start, start + rows * image.bytesPerRow);
    bands.push(rasterImage(image.bytesPerRow, rows, data));
  }
  return bands;
}
