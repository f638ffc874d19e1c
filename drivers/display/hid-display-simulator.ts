import type { DisplayCommandSetName } from './command-set';
import { displayByteSink, type DisplaySimulator } from './display-simulator';
import type { HidDevice } from './hid-display';
import { DEFAULT_HID_FRAMING, reportPayload, type HidFraming } from './hid-frames';

export interface SimulatedHidDisplay {
  /** What HidDisplay writes to (its `open` option resolves to this). */
  device: HidDevice;
  simulator: DisplaySimulator;
  /** Every report written, as received. */
  reports(): Buffer[];
  /** Pulls the cable: writes fail until plugIn. */
  unplug(): void;
  plugIn(): void;
}

/**
 * A USB-HID pole display played in software: it takes output reports like hidapi's write,
 * refuses what the real device would (a report of the wrong size or ID, a count byte out of
 * range, any write while unplugged) and decodes the command bytes it carries.
 */
export function simulatedHidDisplay(options: { framing?: Partial<HidFraming>;
  commandSet?: DisplayCommandSetName; columns?: number } = {}): SimulatedHidDisplay {
  const framing = { ...DEFAULT_HID_FRAMING, ...options.framing };
  const sink = displayByteSink(options.columns ?? 20, options.commandSet);
  const received: Buffer[] = [];
  let plugged = true;
  const device: HidDevice = {
    async write(report) {
      if (!plugged) throw new Error('Cannot write to hid device');
      const bytes = Buffer.from(report);
      const payload = reportPayload(bytes, framing);
      if (typeof payload === 'string') throw new Error(`Cannot write to hid device: ${payload}`);
      received.push(bytes);
      sink.feed(payload);
      return bytes.length;
    },
    async close() {
      // A closed handle is reopened by the driver through its `open` option.
    },
  };
  return {
    device,
    simulator: sink.simulator,
    reports: () => [...received],
    unplug: () => { plugged = false; },
    plugIn: () => { plugged = true; },
  };
}
