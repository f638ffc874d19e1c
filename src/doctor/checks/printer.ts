import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { printChecked } from '../../../drivers/printer/print';
import { startPrinterSimulator, type PrinterSimulator } from
  '../../../drivers/printer/printer-simulator';
import { TcpPrinter } from '../../../drivers/printer/tcp-printer';
import type { PrinterStatus, ReceiptPrinter } from '../../../drivers/printer/types';
import { DevicePrinter } from '../../../drivers/printer/device-printer';
import { SerialPrinter } from '../../../drivers/printer/serial-printer';
import type { QuayConfig } from '../../config/schema';
import { isQuayError } from '../../errors';
import { rasterJob, rasterizeLines, type ReceiptLine } from '../../receipt';
import { formatDateTime } from '../../receipt/format';
import { fail, pass, skip, warn, type Check, type CheckOutcome, type DoctorContext } from
  '../types';

const STATUS_TIMEOUT_MS = 3_000;

const LOAD_PAPER = {
  en: 'Load a paper roll and close the cover, then run quay doctor again.',
  vi: 'Nạp cuộn giấy và đóng nắp máy in, rồi chạy lại quay doctor.',
};

/** The printer answers DLE EOT, has paper and no error; with --test-page it prints a page. */
export const printerCheck: Check = {
  id: 'printer',
  title: { en: 'Receipt printer', vi: 'Máy in hóa đơn' },
  needsConfig: true,
  timeoutMs: 20_000,
  async run(ctx) {
    const settings = ctx.loaded!.config.printer;
    if (settings.kind === 'none') return skip('no printer configured (printer.kind: none)');
    let simulator: PrinterSimulator | undefined;
    let simulatorDir: string | undefined;
    let printer: ReceiptPrinter;
    let where: string;
    if (settings.kind === 'usb') {
      printer = new DevicePrinter({ path: settings.path, logger: ctx.log });
      where = settings.path;
    } else if (settings.kind === 'serial') {
      printer = new SerialPrinter({ path: settings.path, baudRate: settings.baudRate,
        flowControl: settings.flowControl, statusTimeoutMs: STATUS_TIMEOUT_MS, logger: ctx.log });
      where = `${settings.path} at ${settings.baudRate} baud`;
    } else {
      let address: { host: string; port: number };
      if (settings.kind === 'embedded-simulator') {
        simulatorDir = mkdtempSync(join(tmpdir(), 'quay-doctor-printer-'));
        simulator = await startPrinterSimulator({ outDir: simulatorDir,
          widthDots: settings.profile.widthDots, log: ctx.log });
        address = { host: simulator.host, port: simulator.port };
        where = `simulator ${address.host}:${address.port}`;
      } else {
        address = { host: settings.host, port: settings.port };
        where = `${address.host}:${address.port}`;
      }
      printer = new TcpPrinter({ ...address, connectTimeoutMs: STATUS_TIMEOUT_MS,
        logger: ctx.log });
    }
    try {
      let status: PrinterStatus;
      try {
        status = await printer.status(STATUS_TIMEOUT_MS);
      } catch (err) {
        return fail(`printer ${where} not reachable: ${isQuayError(err)
          ? String(err.detail.reason ?? err.message) : String(err)}`, settings.kind === 'usb' ? {
          en: 'Check that the printer is on and its USB cable is in; ls /dev/usb/ must show ' +
            'printer.path, and quay\'s user must be in the lp group.',
          vi: 'Kiểm tra máy in đã bật và cắm cáp USB; ls /dev/usb/ phải thấy printer.path, và ' +
            'người dùng của quay phải thuộc nhóm lp.',
        } : {
          en: 'Check that the printer is on and its network cable is in; print its self-test ' +
            'page (hold FEED while powering on) to see its IP address and compare with ' +
            'printer.host.',
          vi: 'Kiểm tra máy in đã bật và cắm cáp mạng; in trang tự kiểm tra (giữ FEED khi bật ' +
            'nguồn) để xem địa chỉ IP và so với printer.host.',
        }, { where });
      }
      const problem = statusProblem(status, where);
      if (problem) return problem;
      let printed = '';
      if (ctx.options.testPage) {
        await printChecked(printer, testPageJob(ctx, settings), STATUS_TIMEOUT_MS);
        printed = '; test page sent';
      }
      if (status.paperNearEnd) {
        return warn(`printer ${where}: paper near end${printed}`, {
          en: 'Have a new paper roll ready and change it soon.',
          vi: 'Chuẩn bị cuộn giấy mới và thay sớm.',
        }, { status });
      }
      return pass(`printer ${where}: online, paper present${printed}`, { status,
        testPage: ctx.options.testPage === true });
    } finally {
      await printer.close().catch(() => undefined);
      await simulator?.close();
      if (simulatorDir) rmSync(simulatorDir, { recursive: true, force: true });
    }
  },
};

function statusProblem(status: PrinterStatus, where: string): CheckOutcome | undefined {
  if (status.paperOut) {
    return fail(`printer ${where}: out of paper`, LOAD_PAPER, { status });
  }
  if (status.coverOpen) {
    return fail(`printer ${where}: cover open`, LOAD_PAPER, { status });
  }
  if (status.error || !status.online) {
    return fail(`printer ${where}: reports an error (offline)`, {
      en: 'Check the cutter and the cover; switch the printer off and on.',
      vi: 'Kiểm tra dao cắt và nắp máy; tắt rồi bật lại máy in.',
    }, { status });
  }
  return undefined;
}

type PrintingSettings = Exclude<QuayConfig['printer'], { kind: 'none' }>;

/** A page that shows the raster path works: Vietnamese text, the full width, the cutter. */
function testPageJob(ctx: DoctorContext, settings: PrintingSettings): Buffer {
  const { terminal } = ctx.loaded!.config;
  const profile = settings.profile;
  const lines: ReceiptLine[] = [
    { kind: 'text', text: 'TRANG IN THỬ / TEST PAGE', align: 'center', bold: true },
    { kind: 'rule', style: 'double' },
    { kind: 'text', text: terminal.merchant.name.slice(0, profile.columns), align: 'center' },
    { kind: 'pair', label: 'Terminal', value: terminal.terminalId },
    { kind: 'pair', label: 'Merchant', value: terminal.merchantId },
    { kind: 'pair', label: 'Thời gian', value: formatDateTime(ctx.now()) },
    { kind: 'pair', label: 'Khổ giấy', value: `${profile.widthDots} dots, ${profile.columns} cột` },
    { kind: 'rule', style: 'single' },
    { kind: 'text', text: 'ĂÂÊÔƠƯĐ ăâêôơưđ àảãáạ', align: 'left' },
    { kind: 'text', text: '0123456789'.repeat(Math.ceil(profile.columns / 10))
      .slice(0, profile.columns), align: 'left' },
    { kind: 'rule', style: 'single' },
  ];
  return rasterJob(rasterizeLines(lines, profile), profile);
}
