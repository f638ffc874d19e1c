import { describe, expect, it } from 'vitest';
import { ProfileCard } from '../../drivers/card/virtual/profile-card';
import { ContactKernel } from '../../src/emv/kernel';
import { silentLogger } from '../../src/log';
import { defaultTerminal } from './support/default-terminal';
import { INPUT } from './support/visa-card';
import { CARD_EXPECTATIONS, cardFile, expected, runExpectation }
  from './support/test-card-runs';

/**
 * The test cards of config/cards for offline data authentication, cardholder verification,
 * issuer authentication and issuer scripts, in process, against the table of TVR, TSI, CVM
 * results and outcome written down from the Books (support/test-card-runs.ts).
 */
describe('test cards: ODA, CVM, issuer authentication and scripts, value by value', () => {
  it.each(CARD_EXPECTATIONS.map((e) => [`${e.card} ${e.pad ? JSON.stringify(e.pad) : 'no pad'}`,
    e] as const))('%s', async (_name, expectation) => {
    const card = ProfileCard.fromFile(cardFile(expectation.card));
    card.powerOn();
    const summary = await runExpectation({ transmit: async (c) => card.process(c) },
      expectation);
    expect(summary, expectation.why).toEqual(expected(expectation));
  });

  it('a wrong PIN costs a try the right one gives back: 9F17 3 → 2 → 3', async () => {
    const card = ProfileCard.fromFile(cardFile('visa-pin-plaintext.yaml'));
    card.powerOn();
    const channel = { transmit: async (c: Buffer) => card.process(c) };
    const expectation = CARD_EXPECTATIONS.find((e) => e.pad?.length === 2)!;
    await runExpectation(channel, expectation);
    // GET DATA 9F17 after the transaction: the counter is back at its limit.
    card.powerOn();
    const select = card.process(Buffer.from('00A4040007A000000003101000', 'hex'));
    expect(select.subarray(-2)).toEqual(Buffer.from('9000', 'hex'));
    card.process(Buffer.from('80A8000002830000', 'hex'));
    expect(card.process(Buffer.from('80CA9F1700', 'hex'))).toEqual(
      Buffer.from('9F1701039000', 'hex'));
  });

  it('after the APPLICATION BLOCK script the next transaction finds no application', async () => {
    const card = ProfileCard.fromFile(cardFile('visa-scripts.yaml'));
    card.powerOn();
    const channel = { transmit: async (c: Buffer) => card.process(c) };
    await runExpectation(channel, CARD_EXPECTATIONS.find((e) => e.card === 'visa-scripts.yaml')!);
    card.powerOn();
    const kernel = new ContactKernel(channel, defaultTerminal(), silentLogger);
    // SELECT answers 6283 (application blocked): Book 1 12.3.3 leaves it off the list.
    await expect(kernel.start(INPUT)).rejects.toMatchObject({ code: 'CARD_NOT_ACCEPTED' });
  });
});
