import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { extract } from 'tar';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { startApp } from '../../src/app';
import { loadConfig } from '../../src/config/load';
import { dataKeyPath } from '../../src/doctor/checks/keys';
import { createFileLogger } from '../../src/log-files/daemon-logger';
import { rotatedFiles } from '../../src/log-files/rotating-file';
import { openTerminalKeys } from '../../src/keys/terminal-keys';
import { openPinPadSimulator } from '../../src/provision/pinpad-key';
import { provisionTerminal } from '../../src/provision/provision';
import { cardSecrets, filesUnder, secretsIn, testCard, type TestCard } from '../support/secrets';
import { startVisit, VISIT, type Visit } from '../provision/fixture';

const run = promisify(execFile);
const QUAY = new URL('../../bin/quay', import.meta.url).pathname;
const CARDS = new URL('../../config/cards/', import.meta.url).pathname;

const discard = () => new Writable({ write: (_chunk, _encoding, done) => done() });

describe('quay logs export after a run of payments on a provisioned terminal', () => {
  let visit: Visit;
  let cards: TestCard[];
  let unpacked: string;
  let names: string[];
  let macKey: Buffer;
  let pinBlock: string;

  beforeAll(async () => {
    visit = startVisit();
    // Small files, so that a few payments at trace level rotate the log more than once.
    await provisionTerminal({ base: visit.baseConfig, caKeyFiles: [], signOn: true,
      config: { terminal: { terminalId: VISIT.terminalId, merchantId: VISIT.merchantId },
        logs: { path: join(visit.dir, 'log', 'quay.log'), maxBytes: 8_192, keep: 20 } },
      tmk: { components: VISIT.components.map((c) => `${c.hex}:${c.kcv}`), kcv: VISIT.tmkKcv },
      dukpt: { ipek: VISIT.ipek, ksn: VISIT.ksn } }, { out: visit.out });
    macKey = openTerminalKeys(visit.dataDir).key('mac')!;
    cards = [testCard(join(CARDS, 'visa-cvn10.yaml')), testCard(join(CARDS, 'visa-cvn18.yaml'))];
    const amounts = [[150_000, 20_000], [20_051, 30_000]];
    for (const [i, card] of cards.entries()) {
      const loaded = loadConfig(visit.out);
      const { log, file } = createFileLogger(loaded, { level: 'trace' });
      const app = await startApp(loaded, { log, card: card.file, consoleStream: discard() });
      try {
        for (const [j, amount] of amounts[i]!.entries()) {
          await app.terminal.pay({ amount, reference: `VP-${i}-${j}` });
        }
      } finally {
        await app.close();
        file.close();
      }
    }
    // An online PIN from the provisioned PIN pad, logged the way a careless caller would.
    const pad = openPinPadSimulator(visit.dataDir);
    pad.enter('1234');
    pinBlock = (await pad.requestPin({ pan: cards[0]!.pan })).pinBlock.toString('hex');
    await pad.close();
    const { log, file } = createFileLogger(loadConfig(visit.out), { level: 'info' });
    log.info({ pinBlock, request: { fields: { 52: pinBlock } } }, 'online PIN entered');
    file.close();
    const out = join(visit.dir, 'bundle.tar.gz');
    const made = await run(QUAY, ['--config', visit.out, 'logs', 'export', '--out', out]);
    expect(made.stdout).toContain(`${out}: config.yaml, doctor.json`);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    unpacked = mkdtempSync(join(tmpdir(), 'quay-logs-export-'));
    await extract({ file: out, cwd: unpacked });
    names = filesUnder(unpacked).map((f) => f.slice(unpacked.length + 1)).sort();
  }, 120_000);

  it('holds every rotated log file, the configuration, doctor report and versions', () => {
    const logs = names.filter((n) => n.startsWith('logs/'));
    const onDisk = rotatedFiles(join(visit.dir, 'log', 'quay.log'), 20);
    expect(onDisk.length).toBeGreaterThanOrEqual(3);
    expect(logs).toEqual(onDisk.map((f, i) => `logs/${i + 1}-${f.slice(f.lastIndexOf('/') + 1)}`)
      .sort());
    expect(names).toEqual(expect.arrayContaining(['config.yaml', 'doctor.json',
      'journal-summary.json', 'manifest.json', 'versions.json']));
    const text = logs.map((n) => readFileSync(join(unpacked, n), 'utf8')).join('\n');
    // The logs are complete, not emptied: one "payment ended" line per payment.
    expect(text.match(/"msg":"payment ended"/g)).toHaveLength(4);
    const config = parse(readFileSync(join(unpacked, 'config.yaml'), 'utf8'));
    expect(config.terminal.terminalId).toBe('HOSP0042');
    const doctor = JSON.parse(readFileSync(join(unpacked, 'doctor.json'), 'utf8'));
    const keys = doctor.checks.find((c: { id: string }) => c.id === 'keys');
    expect(keys.detail).toContain('TMK KCV 819DB1');
    const versions = JSON.parse(readFileSync(join(unpacked, 'versions.json'), 'utf8'));
    expect(versions.quay).toBe('0.1.0');
  });

  it('holds no card number, track 2, key or key component in any file', () => {
    const secrets: [string, string][] = [...cardSecrets(cards),
      ['data key', readFileSync(dataKeyPath(visit.dataDir)).toString('hex')],
      ['terminal master key', VISIT.tmk], ['MAC key', macKey.toString('hex')],
      ['TMK component', VISIT.components[0].hex], ['TMK component', VISIT.components[1].hex],
      ['DUKPT initial key', VISIT.ipek], ['PIN block', pinBlock]];
    // The card numbers did reach the log file's writer: a leak would be caught.
    const path = join(visit.dir, 'log', 'quay.log');
    const raw = rotatedFiles(path, 20).map((f) => readFileSync(f, 'utf8')).join('');
    expect(raw).toContain('"card":"**** **** **** 0010"');
    expect(raw).toContain('"card":"**** **** **** 0119"');
    expect(raw).toContain('"pinBlock":"[redacted]","request":{"fields":{"52":"[redacted]"}}');
    for (const name of names) {
      expect(secretsIn(join(unpacked, name), secrets), name).toEqual([]);
    }
  });
});
