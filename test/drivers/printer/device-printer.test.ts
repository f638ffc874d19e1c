import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevicePrinter } from '../../../drivers/printer/device-printer';
import { startPrinterSimulator, type PrinterSimulator } from
  '../../../drivers/printer/printer-simulator';
import { cut, initialize, lineFeed } from '../../../src/receipt/escpos';

// The printer simulator behind a pty made by socat stands for a USB printer's /dev/usb/lp0:
// a character device that takes ESC/POS and gives DLE EOT answers back on read.
describe('DevicePrinter on a character device', () => {
  let simulator: PrinterSimulator;
  let socat: ChildProcess;
  let device: string;

  beforeAll(async () => {
    simulator = await startPrinterSimulator();
    device = join(mkdtempSync(join(tmpdir(), 'quay-lp-')), 'lp0');
    socat = spawn('socat', [`pty,raw,echo=0,link=${device}`,
      `tcp:${simulator.host}:${simulator.port}`], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !existsSync(device); i++) await sleep(20);
    expect(existsSync(device)).toBe(true);
  });
  afterAll(async () => {
    socat?.kill('SIGTERM');
    await simulator?.close();
  });

  it('reads the status, prints a job and reports paper out', async () => {
    const printer = new DevicePrinter({ path: device });
    try {
      expect(await printer.status()).toEqual({ online: true, paperOut: false,
        paperNearEnd: false, coverOpen: false, error: false });
      await printer.write(Buffer.concat([initialize(), Buffer.from('QUAY LP0'), lineFeed(),
        cut('partial', 0)]));
      const job = await simulator.waitForJob();
      expect(job.cut).toBe(true);
      expect(job.bytes.includes(Buffer.from('QUAY LP0'))).toBe(true);
      simulator.setPaperOut(true);
      expect(await printer.status()).toMatchObject({ online: false, paperOut: true });
    } finally {
      simulator.setPaperOut(false);
      await printer.close();
    }
  });

  it('rejects PRINTER_UNREACHABLE when the device does not exist', async () => {
    const printer = new DevicePrinter({ path: join(tmpdir(), 'quay-no-such-lp') });
    await expect(printer.status(200)).rejects.toMatchObject({ code: 'PRINTER_UNREACHABLE',
      detail: { what: 'open' } });
  });
});
