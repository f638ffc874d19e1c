import { createServer, type AddressInfo, type Socket } from 'node:net';
import { SerialPort } from 'serialport';
import {
  SimulatedPrinter, type PrinterControls, type PrinterConnection, type SimulatedPrinterOptions,
} from './simulated-printer';

export type { PrintJob, PrinterControls } from './simulated-printer';

export interface PrinterSimulatorOptions extends SimulatedPrinterOptions {
  /** 0 or absent: a port chosen by the OS. */
  port?: number;
  host?: '127.0.0.1';
}

/** A network printer (raw port) played in software. */
export interface PrinterSimulator extends PrinterControls {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A network receipt printer on a loopback port (see SimulatedPrinter). A job ends at a cut
 * or when the connection closes, as raw port printing delimits jobs.
 */
export async function startPrinterSimulator(
  options: PrinterSimulatorOptions = {},
): Promise<PrinterSimulator> {
  const printer = new SimulatedPrinter(options);
  const log = options.log;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    const conn = printer.connect({ write: (bytes) => socket.write(bytes) });
    socket.on('data', (chunk: Buffer) => conn.data(chunk));
    socket.on('close', () => {
      sockets.delete(socket);
      conn.close();
    });
    socket.on('error', (err) => log?.warn({ err }, 'printer simulator: connection error'));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return Object.assign(controlsOf(printer), {
    host: address.address,
    port: address.port,
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

export interface SerialPrinterSimulatorOptions extends SimulatedPrinterOptions {
  baudRate?: number;
  /**
   * A job without a cut ends when the line has been quiet this long (a serial line has no
   * end-of-job mark; printers without a cutter send none). Default 300 ms.
   */
  jobIdleMs?: number;
}

/** A serial receipt printer played in software on one end of a pty pair. */
export interface SerialPrinterSimulator extends PrinterControls {
  readonly path: string;
  close(): Promise<void>;
}

/**
 * A serial receipt printer on a serial device, in tests the far end of a socat pty pair
 * (startDisplayPty makes one). Answers go back on the same line.
 */
export async function openSerialPrinterSimulator(path: string,
  options: SerialPrinterSimulatorOptions = {}): Promise<SerialPrinterSimulator> {
  const printer = new SimulatedPrinter(options);
  const port = new SerialPort({ path, baudRate: options.baudRate ?? 115_200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  const conn: PrinterConnection = printer.connect({ write: (bytes) => port.write(bytes) });
  const idleMs = options.jobIdleMs ?? 300;
  let idle: NodeJS.Timeout | undefined;
  port.on('data', (chunk: Buffer) => {
    conn.data(chunk);
    clearTimeout(idle);
    idle = setTimeout(() => conn.endJob(), idleMs);
  });
  port.on('error', (err) => options.log?.warn({ err }, 'printer simulator: port error'));
  return Object.assign(controlsOf(printer), {
    path,
    close: () => new Promise<void>((resolve) => {
      clearTimeout(idle);
      conn.close();
      if (!port.isOpen) return resolve();
      port.close(() => resolve());
    }),
  });
}

function controlsOf(printer: SimulatedPrinter): PrinterControls {
  return {
    jobs: () => printer.jobs(),
    waitForJob: (timeoutMs) => printer.waitForJob(timeoutMs),
    setPaperOut: (paperOut) => printer.setPaperOut(paperOut),
    paperOutAfter: (bytes) => printer.paperOutAfter(bytes),
    setCoverOpen: (open) => printer.setCoverOpen(open),
    status: () => printer.status(),
  };
}
