import { describe, expect, it } from 'vitest';
import { injectedKey, PinPadSimulator } from '../../../drivers/pinpad/pinpad-simulator';
import {
  decryptPinDukpt, format0PinBlock, ksnCounter, ksnWithCounter,
} from '../../../src/crypto/dukpt';
import { rejection } from '../../support/rejection';

const hex = (s: string) => Buffer.from(s, 'hex');

// ANSI X9.24-1:2009 annex A.4 (../shared/testdata/vectors/README.md, DUKPT).
const BDK = hex('0123456789ABCDEFFEDCBA9876543210');
const KSN0 = hex('FFFF9876543210E00000');
const IPEK = hex('6AC292FAA1315B4D858AB3A3D7D5933A');
const VECTOR_PAN = '4012345678909';

describe('PIN pad simulator (TDES DUKPT, ISO 9564 format 0)', () => {
  it('injects the published initial key from BDK and initial KSN', () => {
    expect(injectedKey(BDK, KSN0)).toEqual(IPEK);
  });

  it('produces the published PIN block and KSN for the first PIN', async () => {
    const pad = new PinPadSimulator({ initialKey: IPEK, initialKsn: KSN0, script: ['1234'] });
    const result = await pad.requestPin({ pan: VECTOR_PAN, amount: 150_000 });
    expect(result.pinBlock.toString('hex').toUpperCase()).toBe('1B9C1845EB993A7A');
    expect(result.ksn.toString('hex').toUpperCase()).toBe('FFFF9876543210E00001');
    // Enciphered: not the clear format 0 block 041274EDCBA9876F.
    expect(result.pinBlock.equals(format0PinBlock('1234', VECTOR_PAN))).toBe(false);
    expect(pad.records).toEqual([{ maskedPan: '**** **** *890 9', amount: 150_000,
      outcome: 'pin-block', ksn: 'FFFF9876543210E00001' }]);
  });

  it('moves the counter on for each PIN block, and the bank opens each with the BDK',
    async () => {
      const pad = new PinPadSimulator({ initialKey: IPEK, initialKsn: KSN0,
        script: ['1234', '987654'] });
      const first = await pad.requestPin({ pan: VECTOR_PAN });
      const second = await pad.requestPin({ pan: '4761739001010010' });
      expect([ksnCounter(first.ksn), ksnCounter(second.ksn)]).toEqual([1, 2]);
      expect(first.pinBlock.equals(second.pinBlock)).toBe(false);
      expect(decryptPinDukpt(BDK, second.ksn, second.pinBlock, '4761739001010010'))
        .toBe('987654');
      // Under another counter's key the block is no format 0 block for that PAN.
      expect(decryptPinDukpt(BDK, first.ksn, second.pinBlock, '4761739001010010')).toBeNull();
    });

  it('skips counters with more than 10 bits set, as X9.24-1 asks of a device', async () => {
    const start = ksnWithCounter(KSN0, 0x7fe); // 10 bits set; 0x7FF has 11
    const pad = new PinPadSimulator({ initialKey: IPEK, initialKsn: start, script: ['1234'] });
    const { ksn, pinBlock } = await pad.requestPin({ pan: VECTOR_PAN });
    expect(ksnCounter(ksn)).toBe(0x800);
    expect(decryptPinDukpt(BDK, ksn, pinBlock, VECTOR_PAN)).toBe('1234');
  });

  it('refuses when the counter is used up (KEY_INVALID)', async () => {
    const pad = new PinPadSimulator({ initialKey: IPEK, initialKsn: ksnWithCounter(KSN0,
      0x1ff800), script: ['1234'] });
    const err = await rejection(pad.requestPin({ pan: VECTOR_PAN }));
    expect(err.code).toBe('KEY_INVALID');
  });

  it('ends a cancelled prompt PAYMENT_ABORTED without spending a key', async () => {
    const pad = new PinPadSimulator({ initialKey: IPEK, initialKsn: KSN0,
      script: [{ cancel: true }, '1234'] });
    const err = await rejection(pad.requestPin({ pan: VECTOR_PAN }));
    expect(err.code).toBe('PAYMENT_ABORTED');
    expect(err.detail.reason).toBe('pin-cancelled');
    const next = await pad.requestPin({ pan: VECTOR_PAN });
    expect(next.pinBlock.toString('hex').toUpperCase()).toBe('1B9C1845EB993A7A');
  });

  it('waits for the cardholder, and times out PAYMENT_ABORTED when nothing comes', async () => {
    const pad = new PinPadSimulator({ initialKey: IPEK, initialKsn: KSN0 });
    const waiting = pad.requestPin({ pan: VECTOR_PAN, timeoutMs: 5_000 });
    pad.enter('1234');
    expect((await waiting).ksn.toString('hex').toUpperCase()).toBe('FFFF9876543210E00001');
    const late = await rejection(pad.requestPin({ pan: VECTOR_PAN, timeoutMs: 20 }));
    expect([late.code, late.detail.reason]).toEqual(['PAYMENT_ABORTED', 'pin-timeout']);
    expect(pad.records.map((r) => r.outcome)).toEqual(['pin-block', 'timeout']);
  });

  it('stops a waiting prompt on abort and on close', async () => {
    const pad = new PinPadSimulator({ initialKey: IPEK, initialKsn: KSN0 });
    const controller = new AbortController();
    const aborted = rejection(pad.requestPin({ pan: VECTOR_PAN, signal: controller.signal }));
    controller.abort();
    expect((await aborted).detail.reason).toBe('aborted');
    const closing = rejection(pad.requestPin({ pan: VECTOR_PAN }));
    await pad.close();
    expect((await closing).code).toBe('PAYMENT_ABORTED');
    expect((await rejection(pad.requestPin({ pan: VECTOR_PAN }))).code).toBe('PAYMENT_ABORTED');
  });

  it('refuses a PIN of the wrong length, a PAN too short for format 0, a short key', async () => {
    expect(() => new PinPadSimulator({ initialKey: IPEK, initialKsn: KSN0, script: ['123'] }))
      .toThrow(expect.objectContaining({ code: 'REQUEST_INVALID' }));
    const pad = new PinPadSimulator({ initialKey: IPEK, initialKsn: KSN0, script: ['1234'] });
    expect((await rejection(pad.requestPin({ pan: '401234567890' }))).code)
      .toBe('REQUEST_INVALID');
    expect(() => new PinPadSimulator({ initialKey: IPEK.subarray(0, 8), initialKsn: KSN0 }))
      .toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
  });
});
