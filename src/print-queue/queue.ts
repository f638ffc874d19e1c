import { EventEmitter } from 'node:events';
import type Database from 'better-sqlite3';
import { assertCanPrint } from '../../drivers/printer/status';
import type { PrinterStatus, ReceiptPrinter } from '../../drivers/printer/types';
import type { ErrorCode } from '../errors';
import { silentLogger, type Logger } from '../log';
import { PROBLEM_TEXT, problemOf } from './notice';
import { markedAsReprint } from './reprint-mark';
import {
  PrintJobStore, type NewPrintJob, type PrinterProblem, type PrintJobKind, type PrintJobRow,
} from './store';

export interface PrintQueueOptions {
  /** Each DLE EOT exchange (status before and after a job) must end within this. */
  statusTimeoutMs?: number;
  /** Delay before the first retry of a waiting job; doubles up to retryMaxMs. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /**
   * Close the printer after each job. Raw TCP printing (port 9100) ends a job by closing the
   * connection, the only end-of-job mark a printer without a cutter gets; on by default.
   */
  closeAfterJob?: boolean;
}

/** A job as the events report it: no bytes. */
export interface PrintJobInfo {
  id: number;
  transactionId: number | null;
  kind: PrintJobKind;
  attempts: number;
}

/** Told to the clerk while the head of the queue cannot print. */
export interface PrinterNotice {
  job: PrintJobInfo;
  code: ErrorCode;
  problem: PrinterProblem;
  vi: string;
  en: string;
  /** "Máy in hết giấy — Printer out of paper". */
  text: string;
  retryInMs: number;
}

export interface PrintQueueEvents {
  queued: [job: PrintJobInfo];
  /** Once per job and problem: not again for each retry that finds the same problem. */
  waiting: [notice: PrinterNotice];
  printed: [job: PrintJobInfo];
  /** The printer printed the job but its near-end sensor sees little paper left. */
  paperNearEnd: [job: PrintJobInfo];
}

/** A printer that reports its status unasked (SerialPrinter with automatic status back). */
interface StatusReporter {
  statusChanged(listener: (status: PrinterStatus) => void): () => void;
}

/** The journal's way in to its database (Journal.inTransaction), without importing it. */
export interface JournalLike {
  inTransaction<T>(fn: (tx: { db: Database.Database }) => T): T;
}

/**
 * A durable print queue in the journal's database. A job is written before any of its bytes
 * goes to the printer; a worker sends the jobs in order, asking the status (DLE EOT) before
 * each and once more after it, and keeps a job that could not print (paper, cover, offline,
 * unreachable) at the head as waiting-for-printer, retrying with a doubling delay.
 *
 * Printed twice is preferred to never: a job is marked printed only when the printer took
 * all its bytes and then answered a status without a fault; anything less sends it again
 * whole. A job left 'printing' by a stopped process prints again under a reprint mark, since
 * whether its paper came out is not known. enqueue never waits for the printer.
 */
export class PrintQueue {
  readonly events = new EventEmitter<PrintQueueEvents>();
  private readonly store: PrintJobStore;
  private readonly statusTimeoutMs: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly closeAfterJob: boolean;
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private lastNotice: string | undefined;
  private closed = false;
  private unsubscribe: (() => void) | undefined;

  private constructor(db: Database.Database, private readonly printer: ReceiptPrinter,
    private readonly log: Logger, options: PrintQueueOptions) {
    this.store = new PrintJobStore(db);
    this.statusTimeoutMs = options.statusTimeoutMs ?? 2_000;
    this.retryBaseMs = options.retryBaseMs ?? 2_000;
    this.retryMaxMs = options.retryMaxMs ?? 60_000;
    this.closeAfterJob = options.closeAfterJob ?? true;
  }

  /** Opens the queue on a database, takes back interrupted jobs and starts printing. */
  static open(db: Database.Database | JournalLike, printer: ReceiptPrinter,
    log: Logger = silentLogger, options: PrintQueueOptions = {}): PrintQueue {
    // better-sqlite3's Database has an inTransaction flag; the journal's is a method.
    const database = typeof db.inTransaction === 'function'
      ? (db as JournalLike).inTransaction((tx) => tx.db) : db as Database.Database;
    const queue = new PrintQueue(database, printer, log.child({ part: 'print-queue' }), options);
    const interrupted = queue.store.recoverInterrupted();
    if (interrupted.length > 0) {
      queue.log.warn({ jobs: interrupted }, 'print jobs interrupted by a stop: printing again');
    }
    queue.listenForRecovery();
    queue.kick();
    return queue;
  }

  /** Writes the job (synchronously, before any byte is sent) and returns its id at once. */
  enqueue(job: NewPrintJob): number {
    const id = this.store.insert(job);
    this.events.emit('queued', info(this.store.get(id)!));
    this.kick();
    return id;
  }

  /**
   * Queues the latest copy of a transaction again, marked as a reprint; undefined when the
   * transaction has no such copy in the queue.
   */
  reprint(transactionId: number, copy: 'customer' | 'merchant' = 'customer'): number | undefined {
    const original = this.store.original(transactionId, copy);
    if (!original) return undefined;
    return this.enqueue({ transactionId, kind: 'reprint', reprintOf: original.id,
      bytes: markedAsReprint(original.bytes) });
  }

  /** Jobs not printed yet, oldest first. */
  pending(): PrintJobRow[] {
    return this.store.pending();
  }

  jobs(transactionId: number): PrintJobRow[] {
    return this.store.forTransaction(transactionId);
  }

  get(id: number): PrintJobRow | undefined {
    return this.store.get(id);
  }

  /** The clerk says the printer is ready (paper loaded): try now, not at the next retry. */
  retryNow(): void {
    this.failures = 0;
    this.kick();
  }

  /** Stops retrying and waits for the job being sent, if any; queued jobs stay for next time. */
  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    await this.running;
  }

  /**
   * A printer with automatic status back says when the paper is loaded or the cover closed:
   * the waiting job is tried then, not at the end of its retry delay.
   */
  private listenForRecovery(): void {
    const reporter = this.printer as Partial<StatusReporter>;
    if (typeof reporter.statusChanged !== 'function') return;
    this.unsubscribe = reporter.statusChanged.call(this.printer, (status) => {
      const ready = status.online && !status.paperOut && !status.coverOpen && !status.error;
      if (ready && this.store.head()?.state === 'waiting-for-printer') this.retryNow();
    });
  }

  private kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const job = this.store.head();
      if (!job) return;
      if (!(await this.printOne(job))) return;
    }
  }

  /** One attempt at the head job; false when it has to wait for the printer. */
  private async printOne(job: PrintJobRow): Promise<boolean> {
    try {
      assertCanPrint(await this.printer.status(this.statusTimeoutMs));
    } catch (err) {
      return this.waitFor(job, err);
    }
    const bytes = job.interrupted ? markedAsReprint(job.bytes) : job.bytes;
    this.store.startPrinting(job.id);
    let nearEnd = false;
    try {
      await this.printer.write(bytes);
      // The paper may have run out while the job printed; a status without a fault after the
      // bytes is the only sign that the receipt came out whole.
      const after = await this.printer.status(this.statusTimeoutMs);
      assertCanPrint(after);
      nearEnd = after.paperNearEnd;
    } catch (err) {
      return this.waitFor(this.store.get(job.id)!, err);
    }
    this.store.printed(job.id);
    await this.release();
    this.failures = 0;
    this.lastNotice = undefined;
    const done = info(this.store.get(job.id)!);
    this.log.info({ job: done.id, transaction: done.transactionId, kind: done.kind,
      bytes: bytes.length }, 'print job printed');
    if (nearEnd) this.events.emit('paperNearEnd', done);
    this.events.emit('printed', done);
    return true;
  }

  private async waitFor(job: PrintJobRow, err: unknown): Promise<false> {
    const { code, problem } = problemOf(err);
    this.store.waiting(job.id, code, problem);
    await this.release();
    this.failures++;
    const retryInMs = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** (this.failures - 1));
    if (!this.closed) this.timer = setTimeout(() => this.kick(), retryInMs);
    const key = `${job.id}:${problem}`;
    if (key !== this.lastNotice) {
      this.lastNotice = key;
      const text = PROBLEM_TEXT[problem];
      this.log.warn({ job: job.id, transaction: job.transaction_id, code, problem },
        'print job waiting for the printer');
      this.events.emit('waiting', { job: info(this.store.get(job.id)!), code, problem, ...text,
        text: `${text.vi} — ${text.en}`, retryInMs });
    }
    return false;
  }

  private async release(): Promise<void> {
    if (!this.closeAfterJob) return;
    await this.printer.close().catch((err: unknown) => {
      this.log.debug({ err }, 'printer close failed');
    });
  }
}

function info(row: PrintJobRow): PrintJobInfo {
  return { id: row.id, transactionId: row.transaction_id, kind: row.kind,
    attempts: row.attempts };
}
