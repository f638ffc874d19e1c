import type { PrinterStatus } from './types';

/**
 * Automatic status back (ASB), enabled by GS a n (1D 61 n), per Epson's ESC/POS reference:
 * the printer sends four bytes when the command runs and again whenever an enabled status
 * changes, unasked. The first byte has bit 4 on and bits 0, 1 and 7 off (0**1**00), which
 * tells it from a DLE EOT answer (0**1**10); the next three have bits 4 and 7 off.
 *
 * byte 1: bit 3 offline, bit 5 cover open, bit 6 paper fed by the button.
 * byte 2: bit 0 waiting for online recovery, bit 2 recoverable error, bit 3 autocutter
 *         error, bit 5 unrecoverable error, bit 6 automatically recoverable error.
 * byte 3: bits 0 and 1 paper near end, bits 2 and 3 paper end (not present).
 * byte 4: reserved.
 */
export const ASB_FIRST_MASK = 0x93;
export const ASB_FIRST_BITS = 0x10;
export const ASB_LENGTH = 4;

const ASB_OFFLINE = 0x08;
const ASB_COVER_OPEN = 0x20;
const ASB_ERRORS = 0x04 | 0x08 | 0x20 | 0x40;
const ASB_NEAR_END = 0x03;
const ASB_PAPER_END = 0x0c;

/** GS a n bits: 1 drawer, 2 online/offline, 4 error, 8 roll paper sensor. */
export const ASB_ALL = 0x0f;

/** GS a n — 1D 61 n: n = 0 turns ASB off. */
export function enableAsb(n = ASB_ALL): Buffer {
  return Buffer.from([0x1d, 0x61, n & 0xff]);
}

export function isAsbFirstByte(b: number): boolean {
  return (b & ASB_FIRST_MASK) === ASB_FIRST_BITS;
}

export function encodeAsb(status: Omit<PrinterStatus, 'online'>): Buffer {
  const offline = status.paperOut || status.coverOpen || status.error;
  return Buffer.from([
    ASB_FIRST_BITS | (offline ? ASB_OFFLINE : 0) | (status.coverOpen ? ASB_COVER_OPEN : 0),
    status.error ? 0x04 : 0x00,
    (status.paperOut || status.paperNearEnd ? ASB_NEAR_END : 0)
      | (status.paperOut ? ASB_PAPER_END : 0),
    0x00,
  ]);
}

/** Four ASB bytes as a status; undefined when the first does not have the ASB pattern. */
export function decodeAsb(bytes: Buffer): PrinterStatus | undefined {
  if (bytes.length < ASB_LENGTH || !isAsbFirstByte(bytes[0]!)) return undefined;
  const [first, second, paper] = [bytes[0]!, bytes[1]!, bytes[2]!];
  return {
    online: (first & ASB_OFFLINE) === 0,
    paperOut: (paper & ASB_PAPER_END) !== 0,
    paperNearEnd: (paper & ASB_NEAR_END) !== 0,
    coverOpen: (first & ASB_COVER_OPEN) !== 0,
    error: (second & ASB_ERRORS) !== 0,
  };
}
