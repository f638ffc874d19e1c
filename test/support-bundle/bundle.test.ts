import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { extract } from 'tar';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataKeyPath } from '../../src/doctor/checks/keys';
import { redactConfig, scrubText } from '../../src/support/scrub';
import { startRig, type Rig } from '../doctor/rig';
import { cardSecrets, filesUnder, secretsIn, testCard, type TestCard } from '../support/secrets';

const run = promisify(execFile);
const QUAY = new URL('../../bin/quay', import.meta.url).pathname;
const CARDS = new URL('../../config/cards/', import.meta.url).pathname;

describe('quay support-bundle after a run of payments', () => {
  let rig: Rig;
  let cards: TestCard[];
  let unpacked: string;
  let files: string[];
  let dataKey: Buffer;

  beforeAll(async () => {
    rig = await startRig({ pty: false });
    cards = [testCard(join(CARDS, 'visa-cvn10.yaml')), testCard(join(CARDS, 'visa-cvn18.yaml'))];
    const logDir = join(rig.dataDir, 'logs');
    mkdirSync(logDir, { recursive: true });
    const env = { ...process.env, QUAY_LOG_LEVEL: 'trace' };
    const pays: [string, TestCard][] = [['150000', cards[0]!], ['20000', cards[1]!],
      ['20051', cards[0]!], ['30097', cards[1]!]];
    for (const [i, [amount, card]] of pays.entries()) {
      const result = await run(QUAY, ['--config', rig.configPath, 'pay', amount, '--ref',
        `HS-${i}`, '--card', card.file, '--json'], { env })
        .catch((err: { stdout: string; stderr: string }) => err);
      writeFileSync(join(logDir, 'quay.log'), result.stderr, { flag: 'a' });
      writeFileSync(join(rig.dir, `outcome-${i}.json`), result.stdout);
    }
    dataKey = readFileSync(dataKeyPath(rig.dataDir));
    const out = join(rig.dir, 'support.tar.gz');
    const made = await run(QUAY, ['--config', rig.configPath, 'support-bundle', out]);
    expect(made.stdout).toContain('support.tar.gz');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    unpacked = mkdtempSync(join(tmpdir(), 'quay-support-test-'));
    await extract({ file: out, cwd: unpacked });
    files = filesUnder(unpacked);
  }, 120_000);
  afterAll(async () => { await rig?.close(); });

  it('holds the configuration, doctor report, logs, journal summary and versions', () => {
    const names = files.map((f) => f.slice(unpacked.length + 1)).sort();
    expect(names).toEqual(['config.yaml', 'doctor.json', 'journal-summary.json',
      'logs/1-quay.log', 'manifest.json', 'versions.json']);
    const summary = JSON.parse(readFileSync(join(unpacked, 'journal-summary.json'), 'utf8'));
    const total = Object.values(summary.byState as Record<string, number>)
      .reduce((a, b) => a + b, 0);
    expect(total).toBe(4);
    expect(summary.byState.approved).toBe(2);
    expect(summary.byState.declined).toBe(1);
    expect(summary.counters.stan).toBeGreaterThanOrEqual(4);
    const doctor = JSON.parse(readFileSync(join(unpacked, 'doctor.json'), 'utf8'));
    expect(doctor.checks.find((c: { id: string }) => c.id === 'journal').status).toBe('pass');
    const log = readFileSync(join(unpacked, 'logs/1-quay.log'), 'utf8');
    // The logs are there, not emptied: one "payment ended" line per payment.
    expect(log.match(/"msg":"payment ended"/g)).toHaveLength(4);
    const config = parse(readFileSync(join(unpacked, 'config.yaml'), 'utf8'));
    expect(config.terminal.terminalId).toBe('QUAY0001');
    const versions = JSON.parse(readFileSync(join(unpacked, 'versions.json'), 'utf8'));
    expect(versions.node).toBe(process.version);
  });

  it('holds no full card number, track 2 data, PIN block or key in any file', () => {
    const secrets = [...cardSecrets(cards), ['data key', dataKey.toString('hex')]] as
      [string, string][];
    // The card numbers did reach the logs' writers: the test would catch a leak.
    expect(secrets.length).toBe(9);
    for (const file of files) expect(secretsIn(file, secrets), file).toEqual([]);
  });
});

describe('support bundle scrubbing', () => {
  it('replaces secrets in a configuration and keeps the rest', () => {
    const raw = { terminal: { terminalId: 'TID00001' }, api: { token: 'desk-0123456789abcdef',
      users: [{ name: 'lan', role: 'clerk', secret: 'scrypt$abc' }],
      notify: { url: 'http://127.0.0.1:9/x', secret: 'notify-0123456789' } },
    keys: { masterKeyComponents: ['0123456789ABCDEFFEDCBA9876543210'] },
    emv: { caKeys: { dir: 'capk', allowTest: true } } };
    expect(redactConfig(raw)).toEqual({ terminal: { terminalId: 'TID00001' },
      api: { token: '[redacted]', users: [{ name: 'lan', role: 'clerk', secret: '[redacted]' }],
        notify: { url: 'http://127.0.0.1:9/x', secret: '[redacted]' } },
      keys: { masterKeyComponents: ['[redacted]'] },
      emv: { caKeys: { dir: 'capk', allowTest: true } } });
  });

  it('masks Luhn-valid card numbers and removes track 2 and long hex in log text', () => {
    expect(scrubText('card 4761739001010010 ok')).toBe('card **** **** **** 0010 ok');
    expect(scrubText('card 4761 7390 0101 0010 ok')).toBe('card **** **** **** 0010 ok');
    // Not a card number (Luhn fails): an RRN or a count stays.
    expect(scrubText('rrn 4761739001010011')).toBe('rrn 4761739001010011');
    expect(scrubText('t2 4761739001010010D29122010000F')).toBe('t2 [redacted]');
    expect(scrubText('k=0123456789ABCDEFFEDCBA9876543210;')).toBe('k=[redacted];');
    expect(scrubText('{"pinBlock":"041234FFFFFFFFFF","stan":"000001"}'))
      .toBe('{"pinBlock":"[redacted]","stan":"000001"}');
  });
});
