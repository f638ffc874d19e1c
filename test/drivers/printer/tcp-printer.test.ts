import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { printChecked } from '../../../drivers/printer/print';
import {
  startPrinterSimulator, type PrinterSimulator,
} from '../../../drivers/printer/printer-simulator';
import { TcpPrinter } from '../../../drivers/printer/tcp-printer';
import { PrinterError } from '../../../src/errors';
import { parseEscPos } from '../../../src/receipt/escpos-parse';
import { renderReceipt } from '../../../src/receipt/render';
import { PROFILE_58MM, PROFILE_80MM } from '../../../src/receipt/types';
import { sampleReceipt } from '../../receipt/receipt-data';

async function rejection(promise: Promise<unknown>): Promise<PrinterError> {
  try {
    await promise;
  } catch (err) {
    return err as PrinterError;
  }
  throw new Error('expected a rejection');
}

/** Rows of a PNG that hold at least one black pixel. */
function inkedRows(png: PNG): number {
  let rows = 0;
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      if (png.data[(y * png.width + x) * 4] === 0) {
        rows++;
        break;
      }
    }
  }
  return rows;
}

describe('TcpPrinter with the printer simulator', () => {
  let outDir: string;
  let sim: PrinterSimulator;
  let printer: TcpPrinter;

  beforeEach(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'quay-printer-'));
    sim = await startPrinterSimulator({ outDir });
    printer = new TcpPrinter({ host: '127.0.0.1', port: sim.port });
  });
  afterEach(async () => {
    await printer.close();
    await sim.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('prints a 58 mm receipt: the job keeps the bytes and renders at 384 dots', async () => {
    const { escpos } = renderReceipt(sampleReceipt(), PROFILE_58MM);
    const status = await printChecked(printer, escpos);
    expect(status.paperOut).toBe(false);
    await printer.close();
    const job = await sim.waitForJob();

    // Three status queries went first, on the same connection.
    expect(job.bytes.subarray(0, 9).toString('hex')).toBe('100401100402100404');
    expect(job.bytes.subarray(9).equals(escpos)).toBe(true);
    expect(job.unknown).toEqual([]);
    expect(job.cut).toBe(false);

    const rasterRows = parseEscPos(escpos)
      .reduce((sum, c) => sum + (c.op === 'raster' ? c.rows : 0), 0);
    const png = PNG.sync.read(readFileSync(job.pngPath!));
    expect(png.width).toBe(384);
    expect(png.height).toBe(rasterRows + 4 * 30);
    expect(inkedRows(png)).toBeGreaterThan(rasterRows / 2);
    expect(readFileSync(job.binPath!).equals(job.bytes)).toBe(true);
  });

  it('ends an 80 mm job at the cut', async () => {
    await sim.close();
    sim = await startPrinterSimulator({ widthDots: 576 });
    printer = new TcpPrinter({ host: '127.0.0.1', port: sim.port });
    const { escpos } = renderReceipt(sampleReceipt({ copy: 'merchant' }), PROFILE_80MM);
    await printer.write(Buffer.concat([escpos, escpos]));
    const first = await sim.waitForJob();
    const second = await sim.waitForJob();
    expect(first.cut && second.cut).toBe(true);
    expect(first.bytes.equals(escpos) && second.bytes.equals(escpos)).toBe(true);
    expect(first.page.width).toBe(576);
    expect(first.pngPath).toBeUndefined();
  });

  it('reports paper out on status, refuses to print, and drops data sent anyway', async () => {
    sim.setPaperOut(true);
    const status = await printer.status();
    expect(status).toEqual({
      online: false, paperOut: true, paperNearEnd: true, coverOpen: false, error: false,
    });
    const { escpos } = renderReceipt(sampleReceipt(), PROFILE_58MM);
    const refused = await rejection(printChecked(printer, escpos));
    expect(refused).toBeInstanceOf(PrinterError);
    expect(refused.code).toBe('PRINTER_PAPER_OUT');

    // Sent regardless: the status answer after it proves the simulator has read it.
    await printer.write(escpos);
    expect((await printer.status()).paperOut).toBe(true);
    await printer.close();

    sim.setPaperOut(false);
    await printChecked(printer, escpos);
    await printer.close();
    const job = await sim.waitForJob();
    expect(job.id).toBe(1);
    expect(sim.jobs()).toHaveLength(1);
    expect(existsSync(join(outDir, 'job-2.png'))).toBe(false);
  });
});

describe('TcpPrinter failures', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('rejects with PRINTER_UNREACHABLE when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const printer = new TcpPrinter({ host: '127.0.0.1', port });
    const err = await rejection(printer.write(Buffer.from([0x1b, 0x40])));
    expect(err).toBeInstanceOf(PrinterError);
    expect(err.code).toBe('PRINTER_UNREACHABLE');
    expect(err.detail).toMatchObject({ host: '127.0.0.1', port, what: 'connect' });
    await printer.close();
  });

  it('rejects status with PRINTER_UNREACHABLE when the printer does not answer', async () => {
    const received = new Promise<Buffer>((resolve) => {
      server = createServer((socket) => socket.once('data', resolve));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server!.address() as { port: number };

    const printer = new TcpPrinter({ host: '127.0.0.1', port });
    const err = await rejection(printer.status(300));
    expect(err.code).toBe('PRINTER_UNREACHABLE');
    expect(err.detail).toMatchObject({ query: 1, timeoutMs: 300 });
    expect((await received).toString('hex')).toBe('100401');
    await printer.close();
  });

  it('rejects status with PRINTER_ERROR when the answer is not a status byte', async () => {
    server = createServer((socket) => socket.on('data', () => socket.write(Buffer.from([0x00]))));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };

    const printer = new TcpPrinter({ host: '127.0.0.1', port });
    const err = await rejection(printer.status());
    expect(err.code).toBe('PRINTER_ERROR');
    await printer.close();
  });
});
