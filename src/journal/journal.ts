import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { JournalError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { LATEST_VERSION, MIGRATIONS } from './schema';
import { seal, unseal } from './sealed';
import { canMove, isFinal, type TransactionState } from './states';

export interface NewPayment {
  /** Whole dong: VND has no minor unit. */
  amount: number;
  /** The fee reference from the desk software: dossier, invoice or bill number. */
  reference: string;
  description?: string;
  payer?: string;
  /** Số hồ sơ: the dossier number the fee belongs to, printed on the receipt. */
  dossier?: string;
  operator?: string;
  idempotencyKey?: string;
  terminalId: string;
  merchantId: string;
}

export interface TransactionRow {
  id: number;
  created_at: string;
  updated_at: string;
  kind: string;
  state: TransactionState;
  amount: number;
  currency: string;
  reference: string;
  description: string | null;
  payer: string | null;
  operator: string | null;
  idempotency_key: string | null;
  terminal_id: string;
  merchant_id: string;
  stan: number | null;
  invoice: number | null;
  batch: number | null;
  masked_pan: string | null;
  pan_last4: string | null;
  aid: string | null;
  app_label: string | null;
  tvr: string | null;
  tsi: string | null;
  cryptogram: string | null;
  response_code: string | null;
  auth_code: string | null;
  rrn: string | null;
  error_code: string | null;
  reason: string | null;
  receipt_bytes_path: string | null;
  receipt_png_path: string | null;
  pan_sealed: Buffer | null;
  pan_hash: string | null;
  /** EMV record, hex as the card sent it: 5F34, 9F36, 9F34, 9F27, 9F10. */
  pan_sequence: string | null;
  atc: string | null;
  cvm_results: string | null;
  cid: string | null;
  iad: string | null;
  /** For a void or refund: the sale it undoes. */
  original_id: number | null;
  /** Số hồ sơ (schema 7); null on a void or refund, whose receipt prints its sale's. */
  dossier: string | null;
  /**
   * For a QR payment (schema 8): the reference in the transfer content, the code shown. Null
   * on every other row; optional so that rows written out by hand need not name them.
   */
  qr_reference?: string | null;
  qr_payload?: string | null;
}

export type AuditAction = 'sign-in' | 'sign-out' | 'void' | 'refund' | 'settlement'
  | 'config-change';

export interface NewAuditEntry {
  action: AuditAction;
  /** The user name, 'desk' for the desk software's token, 'cli' for the command line. */
  actor?: string;
  /** A transaction ('#12'), a batch ('batch 3') or a file. */
  target?: string;
  outcome: string;
  detail?: Record<string, unknown>;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string | null;
  action: AuditAction;
  target: string | null;
  outcome: string;
  detail: Record<string, unknown> | null;
}

/** A void or refund of an approved sale, as the journal writes it before it leaves. */
export interface NewAdjustment {
  kind: 'void' | 'refund';
  original: TransactionRow;
  /** Whole dong: the sale's amount for a void, up to it for a refund. */
  amount: number;
  operator?: string;
  idempotencyKey?: string;
}

/** Columns a state change may set alongside the state. Card data never appears here. */
export type TransactionUpdate = Partial<Pick<TransactionRow,
  'masked_pan' | 'pan_last4' | 'aid' | 'app_label' | 'tvr' | 'tsi' | 'cryptogram' |
  'pan_sequence' | 'atc' | 'cvm_results' | 'cid' | 'iad' |
  'response_code' | 'auth_code' | 'rrn' | 'error_code' | 'reason'>>;

export interface SentNumbers {
  stan: number;
  invoice: number;
  batch: number;
}

const STAN_MAX = 999_999;

export interface JournalEvent {
  id: number;
  transactionId: number;
  state: TransactionState;
  at: string;
}

/** The reversal record of a transaction as stored (payload sealed, erased once done). */
export interface ReversalRecord {
  state: 'armed' | 'pending' | 'done';
  attempts: number;
  payload: Buffer | null;
  last_error: string | null;
  response_code: string | null;
  held_at: string | null;
}

/** Filters of a transaction search; dates are ISO 8601 instants, `to` excluded. */
export interface TransactionQuery {
  reference?: string;
  states?: TransactionState[];
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

/** What inTransaction hands the journal's own modules, inside one SQLite transaction. */
export interface JournalTx {
  db: Database.Database;
  move(id: number, to: TransactionState, update?: TransactionUpdate, note?: string): void;
  seal(plain: Buffer, associated: string): Buffer;
  unseal(sealed: Buffer, associated: string): Buffer;
}

/** A reversal waiting for the bank's acknowledgement, its sealed data opened. */
export interface PendingReversal<T> {
  transactionId: number;
  stan: number;
  /** How many times it was sent (0400, then 0401s) without an acknowledgement. */
  attempts: number;
  /** Sent as often as allowed: not sent again until released (releaseHeldReversals). */
  held: boolean;
  data: T;
}

/** Reversals owed to the bank: how many, how many of them held, since when. */
export interface ReversalSummary {
  pending: number;
  held: number;
  oldest: string | null;
}

/**
 * The SQLite journal. Every method is one synchronous SQLite transaction with no await
 * inside, so a crash leaves either the whole change or none of it.
 *
 * Durability: WAL with synchronous=FULL. In WAL mode NORMAL may lose the last commits on power
 * loss; a terminal must not forget that a request left for the bank, so each commit is
 * fsynced before the step that depends on it goes ahead.
 */
export class Journal {
  private readonly db: Database.Database;

  /** Keys the card-number hash; derived from the data key, so it is never stored either. */
  private readonly hashKey: Buffer;

  private constructor(db: Database.Database, private readonly log: Logger,
    private readonly dataKey: Buffer) {
    this.db = db;
    this.hashKey = Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0),
      'quay card number hash', 32));
  }

  /**
   * Opens (and migrates) the journal. `dataKey` seals card data kept for reversals; without
   * one, a key for this process only is made, so that data cannot be opened after a restart.
   */
  static open(path: string, log: Logger = silentLogger, dataKey?: Buffer): Journal {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      // Erased card data is overwritten on disk, not left in free pages.
      db.pragma('secure_delete = ON');
    } catch (err) {
      throw new JournalError('JOURNAL_ERROR', `cannot open journal ${path}`, { cause: err });
    }
    const journal = new Journal(db, log, dataKey ?? randomBytes(32));
    journal.migrate(path);
    return journal;
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  private migrate(path: string): void {
    const current = this.schemaVersion;
    if (current > LATEST_VERSION) {
      throw new JournalError('JOURNAL_ERROR',
        `journal ${path} has schema ${current}, newer than this quay (${LATEST_VERSION})`);
    }
    if (current === LATEST_VERSION) return;
    if (current > 0 && path !== ':memory:' && existsSync(path)) {
      const backup = `${path}.v${current}.bak`;
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      copyFileSync(path, backup);
      this.log.info({ backup }, 'journal backed up before migration');
    }
    // Every step in one transaction: a failure at any of them leaves the file as it was.
    let version = current;
    try {
      this.db.transaction(() => {
        for (const migration of MIGRATIONS.filter((m) => m.version > current)) {
          version = migration.version;
          this.db.exec(migration.sql);
          this.db.pragma(`user_version = ${migration.version}`);
        }
      })();
    } catch (err) {
      throw new JournalError('JOURNAL_ERROR',
        `journal migration to schema ${version} failed; the file is unchanged`, { cause: err });
    }
  }

  /**
   * Writes the payment before anything else happens. With an idempotency key already seen,
   * returns that transaction instead, so desk software that repeats a request never charges
   * twice.
   */
  createPayment(p: NewPayment): { row: TransactionRow; created: boolean } {
    return this.write(() => {
      if (p.idempotencyKey) {
        const seen = this.db.prepare('SELECT * FROM transactions WHERE idempotency_key = ?')
          .get(p.idempotencyKey) as TransactionRow | undefined;
        if (seen) return { row: seen, created: false };
      }
      const now = new Date().toISOString();
      const info = this.db.prepare(`
        INSERT INTO transactions (created_at, updated_at, state, amount, reference, description,
          payer, dossier, operator, idempotency_key, terminal_id, merchant_id)
        VALUES (?, ?, 'created', ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
        now, now, p.amount, p.reference, p.description ?? null, p.payer ?? null,
        p.dossier ?? null, p.operator ?? null, p.idempotencyKey ?? null, p.terminalId,
        p.merchantId);
      const id = Number(info.lastInsertRowid);
      this.event(id, 'created', now, null);
      return { row: this.mustGet(id), created: true };
    });
  }

  /**
   * Takes the next STAN and invoice number, marks the transaction sent and arms its reversal,
   * in one commit made before the request leaves: after a crash the journal knows a request
   * may be at the bank, and holds what is needed to undo it. `reversal` builds the data of
   * that reversal from the numbers; it is kept sealed with the data key.
   */
  markSent(id: number, reversal?: (numbers: SentNumbers) => unknown): SentNumbers {
    return this.write(() => {
      const stan = (this.counter('stan') % STAN_MAX) + 1;
      const invoice = (this.counter('invoice') % STAN_MAX) + 1;
      const batch = this.counter('batch');
      this.db.prepare('UPDATE counters SET value = ? WHERE name = ?').run(stan, 'stan');
      this.db.prepare('UPDATE counters SET value = ? WHERE name = ?').run(invoice, 'invoice');
      this.moveInside(id, 'sent', {}, null);
      this.db.prepare('UPDATE transactions SET stan = ?, invoice = ?, batch = ? WHERE id = ?')
        .run(stan, invoice, batch, id);
      if (reversal) {
        const plain = Buffer.from(JSON.stringify(reversal({ stan, invoice, batch })), 'utf8');
        this.db.prepare(`INSERT INTO reversals (transaction_id, state, payload, updated_at)
          VALUES (?, 'armed', ?, ?)`).run(id, seal(this.dataKey, plain, reversalAad(id)),
          new Date().toISOString());
      }
      return { stan, invoice, batch };
    });
  }

  move(id: number, to: TransactionState, update: TransactionUpdate = {}, note?: string): void {
    this.write(() => this.moveInside(id, to, update, note ?? null));
  }

  /**
   * Keeps the card number of a transaction sealed (for a void or batch upload before the
   * batch settles) with a keyed hash for look-ups. Called as the card is read.
   */
  recordCard(id: number, pan: string): void {
    this.write(() => {
      this.db.prepare('UPDATE transactions SET pan_sealed = ?, pan_hash = ? WHERE id = ?')
        .run(seal(this.dataKey, Buffer.from(pan, 'ascii'), panAad(id)), this.panHash(pan), id);
    });
  }

  /** The card number of a transaction whose batch is not settled yet. */
  cardNumber(id: number): string | undefined {
    const row = this.get(id);
    if (!row?.pan_sealed) return undefined;
    return unseal(this.dataKey, row.pan_sealed, panAad(id)).toString('ascii');
  }

  /** Transactions made with this card number, found through the keyed hash. */
  byCardNumber(pan: string): TransactionRow[] {
    return this.db.prepare('SELECT * FROM transactions WHERE pan_hash = ? ORDER BY id')
      .all(this.panHash(pan)) as TransactionRow[];
  }

  /** After settlement: only the masked number, the last four digits and the hash remain. */
  eraseCardNumbers(batch: number): number {
    return this.write(() => this.db.prepare(
      'UPDATE transactions SET pan_sealed = NULL WHERE batch = ? AND pan_sealed IS NOT NULL',
    ).run(batch).changes);
  }

  private panHash(pan: string): string {
    return createHmac('sha256', this.hashKey).update(pan, 'ascii').digest('hex');
  }

  /** Records where the receipt copies are; does not change the state. */
  recordReceipt(id: number, bytesPath: string, pngPath: string | null): void {
    this.write(() => {
      this.db.prepare(`UPDATE transactions SET receipt_bytes_path = ?, receipt_png_path = ?,
        updated_at = ? WHERE id = ?`).run(bytesPath, pngPath, new Date().toISOString(), id);
    });
  }

  /** Reversals owed to the bank, oldest first, with their data opened. */
  pendingReversals<T>(): PendingReversal<T>[] {
    const rows = this.db.prepare(`SELECT r.transaction_id, r.attempts, r.payload, r.held_at,
      t.stan FROM reversals r JOIN transactions t ON t.id = r.transaction_id
      WHERE r.state = 'pending' ORDER BY r.transaction_id`).all() as
      { transaction_id: number; attempts: number; payload: Buffer; held_at: string | null;
        stan: number }[];
    return rows.map((row) => ({
      transactionId: row.transaction_id,
      stan: row.stan,
      attempts: row.attempts,
      held: row.held_at !== null,
      data: JSON.parse(unseal(this.dataKey, row.payload, reversalAad(row.transaction_id))
        .toString('utf8')) as T,
    }));
  }

  /** How many reversals are owed and since when: for the clerk page and health checks. */
  reversalSummary(): ReversalSummary {
    return this.db.prepare(`SELECT count(*) AS pending, count(held_at) AS held,
      min(updated_at) AS oldest FROM reversals WHERE state = 'pending'`).get() as
      ReversalSummary;
  }

  /**
   * Records a reversal that got no acknowledgement. `sent` false: nothing left the terminal
   * (the bank could not be reached), so the try is not counted and the next send is still the
   * first (0400). Once `maxAttempts` sends are counted, the reversal is held.
   */
  reversalAttempted(id: number, error: string,
    options: { sent?: boolean; maxAttempts?: number } = {}): { attempts: number; held: boolean } {
    return this.write(() => {
      const now = new Date().toISOString();
      this.db.prepare(`UPDATE reversals SET attempts = attempts + ?, last_error = ?,
        updated_at = ? WHERE transaction_id = ?`).run(options.sent === false ? 0 : 1, error,
        now, id);
      const { attempts } = this.db.prepare(
        'SELECT attempts FROM reversals WHERE transaction_id = ?').get(id) as { attempts: number };
      const held = options.maxAttempts !== undefined && attempts >= options.maxAttempts;
      if (held) {
        this.db.prepare('UPDATE reversals SET held_at = ? WHERE transaction_id = ?').run(now, id);
      }
      return { attempts, held };
    });
  }

  /**
   * Releases the held reversals (the technician checked the link with the bank): each is sent
   * once more at the next attempt, and held again if that send is not acknowledged either.
   */
  releaseHeldReversals(): number {
    return this.write(() => this.db.prepare(`UPDATE reversals SET held_at = NULL, updated_at = ?
      WHERE state = 'pending' AND held_at IS NOT NULL`).run(new Date().toISOString()).changes);
  }

  /** The bank acknowledged the reversal: the transaction is reversed, its card data erased. */
  reversalAcknowledged(id: number, responseCode: string): void {
    this.write(() => {
      this.db.prepare(`UPDATE reversals SET attempts = attempts + 1, response_code = ?
        WHERE transaction_id = ?`).run(responseCode, id);
      this.moveInside(id, 'reversed', {}, `bank acknowledged the reversal (${responseCode})`);
    });
  }

  reversalState(id: number): ReversalRecord | undefined {
    return this.db.prepare(`SELECT state, attempts, payload, last_error, response_code, held_at
      FROM reversals WHERE transaction_id = ?`).get(id) as ReversalRecord | undefined;
  }

  /**
   * After a crash or power cut: a payment that had not reached the bank has failed; one whose
   * request was out may stand at the bank, so its armed reversal becomes due. Returns the ids
   * now owing a reversal.
   */
  recoverInterrupted(): number[] {
    return this.write(() => {
      const open = this.db.prepare(
        "SELECT id, state FROM transactions WHERE state IN ('created', 'card_read', 'sent')",
      ).all() as { id: number; state: TransactionState }[];
      const owed: number[] = [];
      for (const row of open) {
        if (row.state === 'sent') {
          this.moveInside(row.id, 'reversal_pending',
            { reason: 'quay stopped while the request was at the bank' }, 'recovered');
          owed.push(row.id);
        } else {
          this.moveInside(row.id, 'failed', { error_code: 'JOURNAL_ERROR',
            reason: 'quay stopped before the request left' }, 'recovered');
        }
      }
      return owed;
    });
  }

  get(id: number): TransactionRow | undefined {
    return this.db.prepare('SELECT * FROM transactions WHERE id = ?').get(id) as
      TransactionRow | undefined;
  }

  byIdempotencyKey(key: string): TransactionRow | undefined {
    return this.db.prepare('SELECT * FROM transactions WHERE idempotency_key = ?').get(key) as
      TransactionRow | undefined;
  }

  events(id: number): { state: string; at: string; note: string | null }[] {
    return this.db.prepare(
      'SELECT state, at, note FROM transaction_events WHERE transaction_id = ? ORDER BY id',
    ).all(id) as { state: string; at: string; note: string | null }[];
  }

  /** State changes after `afterId`, oldest first: what the notification outbox reads. */
  eventsAfter(afterId: number, limit = 100): JournalEvent[] {
    return this.db.prepare(`SELECT id, transaction_id AS transactionId, state, at
      FROM transaction_events WHERE id > ? ORDER BY id LIMIT ?`).all(afterId, limit) as
      JournalEvent[];
  }

  /** Transactions matching every given filter, newest first, one page at a time. */
  search(q: TransactionQuery): { rows: TransactionRow[]; total: number } {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.reference !== undefined) { where.push('reference = ?'); args.push(q.reference); }
    if (q.states !== undefined) {
      where.push(`state IN (${q.states.map(() => '?').join(', ')})`);
      args.push(...q.states);
    }
    if (q.from !== undefined) { where.push('created_at >= ?'); args.push(q.from); }
    if (q.to !== undefined) { where.push('created_at < ?'); args.push(q.to); }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM transactions ${clause}`)
      .get(...args) as { n: number }).n;
    const rows = this.db.prepare(`SELECT * FROM transactions ${clause}
      ORDER BY id DESC LIMIT ? OFFSET ?`).all(...args, q.limit, q.offset) as TransactionRow[];
    return { rows, total };
  }

  /**
   * One synchronous transaction for the journal's own modules (advices.ts): the file, the
   * state move with its event, and sealing under the data key, which never leaves src/journal.
   */
  inTransaction<T>(fn: (tx: JournalTx) => T): T {
    return this.write(() => fn({
      db: this.db,
      move: (id, to, update = {}, note) => this.moveInside(id, to, update, note ?? null),
      seal: (plain, associated) => seal(this.dataKey, plain, associated),
      unseal: (sealed, associated) => unseal(this.dataKey, sealed, associated),
    }));
  }

  /**
   * Writes a void or refund before it is sent, under the sale's reference and terminal. With
   * an idempotency key already seen, returns that row instead (no second void or refund).
   */
  createAdjustment(a: NewAdjustment): { row: TransactionRow; created: boolean } {
    return this.write(() => {
      if (a.idempotencyKey) {
        const seen = this.db.prepare('SELECT * FROM transactions WHERE idempotency_key = ?')
          .get(a.idempotencyKey) as TransactionRow | undefined;
        if (seen) return { row: seen, created: false };
      }
      const now = new Date().toISOString();
      const o = a.original;
      const info = this.db.prepare(`
        INSERT INTO transactions (created_at, updated_at, kind, state, amount, reference,
          description, payer, operator, idempotency_key, terminal_id, merchant_id, masked_pan,
          pan_last4, aid, app_label, original_id)
        VALUES (?, ?, ?, 'created', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
        now, now, a.kind, a.amount, o.reference, o.description, o.payer, a.operator ?? null,
        a.idempotencyKey ?? null, o.terminal_id, o.merchant_id, o.masked_pan, o.pan_last4,
        o.aid, o.app_label, o.id);
      const id = Number(info.lastInsertRowid);
      this.event(id, 'created', now, `${a.kind} of #${o.id}`);
      return { row: this.mustGet(id), created: true };
    });
  }

  /** The voids and refunds written against a sale, oldest first. */
  adjustmentsOf(originalId: number): TransactionRow[] {
    return this.db.prepare('SELECT * FROM transactions WHERE original_id = ? ORDER BY id')
      .all(originalId) as TransactionRow[];
  }

  /**
   * The bank approved a void: the void row is approved and its sale voided in one commit, so
   * the sale can neither be voided twice nor go into the batch upload.
   */
  completeVoid(voidId: number, update: TransactionUpdate): void {
    this.write(() => {
      const row = this.mustGet(voidId);
      if (row.kind !== 'void' || row.original_id === null) {
        throw new JournalError('JOURNAL_ERROR', `transaction ${voidId} is not a void`);
      }
      this.moveInside(voidId, 'approved', update, null);
      this.moveInside(row.original_id, 'voided', {}, `voided by #${voidId}`);
    });
  }

  /**
   * One line of the audit log: who did what to which transaction or file, and how it ended.
   * `detail` must hold no card data or secret (callers pass names, IDs and codes).
   */
  audit(entry: NewAuditEntry): void {
    this.write(() => {
      this.db.prepare(`INSERT INTO audit (at, actor, action, target, outcome, detail)
        VALUES (?, ?, ?, ?, ?, ?)`).run(new Date().toISOString(), entry.actor ?? null,
        entry.action, entry.target ?? null, entry.outcome,
        entry.detail === undefined ? null : JSON.stringify(entry.detail));
    });
  }

  /** The audit log, newest first. */
  auditLog(limit = 100): AuditEntry[] {
    return (this.db.prepare('SELECT * FROM audit ORDER BY id DESC LIMIT ?').all(limit) as
      (Omit<AuditEntry, 'detail'> & { detail: string | null })[])
      .map((row) => ({ ...row, detail: row.detail === null ? null : JSON.parse(row.detail) }));
  }

  /** Takes the next STAN for a message of no payment (network management, settlement). */
  nextStan(): number {
    return this.write(() => {
      const stan = (this.counter('stan') % STAN_MAX) + 1;
      this.db.prepare('UPDATE counters SET value = ? WHERE name = ?').run(stan, 'stan');
      return stan;
    });
  }

  /** What the bank holds of a batch: approved online or accepted as advices, oldest first. */
  batchTransactions(batch: number): TransactionRow[] {
    // A void is not a transaction of the batch: the bank took its sale out when it approved it.
    return this.db.prepare(`SELECT * FROM transactions WHERE batch = ? AND kind != 'void'
      AND state IN ('approved', 'advice_accepted') ORDER BY id`).all(batch) as TransactionRow[];
  }

  /** The transactions of a batch in these states, oldest first (voids for the Z report). */
  batchRows(batch: number, states: readonly TransactionState[]): TransactionRow[] {
    return this.db.prepare(`SELECT * FROM transactions WHERE batch = ?
      AND state IN (${states.map(() => '?').join(', ')}) ORDER BY id`)
      .all(batch, ...states) as TransactionRow[];
  }

  /** Offline approvals not yet answered by the bank: settlement waits until there are none. */
  advicesOwed(): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM advices
      WHERE state IN ('pending', 'sent')`).get() as { n: number }).n;
  }

  /**
   * The bank accepted the batch: its transactions become settled, their sealed card numbers
   * are erased, and the batch number moves on. Returns the new batch number.
   */
  closeBatch(batch: number, note: string): number {
    return this.write(() => {
      if (this.counter('batch') !== batch) {
        throw new JournalError('JOURNAL_ERROR', `batch ${batch} is not the open batch`);
      }
      for (const row of this.batchTransactions(batch)) {
        this.moveInside(row.id, 'settled', {}, note);
      }
      // Approved voids close with their batch too, though the totals never counted them.
      const voids = this.db.prepare(`SELECT id FROM transactions WHERE batch = ?
        AND kind = 'void' AND state = 'approved'`).all(batch) as { id: number }[];
      for (const { id } of voids) this.moveInside(id, 'settled', {}, note);
      this.db.prepare('UPDATE transactions SET pan_sealed = NULL WHERE batch = ?').run(batch);
      const next = (batch % STAN_MAX) + 1;
      this.db.prepare('UPDATE counters SET value = ? WHERE name = ?').run(next, 'batch');
      return next;
    });
  }

  counter(name: 'stan' | 'invoice' | 'batch'): number {
    const row = this.db.prepare('SELECT value FROM counters WHERE name = ?').get(name) as
      { value: number } | undefined;
    if (!row) throw new JournalError('JOURNAL_ERROR', `counter ${name} missing`);
    return row.value;
  }

  close(): void {
    this.db.close();
  }

  private moveInside(id: number, to: TransactionState, update: TransactionUpdate,
    note: string | null): void {
    const row = this.mustGet(id);
    if (!canMove(row.state, to)) {
      throw new JournalError('JOURNAL_ERROR',
        `transaction ${id} cannot move from ${row.state} to ${to}`);
    }
    const now = new Date().toISOString();
    const columns = Object.keys(update) as (keyof TransactionUpdate)[];
    const sets = ['state = ?', 'updated_at = ?', ...columns.map((c) => `${c} = ?`)];
    this.db.prepare(`UPDATE transactions SET ${sets.join(', ')} WHERE id = ?`)
      .run(to, now, ...columns.map((c) => update[c] ?? null), id);
    this.settleReversal(id, row.state, to, now);
    // A final state needs no batch upload or void: the sealed card number goes, the masked
    // number, last four digits and keyed hash stay.
    if (isFinal(to)) {
      this.db.prepare('UPDATE transactions SET pan_sealed = NULL WHERE id = ?').run(id);
    }
    this.event(id, to, now, note);
  }

  /** Keeps the reversal record in step with the transaction it would undo. */
  private settleReversal(id: number, from: TransactionState, to: TransactionState,
    now: string): void {
    const answered = to === 'approved' || to === 'declined' || to === 'approved_offline';
    if (from === 'sent' && answered) {
      this.db.prepare('DELETE FROM reversals WHERE transaction_id = ?').run(id);
    } else if (to === 'reversal_pending') {
      this.db.prepare(`UPDATE reversals SET state = 'pending', updated_at = ?
        WHERE transaction_id = ?`).run(now, id);
    } else if (to === 'reversed') {
      this.db.prepare(`UPDATE reversals SET state = 'done', payload = NULL, updated_at = ?
        WHERE transaction_id = ?`).run(now, id);
    }
  }

  private event(id: number, state: TransactionState, at: string, note: string | null): void {
    this.db.prepare(
      'INSERT INTO transaction_events (transaction_id, at, state, note) VALUES (?, ?, ?, ?)',
    ).run(id, at, state, note);
  }

  private mustGet(id: number): TransactionRow {
    const row = this.get(id);
    if (!row) throw new JournalError('JOURNAL_ERROR', `no transaction ${id}`);
    return row;
  }

  private write<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn)();
    } catch (err) {
      if (err instanceof JournalError) throw err;
      throw new JournalError('JOURNAL_ERROR', 'journal write failed', { cause: err });
    }
  }
}

function panAad(id: number): string {
  return `quay card number ${id}`;
}

function reversalAad(id: number): string {
  return `quay reversal ${id}`;
}
