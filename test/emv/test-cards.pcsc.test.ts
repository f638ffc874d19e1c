import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PcscReader } from '../../drivers/card/pcsc-reader';
import { PinPadReaderEntry } from '../../drivers/card/pinpad-reader';
import type { CardSession } from '../../drivers/card/types';
import { ProfileCard } from '../../drivers/card/virtual/profile-card';
import { VpcdLink } from '../../drivers/card/virtual/vpcd-link';
import { ContactKernel } from '../../src/emv/kernel';
import { silentLogger } from '../../src/log';
import { hex } from './support/scripted-card';
import { INPUT } from './support/visa-card';
import { defaultTerminal, projectCaKeys } from './support/default-terminal';
import { CARD_EXPECTATIONS, expected, runExpectation } from './support/test-card-runs';

/**
 * The test cards of config/cards through pcscd and vpcd's first reader, with the terminal of
 * config/default.yaml and its CA keys. TVR and TSI are those written down, from EMV Book 3
 * annex C5/C6, in test-cards.test.ts and cda.test.ts; here they must come out the same over
 * the real PC/SC stack.
 */
const READER = 'Virtual PCD 00 00';
const TERMINAL = defaultTerminal();
const caKeys = projectCaKeys();

describe('test cards through pcscd', () => {
  let reader: PcscReader;

  beforeAll(() => {
    reader = new PcscReader({ log: silentLogger });
  });

  afterAll(async () => {
    await reader?.close();
  });

  /** Inserts `file` into vpcd's first slot and runs `work` on the session pcscd gives. */
  async function withCard<T>(file: string, work: (session: CardSession) => Promise<T>):
    Promise<T> {
    const card = ProfileCard.fromFile(
      fileURLToPath(new URL(`../../config/cards/${file}`, import.meta.url)));
    const link = new VpcdLink(card, { port: 35963 });
    try {
      await reader.waitForRemoval({ reader: READER, timeoutMs: 10_000 });
      await link.connect();
      const session = await reader.waitForCard({ reader: READER, timeoutMs: 10_000 });
      try {
        return await work(session);
      } finally {
        await session.disconnect();
      }
    } finally {
      await link.close();
    }
  }

  function run(file: string) {
    return withCard(file, async (session) => {
      const kernel = new ContactKernel(session, TERMINAL, silentLogger,
        { caKeys, defaultDdol: hex('9F3704') });
      const first = await kernel.start(INPUT);
      return {
        decision: first.decision, tvr: first.tvr.toString('hex').toUpperCase(),
        tsi: first.tsi.toString('hex').toUpperCase(), oda: first.oda,
      };
    });
  }

  // Offline PIN (VERIFY 80 and 88 over the wire), EXTERNAL AUTHENTICATE, the second GENERATE
  // AC and issuer scripts, against the same table as in process.
  it.each(CARD_EXPECTATIONS.map((e) => [`${e.card} ${e.pad ? JSON.stringify(e.pad) : 'no pad'}`,
    e] as const))('%s: as the Books require', async (_name, expectation) => {
    const summary = await withCard(expectation.card,
      (session) => runExpectation(session, expectation));
    expect(summary, expectation.why).toEqual(expected(expectation));
  });

  it('has no PIN pad of its own (PC/SC part 10): vpcd lists no VERIFY_PIN_DIRECT', async () => {
    const methods = await withCard('visa-cvn10.yaml', async (session) =>
      [...(await PinPadReaderEntry.forSession(session)).methods]);
    expect(methods).toEqual([]);
  });

  // Without a PIN pad the online PIN rule fails with TVR byte 3 b5 (10) and the signature
  // rule applies; TSI b7 (40) says cardholder verification was performed (Book 3 10.5).
  it('visa-cda: CDA verified, TVR 0000108000, TSI E800, online', async () => {
    expect(await run('visa-cda.yaml')).toEqual({ decision: 'online', tvr: '0000108000',
      tsi: 'E800', oda: { method: 'CDA', passed: true } });
  });

  it('visa-expired: TVR 8040108000, TSI 6800, online', async () => {
    expect(await run('visa-expired.yaml'))
      .toMatchObject({ decision: 'online', tvr: '8040108000', tsi: '6800' });
  });

  it('visa-not-effective: TVR 8020108000, TSI 6800, online', async () => {
    expect(await run('visa-not-effective.yaml'))
      .toMatchObject({ decision: 'online', tvr: '8020108000', tsi: '6800' });
  });

  it('visa-iac-denial: TVR 8010108000, TSI 6800, declined offline', async () => {
    expect(await run('visa-iac-denial.yaml'))
      .toMatchObject({ decision: 'declined', tvr: '8010108000', tsi: '6800' });
  });

  it('napas-domestic: TVR 8000108000, TSI 6800, online', async () => {
    expect(await run('napas-domestic.yaml'))
      .toMatchObject({ decision: 'online', tvr: '8000108000', tsi: '6800' });
  });
});
