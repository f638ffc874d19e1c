import { describe, expect, it } from 'vitest';
import {
  bankForFile, journalRows, ledgerProblems, quayConfig, runQuay,
} from './harness';

/**
 * quay killed (SIGKILL) at every step of a payment, then started again: it recovers, clears
 * what it owes the bank, and in the bank simulator's ledger (its own process, on disk) each
 * payment is approved once and standing, or not approved, or approved and reversed.
 */

const bank = bankForFile();

/** The bank's side of a crash that leaves an approval standing: reversed, then the next sale. */
const REVERSED_THEN_NEXT = [
  ['0200', '000001', 'approved'], ['0400', '000001', 'reversed'], ['0200', '000002', 'approved'],
];

let terminals = 0;
const nextTerminal = (): string => `CRASHP${String((terminals += 1)).padStart(2, '0')}`;

async function crashThenRecover(crash: { crashAt?: string; amount: number;
  killWhen?: (terminalId: string) => boolean }) {
  const terminalId = nextTerminal();
  const quay = quayConfig(bank().port, terminalId);
  const killed = await runQuay(quay.path, ['pay', String(crash.amount), `HS-${terminalId}`], {
    crashAt: crash.crashAt,
    killWhen: crash.killWhen && (() => crash.killWhen!(terminalId)),
  });
  expect(killed.signal, killed.stderr).toBe('SIGKILL');
  expect(killed.stdout).toBe('');
  const atCrash = journalRows(quay.dataDir);
  const recovered = await runQuay(quay.path, ['drain']);
  expect(recovered.code, recovered.stderr).toBe(0);
  // And the next payment goes through on the same journal.
  const next = await runQuay(quay.path, ['pay', '7000', `HS-${terminalId}-next`]);
  expect(JSON.parse(next.stdout)).toMatchObject({ status: 'approved' });
  const rows = journalRows(quay.dataDir);
  expect(ledgerProblems(bank().ledger(), terminalId, rows)).toEqual([]);
  const bankSide = bank().ledger().requests().filter((r) => r.terminalId === terminalId);
  return { atCrash, rows, bankSide };
}

describe('kill -9 during a payment', () => {
  it('after the row is created: failed, nothing at the bank', async () => {
    const { atCrash, rows, bankSide } = await crashThenRecover({
      crashAt: 'payment-created', amount: 11_000 });
    expect(atCrash.map((r) => r.state)).toEqual(['created']);
    expect(rows[0]).toMatchObject({ state: 'failed', stan: null });
    expect(bankSide.map((r) => r.mti)).toEqual(['0200']);
  }, 60_000);

  it('after the card is read: failed, nothing at the bank', async () => {
    const { atCrash, rows, bankSide } = await crashThenRecover({
      crashAt: 'payment-card-read', amount: 12_000 });
    expect(atCrash.map((r) => r.state)).toEqual(['card_read']);
    expect(rows[0]).toMatchObject({ state: 'failed', stan: null });
    expect(bankSide.map((r) => r.mti)).toEqual(['0200']);
  }, 60_000);

  it('after sent is committed, before the request leaves: reversed, nothing approved',
    async () => {
      const { atCrash, rows, bankSide } = await crashThenRecover({
        crashAt: 'payment-sent', amount: 13_000 });
      expect(atCrash.map((r) => r.state)).toEqual(['sent']);
      expect(rows[0]).toMatchObject({ state: 'reversed', stan: 1 });
      expect(bankSide.map((r) => [r.mti, r.stan, r.outcome])).toEqual([
        ['0400', '000001', 'not-found'], ['0200', '000002', 'approved']]);
    }, 60_000);

  it('after the request left, before the answer: the approval is reversed', async () => {
    // The simulator approves an amount ending in 099 and never answers; quay is killed once
    // the approval is in the bank's ledger.
    const { atCrash, rows, bankSide } = await crashThenRecover({ amount: 14_099,
      killWhen: (tid) => bank().ledger().approvals().some((a) => a.terminalId === tid) });
    expect(atCrash.map((r) => r.state)).toEqual(['sent']);
    expect(rows[0]).toMatchObject({ state: 'reversed', stan: 1 });
    expect(bankSide.map((r) => [r.mti, r.stan, r.outcome])).toEqual(REVERSED_THEN_NEXT);
  }, 60_000);

  it('after the answer, before the final state: the approval is reversed', async () => {
    const { atCrash, rows, bankSide } = await crashThenRecover({
      crashAt: 'payment-answered', amount: 15_000 });
    expect(atCrash.map((r) => r.state)).toEqual(['sent']);
    expect(rows[0]).toMatchObject({ state: 'reversed', stan: 1 });
    expect(bankSide.map((r) => [r.mti, r.stan, r.outcome])).toEqual(REVERSED_THEN_NEXT);
  }, 60_000);

  it('after the final state: approved once, nothing sent again', async () => {
    const { atCrash, rows, bankSide } = await crashThenRecover({
      crashAt: 'payment-final', amount: 16_000 });
    expect(atCrash.map((r) => r.state)).toEqual(['approved']);
    expect(rows[0]).toMatchObject({ state: 'approved', stan: 1 });
    expect(bankSide.map((r) => [r.mti, r.stan, r.outcome])).toEqual([
      ['0200', '000001', 'approved'], ['0200', '000002', 'approved']]);
  }, 60_000);
});
