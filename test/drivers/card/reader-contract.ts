import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exchange } from '../../../drivers/card/apdu';
import type { CardReader, CardSession, VirtualCard } from '../../../drivers/card/types';
import { ProfileCard } from '../../../drivers/card/virtual/profile-card';
import { findTag, parseTlv } from '../../../src/emv/tlv';

/**
 * The CardReader contract (drivers/card/types.ts), run against the in-process reader and,
 * where pcscd with vpcd is there, against the PC/SC reader. A fixture plugs a virtual card
 * into the reader under test and pulls it out again.
 */
export interface ReaderFixture {
  reader: CardReader;
  /** What to pass as `reader` to reach the slot the fixture inserts into. */
  readerName: string;
  insert(card: VirtualCard): Promise<void>;
  remove(): Promise<void>;
  dispose(): Promise<void>;
}

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const byteHex = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');
const SELECT_PSE = hex('00A404000E315041592E5359532E444446303100');
const PROFILE = new URL('../../../config/cards/visa-cvn18.yaml', import.meta.url).pathname;

/** A card that records the commands it was sent, for checking what the driver did. */
export function recording(card: VirtualCard): VirtualCard & { commands: string[] } {
  const commands: string[] = [];
  return {
    commands,
    get atr() { return card.atr; },
    powerOn: () => card.powerOn(),
    powerOff: () => card.powerOff(),
    reset: () => card.reset(),
    process: (command) => {
      commands.push(command.toString('hex').toUpperCase());
      return card.process(command);
    },
    answerDelayMs: (command) => card.answerDelayMs?.(command) ?? 0,
    pullsOutAt: (command) => card.pullsOutAt?.(command) ?? false,
  };
}

export function describeReaderContract(
  title: string, makeFixture: () => Promise<ReaderFixture>, options: { expectedName: string },
): void {
  describe(title, () => {
    let fx: ReaderFixture;
    let session: CardSession | undefined;
    beforeEach(async () => { fx = await makeFixture(); });
    afterEach(async () => {
      await session?.disconnect();
      session = undefined;
      await fx.dispose();
    });

    it('lists its readers', async () => {
      expect(await fx.reader.listReaders()).toContain(options.expectedName);
    });

    it('times out with CARD_TIMEOUT when no card comes', async () => {
      await expect(fx.reader.waitForCard({ reader: fx.readerName, timeoutMs: 300 }))
        .rejects.toMatchObject({ name: 'CardError', code: 'CARD_TIMEOUT' });
    });

    it('ends the wait with CARD_TIMEOUT when the signal aborts', async () => {
      const abort = new AbortController();
      const waiting = fx.reader.waitForCard({
        reader: fx.readerName, timeoutMs: 30_000, signal: abort.signal,
      });
      abort.abort();
      await expect(waiting).rejects.toMatchObject({ code: 'CARD_TIMEOUT' });
    });

    it('waits for a T=0 card and exchanges APDUs with GET RESPONSE and Le correction', async () => {
      const card = recording(ProfileCard.fromFile(PROFILE));
      const waiting = fx.reader.waitForCard({ reader: fx.readerName, timeoutMs: 20_000 });
      [session] = await Promise.all([waiting, fx.insert(card)]);
      expect(session.reader).toContain(fx.readerName);
      expect(session.protocol).toBe('T0');
      expect(session.atr.toString('hex').toUpperCase()).toBe('3B600000');

      const fci = await exchange(session, SELECT_PSE);
      expect(fci.sw).toBe(0x9000);
      const sfi = findTag(parseTlv(fci.data), '88');
      expect(sfi?.value.toString('hex')).toBe('01');
      const record = await exchange(session, hex('00B2010C00'));
      expect(record.sw).toBe(0x9000);
      expect(findTag(parseTlv(record.data), '4F')?.value.toString('hex').toUpperCase())
        .toBe('A0000000031010');
      // 61xx made the driver fetch the FCI; 6Cxx made it resend with the record's length.
      expect(card.commands).toEqual([
        '00A404000E315041592E5359532E444446303100', `00C00000${byteHex(fci.data.length)}`,
        '00B2010C00', `00B2010C${byteHex(record.data.length)}`,
      ]);
    });

    it('fails a transmit with CARD_REMOVED when the card is pulled mid-transaction', async () => {
      const card = ProfileCard.fromFile(PROFILE);
      card.setFaults({ removeAt: 'read-record' });
      await fx.insert(card);
      session = await fx.reader.waitForCard({ reader: fx.readerName, timeoutMs: 20_000 });
      expect((await exchange(session, SELECT_PSE)).sw).toBe(0x9000);
      await expect(exchange(session, hex('00B2010C00')))
        .rejects.toMatchObject({ name: 'CardError', code: 'CARD_REMOVED' });
      await expect(session.transmit(hex('00B2010C00')))
        .rejects.toMatchObject({ code: 'CARD_REMOVED' });
      await fx.reader.waitForRemoval?.({ reader: fx.readerName, timeoutMs: 20_000 });
    });

    it('refuses transmit after disconnect, and disconnect twice is fine', async () => {
      await fx.insert(ProfileCard.fromFile(PROFILE));
      const s = await fx.reader.waitForCard({ reader: fx.readerName, timeoutMs: 20_000 });
      await s.disconnect();
      await s.disconnect();
      await expect(s.transmit(SELECT_PSE)).rejects.toMatchObject({ code: 'READER_ERROR' });
    });

    it('rejects pending waits with READER_UNAVAILABLE on close', async () => {
      const waiting = fx.reader.waitForCard({ reader: fx.readerName, timeoutMs: 30_000 });
      const rejected = expect(waiting).rejects.toMatchObject({
        name: 'ReaderError', code: 'READER_UNAVAILABLE',
      });
      await fx.reader.close();
      await rejected;
    });
  });
}
