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

/** Rows per band: 85 at 384 dots (48 bytes a row), 56 at 576 dots (72 bytes a row). */
export function bandRows(bytesPerRow: number): number {
  const rows = Math.floor(RASTER_BAND_BYTES / bytesPerRow);
  return Math.min(MAX_BAND_ROWS, Math.max(MIN_BAND_ROWS, rows));
}
