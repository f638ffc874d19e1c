import { assertCanPrint } from './status';
import type { PrinterStatus, ReceiptPrinter } from './types';

/**
 * Prints one job the way the terminal should: ask the status first and refuse to send to a
 * printer that would drop it (PRINTER_PAPER_OUT, PRINTER_ERROR), then write. Returns the
 * status read, so the caller can warn about paper near end.
 */
export async function printChecked(printer: ReceiptPrinter, job: Buffer,
  statusTimeoutMs?: number): Promise<PrinterStatus> {
  const status = await printer.status(statusTimeoutMs);
  assertCanPrint(status);
  await printer.write(job);
  return status;
}
