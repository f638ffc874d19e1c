import { SerialPort } from 'serialport';
import { Cd5220Decoder } from './cd5220-decoder';
import { commandSet, type DisplayCommandSetName } from './command-set';
import { EpsonDecoder } from './epson-decoder';
import type { Screen, ScreenDecoder, UnknownDisplayBytes } from './screen-decoder';
import { startPtyPair, type PtyPair } from './pty-pair';
import type { CustomerDisplay } from './types';

/** A pole display played in software: what it shows now and what it has shown. */
export interface DisplaySimulator {
  lines(): Screen;
  /** Screens in order, one per distinct screen (see ScreenDecoder). */
  history(): Screen[];
  /** Bytes that were not commands of the display's command set. */
  unknown(): UnknownDisplayBytes[];
  /** Resolves when the screen is `expected` (or satisfies it); rejects after timeoutMs. */
  waitFor(expected: Screen | ((screen: Screen) => boolean), timeoutMs?: number): Promise<Screen>;
  close(): Promise<void>;
}

/** The decoder of a command set: what the display makes of the bytes. */
export function displayDecoder(name: DisplayCommandSetName = 'cd5220',
  columns = 20): ScreenDecoder {
  return name === 'epson' ? new EpsonDecoder(columns) : new Cd5220Decoder(columns);
}

function simulatorOver(decoder: ScreenDecoder, release: () => Promise<void>): DisplaySimulator {
  return {
    lines: () => decoder.lines(),
    history: () => decoder.history(),
    unknown: () => decoder.unknown(),
    waitFor(expected, timeoutMs = 5000) {
      const matches = typeof expected === 'function'
        ? expected
        : (s: Screen) => s[0] === expected[0] && s[1] === expected[1];
      if (matches(decoder.lines())) return Promise.resolve(decoder.lines());
      return new Promise<Screen>((resolve, reject) => {
        const timer = setTimeout(() => {
          stop();
          const [a, b] = decoder.lines();
          reject(new Error(`display simulator: screen is still "${a}" / "${b}"`));
        }, timeoutMs);
        const stop = decoder.onScreen((screen) => {
          if (!matches(screen)) return;
          clearTimeout(timer);
          stop();
          resolve(screen);
        });
      });
    },
    close: release,
  };
}

export interface DisplaySimulatorOptions {
  columns?: number;
  baudRate?: number;
  /** The command set the display is switched to; CD5220 by default. */
  commandSet?: DisplayCommandSetName;
}

/** A simulator reading display bytes from a serial device: the far end of a socat pty pair. */
export async function openDisplaySimulator(path: string,
  options: DisplaySimulatorOptions = {}): Promise<DisplaySimulator> {
  const decoder = displayDecoder(options.commandSet, options.columns ?? 20);
  const port = new SerialPort({ path, baudRate: options.baudRate ?? 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  port.on('data', (chunk: Buffer) => decoder.feed(chunk));
  return simulatorOver(decoder, () => new Promise<void>((resolve) => {
    if (!port.isOpen) return resolve();
    port.close(() => resolve());
  }));
}

/** A simulator fed in process: bytes written to `feed` are decoded as a display would. */
export function displayByteSink(columns = 20, set: DisplayCommandSetName = 'cd5220'):
  { feed(bytes: Buffer): void; simulator: DisplaySimulator } {
  const decoder = displayDecoder(set, columns);
  return {
    feed: (bytes) => decoder.feed(bytes),
    simulator: simulatorOver(decoder, async () => undefined),
  };
}

/**
 * The in-process display of the embedded default and of tests without a pty: show() encodes
 * the bytes a serial display would be sent (CD5220 or Epson) and hands them to the
 * simulator's decoder, so what `simulator` shows went through the same protocol.
 */
export class SimulatedDisplay implements CustomerDisplay {
  readonly columns: number;
  readonly simulator: DisplaySimulator;
  private readonly feed: (bytes: Buffer) => void;
  private readonly set: DisplayCommandSetName;

  constructor(columns = 20, set: DisplayCommandSetName = 'cd5220') {
    this.columns = columns;
    this.set = set;
    const sink = displayByteSink(columns, set);
    this.simulator = sink.simulator;
    this.feed = sink.feed;
  }

  async show(line1: string, line2: string): Promise<void> {
    this.feed(commandSet(this.set).show(line1, line2, this.columns));
  }

  async close(): Promise<void> {
    // Nothing to release: there is no port.
  }
}

export type DisplayPty = PtyPair;

/** A pty pair for a display and its simulator (see startPtyPair). */
export function startDisplayPty(timeoutMs = 5000): Promise<DisplayPty> {
  return startPtyPair(timeoutMs);
}
