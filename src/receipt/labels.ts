/**
 * The words printed on a receipt, per language. Technical labels the banks print as they are
 * (MID, TID, STAN, RRN, AID, TVR, TSI) stay the same in both languages.
 */
export interface ReceiptLabels {
  title: string;
  voidTitle: string;
  refundTitle: string;
  reprint: string;
  offline: string;
  originalInvoice: string;
  originalStan: string;
  dossier: string;
  taxCode: string;
  dateTime: string;
  batch: string;
  invoice: string;
  cardType: string;
  cardNumber: string;
  entryMode: string;
  chip: string;
  application: string;
  cryptogram: string;
  reference: string;
  description: string;
  payer: string;
  amount: string;
  inWords: string;
  approved: string;
  declined: string;
  authCode: string;
  responseCode: string;
  pinVerified: string;
  noSignature: string;
  signHere: string;
  agreement: string;
  customerCopy: string;
  merchantCopy: string;
  thanks: string;
}

export const RECEIPT_LABELS: Record<'vi' | 'en', ReceiptLabels> = {
  vi: {
    title: 'HÓA ĐƠN THANH TOÁN THẺ',
    voidTitle: 'HÓA ĐƠN HỦY GIAO DỊCH',
    refundTitle: 'HÓA ĐƠN HOÀN TIỀN',
    reprint: 'BẢN IN LẠI / REPRINT',
    offline: 'NGOẠI TUYẾN, CHỜ GỬI',
    originalInvoice: 'Số HĐ gốc',
    originalStan: 'STAN gốc',
    dossier: 'Số hồ sơ',
    taxCode: 'MST',
    dateTime: 'Ngày giờ',
    batch: 'Số lô',
    invoice: 'Số hóa đơn',
    cardType: 'Loại thẻ',
    cardNumber: 'Số thẻ',
    entryMode: 'Cách đọc thẻ',
    chip: 'Chip',
    application: 'Ứng dụng',
    cryptogram: 'AC',
    reference: 'Mã tham chiếu',
    description: 'Nội dung',
    payer: 'Người nộp',
    amount: 'SỐ TIỀN',
    inWords: 'Bằng chữ',
    approved: 'THÀNH CÔNG',
    declined: 'GIAO DỊCH BỊ TỪ CHỐI',
    authCode: 'MÃ CHUẨN CHI',
    responseCode: 'Mã phản hồi',
    pinVerified: 'Đã xác thực bằng mã PIN',
    noSignature: 'Không cần chữ ký',
    signHere: 'Chữ ký chủ thẻ',
    agreement: 'Đồng ý thanh toán số tiền trên',
    customerCopy: 'LIÊN GIAO KHÁCH HÀNG',
    merchantCopy: 'LIÊN LƯU TẠI ĐƠN VỊ',
    thanks: 'Xin cảm ơn quý khách!',
  },
  en: {
    title: 'CARD PAYMENT RECEIPT',
    voidTitle: 'VOID RECEIPT',
    refundTitle: 'REFUND RECEIPT',
    reprint: 'REPRINT',
    offline: 'OFFLINE, TO FORWARD',
    originalInvoice: 'Original invoice',
    originalStan: 'Original STAN',
    dossier: 'Dossier no.',
    taxCode: 'Tax code',
    dateTime: 'Date/time',
    batch: 'Batch',
    invoice: 'Invoice',
    cardType: 'Card type',
    cardNumber: 'Card number',
    entryMode: 'Entry mode',
    chip: 'Chip',
    application: 'Application',
    cryptogram: 'AC',
    reference: 'Reference',
    description: 'Description',
    payer: 'Payer',
    amount: 'AMOUNT',
    inWords: 'In words',
    approved: 'APPROVED',
    declined: 'DECLINED',
    authCode: 'APPROVAL CODE',
    responseCode: 'Response code',
    pinVerified: 'Verified by PIN',
    noSignature: 'No signature required',
    signHere: 'Cardholder signature',
    agreement: 'I agree to pay the above amount',
    customerCopy: 'CUSTOMER COPY',
    merchantCopy: 'MERCHANT COPY',
    thanks: 'Thank you!',
  },
};

/** The words of the X and Z end-of-day reports. */
export interface ReportLabels {
  xTitle: string;
  zTitle: string;
  opened: string;
  printed: string;
  batch: string;
  byScheme: string;
  byTender: string;
  sales: string;
  voids: string;
  refunds: string;
  net: string;
  /** The unit after a count: GD (giao dịch), txn. */
  transactions: string;
  card: string;
  qr: string;
  total: string;
  batchOpen: string;
  batchClosed: string;
  nextBatch: string;
}

export const REPORT_LABELS: Record<'vi' | 'en', ReportLabels> = {
  vi: {
    xTitle: 'BÁO CÁO X - TẠM TÍNH',
    zTitle: 'BÁO CÁO Z - CHỐT LÔ',
    opened: 'Mở lô',
    printed: 'In lúc',
    batch: 'Số lô',
    byScheme: 'THEO LOẠI THẺ',
    byTender: 'THEO HÌNH THỨC',
    sales: 'Bán',
    voids: 'Hủy',
    refunds: 'Hoàn tiền',
    net: 'Cộng',
    transactions: 'GD',
    card: 'Thẻ',
    qr: 'QR',
    total: 'TỔNG CỘNG',
    batchOpen: 'Lô chưa đóng',
    batchClosed: 'ĐÃ ĐÓNG LÔ',
    nextBatch: 'Lô tiếp theo',
  },
  en: {
    xTitle: 'X REPORT - INTERIM',
    zTitle: 'Z REPORT - BATCH CLOSE',
    opened: 'Opened',
    printed: 'Printed',
    batch: 'Batch',
    byScheme: 'BY CARD SCHEME',
    byTender: 'BY TENDER',
    sales: 'Sales',
    voids: 'Voids',
    refunds: 'Refunds',
    net: 'Net',
    transactions: 'txn',
    card: 'Card',
    qr: 'QR',
    total: 'TOTAL',
    batchOpen: 'Batch stays open',
    batchClosed: 'BATCH CLOSED',
    nextBatch: 'Next batch',
  },
};

/** The words of the VietQR code slip and of the receipt of a QR payment the bank confirmed. */
export interface QrLabels {
  slipTitle: string;
  receiptTitle: string;
  scan: string;
  /** The short reference the payer's bank passes on in the transfer content (62.08). */
  transferContent: string;
  validUntil: string;
  tender: string;
  vietQr: string;
  bankReference: string;
}

export const QR_LABELS: Record<'vi' | 'en', QrLabels> = {
  vi: {
    slipTitle: 'THANH TOÁN VIETQR',
    receiptTitle: 'HÓA ĐƠN THANH TOÁN VIETQR',
    scan: 'Quét mã bằng ứng dụng ngân hàng',
    transferContent: 'Nội dung CK',
    validUntil: 'Hiệu lực đến',
    tender: 'Hình thức',
    vietQr: 'VietQR',
    bankReference: 'Mã GD ngân hàng',
  },
  en: {
    slipTitle: 'PAY BY VIETQR',
    receiptTitle: 'VIETQR PAYMENT RECEIPT',
    scan: 'Scan with your banking app',
    transferContent: 'Transfer text',
    validUntil: 'Valid until',
    tender: 'Tender',
    vietQr: 'VietQR',
    bankReference: 'Bank reference',
  },
};
