import { formatDateTime, formatVnd, sixDigits } from './format';
import { RECEIPT_LABELS, REPORT_LABELS, type ReportLabels } from './labels';
import { merchantHeader, pair, RULE, text } from './layout';
import type { BatchTotals, ReceiptLine, SchemeTotals, TotalsEntry } from './types';

type Language = 'vi' | 'en';

function net(s: SchemeTotals): TotalsEntry {
  return {
    count: s.sales.count - s.voids.count - s.refunds.count,
    amount: s.sales.amount - s.voids.amount - s.refunds.amount,
  };
}

/**
 * "3 GD 450.000 ₫": the count with its unit, so that it does not read as part of the
 * amount, then the amount; negative nets print with a minus sign.
 */
function entry(e: TotalsEntry, l: ReportLabels, language: Language): string {
  const figure = formatVnd(Math.abs(e.amount), language);
  return `${e.count} ${l.transactions} ${e.amount < 0 ? '-' : ''}${figure}`;
}

function schemeBlock(s: SchemeTotals, l: ReportLabels, language: Language,
  cols: number): ReceiptLine[] {
  return [
    ...text(s.scheme, cols, { bold: true }),
    ...pair(l.sales, entry(s.sales, l, language), cols),
    ...pair(l.voids, entry(s.voids, l, language), cols),
    ...pair(l.refunds, entry(s.refunds, l, language), cols),
    ...pair(l.net, entry(net(s), l, language), cols, true),
  ];
}

function closing(totals: BatchTotals, l: ReportLabels, cols: number): ReceiptLine[] {
  const center = { align: 'center' as const, bold: true };
  if (totals.report === 'X') return text(l.batchOpen, cols, center);
  return [
    ...text(`${l.batchClosed} ${sixDigits(totals.batch)}`, cols, center),
    ...pair(l.nextBatch, sixDigits(totals.batch + 1), cols),
  ];
}

/**
 * An end-of-day report as lines: counts and totals by card scheme (sales, voids, refunds,
 * net) and by tender (card, QR), the grand total, and for a Z report the batch it closes
 * and the one that follows.
 */
export function reportLines(totals: BatchTotals, columns: number): ReceiptLine[] {
  if (!Number.isInteger(columns) || columns < 16) {
    throw new RangeError(`a report needs at least 16 columns, got ${columns}`);
  }
  const language = totals.language ?? 'vi';
  const l = REPORT_LABELS[language];
  const { card, qr } = totals.tenders;
  const total = { count: card.count + qr.count, amount: card.amount + qr.amount };
  return [
    ...merchantHeader(totals.merchant, RECEIPT_LABELS[language].taxCode, columns),
    ...text(totals.report === 'X' ? l.xTitle : l.zTitle, columns,
      { align: 'center', bold: true }),
    RULE,
    ...pair('MID', totals.merchant.merchantId, columns),
    ...pair('TID', totals.merchant.terminalId, columns),
    ...pair(l.batch, sixDigits(totals.batch), columns),
    ...pair(l.opened, formatDateTime(totals.openedAt), columns),
    ...pair(l.printed, formatDateTime(totals.printedAt), columns),
    RULE,
    ...text(l.byScheme, columns, { align: 'center', bold: true }),
    ...totals.schemes.flatMap((s) => schemeBlock(s, l, language, columns)),
    RULE,
    ...text(l.byTender, columns, { align: 'center', bold: true }),
    ...pair(l.card, entry(card, l, language), columns),
    ...pair(l.qr, entry(qr, l, language), columns),
    { kind: 'rule', style: 'double' },
    ...pair(l.total, entry(total, l, language), columns, true),
    RULE,
    ...closing(totals, l, columns),
  ];
}
