/**
 * Response codes (field 39) as ISO 8583:1987 defines them and Vietnamese acquirers use them,
 * with the words for the receipt and the clerk. `kind` tells the terminal what follows:
 * approved; decline (ask for another card or way to pay); refer (the cardholder should call
 * the bank); pick-up (the bank asks to keep the card: quay never keeps cards, it declines);
 * retry (a passing condition: the payment may be tried again); error (a terminal or host
 * fault: call the technician if it repeats).
 */
export type ResponseKind = 'approved' | 'decline' | 'refer' | 'pick-up' | 'retry' | 'error';

export interface ResponseCodeInfo {
  en: string;
  vi: string;
  kind: ResponseKind;
}

export const RESPONSE_CODES: Readonly<Record<string, ResponseCodeInfo>> = {
  '00': { en: 'Approved', vi: 'Giao dịch thành công', kind: 'approved' },
  '01': { en: 'Refer to card issuer', vi: 'Liên hệ ngân hàng phát hành thẻ', kind: 'refer' },
  '02': {
    en: 'Refer to card issuer, special condition',
    vi: 'Liên hệ ngân hàng phát hành thẻ (điều kiện đặc biệt)', kind: 'refer',
  },
  '03': { en: 'Invalid merchant', vi: 'Đơn vị chấp nhận thẻ không hợp lệ', kind: 'error' },
  '04': { en: 'Pick up card', vi: 'Thẻ bị thu hồi', kind: 'pick-up' },
  '05': { en: 'Do not honour', vi: 'Ngân hàng từ chối giao dịch', kind: 'decline' },
  '06': { en: 'Error', vi: 'Lỗi giao dịch', kind: 'error' },
  '07': { en: 'Pick up card, special condition', vi: 'Thẻ bị thu hồi', kind: 'pick-up' },
  '08': {
    en: 'Approved with identification', vi: 'Chấp nhận, cần xác minh chủ thẻ', kind: 'approved',
  },
  '11': { en: 'Approved (VIP)', vi: 'Giao dịch thành công', kind: 'approved' },
  '12': { en: 'Invalid transaction', vi: 'Giao dịch không hợp lệ', kind: 'decline' },
  '13': { en: 'Invalid amount', vi: 'Số tiền không hợp lệ', kind: 'decline' },
  '14': { en: 'Invalid card number', vi: 'Số thẻ không hợp lệ', kind: 'decline' },
  '15': { en: 'No such issuer', vi: 'Không có ngân hàng phát hành thẻ này', kind: 'decline' },
  '19': { en: 'Re-enter transaction', vi: 'Vui lòng thực hiện lại giao dịch', kind: 'retry' },
  '25': { en: 'Unable to locate record', vi: 'Không tìm thấy giao dịch', kind: 'error' },
  '30': { en: 'Format error', vi: 'Lỗi định dạng bản tin', kind: 'error' },
  '33': { en: 'Expired card, pick up', vi: 'Thẻ hết hạn, bị thu hồi', kind: 'pick-up' },
  '34': {
    en: 'Suspected fraud, pick up', vi: 'Nghi ngờ gian lận, thẻ bị thu hồi', kind: 'pick-up',
  },
  '38': {
    en: 'PIN tries exceeded, pick up', vi: 'Nhập sai PIN quá số lần, thẻ bị thu hồi',
    kind: 'pick-up',
  },
  '41': { en: 'Lost card, pick up', vi: 'Thẻ đã bị báo mất', kind: 'pick-up' },
  '43': { en: 'Stolen card, pick up', vi: 'Thẻ đã bị báo đánh cắp', kind: 'pick-up' },
  '51': { en: 'Insufficient funds', vi: 'Tài khoản không đủ số dư', kind: 'decline' },
  '54': { en: 'Expired card', vi: 'Thẻ đã hết hạn', kind: 'decline' },
  '55': { en: 'Incorrect PIN', vi: 'Sai mã PIN', kind: 'decline' },
  '57': {
    en: 'Transaction not permitted to cardholder',
    vi: 'Chủ thẻ không được phép thực hiện giao dịch này', kind: 'decline',
  },
  '58': {
    en: 'Transaction not permitted to terminal',
    vi: 'Thiết bị không được phép thực hiện giao dịch này', kind: 'error',
  },
  '59': { en: 'Suspected fraud', vi: 'Nghi ngờ gian lận', kind: 'decline' },
  '61': { en: 'Exceeds amount limit', vi: 'Vượt hạn mức số tiền giao dịch', kind: 'decline' },
  '62': { en: 'Restricted card', vi: 'Thẻ bị hạn chế sử dụng', kind: 'decline' },
  '63': { en: 'Security violation', vi: 'Vi phạm quy định bảo mật', kind: 'error' },
  '65': {
    en: 'Exceeds frequency limit', vi: 'Vượt số lần giao dịch cho phép', kind: 'decline',
  },
  '68': { en: 'Response received too late', vi: 'Phản hồi quá thời gian chờ', kind: 'retry' },
  '75': { en: 'PIN tries exceeded', vi: 'Nhập sai PIN quá số lần cho phép', kind: 'decline' },
  '89': { en: 'Invalid terminal', vi: 'Thiết bị không hợp lệ', kind: 'error' },
  '90': { en: 'Cut-off in progress', vi: 'Ngân hàng đang kết toán cuối ngày', kind: 'retry' },
  '91': {
    en: 'Issuer unavailable', vi: 'Ngân hàng phát hành tạm thời không phản hồi', kind: 'retry',
  },
  '92': {
    en: 'Issuer cannot be routed to', vi: 'Không định tuyến được đến ngân hàng phát hành',
    kind: 'retry',
  },
  '94': { en: 'Duplicate transmission', vi: 'Giao dịch bị trùng lặp', kind: 'error' },
  '96': { en: 'System malfunction', vi: 'Lỗi hệ thống', kind: 'retry' },
};

/** The words for a code; a code not in the table reads as a decline that names the code. */
export function describeResponseCode(code: string): ResponseCodeInfo {
  return RESPONSE_CODES[code] ?? {
    en: `Declined (code ${code})`, vi: `Giao dịch bị từ chối (mã ${code})`, kind: 'decline',
  };
}

export function isApproved(code: string): boolean {
  return describeResponseCode(code).kind === 'approved';
}
