// Every word the clerk page and the customer screen show, Vietnamese first. One dictionary, so
// switching language changes every label at once and no text is left in only one language.
export const WORDS = {
  vi: {
    title: 'Quầy thu phí', lang: 'English', signIn: 'Đăng nhập', signOut: 'Đăng xuất',
    name: 'Tên đăng nhập', pin: 'Mã PIN hoặc mật khẩu', signedInAs: 'Đang làm việc:',
    charge: 'Thu phí', fee: 'Loại phí', feeNone: '— Tự nhập —', amount: 'Số tiền (đồng)',
    dossier: 'Số hồ sơ', description: 'Nội dung', payer: 'Người nộp', pay: 'Thu tiền',
    abort: 'Huỷ giao dịch', payment: 'Giao dịch', reprint: 'In lại biên lai',
    today: 'Giao dịch hôm nay', refresh: 'Tải lại', time: 'Giờ', ref: 'Hồ sơ', card: 'Thẻ',
    status: 'Trạng thái', actions: 'Thao tác', void: 'Huỷ (void)', refund: 'Hoàn tiền',
    noRows: 'Chưa có giao dịch nào hôm nay.', reports: 'Báo cáo và kết toán',
    xReport: 'Báo cáo X', settle: 'Kết toán (Z)', devices: 'Thiết bị',
    supervisorTitle: 'Xác nhận của giám sát viên', supervisor: 'Tên giám sát viên',
    supervisorSecret: 'Mã PIN hoặc mật khẩu giám sát viên', confirm: 'Xác nhận',
    cancel: 'Đóng', refundAmount: 'Số tiền hoàn (đồng)',
    voidOf: 'Huỷ giao dịch số', refundOf: 'Hoàn tiền giao dịch số', settleOf: 'Kết toán lô',
    sales: 'Bán', refunds: 'Hoàn tiền', voids: 'Huỷ', net: 'Thực thu', batch: 'Lô',
    settled: 'Đã kết toán lô', nextBatch: 'lô tiếp theo',
    terminal: 'Máy thanh toán', busy: 'đang bận', ready: 'sẵn sàng',
    offline: 'Giao dịch ngoại tuyến chờ gửi ngân hàng', reversals: 'Giao dịch chờ đảo',
    notifications: 'Thông báo chờ gửi', printed: 'Đã in biên lai.',
    notPrinted: 'Chưa in được biên lai:', badAmount: 'Số tiền phải là số đồng nguyên dương.',
    approval: 'Mã chuẩn chi', required: 'Vui lòng nhập số hồ sơ.', error: 'Lỗi:', reason: 'Lý do:',
    insertCard: 'Vui lòng cắm thẻ vào máy đọc',
    enterPin: 'Khách hàng nhập PIN trên máy đọc thẻ',
    processing: 'Đang xử lý, đang kết nối ngân hàng…',
    approved: 'Thành công', approved_offline: 'Thành công (ngoại tuyến, sẽ gửi ngân hàng sau)',
    declined: 'Bị từ chối', not_accepted: 'Thẻ không được chấp nhận',
    failed: 'Không thực hiện được',
    outcome_unknown: 'Chưa rõ kết quả, đang hỏi lại ngân hàng',
    reversal_pending: 'Đang đảo giao dịch', reversed: 'Đã đảo giao dịch', voided: 'Đã huỷ',
    advice_declined: 'Ngân hàng từ chối giao dịch ngoại tuyến', in_progress: 'Đang thực hiện',
    kind_void: 'Huỷ', kind_refund: 'Hoàn', kind_purchase: 'Thu',
    welcome: 'Xin chào quý khách', customerAmount: 'Số tiền cần thanh toán',
    thankYou: 'Cảm ơn quý khách', removeCard: 'Vui lòng rút thẻ',
    customerPin: 'Vui lòng nhập mã PIN trên máy đọc thẻ nếu được yêu cầu',
    qrRefundNote: 'Hoàn tiền VietQR: chuyển khoản từ tài khoản đơn vị, không qua máy thẻ',
    kind_qr: 'VietQR', payQr: 'Thanh toán VietQR', qrCancel: 'Huỷ mã VietQR',
    qrScan: 'Quét mã VietQR bằng ứng dụng ngân hàng để thanh toán',
    qrWaiting: 'Chờ khách quét mã VietQR và chuyển khoản', qrCode: 'Mã VietQR',
    qrExpired: 'Mã VietQR đã hết hạn', qrCancelled: 'Đã huỷ thanh toán VietQR',
    flagged: 'Chờ giám sát viên kiểm tra chuyển khoản', qrContent: 'Nội dung chuyển khoản',
    transferId: 'Mã giao dịch ngân hàng',
  },
  en: {
    title: 'Fee counter', lang: 'Tiếng Việt', signIn: 'Sign in', signOut: 'Sign out',
    name: 'User name', pin: 'PIN or password', signedInAs: 'Signed in:',
    charge: 'Charge a fee', fee: 'Fee', feeNone: '— Type it in —', amount: 'Amount (dong)',
    dossier: 'Dossier number', description: 'Description', payer: 'Payer', pay: 'Charge',
    abort: 'Cancel payment', payment: 'Payment', reprint: 'Reprint receipt',
    today: "Today's transactions", refresh: 'Refresh', time: 'Time', ref: 'Dossier',
    card: 'Card', status: 'Status', actions: 'Actions', void: 'Void', refund: 'Refund',
    noRows: 'No transactions today yet.', reports: 'Reports and settlement',
    xReport: 'X report', settle: 'Settlement (Z)', devices: 'Devices',
    supervisorTitle: "Supervisor's confirmation", supervisor: 'Supervisor name',
    supervisorSecret: "Supervisor's PIN or password", confirm: 'Confirm', cancel: 'Close',
    refundAmount: 'Refund amount (dong)', voidOf: 'Void transaction no.',
    refundOf: 'Refund transaction no.', settleOf: 'Settle batch',
    sales: 'Sales', refunds: 'Refunds', voids: 'Voids', net: 'Net', batch: 'Batch',
    settled: 'Settled batch', nextBatch: 'next batch',
    terminal: 'Terminal', busy: 'busy', ready: 'ready',
    offline: 'Offline approvals to send to the bank', reversals: 'Reversals owed',
    notifications: 'Notifications to send', printed: 'Receipt printed.',
    notPrinted: 'Receipt not printed:', badAmount: 'The amount must be a whole number of dong.',
    approval: 'Approval code', required: 'Please enter the dossier number.', error: 'Error:',
    reason: 'Reason:',
    insertCard: 'Please insert the card in the reader',
    enterPin: 'The customer enters the PIN on the reader',
    processing: 'Processing, contacting the bank…',
    approved: 'Approved', approved_offline: 'Approved offline (sent to the bank later)',
    declined: 'Declined', not_accepted: 'Card not accepted', failed: 'Failed',
    outcome_unknown: 'Outcome unknown, asking the bank again',
    reversal_pending: 'Reversal pending', reversed: 'Reversed', voided: 'Voided',
    advice_declined: 'Offline approval declined by the bank', in_progress: 'In progress',
    kind_void: 'Void', kind_refund: 'Refund', kind_purchase: 'Sale',
    welcome: 'Welcome', customerAmount: 'Amount to pay',
    thankYou: 'Thank you', removeCard: 'Please remove your card',
    customerPin: 'Please enter your PIN on the card reader if asked',
    qrRefundNote: 'A VietQR refund is a bank transfer from the unit\'s account, not a card refund',
    kind_qr: 'VietQR', payQr: 'Pay by VietQR', qrCancel: 'Cancel the VietQR code',
    qrScan: 'Scan the VietQR code with your banking app to pay',
    qrWaiting: 'Waiting for the payer to scan the VietQR code and transfer',
    qrCode: 'VietQR code', qrExpired: 'The VietQR code has expired',
    qrCancelled: 'VietQR payment cancelled',
    flagged: 'Transfer held for the supervisor to check', qrContent: 'Transfer content',
    transferId: 'Bank transaction ID',
  },
};

/** "150.000 ₫": Vietnamese groups thousands with dots and writes the đồng sign after. */
export function formatDong(amount) {
  return `${String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, '.')} ₫`;
}

/** A typed amount, with or without thousands dots ("150.000" or "150000"); null if not one. */
export function parseDong(text) {
  const t = text.trim().replace(/\s*(₫|đ|VND)$/i, '');
  if (!/^[1-9]\d{0,2}(\.\d{3})+$|^[1-9]\d*$/.test(t)) return null;
  const n = Number(t.replaceAll('.', ''));
  return Number.isSafeInteger(n) ? n : null;
}

/** What a journal state means to the people at the counter, beyond its public status. */
export function stepOf(status, state) {
  if (state === 'created') return 'insertCard';
  if (state === 'card_read') return 'enterPin';
  if (state === 'sent') return 'processing';
  return status;
}
