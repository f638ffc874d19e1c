import { Socket } from 'node:net';
import { PrinterError } from '../../src/errors';
import { silentLogger, type Logger } from '../../src/log';
import { realtimeStatus } from '../../src/receipt/escpos';
import { decodeStatus } from './status';
import type { PrinterStatus, ReceiptPrinter } from './types';

export interface TcpPrinterOptions {
  host: string;
  /** The raw printing port of network printers ("port 9100", JetDirect). */
  port?: number;
  connectTimeoutMs?: number;
  /** Default for status() when it is called without a timeout. */
  statusTimeoutMs?: number;
  logger?: Logger;
}

interface ByteWaiter {
  resolve(byte: number): void;
  reject(err: Error): void;
}

/**
 * An ESC/POS printer on a TCP socket. The connection is opened on first use and kept until
 * close(); a connection the printer dropped is opened again by the next call (never by a
 * retry of the same write, which could print twice).
 */
export class TcpPrinter implements ReceiptPrinter {
  private readonly host: string;
  private readonly port: number;
  private readonly connectTimeoutMs: number;
  private readonly statusTimeoutMs: number;
  private readonly log: Logger;
  private socket: Socket | undefined;
  private connecting: Promise<Socket> | undefined;
  private received: number[] = [];
  private waiter: ByteWaiter | undefined;
  private statusQueue: Promise<unknown> = Promise.resolve();

  constructor(options: TcpPrinterOptions) {
    this.host = options.host;
    this.port = options.port ?? 9100;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 3000;
    this.statusTimeoutMs = options.statusTimeoutMs ?? 2000;
    this.log = (options.logger ?? silentLogger).child({ printer: `${this.host}:${this.port}` });
  }

  async write(bytes: Buffer): Promise<void> {
    const socket = await this.connect();
    await new Promise<void>((resolve, reject) => {
      socket.write(bytes, (err) => (err ? reject(this.unreachable('write', err)) : resolve()));
    });
  }

  /** Asks DLE EOT 1, 2 and 4 in turn; each answer must come within what is left of timeoutMs. */
  status(timeoutMs = this.statusTimeoutMs): Promise<PrinterStatus> {
    const run = this.statusQueue.then(() => this.queryStatus(timeoutMs));
    this.statusQueue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    const socket = this.socket ?? (await this.connecting?.catch(() => undefined));
    this.socket = undefined;
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      setTimeout(() => socket.destroy(), this.connectTimeoutMs).unref();
    });
  }

  private async queryStatus(timeoutMs: number): Promise<PrinterStatus> {
    const socket = await this.connect();
    const deadline = Date.now() + timeoutMs;
    this.received = [];
    const answers: number[] = [];
    for (const n of [1, 2, 4] as const) {
      socket.write(realtimeStatus(n));
      answers.push(await this.nextByte(deadline, n, timeoutMs));
    }
    const [printer = 0, offline = 0, paper = 0] = answers;
    const status = decodeStatus({ printer, offline, paper });
    this.log.debug({ status }, 'printer status');
    return status;
  }

  private nextByte(deadline: number, query: number, timeoutMs: number): Promise<number> {
    const queued = this.received.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new PrinterError('PRINTER_UNREACHABLE', 'the printer did not answer DLE EOT', {
          detail: { host: this.host, port: this.port, query, timeoutMs },
        }));
      }, Math.max(0, deadline - Date.now()));
      this.waiter = {
        resolve: (b) => { clearTimeout(timer); resolve(b); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      };
    });
  }

  private onData(chunk: Buffer): void {
    for (const b of chunk) {
      const waiter = this.waiter;
      this.waiter = undefined;
      if (waiter) waiter.resolve(b);
      else this.received.push(b);
    }
  }

  private onClosed(socket: Socket, err?: Error): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.waiter?.reject(this.unreachable('connection closed', err));
    this.waiter = undefined;
  }

  private connect(): Promise<Socket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    this.connecting ??= this.open().finally(() => { this.connecting = undefined; });
    return this.connecting;
  }

  private open(): Promise<Socket> {
    return new Promise<Socket>((resolve, reject) => {
      const socket = new Socket();
      const timer = setTimeout(() => {
        socket.destroy();
        reject(this.unreachable(`no connection within ${this.connectTimeoutMs} ms`));
      }, this.connectTimeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(this.unreachable('connect', err));
      });
      socket.connect(this.port, this.host, () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.setNoDelay(true);
        socket.on('data', (chunk: Buffer) => this.onData(chunk));
        socket.on('error', (err) => this.log.warn({ err }, 'printer connection failed'));
        socket.on('close', () => this.onClosed(socket));
        this.socket = socket;
        this.received = [];
        this.log.debug('printer connected');
        resolve(socket);
      });
    });
  }

  private unreachable(what: string, cause?: Error): PrinterError {
    return new PrinterError('PRINTER_UNREACHABLE', undefined, {
      cause,
      detail: { host: this.host, port: this.port, what, reason: cause?.message },
    });
  }
}
