import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { renderPage } from '../../drivers/printer/page-render';
import { parseEscPos } from '../../src/receipt/escpos-parse';
import { previewReceipt } from '../../src/receipt/preview';
import { sampleReceiptData } from '../../src/receipt/samples';
import { PROFILE_80MM } from '../../src/receipt/types';

describe('previewReceipt', () => {
  it('gives the raster 58 mm job and its page by default', () => {
    const { png, escpos } = previewReceipt('declined');
    expect(escpos.subarray(0, 5).toString('hex')).toBe('1b401b7400');
    expect(parseEscPos(escpos).some((c) => c.op === 'raster')).toBe(true);
    const image = PNG.sync.read(png);
    expect(image.width).toBe(384);
    expect(image.height).toBeGreaterThan(1000);
  });

  it('renders a kind in English in text mode on 80 mm', () => {
    const profile = { ...PROFILE_80MM, mode: 'text' as const, codePage: 52 };
    const { png, escpos } = previewReceipt('z-report', { profile, language: 'en' });
    expect(PNG.sync.read(png).width).toBe(576);
    const text = renderPage(parseEscPos(escpos), 576).text;
    expect(text).toContain('Z REPORT - BATCH CLOSE');
    expect(text.at(-1)).toBe(`Next batch${' '.repeat(32)}000002`);
  });

  it('shows the data it is given instead of the sample', () => {
    const data = sampleReceiptData('approved');
    data.payer = 'Trần Thị Ánh Tuyết';
    const profile = { ...PROFILE_80MM, mode: 'text' as const, codePage: 30 };
    const { escpos } = previewReceipt('approved', { profile, data });
    expect(renderPage(parseEscPos(escpos), 576).text).toContain('Người nộp: Trần Thị Ánh Tuyết');
  });
});
