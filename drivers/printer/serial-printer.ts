import { SerialPort } from 'serialport';
import { PrinterError } from '../../src/errors';
import { silentLogger, type Logger } from '../../src/log';
import { realtimeStatus } from '../../src/receipt/escpos';
import { ASB_LENGTH, decodeAsb, enableAsb, isAsbFirstByte } from './asb';
import { decodeStatus, isStatusByte } from './status';
import type { PrinterStatus, ReceiptPrinter } from './types';

export interface SerialPrinterOptions {
  /** /dev/ttyUSB0, /dev/ttyS0, or a pty in tests. */
  path: string;
  /** Most thermal printers ship at 9600 or 115 200 baud, 8N1. */
  baudRate?: number;
  /**
   * Flow control, as the printer's DIP switches set it: 'rtscts' (hardware, the printer drops
   * CTS while its buffer is full), 'xonxoff' (it sends XOFF 13 and XON 11) or 'none'.
   */
  flowControl?: 'rtscts' | 'xonxoff' | 'none';
  /** Default for status() when it is called without a timeout: each answer must come in it. */
  statusTimeoutMs?: number;
  /** Ask for automatic status back (GS a) on open; statusChanged then hears every change. */
  automaticStatus?: boolean;
  logger?: Logger;
}

const XON = 0x11;
const XOFF = 0x13;

interface ByteWaiter {
  resolve(byte: number): void;
  reject(err: Error): void;
}

/**
 * An ESC/POS printer on a serial line. The port is opened on first use and again after it
 * went away (a cable pulled and put back). A write resolves once the bytes left the port
 * (write, then tcdrain). DLE EOT answers, automatic status back frames and XON/XOFF share the
 * line: each byte is told apart by its fixed bits, so an ASB frame is never read as an
 * answer. A write is never retried here: a retried write could print twice.
 */
export class SerialPrinter implements ReceiptPrinter {
  private readonly options: Required<Omit<SerialPrinterOptions, 'logger'>>;
  private readonly log: Logger;
  private port: SerialPort | undefined;
  private opening: Promise<SerialPort> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private answers: number[] = [];
  private waiter: ByteWaiter | undefined;
  private asb: number[] = [];
  private readonly listeners = new Set<(status: PrinterStatus) => void>();

  constructor(options: SerialPrinterOptions) {
    this.options = {
      path: options.path,
      baudRate: options.baudRate ?? 9600,
      flowControl: options.flowControl ?? 'none',
      statusTimeoutMs: options.statusTimeoutMs ?? 2000,
      automaticStatus: options.automaticStatus ?? false,
    };
    this.log = (options.logger ?? silentLogger).child({ printer: options.path });
  }

  /** Called with each status the printer sends on its own (ASB); returns an unsubscribe. */
  statusChanged(listener: (status: PrinterStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  write(bytes: Buffer): Promise<void> {
    return this.enqueue(async () => {
      const port = await this.connect();
      await this.send(port, bytes, 'write');
    });
  }

  /** Asks DLE EOT 1, 2, 3 and 4 in turn; each answer must come within timeoutMs. */
  status(timeoutMs = this.options.statusTimeoutMs): Promise<PrinterStatus> {
    return this.enqueue(async () => {
      const port = await this.connect();
      this.answers = [];
      const bytes: number[] = [];
      for (const n of [1, 2, 3, 4] as const) {
        await this.send(port, realtimeStatus(n), 'status query');
        bytes.push(await this.nextAnswer(n, timeoutMs));
      }
      const [printer = 0, offline = 0, error = 0, paper = 0] = bytes;
      const status = decodeStatus({ printer, offline, paper });
      // n = 3: bit 3 autocutter, bit 5 unrecoverable, bit 6 automatically recoverable error.
      if ((error & 0x68) !== 0) status.error = true;
      this.log.debug({ status }, 'printer status');
      return status;
    });
  }

  close(): Promise<void> {
    return this.enqueue(async () => {
      const port = this.port ?? (await this.opening?.catch(() => undefined));
      this.port = undefined;
      if (!port?.isOpen) return;
      await new Promise<void>((resolve) => port.close(() => resolve()));
    });
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private connect(): Promise<SerialPort> {
    if (this.port?.isOpen) return Promise.resolve(this.port);
    this.opening ??= this.open().finally(() => { this.opening = undefined; });
    return this.opening;
  }

  private async open(): Promise<SerialPort> {
    const { path, baudRate, flowControl } = this.options;
    const port = new SerialPort({ path, baudRate, autoOpen: false,
      rtscts: flowControl === 'rtscts', xon: flowControl === 'xonxoff',
      xoff: flowControl === 'xonxoff' });
    await new Promise<void>((resolve, reject) => {
      port.open((err) => (err ? reject(this.unreachable('open', err)) : resolve()));
    });
    port.on('data', (chunk: Buffer) => this.onData(chunk));
    port.on('error', (err) => this.log.warn({ err }, 'printer port error'));
    port.on('close', () => {
      if (this.port === port) this.port = undefined;
      this.waiter?.reject(this.unreachable('port closed'));
      this.waiter = undefined;
    });
    this.port = port;
    this.answers = [];
    this.asb = [];
    if (this.options.automaticStatus) await this.send(port, enableAsb(), 'enable ASB');
    this.log.debug('printer port open');
    return port;
  }

  /** Resolves once the bytes have left the port. */
  private send(port: SerialPort, bytes: Buffer, what: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      port.write(bytes, (err) => {
        if (err) return reject(this.unreachable(what, err));
        port.drain((drainErr) => (drainErr ? reject(this.unreachable(what, drainErr))
          : resolve()));
      });
    });
  }

  private onData(chunk: Buffer): void {
    for (const b of chunk) {
      if (this.asb.length > 0 || isAsbFirstByte(b)) {
        this.takeAsb(b);
      } else if (isStatusByte(b)) {
        const waiter = this.waiter;
        this.waiter = undefined;
        if (waiter) waiter.resolve(b);
        else this.answers.push(b);
      } else if (b !== XON && b !== XOFF) {
        this.log.debug({ byte: b }, 'printer sent a byte that is no status');
      }
    }
  }

  private takeAsb(b: number): void {
    if (this.asb.length > 0 && this.options.flowControl === 'xonxoff'
      && (b === XON || b === XOFF)) return;
    this.asb.push(b);
    if (this.asb.length < ASB_LENGTH) return;
    const status = decodeAsb(Buffer.from(this.asb));
    this.asb = [];
    if (!status) return;
    this.log.debug({ status }, 'printer automatic status');
    for (const listener of this.listeners) listener(status);
  }

  private nextAnswer(query: number, timeoutMs: number): Promise<number> {
    const queued = this.answers.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new PrinterError('PRINTER_UNREACHABLE', 'the printer did not answer DLE EOT', {
          detail: { path: this.options.path, query, timeoutMs },
        }));
      }, timeoutMs);
      this.waiter = {
        resolve: (b) => { clearTimeout(timer); resolve(b); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      };
    });
  }

  private unreachable(what: string, cause?: Error): PrinterError {
    return new PrinterError('PRINTER_UNREACHABLE', undefined, {
      cause, detail: { path: this.options.path, what, reason: cause?.message },
    });
  }
}
