import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startPtyPair, type PtyPair } from '../../drivers/display/pty-pair';
import {
  openSerialPrinterSimulator, startPrinterSimulator, type PrinterControls,
  type PrinterSimulator, type SerialPrinterSimulator,
} from '../../drivers/printer/printer-simulator';
import { SerialPrinter } from '../../drivers/printer/serial-printer';
import { TcpPrinter } from '../../drivers/printer/tcp-printer';
import type { ReceiptPrinter } from '../../drivers/printer/types';
import { Journal } from '../../src/journal/journal';
import {
  PrintQueue, markedAsReprint, type PrinterNotice, type PrintJobInfo,
} from '../../src/print-queue';
import { PrintJobStore } from '../../src/print-queue/store';
import {
  cut, emphasis, initialize, justify, lineFeed, selectCodePage,
} from '../../src/receipt/escpos';

const base = { terminalId: 'QUAY0001', merchantId: '000000000000001' };

/** A receipt of some length in plain ESC/POS, one command a line. */
function receipt(n: number, lines = 12): Buffer {
  const body = Array.from({ length: lines }, (_, i) => Buffer.concat([
    Buffer.from(`DONG ${String(i + 1).padStart(2, '0')} HOA DON ${n}`), lineFeed(),
  ]));
  return Buffer.concat([initialize(), selectCodePage(0), justify('center'), emphasis(true),
    Buffer.from(`BIEN LAI ${n}`), lineFeed(), emphasis(false), justify('left'), ...body,
    cut('full')]);
}

function next<K extends 'waiting' | 'printed'>(queue: PrintQueue, event: K):
  Promise<K extends 'waiting' ? PrinterNotice : PrintJobInfo> {
  return new Promise((resolve) => {
    queue.events.once(event, ((value: never) => resolve(value)) as never);
  });
}

function tempPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'quay-print-queue-')), 'quay.db');
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

async function tcpRig(): Promise<{ sim: PrinterSimulator; printer: TcpPrinter }> {
  const sim = await startPrinterSimulator();
  const printer = new TcpPrinter({ host: sim.host, port: sim.port, connectTimeoutMs: 500,
    statusTimeoutMs: 500 });
  cleanups.push(() => sim.close(), () => printer.close());
  return { sim, printer };
}

function openQueue(db: Database.Database | Journal, printer: ReceiptPrinter): PrintQueue {
  const queue = PrintQueue.open(db, printer, undefined, { retryBaseMs: 20, retryMaxMs: 80,
    statusTimeoutMs: 500 });
  cleanups.push(() => queue.close());
  return queue;
}

describe('print queue', () => {
  it('writes the job before any byte is sent, then prints jobs in order', async () => {
    const { sim, printer } = await tcpRig();
    const db = new Database(tempPath());
    cleanups.push(() => db.close());
    const queue = openQueue(db, printer);
    const first = queue.enqueue({ transactionId: 1, kind: 'customer', bytes: receipt(1) });
    // enqueue returned before the worker's first await: the row is there, nothing printed.
    expect(queue.get(first)).toMatchObject({ state: 'queued', attempts: 0, transaction_id: 1,
      kind: 'customer' });
    expect(queue.get(first)!.bytes.equals(receipt(1))).toBe(true);
    expect(sim.jobs()).toEqual([]);
    const second = queue.enqueue({ transactionId: 2, kind: 'merchant', bytes: receipt(2) });
    const printedIds: number[] = [];
    await new Promise<void>((resolve) => queue.events.on('printed', (job) => {
      printedIds.push(job.id);
      if (printedIds.length === 2) resolve();
    }));
    expect(printedIds).toEqual([first, second]);
    const jobs = [await sim.waitForJob(), await sim.waitForJob()];
    expect(jobs.map((j) => j.printed.equals(receipt(j.id)))).toEqual([true, true]);
    expect(jobs[0]!.page.text[0]).toBe('BIEN LAI 1');
    expect(queue.get(first)).toMatchObject({ state: 'printed', attempts: 1, last_error: null });
    expect(queue.pending()).toEqual([]);
  });

  it('keeps a job waiting while the paper is out, tells the clerk, prints it when back',
    async () => {
      const { sim, printer } = await tcpRig();
      sim.setPaperOut(true);
      const db = new Database(tempPath());
      cleanups.push(() => db.close());
      const queue = openQueue(db, printer);
      const waiting = next(queue, 'waiting');
      const id = queue.enqueue({ transactionId: 7, kind: 'customer', bytes: receipt(7) });
      const notice = await waiting;
      expect(notice).toMatchObject({ code: 'PRINTER_PAPER_OUT', problem: 'paper-out',
        text: 'Máy in hết giấy — Printer out of paper', retryInMs: 20,
        job: { id, transactionId: 7, attempts: 0 } });
      expect(queue.get(id)).toMatchObject({ state: 'waiting-for-printer',
        last_error: 'PRINTER_PAPER_OUT', waiting_for: 'paper-out', attempts: 0 });
      const printed = next(queue, 'printed');
      sim.setPaperOut(false);
      expect((await printed).id).toBe(id);
      const job = await sim.waitForJob();
      expect(job.printed.equals(receipt(7))).toBe(true);
      expect(sim.jobs()).toHaveLength(1);
    });

  it('tells a cover open and an unreachable printer apart', async () => {
    const { sim, printer } = await tcpRig();
    sim.setCoverOpen(true);
    const db = new Database(tempPath());
    cleanups.push(() => db.close());
    const queue = openQueue(db, printer);
    const cover = next(queue, 'waiting');
    queue.enqueue({ transactionId: 3, kind: 'customer', bytes: receipt(3) });
    expect(await cover).toMatchObject({ code: 'PRINTER_ERROR', problem: 'cover-open',
      text: 'Nắp máy in đang mở — Printer cover open' });

    const gone = new TcpPrinter({ host: '127.0.0.1', port: 1, connectTimeoutMs: 200 });
    const db2 = new Database(tempPath());
    cleanups.push(() => db2.close());
    const offline = openQueue(db2, gone);
    const unreachable = next(offline, 'waiting');
    offline.enqueue({ transactionId: 4, kind: 'customer', bytes: receipt(4) });
    expect(await unreachable).toMatchObject({ code: 'PRINTER_UNREACHABLE',
      problem: 'unreachable', text: 'Không kết nối được máy in — Printer cannot be reached' });
  });

  it('reprints a printed receipt as a new job under the reprint mark', async () => {
    const { sim, printer } = await tcpRig();
    const db = new Database(tempPath());
    cleanups.push(() => db.close());
    const queue = openQueue(db, printer);
    const original = queue.enqueue({ transactionId: 9, kind: 'customer', bytes: receipt(9) });
    await next(queue, 'printed');
    expect(queue.reprint(404)).toBeUndefined();
    const again = queue.reprint(9)!;
    expect((await next(queue, 'printed')).id).toBe(again);
    expect(queue.get(again)).toMatchObject({ kind: 'reprint', reprint_of: original,
      transaction_id: 9, state: 'printed' });
    await sim.waitForJob();
    const reprinted = await sim.waitForJob();
    expect(reprinted.printed.equals(markedAsReprint(receipt(9)))).toBe(true);
    expect(reprinted.page.text.slice(0, 2)).toEqual(['*** BAN IN LAI / REPRINT ***',
      'BIEN LAI 9']);
    expect(queue.jobs(9).map((j) => j.kind)).toEqual(['customer', 'reprint']);
  });

  it('prints a job a stopped process left printing again, marked as a reprint', async () => {
    const { sim, printer } = await tcpRig();
    const path = tempPath();
    const before = new Database(path);
    const store = new PrintJobStore(before);
    const id = store.insert({ transactionId: 5, kind: 'customer', bytes: receipt(5) });
    store.startPrinting(id);
    before.close();

    const db = new Database(path);
    cleanups.push(() => db.close());
    const queue = openQueue(db, printer);
    expect((await next(queue, 'printed')).id).toBe(id);
    expect(queue.get(id)).toMatchObject({ state: 'printed', interrupted: 1, attempts: 2 });
    const job = await sim.waitForJob();
    expect(job.printed.equals(markedAsReprint(receipt(5)))).toBe(true);
    expect(job.page.text[0]).toBe('*** BAN IN LAI / REPRINT ***');
  });

  it('keeps waiting jobs across a restart and prints them in order afterwards', async () => {
    const { sim, printer } = await tcpRig();
    sim.setPaperOut(true);
    const path = tempPath();
    const first = new Database(path);
    const queue = PrintQueue.open(first, printer, undefined, { retryBaseMs: 20 });
    const waiting = next(queue, 'waiting');
    const a = queue.enqueue({ transactionId: 11, kind: 'customer', bytes: receipt(11) });
    const b = queue.enqueue({ transactionId: 12, kind: 'customer', bytes: receipt(12) });
    await waiting;
    await queue.close();
    first.close();
    sim.setPaperOut(false);

    const db = new Database(path);
    cleanups.push(() => db.close());
    const reopened = openQueue(db, printer);
    const printed: number[] = [];
    await new Promise<void>((resolve) => reopened.events.on('printed', (job) => {
      printed.push(job.id);
      if (printed.length === 2) resolve();
    }));
    expect(printed).toEqual([a, b]);
    expect((await sim.waitForJob()).printed.equals(receipt(11))).toBe(true);
    expect((await sim.waitForJob()).printed.equals(receipt(12))).toBe(true);
  });
});

/** Paper out in the middle of a job, on both transports. */
describe.each([
  ['TCP', 40],
  ['TCP, between the status and the data', 0],
  ['serial pty', 40],
  ['serial pty, between the status and the data', 0],
] as const)('paper out in the middle of a job (%s)', (transport, afterBytes) => {
  it('keeps the job queued and the payment untouched, then prints it whole once', async () => {
    let sim: PrinterControls;
    let printer: ReceiptPrinter;
    if (transport.startsWith('TCP')) {
      ({ sim, printer } = await tcpRig());
    } else {
      const pty: PtyPair = await startPtyPair();
      const serialSim: SerialPrinterSimulator = await openSerialPrinterSimulator(
        pty.simulatorPath, { jobIdleMs: 100 });
      const serial = new SerialPrinter({ path: pty.devicePath, baudRate: 115_200,
        statusTimeoutMs: 500 });
      cleanups.push(() => pty.close(), () => serialSim.close(), () => serial.close());
      sim = serialSim;
      printer = serial;
    }
    const journal = Journal.open(tempPath());
    cleanups.push(() => journal.close());
    const { row } = journal.createPayment({ ...base, amount: 150_000, reference: 'HS-42' });
    journal.move(row.id, 'card_read', { masked_pan: '**** **** **** 0010', pan_last4: '0010' });
    journal.markSent(row.id);
    journal.move(row.id, 'approved', { response_code: '00', auth_code: 'A1B2C3' });
    const payment = journal.get(row.id);

    const queue = openQueue(journal, printer);
    sim.paperOutAfter(afterBytes);
    const waiting = next(queue, 'waiting');
    const bytes = receipt(42);
    const id = queue.enqueue({ transactionId: row.id, kind: 'customer', bytes });
    const notice = await waiting;
    expect(notice).toMatchObject({ code: 'PRINTER_PAPER_OUT', problem: 'paper-out',
      vi: 'Máy in hết giấy', en: 'Printer out of paper', job: { id, transactionId: row.id } });
    expect(queue.get(id)).toMatchObject({ state: 'waiting-for-printer',
      last_error: 'PRINTER_PAPER_OUT', attempts: 1 });
    expect(journal.get(row.id)).toEqual(payment);

    const printed = next(queue, 'printed');
    sim.setPaperOut(false);
    expect((await printed).id).toBe(id);
    const whole = await waitForWholeJob(sim, bytes);
    const all = sim.jobs();
    expect(all.filter((j) => j.printed.equals(bytes))).toEqual([whole]);
    // What came out before the paper ran out is the start of the receipt, nothing else;
    // with the paper gone before the first byte, nothing came out.
    const partials = all.filter((j) => j !== whole);
    expect(partials).toHaveLength(afterBytes === 0 ? 0 : 1);
    for (const partial of partials) {
      expect(partial.partial).toBe(true);
      expect(bytes.subarray(0, partial.printed.length).equals(partial.printed)).toBe(true);
    }
    expect(queue.get(id)).toMatchObject({ state: 'printed', attempts: 2, last_error: null });
    expect(journal.get(row.id)).toEqual(payment);
  });
});

async function waitForWholeJob(sim: PrinterControls, bytes: Buffer) {
  for (;;) {
    const job = await sim.waitForJob(5_000);
    if (job.printed.equals(bytes)) return job;
  }
}

describe('print queue on a serial printer with automatic status back', () => {
  it('prints a waiting job as soon as the printer says the paper is back', async () => {
    const pty = await startPtyPair();
    const sim = await openSerialPrinterSimulator(pty.simulatorPath, { paperOut: true });
    const printer = new SerialPrinter({ path: pty.devicePath, baudRate: 115_200,
      automaticStatus: true, statusTimeoutMs: 500 });
    cleanups.push(() => pty.close(), () => sim.close(), () => printer.close());
    const db = new Database(tempPath());
    cleanups.push(() => db.close());
    // A retry delay far beyond the test's time: only the ASB frame can wake the queue.
    const queue = PrintQueue.open(db, printer, undefined, { retryBaseMs: 600_000,
      closeAfterJob: false });
    cleanups.push(() => queue.close());
    const waiting = next(queue, 'waiting');
    const id = queue.enqueue({ transactionId: 21, kind: 'customer', bytes: receipt(21) });
    expect((await waiting).problem).toBe('paper-out');
    const printed = next(queue, 'printed');
    sim.setPaperOut(false);
    expect((await printed).id).toBe(id);
    expect((await waitForWholeJob(sim, receipt(21))).partial).toBe(false);
  });
});
