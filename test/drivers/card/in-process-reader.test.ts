import { describe, expect, it } from 'vitest';
import {
  IN_PROCESS_READER_NAME, InProcessReader,
} from '../../../drivers/card/virtual/in-process-reader';
import { TraceCard } from '../../../drivers/card/virtual/trace-card';
import { PinPadReaderEntry } from '../../../drivers/card/pinpad-reader';
import { Part10Keypad } from '../../../drivers/pinpad/part10-keypad';
import type { VirtualCard } from '../../../drivers/card/types';
import { describeReaderContract } from './reader-contract';

describeReaderContract('InProcessReader contract', async () => {
  const reader = new InProcessReader();
  return {
    reader,
    readerName: 'in-process',
    insert: async (card) => reader.insert(card),
    remove: async () => reader.remove(),
    dispose: () => reader.close(),
  };
}, { expectedName: IN_PROCESS_READER_NAME });

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const oneStep = () => TraceCard.fromYaml("- req: any\n  res: '9000'\n");

describe('InProcessReader', () => {
  it('fails a transmit with CARD_REMOVED when the card is pulled while it thinks', async () => {
    const reader = new InProcessReader();
    const card = Object.assign(oneStep(), { answerDelayMs: () => 200 });
    reader.insert(card);
    const session = await reader.waitForCard({ timeoutMs: 1000 });
    const pending = session.transmit(hex('00A4040000'));
    reader.remove();
    await expect(pending).rejects.toMatchObject({ code: 'CARD_REMOVED' });
    expect(card.exchanges).toHaveLength(0);
    await reader.close();
  });

  it('empties the slot when a card fault pulls it out', async () => {
    const reader = new InProcessReader();
    const card = Object.assign(oneStep(), { pullsOutAt: () => true });
    reader.insert(card);
    const session = await reader.waitForCard({ timeoutMs: 1000 });
    await expect(session.transmit(hex('00A4040000'))).rejects.toMatchObject({
      code: 'CARD_REMOVED',
    });
    expect(reader.inserted).toBeUndefined();
    await reader.waitForRemoval({ timeoutMs: 1000 });
    await reader.close();
  });

  it('starts each session with a cold reset, so a trace replays from its start', async () => {
    const reader = new InProcessReader();
    reader.insert(oneStep());
    for (let i = 0; i < 2; i += 1) {
      const session = await reader.waitForCard({ timeoutMs: 1000 });
      expect((await session.transmit(hex('00A4040000'))).toString('hex')).toBe('9000');
      await session.disconnect();
    }
    await reader.close();
  });

  it('refuses a second session while one is open, and ignores other reader names', async () => {
    const reader = new InProcessReader();
    reader.insert(oneStep());
    const session = await reader.waitForCard({ timeoutMs: 1000 });
    await expect(reader.waitForCard({ timeoutMs: 1000 })).rejects.toMatchObject({
      code: 'READER_ERROR',
    });
    await expect(reader.waitForCard({ reader: 'Virtual PCD', timeoutMs: 50 }))
      .rejects.toMatchObject({ code: 'CARD_TIMEOUT' });
    expect(session.protocol).toBe('T0');
    await reader.close();
  });

  it('answers CARD_UNRESPONSIVE when the card gives no status word', async () => {
    const reader = new InProcessReader();
    reader.insert({ ...oneStep(), atr: hex('3B600000'), powerOn() {}, powerOff() {},
      reset() {}, process: () => hex('90') });
    const session = await reader.waitForCard({ timeoutMs: 1000 });
    await expect(session.transmit(hex('00A4040000'))).rejects.toMatchObject({
      code: 'CARD_UNRESPONSIVE',
    });
    await reader.close();
  });

  it('times out a removal wait while the card stays in', async () => {
    const reader = new InProcessReader();
    reader.insert(oneStep());
    await expect(reader.waitForRemoval({ timeoutMs: 50 })).rejects.toMatchObject({
      code: 'CARD_TIMEOUT',
    });
    await reader.close();
    expect(() => reader.insert(oneStep())).toThrow(/closed/);
  });
});

/** A chip that answers VERIFY with a plaintext PIN: PIN 1234, three tries (Book 3 6.5.12). */
function verifyingCard(): VirtualCard & { commands: string[] } {
  let tries = 3;
  const commands: string[] = [];
  return {
    atr: hex('3B600000'), commands, powerOn() {}, powerOff() {}, reset() {},
    process(command) {
      commands.push(command.toString('hex').toUpperCase());
      if (command.subarray(0, 5).toString('hex') !== '0020008008') return hex('6D00');
      if (tries === 0) return hex('6983');
      if (command.subarray(5).toString('hex') === '241234ffffffffff') {
        tries = 3;
        return hex('9000');
      }
      tries -= 1;
      return Buffer.from([0x63, 0xc0 | tries]);
    },
  };
}

describe('InProcessReader as a PIN-pad reader (PC/SC part 10)', () => {
  const prompt = { amount: 150_000, attempt: 1 };

  it('has its keypad VERIFY the card and reports the card\'s SW', async () => {
    const keypad = new Part10Keypad(['1111', '2222', '1234']);
    const reader = new InProcessReader({ keypad });
    const card = verifyingCard();
    reader.insert(card);
    const session = await reader.waitForCard({ timeoutMs: 1000 });
    const entry = await PinPadReaderEntry.forSession(session);
    expect([...entry.methods]).toEqual(['offline-plaintext']);
    const answers = [];
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      answers.push(await entry.verifyPlaintextOffline({ ...prompt, attempt }));
    }
    expect(answers).toEqual([{ kind: 'verified-answer', sw: 0x63c2 },
      { kind: 'verified-answer', sw: 0x63c1 }, { kind: 'verified-answer', sw: 0x9000 }]);
    expect(card.commands).toEqual(['0020008008241111FFFFFFFFFF',
      '0020008008242222FFFFFFFFFF', '0020008008241234FFFFFFFFFF']);
    await reader.close();
  });

  it('offers no PIN method without a keypad, and fails after the card is pulled', async () => {
    const plain = new InProcessReader();
    plain.insert(verifyingCard());
    const entry = await PinPadReaderEntry.forSession(await plain.waitForCard({ timeoutMs: 100 }));
    expect(entry.methods.size).toBe(0);
    await plain.close();

    const reader = new InProcessReader({ keypad: new Part10Keypad(['1234']) });
    reader.insert(verifyingCard());
    const session = await reader.waitForCard({ timeoutMs: 1000 });
    const padEntry = await PinPadReaderEntry.forSession(session);
    reader.remove();
    await expect(padEntry.verifyPlaintextOffline(prompt))
      .rejects.toMatchObject({ code: 'CARD_REMOVED' });
    await reader.close();
  });
});
