import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { renderPage } from '../../drivers/printer/page-render';
import { parseEscPos } from '../../src/receipt/escpos-parse';
import { previewQrReceipt } from '../../src/receipt/preview';
import { renderQrReceipt, renderQrSlip } from '../../src/receipt/render';
import { sampleQrReceiptData, sampleQrSlipData } from '../../src/receipt/samples';
import { PROFILE_58MM, PROFILE_80MM, type PrinterProfile } from '../../src/receipt/types';
import { parseVietQr } from '../../src/qr/vietqr';

/**
 * The paper of a QR payment: the code slip the payer scans, and the receipt once the bank
 * confirmed the transfer. The expected lines are written from the layout rules (32 columns
 * of 58 mm paper, a label and its value on one line when both fit), not read off the output.
 */

/** The sample's code: NAPAS part IV fields in order, CRC-16/CCITT-FALSE over "…6304". */
const SAMPLE_PAYLOAD = '00020101021238570010A00000072701270006970415011300110019324180208'
  + 'QRIBFTTA530370454061500005802VN62440114LP-2025-0001230708123456780810QY7K2M9P4D6304';

function readQr(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}

/** Label left, value right, on 32 columns. */
function pair(label: string, value: string): string {
  return `${label}${' '.repeat(32 - [...label].length - [...value].length)}${value}`;
}

const DASHES = '-'.repeat(32);
const HEADER = ['UBND PHƯỜNG BẾN NGHÉ', '29 Nguyễn Thị Minh Khai, Quận 1,', 'TP. Hồ Chí Minh',
  'MST: 0301234567', '='.repeat(32)];
const PAYMENT = [pair('Mã tham chiếu', 'LP-2025-000123'), 'Số hồ sơ:',
  'HS-000.00.12.H29-250305-0042', 'Nội dung: Lệ phí cấp bản sao', 'trích lục hộ tịch',
  'Người nộp: Nguyễn Văn Ấn', DASHES, 'SỐ TIỀN', '150.000 ₫',
  'Bằng chữ: Một trăm năm mươi', 'nghìn đồng', DASHES];

const SLIP_TEXT = [...HEADER, 'THANH TOÁN VIETQR', DASHES, ...PAYMENT,
  'Quét mã bằng ứng dụng ngân hàng', pair('Nội dung CK', 'QY7K2M9P4D'),
  pair('Hiệu lực đến', '05/03/2025 14:37:07')];

const RECEIPT_TEXT = [...HEADER, 'HÓA ĐƠN THANH TOÁN VIETQR', DASHES,
  pair('Ngày giờ', '05/03/2025 14:33:12'), pair('MID', '000000012345678'),
  pair('TID', '12345678'), pair('Hình thức', 'VietQR'),
  pair('Mã GD ngân hàng', 'FT25064918273645'), pair('Nội dung CK', 'QY7K2M9P4D'), DASHES,
  ...PAYMENT, 'THÀNH CÔNG', DASHES, 'LIÊN GIAO KHÁCH HÀNG', 'Xin cảm ơn quý khách!'];

const TEXT_PAGES = [
  { name: 'Windows-1258', codePage: 52, dong: '₫' },
  { name: 'TCVN-3', codePage: 30, dong: 'đ' },
];

describe('the VietQR code slip', () => {
  it('carries the sample payload, which parses as VietQR with the amount', () => {
    const { payload } = sampleQrSlipData();
    expect(payload.slice(0, -4)).toBe(SAMPLE_PAYLOAD);
    expect(parseVietQr(payload)).toEqual({ initiation: 'dynamic', bin: '970415',
      account: '0011001932418', service: 'QRIBFTTA', amount: 150_000,
      billNumber: 'LP-2025-000123', terminalLabel: '12345678', purpose: 'QY7K2M9P4D' });
  });

  it.each([['58 mm', PROFILE_58MM], ['80 mm', PROFILE_80MM]] as const)(
    'raster %s: a QR decoder reads the exact payload back from the paper', (_n, profile) => {
      const { png } = previewQrReceipt('qr-slip', { profile });
      expect(readQr(png)).toBe(sampleQrSlipData().payload);
    });

  it('raster: the lines are those of the layout, the code between amount and reference', () => {
    const { lines } = renderQrSlip(sampleQrSlipData(), PROFILE_58MM);
    const qr = lines.findIndex((l) => l.kind === 'qr');
    expect(lines[qr]).toEqual({ kind: 'qr', data: sampleQrSlipData().payload, level: 'M' });
    expect(lines[qr + 1]).toMatchObject({ kind: 'text', text: 'Quét mã bằng ứng dụng ngân hàng',
      align: 'center' });
  });

  it.each(TEXT_PAGES)('text mode on $name decodes back to the expected text', ({ codePage,
    dong }) => {
    const profile: PrinterProfile = { ...PROFILE_58MM, mode: 'text', codePage };
    const page = renderPage(parseEscPos(renderQrSlip(sampleQrSlipData(), profile).escpos),
      profile.widthDots);
    expect(page.problems).toEqual([]);
    expect(page.text).toEqual(SLIP_TEXT.map((t) => t.replaceAll('₫', dong)));
  });

  it('text mode without GS ( k: the code is an image a decoder still reads', () => {
    const profile: PrinterProfile = { ...PROFILE_58MM, mode: 'text', codePage: 52 };
    const { png } = previewQrReceipt('qr-slip', { profile });
    expect(readQr(png)).toBe(sampleQrSlipData().payload);
  });

  it('text mode with GS ( k: function 180 stores the payload bytes, 181 prints them', () => {
    const profile: PrinterProfile = { ...PROFILE_58MM, mode: 'text', codePage: 52,
      qrCommand: true };
    const ops = parseEscPos(renderQrSlip(sampleQrSlipData(), profile).escpos);
    const qr = ops.filter((c) => c.op === 'qr');
    expect(qr.map((c) => (c.op === 'qr' ? c.fn : 0))).toEqual([0x41, 0x43, 0x45, 0x50, 0x51]);
    const store = qr[3]!;
    // Function 180: cn 49, fn 80, m 48 ('0'), then the data.
    expect(store.op === 'qr' && store.params.toString('latin1'))
      .toBe(`0${sampleQrSlipData().payload}`);
    // Error correction M is function 169 with n = 49.
    expect(qr[2]!.op === 'qr' && qr[2]!.params.toString('hex')).toBe('31');
  });

  it('prints in English when the terminal speaks English', () => {
    const { lines } = renderQrSlip(sampleQrSlipData('en'), PROFILE_58MM);
    const texts = lines.map((l) => (l.kind === 'text' ? l.text
      : l.kind === 'pair' ? `${l.label}|${l.value}` : l.kind));
    expect(texts).toEqual(expect.arrayContaining(['PAY BY VIETQR', 'VND 150,000',
      'Scan with your banking app', 'Transfer text|QY7K2M9P4D',
      'Valid until|05/03/2025 14:37:07']));
  });
});

describe('the receipt of a paid QR payment', () => {
  it.each(TEXT_PAGES)('text mode on $name decodes back to the expected text', ({ codePage,
    dong }) => {
    const profile: PrinterProfile = { ...PROFILE_58MM, mode: 'text', codePage };
    const page = renderPage(parseEscPos(renderQrReceipt(sampleQrReceiptData(), profile).escpos),
      profile.widthDots);
    expect(page.problems).toEqual([]);
    expect(page.text).toEqual(RECEIPT_TEXT.map((t) => t.replaceAll('₫', dong)));
  });

  it('raster: no card line and no QR code, the result printed large', () => {
    const { lines } = renderQrReceipt(sampleQrReceiptData(), PROFILE_58MM);
    const labels = lines.flatMap((l) => (l.kind === 'pair' ? [l.label] : []));
    for (const card of ['Số thẻ', 'AID', 'TVR', 'TSI', 'STAN', 'Số lô', 'Cách đọc thẻ']) {
      expect(labels).not.toContain(card);
    }
    expect(lines.some((l) => l.kind === 'qr')).toBe(false);
    expect(lines).toContainEqual({ kind: 'text', text: 'THÀNH CÔNG', align: 'center',
      bold: true, size: 'double' });
    expect(readQr(previewQrReceipt('qr-paid').png)).toBeUndefined();
  });

  it('a reprint says so under the title', () => {
    const { lines } = renderQrReceipt({ ...sampleQrReceiptData(), reprint: true },
      PROFILE_58MM);
    expect(lines[6]).toMatchObject({ kind: 'text', text: 'BẢN IN LẠI / REPRINT' });
  });
});
