import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { JournalError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { LATEST_VERSION, MIGRATIONS } from './schema';
import { canMove, type TransactionState } from './states';

export interface NewPayment {
  /** Whole dong: VND has no minor unit. */
  amount: number;
  /** The fee reference from the desk software: dossier, invoice or bill number. */
  reference: string;
  description?: string;
  payer?: string;
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
}

/** Columns a state change may set alongside the state. Card data never appears here. */
export type TransactionUpdate = Partial<Pick<TransactionRow,
  'masked_pan' | 'pan_last4' | 'aid' | 'app_label' | 'tvr' | 'tsi' | 'cryptogram' |
  'response_code' | 'auth_code' | 'rrn' | 'error_code' | 'reason'>>;

export interface SentNumbers {
  stan: number;
  invoice: number;
  batch: number;
}

const STAN_MAX = 999_999;

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

  private constructor(db: Database.Database, private readonly log: Logger) {
    this.db = db;
  }

  static open(path: string, log: Logger = silentLogger): Journal {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
    } catch (err) {
      throw new JournalError('JOURNAL_ERROR', `cannot open journal ${path}`, { cause: err });
    }
    const journal = new Journal(db, log);
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
    for (const migration of MIGRATIONS.filter((m) => m.version > current)) {
      try {
        this.db.transaction(() => {
          this.db.exec(migration.sql);
          this.db.pragma(`user_version = ${migration.version}`);
        })();
      } catch (err) {
        throw new JournalError('JOURNAL_ERROR',
          `journal migration to schema ${migration.version} failed; the file is unchanged`,
          { cause: err });
      }
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
          payer, operator, idempotency_key, terminal_id, merchant_id)
        VALUES (?, ?, 'created', ?, ?, ?, ?, ?, ?, ?, ?)`).run(
        now, now, p.amount, p.reference, p.description ?? null, p.payer ?? null,
        p.operator ?? null, p.idempotencyKey ?? null, p.terminalId, p.merchantId);
      const id = Number(info.lastInsertRowid);
      this.event(id, 'created', now, null);
      return { row: this.mustGet(id), created: true };
    });
  }

  /**
   * Takes the next STAN and invoice number and marks the transaction sent, in one commit made
   * before the request leaves: after a crash the journal knows a request may be at the bank.
   */
  markSent(id: number): SentNumbers {
    return this.write(() => {
      const stan = (this.counter('stan') % STAN_MAX) + 1;
      const invoice = (this.counter('invoice') % STAN_MAX) + 1;
      const batch = this.counter('batch');
      this.db.prepare('UPDATE counters SET value = ? WHERE name = ?').run(stan, 'stan');
      this.db.prepare('UPDATE counters SET value = ? WHERE name = ?').run(invoice, 'invoice');
      this.moveInside(id, 'sent', {}, null);
      this.db.prepare('UPDATE transactions SET stan = ?, invoice = ?, batch = ? WHERE id = ?')
        .run(stan, invoice, batch, id);
      return { stan, invoice, batch };
    });
  }

  move(id: number, to: TransactionState, update: TransactionUpdate = {}, note?: string): void {
    this.write(() => this.moveInside(id, to, update, note ?? null));
  }

  /** Records where the receipt copies are; does not change the state. */
  recordReceipt(id: number, bytesPath: string, pngPath: string | null): void {
    this.write(() => {
      this.db.prepare(`UPDATE transactions SET receipt_bytes_path = ?, receipt_png_path = ?,
        updated_at = ? WHERE id = ?`).run(bytesPath, pngPath, new Date().toISOString(), id);
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
    this.event(id, to, now, note);
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
