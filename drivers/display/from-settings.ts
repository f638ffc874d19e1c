import type { Writable } from 'node:stream';
import type { Logger } from '../../src/log';
import type { DisplayCommandSetName } from './command-set';
import { ConsoleDisplay } from './console-display';
import type { Brightness } from './epson';
import { HidDisplay } from './hid-display';
import { SerialDisplay } from './serial-display';
import type { CustomerDisplay } from './types';

/** The display settings of the config (display.*), typed here by the fields read. */
export type DisplaySettings =
  | { kind: 'none' }
  | { kind: 'console' }
  | { kind: 'serial'; path: string; baudRate: number; commandSet?: DisplayCommandSetName;
    brightness?: Brightness }
  | { kind: 'hid'; path?: string; vendorId?: number; productId?: number; reportId?: number;
    reportSize?: number; commandSet?: DisplayCommandSetName; brightness?: Brightness };

/** The display the settings name, not opened yet (each driver opens on first use). */
export function displayFromSettings(settings: DisplaySettings,
  options: { stream?: Writable; logger?: Logger } = {}): CustomerDisplay | null {
  switch (settings.kind) {
    case 'none': return null;
    case 'console': return new ConsoleDisplay({ stream: options.stream ?? process.stderr });
    case 'serial': return new SerialDisplay({ path: settings.path, baudRate: settings.baudRate,
      commandSet: settings.commandSet, brightness: settings.brightness,
      logger: options.logger });
    case 'hid': return new HidDisplay({ path: settings.path, vendorId: settings.vendorId,
      productId: settings.productId, commandSet: settings.commandSet,
      brightness: settings.brightness, logger: options.logger,
      framing: { reportId: settings.reportId ?? 0, reportSize: settings.reportSize ?? 32 } });
  }
}

/** Where the display is, for messages: "serial /dev/ttyUSB0 at 9600 baud (epson)". */
export function describeDisplay(settings: DisplaySettings): string {
  switch (settings.kind) {
    case 'none': return 'none';
    case 'console': return 'console (stderr)';
    case 'serial': return `serial ${settings.path} at ${settings.baudRate} baud ` +
      `(${settings.commandSet ?? 'cd5220'})`;
    case 'hid': {
      const hex = (n?: number) => (n ?? 0).toString(16).padStart(4, '0');
      const where = settings.path ?? `${hex(settings.vendorId)}:${hex(settings.productId)}`;
      return `USB-HID ${where} (${settings.commandSet ?? 'cd5220'})`;
    }
  }
}
