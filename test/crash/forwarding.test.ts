import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config/load';
import {
  bankForFile, journalRows, ledgerProblems, quayConfig, runQuay,
} from './harness';

/**
 * quay killed (SIGKILL) while it forwards offline approvals, including in the middle of a
 * drain of 1 000 queued advices, then started again: every advice ends accepted, and the bank
 * simulator's ledger (its own process, on disk) books each exactly once, a resend being
 * recognised by its identity (terminal, STAN, field 7) as a repeat.
 */

const bank = bankForFile();

function advicesAtBank(terminalId: string) {
  return bank().ledger().requests()
    .filter((r) => r.terminalId === terminalId && r.mti.startsWith('022'));
}

describe('kill -9 while forwarding', () => {
  it('in the middle of draining 1 000 advices: each booked once, none lost', async () => {
    const terminalId = 'CRASHF01';
    const quay = quayConfig(bank().port, terminalId);
    const seeded = await runQuay(quay.path, ['seed', '1000']);
    expect(JSON.parse(seeded.stdout)).toMatchObject({ pending: 1000 });

    // Killed with the 400th advice marked sent, before it is written to the link.
    const first = await runQuay(quay.path, ['drain'], { crashAt: 'advice-marked#400' });
    expect(first.signal, first.stderr).toBe('SIGKILL');
    let rows = journalRows(quay.dataDir);
    expect(rows.filter((r) => r.state === 'advice_accepted')).toHaveLength(399);
    expect(rows[399]!.state).toBe('advice_sent');
    expect(advicesAtBank(terminalId)).toHaveLength(399);

    // Killed again with the 300th advice of this run answered by the bank, not recorded.
    const second = await runQuay(quay.path, ['drain'], { crashAt: 'advice-replied#300' });
    expect(second.signal, second.stderr).toBe('SIGKILL');
    rows = journalRows(quay.dataDir);
    expect(rows.filter((r) => r.state === 'advice_accepted')).toHaveLength(698);
    expect(rows[698]!.state).toBe('advice_sent');

    const last = await runQuay(quay.path, ['drain']);
    expect(last.code, last.stderr).toBe(0);
    expect(JSON.parse(last.stdout)).toMatchObject({ pending: 0, declined: 0 });
    rows = journalRows(quay.dataDir);
    expect(rows).toHaveLength(1000);
    expect(rows.every((r) => r.state === 'advice_accepted')).toBe(true);
    expect(ledgerProblems(bank().ledger(), terminalId, rows)).toEqual([]);

    const booked = bank().ledger().advices().filter((a) => a.terminalId === terminalId);
    expect(booked).toHaveLength(1000);
    expect(new Set(booked.map((a) => a.stan)).size).toBe(1000);
    expect(booked.filter((a) => a.copies > 1).map((a) => [a.stan, a.copies]))
      .toEqual([['000699', 2]]);
    const messages = advicesAtBank(terminalId);
    // 1 000 first copies, and one repeat: the advice answered but not recorded.
    expect(messages).toHaveLength(1001);
    expect(messages.filter((m) => m.stan === '000400').map((m) => m.mti)).toEqual(['0221']);
    expect(messages.filter((m) => m.stan === '000699').map((m) => m.mti))
      .toEqual(['0220', '0221']);
    expect(messages.filter((m) => m.mti === '0221')).toHaveLength(2);
  }, 150_000);

  it('after the answer is recorded: nothing is sent again', async () => {
    const terminalId = 'CRASHF02';
    const quay = quayConfig(bank().port, terminalId);
    await runQuay(quay.path, ['seed', '3']);
    const killed = await runQuay(quay.path, ['drain'], { crashAt: 'advice-answered#2' });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(journalRows(quay.dataDir).map((r) => r.state))
      .toEqual(['advice_accepted', 'advice_accepted', 'approved_offline']);
    const recovered = await runQuay(quay.path, ['drain']);
    expect(recovered.code, recovered.stderr).toBe(0);
    const rows = journalRows(quay.dataDir);
    expect(ledgerProblems(bank().ledger(), terminalId, rows)).toEqual([]);
    expect(advicesAtBank(terminalId).map((m) => [m.mti, m.stan])).toEqual([
      ['0220', '000001'], ['0220', '000002'], ['0220', '000003']]);
  }, 60_000);

  it('after an offline approval is queued, with the link down: forwarded once later',
    async () => {
      const terminalId = 'CRASHF03';
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const deadPort = (server.address() as { port: number }).port;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const raw = parse(readFileSync(`${PROJECT_ROOT}/config/default.yaml`, 'utf8')) as
        { emv: { aids: { tac: object }[]; caKeys: { dir: string } } };
      const quay = quayConfig(deadPort, terminalId, {
        cardReader: { kind: 'in-process',
          card: `${PROJECT_ROOT}/test/fixtures/cards/visa-offline.yaml` },
        emv: { ...raw.emv, caKeys: { ...raw.emv.caKeys, dir: `${PROJECT_ROOT}/config/capk` },
          aids: raw.emv.aids.map((a) => ({ ...a, tac: { ...a.tac, default: '0000000000' } })) },
        offline: { enabled: true, maxAmount: 500_000, maxTotal: 1_000_000, maxCount: 10,
          aids: ['A0000000031010'] },
      });
      const killed = await runQuay(quay.path, ['pay', '40000', 'HS-OFFLINE'],
        { crashAt: 'offline-queued' });
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      expect(journalRows(quay.dataDir).map((r) => r.state)).toEqual(['approved_offline']);

      // The link is back: the same journal, the bank's port.
      const config = parse(readFileSync(quay.path, 'utf8')) as { host: { port: number } };
      writeFileSync(quay.path, stringify({ ...config, host: { ...config.host, port: bank().port } }));
      const recovered = await runQuay(quay.path, ['drain']);
      expect(recovered.code, recovered.stderr).toBe(0);
      const rows = journalRows(quay.dataDir);
      expect(rows.map((r) => r.state)).toEqual(['advice_accepted']);
      expect(ledgerProblems(bank().ledger(), terminalId, rows)).toEqual([]);
      expect(advicesAtBank(terminalId).map((m) => [m.mti, m.stan, m.amount])).toEqual([
        ['0220', '000001', '000000040000']]);
    }, 60_000);
});
