import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { pageToPng, renderPage } from '../../drivers/printer/page-render';
import { qrCode } from '../../src/receipt/escpos';
import { parseEscPos } from '../../src/receipt/escpos-parse';
import { previewReceipt } from '../../src/receipt/preview';
import { renderReceipt } from '../../src/receipt/render';
import { sampleReceiptData } from '../../src/receipt/samples';
import { PROFILE_58MM, PROFILE_80MM, type PrinterProfile } from '../../src/receipt/types';

const hex = (b: Buffer): string => b.toString('hex').toUpperCase();
const PAYLOAD = 'https://dichvucong.gov.vn/tra-cuu?hs=HS-000.00.12.H29-250305-0042';

/** Reads a QR code back from a PNG the way a phone would. */
function readQr(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  const rgba = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length);
  return jsQR(rgba, image.width, image.height)?.data;
}

describe('GS ( k QR functions', () => {
  it('builds model 2, module size, error correction, store and print', () => {
    // Epson functions 165, 167, 169, 180 (pL pH = 3 + 3 data bytes), 181.
    expect(hex(qrCode(Buffer.from('ABC'), 6, 'M'))).toBe(
      '1D286B0400314132001D286B03003143061D286B03003145311D286B0600315030414243'
      + '1D286B0300315130');
  });

  it('parses back into its five functions with their parameters', () => {
    const ops = parseEscPos(qrCode(Buffer.from('ABC'), 6, 'H'));
    expect(ops.map((c) => (c.op === 'qr' ? [c.fn, hex(c.params)] : c.op))).toEqual([
      [0x41, '3200'], [0x43, '06'], [0x45, '33'], [0x50, '30414243'], [0x51, '30'],
    ]);
  });

  it('uses a two-byte length for data over 255 bytes', () => {
    const bytes = qrCode(Buffer.alloc(300, 0x41), 4, 'L');
    const store = bytes.indexOf(Buffer.from([0x31, 0x50, 0x30])) - 5;
    expect(hex(bytes.subarray(store, store + 5))).toBe('1D286B2F01');
  });

  it('refuses a module size the printer does not have', () => {
    expect(() => qrCode(Buffer.from('A'), 17, 'M')).toThrow(/module size/);
  });
});

describe('QR codes on receipts, read back with jsQR', () => {
  it('reads the QR of a raster receipt', () => {
    expect(readQr(previewReceipt('approved').png)).toBe(PAYLOAD);
  });

  it('sends GS ( k where the printer has it, and the decoder draws it', () => {
    const profile: PrinterProfile = { ...PROFILE_58MM, mode: 'text', codePage: 52,
      qrCommand: true };
    const { escpos } = renderReceipt(sampleReceiptData('approved'), profile);
    const ops = parseEscPos(escpos);
    expect(ops.filter((c) => c.op === 'qr').map((c) => c.op === 'qr' && c.fn))
      .toEqual([0x41, 0x43, 0x45, 0x50, 0x51]);
    expect(ops.some((c) => c.op === 'raster')).toBe(false);
    const page = renderPage(ops, profile.widthDots);
    expect(page.problems).toEqual([]);
    expect(readQr(pageToPng(page))).toBe(PAYLOAD);
  });

  it('sends an image in text mode where the printer lacks GS ( k', () => {
    const profile: PrinterProfile = { ...PROFILE_80MM, mode: 'text', codePage: 30 };
    const { escpos } = renderReceipt(sampleReceiptData('approved'), profile);
    const ops = parseEscPos(escpos);
    expect(ops.some((c) => c.op === 'qr')).toBe(false);
    // 4 KiB bands, as raster receipts: 56 rows of 72 bytes on 80 mm.
    const bands = ops.filter((c) => c.op === 'raster');
    expect(bands.length).toBeGreaterThan(1);
    expect(bands.every((b) => b.op === 'raster' && b.rows <= 56)).toBe(true);
    expect(readQr(pageToPng(renderPage(ops, 576)))).toBe(PAYLOAD);
  });
});
