import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessReader } from '../../drivers/card/virtual/in-process-reader';
import { loadVirtualCard } from '../../drivers/card/virtual/load';
import { startApp, type App } from '../../src/app';
import { loadTmk, signOn } from '../../src/cli/sign-on';
import { fromObject } from '../../src/config/load';
import { terminalKeysPath } from '../../src/keys/terminal-keys';
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

/**
 * The same with the bank link's keys in play (config/examples/mac-rehearsal.yaml): the master
 * key loaded from its components, a MAC key received at sign-on, every request MACed. Neither
 * key appears in clear in the terminal's files; the key store holds them sealed.
 */
describe('link keys at rest after sign-on and MACed payments', () => {
  const EXAMPLES = new URL('../../config/examples/', import.meta.url).pathname;

  it('leaves the master key and the MAC key in no file of the data folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quay-keys-at-rest-'));
    const sim = parse(readFileSync(`${EXAMPLES}acquirer-sim-mac.yaml`, 'utf8'));
    // The bank's own files (its key file) sit outside the terminal's data folder.
    const simPath = join(dir, 'acquirer-sim.yaml');
    writeFileSync(simPath, stringify({ ...sim, keyFile: join(dir, 'bank', 'keys.json') }));
    const raw = parse(readFileSync(`${EXAMPLES}mac-rehearsal.yaml`, 'utf8'));
    const dataDir = join(dir, 'data');
    const loaded = fromObject({ ...raw, dataDir, host: { ...raw.host, simulatorConfig: simPath } },
      `${EXAMPLES}mac-rehearsal.yaml`);
    const logFile = join(dataDir, 'logs', 'quay.log');
    const log = createLogger({ level: 'trace' },
      pino.destination({ dest: logFile, mkdir: true, sync: true }));

    loadTmk(loaded, { fromSimulator: true });
    await signOn(loaded, log);
    const app = await startApp(loaded, { log, forward: false });
    let macKey: Buffer;
    try {
      for (const amount of [150_000, 20_000]) {
        const paid = await app.terminal.pay({ amount, reference: `HS-K-${amount}` });
        expect(paid.status).toBe('approved');
      }
      macKey = app.acquirerSimulator!.macKey('QUAY0001')!;
    } finally {
      await app.close();
    }
    const tmk = sim.terminals[0].tmk as string;
    const secrets: [string, string][] = [['terminal master key', tmk.replace(/ /g, '')],
      ['MAC key', macKey.toString('hex')]];
    const files = filesUnder(dataDir);
    expect(files).toContain(terminalKeysPath(dataDir));
    expect(readFileSync(logFile, 'utf8')).toContain('"mti":"0800"');
    for (const file of files) expect(secretsIn(file, secrets), file).toEqual([]);
  }, 60_000);
});
