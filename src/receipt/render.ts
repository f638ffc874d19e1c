import {
  cut, feedLines, initialize, rasterBands, selectCodePage, type MonoBitmap,
} from './escpos';
import { receiptLines } from './layout';
import { rasterizeLines } from './raster';
import type { PrinterProfile, ReceiptData, ReceiptLine } from './types';

/**
 * Bytes of raster data per GS v 0 band. A printer takes a whole GS v 0 image into its receive
 * buffer before printing it; the low-cost 58 and 80 mm thermal printers sold with counter
 * PCs have buffers of a few kilobytes, and on a serial link without flow control an image
 * larger than the buffer overruns it. 4 KiB bands fit, and are large enough that the head
 * does not stop between bands.
 */
export const RASTER_BAND_BYTES = 4096;
/** One band of at least 24 rows (one line of font A), at most 255 (yH stays 0). */
export const MIN_BAND_ROWS = 24;
export const MAX_BAND_ROWS = 255;
/**
 * Lines fed after the image, so the last line clears the tear bar (about 15 mm at the
 * default 1/6-inch line spacing) before the paper is torn or cut.
 */
export const TRAILING_FEED_LINES = 4;

/** Rows per band: 85 at 384 dots (48 bytes a row), 56 at 576 dots (72 bytes a row). */
export function bandRows(bytesPerRow: number): number {
  const rows = Math.floor(RASTER_BAND_BYTES / bytesPerRow);
  return Math.min(MAX_BAND_ROWS, Math.max(MIN_BAND_ROWS, rows));
}

function checkProfile(profile: PrinterProfile): void {
  if (profile.widthDots !== 384 && profile.widthDots !== 576) {
    throw new RangeError(`printer width must be 384 or 576 dots, got ${profile.widthDots}`);
  }
  if (!Number.isInteger(profile.columns) || profile.columns < 16 || profile.columns > 64) {
    throw new RangeError(`printer columns must be 16..64, got ${profile.columns}`);
  }
}

/** The ESC/POS job for an image: reset, code page, bands, feed, and a cut if there is a cutter. */
export function rasterJob(image: MonoBitmap, profile: PrinterProfile): Buffer {
  const parts = [
    initialize(),
    selectCodePage(profile.codePage ?? 0),
    ...rasterBands(image, bandRows(image.bytesPerRow)),
    feedLines(TRAILING_FEED_LINES),
  ];
  if (profile.cutter) parts.push(cut('partial', 0));
  return Buffer.concat(parts);
}

/**
 * Renders a receipt in raster mode, which works on any ESC/POS printer whatever its code
 * pages: the lines are drawn with DejaVu Sans and sent as GS v 0 bands.
 */
export function renderReceipt(data: ReceiptData, profile: PrinterProfile):
  { escpos: Buffer; lines: ReceiptLine[] } {
  checkProfile(profile);
  const lines = receiptLines(data, profile.columns);
  const image = rasterizeLines(lines, profile);
  return { escpos: rasterJob(image, profile), lines };
}
