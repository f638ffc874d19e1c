import type { TransactionRow } from '../journal/journal';
import type { TransactionState } from '../journal/states';
import type { PaymentResult } from '../terminal/payment';
import { outcomeReason } from '../terminal/receipts';
import type { PublicStatus, PublicTransaction } from './schemas';

/**
 * The status desk software acts on. Before the request leaves, the payment is in progress;
 * once it is out and until the bank's answer is read, its outcome is unknown (a lost answer
 * is settled by a reversal, never by a guess).
 */
export function statusOf(state: TransactionState): PublicStatus {
  switch (state) {
    case 'created': case 'card_read': return 'in_progress';
    case 'sent': return 'outcome_unknown';
    // The bank took the advice: the payment stands approved there as an online one does.
    case 'settled': case 'advice_accepted': return 'approved';
    case 'advice_sent': return 'approved_offline';
    // A QR code waiting for its transfer; one that expired or was cancelled is declined.
    case 'qr_waiting': return 'in_progress';
    case 'qr_expired': return 'declined';
    case 'qr_flagged': return 'flagged';
    default: return state;
  }
}

/** States in which the terminal may still change the payment by itself. */
export const RUNNING_STATES: readonly TransactionState[] = ['created', 'card_read', 'sent'];

/** Which states a status filter means. */
export function statesOf(status: string): TransactionState[] {
  if (status === 'in_progress') return ['created', 'card_read', 'qr_waiting'];
  if (status === 'outcome_unknown') return ['sent'];
  if (status === 'declined') return ['declined', 'qr_expired'];
  if (status === 'flagged') return ['qr_flagged'];
  if (status === 'approved') return ['approved', 'settled', 'advice_accepted'];
  if (status === 'approved_offline') return ['approved_offline', 'advice_sent'];
  return [status as TransactionState];
}

/** A journal row as desk software sees it: the masked card number only. */
export function publicTransaction(row: TransactionRow): PublicTransaction {
  return {
    journalId: row.id, kind: kindOf(row), originalId: row.original_id,
    status: statusOf(row.state), state: row.state, amount: row.amount,
    currency: 'VND', reference: row.reference, description: row.description, payer: row.payer,
    operator: row.operator, idempotencyKey: row.idempotency_key, createdAt: row.created_at,
    updatedAt: row.updated_at, stan: row.stan, invoice: row.invoice, batch: row.batch,
    maskedPan: row.masked_pan, application: row.app_label ?? row.aid,
    responseCode: row.response_code, authCode: row.auth_code, rrn: row.rrn,
    reason: reasonOf(row), receiptKept: row.receipt_bytes_path !== null,
  };
}

function kindOf(row: TransactionRow): PublicTransaction['kind'] {
  return row.kind === 'void' || row.kind === 'refund' || row.kind === 'qr' ? row.kind
    : 'purchase';
}

export function publicResult(row: TransactionRow, result: PaymentResult) {
  return {
    ...publicTransaction(row),
    replayed: result.replayed,
    ...(result.toForward ? { toForward: result.toForward } : {}),
    receipt: result.receipt === null ? null
      : { printed: result.receipt.printed, error: result.receipt.error ?? null },
  };
}

function reasonOf(row: TransactionRow): PublicTransaction['reason'] {
  if (statusOf(row.state) === 'approved' || statusOf(row.state) === 'approved_offline') {
    return null;
  }
  const words = outcomeReason(row);
  const code = row.state === 'reversal_pending' || row.state === 'reversed'
    ? row.state.toUpperCase()
    : row.error_code ?? (row.response_code ? `RC_${row.response_code}` : null);
  if (!code || !words) return null;
  return { code, ...words };
}
