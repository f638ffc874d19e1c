import { formatDateTime } from './format';
import { QR_LABELS, RECEIPT_LABELS } from './labels';
import { merchantHeader, pair, paymentBlock, RULE, text } from './layout';
import type { QrReceiptData, QrSlipData, ReceiptLine } from './types';

function checkColumns(columns: number): void {
  if (!Number.isInteger(columns) || columns < 16) {
    throw new RangeError(`a receipt needs at least 16 columns, got ${columns}`);
  }
}

/**
 * The code slip as lines: unit, title, fee and amount in figures and words, then the code
 * with the words that tell the payer what to do, the short reference the bank matches on and
 * the time the code stops being waited for. Error correction M, as src/qr/render.ts draws it
 * for the screen: a VietQR payload stays a small version, so modules stay large on 58 mm.
 */
export function qrSlipLines(data: QrSlipData, columns: number): ReceiptLine[] {
  checkColumns(columns);
  const language = data.language ?? 'vi';
  const l = RECEIPT_LABELS[language];
  const q = QR_LABELS[language];
  const center = { align: 'center' as const };
  return [
    ...merchantHeader(data.merchant, l.taxCode, columns),
    ...text(q.slipTitle, columns, { ...center, bold: true }),
    RULE,
    ...paymentBlock(data, l, columns),
    { kind: 'qr', data: data.payload, level: 'M' },
    ...text(q.scan, columns, center),
    ...pair(q.transferContent, data.qrReference, columns, true),
    ...(data.validUntil ? pair(q.validUntil, formatDateTime(data.validUntil), columns) : []),
  ];
}

/**
 * The paid receipt as lines: header and amount as on a card receipt, the tender, the bank's
 * transfer reference and the short reference, the result and the copy mark. A QR payment
 * never touched a card, so nothing of one is printed.
 */
export function qrReceiptLines(data: QrReceiptData, columns: number): ReceiptLine[] {
  checkColumns(columns);
  const language = data.language ?? 'vi';
  const l = RECEIPT_LABELS[language];
  const q = QR_LABELS[language];
  const mark = { align: 'center' as const, bold: true };
  return [
    ...merchantHeader(data.merchant, l.taxCode, columns),
    ...text(q.receiptTitle, columns, mark),
    ...(data.reprint ? text(l.reprint, columns, mark) : []),
    RULE,
    ...pair(l.dateTime, formatDateTime(data.dateTime), columns),
    ...pair('MID', data.merchant.merchantId, columns),
    ...pair('TID', data.merchant.terminalId, columns),
    ...pair(q.tender, q.vietQr, columns),
    ...pair(q.bankReference, data.bankReference, columns),
    ...pair(q.transferContent, data.qrReference, columns),
    RULE,
    ...paymentBlock(data, l, columns),
    ...text(l.approved, columns, { ...mark, size: 'double' }),
    RULE,
    ...text(data.copy === 'customer' ? l.customerCopy : l.merchantCopy, columns, mark),
    ...(data.copy === 'customer' ? text(l.thanks, columns, { align: 'center' }) : []),
  ];
}
