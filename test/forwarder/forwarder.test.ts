import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AcquirerLink } from '../../src/acquirer/link';
import { loadSimulatorConfig } from '../../src/acquirer/simulator/config';
import {
  startAcquirerSimulator, type AcquirerSimulator,
} from '../../src/acquirer/simulator/server';
import { startApp, type App } from '../../src/app';
import { Forwarder, type ForwarderOptions } from '../../src/forwarder/forwarder';
import { AdviceQueue } from '../../src/journal/advices';
import { Journal } from '../../src/journal/journal';
import { silentLogger } from '../../src/log';
import { ReversalSender } from '../../src/terminal/reversals';
import { CARDS_DIR, testConfig } from '../support/app-config';
import { seedAdvice, seedReversal } from './seed';

/**
 * The forwarder against the bank simulator over loopback TCP, with a real journal file:
 * what it sends, in which order, and what the journal and the bank's ledger hold after.
 */

interface Rig {
  journal: Journal;
  queue: AdviceQueue;
  sim: AcquirerSimulator;
  forwarder: Forwarder;
  /** The advices and reversals the bank received, in order: [mti, stan]. */
  sent(): [string, string][];
}

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

async function rig(options: Partial<ForwarderOptions> = {}): Promise<Rig> {
  const journal = Journal.open(join(mkdtempSync(join(tmpdir(), 'quay-fwd-')), 'quay.db'));
  closers.push(() => journal.close());
  const sim = await startAcquirerSimulator(loadSimulatorConfig());
  closers.push(() => sim.close());
  const link = new AcquirerLink({ host: sim.host, port: sim.port, layout: 'pos-bcd',
    tpdu: '6000010000', connectTimeoutMs: 1_000, responseTimeoutMs: 2_000 });
  closers.push(() => link.close());
  const queue = new AdviceQueue(journal);
  const reversals = new ReversalSender(journal, link, silentLogger);
  const forwarder = new Forwarder(queue, reversals, link, silentLogger, {
    baseMs: 100, maxMs: 1_000, timeoutMs: 300, pollMs: 50, random: () => 0.5, ...options,
  });
  closers.push(() => forwarder.close());
  const sent = (): [string, string][] => sim.journal
    .filter((e) => /^0(22|40)/.test(e.mti)).map((e) => [e.mti, e.stan ?? '']);
  return { journal, queue, sim, forwarder, sent };
}

const stan = (n: number): string => String(n).padStart(6, '0');

async function until(what: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('forwarder', () => {
  it('sends the reversals owed before any advice, and no advice while one is owed', async () => {
    const r = await rig();
    const advices = [10_000, 20_000].map((amount) => seedAdvice(r.journal, r.queue, amount));
    const reversal = seedReversal(r.journal, 30_000);
    r.sim.setFaults({ mode: 'no-answer', rate: 1 });
    expect(await r.forwarder.drain()).toMatchObject({ reversalsLeft: true, forwarded: 0 });
    expect(r.sent()).toEqual([['0400', stan(3)]]);

    r.sim.setFaults({ mode: 'none' });
    expect(await r.forwarder.drain()).toMatchObject({ reversalsLeft: false, forwarded: 2 });
    expect(r.sent()).toEqual([['0400', stan(3)], ['0401', stan(3)], ['0220', stan(1)],
      ['0220', stan(2)]]);
    expect(r.journal.get(reversal)?.state).toBe('reversed');
    expect(advices.map((id) => r.journal.get(id)?.state))
      .toEqual(['advice_accepted', 'advice_accepted']);
  });

  it('sends advices in the order they were queued, each once as 0220', async () => {
    const r = await rig();
    const amounts = [50_000, 10_000, 40_000, 20_000, 30_000];
    for (const amount of amounts) seedAdvice(r.journal, r.queue, amount);
    expect(await r.forwarder.drain()).toEqual({ reversalsLeft: false, forwarded: 5, declined: 0,
      failed: 0 });
    expect(r.sent()).toEqual(amounts.map((_, i) => ['0220', stan(i + 1)]));
    expect(r.sim.advices().map((a) => [a.amount, a.copies])).toEqual(
      amounts.map((a) => [String(a).padStart(12, '0'), 1]));
    expect(r.queue.rows().map((row) => [row.seq, row.state, row.attempts]))
      .toEqual(amounts.map((_, i) => [i + 1, 'accepted', 1]));
  });

  it('repeats an unanswered advice as 0221 with the same identity, booked once', async () => {
    const r = await rig();
    const first = seedAdvice(r.journal, r.queue, 15_000);
    const second = seedAdvice(r.journal, r.queue, 25_000);
    r.sim.setFaults({ mode: 'no-answer', rate: 1 });
    const before = Date.now();
    expect(await r.forwarder.drain()).toMatchObject({ forwarded: 0, failed: 1 });
    const after = Date.now();
    const failed = r.queue.row(first)!;
    expect(failed).toMatchObject({ state: 'sent', attempts: 1, last_error: 'HOST_TIMEOUT' });
    // Retry after delayAfter(1) = 100 ms · (1/2 + 1/2 · 0.5) = 75 ms, not before.
    const due = Date.parse(failed.next_attempt_at);
    expect(due).toBeGreaterThanOrEqual(before + 75);
    expect(due).toBeLessThanOrEqual(after + 75);
    // The second waits behind the head of the queue; nothing is sent before the head is due.
    expect(r.queue.row(second)).toMatchObject({ state: 'pending', attempts: 0 });
    r.sim.setFaults({ mode: 'none' });
    if (Date.now() < due) {
      expect(await r.forwarder.drain()).toMatchObject({ forwarded: 0, failed: 0 });
    }
    await until(() => Date.now() >= due);
    expect(await r.forwarder.drain()).toMatchObject({ forwarded: 2, failed: 0 });

    expect(r.sent()).toEqual([['0220', stan(1)], ['0221', stan(1)], ['0220', stan(2)]]);
    const copies = r.sim.journal.filter((e) => e.stan === stan(1));
    expect(new Set(copies.map((e) => e.fields.includes(7)))).toEqual(new Set([true]));
    expect(r.sim.advices().map((a) => [a.stan, a.responseCode, a.copies]))
      .toEqual([[stan(1), '00', 2], [stan(2), '00', 1]]);
    expect(r.queue.row(first)).toMatchObject({ state: 'accepted', attempts: 2,
      last_error: null, payload: null });
  });

  it('doubles the retry delay per attempt, with jitter, up to the cap', async () => {
    const delays = async (random: () => number): Promise<number[]> => {
      const r = await rig({ baseMs: 100, maxMs: 1_000, random });
      return [1, 2, 3, 4, 5, 6, 12].map((attempt) => r.forwarder.delayAfter(attempt));
    };
    expect(await delays(() => 0)).toEqual([50, 100, 200, 400, 500, 500, 500]);
    expect(await delays(() => 0.5)).toEqual([75, 150, 300, 600, 750, 750, 750]);
    expect(await delays(() => 0.999)).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('keeps a declined advice, marks it, and goes on with the next', async () => {
    const r = await rig();
    // The simulator declines any amount ending in 051 (insufficient funds), advices too.
    const declined = seedAdvice(r.journal, r.queue, 20_051);
    const next = seedAdvice(r.journal, r.queue, 30_000);
    expect(await r.forwarder.drain()).toMatchObject({ forwarded: 1, declined: 1, failed: 0 });
    expect(r.queue.row(declined)).toMatchObject({ state: 'declined', response_code: '51',
      last_error: 'declined by the bank (51)', payload: null });
    expect(r.journal.get(declined)).toMatchObject({ state: 'advice_declined',
      response_code: '51' });
    expect(r.journal.get(next)?.state).toBe('advice_accepted');
    expect(r.queue.summary()).toMatchObject({ pending: 0, total: 0, declined: 1 });
    // Nothing is sent again for it.
    await r.forwarder.drain();
    expect(r.sent()).toEqual([['0220', stan(1)], ['0220', stan(2)]]);
  });

  it('sends an offline sale queued during a drain once (8 orders are 8 charges)', async () => {
    let added: number | undefined;
    const r: Rig = await rig({
      onStep: (step, id) => {
        if (step !== 'advice-marked' || id !== 3 || added !== undefined) return;
        // A new offline sale while the third advice is on its way, and everyone pokes.
        added = seedAdvice(r.journal, r.queue, 90_000, 'HS-LATE');
        r.forwarder.poke();
        void r.forwarder.drain();
      },
    });
    for (let i = 1; i <= 7; i += 1) seedAdvice(r.journal, r.queue, i * 1_000);
    r.forwarder.start();
    await Promise.all([r.forwarder.drain(), r.forwarder.drain(), r.forwarder.drain()]);
    r.forwarder.poke();
    await until(() => r.queue.summary().pending === 0);
    await r.forwarder.close();

    const sent = r.sent();
    expect(sent).toHaveLength(8);
    expect(new Set(sent.map(([, s]) => s)).size).toBe(8);
    expect(sent.every(([mti]) => mti === '0220')).toBe(true);
    expect(r.sim.advices()).toHaveLength(8);
    expect(r.sim.advices().every((a) => a.copies === 1)).toBe(true);
    expect(r.journal.get(added!)?.state).toBe('advice_accepted');
  });
});

describe('forwarding beside the counter', () => {
  let app: App | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('takes a new payment while a slow drain is under way', async () => {
    app = await startApp(testConfig({ printer: { kind: 'none' }, display: { kind: 'none' },
      cardReader: { kind: 'in-process', card: `${CARDS_DIR}visa-cvn10.yaml` } }),
    { log: silentLogger, forward: false });
    const sim = app.acquirerSimulator!;
    for (let i = 1; i <= 15; i += 1) seedAdvice(app.journal, app.adviceQueue, i * 1_000);
    sim.setFaults({ delayMs: 100 });
    const drain = app.forwarder.drain();
    await until(() => sim.journal.some((e) => e.mti === '0220'));
    const payment = await app.terminal.pay({ amount: 150_000, reference: 'HS-COUNTER' });
    expect(payment).toMatchObject({ status: 'approved', stan: 16 });
    expect(app.adviceQueue.summary().pending).toBeGreaterThan(0);
    expect(await drain).toMatchObject({ forwarded: 15, failed: 0 });
    // The sale went out between advices, not after the queue.
    const mtis = sim.journal.map((e) => e.mti);
    expect(mtis.indexOf('0200')).toBeLessThan(mtis.lastIndexOf('0220'));
    expect(mtis.filter((m) => m === '0220')).toHaveLength(15);
  });
});
