import { spawn } from 'node:child_process';
import { SerialPort } from 'serialport';
import { showLines } from './cd5220';
import { Cd5220Decoder, type Screen, type UnknownDisplayBytes } from './cd5220-decoder';
import type { CustomerDisplay } from './types';

/** A pole display played in software: what it shows now and what it has shown. */
export interface DisplaySimulator {
  lines(): Screen;
  /** Screens in order, one per distinct screen (see Cd5220Decoder). */
  history(): Screen[];
  /** Bytes that were not CD5220 commands. */
  unknown(): UnknownDisplayBytes[];
  /** Resolves when the screen is `expected` (or satisfies it); rejects after timeoutMs. */
  waitFor(expected: Screen | ((screen: Screen) => boolean), timeoutMs?: number): Promise<Screen>;
  close(): Promise<void>;
}

function simulatorOver(decoder: Cd5220Decoder, release: () => Promise<void>): DisplaySimulator {
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
}

/** A simulator reading CD5220 bytes from a serial device: the far end of a socat pty pair. */
export async function openDisplaySimulator(path: string,
  options: DisplaySimulatorOptions = {}): Promise<DisplaySimulator> {
  const decoder = new Cd5220Decoder(options.columns ?? 20);
  const port = new SerialPort({ path, baudRate: options.baudRate ?? 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  port.on('data', (chunk: Buffer) => decoder.feed(chunk));
  return simulatorOver(decoder, () => new Promise<void>((resolve) => {
    if (!port.isOpen) return resolve();
    port.close(() => resolve());
  }));
}

/** A simulator fed in process: bytes written to `feed` are decoded as a display would. */
export function displayByteSink(columns = 20):
  { feed(bytes: Buffer): void; simulator: DisplaySimulator } {
  const decoder = new Cd5220Decoder(columns);
  return {
    feed: (bytes) => decoder.feed(bytes),
    simulator: simulatorOver(decoder, async () => undefined),
  };
}

/**
 * The in-process display of the embedded default and of tests without a pty: show() encodes
 * the CD5220 bytes a serial display would be sent and hands them to the simulator's decoder,
 * so what `simulator` shows went through the same protocol.
 */
export class SimulatedDisplay implements CustomerDisplay {
  readonly columns: number;
  readonly simulator: DisplaySimulator;
  private readonly feed: (bytes: Buffer) => void;

  constructor(columns = 20) {
    this.columns = columns;
    const sink = displayByteSink(columns);
    this.simulator = sink.simulator;
    this.feed = sink.feed;
  }

  async show(line1: string, line2: string): Promise<void> {
    this.feed(showLines(line1, line2, this.columns));
  }

  async close(): Promise<void> {
    // Nothing to release: there is no port.
  }
}

export interface DisplayPty {
  /** The end a SerialDisplay opens. */
  devicePath: string;
  /** The end openDisplaySimulator reads. */
  simulatorPath: string;
  close(): Promise<void>;
}

/**
 * Starts `socat -d -d pty,raw,echo=0 pty,raw,echo=0`, a pair of linked pseudo-terminals, and
 * reads their paths from socat's notices ("N PTY is /dev/pts/3") on stderr.
 */
export function startDisplayPty(timeoutMs = 5000): Promise<DisplayPty> {
  const socat = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const close = (): Promise<void> => new Promise<void>((resolve) => {
    if (socat.exitCode !== null || socat.signalCode !== null) return resolve();
    socat.once('exit', () => resolve());
    socat.kill('SIGTERM');
  });
  return new Promise<DisplayPty>((resolve, reject) => {
    let stderr = '';
    const fail = (message: string): void => {
      clearTimeout(timer);
      void close();
      reject(new Error(message));
    };
    const timer = setTimeout(() => fail(`socat gave no pty pair: ${stderr.trim()}`), timeoutMs);
    socat.once('error', (err: NodeJS.ErrnoException) => fail(err.code === 'ENOENT'
      ? 'socat is not installed: apt-get install socat'
      : `socat failed to start: ${err.message}`));
    const exited = (code: number | null): void => fail(`socat exited (${code}): ${stderr.trim()}`);
    socat.once('exit', exited);
    socat.stderr.setEncoding('utf8');
    socat.stderr.on('data', (text: string) => {
      stderr += text;
      const paths = [...stderr.matchAll(/PTY is (\S+)\r?\n/g)].map((m) => m[1]!);
      if (paths.length < 2 || !stderr.includes('starting data transfer loop')) return;
      clearTimeout(timer);
      socat.removeListener('exit', exited);
      resolve({ devicePath: paths[0]!, simulatorPath: paths[1]!, close });
    });
  });
}
