import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { previewQrReceipt } from '../../src/receipt/preview';
import { QR_RECEIPT_KINDS } from '../../src/receipt/samples';
import { PROFILE_58MM, type PrinterProfile } from '../../src/receipt/types';

/**
 * Golden images of the QR code slip and the paid QR receipt, looked at by a person before
 * they were kept (assets/receipts/qr-*.png). QUAY_UPDATE_GOLDEN=1 writes them again after an
 * intended change; look at them again then.
 */
const DIR = join(import.meta.dirname, '..', '..', 'assets', 'receipts');
const UPDATE = process.env.QUAY_UPDATE_GOLDEN === '1';

const MODES: { name: string; profile: PrinterProfile }[] = [
  { name: 'raster', profile: PROFILE_58MM },
  { name: 'text-wpc1258', profile: { ...PROFILE_58MM, mode: 'text', codePage: 52 } },
  { name: 'text-tcvn3', profile: { ...PROFILE_58MM, mode: 'text', codePage: 30,
    qrCommand: true } },
];

/** Pixels that differ, or why the two images cannot be compared. */
function differingPixels(actual: Buffer, golden: Buffer): number | string {
  const a = PNG.sync.read(actual);
  const g = PNG.sync.read(golden);
  if (a.width !== g.width || a.height !== g.height) {
    return `size ${a.width}×${a.height}, golden ${g.width}×${g.height}`;
  }
  let count = 0;
  for (let i = 0; i < a.data.length; i += 4) if (a.data[i] !== g.data[i]) count++;
  return count;
}

describe.each(MODES)('golden QR paper, 58 mm $name', ({ name, profile }) => {
  it.each(QR_RECEIPT_KINDS)('draws the %s pixel for pixel as kept', (kind) => {
    const { png } = previewQrReceipt(kind, { profile });
    const path = join(DIR, `${kind}-58mm-${name}.png`);
    if (UPDATE) {
      mkdirSync(DIR, { recursive: true });
      writeFileSync(path, png);
    }
    if (!existsSync(path)) {
      throw new Error(`no golden image ${path}: run with QUAY_UPDATE_GOLDEN=1 and look at it`);
    }
    expect(differingPixels(png, readFileSync(path)), path).toBe(0);
  });
});
