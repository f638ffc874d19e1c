import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PrinterStatus, ReceiptPrinter } from '../../drivers/printer/types';
import { PrinterError } from '../../src/errors';
import { PrintQueue, type PrinterNotice } from '../../src/print-queue';

const READY: PrinterStatus = {
  online: true, paperOut: false, paperNearEnd: false, coverOpen: false, error: false,
};
const NO_PAPER: PrinterStatus = { ...READY, online: false, paperOut: true, paperNearEnd: true };

/** A printer whose answers the test sets, counting what it is asked. */
class ScriptedPrinter implements ReceiptPrinter {
  status_: PrinterStatus = READY;
  after: PrinterStatus | undefined;
  failWrite = false;
  statusCalls = 0;
  written: Buffer[] = [];
  closes = 0;

  async status(): Promise<PrinterStatus> {
    this.statusCalls++;
    return this.written.length > 0 && this.after ? this.after : this.status_;
  }

  async write(bytes: Buffer): Promise<void> {
    if (this.failWrite) throw new PrinterError('PRINTER_UNREACHABLE', 'cable pulled');
    this.written.push(bytes);
  }

  async close(): Promise<void> {
    this.closes++;
  }
}

const JOB = Buffer.from('1b40' + '48454c4c4f' + '0a', 'hex');

describe('print queue retries', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries with a doubling delay up to the maximum and tells the clerk once', async () => {
    vi.useFakeTimers();
    const printer = new ScriptedPrinter();
    printer.status_ = NO_PAPER;
    const db = new Database(':memory:');
    const queue = PrintQueue.open(db, printer, undefined, { retryBaseMs: 100, retryMaxMs: 300 });
    const notices: PrinterNotice[] = [];
    queue.events.on('waiting', (n) => notices.push(n));
    queue.enqueue({ transactionId: 1, kind: 'customer', bytes: JOB });
    await vi.advanceTimersByTimeAsync(0);
    expect(printer.statusCalls).toBe(1);
    // Retries at +100, +200, +300 (the maximum), +300.
    const calls: number[] = [];
    for (const step of [99, 1, 199, 1, 299, 1, 299, 1]) {
      await vi.advanceTimersByTimeAsync(step);
      calls.push(printer.statusCalls);
    }
    expect(calls).toEqual([1, 2, 2, 3, 3, 4, 4, 5]);
    expect(notices.map((n) => [n.problem, n.retryInMs])).toEqual([['paper-out', 100]]);
    expect(printer.written).toEqual([]);

    printer.status_ = READY;
    queue.retryNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(printer.written).toEqual([JOB]);
    expect(queue.pending()).toEqual([]);
    await queue.close();
    db.close();
  });

  it('sends a job again whole after a failed write, and warns of paper near end', async () => {
    const printer = new ScriptedPrinter();
    printer.failWrite = true;
    const db = new Database(':memory:');
    const queue = PrintQueue.open(db, printer, undefined, { retryBaseMs: 10 });
    const waiting = new Promise<PrinterNotice>((r) => queue.events.once('waiting', r));
    const id = queue.enqueue({ transactionId: 2, kind: 'merchant', bytes: JOB });
    expect(await waiting).toMatchObject({ code: 'PRINTER_UNREACHABLE', problem: 'unreachable',
      job: { id, attempts: 1 } });
    expect(queue.get(id)).toMatchObject({ state: 'waiting-for-printer', attempts: 1,
      waiting_for: 'unreachable' });

    printer.failWrite = false;
    printer.after = { ...READY, paperNearEnd: true };
    const nearEnd = new Promise((r) => queue.events.once('paperNearEnd', r));
    const printed = new Promise((r) => queue.events.once('printed', r));
    await Promise.all([nearEnd, printed]);
    expect(printer.written).toEqual([JOB]);
    expect(queue.get(id)).toMatchObject({ state: 'printed', attempts: 2, waiting_for: null });
    // One connection per attempt: closed after the failed one and after the printed one.
    expect(printer.closes).toBe(2);
    await queue.close();
    db.close();
  });

  it('does not close the printer between jobs when told not to (serial lines)', async () => {
    const printer = new ScriptedPrinter();
    const db = new Database(':memory:');
    const queue = PrintQueue.open(db, printer, undefined, { closeAfterJob: false });
    const printed = new Promise((r) => queue.events.once('printed', r));
    queue.enqueue({ transactionId: null, kind: 'report', bytes: JOB });
    await printed;
    expect(printer.closes).toBe(0);
    await queue.close();
    db.close();
  });
});
