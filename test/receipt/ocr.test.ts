import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { beforeAll, describe, expect, it } from 'vitest';
import { receiptLines } from '../../src/receipt/layout';
import { previewReceipt } from '../../src/receipt/preview';
import { reportLines } from '../../src/receipt/report';
import {
  RECEIPT_KINDS, sampleBatchTotals, sampleReceiptData, type ReceiptKind,
} from '../../src/receipt/samples';
import { PROFILE_58MM, type ReceiptLine } from '../../src/receipt/types';

const run = promisify(execFile);
const INSTALL = 'apt-get install -y tesseract-ocr tesseract-ocr-vie';

/**
 * Fails with the install line when tesseract or its Vietnamese model is missing: CI installs
 * them, and a skipped OCR check would pass unseen.
 */
function requireTesseract(): void {
  let langs: string;
  try {
    langs = execFileSync('tesseract', ['--list-langs'], { encoding: 'utf8' });
  } catch {
    throw new Error(`tesseract is not installed; run: ${INSTALL}`);
  }
  if (!/^vie$/m.test(langs)) throw new Error(`tesseract has no Vietnamese model; run: ${INSTALL}`);
}

/**
 * Drops whitespace, whose width tesseract guesses ("0 ₫" comes back as "0đ"); the đồng sign
 * (an underlined đ) is read as "đ". Every other character, tone marks included, must match.
 */
const normalise = (s: string): string =>
  s.normalize('NFC').replaceAll('₫', 'đ').replace(/\s+/g, '');

function lines(kind: ReceiptKind): ReceiptLine[] {
  if (kind === 'x-report' || kind === 'z-report') {
    return reportLines(sampleBatchTotals(kind === 'x-report' ? 'X' : 'Z'), 32);
  }
  return receiptLines(sampleReceiptData(kind), 32);
}

/**
 * Every line a reader should find, pairs as "label value". The masked card number is left
 * out: tesseract's Vietnamese model reads neither the asterisks nor the digits after them
 * ("*‡*‡* ++#++t ++++' Q11"); text mode and layout.test check that line exactly.
 */
function expectedLines(kind: ReceiptKind): string[] {
  return lines(kind).flatMap((l) => {
    if (l.kind === 'text') return [normalise(l.text)];
    if (l.kind === 'pair' && !l.value.startsWith('****')) {
      return [normalise(`${l.label} ${l.value}`)];
    }
    return [];
  });
}

/** Tesseract's text for a PNG with a page segmentation mode; one thread, as CI runners have. */
async function ocr(path: string, psm: number): Promise<string> {
  const { stdout } = await run('tesseract', [path, '-', '-l', 'vie', '--psm', String(psm)], {
    env: { ...process.env, OMP_THREAD_LIMIT: '1' },
  });
  return stdout;
}

/** The page twice as large, each dot a 2×2 block (no smoothing, so no grey). */
async function scale2x(png: Buffer): Promise<Buffer> {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width * 2, image.height * 2);
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(image, 0, 0, image.width * 2, image.height * 2);
  return canvas.toBuffer('image/png');
}

describe('OCR of raster receipts (tesseract, Vietnamese)', () => {
  /** Per kind: tesseract's automatic layout and single-block readings, and the 2x page's. */
  const read = new Map<ReceiptKind, string[]>();

  beforeAll(async () => {
    requireTesseract();
    const dir = mkdtempSync(join(tmpdir(), 'quay-ocr-'));
    await Promise.all(RECEIPT_KINDS.map(async (kind) => {
      const { png } = previewReceipt(kind, { profile: PROFILE_58MM });
      const path = join(dir, `${kind}.png`);
      const path2x = join(dir, `${kind}-2x.png`);
      writeFileSync(path, png);
      writeFileSync(path2x, await scale2x(png));
      read.set(kind, await Promise.all([ocr(path, 3), ocr(path, 6), ocr(path2x, 3)]));
    }));
  }, 120_000);

  it.each(RECEIPT_KINDS)('finds every line of the %s receipt, diacritics included', (kind) => {
    const readings = read.get(kind)!;
    // No one reading gets every line: at 1x the automatic layout reads the bold "SỐ TIỀN" as
    // "SỐ TIẾN" (the single block gets it), both read "Hủy 0" as "Hủy 9" (the 2x page gets
    // it), and the 2x page reads "29" as "28". A line counts as found when a reading has it
    // whole, with every tone mark.
    const texts = readings.map(normalise);
    const missing = expectedLines(kind).filter((l) => !texts.some((t) => t.includes(l)));
    expect(missing, `tesseract read:\n${readings[0]}`).toEqual([]);
  });
});
