import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { previewQrReceipt } from '../../src/receipt/preview';
import { qrReceiptLines, qrSlipLines } from '../../src/receipt/qr-layout';
import {
  QR_RECEIPT_KINDS, sampleQrReceiptData, sampleQrSlipData, type QrReceiptKind,
} from '../../src/receipt/samples';

const run = promisify(execFile);
const INSTALL = 'apt-get install -y tesseract-ocr tesseract-ocr-vie';

/** Spaces dropped (tesseract guesses their width), the đồng sign read as its letter đ. */
const normalise = (s: string): string =>
  s.normalize('NFC').replaceAll('₫', 'đ').replace(/\s+/g, '');

/** Every text line and "label value" pair a reader of the raster paper should find. */
function expectedLines(kind: QrReceiptKind): string[] {
  const lines = kind === 'qr-slip' ? qrSlipLines(sampleQrSlipData(), 32)
    : qrReceiptLines(sampleQrReceiptData(), 32);
  return lines.flatMap((l) => {
    if (l.kind === 'text') return [normalise(l.text)];
    if (l.kind === 'pair') return [normalise(`${l.label} ${l.value}`)];
    return [];
  });
}

describe('OCR of the raster QR paper (tesseract, Vietnamese)', () => {
  const read = new Map<QrReceiptKind, string[]>();

  beforeAll(async () => {
    let langs: string;
    try {
      langs = execFileSync('tesseract', ['--list-langs'], { encoding: 'utf8' });
    } catch {
      throw new Error(`tesseract is not installed; run: ${INSTALL}`);
    }
    // A skipped OCR check would pass unseen: a missing model fails with the install line.
    if (!/^vie$/m.test(langs)) throw new Error(`no Vietnamese model; run: ${INSTALL}`);
    const dir = mkdtempSync(join(tmpdir(), 'quay-qr-ocr-'));
    await Promise.all(QR_RECEIPT_KINDS.map(async (kind) => {
      const path = join(dir, `${kind}.png`);
      writeFileSync(path, previewQrReceipt(kind).png);
      // Automatic layout and one uniform block, the two readings ocr.test.ts takes at 1x.
      read.set(kind, await Promise.all([3, 6].map(async (psm) => (await run('tesseract',
        [path, '-', '-l', 'vie', '--psm', String(psm)],
        { env: { ...process.env, OMP_THREAD_LIMIT: '1' } })).stdout)));
    }));
  }, 120_000);

  it.each(QR_RECEIPT_KINDS)('finds every line of the %s, diacritics included', (kind) => {
    const texts = read.get(kind)!.map(normalise);
    const missing = expectedLines(kind).filter((l) => !texts.some((t) => t.includes(l)));
    expect(missing, `tesseract read:\n${read.get(kind)![0]}`).toEqual([]);
  });
});
