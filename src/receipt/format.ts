import { RequestError } from '../errors';

/** Vietnam keeps one offset all year (UTC+7, no daylight saving): receipts print local time. */
export const RECEIPT_TIME_ZONE = 'Asia/Ho_Chi_Minh';

/** 150000 → "150.000" (Vietnamese groups thousands with a dot) or "150,000". */
export function groupThousands(amount: number, separator: '.' | ',' = '.'): string {
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw new RequestError('AMOUNT_INVALID', `not a whole non-negative amount: ${amount}`, {
      detail: { amount },
    });
  }
  return String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, separator);
}

/** The printed figure: "150.000 ₫" in Vietnamese, "VND 150,000" in English. */
export function formatVnd(amount: number, language: 'vi' | 'en' = 'vi'): string {
  return language === 'vi'
    ? `${groupThousands(amount, '.')} ₫`
    : `VND ${groupThousands(amount, ',')}`;
}

/** "05/03/2025 14:32:07", day first, in Vietnam time whatever the machine's zone. */
export function formatDateTime(date: Date): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: RECEIPT_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(date);
  const get = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '??';
  const day = `${get('day')}/${get('month')}/${get('year')}`;
  return `${day} ${get('hour')}:${get('minute')}:${get('second')}`;
}

/**
 * The card number as printed: every digit but the last four hidden, grouped by four.
 * It re-masks whatever it is given, so a full PAN passed by mistake still prints masked.
 */
export function printablePan(maskedPan: string): string {
  const chars = maskedPan.replace(/[^0-9*Xx]/g, '');
  const shown = chars.slice(-4);
  const hidden = '*'.repeat(Math.max(chars.length - 4, 0));
  return (hidden + shown).replace(/(.{4})(?=.)/g, '$1 ');
}

/** Six digits, zero-padded: batch, invoice and STAN numbers as terminals print them. */
export function sixDigits(n: number): string {
  return String(n).padStart(6, '0');
}
