import { PrinterError } from '../../src/errors';
import type { PrinterStatus } from './types';

/**
 * Real-time status bytes, as answered to DLE EOT n (10 04 n) per Epson's ESC/POS reference.
 * Every answer has bit 1 and bit 4 on and bits 0 and 7 off (the 0x12 pattern), which tells a
 * status byte from anything else the printer might send.
 *
 * n = 1, printer status:  bit 2 drawer pin 3 high, bit 3 offline, bit 5 waiting for online
 *                         recovery, bit 6 paper feed button pressed.
 * n = 2, offline cause:   bit 2 cover open, bit 3 paper fed by the feed button, bit 5 printing
 *                         stopped at paper end, bit 6 an error occurred.
 * n = 3, error cause:     bit 2 recoverable error, bit 3 autocutter error, bit 5 unrecoverable
 *                         error, bit 6 automatically recoverable error.
 * n = 4, roll paper:      bits 2 and 3 near-end sensor (paper near end), bits 5 and 6 end
 *                         sensor (paper not present). Both bits of a pair are set together;
 *                         either one is taken as the condition, for printers that set one.
 */
export const STATUS_FIXED_MASK = 0x93;
export const STATUS_FIXED_BITS = 0x12;

export const PRINTER_OFFLINE = 0x08;
export const OFFLINE_COVER_OPEN = 0x04;
export const OFFLINE_PAPER_END_STOP = 0x20;
export const OFFLINE_ERROR = 0x40;
export const PAPER_NEAR_END = 0x0c;
export const PAPER_NOT_PRESENT = 0x60;

export interface StatusBytes {
  /** Answer to DLE EOT 1. */
  printer: number;
  /** Answer to DLE EOT 2. */
  offline: number;
  /** Answer to DLE EOT 4. */
  paper: number;
}

export function isStatusByte(b: number): boolean {
  return (b & STATUS_FIXED_MASK) === STATUS_FIXED_BITS;
}

export function decodeStatus(bytes: StatusBytes): PrinterStatus {
  for (const [name, b] of Object.entries(bytes)) {
    if (!isStatusByte(b)) {
      throw new PrinterError('PRINTER_ERROR', `not a DLE EOT status byte: ${name} ${b}`, {
        detail: { [name]: b.toString(16).padStart(2, '0') },
      });
    }
  }
  return {
    online: (bytes.printer & PRINTER_OFFLINE) === 0,
    paperOut: (bytes.paper & PAPER_NOT_PRESENT) !== 0
      || (bytes.offline & OFFLINE_PAPER_END_STOP) !== 0,
    paperNearEnd: (bytes.paper & PAPER_NEAR_END) !== 0,
    coverOpen: (bytes.offline & OFFLINE_COVER_OPEN) !== 0,
    error: (bytes.offline & OFFLINE_ERROR) !== 0,
  };
}

/** The bytes a printer in this state answers (used by the simulator). */
export function encodeStatus(status: Omit<PrinterStatus, 'online'>):
  StatusBytes & { error: number } {
  const offline = status.paperOut || status.coverOpen || status.error;
  return {
    printer: STATUS_FIXED_BITS | (offline ? PRINTER_OFFLINE : 0),
    offline: STATUS_FIXED_BITS
      | (status.coverOpen ? OFFLINE_COVER_OPEN : 0)
      | (status.paperOut ? OFFLINE_PAPER_END_STOP : 0)
      | (status.error ? OFFLINE_ERROR : 0),
    error: STATUS_FIXED_BITS,
    // With no paper the near-end sensor sees none either, so both pairs are on.
    paper: STATUS_FIXED_BITS
      | (status.paperOut || status.paperNearEnd ? PAPER_NEAR_END : 0)
      | (status.paperOut ? PAPER_NOT_PRESENT : 0),
  };
}

/**
 * Throws when a receipt cannot be printed now: PRINTER_PAPER_OUT without paper,
 * PRINTER_ERROR with the cover open, an error or the printer offline. Paper near end prints.
 */
export function assertCanPrint(status: PrinterStatus): void {
  if (status.paperOut) {
    throw new PrinterError('PRINTER_PAPER_OUT', undefined, { detail: { status } });
  }
  if (status.coverOpen || status.error || !status.online) {
    throw new PrinterError('PRINTER_ERROR', undefined, { detail: { status } });
  }
}
