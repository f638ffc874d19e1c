import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_COLUMNS } from '../../src/cli/queue';
import { AdviceQueue } from '../../src/journal/advices';
import { Journal } from '../../src/journal/journal';
import { loadOrCreateDataKey } from '../../src/keys/data-key';
import { silentLogger } from '../../src/log';
import { writeTestConfig } from '../support/app-config';

const run = promisify(execFile);
const QUAY = new URL('../../bin/quay', import.meta.url).pathname;
const PAN = '4761739001010010';
const HOUR = 3_600_000;

/**
 * A journal as a day at the counter leaves it, written through the journal's own API: two
 * offline approvals waiting for the bank (one queued two hours ago, its last send failed),
 * a reversal owed, a failed payment whose reference looks like a spreadsheet formula.
 */
function seed(dataDir: string): void {
  const journal = Journal.open(join(dataDir, 'quay.db'), silentLogger,
    loadOrCreateDataKey(join(dataDir, 'keys', 'data.key')));
  const queue = new AdviceQueue(journal);
  const ids = { terminalId: 'QUAY0001', merchantId: '000000000000001' };
  const cardRead = { masked_pan: '**** **** **** 0010', pan_last4: '0010', aid: 'A0000000031010',
    app_label: 'VISA DEBIT' };

  const offline = (amount: number, reference: string, payer: string, queuedAt: Date) => {
    const { row } = journal.createPayment({ amount, reference, payer, ...ids });
    journal.move(row.id, 'card_read', cardRead);
    journal.recordCard(row.id, PAN);
    queue.enqueue(row.id, { response_code: 'Y3' }, (n) => ({ stan: n.stan, pan: PAN }), queuedAt);
    return row.id;
  };
  const first = offline(150_000, 'HS-2019-000123', 'Nguyễn Văn "An", phường 1',
    new Date(Date.now() - 2 * HOUR));
  queue.failed(first, 'HOST_UNREACHABLE', new Date(Date.now() + HOUR));
  offline(20_000, 'HS-2019-000124', 'Trần Thị B', new Date(Date.now() - HOUR / 2));

  const { row: owed } = journal.createPayment({ amount: 80_000, reference: 'HS-R', ...ids });
  journal.move(owed.id, 'card_read', cardRead);
  journal.markSent(owed.id, () => ({ pan: PAN }));
  journal.move(owed.id, 'reversal_pending', { error_code: 'HOST_TIMEOUT' });

  const { row: failed } = journal.createPayment({ amount: 5_000, reference: '=1+2', ...ids });
  journal.move(failed.id, 'failed', { error_code: 'CARD_REMOVED', reason: 'card pulled' });
  journal.close();
}

describe('quay queue and quay journal export', () => {
  let config: { path: string; dataDir: string };

  beforeAll(() => {
    config = writeTestConfig();
    seed(config.dataDir);
  });

  it('reports what is owed to the bank, with the oldest age and the last error', async () => {
    const { stdout } = await run(QUAY, ['--config', config.path, 'queue', '--json']);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ pending: 2, total: 170_000, reversals: 1, declined: 0,
      lastError: { transactionId: 1, error: 'HOST_UNREACHABLE' } });
    // Queued two hours before the run; the command takes well under a minute.
    expect(report.oldestAgeSeconds).toBeGreaterThanOrEqual(7200);
    expect(report.oldestAgeSeconds).toBeLessThan(7200 + 60);
    expect(report.oldestReversalAgeSeconds).toBeLessThan(60);

    const text = (await run(QUAY, ['--config', config.path, 'queue'])).stdout;
    expect(text).toContain('Chờ gửi ngân hàng / To forward: 2 advice(s), 170.000 VND, oldest 2 h');
    expect(text).toContain('Chờ hủy / Reversals owed: 1');
    expect(text).toContain('Lỗi gần nhất / Last error: HOST_UNREACHABLE (journal #1');
  });

  it('makes every waiting advice due now on retry', async () => {
    const { stdout } = await run(QUAY, ['--config', config.path, 'queue', 'retry']);
    expect(stdout).toMatch(/^2 advice\(s\) due now/);
    const journal = Journal.open(join(config.dataDir, 'quay.db'), silentLogger,
      loadOrCreateDataKey(join(config.dataDir, 'keys', 'data.key')));
    const due = new AdviceQueue(journal).rows().map((r) => Date.parse(r.next_attempt_at));
    journal.close();
    for (const at of due) expect(at).toBeLessThanOrEqual(Date.now());
  });

  it('exports the journal as CSV, oldest first, card numbers masked, formulas neutralised',
    async () => {
      const out = join(config.dataDir, 'journal.csv');
      await run(QUAY, ['--config', config.path, 'journal', 'export', '--out', out]);
      const csv = readFileSync(out, 'utf8');
      const lines = csv.trimEnd().split('\n');
      expect(lines[0]).toBe(EXPORT_COLUMNS.join(','));
      expect(lines).toHaveLength(5);
      expect(lines[1]).toMatch(/^1,.*,approved_offline,150000,704,HS-2019-000123,,/);
      expect(lines[1]).toContain(',"Nguyễn Văn ""An"", phường 1",');
      expect(lines[1]).toContain(',**** **** **** 0010,0010,A0000000031010,VISA DEBIT,');
      expect(lines[3]).toMatch(/^3,.*,reversal_pending,80000,/);
      expect(lines[4]).toMatch(/^4,.*,failed,5000,704,'=1\+2,/);
      expect(csv).not.toContain(PAN);
    });

  it('filters the export by state, and refuses an unknown state', async () => {
    const { stdout } = await run(QUAY, ['--config', config.path, 'journal', 'export',
      '--state', 'failed', 'reversal_pending']);
    expect(stdout.trimEnd().split('\n').slice(1).map((l) => l.split(',')[0])).toEqual(['3', '4']);
    const refused = await run(QUAY, ['--config', config.path, 'journal', 'export',
      '--state', 'paid']).then(() => undefined, (err: { code: number; stderr: string }) => err);
    expect(refused?.code).toBe(1);
    expect(refused?.stderr).toContain('REQUEST_INVALID: --state: unknown state paid');
  });
});
