import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../../src/log';
import { EscPosParser, type EscPosCommand } from '../../src/receipt/escpos-parse';
import { pageToPng, renderPage, type RenderedPage } from './page-render';
import { encodeStatus } from './status';

/** One printed job: what arrived, what it meant, and what the paper looks like. */
export interface PrintJob {
  /** 1, 2, … in the order jobs ended. */
  id: number;
  /** The bytes of the job as received, status queries included. */
  bytes: Buffer;
  commands: EscPosCommand[];
  /** Commands the parser could not decode (also counted in the log). */
  unknown: EscPosCommand[];
  /** The job ended with a cut (else with the connection closing). */
  cut: boolean;
  page: RenderedPage;
  png: Buffer;
  binPath?: string;
  pngPath?: string;
}

export interface PrinterSimulatorOptions {
  /** 0 or absent: a port chosen by the OS. */
  port?: number;
  host?: '127.0.0.1';
  /** Where job-N.bin and job-N.png are written; nothing is written without it. */
  outDir?: string;
  paperOut?: boolean;
  /** Paper width in dots: 384 (58 mm, default) or 576 (80 mm). */
  widthDots?: 384 | 576;
  log?: Logger;
}

export interface PrinterSimulator {
  readonly host: string;
  readonly port: number;
  jobs(): PrintJob[];
  /** The next job not yet returned by waitForJob; rejects after timeoutMs (default 10 s). */
  waitForJob(timeoutMs?: number): Promise<PrintJob>;
  setPaperOut(paperOut: boolean): void;
  close(): Promise<void>;
}

interface Connection {
  parser: EscPosParser;
  /** Everything received on the connection; jobs are slices of it. */
  chunks: Buffer[];
  jobStart: number;
  commands: EscPosCommand[];
}

/**
 * A network receipt printer on a loopback port. It answers DLE EOT in real time like a
 * printer (also while out of paper), keeps each job's bytes, decodes them with the shared
 * parser and renders the paper to PNG. A job ends at a cut or when the connection closes.
 * Without paper it prints nothing: everything but status queries is dropped.
 */
export async function startPrinterSimulator(
  options: PrinterSimulatorOptions = {},
): Promise<PrinterSimulator> {
  const log = options.log ?? silentLogger;
  const widthDots = options.widthDots ?? 384;
  const finished: PrintJob[] = [];
  const waiting = new Map<number, (job: PrintJob) => void>();
  const sockets = new Set<Socket>();
  let handedOut = 0;
  let paperOut = options.paperOut ?? false;
  if (options.outDir) mkdirSync(options.outDir, { recursive: true });
  // Files go on from the jobs an earlier run left in the folder, so none is overwritten.
  const earlierFiles = options.outDir ? highestJobFile(options.outDir) : 0;

  function finishJob(conn: Connection, end: number, cut: boolean): void {
    const commands = conn.commands;
    const start = conn.jobStart;
    conn.commands = [];
    conn.jobStart = end;
    if (!commands.some((c) => c.op !== 'status')) return;
    const page = renderPage(commands, widthDots);
    const job: PrintJob = {
      id: finished.length + 1,
      bytes: Buffer.concat(conn.chunks).subarray(start, end),
      commands,
      unknown: commands.filter((c) => c.op === 'unknown'),
      cut,
      page,
      png: pageToPng(page),
    };
    if (options.outDir) {
      job.binPath = join(options.outDir, `job-${earlierFiles + job.id}.bin`);
      job.pngPath = join(options.outDir, `job-${earlierFiles + job.id}.png`);
      writeFileSync(job.binPath, job.bytes);
      writeFileSync(job.pngPath, job.png);
    }
    finished.push(job);
    log.info({ job: job.id, bytes: job.bytes.length, height: page.height,
      unknown: job.unknown.length, problems: page.problems }, 'printer simulator: job printed');
    waiting.get(job.id - 1)?.(job);
  }

  function handle(conn: Connection, socket: Socket, commands: EscPosCommand[]): void {
    for (const cmd of commands) {
      if (cmd.op === 'status') {
        const bytes = encodeStatus({ paperOut, paperNearEnd: false, coverOpen: false,
          error: false });
        const answers: Record<number, number> = {
          1: bytes.printer, 2: bytes.offline, 3: bytes.error, 4: bytes.paper,
        };
        const answer = answers[cmd.n];
        if (answer !== undefined) socket.write(Buffer.from([answer]));
        conn.commands.push(cmd);
        continue;
      }
      if (paperOut) continue;
      conn.commands.push(cmd);
      if (cmd.op === 'cut') finishJob(conn, cmd.offset + cutLength(cmd), true);
    }
  }

  const server = createServer((socket) => {
    sockets.add(socket);
    const conn: Connection = { parser: new EscPosParser(), chunks: [], jobStart: 0, commands: [] };
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      conn.chunks.push(chunk);
      received += chunk.length;
      handle(conn, socket, conn.parser.push(chunk));
    });
    socket.on('close', () => {
      sockets.delete(socket);
      handle(conn, socket, conn.parser.end());
      finishJob(conn, received, false);
    });
    socket.on('error', (err) => log.warn({ err }, 'printer simulator: connection error'));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;

  return {
    host: address.address,
    port: address.port,
    jobs: () => [...finished],
    waitForJob(timeoutMs = 10_000) {
      const index = handedOut++;
      const ready = finished[index];
      if (ready) return Promise.resolve(ready);
      return new Promise<PrintJob>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(index);
          reject(new Error(`printer simulator: no job ${index + 1} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(index, (job) => {
          clearTimeout(timer);
          waiting.delete(index);
          resolve(job);
        });
      });
    },
    setPaperOut(value: boolean) { paperOut = value; },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
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
