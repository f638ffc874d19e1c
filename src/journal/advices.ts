import type { Journal, JournalTx, SentNumbers, TransactionUpdate } from './journal';

/**
 * The store-and-forward queue of offline approvals, kept in the journal's `advices` table.
 *
 * One row per offline approval, in `seq` order. Its identity at the bank (terminal ID, STAN,
 * transmission date and time) is fixed when it is queued, so every resend is the same item.
 * Its sealed payload (track 2 equivalent, field 55, the card number for field 2) is erased in
 * the same commit that records the bank's answer.
 *
 *   pending ──(commit before the first send)──▶ sent ──▶ accepted | declined
 *   (the transaction moves approved_offline ▶ advice_sent ▶ advice_accepted | advice_declined)
 */

export type AdviceState = 'pending' | 'sent' | 'accepted' | 'declined';

export interface QueuedAdvice<T> {
  transactionId: number;
  seq: number;
  stan: number;
  /** ISO instant used for field 7 on every send. */
  transmittedAt: string;
  amount: number;
  attempts: number;
  /** True once a send was committed: the next one is a repeat (0221). */
  sentBefore: boolean;
  data: T;
}

export interface QueueSummary {
  /** Advices the bank has not answered yet. */
  pending: number;
  /** Their total, whole dong. */
  total: number;
  /** Queue time of the oldest, or null. */
  oldestQueuedAt: string | null;
  /** The latest error of a pending advice, with its transaction. */
  lastError: { transactionId: number; error: string; at: string } | null;
  /** Advices the bank declined: kept, shown until someone deals with them. */
  declined: number;
  /** Reversals owed (they go first). */
  reversals: number;
}

export interface AdviceRow {
  transaction_id: number;
  seq: number;
  state: AdviceState;
  stan: number;
  transmitted_at: string;
  amount: number;
  payload: Buffer | null;
  attempts: number;
  last_error: string | null;
  response_code: string | null;
  next_attempt_at: string;
  queued_at: string;
  updated_at: string;
}

const STAN_MAX = 999_999;

function aad(id: number): string {
  return `quay advice ${id}`;
}

function nextCounter(tx: JournalTx, name: string, wrap?: number): number {
  const row = tx.db.prepare('SELECT value FROM counters WHERE name = ?').get(name) as
    { value: number };
  const value = wrap ? (row.value % wrap) + 1 : row.value + 1;
  tx.db.prepare('UPDATE counters SET value = ? WHERE name = ?').run(value, name);
  return value;
}

export class AdviceQueue {
  constructor(private readonly journal: Journal) {}

  /**
   * Records an offline approval and queues its advice, in one commit: the transaction moves to
   * approved_offline, and the advice gets its place, STAN and transmission time. A transaction
   * that never reserved a STAN (decided before any request) takes the next one here.
   * `update` (columns set with the state) and `data` (what the advice carries, sealed) may
   * depend on the numbers.
   */
  enqueue(id: number,
    update: TransactionUpdate | ((numbers: SentNumbers) => TransactionUpdate),
    data: (numbers: SentNumbers) => unknown,
    now = new Date()): { seq: number; stan: number } {
    return this.journal.inTransaction((tx) => {
      const row = tx.db.prepare(
        'SELECT stan, invoice, batch, amount FROM transactions WHERE id = ?').get(id) as
        { stan: number | null; invoice: number | null; batch: number | null; amount: number }
        | undefined;
      if (!row) throw new Error(`no transaction ${id}`);
      let numbers: SentNumbers;
      if (row.stan === null || row.invoice === null || row.batch === null) {
        numbers = {
          stan: nextCounter(tx, 'stan', STAN_MAX),
          invoice: nextCounter(tx, 'invoice', STAN_MAX),
          batch: (tx.db.prepare("SELECT value FROM counters WHERE name = 'batch'")
            .get() as { value: number }).value,
        };
        tx.db.prepare('UPDATE transactions SET stan = ?, invoice = ?, batch = ? WHERE id = ?')
          .run(numbers.stan, numbers.invoice, numbers.batch, id);
      } else {
        numbers = { stan: row.stan, invoice: row.invoice, batch: row.batch };
      }
      const { stan } = numbers;
      tx.move(id, 'approved_offline', typeof update === 'function' ? update(numbers) : update,
        'advice queued');
      const seq = nextCounter(tx, 'advice_seq');
      const at = now.toISOString();
      const plain = Buffer.from(JSON.stringify(data(numbers)), 'utf8');
      tx.db.prepare(`INSERT INTO advices (transaction_id, seq, state, stan, transmitted_at, amount,
        payload, next_attempt_at, queued_at, updated_at)
        VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?)`).run(id, seq, stan, at, row.amount,
        tx.seal(plain, aad(id)), at, at, at);
      return { seq, stan };
    });
  }

  /** The first advice the bank has not answered, in queue order, if it is due at `now`. */
  head<T>(now = new Date()): QueuedAdvice<T> | undefined {
    return this.journal.inTransaction((tx) => {
      const row = tx.db.prepare(`SELECT * FROM advices WHERE state IN ('pending', 'sent')
        ORDER BY seq LIMIT 1`).get() as AdviceRow | undefined;
      if (!row || row.next_attempt_at > now.toISOString() || !row.payload) return undefined;
      return {
        transactionId: row.transaction_id, seq: row.seq, stan: row.stan,
        transmittedAt: row.transmitted_at, amount: row.amount, attempts: row.attempts,
        sentBefore: row.state === 'sent',
        data: JSON.parse(tx.unseal(row.payload, aad(row.transaction_id)).toString('utf8')) as T,
      };
    });
  }

  /** When the head of the queue is due, or null when the queue is empty. */
  nextDue(): string | null {
    return this.journal.inTransaction((tx) => {
      const row = tx.db.prepare(`SELECT next_attempt_at FROM advices
        WHERE state IN ('pending', 'sent') ORDER BY seq LIMIT 1`).get() as
        { next_attempt_at: string } | undefined;
      return row?.next_attempt_at ?? null;
    });
  }

  /**
   * Committed before the advice is written to the link: after a crash the journal knows it may
   * have reached the bank, and the next send is a repeat (0221).
   */
  markSending(id: number): void {
    this.journal.inTransaction((tx) => {
      const row = tx.db.prepare('SELECT state FROM advices WHERE transaction_id = ?').get(id) as
        { state: AdviceState } | undefined;
      if (row?.state !== 'pending') return;
      tx.db.prepare(`UPDATE advices SET state = 'sent', updated_at = ? WHERE transaction_id = ?`)
        .run(new Date().toISOString(), id);
      tx.move(id, 'advice_sent', {}, 'advice sent');
    });
  }

  /** A send with no usable answer: counted, with when to try again. */
  failed(id: number, error: string, nextAttemptAt: Date): void {
    this.journal.inTransaction((tx) => {
      tx.db.prepare(`UPDATE advices SET attempts = attempts + 1, last_error = ?,
        next_attempt_at = ?, updated_at = ? WHERE transaction_id = ?`)
        .run(error, nextAttemptAt.toISOString(), new Date().toISOString(), id);
    });
  }

  /**
   * The bank answered (0230): accepted, or declined and kept for the reports. The sealed card
   * data is erased in the same commit.
   */
  answered(id: number, responseCode: string, accepted: boolean): void {
    this.journal.inTransaction((tx) => {
      const at = new Date().toISOString();
      tx.db.prepare(`UPDATE advices SET state = ?, response_code = ?, payload = NULL,
        attempts = attempts + 1, last_error = ?, updated_at = ? WHERE transaction_id = ?`)
        .run(accepted ? 'accepted' : 'declined', responseCode,
          accepted ? null : `declined by the bank (${responseCode})`, at, id);
      const state = (tx.db.prepare('SELECT state FROM transactions WHERE id = ?').get(id) as
        { state: string }).state;
      if (state === 'approved_offline') tx.move(id, 'advice_sent', {}, 'advice sent');
      tx.move(id, accepted ? 'advice_accepted' : 'advice_declined',
        { response_code: responseCode }, `bank answered the advice (${responseCode})`);
    });
  }

  /** Makes every waiting advice due now (`quay queue retry`); returns how many. */
  retryNow(now = new Date()): number {
    return this.journal.inTransaction((tx) => tx.db.prepare(`UPDATE advices
      SET next_attempt_at = ? WHERE state IN ('pending', 'sent')`).run(now.toISOString()).changes);
  }

  summary(): QueueSummary {
    return this.journal.inTransaction((tx) => {
      const open = tx.db.prepare(`SELECT count(*) AS pending, coalesce(sum(amount), 0) AS total,
        min(queued_at) AS oldest FROM advices WHERE state IN ('pending', 'sent')`).get() as
        { pending: number; total: number; oldest: string | null };
      const last = tx.db.prepare(`SELECT transaction_id, last_error, updated_at FROM advices
        WHERE state IN ('pending', 'sent') AND last_error IS NOT NULL
        ORDER BY updated_at DESC LIMIT 1`).get() as
        { transaction_id: number; last_error: string; updated_at: string } | undefined;
      const declined = (tx.db.prepare(
        "SELECT count(*) AS n FROM advices WHERE state = 'declined'").get() as { n: number }).n;
      const reversals = (tx.db.prepare(
        "SELECT count(*) AS n FROM reversals WHERE state = 'pending'").get() as { n: number }).n;
      return {
        pending: open.pending, total: open.total, oldestQueuedAt: open.oldest,
        lastError: last ? { transactionId: last.transaction_id, error: last.last_error,
          at: last.updated_at } : null,
        declined, reversals,
      };
    });
  }

  /** The advice rows, in queue order, without their sealed payload. */
  rows(): Omit<AdviceRow, 'payload'>[] {
    return this.journal.inTransaction((tx) => tx.db.prepare(`SELECT transaction_id, seq, state,
      stan, transmitted_at, amount, attempts, last_error, response_code, next_attempt_at,
      queued_at, updated_at FROM advices ORDER BY seq`).all() as Omit<AdviceRow, 'payload'>[]);
  }

  row(id: number): AdviceRow | undefined {
    return this.journal.inTransaction((tx) => tx.db.prepare(
      'SELECT * FROM advices WHERE transaction_id = ?').get(id) as AdviceRow | undefined);
  }
}
