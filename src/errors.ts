/**
 * One catalogue of error codes. Every error quay raises across a module boundary is a
 * QuayError carrying one of these codes, so that the clerk page, the CLI and the logs can
 * say what happened in Vietnamese and English and what the operator should do next.
 * The README's error table is checked against this catalogue by a test.
 */
export interface ErrorInfo {
  /** Short message for the clerk, English. */
  en: string;
  /** Short message for the clerk, Vietnamese. */
  vi: string;
  /** What the operator or technician should do. */
  action: string;
  /** Whether doing the same thing again may succeed. */
  retryable: boolean;
}

export const ERROR_CATALOGUE = {
  TLV_MALFORMED: {
    en: 'The card sent malformed data',
    vi: 'Thẻ gửi dữ liệu sai định dạng',
    action: 'Ask for another card; report the card to its bank if it repeats.',
    retryable: false,
  },
  DOL_MALFORMED: {
    en: 'The card asked for data in a malformed list',
    vi: 'Thẻ yêu cầu danh sách dữ liệu sai định dạng',
    action: 'Ask for another card.',
    retryable: false,
  },
  CARD_TIMEOUT: {
    en: 'No card was inserted in time',
    vi: 'Không có thẻ được đưa vào kịp thời',
    action: 'Start the payment again and insert the card when asked.',
    retryable: true,
  },
  CARD_REMOVED: {
    en: 'The card was removed before the payment ended',
    vi: 'Thẻ bị rút ra trước khi giao dịch kết thúc',
    action: 'Start the payment again and leave the card in until asked to remove it.',
    retryable: true,
  },
  CARD_UNRESPONSIVE: {
    en: 'The card does not answer',
    vi: 'Thẻ không phản hồi',
    action: 'Clean the chip and insert the card again, or use another card.',
    retryable: true,
  },
  CARD_STATUS: {
    en: 'The card refused a command',
    vi: 'Thẻ từ chối lệnh',
    action: 'Use another card.',
    retryable: false,
  },
  CARD_NOT_ACCEPTED: {
    en: 'Card not accepted: no application this terminal supports',
    vi: 'Thẻ không được chấp nhận tại thiết bị này',
    action: 'Ask for another card or another way to pay.',
    retryable: false,
  },
  CARD_BLOCKED: {
    en: 'The card is blocked',
    vi: 'Thẻ đã bị khóa',
    action: 'Ask for another card; the cardholder should call their bank.',
    retryable: false,
  },
  CARD_DECLINED: {
    en: 'Declined by the card',
    vi: 'Thẻ từ chối giao dịch',
    action: 'Ask for another card or another way to pay.',
    retryable: false,
  },
  CARD_DATA_MISSING: {
    en: 'The card lacks data needed for payment',
    vi: 'Thẻ thiếu dữ liệu cần cho thanh toán',
    action: 'Use another card.',
    retryable: false,
  },
  READER_UNAVAILABLE: {
    en: 'The card reader is not available',
    vi: 'Không kết nối được đầu đọc thẻ',
    action: 'Check the reader cable and that pcscd is running (pidof pcscd; start it with pcscd).',
    retryable: true,
  },
  READER_ERROR: {
    en: 'The card reader reported an error',
    vi: 'Đầu đọc thẻ báo lỗi',
    action: 'Insert the card again; if it repeats, unplug and reconnect the reader.',
    retryable: true,
  },
  ISO_PACK: {
    en: 'A bank message could not be built',
    vi: 'Không tạo được bản tin gửi ngân hàng',
    action: 'Report to the technician with the log; the host profile may not fit the data.',
    retryable: false,
  },
  ISO_UNPACK: {
    en: 'The bank sent a message that could not be read',
    vi: 'Không đọc được bản tin ngân hàng gửi về',
    action: 'The transaction will be reversed; report to the technician if it repeats.',
    retryable: true,
  },
  HOST_UNREACHABLE: {
    en: 'The bank cannot be reached',
    vi: 'Không kết nối được ngân hàng',
    action: 'Check the network link; the payment can be tried again.',
    retryable: true,
  },
  HOST_TIMEOUT: {
    en: 'The bank did not answer in time',
    vi: 'Ngân hàng không phản hồi kịp thời',
    action: 'The transaction will be reversed; try the payment again.',
    retryable: true,
  },
  HOST_PROTOCOL: {
    en: 'The bank answered out of protocol',
    vi: 'Ngân hàng trả lời sai giao thức',
    action: 'The transaction will be reversed; report to the technician if it repeats.',
    retryable: true,
  },
  REVERSAL_PENDING: {
    en: 'An earlier payment is being reversed: the bank link is down',
    vi: 'Đang chờ hủy giao dịch trước với ngân hàng: mất kết nối ngân hàng',
    action: 'Check the network link; the reversal is sent again before the next payment.',
    retryable: true,
  },
  PRINTER_UNREACHABLE: {
    en: 'The receipt printer cannot be reached',
    vi: 'Không kết nối được máy in hóa đơn',
    action: 'Check the printer power and cable; reprint the receipt from the journal.',
    retryable: true,
  },
  PRINTER_PAPER_OUT: {
    en: 'The receipt printer is out of paper',
    vi: 'Máy in hết giấy',
    action: 'Load a paper roll, then reprint the receipt.',
    retryable: true,
  },
  PRINTER_ERROR: {
    en: 'The receipt printer reported an error',
    vi: 'Máy in báo lỗi',
    action: 'Check the cover and cutter, then reprint the receipt.',
    retryable: true,
  },
  DISPLAY_ERROR: {
    en: 'The customer display cannot be driven',
    vi: 'Không điều khiển được màn hình khách hàng',
    action: 'Check the display cable; payments go on without it.',
    retryable: true,
  },
  CONFIG_INVALID: {
    en: 'The configuration is invalid',
    vi: 'Cấu hình không hợp lệ',
    action: 'Run quay config check on the file and fix what it names.',
    retryable: false,
  },
  JOURNAL_ERROR: {
    en: 'The transaction journal cannot be written',
    vi: 'Không ghi được nhật ký giao dịch',
    action: 'Stop taking payments and call the technician (disk full or damaged).',
    retryable: false,
  },
  AMOUNT_INVALID: {
    en: 'The amount is not a valid whole number of dong',
    vi: 'Số tiền không hợp lệ (phải là số nguyên đồng)',
    action: 'Enter a whole amount in dong, greater than zero.',
    retryable: false,
  },
  REQUEST_INVALID: {
    en: 'The payment request is invalid',
    vi: 'Yêu cầu thanh toán không hợp lệ',
    action: 'Correct the request fields named in the message.',
    retryable: false,
  },
  TERMINAL_BUSY: {
    en: 'The terminal is busy with another payment',
    vi: 'Thiết bị đang xử lý giao dịch khác',
    action: 'Wait for the current payment to end, then ask for its status.',
    retryable: true,
  },
  NOT_FOUND: {
    en: 'No such payment',
    vi: 'Không tìm thấy giao dịch',
    action: 'Check the journal ID returned when the payment was made.',
    retryable: false,
  },
  MAC_INVALID: {
    en: 'A bank message failed its MAC check',
    vi: 'Bản tin ngân hàng sai mã xác thực (MAC)',
    action: 'The transaction will be reversed; if it repeats, sign on again for new keys and '
      + 'check the MAC settings of the host profile with the bank.',
    retryable: true,
  },
  UNAUTHORIZED: {
    en: 'Sign-in required or the credentials are wrong',
    vi: 'Cần đăng nhập hoặc thông tin đăng nhập không đúng',
    action: 'Send the desk token, or sign in with your own user name and PIN or password.',
    retryable: false,
  },
  FORBIDDEN: {
    en: 'Your role may not do this',
    vi: 'Vai trò của bạn không được phép thực hiện thao tác này',
    action: 'Ask a supervisor to confirm the operation with their PIN or password.',
    retryable: false,
  },
  PAYMENT_ABORTED: {
    en: 'The payment was cancelled before it was sent to the bank',
    vi: 'Giao dịch đã bị hủy trước khi gửi đến ngân hàng',
    action: 'Nothing was charged; start a new payment when the customer is ready.',
    retryable: false,
  },
  ABORT_TOO_LATE: {
    en: 'The payment has ended and can no longer be cancelled',
    vi: 'Giao dịch đã kết thúc, không thể hủy được nữa',
    action: 'Void the payment (supervisor) before settlement, or refund it after.',
    retryable: false,
  },
  OFFLINE_LIMIT: {
    en: 'The bank cannot be reached and the payment is outside the offline limits',
    vi: 'Mất kết nối ngân hàng và giao dịch vượt hạn mức duyệt ngoại tuyến',
    action: 'Ask for another way to pay, or try again when the bank link is back.',
    retryable: true,
  },
  OPERATION_UNAVAILABLE: {
    en: 'This operation is not available on this terminal yet',
    vi: 'Thiết bị chưa hỗ trợ thao tác này',
    action: 'Use the back office of the bank for this operation and tell the technician.',
    retryable: false,
  },
  KEY_MISSING: {
    en: 'The terminal has no key for the bank link yet',
    vi: 'Thiết bị chưa có khóa cho kết nối ngân hàng',
    action: 'Load the terminal master key, then sign on (quay sign-on) to receive a MAC key.',
    retryable: false,
  },
  KEY_CHECK_FAILED: {
    en: 'A key does not match its check value',
    vi: 'Khóa không khớp với giá trị kiểm tra (KCV)',
    action: 'The old key stays in use; check the terminal master key with the bank, then sign on.',
    retryable: true,
  },
  KEY_INVALID: {
    en: 'A stored or received key is unusable',
    vi: 'Khóa đã lưu hoặc nhận được không dùng được',
    action: 'Load the terminal master key again and sign on; call the technician if it repeats.',
    retryable: false,
  },
  SETTLEMENT_BLOCKED: {
    en: 'The batch cannot be settled while offline approvals or reversals are owed to the bank',
    vi: 'Chưa thể quyết toán khi còn giao dịch ngoại tuyến hoặc lệnh hủy chưa gửi ngân hàng',
    action: 'Let the daemon send what is owed (quay queue shows it), then run quay settle again.',
    retryable: true,
  },
  SETTLEMENT_REFUSED: {
    en: 'The bank did not accept the settlement',
    vi: 'Ngân hàng không chấp nhận quyết toán',
    action: 'The batch stays open; run quay settle again, and call the bank if the code repeats.',
    retryable: true,
  },
  NOT_VOIDABLE: {
    en: 'This payment can no longer be voided',
    vi: 'Giao dịch này không thể hủy được nữa',
    action: 'A void is possible only for an approved sale of the open batch; refund it instead.',
    retryable: false,
  },
  NOT_REFUNDABLE: {
    en: 'This payment cannot be refunded for that amount',
    vi: 'Không thể hoàn tiền giao dịch này với số tiền đó',
    action: 'Refunds of one sale add up to at most its amount; check the earlier refunds.',
    retryable: false,
  },
  PARAMS_BATCH_OPEN: {
    en: 'The new parameters would change the bank details of an open batch',
    vi: 'Tham số mới làm thay đổi thông tin ngân hàng của lô giao dịch đang mở',
    action: 'Settle the open batch (quay settle), then apply the parameters again.',
    retryable: false,
  },
  QR_MALFORMED: {
    en: 'The QR payment code is malformed',
    vi: 'Mã QR thanh toán sai định dạng',
    action: 'Make a new code; for a code from elsewhere, read the field named in the message.',
    retryable: false,
  },
  QR_CRC_MISMATCH: {
    en: 'The QR payment code fails its check value (CRC)',
    vi: 'Mã QR thanh toán sai mã kiểm tra (CRC)',
    action: 'The code was altered or misread: scan it again, or make a new code.',
    retryable: true,
  },
  QR_LENGTH_MISMATCH: {
    en: 'A field of the QR payment code disagrees with the length of its group',
    vi: 'Độ dài một trường trong mã QR không khớp với nhóm chứa nó',
    action: 'Make a new code; if the bank makes such codes, set lengths outer-only in its profile.',
    retryable: false,
  },
  QR_FIELD_INVALID: {
    en: 'A field of the QR payment code has a value VietQR does not allow',
    vi: 'Một trường trong mã QR có giá trị không hợp lệ theo chuẩn VietQR',
    action: 'Correct the field named in the message (bank BIN, account, amount or content).',
    retryable: false,
  },
  QR_TIMEOUT: {
    en: 'No transfer for the QR code arrived in time',
    vi: 'Chưa nhận được chuyển khoản cho mã QR trong thời gian chờ',
    action: "See the payer's bank app; a transfer arriving later is flagged for the supervisor.",
    retryable: true,
  },
  QR_CANCELLED: {
    en: 'The QR payment was cancelled',
    vi: 'Thanh toán QR đã bị hủy',
    action: 'Do not take the fee twice: a transfer arriving later is flagged for the supervisor.',
    retryable: false,
  },
  QR_PAYMENT_MISMATCH: {
    en: 'A transfer arrived that does not match the QR code',
    vi: 'Nhận được chuyển khoản không khớp với mã QR',
    action: 'A supervisor checks the transfer with the bank; differences are settled by transfer.',
    retryable: false,
  },
  QR_SIGNATURE_INVALID: {
    en: 'A payment confirmation failed its signature check',
    vi: 'Xác nhận thanh toán sai chữ ký xác thực',
    action: 'Nothing was recorded; check the shared secret with the bank or gateway.',
    retryable: false,
  },
  QR_GATEWAY_UNREACHABLE: {
    en: "The bank's QR confirmation service cannot be reached",
    vi: 'Không kết nối được dịch vụ xác nhận QR của ngân hàng',
    action: 'Check the network link; the terminal keeps asking until the wait ends.',
    retryable: true,
  },
  QR_REFUND_BY_TRANSFER: {
    en: 'A QR payment is refunded by bank transfer, not through the card terminal',
    vi: 'Thanh toán QR được hoàn tiền bằng chuyển khoản ngân hàng, không qua máy thanh toán thẻ',
    action: "Return the money by a transfer to the payer's account; the card host never held it.",
    retryable: false,
  },
  IDEMPOTENCY_KEY_REUSED: {
    en: 'This idempotency key was used for another request',
    vi: 'Khóa chống trùng lặp này đã được dùng cho một yêu cầu khác',
    action: 'Ask for the status by this key to see what it names; a new request needs a new key.',
    retryable: false,
  },
} as const satisfies Record<string, ErrorInfo>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface QuayErrorOptions {
  cause?: unknown;
  /** Context for logs: field or tag names, masked bytes. Never card data in clear. */
  detail?: Record<string, unknown>;
}

export class QuayError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly detail: Record<string, unknown>;

  constructor(code: ErrorCode, message?: string, options: QuayErrorOptions = {}) {
    super(message ?? ERROR_CATALOGUE[code].en, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = ERROR_CATALOGUE[code].retryable;
    this.detail = options.detail ?? {};
  }

  get info(): ErrorInfo {
    return ERROR_CATALOGUE[this.code];
  }
}

/** Malformed BER-TLV or DOL data from a card or a host. */
export class TlvError extends QuayError {}
/** A card that answered wrongly, was removed, or refused the payment. */
export class CardError extends QuayError {}
/** The reader or the PC/SC service failed. */
export class ReaderError extends QuayError {}
/** An ISO 8583 message that could not be packed or unpacked. */
export class Iso8583Error extends QuayError {}
/** The acquirer link failed: unreachable, timed out, or out of protocol. */
export class HostError extends QuayError {}
export class PrinterError extends QuayError {}
export class DisplayError extends QuayError {}
export class ConfigError extends QuayError {}
export class JournalError extends QuayError {}
/** A request from the desk software or the clerk that cannot be carried out. */
export class RequestError extends QuayError {}
/** A key of the bank link missing, unreadable, or not matching its check value. */
export class KeyError extends QuayError {}

export function isQuayError(err: unknown): err is QuayError {
  return err instanceof QuayError;
}

/** The error as a QuayError: itself, or wrapped under `fallback` with its message. */
export function asQuayError(err: unknown, fallback: ErrorCode): QuayError {
  if (err instanceof QuayError) return err;
  return new QuayError(fallback, err instanceof Error ? err.message : String(err), { cause: err });
}
