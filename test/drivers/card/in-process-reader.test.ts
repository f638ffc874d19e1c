import { describe, expect, it } from 'vitest';
import {
  IN_PROCESS_READER_NAME, InProcessReader,
} from '../../../drivers/card/virtual/in-process-reader';
import { TraceCard } from '../../../drivers/card/virtual/trace-card';
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
