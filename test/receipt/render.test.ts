import { describe, expect, it } from 'vitest';
import { parseEscPos, type EscPosCommand } from '../../src/receipt/escpos-parse';
import { rasterizeLines } from '../../src/receipt/raster';
import { bandRows, renderReceipt } from '../../src/receipt/render';
import { PROFILE_58MM, PROFILE_80MM, type ReceiptLine } from '../../src/receipt/types';
import { sampleReceipt } from './receipt-data';

type Raster = Extract<EscPosCommand, { op: 'raster' }>;

describe('renderReceipt (raster mode)', () => {
  it('sends ESC @, the code page, 48-byte bands of at most 85 rows and a feed on 58 mm', () => {
    const { escpos, lines } = renderReceipt(sampleReceipt(), PROFILE_58MM);
    expect(lines.length).toBeGreaterThan(30);
    expect(escpos.subarray(0, 5).toString('hex')).toBe('1b401b7400');
    const ops = parseEscPos(escpos);
    expect(ops.filter((c) => c.op === 'unknown')).toEqual([]);
    const bands = ops.filter((c): c is Raster => c.op === 'raster');
    expect(bands.length).toBeGreaterThan(5);
    for (const band of bands) {
      expect(band.bytesPerRow).toBe(48);
      expect(band.rows).toBeLessThanOrEqual(85);
    }
    expect(bands.slice(0, -1).every((b) => b.rows === 85)).toBe(true);
    expect(ops.map((c) => c.op).slice(-2)).toEqual(['raster', 'feedLines']);
    expect(escpos.subarray(-3).toString('hex')).toBe('1b6404');
  });

  it('cuts on a printer with a cutter, in 72-byte bands on 80 mm', () => {
    const { escpos } = renderReceipt(sampleReceipt(), PROFILE_80MM);
    const bands = parseEscPos(escpos).filter((c): c is Raster => c.op === 'raster');
    expect(new Set(bands.map((b) => b.bytesPerRow))).toEqual(new Set([72]));
    expect(Math.max(...bands.map((b) => b.rows))).toBe(56);
    expect(escpos.subarray(-7).toString('hex')).toBe('1b64041d564200');
  });

  it('selects the profile code page', () => {
    const { escpos } = renderReceipt(sampleReceipt(), { ...PROFILE_58MM, codePage: 16 });
    expect(escpos.subarray(0, 5).toString('hex')).toBe('1b401b7410');
  });

  it('chooses band heights from a 4 KiB budget within 24..255 rows', () => {
    expect(bandRows(48)).toBe(85);
    expect(bandRows(72)).toBe(56);
    expect(bandRows(1)).toBe(255);
    expect(bandRows(512)).toBe(24);
  });

  it('refuses a printer width it cannot lay out', () => {
    const bad = { ...PROFILE_58MM, widthDots: 500 as 384 };
    expect(() => renderReceipt(sampleReceipt(), bad)).toThrow(/384 or 576/);
  });
});

describe('rasterizeLines', () => {
  const one = (text: string): Buffer => {
    const line: ReceiptLine = { kind: 'text', text, align: 'left' };
    return rasterizeLines([line], PROFILE_58MM).data;
  };

  it('draws every Vietnamese tone on its own (no missing-glyph boxes)', () => {
    // A font without these letters draws the same box for each of them.
    const letters = ['A', 'Á', 'À', 'Ả', 'Ã', 'Ạ', 'Ă', 'Ắ', 'Ằ', 'Ẳ', 'Ẵ', 'Ặ', 'Ê', 'Ề', 'Ể',
      'Ễ', 'Ệ', 'Ơ', 'Ờ', 'Ư', 'Ữ', 'Đ', 'đ', 'ư', 'ợ', 'ỹ', '₫'];
    const images = new Set(letters.map((l) => one(l).toString('base64')));
    expect(images.size).toBe(letters.length);
  });

  it('keeps the marks over capitals after thresholding', () => {
    // The first row with ink: a mark over a capital starts well above the bare capital.
    const firstInkRow = (b: Buffer): number => Math.floor(b.findIndex((byte) => byte !== 0) / 48);
    for (const [bare, marked] of [['E', 'Ê'], ['A', 'Á'], ['O', 'Ờ'], ['U', 'Ũ']]) {
      expect(firstInkRow(one(marked!)), marked).toBeLessThan(firstInkRow(one(bare!)) - 2);
    }
  });

  it('is as wide as the head and as tall as its lines', () => {
    const image = rasterizeLines([
      { kind: 'text', text: 'x', align: 'left' },
      { kind: 'space', lines: 2 },
    ], PROFILE_58MM);
    expect(image.width).toBe(384);
    expect(image.bytesPerRow).toBe(48);
    // 20 px DejaVu Sans on 12-dot columns, lines 29 dots apart: one text line and two blank.
    expect(image.height).toBe(3 * 29);
    expect(image.data.length).toBe(48 * 87);
  });
});
