import { SerialPort } from 'serialport';
import { DisplayError } from '../../src/errors';
import { silentLogger, type Logger } from '../../src/log';
import { commandSet, type DisplayCommandSet, type DisplayCommandSetName } from './command-set';
import type { Brightness } from './epson';
import type { CustomerDisplay } from './types';

export interface SerialDisplayOptions {
  /** Serial device: /dev/ttyUSB0, /dev/ttyS0, or a pty in tests. */
  path: string;
  /** CD5220 displays ship at 9600 baud, 8N1. */
  baudRate?: number;
  columns?: number;
  /** The command set the display's DIP switches select; CD5220 by default. */
  commandSet?: DisplayCommandSetName;
  /** 1 (dimmest) .. 4, set when the display is initialised. */
  brightness?: Brightness;
  logger?: Logger;
}

/**
 * A pole display on a serial port, in the CD5220 or the Epson command set. The port is
 * opened (and the display initialised) on first use; a port that went away is opened again
 * by the next show, so a display plugged back in comes back without a restart. Shows are
 * sent one after the other.
 */
export class SerialDisplay implements CustomerDisplay {
  readonly columns: number;
  private readonly path: string;
  private readonly baudRate: number;
  private readonly commands: DisplayCommandSet;
  private readonly brightness: Brightness;
  private readonly log: Logger;
  private port: SerialPort | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: SerialDisplayOptions) {
    this.path = options.path;
    this.baudRate = options.baudRate ?? 9600;
    this.columns = options.columns ?? 20;
    this.commands = commandSet(options.commandSet);
    this.brightness = options.brightness ?? 4;
    this.log = (options.logger ?? silentLogger).child({ display: this.path });
  }

  /** Opens the port and initialises the display now rather than at the first show. */
  open(): Promise<void> {
    return this.enqueue(async () => { await this.ready(); });
  }

  show(line1: string, line2: string): Promise<void> {
    return this.enqueue(async () => {
      const port = await this.ready();
      await this.send(port, this.commands.show(line1, line2, this.columns));
    });
  }

  close(): Promise<void> {
    return this.enqueue(async () => {
      const port = this.port;
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

  private async ready(): Promise<SerialPort> {
    if (this.port?.isOpen) return this.port;
    const port = new SerialPort({ path: this.path, baudRate: this.baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => {
      port.open((err) => (err ? reject(this.failure('open', err)) : resolve()));
    });
    port.on('error', (err) => this.log.warn({ err }, 'display port error'));
    port.on('close', () => {
      if (this.port === port) this.port = undefined;
    });
    this.port = port;
    await this.send(port, this.commands.init(this.brightness));
    this.log.debug('display initialised');
    return port;
  }

  /** Resolves once the bytes have left the port (write, then tcdrain). */
  private send(port: SerialPort, bytes: Buffer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      port.write(bytes, (err) => {
        if (err) return reject(this.failure('write', err));
        port.drain((drainErr) => (drainErr ? reject(this.failure('drain', drainErr)) : resolve()));
      });
    });
  }

  private failure(what: string, cause: Error): DisplayError {
    return new DisplayError('DISPLAY_ERROR', undefined, {
      cause,
      detail: { path: this.path, what, reason: cause.message },
    });
  }
}
