import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { previewQrReceipt, previewReceipt } from '../../src/receipt/preview';
import { QR_RECEIPT_KINDS, RECEIPT_KINDS } from '../../src/receipt/samples';
import { PROFILE_58MM, type PrinterProfile } from '../../src/receipt/types';

/**
 * Golden images of every receipt kind, the VietQR code slip and paid receipt included, read
 * by a person before they were kept. Set QUAY_UPDATE_GOLDEN=1 to write them again after an
 * intended change, and look at them.
 */
const DIR = join(import.meta.dirname, '..', '..', 'assets', 'receipts');
const UPDATE = process.env.QUAY_UPDATE_GOLDEN === '1';

const MODES: { name: string; profile: PrinterProfile }[] = [
  { name: 'raster', profile: PROFILE_58MM },
  { name: 'text-wpc1258', profile: { ...PROFILE_58MM, mode: 'text', codePage: 52 } },
  { name: 'text-tcvn3', profile: { ...PROFILE_58MM, mode: 'text', codePage: 30,
    qrCommand: true } },
];

/** How many pixels differ, or why the images cannot be compared. */
function difference(actual: Buffer, golden: Buffer): number | string {
  const a = PNG.sync.read(actual);
  const g = PNG.sync.read(golden);
  if (a.width !== g.width || a.height !== g.height) {
    return `size ${a.width}×${a.height}, golden ${g.width}×${g.height}`;
  }
  let differing = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    if (a.data[i] !== g.data[i]) differing++;
  }
  return differing;
}

/** Compares `png` with the golden image of `kind` in mode `name` (or writes it). */
function expectGolden(png: Buffer, kind: string, name: string): void {
  const path = join(DIR, `${kind}-58mm-${name}.png`);
  if (UPDATE) {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(path, png);
  }
  if (!existsSync(path)) {
    throw new Error(`no golden image ${path}: run with QUAY_UPDATE_GOLDEN=1 and look at it`);
  }
  expect(difference(png, readFileSync(path)), path).toBe(0);
}

describe.each(MODES)('golden receipts, 58 mm $name', ({ name, profile }) => {
  it.each(RECEIPT_KINDS)('draws the %s receipt pixel for pixel as kept', (kind) => {
    expectGolden(previewReceipt(kind, { profile }).png, kind, name);
  });

  it.each(QR_RECEIPT_KINDS)('draws the %s paper pixel for pixel as kept', (kind) => {
    expectGolden(previewQrReceipt(kind, { profile }).png, kind, name);
  });
});
