import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startPtyPair, type PtyPair } from '../../../drivers/display/pty-pair';
import {
  openSerialPrinterSimulator, type SerialPrinterSimulator,
} from '../../../drivers/printer/printer-simulator';
import { SerialPrinter } from '../../../drivers/printer/serial-printer';
import type { PrinterStatus } from '../../../drivers/printer/types';
import { PrinterError } from '../../../src/errors';
import { cut, initialize, lineFeed } from '../../../src/receipt/escpos';

const READY: PrinterStatus = {
  online: true, paperOut: false, paperNearEnd: false, coverOpen: false, error: false,
};

// Over a socat pty pair: the printer driver on one end, the printer simulator on the other.
describe('SerialPrinter over a pty pair', () => {
  let pty: PtyPair;
  let sim: SerialPrinterSimulator;
  let printer: SerialPrinter;

  beforeEach(async () => {
    pty = await startPtyPair();
    sim = await openSerialPrinterSimulator(pty.simulatorPath, { baudRate: 115_200 });
    printer = new SerialPrinter({ path: pty.devicePath, baudRate: 115_200,
      statusTimeoutMs: 1_000 });
  });
  afterEach(async () => {
    await printer?.close();
    await sim?.close();
    await pty?.close();
  });

  it('asks DLE EOT 1 to 4 and decodes ready, paper out and cover open', async () => {
    expect(await printer.status()).toEqual(READY);
    sim.setPaperOut(true);
    expect(await printer.status()).toEqual({ ...READY, online: false, paperOut: true,
      paperNearEnd: true });
    sim.setPaperOut(false);
    sim.setCoverOpen(true);
    expect(await printer.status()).toEqual({ ...READY, online: false, coverOpen: true });
  });

  it('writes a job whole: the simulator prints exactly the bytes sent', async () => {
    const job = Buffer.concat([initialize(), Buffer.from('HOA DON 0001'), lineFeed(),
      Buffer.from('150.000 VND'), lineFeed(), cut('full')]);
    await printer.write(job);
    const printed = await sim.waitForJob();
    expect(printed.printed.equals(job)).toBe(true);
    expect(printed.page.text).toEqual(['HOA DON 0001', '150.000 VND']);
    expect(printed.partial).toBe(false);
  });

  it('writes with XON/XOFF flow control on', async () => {
    const xon = new SerialPrinter({ path: pty.devicePath, baudRate: 115_200,
      flowControl: 'xonxoff' });
    await printer.close();
    const job = Buffer.concat([initialize(), Buffer.from('XONXOFF'), lineFeed(), cut('full')]);
    await xon.write(job);
    expect((await sim.waitForJob()).page.text).toEqual(['XONXOFF']);
    await xon.close();
  });

  it('hears automatic status back on open and when the paper runs out', async () => {
    await printer.close();
    const asb = new SerialPrinter({ path: pty.devicePath, baudRate: 115_200,
      automaticStatus: true });
    const heard: PrinterStatus[] = [];
    asb.statusChanged((s) => heard.push(s));
    const first = new Promise<void>((resolve) => asb.statusChanged(() => resolve()));
    await asb.write(Buffer.alloc(0));
    await first;
    const second = new Promise<void>((resolve) => asb.statusChanged(() => resolve()));
    sim.setPaperOut(true);
    await second;
    expect(heard).toEqual([READY, { ...READY, online: false, paperOut: true,
      paperNearEnd: true }]);
    // DLE EOT answers still come through beside the ASB frames.
    expect((await asb.status()).paperOut).toBe(true);
    await asb.close();
  });
});

describe('SerialPrinter faults', () => {
  it('rejects status with PRINTER_UNREACHABLE when nothing answers in time', async () => {
    const pty = await startPtyPair();
    const printer = new SerialPrinter({ path: pty.devicePath, statusTimeoutMs: 150 });
    try {
      const err = await printer.status().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PrinterError);
      expect(err).toMatchObject({ code: 'PRINTER_UNREACHABLE',
        detail: { path: pty.devicePath, query: 1, timeoutMs: 150 } });
    } finally {
      await printer.close();
      await pty.close();
    }
  });

  it('rejects with PRINTER_UNREACHABLE when the port cannot be opened', async () => {
    const printer = new SerialPrinter({ path: '/dev/quay-no-such-printer' });
    await expect(printer.write(Buffer.from('A'))).rejects.toMatchObject({
      code: 'PRINTER_UNREACHABLE', detail: { path: '/dev/quay-no-such-printer', what: 'open' },
    });
  });
});
