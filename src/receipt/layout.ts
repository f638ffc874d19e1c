import { amountInWords } from './amount-words';
import { formatDateTime, formatVnd, printablePan, sixDigits } from './format';
import { RECEIPT_LABELS, type ReceiptLabels } from './labels';
import type { Align, ReceiptData, ReceiptLine, ReceiptMerchant } from './types';

/** Characters as a printer counts them: Vietnamese letters precomposed (NFC), one each. */
export function textLength(text: string): number {
  return [...text.normalize('NFC')].length;
}

/** Word wrap to at most `width` characters a line; a word longer than a line is cut. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.normalize('NFC').split(/\s+/).filter(Boolean)) {
    let rest = [...word];
    while (rest.length > width) {
      if (line) lines.push(line);
      lines.push(rest.slice(0, width).join(''));
      rest = rest.slice(width);
      line = '';
    }
    const piece = rest.join('');
    if (!piece) continue;
    if (!line) line = piece;
    else if (textLength(line) + 1 + rest.length <= width) line += ` ${piece}`;
    else {
      lines.push(line);
      line = piece;
    }
  }
  if (line) lines.push(line);
  return lines;
}

interface TextStyle {
  align?: Align;
  bold?: boolean;
  size?: 'normal' | 'double';
}

export function text(value: string, columns: number, style: TextStyle = {}): ReceiptLine[] {
  const width = style.size === 'double' ? Math.floor(columns / 2) : columns;
  return wrapText(value, width).map((t) => ({
    kind: 'text' as const,
    text: t,
    align: style.align ?? 'left',
    ...(style.bold ? { bold: true } : {}),
    ...(style.size === 'double' ? { size: 'double' as const } : {}),
  }));
}

/** Label left, value right on one line; on two when they do not fit (value right-aligned). */
export function pair(label: string, value: string, columns: number, bold = false):
  ReceiptLine[] {
  const v = value.normalize('NFC');
  if (textLength(label) + 1 + textLength(v) <= columns) {
    return [{ kind: 'pair', label, value: v, ...(bold ? { bold } : {}) }];
  }
  return [...text(`${label}:`, columns, { bold }), ...text(v, columns, { align: 'right', bold })];
}

function optionalPair(label: string, value: string | undefined, columns: number): ReceiptLine[] {
  return value ? pair(label, value, columns) : [];
}

export const RULE: ReceiptLine = { kind: 'rule', style: 'single' };

/** The unit's name, address and tax code, as every receipt and report heads. */
export function merchantHeader(m: ReceiptMerchant, taxLabel: string, cols: number):
  ReceiptLine[] {
  return [
    ...text(m.name, cols, { align: 'center', bold: true }),
    ...text(m.address, cols, { align: 'center' }),
    ...(m.taxCode ? text(`${taxLabel}: ${m.taxCode}`, cols, { align: 'center' }) : []),
    { kind: 'rule', style: 'double' },
  ];
}

function title(data: ReceiptData, l: ReceiptLabels): string {
  if (data.transaction === 'void') return l.voidTitle;
  if (data.transaction === 'refund') return l.refundTitle;
  return l.title;
}

function header(data: ReceiptData, l: ReceiptLabels, cols: number): ReceiptLine[] {
  const mark = { align: 'center' as const, bold: true };
  return [
    ...merchantHeader(data.merchant, l.taxCode, cols),
    ...text(title(data, l), cols, mark),
    ...(data.reprint ? text(l.reprint, cols, mark) : []),
    ...(data.offline ? text(l.offline, cols, mark) : []),
    RULE,
  ];
}

/** What the payment block prints: the fee, its dossier and payer, the amount. */
export type PaymentFacts = Pick<ReceiptData, 'reference' | 'dossier' | 'description' | 'payer'
  | 'amount' | 'language' | 'transaction'>;

/** A void or refund gives back money: its amount prints with a minus sign. */
function signedAmount(data: PaymentFacts): string {
  const figure = formatVnd(data.amount, data.language ?? 'vi');
  return data.transaction === 'void' || data.transaction === 'refund' ? `-${figure}` : figure;
}

function terminalBlock(data: ReceiptData, l: ReceiptLabels, cols: number): ReceiptLine[] {
  return [
    ...pair(l.dateTime, formatDateTime(data.dateTime), cols),
    ...pair('MID', data.merchant.merchantId, cols),
    ...pair('TID', data.merchant.terminalId, cols),
    ...pair(l.batch, sixDigits(data.batch), cols),
    ...pair(l.invoice, sixDigits(data.invoice), cols),
    ...pair('STAN', sixDigits(data.stan), cols),
    ...optionalPair('RRN', data.rrn, cols),
    ...(data.original ? [
      ...pair(l.originalInvoice, sixDigits(data.original.invoice), cols),
      ...pair(l.originalStan, sixDigits(data.original.stan), cols),
    ] : []),
    RULE,
  ];
}

function cardBlock(data: ReceiptData, l: ReceiptLabels, cols: number): ReceiptLine[] {
  return [
    ...optionalPair(l.cardType, data.scheme, cols),
    ...pair(l.cardNumber, printablePan(data.maskedPan), cols),
    ...pair(l.entryMode, l.chip, cols),
    ...optionalPair(l.application, data.application.label, cols),
    ...pair('AID', data.application.aid.toUpperCase(), cols),
    ...optionalPair('TVR', data.tvr?.toUpperCase(), cols),
    ...optionalPair('TSI', data.tsi?.toUpperCase(), cols),
    ...optionalPair(l.cryptogram, data.cryptogram?.toUpperCase(), cols),
    RULE,
  ];
}

/** The fee, dossier, description and payer, then the amount in figures and in words. */
export function paymentBlock(data: PaymentFacts, l: ReceiptLabels, cols: number):
  ReceiptLine[] {
  const language = data.language ?? 'vi';
  return [
    ...pair(l.reference, data.reference, cols),
    ...optionalPair(l.dossier, data.dossier, cols),
    ...(data.description ? text(`${l.description}: ${data.description}`, cols) : []),
    ...(data.payer ? text(`${l.payer}: ${data.payer}`, cols) : []),
    RULE,
    ...text(l.amount, cols, { bold: true }),
    ...text(signedAmount(data), cols, { align: 'right', bold: true, size: 'double' }),
    ...text(`${l.inWords}: ${amountInWords(data.amount, language)}`, cols),
    RULE,
  ];
}

function cvmLines(data: ReceiptData, l: ReceiptLabels, cols: number): ReceiptLine[] {
  const center = { align: 'center' as const };
  const noSignature = text(l.noSignature, cols, center);
  if (data.cvm === 'pin') return [...text(l.pinVerified, cols, center), ...noSignature];
  if (data.cvm === 'none') return noSignature;
  // The cardholder signs the merchant copy only; the customer keeps theirs unsigned.
  if (data.copy === 'customer') return [];
  return [
    ...text(`${l.signHere}:`, cols),
    { kind: 'space', lines: 3 },
    { kind: 'rule', style: 'dotted' },
    ...text(l.agreement, cols, center),
  ];
}

function resultBlock(data: ReceiptData, l: ReceiptLabels, cols: number): ReceiptLine[] {
  const language = data.language ?? 'vi';
  if (data.result === 'declined') {
    return [
      ...text(l.declined, cols, { align: 'center', bold: true }),
      ...optionalPair(l.responseCode, data.responseCode, cols),
      ...(data.reason ? text(data.reason[language], cols, { align: 'center' }) : []),
      RULE,
    ];
  }
  return [
    ...text(l.approved, cols, { align: 'center', bold: true, size: 'double' }),
    ...(data.authCode ? pair(l.authCode, data.authCode, cols, true) : []),
    ...cvmLines(data, l, cols),
    RULE,
  ];
}

function footer(data: ReceiptData, l: ReceiptLabels, cols: number): ReceiptLine[] {
  const copy = data.copy === 'customer' ? l.customerCopy : l.merchantCopy;
  return [
    ...text(copy, cols, { align: 'center', bold: true }),
    ...(data.copy === 'customer' ? text(l.thanks, cols, { align: 'center' }) : []),
  ];
}

/**
 * The receipt as lines for a printer `columns` characters wide: merchant, title (sale, void
 * or refund) with the reprint and offline marks, terminal numbers (and the original sale of
 * a void or refund), card (masked; never the expiry date), payment, amount in figures and
 * words, result, cardholder verification, an optional QR code and the copy mark. The card
 * number is re-masked here, whatever the caller passed.
 */
export function receiptLines(data: ReceiptData, columns: number): ReceiptLine[] {
  if (!Number.isInteger(columns) || columns < 16) {
    throw new RangeError(`a receipt needs at least 16 columns, got ${columns}`);
  }
  const labels = RECEIPT_LABELS[data.language ?? 'vi'];
  return [
    ...header(data, labels, columns),
    ...terminalBlock(data, labels, columns),
    ...cardBlock(data, labels, columns),
    ...paymentBlock(data, labels, columns),
    ...resultBlock(data, labels, columns),
    ...(data.qr ? [{ kind: 'qr' as const, data: data.qr }, RULE] : []),
    ...footer(data, labels, columns),
  ];
}
