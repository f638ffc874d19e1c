import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../../src/log';
import { EscPosParser, type EscPosCommand } from '../../src/receipt/escpos-parse';
import { encodeAsb } from './asb';
import { pageToPng, renderPage, type RenderedPage } from './page-render';
import { encodeStatus } from './status';
import type { PrinterStatus } from './types';

/** One printed job: what arrived, what it meant, and what the paper looks like. */
export interface PrintJob {
  /** 1, 2, … in the order jobs ended. */
  id: number;
  /** The bytes of the job as received, status queries included. */
  bytes: Buffer;
  /**
   * The bytes that reached the paper: without status queries, ASB settings, and what was
   * dropped for want of paper. Equal to what the host meant to print when nothing was lost.
   */
  printed: Buffer;
  /**
   * The paper ran out (or the cover opened) during the job, which ended there: what came out
   * is only the start of it. What the host sent after that prints nowhere.
   */
  partial: boolean;
  commands: EscPosCommand[];
  /** Commands the parser could not decode (also counted in the log). */
  unknown: EscPosCommand[];
  /** The job ended with a cut (else with the connection closing or the line going quiet). */
  cut: boolean;
  page: RenderedPage;
  png: Buffer;
  binPath?: string;
  pngPath?: string;
}

export interface SimulatedPrinterOptions {
  /** Where job-N.bin and job-N.png are written; nothing is written without it. */
  outDir?: string;
  paperOut?: boolean;
  /** Paper width in dots: 384 (58 mm, default) or 576 (80 mm). */
  widthDots?: 384 | 576;
  log?: Logger;
}

/** The printer's side shared by the TCP and pty simulators. */
export interface PrinterControls {
  jobs(): PrintJob[];
  /** The next job not yet returned by waitForJob; rejects after timeoutMs (default 10 s). */
  waitForJob(timeoutMs?: number): Promise<PrintJob>;
  setPaperOut(paperOut: boolean): void;
  /**
   * The paper runs out at the first command that starts `bytes` or more bytes into what the
   * printer is sent next (status queries aside). 0: before the next job's first byte.
   */
  paperOutAfter(bytes: number): void;
  setCoverOpen(open: boolean): void;
  status(): Omit<PrinterStatus, 'online'>;
}

/** Where a connection's answers go (a socket, a serial port). */
export interface AnswerLink {
  write(bytes: Buffer): void;
}

/** A stretch of the stream: one command, and whether it went to paper. */
interface Span {
  offset: number;
  kept: boolean;
}

export interface PrinterConnection {
  data(chunk: Buffer): void;
  /** A job not ended by a cut ends here: connection closed, or the serial line went quiet. */
  endJob(): void;
  /** The connection closed: what is still incomplete is decoded as truncated. */
  close(): void;
}

interface ConnectionState {
  link: AnswerLink;
  parser: EscPosParser;
  chunks: Buffer[];
  received: number;
  jobStart: number;
  commands: EscPosCommand[];
  spans: Span[];
  /** GS a n in force (0: automatic status back off). */
  asb: number;
}

/**
 * A receipt printer played in software. It answers DLE EOT at once (also while out of paper
 * or with the cover open), sends automatic status back after GS a and on every change, keeps
 * each job's bytes, decodes them with the shared parser and renders the paper to PNG.
 * Without paper or with the cover open it prints nothing: all but status queries is dropped.
 */
export class SimulatedPrinter implements PrinterControls {
  private readonly log: Logger;
  private readonly widthDots: 384 | 576;
  private readonly finished: PrintJob[] = [];
  private readonly waiting = new Map<number, (job: PrintJob) => void>();
  private readonly connections = new Set<ConnectionState>();
  private readonly earlierFiles: number;
  private handedOut = 0;
  private paperOut: boolean;
  private coverOpen = false;
  /** Bytes left before the paper runs out; the end is fixed at the next command. */
  private paperBudget: number | undefined;
  private paperEndsAt: { conn: ConnectionState; offset: number } | undefined;

  constructor(private readonly options: SimulatedPrinterOptions = {}) {
    this.log = options.log ?? silentLogger;
    this.widthDots = options.widthDots ?? 384;
    this.paperOut = options.paperOut ?? false;
    if (options.outDir) mkdirSync(options.outDir, { recursive: true });
    // Files go on from the jobs an earlier run left in the folder, so none is overwritten.
    this.earlierFiles = options.outDir ? highestJobFile(options.outDir) : 0;
  }

  connect(link: AnswerLink): PrinterConnection {
    const conn: ConnectionState = { link, parser: new EscPosParser(), chunks: [], received: 0,
      jobStart: 0, commands: [], spans: [], asb: 0 };
    this.connections.add(conn);
    return {
      data: (chunk) => {
        conn.chunks.push(chunk);
        conn.received += chunk.length;
        this.handle(conn, conn.parser.push(chunk));
      },
      endJob: () => this.finishJob(conn, conn.received, false),
      close: () => {
        this.handle(conn, conn.parser.end());
        this.finishJob(conn, conn.received, false);
        this.connections.delete(conn);
      },
    };
  }

  jobs(): PrintJob[] {
    return [...this.finished];
  }

  waitForJob(timeoutMs = 10_000): Promise<PrintJob> {
    const index = this.handedOut++;
    const ready = this.finished[index];
    if (ready) return Promise.resolve(ready);
    return new Promise<PrintJob>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(index);
        reject(new Error(`printer simulator: no job ${index + 1} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(index, (job) => {
        clearTimeout(timer);
        this.waiting.delete(index);
        resolve(job);
      });
    });
  }

  setPaperOut(paperOut: boolean): void {
    this.paperBudget = undefined;
    this.paperEndsAt = undefined;
    this.change(() => { this.paperOut = paperOut; });
  }

  paperOutAfter(bytes: number): void {
    this.paperBudget = bytes;
    this.paperEndsAt = undefined;
  }

  setCoverOpen(open: boolean): void {
    this.change(() => { this.coverOpen = open; });
  }

  status(): Omit<PrinterStatus, 'online'> {
    return { paperOut: this.paperOut, paperNearEnd: false, coverOpen: this.coverOpen,
      error: false };
  }

  /** Applies a change of state and sends ASB where it is on and the status changed. */
  private change(apply: () => void): void {
    const before = encodeAsb(this.status());
    apply();
    const after = encodeAsb(this.status());
    if (before.equals(after)) return;
    for (const conn of this.connections) {
      if (conn.asb !== 0) conn.link.write(after);
    }
  }

  private handle(conn: ConnectionState, commands: EscPosCommand[]): void {
    for (const cmd of commands) {
      if (cmd.op === 'status') {
        this.answerStatus(conn, cmd.n);
        conn.spans.push({ offset: cmd.offset, kept: false });
        conn.commands.push(cmd);
        continue;
      }
      if (cmd.op === 'skipped' && cmd.name === 'GS a') {
        conn.asb = cmd.bytes[2] ?? 0;
        if (conn.asb !== 0) conn.link.write(encodeAsb(this.status()));
        conn.spans.push({ offset: cmd.offset, kept: false });
        continue;
      }
      this.spendPaper(conn, cmd.offset);
      if (this.paperOut || this.coverOpen) {
        // A job under way ends where the paper did, as its paper does.
        if (conn.commands.some((c) => c.op !== 'status')) {
          this.finishJob(conn, cmd.offset, false, true);
        }
        conn.spans.push({ offset: cmd.offset, kept: false });
        continue;
      }
      conn.spans.push({ offset: cmd.offset, kept: true });
      conn.commands.push(cmd);
      if (cmd.op === 'cut') this.finishJob(conn, cmd.offset + cutLength(cmd), true);
    }
  }

  private spendPaper(conn: ConnectionState, offset: number): void {
    if (this.paperBudget !== undefined) {
      this.paperEndsAt = { conn, offset: offset + this.paperBudget };
      this.paperBudget = undefined;
    }
    const end = this.paperEndsAt;
    if (!end || end.conn !== conn || offset < end.offset) return;
    this.paperEndsAt = undefined;
    this.log.info({ offset }, 'printer simulator: paper ran out');
    this.change(() => { this.paperOut = true; });
  }

  private answerStatus(conn: ConnectionState, n: number): void {
    const bytes = encodeStatus(this.status());
    const answers: Record<number, number> = {
      1: bytes.printer, 2: bytes.offline, 3: bytes.error, 4: bytes.paper,
    };
    const answer = answers[n];
    if (answer !== undefined) conn.link.write(Buffer.from([answer]));
  }

  private finishJob(conn: ConnectionState, end: number, cut: boolean, partial = false): void {
    const commands = conn.commands;
    const start = conn.jobStart;
    const spans = conn.spans.filter((s) => s.offset < end);
    conn.spans = conn.spans.filter((s) => s.offset >= end);
    conn.commands = [];
    conn.jobStart = end;
    if (!commands.some((c) => c.op !== 'status')) return;
    const all = Buffer.concat(conn.chunks);
    const page = renderPage(commands, this.widthDots);
    const job: PrintJob = {
      id: this.finished.length + 1,
      bytes: all.subarray(start, end),
      printed: Buffer.concat(spans.map((s, i) => (s.kept
        ? all.subarray(s.offset, spans[i + 1]?.offset ?? end) : Buffer.alloc(0)))),
      partial,
      commands,
      unknown: commands.filter((c) => c.op === 'unknown'),
      cut,
      page,
      png: pageToPng(page),
    };
    this.save(job);
    this.finished.push(job);
    this.log.info({ job: job.id, bytes: job.bytes.length, height: page.height,
      partial: job.partial, unknown: job.unknown.length, problems: page.problems },
    'printer simulator: job printed');
    this.waiting.get(job.id - 1)?.(job);
  }

  private save(job: PrintJob): void {
    const dir = this.options.outDir;
    if (!dir) return;
    job.binPath = join(dir, `job-${this.earlierFiles + job.id}.bin`);
    job.pngPath = join(dir, `job-${this.earlierFiles + job.id}.png`);
    writeFileSync(job.binPath, job.bytes);
    writeFileSync(job.pngPath, job.png);
  }
}

function cutLength(cmd: Extract<EscPosCommand, { op: 'cut' }>): number {
  return cmd.feed === undefined ? 3 : 4;
}

function highestJobFile(dir: string): number {
  return readdirSync(dir).reduce((highest, name) => {
    const match = /^job-(\d+)\.bin$/.exec(name);
    return match ? Math.max(highest, Number(match[1])) : highest;
  }, 0);
}
