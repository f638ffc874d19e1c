import { constants, promises as fs, type promises } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { PrinterError } from '../../src/errors';
import { silentLogger, type Logger } from '../../src/log';
import { realtimeStatus } from '../../src/receipt/escpos';
import { decodeStatus } from './status';
import type { PrinterStatus, ReceiptPrinter } from './types';

export interface DevicePrinterOptions {
  /** The printer's character device: /dev/usb/lp0 for a USB printer under usblp. */
  path: string;
  /** Default for status() when it is called without a timeout. */
  statusTimeoutMs?: number;
  logger?: Logger;
}

/** How often a non-blocking device is asked again while it has nothing to give or take. */
const POLL_MS = 10;

/**
 * An ESC/POS printer on a local device file (USB printer class through the kernel's usblp,
 * which passes DLE EOT answers back on read). The device is opened non-blocking, so a status
 * query that gets no answer ends at its timeout instead of holding a thread; it is opened on
 * first use and again after an error (a printer unplugged and plugged back).
 */
export class DevicePrinter implements ReceiptPrinter {
  private readonly path: string;
  private readonly statusTimeoutMs: number;
  private readonly log: Logger;
  private handle: promises.FileHandle | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: DevicePrinterOptions) {
    this.path = options.path;
    this.statusTimeoutMs = options.statusTimeoutMs ?? 2000;
    this.log = (options.logger ?? silentLogger).child({ printer: this.path });
  }

  write(bytes: Buffer): Promise<void> {
    return this.enqueue(async () => {
      const handle = await this.open();
      let offset = 0;
      while (offset < bytes.length) {
        try {
          const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
          offset += bytesWritten;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
            await sleep(POLL_MS);
            continue;
          }
          await this.drop();
          throw this.unreachable('write', err as Error);
        }
      }
    });
  }

  /** Asks DLE EOT 1, 2 and 4 in turn; every answer must come within timeoutMs in all. */
  status(timeoutMs = this.statusTimeoutMs): Promise<PrinterStatus> {
    return this.enqueue(async () => {
      const handle = await this.open();
      const deadline = Date.now() + timeoutMs;
      // An answer left from an earlier query that timed out must not be taken for this one.
      while ((await this.readByte(handle)) !== undefined);
      const answers: number[] = [];
      for (const n of [1, 2, 4] as const) {
        await handle.write(realtimeStatus(n)).catch(async (err: Error) => {
          await this.drop();
          throw this.unreachable('status query', err);
        });
        let byte: number | undefined;
        while ((byte = await this.readByte(handle)) === undefined) {
          if (Date.now() >= deadline) {
            throw new PrinterError('PRINTER_UNREACHABLE', 'the printer did not answer DLE EOT',
              { detail: { path: this.path, query: n, timeoutMs } });
          }
          await sleep(POLL_MS);
        }
        answers.push(byte);
      }
      const [printer = 0, offline = 0, paper = 0] = answers;
      const status = decodeStatus({ printer, offline, paper });
      this.log.debug({ status }, 'printer status');
      return status;
    });
  }

  close(): Promise<void> {
    return this.enqueue(() => this.drop());
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async open(): Promise<promises.FileHandle> {
    if (this.handle) return this.handle;
    try {
      this.handle = await fs.open(this.path,
        constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOCTTY);
    } catch (err) {
      throw this.unreachable('open', err as Error);
    }
    return this.handle;
  }

  /** One byte the device has ready, or undefined when it has none now. */
  private async readByte(handle: promises.FileHandle): Promise<number | undefined> {
    const buffer = Buffer.alloc(1);
    try {
      const { bytesRead } = await handle.read(buffer, 0, 1, null);
      return bytesRead === 1 ? buffer[0] : undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return undefined;
      await this.drop();
      throw this.unreachable('read', err as Error);
    }
  }

  private async drop(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => undefined);
  }

  private unreachable(what: string, cause: Error): PrinterError {
    return new PrinterError('PRINTER_UNREACHABLE', undefined, {
      cause, detail: { path: this.path, what, reason: cause.message },
    });
  }
}
