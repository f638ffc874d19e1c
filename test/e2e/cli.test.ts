import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { writeTestConfig } from '../support/app-config';

const run = promisify(execFile);
const QUAY = new URL('../../bin/quay', import.meta.url).pathname;

describe('quay pay (the README main command)', () => {
  it('charges 150 000 VND for HS-2019-000123 and prints the outcome as JSON', async () => {
    const { path, dataDir } = writeTestConfig();
    const { stdout, stderr } = await run(QUAY,
      ['--config', path, 'pay', '150000', '--ref', 'HS-2019-000123', '--json']);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({
      status: 'approved', amount: 150000, currency: 'VND', reference: 'HS-2019-000123',
      stan: 1, maskedPan: '**** **** **** 0010', journalId: 1,
    });
    expect(result.authCode).toMatch(/^[0-9A-Z]{6}$/);
    expect(result.receipt.pngPath).toMatch(/\.png$/);
    expect(PNG.sync.read(readFileSync(result.receipt.pngPath)).width).toBe(384);
    expect(readFileSync(result.receipt.bytesPath).subarray(0, 2))
      .toEqual(Buffer.from('1b40', 'hex'));
    // The console display wrote the screens to stderr, so stdout stays pure JSON.
    expect(stderr).toContain('[display] |     THANH CONG     |         150.000 VND|');

    const db = new Database(join(dataDir, 'quay.db'), { readonly: true });
    expect(db.prepare('SELECT state, amount, reference, stan FROM transactions').all())
      .toEqual([{ state: 'approved', amount: 150000, reference: 'HS-2019-000123', stan: 1 }]);
    db.close();
  });

  it('keeps stdout pure JSON when the bank declines, and exits 2', async () => {
    const { path, dataDir } = writeTestConfig();
    const failure = await run(QUAY, ['--config', path, 'pay', '20051', '--ref', 'HS-D', '--json'],
      { env: { ...process.env, QUAY_LOG_LEVEL: 'info' } })
      .then(() => undefined, (err: { code: number; stdout: string; stderr: string }) => err);
    expect(failure?.code).toBe(2);
    expect(JSON.parse(failure!.stdout)).toMatchObject({ status: 'declined', responseCode: '51',
      reason: { code: 'RC_51' } });
    expect(failure?.stderr).toContain('"msg":"payment ended"');
    // A second run keeps the printer simulator's earlier job files.
    await run(QUAY, ['--config', path, 'pay', '30000', '--ref', 'HS-E']);
    expect(readFileSync(join(dataDir, 'printer-simulator', 'job-2.bin')).length).toBeGreaterThan(0);
  });

  it.each(['0', '1.5', '150.000'])('refuses amount %s with a clear message, charging nothing',
    async (amount) => {
      const { path, dataDir } = writeTestConfig();
      const failure = await run(QUAY, ['--config', path, 'pay', amount, '--ref', 'X'])
        .then(() => undefined, (err: { code: number; stderr: string }) => err);
      expect(failure?.code).toBe(1);
      expect(failure?.stderr).toMatch(/AMOUNT_INVALID: amount must be a whole number of dong/);
      expect(() => readFileSync(join(dataDir, 'quay.db'))).toThrow();
    });
});

describe('quay card read (for technicians)', () => {
  it('reads the virtual card and shows its data with the card number masked', async () => {
    const card = new URL('../../config/cards/visa-cvn10.yaml', import.meta.url).pathname;
    const { stdout } = await run(QUAY, ['card', 'read', '--card', card, '--json']);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ outcome: 'read', maskedPan: '**** **** **** 0010',
      expiry: '2912', aip: '1C00', records: 3,
      application: { aid: 'A0000000031010', label: 'VISA DEBIT' } });
    expect(report.tags['8C'].value).toBe('9F02069F03069F1A0295055F2A029A039C019F37049F35019F3403');
    expect(report.tags['57'].value).toBe('[15 bytes, hidden]');
    expect(stdout).not.toContain('4761739001010010');
  });

  it('reads the configured in-process card when no --card is given', async () => {
    const { path } = writeTestConfig();
    const { stdout } = await run(QUAY, ['--config', path, 'card', 'read', '--json']);
    expect(JSON.parse(stdout)).toMatchObject({ outcome: 'read', reader: 'quay in-process reader',
      maskedPan: '**** **** **** 0010', application: { aid: 'A0000000031010' } });
  });

  it('says why a card cannot be read', async () => {
    const card = new URL('../fixtures/cards/devnied-cobadge-locked.yaml', import.meta.url).pathname;
    const failure = await run(QUAY, ['card', 'read', '--card', card, '--json'])
      .then(() => undefined, (err: { code: number; stdout: string }) => err);
    expect(failure?.code).toBe(2);
    expect(JSON.parse(failure!.stdout)).toMatchObject({ outcome: 'error',
      error: { code: 'CARD_NOT_ACCEPTED' } });
  });
});

describe('quay settle after payments on the embedded defaults', () => {
  it('closes the batch at the first 0500: the rehearsal bank kept its ledger between runs',
    async () => {
      const { path, dataDir } = writeTestConfig();
      for (const [amount, ref] of [['150000', 'HS-S1'], ['20000', 'HS-S2']]) {
        await run(QUAY, ['--config', path, 'pay', amount!, '--ref', ref!]);
      }
      const first = JSON.parse((await run(QUAY, ['--config', path, 'settle', '--json'])).stdout);
      expect(first).toMatchObject({ result: 'settled', batch: 1, nextBatch: 2,
        responseCode: '00', sales: { count: 2, amount: 170_000 }, uploaded: false });
      await run(QUAY, ['--config', path, 'pay', '30000', '--ref', 'HS-S3']);
      const second = JSON.parse((await run(QUAY, ['--config', path, 'settle', '--json'])).stdout);
      expect(second).toMatchObject({ batch: 2, responseCode: '00',
        sales: { count: 1, amount: 30_000 }, uploaded: false });
      const db = new Database(join(dataDir, 'quay.db'), { readonly: true });
      expect(db.prepare('SELECT batch, state FROM transactions ORDER BY id').all()).toEqual([
        { batch: 1, state: 'settled' }, { batch: 1, state: 'settled' },
        { batch: 2, state: 'settled' }]);
      db.close();
    });
});
