import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PcscReader } from '../../drivers/card/pcsc-reader';
import { ProfileCard } from '../../drivers/card/virtual/profile-card';
import { VpcdLink } from '../../drivers/card/virtual/vpcd-link';
import { ContactKernel } from '../../src/emv/kernel';
import { silentLogger } from '../../src/log';
import { hex } from './support/scripted-card';
import { INPUT } from './support/visa-card';
import { defaultTerminal, projectCaKeys } from './support/default-terminal';

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

  async function run(file: string) {
    const card = ProfileCard.fromFile(
      fileURLToPath(new URL(`../../config/cards/${file}`, import.meta.url)));
    const link = new VpcdLink(card, { port: 35963 });
    try {
      await reader.waitForRemoval({ reader: READER, timeoutMs: 10_000 });
      await link.connect();
      const session = await reader.waitForCard({ reader: READER, timeoutMs: 10_000 });
      try {
        const kernel = new ContactKernel(session, TERMINAL, silentLogger,
          { caKeys, defaultDdol: hex('9F3704') });
        const first = await kernel.start(INPUT);
        return {
          decision: first.decision, tvr: first.tvr.toString('hex').toUpperCase(),
          tsi: first.tsi.toString('hex').toUpperCase(), oda: first.oda,
        };
      } finally {
        await session.disconnect();
      }
    } finally {
      await link.close();
    }
  }

  it('visa-cda: CDA verified, TVR 0000008000, TSI A800, online', async () => {
    expect(await run('visa-cda.yaml')).toEqual({ decision: 'online', tvr: '0000008000',
      tsi: 'A800', oda: { method: 'CDA', passed: true } });
  });

  it('visa-expired: TVR 8040008000, TSI 2800, online', async () => {
    expect(await run('visa-expired.yaml'))
      .toMatchObject({ decision: 'online', tvr: '8040008000', tsi: '2800' });
  });

  it('visa-not-effective: TVR 8020008000, TSI 2800, online', async () => {
    expect(await run('visa-not-effective.yaml'))
      .toMatchObject({ decision: 'online', tvr: '8020008000', tsi: '2800' });
  });

  it('visa-iac-denial: TVR 8010008000, TSI 2800, declined offline', async () => {
    expect(await run('visa-iac-denial.yaml'))
      .toMatchObject({ decision: 'declined', tvr: '8010008000', tsi: '2800' });
  });

  it('napas-domestic: TVR 8000008000, TSI 2800, online', async () => {
    expect(await run('napas-domestic.yaml'))
      .toMatchObject({ decision: 'online', tvr: '8000008000', tsi: '2800' });
  });
});
