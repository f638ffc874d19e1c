import type { ReceiptData } from '../../src/receipt/types';

/**
 * A fee paid by chip and PIN at a ward office counter. The card number is the Visa test
 * card 4761 7390 0101 0119; the cryptogram is the CVN 10 ARQC from the shared vectors.
 */
export function sampleReceipt(overrides: Partial<ReceiptData> = {}): ReceiptData {
  return {
    merchant: {
      name: 'UBND PHƯỜNG BẾN NGHÉ',
      address: '29 Nguyễn Thị Minh Khai, Quận 1, TP. Hồ Chí Minh',
      taxCode: '0301234567',
      merchantId: '000000012345678',
      terminalId: '12345678',
    },
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
    reference: 'HS-2025-000123',
    description: 'Lệ phí cấp bản sao trích lục hộ tịch',
    payer: 'Nguyễn Văn Ấn',
    authCode: '123456',
    result: 'approved',
    ...overrides,
  };
}
