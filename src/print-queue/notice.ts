import type { PrinterStatus } from '../../drivers/printer/types';
import { isQuayError, type ErrorCode } from '../errors';
import type { PrinterProblem } from './store';

/** What the clerk is told while a job waits, in both languages. */
export const PROBLEM_TEXT: Record<PrinterProblem, { vi: string; en: string }> = {
  'paper-out': { vi: 'Máy in hết giấy', en: 'Printer out of paper' },
  'cover-open': { vi: 'Nắp máy in đang mở', en: 'Printer cover open' },
  offline: { vi: 'Máy in đang ngoại tuyến', en: 'Printer offline' },
  error: { vi: 'Máy in báo lỗi', en: 'Printer error' },
  unreachable: { vi: 'Không kết nối được máy in', en: 'Printer cannot be reached' },
};

/**
 * The problem a refused status or a failed call stands for. A status carries the detail that
 * assertCanPrint folds into PRINTER_ERROR (cover open or offline), so it is read first.
 */
export function problemOf(err: unknown): { code: ErrorCode; problem: PrinterProblem } {
  const code: ErrorCode = isQuayError(err) && err.code.startsWith('PRINTER_')
    ? err.code : 'PRINTER_ERROR';
  if (code === 'PRINTER_UNREACHABLE') return { code, problem: 'unreachable' };
  if (code === 'PRINTER_PAPER_OUT') return { code, problem: 'paper-out' };
  const status = isQuayError(err) ? (err.detail.status as PrinterStatus | undefined) : undefined;
  if (status?.coverOpen) return { code, problem: 'cover-open' };
  if (status && !status.online && !status.error) return { code, problem: 'offline' };
  return { code, problem: 'error' };
}
