import type { SettlementResult } from '../acquirer/settlement';
import type { Journal, TransactionRow } from '../journal/journal';
import type { SchemeTotals, TotalsEntry } from '../receipt/types';
import type { ReportData } from './receipts';

/**
 * The card schemes by registered application provider identifier, the first five bytes of
 * the AID (ISO/IEC 7816-5; EMV Book 1 12.2.1). An AID of another provider is grouped under
 * its application label.
 */
const SCHEMES_BY_RID: Record<string, string> = {
  A000000003: 'VISA',
  A000000004: 'MASTERCARD',
  A000000025: 'AMEX',
  A000000065: 'JCB',
  A000000333: 'UNIONPAY',
  A000000727: 'NAPAS',
};

/** States in which the bank holds a transaction of the batch (settled: the batch closed). */
const HELD_STATES = ['approved', 'advice_accepted', 'settled'] as const;

export function schemeOf(row: Pick<TransactionRow, 'aid' | 'app_label'>): string {
  const rid = row.aid?.slice(0, 10).toUpperCase();
  return (rid && SCHEMES_BY_RID[rid]) ?? row.app_label ?? 'OTHER';
}

function add(entry: TotalsEntry, amount: number): void {
  entry.count += 1;
  entry.amount += amount;
}

/**
 * A batch's figures by scheme from the journal. Sales count every sale the bank approved,
 * voided later or not, so that the report shows what was voided beside it; a void row itself
 * is not counted again (its sale, state 'voided', is). Refunds are refund rows the bank holds.
 */
export function schemeTotals(journal: Journal, batch: number): SchemeTotals[] {
  const rows = journal.batchRows(batch, [...HELD_STATES, 'voided']);
  const byScheme = new Map<string, SchemeTotals>();
  for (const row of rows) {
    if (row.kind === 'void') continue;
    const scheme = schemeOf(row);
    let totals = byScheme.get(scheme);
    if (!totals) {
      totals = { scheme, sales: { count: 0, amount: 0 }, voids: { count: 0, amount: 0 },
        refunds: { count: 0, amount: 0 } };
      byScheme.set(scheme, totals);
    }
    if (row.kind === 'refund') add(totals.refunds, row.amount);
    else {
      add(totals.sales, row.amount);
      if (row.state === 'voided') add(totals.voids, row.amount);
    }
  }
  return [...byScheme.values()].sort((a, b) => a.scheme.localeCompare(b.scheme));
}

export interface ReportIds {
  terminalId: string;
  merchantId: string;
}

/**
 * What an X or Z report prints of a batch. The card tender is the net the bank was sent
 * (sales − refunds of the 0500, voided sales already out); QR transfers are settled by the
 * bank outside the card batch and the journal holds none of them, so their line is zero.
 * The batch opened with its first transaction: the journal keeps no other opening time.
 */
export function batchReportData(journal: Journal, report: 'X' | 'Z', batch: number,
  ids: ReportIds, printedAt = new Date()): ReportData {
  const schemes = schemeTotals(journal, batch);
  const first = journal.batchRows(batch, [...HELD_STATES, 'voided'])[0];
  const card = schemes.reduce((sum, s) => ({
    count: sum.count + s.sales.count - s.voids.count - s.refunds.count,
    amount: sum.amount + s.sales.amount - s.voids.amount - s.refunds.amount,
  }), { count: 0, amount: 0 });
  return {
    report, batch, ...ids, schemes, printedAt,
    openedAt: first ? new Date(first.created_at) : printedAt,
    tenders: { card, qr: { count: 0, amount: 0 } },
  };
}

/**
 * The Z report of a batch the bank accepted: the schemes from its rows, now settled, and the
 * card line from the totals the settlement sent (0500 field 63), which the bank agreed to.
 */
export function zReportData(journal: Journal, result: SettlementResult, ids: ReportIds,
  printedAt = new Date()): ReportData {
  const data = batchReportData(journal, 'Z', result.batch, ids, printedAt);
  const { totals } = result;
  return { ...data, tenders: { ...data.tenders, card: {
    count: totals.saleCount - totals.refundCount,
    amount: totals.saleAmount - totals.refundAmount,
  } } };
}
