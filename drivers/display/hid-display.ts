import { DisplayError } from '../../src/errors';
import { silentLogger, type Logger } from '../../src/log';
import { commandSet, type DisplayCommandSet, type DisplayCommandSetName } from './command-set';
import type { Brightness } from './epson';
import { DEFAULT_HID_FRAMING, hidReports, type HidFraming } from './hid-frames';
import type { CustomerDisplay } from './types';

/** What HidDisplay needs of a HID device: node-hid's HIDAsync, or a simulator in tests. */
export interface HidDevice {
  /** One output report, its first byte the report ID; resolves to the bytes written. */
  write(report: number[] | Buffer): Promise<number>;
  close(): Promise<void>;
}

export interface HidDisplayOptions {
  /** hidraw path (/dev/hidraw0) or, without it, vendor and product ID. */
  path?: string;
  vendorId?: number;
  productId?: number;
  /** Opens the device; node-hid by default. Tests pass a simulator. */
  open?: () => Promise<HidDevice>;
  framing?: Partial<HidFraming>;
  commandSet?: DisplayCommandSetName;
  brightness?: Brightness;
  columns?: number;
  logger?: Logger;
}

/**
 * A pole display on USB-HID. The device is opened (and the display initialised) on first
 * use and again after a failed write, so a display plugged back in comes back. Each show is
 * cut into whole reports (hid-frames.ts) and the reports are written in order.
 */
export class HidDisplay implements CustomerDisplay {
  readonly columns: number;
  private readonly options: HidDisplayOptions;
  private readonly framing: HidFraming;
  private readonly commands: DisplayCommandSet;
  private readonly log: Logger;
  private device: HidDevice | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: HidDisplayOptions) {
    if (!options.open && !options.path && (options.vendorId === undefined
      || options.productId === undefined)) {
      throw new DisplayError('DISPLAY_ERROR', 'a HID display needs a path or vendor/product ID');
    }
    this.options = options;
    this.framing = { ...DEFAULT_HID_FRAMING, ...options.framing };
    this.commands = commandSet(options.commandSet);
    this.columns = options.columns ?? 20;
    this.log = (options.logger ?? silentLogger).child({ display: this.where() });
  }

  show(line1: string, line2: string): Promise<void> {
    return this.enqueue(async () => {
      const device = await this.ready();
      await this.send(device, this.commands.show(line1, line2, this.columns));
    });
  }

  close(): Promise<void> {
    return this.enqueue(async () => {
      const device = this.device;
      this.device = undefined;
      await device?.close().catch(() => undefined);
    });
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async ready(): Promise<HidDevice> {
    if (this.device) return this.device;
    let device: HidDevice;
    try {
      device = await (this.options.open ?? (() => this.openNodeHid()))();
    } catch (err) {
      throw this.failure('open', err as Error);
    }
    this.device = device;
    await this.send(device, this.commands.init(this.options.brightness ?? 4));
    this.log.debug('display initialised');
    return device;
  }

  private async openNodeHid(): Promise<HidDevice> {
    // Loaded here, so that the native addon is only loaded where a HID display is configured.
    const { HIDAsync } = await import('node-hid');
    const { path, vendorId, productId } = this.options;
    return path ? HIDAsync.open(path) : HIDAsync.open(vendorId!, productId!);
  }

  private async send(device: HidDevice, bytes: Buffer): Promise<void> {
    for (const report of hidReports(bytes, this.framing)) {
      try {
        const written = await device.write(report);
        if (written !== report.length) {
          throw new Error(`${written} of ${report.length} report bytes written`);
        }
      } catch (err) {
        this.device = undefined;
        await device.close().catch(() => undefined);
        throw this.failure('write', err as Error);
      }
    }
  }

  private where(): string {
    const { path, vendorId, productId } = this.options;
    if (path) return path;
    if (vendorId === undefined) return 'hid';
    const hex = (n: number) => n.toString(16).padStart(4, '0');
    return `hid ${hex(vendorId)}:${hex(productId ?? 0)}`;
  }

  private failure(what: string, cause: Error): DisplayError {
    return new DisplayError('DISPLAY_ERROR', undefined, {
      cause, detail: { device: this.where(), what, reason: cause.message },
    });
  }
}
