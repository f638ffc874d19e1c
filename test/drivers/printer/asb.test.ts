import { describe, expect, it } from 'vitest';
import { decodeAsb, encodeAsb, isAsbFirstByte } from '../../../drivers/printer/asb';
import { isStatusByte } from '../../../drivers/printer/status';

const READY = { paperOut: false, paperNearEnd: false, coverOpen: false, error: false };

describe('automatic status back', () => {
  // Bytes written down from the GS a tables: byte 1 fixed bit 4 (10), offline bit 3 (08),
  // cover bit 5 (20); byte 3 near end bits 0-1 (03), paper end bits 2-3 (0C).
  it('encodes the four bytes of each state', () => {
    expect(encodeAsb(READY).toString('hex')).toBe('10000000');
    expect(encodeAsb({ ...READY, paperOut: true }).toString('hex')).toBe('18000f00');
    expect(encodeAsb({ ...READY, coverOpen: true }).toString('hex')).toBe('38000000');
    expect(encodeAsb({ ...READY, paperNearEnd: true }).toString('hex')).toBe('10000300');
  });

  it('decodes what it encodes, and refuses a first byte without the ASB pattern', () => {
    expect(decodeAsb(Buffer.from('18000f00', 'hex'))).toEqual({ online: false,
      paperOut: true, paperNearEnd: true, coverOpen: false, error: false });
    expect(decodeAsb(Buffer.from('38000000', 'hex'))).toEqual({ online: false,
      paperOut: false, paperNearEnd: false, coverOpen: true, error: false });
    expect(decodeAsb(Buffer.from('12000000', 'hex'))).toBeUndefined();
  });

  it('tells an ASB first byte from a DLE EOT answer by bit 1', () => {
    expect(isAsbFirstByte(0x10)).toBe(true);
    expect(isStatusByte(0x10)).toBe(false);
    expect(isAsbFirstByte(0x12)).toBe(false);
    expect(isStatusByte(0x12)).toBe(true);
    // XON and XOFF are neither.
    for (const b of [0x11, 0x13]) {
      expect([isAsbFirstByte(b), isStatusByte(b)]).toEqual([false, false]);
    }
  });
});
