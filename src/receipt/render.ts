import { bandRows } from './bands';
import {
  cut, feedLines, initialize, rasterBands, selectCodePage, type MonoBitmap,
} from './escpos';
import { receiptLines } from './layout';
import { qrReceiptLines, qrSlipLines } from './qr-layout';
import { reportLines } from './report';
import { rasterizeLines } from './raster';
import { textJob } from './text-mode';
import type {
  BatchTotals, PrinterProfile, QrReceiptData, QrSlipData, ReceiptData, ReceiptLine,
} from './types';

export { bandRows, MAX_BAND_ROWS, MIN_BAND_ROWS, RASTER_BAND_BYTES } from './bands';

/**
 * Lines fed after the image, so the last line clears the tear bar (about 15 mm at the
 * default 1/6-inch line spacing) before the paper is torn or cut.
 */
export const TRAILING_FEED_LINES = 4;

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
 * The job for laid-out lines in the profile's mode. Raster mode (the default) works on any
 * ESC/POS printer whatever its code pages: the lines are drawn with DejaVu Sans and sent as
 * GS v 0 bands. Text mode sends the characters in the profile's Vietnamese code page.
 */
export function renderLines(lines: ReceiptLine[], profile: PrinterProfile): Buffer {
  checkProfile(profile);
  if (profile.mode === 'text') return textJob(lines, profile, TRAILING_FEED_LINES);
  return rasterJob(rasterizeLines(lines, profile), profile);
}

/** Renders a payment, void or refund receipt for a printer profile. */
export function renderReceipt(data: ReceiptData, profile: PrinterProfile):
  { escpos: Buffer; lines: ReceiptLine[] } {
  checkProfile(profile);
  const lines = receiptLines(data, profile.columns);
  return { escpos: renderLines(lines, profile), lines };
}

/** Renders an X or Z end-of-day report for a printer profile. */
export function renderReport(totals: BatchTotals, profile: PrinterProfile):
  { escpos: Buffer; lines: ReceiptLine[] } {
  checkProfile(profile);
  const lines = reportLines(totals, profile.columns);
  return { escpos: renderLines(lines, profile), lines };
}

/** Renders the VietQR code slip of a waiting QR payment for a printer profile. */
export function renderQrSlip(data: QrSlipData, profile: PrinterProfile):
  { escpos: Buffer; lines: ReceiptLine[] } {
  checkProfile(profile);
  const lines = qrSlipLines(data, profile.columns);
  return { escpos: renderLines(lines, profile), lines };
}

/** Renders the receipt of a QR payment the bank confirmed for a printer profile. */
export function renderQrReceipt(data: QrReceiptData, profile: PrinterProfile):
  { escpos: Buffer; lines: ReceiptLine[] } {
  checkProfile(profile);
  const lines = qrReceiptLines(data, profile.columns);
  return { escpos: renderLines(lines, profile), lines };
}
