import type Database from 'better-sqlite3';

/** What a job prints: a copy of a payment's receipt, a reprint, or an end-of-day report. */
export type PrintJobKind = 'customer' | 'merchant' | 'reprint' | 'report';

/**
 * queued: not sent yet (or sent and to be sent again); printing: its bytes are on their way;
 * printed: the printer took them all and reported no fault afterwards; waiting-for-printer:
 * the printer cannot print now (paper, cover, offline, unreachable), see last_error.
 */
export type PrintJobState = 'queued' | 'printing' | 'printed' | 'waiting-for-printer';

/** What keeps a job from the paper, as the clerk is told it. */
export type PrinterProblem = 'paper-out' | 'cover-open' | 'offline' | 'error' | 'unreachable';

export interface PrintJobRow {
  id: number;
  transaction_id: number | null;
  kind: PrintJobKind;
  /** For a reprint: the job whose bytes it prints again. */
  reprint_of: number | null;
  bytes: Buffer;
  state: PrintJobState;
  /** How many times the bytes were sent, whole or in part. */
  attempts: number;
  /** An error code of the catalogue (PRINTER_PAPER_OUT, ...), or null. */
  last_error: string | null;
  /** Why the job is waiting-for-printer (see PrinterProblem), null otherwise. */
  waiting_for: PrinterProblem | null;
  /**
   * 1 when the process stopped while the job was printing: whether the paper came out is not
   * known, so the job prints again under a reprint mark.
   */
  interrupted: number;
  created_at: string;
  updated_at: string;
  printed_at: string | null;
}

/**
 * The queue lives in the journal's database, in a table of its own created here rather than
 * by a journal migration: it holds no payment data the journal's schema depends on, and the
 * journal's version stays the payment schema's. CREATE ... IF NOT EXISTS keeps opening
 * idempotent. The transaction id is not a foreign key, so that report jobs (no transaction)
 * and tests with a bare database fit the same table.
 */
const CREATE_SQL = `
  CREATE TABLE IF NOT EXISTS print_jobs (
    id INTEGER PRIMARY KEY,
    transaction_id INTEGER,
    kind TEXT NOT NULL CHECK (kind IN ('customer', 'merchant', 'reprint', 'report')),
    reprint_of INTEGER REFERENCES print_jobs (id),
    bytes BLOB NOT NULL,
    state TEXT NOT NULL
      CHECK (state IN ('queued', 'printing', 'printed', 'waiting-for-printer')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    waiting_for TEXT,
    interrupted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    printed_at TEXT
  );
  CREATE INDEX IF NOT EXISTS print_jobs_state ON print_jobs (state, id);
  CREATE INDEX IF NOT EXISTS print_jobs_transaction ON print_jobs (transaction_id, id);
`;

export interface NewPrintJob {
  transactionId: number | null;
  kind: PrintJobKind;
  bytes: Buffer;
  reprintOf?: number;
}

/** Every change is one synchronous statement or transaction: no await between read and write. */
export class PrintJobStore {
  constructor(private readonly db: Database.Database, private readonly now = nowIso) {
    db.exec(CREATE_SQL);
  }

  insert(job: NewPrintJob): number {
    const at = this.now();
    const info = this.db.prepare(`INSERT INTO print_jobs
      (transaction_id, kind, reprint_of, bytes, state, created_at, updated_at)
      VALUES (?, ?, ?, ?, 'queued', ?, ?)`)
      .run(job.transactionId, job.kind, job.reprintOf ?? null, job.bytes, at, at);
    return Number(info.lastInsertRowid);
  }

  get(id: number): PrintJobRow | undefined {
    return this.db.prepare('SELECT * FROM print_jobs WHERE id = ?').get(id) as
      PrintJobRow | undefined;
  }

  /** The oldest job not printed: jobs go to the paper in the order they were queued. */
  head(): PrintJobRow | undefined {
    return this.db.prepare(`SELECT * FROM print_jobs WHERE state != 'printed'
      ORDER BY id LIMIT 1`).get() as PrintJobRow | undefined;
  }

  pending(): PrintJobRow[] {
    return this.db.prepare(`SELECT * FROM print_jobs WHERE state != 'printed'
      ORDER BY id`).all() as PrintJobRow[];
  }

  forTransaction(transactionId: number): PrintJobRow[] {
    return this.db.prepare('SELECT * FROM print_jobs WHERE transaction_id = ? ORDER BY id')
      .all(transactionId) as PrintJobRow[];
  }

  /** Marked before the first byte leaves, so a crash from here on is seen at the next open. */
  startPrinting(id: number): void {
    this.db.prepare(`UPDATE print_jobs SET state = 'printing', attempts = attempts + 1,
      updated_at = ? WHERE id = ?`).run(this.now(), id);
  }

  printed(id: number): void {
    const at = this.now();
    this.db.prepare(`UPDATE print_jobs SET state = 'printed', last_error = NULL,
      waiting_for = NULL, updated_at = ?, printed_at = ? WHERE id = ?`).run(at, at, id);
  }

  waiting(id: number, code: string, problem: PrinterProblem): void {
    this.db.prepare(`UPDATE print_jobs SET state = 'waiting-for-printer', last_error = ?,
      waiting_for = ?, updated_at = ? WHERE id = ?`).run(code, problem, this.now(), id);
  }

  /** Jobs a stopped process left printing go back to the queue, marked interrupted. */
  recoverInterrupted(): number[] {
    return this.db.transaction(() => {
      const ids = (this.db.prepare(`SELECT id FROM print_jobs WHERE state = 'printing'
        ORDER BY id`).all() as { id: number }[]).map((r) => r.id);
      const mark = this.db.prepare(`UPDATE print_jobs SET state = 'queued', interrupted = 1,
        updated_at = ? WHERE id = ?`);
      for (const id of ids) mark.run(this.now(), id);
      return ids;
    })();
  }

  /** The latest printed-or-not original (not a reprint) of a transaction's copy. */
  original(transactionId: number, kind: 'customer' | 'merchant'): PrintJobRow | undefined {
    return this.db.prepare(`SELECT * FROM print_jobs WHERE transaction_id = ? AND kind = ?
      ORDER BY id DESC LIMIT 1`).get(transactionId, kind) as PrintJobRow | undefined;
  }
}

function nowIso(): string {
  return new Date().toISOString();
}
