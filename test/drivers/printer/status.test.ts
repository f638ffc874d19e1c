import { describe, expect, it } from 'vitest';
import { PrinterError } from '../../../src/errors';
import {
  assertCanPrint, decodeStatus, encodeStatus, isStatusByte,
} from '../../../drivers/printer/status';

// Answers of a printer with nothing to report: only the fixed bits 1 and 4 (0x12).
const OK = { printer: 0x12, offline: 0x12, paper: 0x12 };
const READY = {
  online: true, paperOut: false, paperNearEnd: false, coverOpen: false, error: false,
};

describe('decodeStatus (DLE EOT 1, 2, 4)', () => {
  it('reads a ready printer', () => {
    expect(decodeStatus(OK)).toEqual(READY);
  });

  it.each([
    ['n=1 bit 3: offline', { printer: 0x1a }, { online: false }],
    ['n=1 bit 2: drawer pin only', { printer: 0x16 }, {}],
    ['n=1 bit 5: waiting for recovery only', { printer: 0x32 }, {}],
    ['n=2 bit 2: cover open', { offline: 0x16 }, { coverOpen: true }],
    ['n=2 bit 3: feed button only', { offline: 0x1a }, {}],
    ['n=2 bit 5: stopped at paper end', { offline: 0x32 }, { paperOut: true }],
    ['n=2 bit 6: error', { offline: 0x52 }, { error: true }],
    ['n=4 bits 2,3: near end', { paper: 0x1e }, { paperNearEnd: true }],
    ['n=4 bit 2 alone: near end', { paper: 0x16 }, { paperNearEnd: true }],
    ['n=4 bits 5,6: paper out', { paper: 0x72 }, { paperOut: true }],
    ['n=4 bit 6 alone: paper out', { paper: 0x52 }, { paperOut: true }],
  ])('%s', (_name, bytes, expected) => {
    expect(decodeStatus({ ...OK, ...bytes })).toEqual({ ...READY, ...expected });
  });

  it('reads a printer out of paper as all three answers show it', () => {
    expect(decodeStatus({ printer: 0x1a, offline: 0x32, paper: 0x7e })).toEqual({
      online: false, paperOut: true, paperNearEnd: true, coverOpen: false, error: false,
    });
  });

  it('refuses a byte without the fixed bits as PRINTER_ERROR', () => {
    expect(isStatusByte(0x12)).toBe(true);
    expect(isStatusByte(0x00)).toBe(false);
    expect(isStatusByte(0x93)).toBe(false);
    expect(() => decodeStatus({ ...OK, paper: 0x41 })).toThrow(PrinterError);
    expect(() => decodeStatus({ ...OK, paper: 0x41 })).toThrow(/paper/);
  });
});

describe('encodeStatus', () => {
  it('answers like a printer out of paper', () => {
    const out = { paperOut: true, paperNearEnd: false, coverOpen: false, error: false };
    const bytes = encodeStatus(out);
    expect(bytes).toEqual({ printer: 0x1a, offline: 0x32, error: 0x12, paper: 0x7e });
  });

  it('round-trips through decodeStatus', () => {
    const states = [
      { paperOut: false, paperNearEnd: true, coverOpen: false, error: false },
      { paperOut: false, paperNearEnd: false, coverOpen: true, error: false },
      { paperOut: false, paperNearEnd: false, coverOpen: false, error: true },
    ];
    for (const state of states) {
      const decoded = decodeStatus(encodeStatus(state));
      expect(decoded).toEqual({ ...state, online: !(state.coverOpen || state.error) });
    }
  });
});

describe('assertCanPrint', () => {
  const code = (status: typeof READY): string | undefined => {
    try {
      assertCanPrint(status);
      return undefined;
    } catch (err) {
      return (err as PrinterError).code;
    }
  };
  it('lets a ready printer or one near paper end print, and names what stops the rest', () => {
    expect(code(READY)).toBeUndefined();
    expect(code({ ...READY, paperNearEnd: true })).toBeUndefined();
    expect(code({ ...READY, paperOut: true, online: false })).toBe('PRINTER_PAPER_OUT');
    expect(code({ ...READY, coverOpen: true, online: false })).toBe('PRINTER_ERROR');
    expect(code({ ...READY, online: false })).toBe('PRINTER_ERROR');
  });
});
