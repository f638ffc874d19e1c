import { describe, expect, it } from 'vitest';
import { receiptLines } from '../../src/receipt/layout';
import { reportLines } from '../../src/receipt/report';
import { RECEIPT_KINDS, sampleBatchTotals, sampleReceiptData } from '../../src/receipt/samples';
import type { ReceiptLine } from '../../src/receipt/types';

function texts(lines: ReceiptLine[]): string[] {
  return lines.map((l) => {
    if (l.kind === 'text') return l.text;
    if (l.kind === 'pair') return `${l.label} | ${l.value}`;
    return `<${l.kind}>`;
  });
}

const receipt = (kind: Parameters<typeof sampleReceiptData>[0], language: 'vi' | 'en' = 'vi') =>
  texts(receiptLines(sampleReceiptData(kind, language), 32));

describe('receipt kinds', () => {
  it('prints a void with its original sale and the amount negative', () => {
    const all = receipt('void');
    expect(all).toContain('HÓA ĐƠN HỦY GIAO DỊCH');
    expect(all).toContain('Số HĐ gốc | 000123');
    expect(all).toContain('STAN gốc | 000045');
    expect(all).toContain('Số hóa đơn | 000124');
    expect(all).toContain('-150.000 ₫');
    expect(all).not.toContain('HÓA ĐƠN THANH TOÁN THẺ');
  });

  it('prints a refund in English with its original sale and the amount negative', () => {
    const all = receipt('refund', 'en');
    expect(all).toContain('REFUND RECEIPT');
    expect(all).toContain('Original invoice | 000123');
    expect(all).toContain('-VND 50,000');
    expect(all).toContain('APPROVAL CODE | 123458');
  });

  it('marks an offline approval as waiting to be forwarded, under the title', () => {
    const all = receipt('offline');
    expect(all[all.indexOf('HÓA ĐƠN THANH TOÁN THẺ') + 1]).toBe('NGOẠI TUYẾN, CHỜ GỬI');
    expect(receipt('offline', 'en')).toContain('OFFLINE, TO FORWARD');
    expect(receipt('approved')).not.toContain('NGOẠI TUYẾN, CHỜ GỬI');
  });

  it('marks a reprint in both languages', () => {
    expect(receipt('reprint')).toContain('BẢN IN LẠI / REPRINT');
    expect(receipt('reprint', 'en')).toContain('REPRINT');
  });

  it('prints the dossier number beside the fee reference and the payer', () => {
    const all = receipt('approved');
    const at = all.indexOf('Mã tham chiếu | LP-2025-000123');
    expect(all.slice(at + 1, at + 3)).toEqual(['Số hồ sơ:', 'HS-000.00.12.H29-250305-0042']);
    expect(all).toContain('Người nộp: Nguyễn Văn Ấn');
  });

  it('prints the verification line the CVM calls for', () => {
    expect(receipt('approved')).toContain('Đã xác thực bằng mã PIN');
    expect(receipt('offline')).toContain('Không cần chữ ký');
    const merchant = receipt('merchant-signature');
    expect(merchant).toContain('Chữ ký chủ thẻ:');
    expect(merchant).toContain('LIÊN LƯU TẠI ĐƠN VỊ');
  });

  it('prints a decline with the reason, and a QR code only where data asks', () => {
    const all = receipt('declined');
    expect(all).toContain('GIAO DỊCH BỊ TỪ CHỐI');
    expect(all).toContain('Không đủ số dư');
    expect(all).not.toContain('<qr>');
    expect(receipt('approved')).toContain('<qr>');
  });

  it.each(RECEIPT_KINDS.filter((k) => !k.endsWith('report')))(
    'never prints an expiry date on the %s receipt', (kind) => {
      const joined = receipt(kind as Parameters<typeof sampleReceiptData>[0]).join('\n');
      // MM/YY alone (not part of a dd/mm/yyyy date), or the words for expiry.
      expect(joined).not.toMatch(/(^|[^\d/])\d{2}\/\d{2}(?![\d/])/m);
      expect(joined).not.toMatch(/HSD|Hết hạn|EXP/i);
    });
});

describe('end-of-day reports', () => {
  it('prints an X report by scheme and tender and leaves the batch open', () => {
    const all = texts(reportLines(sampleBatchTotals('X'), 32));
    expect(all).toContain('BÁO CÁO X - TẠM TÍNH');
    const visa = all.indexOf('VISA');
    expect(all.slice(visa, visa + 5)).toEqual([
      'VISA', 'Bán | 12 GD 1.800.000 ₫', 'Hủy | 1 GD 150.000 ₫', 'Hoàn tiền | 1 GD 50.000 ₫',
      'Cộng | 10 GD 1.600.000 ₫',
    ]);
    expect(all).toContain('Cộng | 18 GD 2.200.000 ₫');
    expect(all).toContain('Thẻ | 33 GD 4.550.000 ₫');
    expect(all).toContain('QR | 8 GD 960.000 ₫');
    expect(all).toContain('TỔNG CỘNG | 41 GD 5.510.000 ₫');
    expect(all.at(-1)).toBe('Lô chưa đóng');
  });

  it('prints a Z report that closes the batch and names the next one', () => {
    const all = texts(reportLines(sampleBatchTotals('Z', 'en'), 48));
    expect(all).toContain('Z REPORT - BATCH CLOSE');
    expect(all).toContain('Net | 10 txn VND 1,600,000');
    expect(all.slice(-2)).toEqual(['BATCH CLOSED 000001', 'Next batch | 000002']);
  });

  it('prints a negative net with a minus sign', () => {
    const totals = sampleBatchTotals('X');
    totals.schemes = [{ scheme: 'JCB', sales: { count: 0, amount: 0 },
      voids: { count: 0, amount: 0 }, refunds: { count: 1, amount: 70_000 } }];
    expect(texts(reportLines(totals, 32))).toContain('Cộng | -1 GD -70.000 ₫');
  });
});
