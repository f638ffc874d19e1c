import { foldVietnamese } from '../qr/reference';
import type { BankTransfer } from '../qr/transfer';
import type { Journal, JournalTx, TransactionRow } from './journal';

/**
 * QR payments in the journal (schema 8): a row of kind 'qr' per code shown, and in
 * `qr_transfers` every transfer the bank reported, under the bank's own transaction ID. That
 * ID is the table's key, so a notification or poll repeating a transfer is recognised as such
 * even after a restart, and a transfer is matched to its payment in the same commit that
 * records it: a crash leaves both or neither.
 *
 * What a transfer does depends on the payment its content names (states.ts):
 * - waiting, same amount: the payment is approved ('paid');
 * - waiting, another amount: the payment is flagged ('amount-mismatch');
 * - expired (timed out or cancelled): the payment is flagged ('late');
 * - already approved, flagged or failed: the payment stays; the transfer is flagged ('extra');
 * - no payment of this terminal: kept, linked to nothing ('unknown').
 */

export type QrDisposition = 'paid' | 'amount-mismatch' | 'late' | 'extra' | 'unknown';

/** Dispositions a supervisor must look at: the money moved, but not as the code asked. */
export const FLAGGED_DISPOSITIONS: readonly QrDisposition[] = ['amount-mismatch', 'late', 'extra'];

export interface NewQrPayment {
  /** Whole dong. */
  amount: number;
  /** The fee reference from the desk software (dossier, invoice or bill number). */
  reference: string;
  /** The short reference carried in the transfer content (62.08). */
  qrReference: string;
  description?: string;
  payer?: string;
  operator?: string;
  idempotencyKey?: string;
  terminalId: string;
  merchantId: string;
}

export interface QrTransferRow {
  transfer_id: string;
  transaction_id: number | null;
  amount: number;
  content: string;
  paid_at: string;
  received_at: string;
  disposition: QrDisposition;
  reviewed_at: string | null;
}

/** What recording a reported transfer did; `duplicate` when its ID was already kept. */
export interface QrTransferResult {
  disposition: QrDisposition | 'duplicate';
  transactionId: number | null;
}

/** Payments taken by one tender: how many, and their total in whole dong. */
export interface TenderTotal {
  count: number;
  amount: number;
}

/** The content as a run of upper-case letters and digits, as banks may pass it on. */
function squeezed(content: string): string {
  return foldVietnamese(content).toUpperCase().replace(/[^A-Z0-9]/g, '');
}

export class QrPaymentJournal {
  constructor(private readonly journal: Journal) {}

  /**
   * Writes the payment before its code exists. With an idempotency key already seen, returns
   * that transaction instead, so a repeated request never shows a second code.
   */
  create(p: NewQrPayment): { row: TransactionRow; created: boolean } {
    return this.journal.inTransaction((tx) => {
      if (p.idempotencyKey !== undefined) {
        const seen = this.journal.byIdempotencyKey(p.idempotencyKey);
        if (seen) return { row: seen, created: false };
      }
      const now = new Date().toISOString();
      const info = tx.db.prepare(`
        INSERT INTO transactions (created_at, updated_at, kind, state, amount, reference,
          description, payer, operator, idempotency_key, terminal_id, merchant_id, qr_reference)
        VALUES (?, ?, 'qr', 'created', ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
        now, now, p.amount, p.reference, p.description ?? null, p.payer ?? null,
        p.operator ?? null, p.idempotencyKey ?? null, p.terminalId, p.merchantId,
        p.qrReference);
      const id = Number(info.lastInsertRowid);
      tx.db.prepare(`INSERT INTO transaction_events (transaction_id, at, state, note)
        VALUES (?, ?, 'created', ?)`).run(id, now, `QR ${p.qrReference}`);
      return { row: this.journal.get(id)!, created: true };
    });
  }

  /** The wait begins: from now a transfer naming the reference pays the payment. */
  waiting(id: number): void {
    this.journal.move(id, 'qr_waiting', {}, 'waiting for the transfer');
  }

  /** Keeps the code shown, so that it can be shown again while the payment waits. */
  recordPayload(id: number, payload: string): void {
    this.journal.inTransaction((tx) => {
      tx.db.prepare('UPDATE transactions SET qr_payload = ? WHERE id = ?').run(payload, id);
    });
  }

  /**
   * The wait ended without a transfer (QR_TIMEOUT, QR_CANCELLED) or the code could not be
   * announced (`failed`). False when the payment had already moved on: a transfer came first.
   */
  end(id: number, to: 'qr_expired' | 'failed', errorCode: string, reason: string): boolean {
    return this.journal.inTransaction((tx) => {
      if (this.journal.get(id)?.state !== 'qr_waiting') return false;
      tx.move(id, to, { error_code: errorCode, reason }, reason);
      return true;
    });
  }

  /**
   * After a restart no wait is running: a payment left waiting is expired, so that the clerk
   * sees it ended and a transfer arriving for it later is flagged. Returns their IDs.
   */
  expireInterrupted(): number[] {
    return this.journal.inTransaction((tx) => {
      const ids = (tx.db.prepare(`SELECT id FROM transactions WHERE kind = 'qr'
        AND state = 'qr_waiting' ORDER BY id`).all() as { id: number }[]).map((r) => r.id);
      for (const id of ids) {
        tx.move(id, 'qr_expired', { error_code: 'QR_TIMEOUT',
          reason: 'quay stopped while the payment was waiting' }, 'recovered');
      }
      return ids;
    });
  }

  /** A transfer reported by the bank, recorded and matched in one commit. */
  recordTransfer(transfer: BankTransfer): QrTransferResult {
    return this.journal.inTransaction((tx) => {
      const known = tx.db.prepare('SELECT transaction_id FROM qr_transfers WHERE transfer_id = ?')
        .get(transfer.transactionId) as { transaction_id: number | null } | undefined;
      if (known) return { disposition: 'duplicate', transactionId: known.transaction_id };
      const row = this.paymentNamedBy(tx, transfer.content);
      const disposition = row ? this.apply(tx, row, transfer) : 'unknown';
      tx.db.prepare(`INSERT INTO qr_transfers (transfer_id, transaction_id, amount, content,
        paid_at, received_at, disposition) VALUES (?, ?, ?, ?, ?, ?, ?)`).run(
        transfer.transactionId, row?.id ?? null, transfer.amount, transfer.content,
        transfer.paidAt, new Date().toISOString(), disposition);
      return { disposition, transactionId: row?.id ?? null };
    });
  }

  /** The transfers reported for a payment, oldest first. */
  transfersOf(id: number): QrTransferRow[] {
    return this.journal.inTransaction((tx) => tx.db.prepare(`SELECT * FROM qr_transfers
      WHERE transaction_id = ? ORDER BY rowid`).all(id) as QrTransferRow[]);
  }

  /** Transfers a supervisor has not reviewed yet, oldest first. */
  flagged(): QrTransferRow[] {
    const marks = FLAGGED_DISPOSITIONS.map(() => '?').join(', ');
    return this.journal.inTransaction((tx) => tx.db.prepare(`SELECT * FROM qr_transfers
      WHERE reviewed_at IS NULL AND disposition IN (${marks}) ORDER BY rowid`)
      .all(...FLAGGED_DISPOSITIONS) as QrTransferRow[]);
  }

  /** QR payments approved since `since` (an ISO instant; all of them when absent). */
  approvedTotal(since?: string): TenderTotal {
    return this.journal.inTransaction((tx) => tx.db.prepare(`SELECT count(*) AS count,
      coalesce(sum(amount), 0) AS amount FROM transactions WHERE kind = 'qr'
      AND state = 'approved' AND created_at >= ?`).get(since ?? '') as TenderTotal);
  }

  /** When the card batch was last settled: the X report's QR totals count from there. */
  lastSettlementAt(): string | undefined {
    const row = this.journal.inTransaction((tx) => tx.db.prepare(`SELECT max(at) AS at
      FROM audit WHERE action = 'settlement' AND outcome = 'settled'`).get() as
      { at: string | null });
    return row.at ?? undefined;
  }

  /**
   * The QR payment whose short reference the content carries. References are letters and
   * digits, unique in the journal, and banks add prefixes or drop spaces around them, so the
   * content is squeezed the same way before it is searched.
   */
  private paymentNamedBy(tx: JournalTx, content: string): TransactionRow | undefined {
    return tx.db.prepare(`SELECT * FROM transactions WHERE kind = 'qr'
      AND qr_reference IS NOT NULL AND instr(?, qr_reference) > 0 ORDER BY id DESC LIMIT 1`)
      .get(squeezed(content)) as TransactionRow | undefined;
  }

  private apply(tx: JournalTx, row: TransactionRow, transfer: BankTransfer): QrDisposition {
    const bank = `bank transfer ${transfer.transactionId}`;
    if (row.state === 'qr_waiting' && transfer.amount === row.amount) {
      tx.move(row.id, 'approved', {}, bank);
      return 'paid';
    }
    if (row.state === 'qr_waiting') {
      tx.move(row.id, 'qr_flagged', { error_code: 'QR_PAYMENT_MISMATCH',
        reason: `${transfer.amount} dong transferred for ${row.amount}` }, bank);
      return 'amount-mismatch';
    }
    if (row.state === 'qr_expired') {
      tx.move(row.id, 'qr_flagged', { error_code: 'QR_PAYMENT_MISMATCH',
        reason: `paid after the payment ended (${row.error_code ?? 'expired'})` }, bank);
      return 'late';
    }
    // Approved, flagged, or failed (its code was never announced): the payment stays as it
    // is, and the money is for the supervisor to return.
    return 'extra';
  }
}
