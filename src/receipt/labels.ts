/**
 * The words printed on a receipt, per language. Technical labels the banks print as they are
 * (MID, TID, STAN, RRN, AID, TVR, TSI) stay the same in both languages.
 */
export interface ReceiptLabels {
  title: string;
  reprint: string;
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
    reprint: '*** IN LẠI ***',
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
    reprint: '*** REPRINT ***',
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
