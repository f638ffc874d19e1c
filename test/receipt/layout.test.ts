import { describe, expect, it } from 'vitest';
import { receiptLines, textLength, wrapText } from '../../src/receipt/layout';
import type { ReceiptLine } from '../../src/receipt/types';
import { sampleReceipt } from './receipt-data';

/** Each line as the text a reader sees, pairs as "label | value". */
function texts(lines: ReceiptLine[]): string[] {
  return lines.map((l) => {
    if (l.kind === 'text') return l.text;
    if (l.kind === 'pair') return `${l.label} | ${l.value}`;
    return `<${l.kind}>`;
  });
}

function valueOf(lines: ReceiptLine[], label: string): string | undefined {
  const line = lines.find((l) => l.kind === 'pair' && l.label === label);
  return line?.kind === 'pair' ? line.value : undefined;
}

describe('receiptLines (Vietnamese, customer copy, PIN)', () => {
  const lines = receiptLines(sampleReceipt(), 32);
  const all = texts(lines);

  it('heads with the merchant and the title', () => {
    expect(all.slice(0, 6)).toEqual([
      'UBND PHƯỜNG BẾN NGHÉ',
      '29 Nguyễn Thị Minh Khai, Quận 1,',
      'TP. Hồ Chí Minh',
      'MST: 0301234567',
      '<rule>',
      'HÓA ĐƠN THANH TOÁN THẺ',
    ]);
  });

  it('prints the terminal numbers, zero-padded, and the date in Vietnam time', () => {
    expect(valueOf(lines, 'Ngày giờ')).toBe('05/03/2025 14:32:07');
    expect(valueOf(lines, 'MID')).toBe('000000012345678');
    expect(valueOf(lines, 'TID')).toBe('12345678');
    expect(valueOf(lines, 'Số lô')).toBe('000001');
    expect(valueOf(lines, 'Số hóa đơn')).toBe('000123');
    expect(valueOf(lines, 'STAN')).toBe('000045');
    expect(valueOf(lines, 'RRN')).toBe('503412000045');
  });

  it('prints the card masked to the last four digits, with its EMV data', () => {
    expect(valueOf(lines, 'Số thẻ')).toBe('**** **** **** 0119');
    expect(valueOf(lines, 'Cách đọc thẻ')).toBe('Chip');
    expect(valueOf(lines, 'AID')).toBe('A0000000031010');
    expect(valueOf(lines, 'TVR')).toBe('0000008000');
    expect(valueOf(lines, 'TSI')).toBe('E800');
    expect(valueOf(lines, 'AC')).toBe('29CCA15AE665FA2E');
  });

  it('prints the amount in figures (double size) and in words', () => {
    const amount = lines.find((l) => l.kind === 'text' && l.text === '150.000 ₫');
    expect(amount).toMatchObject({ align: 'right', bold: true, size: 'double' });
    expect(all).toContain('SỐ TIỀN');
    expect(all.join(' ')).toContain('Bằng chữ: Một trăm năm mươi nghìn đồng');
  });

  it('prints the result, approval code, PIN verification and the copy mark', () => {
    expect(all).toContain('THÀNH CÔNG');
    expect(valueOf(lines, 'MÃ CHUẨN CHI')).toBe('123456');
    expect(all).toContain('Đã xác thực bằng mã PIN');
    expect(all).toContain('Không cần chữ ký');
    expect(all).toContain('LIÊN GIAO KHÁCH HÀNG');
    expect(all).toContain('Xin cảm ơn quý khách!');
    expect(all).not.toContain('BẢN IN LẠI / REPRINT');
    expect(all.join(' ')).toContain('Người nộp: Nguyễn Văn Ấn');
  });
});

describe('receiptLines: card number safety', () => {
  it.each([
    ['4761739001010119'],
    ['4761 7390 0101 0119'],
    ['476173******0119'],
  ])('never prints more than the last four digits of %s', (pan) => {
    const all = texts(receiptLines(sampleReceipt({ maskedPan: pan }), 32)).join('\n');
    expect(all).toContain('**** **** **** 0119');
    expect(all).not.toMatch(/476173|47617390/);
    expect(all).not.toMatch(/\d[\d ]*0119/);
  });
});

describe('receiptLines: other outcomes and copies', () => {
  it('prints a decline with its code and reason, without approval or signature', () => {
    const data = sampleReceipt({
      result: 'declined', authCode: undefined, responseCode: '51', cvm: 'signature',
      copy: 'merchant', reason: { vi: 'Không đủ số dư', en: 'Insufficient funds' },
    });
    const lines = receiptLines(data, 32);
    const all = texts(lines);
    expect(all).toContain('GIAO DỊCH BỊ TỪ CHỐI');
    expect(valueOf(lines, 'Mã phản hồi')).toBe('51');
    expect(all).toContain('Không đủ số dư');
    expect(all).not.toContain('THÀNH CÔNG');
    expect(all.join(' ')).not.toContain('Chữ ký chủ thẻ');
    expect(all).toContain('LIÊN LƯU TẠI ĐƠN VỊ');
  });

  it('gives the merchant copy of a signature payment a place to sign', () => {
    const all = texts(receiptLines(sampleReceipt({ cvm: 'signature', copy: 'merchant' }), 32));
    const at = all.indexOf('Chữ ký chủ thẻ:');
    expect(at).toBeGreaterThan(0);
    expect(all.slice(at + 1, at + 4))
      .toEqual(['<space>', '<rule>', 'Đồng ý thanh toán số tiền trên']);
    expect(all).not.toContain('Không cần chữ ký');
  });

  it('leaves the signature off the customer copy of a signature payment', () => {
    const all = texts(receiptLines(sampleReceipt({ cvm: 'signature' }), 32));
    expect(all.join(' ')).not.toContain('Chữ ký');
  });

  it('marks a reprint', () => {
    const all = texts(receiptLines(sampleReceipt({ reprint: true }), 32));
    expect(all[all.indexOf('HÓA ĐƠN THANH TOÁN THẺ') + 1]).toBe('BẢN IN LẠI / REPRINT');
  });

  it('speaks English on request', () => {
    const data = sampleReceipt({ language: 'en', copy: 'merchant', cvm: 'none' });
    const lines = receiptLines(data, 48);
    const all = texts(lines);
    expect(all).toContain('CARD PAYMENT RECEIPT');
    expect(all).toContain('VND 150,000');
    expect(all.join(' ')).toContain('In words: One hundred fifty thousand dong');
    expect(valueOf(lines, 'APPROVAL CODE')).toBe('123456');
    expect(all).toContain('No signature required');
    expect(all).toContain('MERCHANT COPY');
  });
});

describe('receiptLines: fit', () => {
  const long = sampleReceipt({
    merchant: {
      name: 'TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH THỪA THIÊN HUẾ',
      address: 'Tầng 1, tòa nhà Trung tâm Hành chính, số 01 Lê Lai, phường Vĩnh Ninh',
      merchantId: '000000012345678', terminalId: '12345678',
    },
    reference: 'HOSO-2025-THUATHIENHUE-00001234567',
    amount: 999_999_999_999,
  });
  it.each([32, 48])('keeps every line within %i columns', (columns) => {
    for (const line of receiptLines(long, columns)) {
      if (line.kind === 'text') {
        const width = line.size === 'double' ? Math.floor(columns / 2) : columns;
        expect(textLength(line.text), line.text).toBeLessThanOrEqual(width);
      }
      if (line.kind === 'pair') {
        expect(textLength(line.label) + 1 + textLength(line.value)).toBeLessThanOrEqual(columns);
      }
    }
  });

  it('wraps on words and cuts a word longer than the line', () => {
    expect(wrapText('một hai ba bốn', 7)).toEqual(['một hai', 'ba bốn']);
    expect(wrapText('ABCDEFGHIJ xy', 4)).toEqual(['ABCD', 'EFGH', 'IJ', 'xy']);
  });
});
