import { buildVietQr } from '../qr/vietqr';
import type {
  BatchTotals, QrReceiptData, QrSlipData, ReceiptData, ReceiptMerchant,
} from './types';

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

/** The QR paper kinds: the code slip of a waiting payment and the receipt once paid. */
export const QR_RECEIPT_KINDS = ['qr-slip', 'qr-paid'] as const;
export type QrReceiptKind = (typeof QR_RECEIPT_KINDS)[number];

/** The short reference and bank transfer ID of the QR samples. */
const QR_REFERENCE = 'QY7K2M9P4D';
const QR_BANK_REFERENCE = 'FT25064918273645';

/**
 * The card sample's fee paid by VietQR into the account of the shared NAPAS sample (BIN
 * 970415, account 0011001932418), the code valid five minutes from when it was made.
 */
export function sampleQrSlipData(language: 'vi' | 'en' = 'vi'): QrSlipData {
  const { merchant, amount, reference, dossier, description, payer } = sale(language);
  const payload = buildVietQr({ initiation: 'dynamic', bin: '970415', account: '0011001932418',
    service: 'QRIBFTTA', amount, billNumber: reference, terminalLabel: merchant.terminalId,
    purpose: QR_REFERENCE });
  return { merchant, amount, reference, dossier, description, payer, payload,
    qrReference: QR_REFERENCE, validUntil: new Date('2025-03-05T07:37:07Z'), language };
}

/** The receipt of the sample slip's payment, the transfer made a minute after the code. */
export function sampleQrReceiptData(language: 'vi' | 'en' = 'vi'): QrReceiptData {
  const { merchant, amount, reference, dossier, description, payer } = sale(language);
  return { merchant, copy: 'customer', dateTime: new Date('2025-03-05T07:33:12Z'), amount,
    reference, dossier, description, payer, qrReference: QR_REFERENCE,
    bankReference: QR_BANK_REFERENCE, language };
}
