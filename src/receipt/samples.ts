import type { BatchTotals, ReceiptData, ReceiptMerchant } from './types';

/** The receipts and reports `quay receipt preview` can show, one of each kind. */
export const RECEIPT_KINDS = [
  'approved', 'merchant-signature', 'offline', 'declined', 'void', 'refund', 'reprint',
  'x-report', 'z-report',
] as const;
export type ReceiptKind = (typeof RECEIPT_KINDS)[number];

const MERCHANT: ReceiptMerchant = {
  name: 'UBND PHƯỜNG BẾN NGHÉ',
  address: '29 Nguyễn Thị Minh Khai, Quận 1, TP. Hồ Chí Minh',
  taxCode: '0301234567',
  merchantId: '000000012345678',
  terminalId: '12345678',
};

/**
 * A fee paid by chip and PIN at a ward office counter: the Visa test card 4761 7390 0101 0119
 * (masked), the cryptogram of the shared CVN 10 vectors. Every sample kind starts from it.
 */
function sale(language: 'vi' | 'en'): ReceiptData {
  return {
    merchant: MERCHANT,
    copy: 'customer',
    batch: 1,
    invoice: 123,
    stan: 45,
    rrn: '503412000045',
    dateTime: new Date('2025-03-05T07:32:07Z'),
    application: { label: 'VISA CREDIT', aid: 'a0000000031010' },
    scheme: 'VISA',
    maskedPan: '476173******0119',
    entryMode: 'chip',
    tvr: '0000008000',
    tsi: 'E800',
    cryptogram: '29CCA15AE665FA2E',
    cvm: 'pin',
    amount: 150_000,
    reference: 'LP-2025-000123',
    dossier: 'HS-000.00.12.H29-250305-0042',
    description: 'Lệ phí cấp bản sao trích lục hộ tịch',
    payer: 'Nguyễn Văn Ấn',
    authCode: '123456',
    result: 'approved',
    language,
  };
}

/** Sample data for a receipt kind, in Vietnamese or English. */
export function sampleReceiptData(kind: Exclude<ReceiptKind, 'x-report' | 'z-report'>,
  language: 'vi' | 'en' = 'vi'): ReceiptData {
  const base = sale(language);
  switch (kind) {
    case 'approved':
      return { ...base, qr: 'https://dichvucong.gov.vn/tra-cuu?hs=HS-000.00.12.H29-250305-0042' };
    case 'merchant-signature':
      return { ...base, copy: 'merchant', cvm: 'signature' };
    case 'offline':
      return { ...base, offline: true, rrn: undefined, authCode: 'Y1', cvm: 'none' };
    case 'declined':
      return {
        ...base, result: 'declined', authCode: undefined, responseCode: '51',
        cryptogram: '8A1F03C2D4E5B697',
        reason: { vi: 'Không đủ số dư', en: 'Insufficient funds' },
      };
    case 'void':
      return {
        ...base, transaction: 'void', invoice: 124, stan: 46, rrn: '503412000046',
        authCode: '123457', original: { invoice: 123, stan: 45 },
      };
    case 'refund':
      return {
        ...base, transaction: 'refund', invoice: 125, stan: 47, rrn: '503412000047',
        authCode: '123458', original: { invoice: 123, stan: 45 }, amount: 50_000,
      };
    case 'reprint':
      return { ...base, reprint: true };
  }
}

/** Sample totals of a day at the counter: Visa, Mastercard and NAPAS cards, and QR. */
export function sampleBatchTotals(report: 'X' | 'Z', language: 'vi' | 'en' = 'vi'):
  BatchTotals {
  return {
    report,
    merchant: MERCHANT,
    batch: 1,
    openedAt: new Date('2025-03-05T01:00:00Z'),
    printedAt: new Date('2025-03-05T10:30:00Z'),
    schemes: [
      { scheme: 'VISA', sales: { count: 12, amount: 1_800_000 },
        voids: { count: 1, amount: 150_000 }, refunds: { count: 1, amount: 50_000 } },
      { scheme: 'MASTERCARD', sales: { count: 5, amount: 750_000 },
        voids: { count: 0, amount: 0 }, refunds: { count: 0, amount: 0 } },
      { scheme: 'NAPAS', sales: { count: 20, amount: 2_400_000 },
        voids: { count: 2, amount: 200_000 }, refunds: { count: 0, amount: 0 } },
    ],
    tenders: { card: { count: 33, amount: 4_550_000 }, qr: { count: 8, amount: 960_000 } },
    language,
  };
}
