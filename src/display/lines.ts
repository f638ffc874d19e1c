import { groupThousands } from '../receipt/format';
import { foldToAscii } from './fold';

/** What the customer should see at each step of a payment. */
export type DisplayEvent =
  | { kind: 'idle' }
  | { kind: 'amount'; amount: number }
  | { kind: 'insertCard'; amount: number }
  | { kind: 'enterPin'; amount: number }
  | { kind: 'processing' }
  | { kind: 'connecting' }
  | { kind: 'approved'; amount: number }
  /** reason: a short text from the bank's response, in both languages (e.g. "Không đủ số dư"). */
  | { kind: 'declined'; reason?: { vi: string; en: string } }
  | { kind: 'cardNotAccepted' }
  | { kind: 'removeCard' }
  /** The last screen of a payment, after the card is out. */
  | { kind: 'thankYou' }
  | { kind: 'error'; message?: { vi: string; en: string } };

export type DisplayLanguage = 'vi' | 'en';

type Align = 'left' | 'center' | 'right';
type Line = [text: string, align: Align];

/** The display's own amount form: "150.000 VND" (Vietnamese grouping) or "VND 150,000". */
export function displayAmount(amount: number, lang: DisplayLanguage): string {
  return lang === 'vi'
    ? `${groupThousands(amount, '.')} VND`
    : `VND ${groupThousands(amount, ',')}`;
}

/** Vietnamese is written with its diacritics here and folded for the display afterwards. */
function wording(event: DisplayEvent, lang: DisplayLanguage): [Line, Line] {
  const vi = lang === 'vi';
  switch (event.kind) {
    case 'idle':
      return [[vi ? 'Quầy thu phí' : 'Fee counter', 'center'],
        [vi ? 'Xin chào' : 'Welcome', 'center']];
    case 'amount':
      return [[vi ? 'Số tiền:' : 'Amount:', 'left'], [displayAmount(event.amount, lang), 'right']];
    case 'insertCard':
      return [[vi ? 'Vui lòng cắm thẻ' : 'Please insert card', 'center'],
        [displayAmount(event.amount, lang), 'right']];
    case 'enterPin':
      return [[vi ? 'Vui lòng nhập PIN' : 'Please enter PIN', 'center'],
        [displayAmount(event.amount, lang), 'right']];
    case 'processing':
      return [[vi ? 'Đang xử lý...' : 'Processing...', 'center'],
        [vi ? 'Xin chờ giây lát' : 'Please wait', 'center']];
    case 'connecting':
      return [[vi ? 'Đang kết nối' : 'Connecting to', 'center'],
        [vi ? 'ngân hàng...' : 'the bank...', 'center']];
    case 'approved':
      return [[vi ? 'Thành công' : 'Approved', 'center'],
        [displayAmount(event.amount, lang), 'right']];
    case 'declined':
      return [[vi ? 'Giao dịch bị từ chối' : 'Declined', 'center'],
        [event.reason ? event.reason[lang] : '', 'center']];
    case 'cardNotAccepted':
      return [[vi ? 'Thẻ không được' : 'Card not accepted', 'center'],
        [vi ? 'chấp nhận' : '', 'center']];
    case 'removeCard':
      return [[vi ? 'Vui lòng rút thẻ' : 'Please remove card', 'center'],
        [vi ? 'Cảm ơn quý khách' : 'Thank you', 'center']];
    case 'thankYou':
      return [[vi ? 'Cảm ơn quý khách' : 'Thank you', 'center'],
        [vi ? 'Hẹn gặp lại' : 'See you again', 'center']];
    case 'error':
      return [[vi ? 'Có lỗi xảy ra' : 'Error', 'center'],
        [event.message ? event.message[lang] : '', 'center']];
  }
}

/** Cuts at the last word boundary that fits, or hard at the width for a single long word. */
function fit(text: string, columns: number): string {
  if (text.length <= columns) return text;
  const cut = text.lastIndexOf(' ', columns);
  return (cut > columns / 2 ? text.slice(0, cut) : text.slice(0, columns)).trimEnd();
}

function place([text, align]: Line, columns: number): string {
  const t = fit(foldToAscii(text).toUpperCase().trim(), columns);
  const room = columns - t.length;
  if (align === 'left') return t.padEnd(columns);
  if (align === 'right') return t.padStart(columns);
  return (' '.repeat(Math.floor(room / 2)) + t).padEnd(columns);
}

/**
 * The two lines a pole display shows for an event: upper case, folded to ASCII, each exactly
 * `columns` characters (padded with spaces), prompts centred and amounts right-aligned.
 */
export function displayLines(event: DisplayEvent, lang: DisplayLanguage = 'vi',
  columns = 20): [string, string] {
  const [first, second] = wording(event, lang);
  return [place(first, columns), place(second, columns)];
}
