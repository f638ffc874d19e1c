import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessReader } from '../../drivers/card/virtual/in-process-reader';
import { loadVirtualCard } from '../../drivers/card/virtual/load';
import { startApp, type App } from '../../src/app';
import { createLogger } from '../../src/log';
import { CARDS_DIR, testConfig } from '../support/app-config';
import { cardSecrets, filesUnder, secretsIn, testCard, type TestCard } from '../support/secrets';

/**
 * After a run of payments of every outcome, with every log line written at trace level to a
 * file, the data folder (journal, its WAL, logs, receipts, the printer simulator's jobs) holds
 * no card number, track 2 data or key in any form, neither while quay runs nor after it stops.
 */
describe('card data at rest after a run of payments', () => {
  let app: App;
  let cards: TestCard[];
  let dataDir: string;
  let logFile: string;
  let secrets: [string, string][];
  const whileRunning: Record<string, string[]> = {};
  let states: string[] = [];

  beforeAll(async () => {
    const loaded = testConfig({ host: { kind: 'embedded-simulator', layout: 'pos-bcd',
      tpdu: '6000010000', responseTimeoutMs: 3_000 } });
    dataDir = loaded.resolvePath(loaded.config.dataDir);
    logFile = join(dataDir, 'logs', 'quay.log');
    const log = createLogger({ level: 'trace' },
      pino.destination({ dest: logFile, mkdir: true, sync: true }));
    app = await startApp(loaded, { log, forward: false });
    cards = ['visa-cvn10.yaml', 'visa-cvn18.yaml'].map((f) => testCard(join(CARDS_DIR, f)));
    // Approved, declined by the bank (51), no answer (reversed), approved again.
    const amounts = [150_000, 20_051, 30_099, 45_000];
    for (const [i, amount] of amounts.entries()) {
      (app.reader as InProcessReader).insert(loadVirtualCard(cards[i % 2]!.file));
      await app.terminal.pay({ amount, reference: `HS-${i}`, payer: 'Nguyễn Văn A' });
    }
    secrets = [...cardSecrets(cards), ['data key',
      readFileSync(join(dataDir, 'keys', 'data.key')).toString('hex')]];
    for (const file of filesUnder(dataDir).filter((f) => !f.endsWith('data.key'))) {
      whileRunning[file] = secretsIn(file, secrets);
    }
    states = app.journal.search({ limit: 10, offset: 0 }).rows.map((r) => r.state).reverse();
    await app.close();
  }, 60_000);
  afterAll(async () => { await app?.close(); });

  it('took the payments it was given, with each outcome in the journal', () => {
    expect(states).toEqual(['approved', 'declined', 'reversed', 'approved']);
    const log = readFileSync(logFile, 'utf8');
    expect(log.match(/"msg":"payment ended"/g)).toHaveLength(4);
    // The exchanges with the bank were logged in full (masked), so a leak would be there.
    expect(log).toContain('"mti":"0200"');
    expect(log).toContain('"mti":"0400"');
  });

  it('had its WAL on disk while running, and nothing secret in any file then', () => {
    expect(Object.keys(whileRunning).some((f) => f.endsWith('quay.db-wal'))).toBe(true);
    expect(Object.keys(whileRunning).some((f) => f.endsWith('.png'))).toBe(true);
    for (const [file, found] of Object.entries(whileRunning)) expect(found, file).toEqual([]);
  });

  it('has nothing secret in the journal, its WAL or the logs after it stopped', () => {
    const files = filesUnder(dataDir).filter((f) => !f.endsWith('data.key'));
    expect(files).toContain(join(dataDir, 'quay.db'));
    expect(files).toContain(logFile);
    for (const file of files) expect(secretsIn(file, secrets), file).toEqual([]);
    const wal = join(dataDir, 'quay.db-wal');
    if (existsSync(wal)) expect(secretsIn(wal, secrets)).toEqual([]);
  });
});
