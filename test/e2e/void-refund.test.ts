import { afterEach, describe, expect, it } from 'vitest';
import { InProcessReader } from '../../drivers/card/virtual/in-process-reader';
import { loadVirtualCard } from '../../drivers/card/virtual/load';
import { REFUND_PROCESSING_CODE, VOID_PROCESSING_CODE } from '../../src/acquirer/messages';
import { batchTotals } from '../../src/acquirer/settlement';
import { startApp, type App } from '../../src/app';
import { RequestError } from '../../src/errors';
import { silentLogger } from '../../src/log';
import { CARDS_DIR, testConfig } from '../support/app-config';

/**
 * Voids and refunds with the embedded bank simulator over loopback TCP and a real journal
 * file: what the bank received, what the journal holds for the void and its sale, and what
 * the batch totals count afterwards.
 */
const GOOD = `${CARDS_DIR}visa-cvn10.yaml`;
const OTHER = `${CARDS_DIR}napas-domestic.yaml`;
const QUIET = { printer: { kind: 'none' }, display: { kind: 'none' },
  forwarder: { pollMs: 600_000 } };
const HOST = { kind: 'embedded-simulator', tpdu: '6000010000' };

const apps: App[] = [];
afterEach(async () => {
  while (apps.length > 0) await apps.pop()!.close();
});

async function open(host: Record<string, unknown> = {}): Promise<App> {
  const app = await startApp(testConfig({ ...QUIET, host: { ...HOST, ...host } }),
    { log: silentLogger });
  apps.push(app);
  return app;
}

async function sale(app: App, amount: number, reference: string) {
  (app.reader as InProcessReader).insert(loadVirtualCard(GOOD));
  const result = await app.terminal.pay({ amount, reference });
  expect(result.status).toBe('approved');
  return result;
}

/** MTI, STAN and processing code of each message the bank received, in order. */
function received(app: App): [string, string | undefined, string | undefined][] {
  return app.acquirerSimulator!.journal.map((e) => [e.mti, e.stan, e.processingCode]);
}

describe('voids of approved sales', () => {
  it('voids a sale: the bank takes it out, the sale is voided, the batch no longer counts it',
    async () => {
      const app = await open();
      const kept = await sale(app, 150_000, 'HS-V-1');
      const voided = await sale(app, 450_000, 'HS-V-2');
      const result = await app.terminal.voidPayment(voided.journalId, { operator: 'minh' });
      expect(result).toMatchObject({ kind: 'void', status: 'approved',
        originalId: voided.journalId, amount: 450_000, stan: 3, responseCode: '00',
        authCode: voided.authCode, reason: null });

      expect(received(app)).toEqual([['0200', '000001', '000000'], ['0200', '000002', '000000'],
        ['0200', '000003', VOID_PROCESSING_CODE]]);
      const voidRow = app.journal.get(result.journalId)!;
      expect(voidRow).toMatchObject({ kind: 'void', state: 'approved', original_id:
        voided.journalId, reference: 'HS-V-2', operator: 'minh', amount: 450_000,
        pan_last4: '0010' });
      expect(app.journal.get(voided.journalId)?.state).toBe('voided');
      expect(app.journal.reversalState(result.journalId)).toBeUndefined();

      // The batch holds the one sale left; the void is not a transaction of its own there.
      const rows = app.journal.batchTransactions(voidRow.batch!);
      expect(rows.map((r) => r.id)).toEqual([kept.journalId]);
      expect(batchTotals(rows)).toMatchObject({ saleCount: 1, saleAmount: 150_000,
        refundCount: 0, refundAmount: 0 });

      // A second void is refused before anything is sent.
      await expect(app.terminal.voidPayment(voided.journalId)).rejects.toMatchObject({
        code: 'NOT_VOIDABLE' });
      expect(received(app)).toHaveLength(3);
    });

  it('returns the first void for a repeated idempotency key, sending nothing more', async () => {
    const app = await open();
    const paid = await sale(app, 200_000, 'HS-V-3');
    const first = await app.terminal.voidPayment(paid.journalId, { idempotencyKey: 'void-3' });
    const again = await app.terminal.voidPayment(paid.journalId, { idempotencyKey: 'void-3' });
    expect(again).toEqual({ ...first, replayed: true });
    expect(received(app)).toHaveLength(2);
  });

  it('reverses a void whose answer never came, and the sale stands to be voided again',
    async () => {
      const app = await open({ responseTimeoutMs: 300, reversalTimeoutMs: 300 });
      const paid = await sale(app, 300_000, 'HS-V-4');
      const sim = app.acquirerSimulator!;
      sim.setFaults({ mode: 'no-answer' });
      const lost = await app.terminal.voidPayment(paid.journalId);
      expect(lost.status).toBe('reversal_pending');
      expect(lost.reason).toBe('HOST_TIMEOUT');
      expect(app.journal.get(paid.journalId)?.state).toBe('approved');

      sim.setFaults({ mode: 'none' });
      expect(await app.reversals.clear(2_000)).toBe(true);
      expect(app.journal.get(lost.journalId)?.state).toBe('reversed');
      // The bank got the void, then its reversal under the void's STAN and processing code:
      // 0400 while it did not answer, then 0401, which it acknowledged.
      expect(received(app).slice(1)).toEqual([['0200', '000002', VOID_PROCESSING_CODE],
        ['0400', '000002', VOID_PROCESSING_CODE], ['0401', '000002', VOID_PROCESSING_CODE]]);

      const retried = await app.terminal.voidPayment(paid.journalId);
      expect(retried.status).toBe('approved');
      expect(app.journal.get(paid.journalId)?.state).toBe('voided');
    });

  it('refuses what cannot be voided: a void itself, an unknown ID', async () => {
    const app = await open();
    const paid = await sale(app, 100_000, 'HS-V-5');
    const result = await app.terminal.voidPayment(paid.journalId);
    await expect(app.terminal.voidPayment(result.journalId)).rejects.toThrow(/it is a void/);
    await expect(app.terminal.voidPayment(9_999)).rejects.toBeInstanceOf(RequestError);
    await expect(app.terminal.voidPayment(9_999)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('refunds of sales, with the card that paid', () => {
  it('refunds part of a sale, twice, up to what is left; the batch counts refunds apart',
    async () => {
      const app = await open();
      const paid = await sale(app, 450_000, 'HS-R-1');
      (app.reader as InProcessReader).insert(loadVirtualCard(GOOD));
      const first = await app.terminal.refundPayment(paid.journalId, { amount: 100_000,
        operator: 'minh' });
      expect(first).toMatchObject({ kind: 'refund', status: 'approved', amount: 100_000,
        originalId: paid.journalId, stan: 2, responseCode: '00', authCode: 'R00001' });
      expect(app.journal.get(first.journalId)).toMatchObject({ kind: 'refund',
        state: 'approved', original_id: paid.journalId, pan_last4: '0010' });
      // The sale stands: a refund is money back, not the sale undone.
      expect(app.journal.get(paid.journalId)?.state).toBe('approved');

      // 350 000 is left: asking for more is refused before any card or message.
      await expect(app.terminal.refundPayment(paid.journalId, { amount: 350_001 }))
        .rejects.toMatchObject({ code: 'NOT_REFUNDABLE', detail: { left: 350_000 } });
      (app.reader as InProcessReader).insert(loadVirtualCard(GOOD));
      const rest = await app.terminal.refundPayment(paid.journalId, { amount: 350_000 });
      expect(rest).toMatchObject({ status: 'approved', stan: 3, authCode: 'R00002' });

      expect(received(app)).toEqual([['0200', '000001', '000000'],
        ['0200', '000002', REFUND_PROCESSING_CODE], ['0200', '000003', REFUND_PROCESSING_CODE]]);
      const rows = app.journal.batchTransactions(app.journal.get(paid.journalId)!.batch!);
      expect(batchTotals(rows)).toMatchObject({ saleCount: 1, saleAmount: 450_000,
        refundCount: 2, refundAmount: 450_000 });
    });

  it('refuses another card than the one that paid, sending nothing to the bank', async () => {
    const app = await open();
    const paid = await sale(app, 200_000, 'HS-R-2');
    (app.reader as InProcessReader).insert(loadVirtualCard(OTHER));
    const refused = await app.terminal.refundPayment(paid.journalId, { amount: 50_000 });
    expect(refused).toMatchObject({ kind: 'refund', status: 'declined',
      reason: 'NOT_REFUNDABLE' });
    expect(app.journal.get(refused.journalId)?.state).toBe('failed');
    expect(received(app)).toHaveLength(1);
  });
});
