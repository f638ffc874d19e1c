import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessReader } from '../../drivers/card/virtual/in-process-reader';
import { loadVirtualCard } from '../../drivers/card/virtual/load';
import { startApp, type App } from '../../src/app';
import { RequestError } from '../../src/errors';
import { AcquirerLink } from '../../src/acquirer/link';
import { buildPurchase } from '../../src/acquirer/messages';
import { openBatchReport, Settlement } from '../../src/acquirer/settlement';
import { startAcquirerSimulator, type AcquirerSimulator }
  from '../../src/acquirer/simulator/server';
import { AdviceQueue } from '../../src/journal/advices';
import { Journal } from '../../src/journal/journal';
import { loadOrCreateDataKey } from '../../src/keys/data-key';
import { silentLogger } from '../../src/log';
import { CARDS_DIR, testConfig, writeTestConfig } from '../support/app-config';
import type { IsoMessage } from '../../src/iso8583/message';
import { CVN10_CARD, purchase, simulatorConfig } from './support';

const TID = 'QUAY0001';
const PAN = '4761739001010010';
const CARD = `${CARDS_DIR}visa-cvn10.yaml`;
const run = promisify(execFile);
const QUAY = new URL('../../bin/quay', import.meta.url).pathname;

const apps: App[] = [];
const sims: AcquirerSimulator[] = [];
const links: AcquirerLink[] = [];

afterEach(async () => {
  for (const link of links.splice(0)) await link.close();
  for (const app of apps.splice(0)) await app.close();
  for (const sim of sims.splice(0)) await sim.close();
});

async function bank(): Promise<AcquirerSimulator> {
  const sim = await startAcquirerSimulator(simulatorConfig());
  sims.push(sim);
  return sim;
}

function hostAt(port: number) {
  return { host: { kind: 'tcp', host: '127.0.0.1', port, tpdu: '6000010000' } };
}

async function counter(sim: AcquirerSimulator, dataDir?: string): Promise<App> {
  const app = await startApp(testConfig({ ...hostAt(sim.port), display: { kind: 'none' },
    ...(dataDir ? { dataDir } : {}) }),
    { log: silentLogger, forward: false });
  apps.push(app);
  return app;
}

function linkTo(port: number): AcquirerLink {
  const link = new AcquirerLink({ host: '127.0.0.1', port, layout: 'pos-bcd',
    tpdu: '6000010000', connectTimeoutMs: 2000, responseTimeoutMs: 2000 });
  links.push(link);
  return link;
}

async function pay(app: App, amount: number) {
  (app.reader as InProcessReader).insert(loadVirtualCard(CARD));
  const result = await app.terminal.pay({ amount, reference: `HS-${amount}` });
  expect(result.status).toBe('approved');
  return result;
}

function settlementOf(app: App, link: AcquirerLink): Settlement {
  return new Settlement({ acquirer: link, journal: app.journal, terminalId: TID,
    merchantId: '000000000000001', nii: '001' });
}

function sent(sim: AcquirerSimulator): string[] {
  return sim.ledger.requests().map((r) => r.mti);
}

describe('settlement with the bank simulator', () => {
  it('settles with 00 when the totals agree: batch moves on, its rows settled', async () => {
    const sim = await bank();
    const app = await counter(sim);
    const link = linkTo(sim.port);
    const first = await pay(app, 150_000);
    const second = await pay(app, 20_000);
    const third = await pay(app, 450_000);
    const voided = await app.terminal.voidPayment(third.journalId);
    expect(openBatchReport(app.journal)).toEqual({ batch: 1, voidCount: 1, voidAmount: 450_000,
      totals: { saleCount: 2, saleAmount: 170_000, refundCount: 0, refundAmount: 0 } });

    const result = await settlementOf(app, link).settle();
    expect(result).toEqual({ batch: 1, nextBatch: 2, responseCode: '00', uploaded: false,
      uploadCount: 0, voidCount: 1, voidAmount: 450_000,
      totals: { saleCount: 2, saleAmount: 170_000, refundCount: 0, refundAmount: 0 } });
    expect(sent(sim)).toEqual(['0200', '0200', '0200', '0200', '0500']);
    const settle = sim.ledger.requests().at(-1)!;
    expect(settle).toMatchObject({ outcome: 'settled', responseCode: '00' });
    expect(sim.batchTotals(TID)).toEqual(
      { saleCount: 0, saleAmount: 0, refundCount: 0, refundAmount: 0 });

    expect(app.journal.counter('batch')).toBe(2);
    for (const id of [first.journalId, second.journalId]) {
      expect(app.journal.get(id)).toMatchObject({ state: 'settled', batch: 1, pan_sealed: null });
      expect(app.journal.events(id).at(-1)?.note).toBe('settled with the bank (batch 1)');
    }
    expect(app.journal.get(third.journalId)).toMatchObject({ state: 'voided', pan_sealed: null });
    // The void itself closes with the batch it belonged to.
    expect(voided.status).toBe('approved');
    expect(app.journal.get(voided.journalId)).toMatchObject({ kind: 'void', state: 'settled' });
    const next = await pay(app, 30_000);
    expect(app.journal.get(next.journalId)?.batch).toBe(2);
  });

  it('uploads the batch when the bank lost a sale (restarted without ledger), then 00',
    async () => {
      const before = await bank();
      const first = await counter(before);
      const lost = await pay(first, 150_000);
      // Overnight both restart: the bank kept no ledger, the terminal keeps its journal.
      await first.close();
      apps.splice(apps.indexOf(first), 1);
      await before.close();
      sims.splice(sims.indexOf(before), 1);
      const sim = await bank();
      const port = sim.port;
      const app = await counter(sim, first.dataDir);
      const kept = await pay(app, 20_000);
      expect(sim.batchTotals(TID)).toMatchObject({ saleCount: 1, saleAmount: 20_000 });

      const recorded: IsoMessage[] = [];
      const link = linkTo(port);
      const result = await new Settlement({ journal: app.journal, terminalId: TID,
        merchantId: '000000000000001', nii: '001', acquirer: {
          exchange: (request, options) => {
            recorded.push(request);
            return link.exchange(request, options);
          } } }).settle();
      expect(result).toMatchObject({ batch: 1, nextBatch: 2, responseCode: '00',
        uploaded: true, uploadCount: 2, totals: { saleCount: 2, saleAmount: 170_000 } });
      expect(sim.ledger.requests().map((r) => [r.mti, r.responseCode])).toEqual([
        ['0200', '00'], ['0500', '95'], ['0320', '00'], ['0320', '00'], ['0500', '00'],
      ]);
      const fields = (i: number, ...ids: number[]) =>
        ids.map((id) => recorded[i]!.fields.get(id));
      // 0500: 920000, batch 1, totals 2 sales for 170 000, no refunds; then 960000.
      const totals = '002000000170000000000000000000';
      expect(fields(0, 3, 60, 63)).toEqual(['920000', '000001', totals]);
      expect(fields(3, 3, 60, 63)).toEqual(['960000', '000001', totals]);
      // Each 0320: the card number kept sealed in the journal, the amount, the original's
      // approval code and RRN, and its MTI and STAN in field 60.
      for (const [i, p] of [[1, lost], [2, kept]] as const) {
        expect(recorded[i]!.mti).toBe('0320');
        expect(fields(i, 2, 3, 4, 38, 60)).toEqual([PAN, '000000', String(p.amount)
          .padStart(12, '0'), p.authCode, `0200${String(p.stan).padStart(6, '0')}`]);
        expect(recorded[i]!.fields.get(37)).toBe(p.rrn);
      }
      expect(app.journal.get(lost.journalId)).toMatchObject({ state: 'settled',
        pan_sealed: null });
      expect(app.journal.get(kept.journalId)?.state).toBe('settled');
      expect(sim.batchTotals(TID).saleCount).toBe(0);
    });

  it('uploads the batch when the bank holds a sale the journal does not, then 00', async () => {
    const sim = await bank();
    const app = await counter(sim);
    await pay(app, 150_000);
    // A sale the bank approved for this terminal that never reached the journal.
    const link = linkTo(sim.port);
    await link.exchange(buildPurchase(purchase(CVN10_CARD, 99_000, 900).request));
    expect(sim.batchTotals(TID)).toMatchObject({ saleCount: 2, saleAmount: 249_000 });

    const result = await settlementOf(app, link).settle();
    expect(result).toMatchObject({ uploaded: true, uploadCount: 1, responseCode: '00',
      totals: { saleCount: 1, saleAmount: 150_000 } });
    expect(sim.ledger.requests().map((r) => [r.mti, r.responseCode])).toEqual([
      ['0200', '00'], ['0200', '00'], ['0500', '95'], ['0320', '00'], ['0500', '00'],
    ]);
    expect(app.journal.counter('batch')).toBe(2);
  });

  it('is refused while an advice is queued or a reversal owed, and sends nothing', async () => {
    const sim = await bank();
    const app = await counter(sim);
    await pay(app, 150_000);
    const queue = new AdviceQueue(app.journal);
    const ids = { terminalId: TID, merchantId: '000000000000001' };
    const { row } = app.journal.createPayment({ amount: 20_000, reference: 'HS-OFF', ...ids });
    app.journal.move(row.id, 'card_read', { masked_pan: '**** **** **** 0010' });
    queue.enqueue(row.id, { response_code: 'Y3' }, (n) => ({ stan: n.stan }));

    const refused = await failure(settlementOf(app, linkTo(sim.port)).settle());
    expect(refused).toBeInstanceOf(RequestError);
    expect(refused).toMatchObject({ code: 'SETTLEMENT_BLOCKED',
      detail: { advicesOwed: 1, reversalsOwed: 0 } });
    expect(sent(sim)).toEqual(['0200']);
    expect(app.journal.counter('batch')).toBe(1);

    const { row: out } = app.journal.createPayment({ amount: 80_000, reference: 'HS-R', ...ids });
    app.journal.move(out.id, 'card_read', {});
    app.journal.markSent(out.id, () => ({ pan: PAN }));
    app.journal.move(out.id, 'reversal_pending', { error_code: 'HOST_TIMEOUT' });
    expect(await failure(settlementOf(app, linkTo(sim.port)).settle())).toMatchObject({
      code: 'SETTLEMENT_BLOCKED', detail: { advicesOwed: 1, reversalsOwed: 1 } });
    expect(sent(sim)).toEqual(['0200']);
  });
});

async function failure(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('settlement did not fail');
}

describe('quay settle', () => {
  it('prints the totals of the batch it settled, as JSON and as text', async () => {
    const sim = await bank();
    const { path, dataDir } = writeTestConfig(hostAt(sim.port));
    const paid = await run(QUAY, ['--config', path, 'pay', '150000', '--ref', 'HS-1',
      '--json']);
    expect(JSON.parse(paid.stdout)).toMatchObject({ status: 'approved' });

    const { stdout } = await run(QUAY, ['--config', path, 'settle', '--json']);
    expect(JSON.parse(stdout)).toEqual({ result: 'settled', batch: 1, nextBatch: 2,
      responseCode: '00', sales: { count: 1, amount: 150_000 },
      refunds: { count: 0, amount: 0 }, voids: { count: 0, amount: 0 }, uploaded: false,
      uploadCount: 0 });
    expect(sim.ledger.requests().at(-1)).toMatchObject({ mti: '0500', outcome: 'settled' });

    const text = (await run(QUAY, ['--config', path, 'settle'])).stdout;
    expect(text).toContain('QUYẾT TOÁN THÀNH CÔNG / SETTLED: lô / batch 000002 (RC 00), ' +
      'lô tiếp theo / next batch 000003');
    expect(text).toMatch(/Bán \/ Sales +0 +0 VND/);

    const journal = Journal.open(join(dataDir, 'quay.db'), silentLogger,
      loadOrCreateDataKey(join(dataDir, 'keys', 'data.key')));
    try {
      expect(journal.counter('batch')).toBe(3);
      expect(journal.get(1)).toMatchObject({ state: 'settled', batch: 1 });
      const { row } = journal.createPayment({ amount: 20_000, reference: 'HS-OFF',
        terminalId: TID, merchantId: '000000000000001' });
      journal.move(row.id, 'card_read', {});
      new AdviceQueue(journal).enqueue(row.id, { response_code: 'Y3' }, (n) => ({ stan: n.stan }));
    } finally {
      journal.close();
    }
    const blocked = await run(QUAY, ['--config', path, 'settle']).catch((err: unknown) => err);
    expect(blocked).toMatchObject({ code: 1 });
    expect((blocked as { stderr: string }).stderr).toContain('SETTLEMENT_BLOCKED');
  });
});
