import { HostError } from '../errors';

/**
 * The batch totals of a settlement request (0500) in field 63, as 30 digits: sale count (3),
 * sale amount (12), refund count (3), refund amount (12). Amounts are whole dong.
 * Processing codes (field 3) of this profile: 920000 for the settlement, 960000 for the final
 * settlement after a batch upload; 0320 batch upload items carry 000000 (sale) or 200000
 * (refund) and the original MTI and STAN in field 60 ("0200" and six digits).
 */

export interface BatchTotals {
  saleCount: number;
  saleAmount: number;
  refundCount: number;
  refundAmount: number;
}

export const SETTLEMENT_CODE = '920000';
export const SETTLEMENT_AFTER_UPLOAD_CODE = '960000';
/** Response code of a settlement whose totals the host does not agree with. */
export const TOTALS_MISMATCH = '95';
export const TOTALS_FIELD = 63;

export function emptyTotals(): BatchTotals {
  return { saleCount: 0, saleAmount: 0, refundCount: 0, refundAmount: 0 };
}

export function totalsText(t: BatchTotals): string {
  const n = (v: number, w: number): string => {
    if (!Number.isSafeInteger(v) || v < 0 || String(v).length > w) {
      throw new HostError('HOST_PROTOCOL', `batch total ${v} does not fit ${w} digits`);
    }
    return String(v).padStart(w, '0');
  };
  return n(t.saleCount, 3) + n(t.saleAmount, 12) + n(t.refundCount, 3) + n(t.refundAmount, 12);
}

export function parseTotals(text: string | undefined): BatchTotals | undefined {
  if (text === undefined || !/^\d{30}$/.test(text)) return undefined;
  return {
    saleCount: Number(text.slice(0, 3)), saleAmount: Number(text.slice(3, 15)),
    refundCount: Number(text.slice(15, 18)), refundAmount: Number(text.slice(18, 30)),
  };
}

export function sameTotals(a: BatchTotals, b: BatchTotals): boolean {
  return a.saleCount === b.saleCount && a.saleAmount === b.saleAmount
    && a.refundCount === b.refundCount && a.refundAmount === b.refundAmount;
}
