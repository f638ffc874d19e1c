import { describe, expect, it } from 'vitest';
import { PcscReader } from '../../../drivers/card/pcsc-reader';
import {
  FEATURE_VERIFY_PIN_DIRECT, PinPadReaderEntry, pinVerifyStructure,
} from '../../../drivers/card/pinpad-reader';
import type { CardSession } from '../../../drivers/card/types';
import { rejection } from '../../support/rejection';
import { type FakeCardReader, fakePcsclite, STATE } from './fake-pcsclite';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const upper = (b: Buffer) => b.toString('hex').toUpperCase();
const flush = () => new Promise((resolve) => setImmediate(resolve));
const PROMPT = { amount: 150_000, attempt: 1 };

/** CM_IOCTL_GET_FEATURE_REQUEST: SCARD_CTL_CODE(3400) on pcsc-lite. */
const GET_FEATURES = 0x42000d48;
/** What the CCID driver gives for VERIFY_PIN_DIRECT: SCARD_CTL_CODE(0x330000 + 6). */
const VERIFY_DIRECT = 0x42330006;
/** A class 2 reader's feature list: VERIFY_PIN_DIRECT, MODIFY_PIN_DIRECT, IFD_PIN_PROPERTIES. */
const FEATURE_LIST = hex('06 04 42330006  07 04 42330007  0A 04 4233000A');

/**
 * PIN_VERIFY_STRUCTURE for EMV VERIFY P2 80 with a format 2 block, field by field
 * (PC/SC part 10 v2.02.09 2.5.2, little-endian, packed).
 */
const EXPECTED_STRUCTURE = [
  '1E', //          bTimerOut: 30 s
  '1E', //          bTimerOut2: 30 s
  '41', //          bmFormatString: bit units, PIN at bit 8, left, BCD
  '48', //          bmPINBlockString: 4-bit length, 8-byte block
  '04', //          bmPINLengthFormat: bit units, length at bit 4
  '0C04', //        wPINMaxExtraDigit 0x040C: min 4, max 12
  '02', //          bEntryValidationCondition: OK key
  '01', //          bNumberMessage
  '0904', //        wLangId 0x0409
  '00', //          bMsgIndex
  '000000', //      bTeoPrologue
  '0D000000', //    ulDataLength 13
  '0020008008', //  VERIFY, P2 80, Lc 8
  '2FFFFFFFFFFFFFFF', // format 2 template
].join('');

/** A PIN-pad reader: checks the structure it is sent, then answers as the card did. */
function pinPadReader(slot: FakeCardReader, cardAnswers: string[]): void {
  slot.controlAnswer = (code, data) => {
    if (code === GET_FEATURES) return FEATURE_LIST;
    if (code !== VERIFY_DIRECT) return new Error('SCardControl error: x.(0x8010001f)');
    if (upper(data) !== EXPECTED_STRUCTURE) return hex('6B80');
    return hex(cardAnswers.shift() ?? '6B80');
  };
}

async function openSession(): Promise<{ reader: PcscReader; slot: FakeCardReader;
  session: CardSession; }> {
  const fake = fakePcsclite();
  const reader = new PcscReader({ load: () => fake.factory });
  const names = reader.listReaders();
  await flush();
  fake.pcsc.scan(['PIN Pad Reader 00 00']);
  await names;
  const slot = fake.pcsc.readers.get('PIN Pad Reader 00 00')!;
  slot.status(STATE.PRESENT);
  return { reader, slot, session: await reader.waitForCard({ timeoutMs: 5000 }) };
}

describe('PIN_VERIFY_STRUCTURE', () => {
  it('is laid out byte for byte as PC/SC part 10 2.5.2 says', () => {
    expect(upper(pinVerifyStructure())).toBe(EXPECTED_STRUCTURE);
    expect(pinVerifyStructure()).toHaveLength(32);
  });

  it('takes the timeout and language from its options', () => {
    const structure = pinVerifyStructure({ timeoutSeconds: 15, langId: 0x042a });
    expect(upper(structure.subarray(0, 2))).toBe('0F0F');
    expect(upper(structure.subarray(9, 11))).toBe('2A04');
    expect(() => pinVerifyStructure({ timeoutSeconds: 0 })).toThrow(RangeError);
  });
});

describe('PinPadReaderEntry over PC/SC part 10', () => {
  it('finds VERIFY_PIN_DIRECT in the feature list and offers plaintext offline PIN', async () => {
    const { reader, slot, session } = await openSession();
    pinPadReader(slot, []);
    const entry = await PinPadReaderEntry.forSession(session);
    expect([...entry.methods]).toEqual(['offline-plaintext']);
    expect(slot.controls.map((c) => [c.code, c.data.length])).toEqual([[GET_FEATURES, 0]]);
    expect(FEATURE_VERIFY_PIN_DIRECT).toBe(6);
    await reader.close();
  });

  it('sends the structure with the feature\'s control code and passes the SW on', async () => {
    const { reader, slot, session } = await openSession();
    pinPadReader(slot, ['63C2', '9000']);
    const transmits: Buffer[] = [];
    slot.answer = (command) => {
      transmits.push(command);
      return hex('9000');
    };
    const entry = await PinPadReaderEntry.forSession(session);
    expect(await entry.verifyPlaintextOffline(PROMPT))
      .toEqual({ kind: 'verified-answer', sw: 0x63c2 });
    expect(await entry.verifyPlaintextOffline({ ...PROMPT, attempt: 2, triesLeft: 2 }))
      .toEqual({ kind: 'verified-answer', sw: 0x9000 });
    const verifies = slot.controls.filter((c) => c.code === VERIFY_DIRECT);
    expect(verifies.map((c) => upper(c.data))).toEqual([EXPECTED_STRUCTURE,
      EXPECTED_STRUCTURE]);
    // The VERIFY went through the reader, never as a transmit from quay.
    expect(transmits).toEqual([]);
    await reader.close();
  });

  it('reads the reader\'s own answers: timeout and short PIN bypass, cancel aborts',
    async () => {
      const { reader, slot, session } = await openSession();
      pinPadReader(slot, ['6400', '6403', '6401', '6B80']);
      const entry = await PinPadReaderEntry.forSession(session);
      expect(await entry.verifyPlaintextOffline(PROMPT)).toEqual({ kind: 'bypassed' });
      expect(await entry.verifyPlaintextOffline(PROMPT)).toEqual({ kind: 'bypassed' });
      const cancelled = await rejection(entry.verifyPlaintextOffline(PROMPT));
      expect([cancelled.code, cancelled.detail.reason])
        .toEqual(['PAYMENT_ABORTED', 'pin-cancelled']);
      expect(await entry.verifyPlaintextOffline(PROMPT)).toEqual({ kind: 'unavailable',
        reason: 'the reader refused the PIN verify structure' });
      await reader.close();
    });

  it('offers nothing on a reader without part 10, so the kernel says no PIN pad', async () => {
    const { reader, slot, session } = await openSession();
    const entry = await PinPadReaderEntry.forSession(session);
    expect(entry.methods.size).toBe(0);
    expect(await entry.verifyPlaintextOffline(PROMPT)).toEqual({ kind: 'unavailable',
      reason: 'the reader has no PIN pad (PC/SC part 10)' });
    expect(await entry.encipherOffline()).toMatchObject({ kind: 'unavailable' });
    expect(await entry.enterOnline()).toMatchObject({ kind: 'unavailable' });
    expect(slot.controls.map((c) => c.code)).toEqual([GET_FEATURES]);
    await reader.close();
  });

  it('offers nothing for a session that has no reader functions at all', async () => {
    const session: CardSession = { reader: 'in-process', atr: hex('3B00'), protocol: 'T0',
      transmit: async () => hex('9000'), disconnect: async () => undefined };
    expect((await PinPadReaderEntry.forSession(session)).methods.size).toBe(0);
  });

  it('fails with CARD_REMOVED when the card leaves during PIN entry', async () => {
    const { reader, slot, session } = await openSession();
    pinPadReader(slot, []);
    const entry = await PinPadReaderEntry.forSession(session);
    slot.controlAnswer = () => new Error('SCardControl error: Card was removed.(0x80100069)');
    expect((await rejection(entry.verifyPlaintextOffline(PROMPT))).code).toBe('CARD_REMOVED');
    await reader.close();
  });

  it('calls a failing reader function a PIN pad that does not work', async () => {
    const { reader, slot, session } = await openSession();
    pinPadReader(slot, []);
    const entry = await PinPadReaderEntry.forSession(session);
    slot.controlAnswer = () => new Error('SCardControl error: Transaction failed.(0x80100016)');
    const result = await entry.verifyPlaintextOffline(PROMPT);
    expect(result.kind).toBe('unavailable');
    await reader.close();
  });
});
