import { createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessReader } from '../../drivers/card/virtual/in-process-reader';
import { loadVirtualCard } from '../../drivers/card/virtual/load';
import type { VirtualCard } from '../../drivers/card/types';
import { loadSimulatorConfig } from '../../src/acquirer/simulator/config';
import {
  startAcquirerSimulator, type AcquirerSimulator,
} from '../../src/acquirer/simulator/server';
import { buildApi } from '../../src/api/server';
import { startApp, type App } from '../../src/app';
import { DEFAULT_CONFIG_PATH } from '../../src/config/load';
import { encodeTlv, parseTlv } from '../../src/emv/tlv';
import { silentLogger } from '../../src/log';
import { CARD_OFFLINE_REASONS, POLICY_REASONS } from '../../src/terminal/offline';
import { CARDS_DIR, SHARED_CARDS, testConfig } from '../support/app-config';

/**
 * The bank link down at a fee counter: quay over real TCP to a port where the bank simulator
 * is not listening (connection refused), then to the simulator started on that port. Inside
 * the merchant's offline policy a payment is approved offline and its advice forwarded once
 * the link returns; outside it the payment is declined with the rule that refused it.
 */

const OFFLINE_CARD = `${SHARED_CARDS}visa-offline.yaml`;
const NAPAS_CARD = `${CARDS_DIR}napas-domestic.yaml`;
const POLICY = {
  enabled: true, maxAmount: 500_000, maxTotal: 900_000, maxCount: 3, maxAgeMinutes: 60,
  aids: ['A0000000031010'],
};

const apps: App[] = [];
const sims: AcquirerSimulator[] = [];
afterEach(async () => {
  while (apps.length > 0) await apps.pop()!.close();
  while (sims.length > 0) await sims.pop()!.close();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The default terminal AIDs with `change` applied to each (TACs, floor limit). */
function aids(change: Record<string, unknown>): unknown[] {
  const raw = parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8')) as
    { emv: { aids: Record<string, unknown>[] } };
  return raw.emv.aids.map((aid) => ({ ...aid, ...change,
    tac: { ...(aid.tac as object), ...(change.tac as object | undefined) } }));
}

function emv(change: Record<string, unknown>): Record<string, unknown> {
  const raw = parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8')) as { emv: object };
  return { ...raw.emv, aids: aids(change) };
}

/**
 * quay pointed at `port`. The merchant's TAC default is clear, so when the bank cannot be
 * reached the card (whose IAC default is clear too) decides; going online stays as usual.
 */
async function open(port: number, overrides: Record<string, unknown> = {}): Promise<App> {
  const app = await startApp(testConfig({
    host: { kind: 'tcp', host: '127.0.0.1', port, tpdu: '6000010000', connectTimeoutMs: 1_000,
      responseTimeoutMs: 3_000, reversalTimeoutMs: 1_000 },
    cardReader: { kind: 'in-process', card: OFFLINE_CARD },
    printer: { kind: 'none' },
    display: { kind: 'none' },
    emv: emv({ tac: { default: '0000000000' } }),
    offline: POLICY,
    forwarder: { retryBaseMs: 50, retryMaxMs: 200, timeoutMs: 3_000, pollMs: 100 },
    ...overrides,
  }), { log: silentLogger });
  apps.push(app);
  return app;
}

async function bankOn(port: number): Promise<AcquirerSimulator> {
  const sim = await startAcquirerSimulator(loadSimulatorConfig(), { port });
  sims.push(sim);
  return sim;
}

function insert(app: App, card: string | VirtualCard): void {
  (app.reader as InProcessReader).insert(typeof card === 'string' ? loadVirtualCard(card) : card);
}

async function until(what: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function advicesOf(sim: AcquirerSimulator): { mti: string; stan: string }[] {
  return sim.journal.filter((e) => e.mti.startsWith('022'))
    .map((e) => ({ mti: e.mti, stan: e.stan ?? '' }));
}

describe('offline approvals with the bank link down', () => {
  it('approves inside the policy, shows what is pending, and forwards when the link returns',
    async () => {
      const port = await freePort();
      const app = await open(port);
      insert(app, OFFLINE_CARD);
      const first = await app.terminal.pay({ amount: 150_000, reference: 'HS-OFF-1' });
      expect(first).toMatchObject({ status: 'approved_offline', responseCode: 'Y3',
        authCode: 'Y30001', stan: 1, reason: null, toForward: { pending: 1, total: 150_000 } });
      const second = await app.terminal.pay({ amount: 200_000, reference: 'HS-OFF-2' });
      expect(second).toMatchObject({ status: 'approved_offline', stan: 2,
        toForward: { pending: 2, total: 350_000 } });
      expect(second.display?.[0]).toContain('THANH CONG');
      for (const r of [first, second]) {
        expect(app.journal.get(r.journalId)?.state).toMatch(/^(approved_offline|advice_sent)$/);
        // The sale's own reversal record went with the offline decision: nothing left.
        expect(app.journal.reversalState(r.journalId)).toBeUndefined();
      }

      const sim = await bankOn(port);
      app.adviceQueue.retryNow();
      app.forwarder.poke();
      await until(() => app.adviceQueue.summary().pending === 0);

      const rows = app.adviceQueue.rows();
      expect(rows.map((r) => [r.stan, r.state, r.response_code]))
        .toEqual([[1, 'accepted', '00'], [2, 'accepted', '00']]);
      // One message per advice: 0220, or 0221 for one that was tried while the link was down.
      expect(advicesOf(sim)).toEqual(rows.map((r) => ({
        mti: r.attempts > 1 ? '0221' : '0220', stan: String(r.stan).padStart(6, '0') })));
      expect(sim.advices().map((a) => [a.stan, a.amount, a.responseCode, a.copies])).toEqual([
        ['000001', '000000150000', '00', 1], ['000002', '000000200000', '00', 1]]);
      expect(sim.journal.filter((e) => e.mti === '0200')).toHaveLength(0);
      expect(app.journal.get(first.journalId)?.state).toBe('advice_accepted');
      // The sealed advice data is erased once the bank has answered.
      expect(app.adviceQueue.row(first.journalId)?.payload).toBeNull();
    });

  it('shows desk software "approved offline, to forward", then approved once forwarded',
    async () => {
      const port = await freePort();
      const app = await open(port);
      const api = buildApi({ terminal: app.terminal, journal: app.journal, log: silentLogger });
      await api.listen({ host: '127.0.0.1', port: 0 });
      try {
        const base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
        insert(app, OFFLINE_CARD);
        const made = await fetch(`${base}/v1/payments`, { method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ amount: 120_000, reference: 'HS-API-OFF' }) });
        expect(made.status).toBe(201);
        const body = await made.json() as { journalId: number };
        expect(body).toMatchObject({ status: 'approved_offline', responseCode: 'Y3',
          reason: null, toForward: { pending: 1, total: 120_000 } });

        await bankOn(port);
        app.adviceQueue.retryNow();
        app.forwarder.poke();
        await until(() => app.adviceQueue.summary().pending === 0);
        const later = await (await fetch(`${base}/v1/payments/${body.journalId}`)).json();
        expect(later).toMatchObject({ status: 'approved', state: 'advice_accepted',
          responseCode: '00' });
        const listed = await (await fetch(`${base}/v1/transactions?state=approved`)).json() as
          { items: { journalId: number }[] };
        expect(listed.items.map((t) => t.journalId)).toEqual([body.journalId]);
      } finally {
        await api.close();
      }
    });

  it('declines over the per-payment maximum, with the reason in both languages', async () => {
    const app = await open(await freePort(), { forwarder: { pollMs: 60_000 } });
    insert(app, OFFLINE_CARD);
    const result = await app.terminal.pay({ amount: 600_000, reference: 'HS-MAX' });
    expect(result).toMatchObject({ status: 'declined', stan: 1,
      reason: { code: 'OFFLINE_LIMIT', ...POLICY_REASONS.amount } });
    expect(result.toForward).toBeUndefined();
    expect(result.reason?.vi).toBe(
      'Mất kết nối ngân hàng; số tiền vượt hạn mức duyệt ngoại tuyến');
    expect(app.journal.get(result.journalId)).toMatchObject({ state: 'declined',
      error_code: 'OFFLINE_LIMIT', reason: 'offline policy: amount', pan_sealed: null });
    expect(app.adviceQueue.rows()).toHaveLength(0);
    expect(app.journal.reversalState(result.journalId)).toBeUndefined();
  });

  it('declines once the count, then the total, of payments waiting is at its limit',
    async () => {
      const app = await open(await freePort(), { forwarder: { pollMs: 60_000 } });
      insert(app, OFFLINE_CARD);
      for (const amount of [300_000, 300_000]) {
        expect((await app.terminal.pay({ amount, reference: `HS-${amount}` })).status)
          .toBe('approved_offline');
      }
      const overTotal = await app.terminal.pay({ amount: 400_000, reference: 'HS-TOTAL' });
      expect(overTotal.reason).toEqual({ code: 'OFFLINE_LIMIT', ...POLICY_REASONS.total });
      const third = await app.terminal.pay({ amount: 100_000, reference: 'HS-3RD' });
      expect(third).toMatchObject({ status: 'approved_offline',
        toForward: { pending: 3, total: 700_000 } });
      const overCount = await app.terminal.pay({ amount: 10_000, reference: 'HS-COUNT' });
      expect(overCount).toMatchObject({ status: 'declined',
        reason: { code: 'OFFLINE_LIMIT', ...POLICY_REASONS.count } });
      expect(app.adviceQueue.summary()).toMatchObject({ pending: 3, total: 700_000 });
    });

  it('declines a card kind the policy does not list', async () => {
    const app = await open(await freePort(), { forwarder: { pollMs: 60_000 } });
    insert(app, NAPAS_CARD);
    const result = await app.terminal.pay({ amount: 50_000, reference: 'HS-NAPAS' });
    expect(result).toMatchObject({ status: 'declined',
      reason: { code: 'OFFLINE_LIMIT', ...POLICY_REASONS.card } });
    expect(app.journal.get(result.journalId)?.aid).toBe('A0000007271010');
  });

  it('declines while the oldest payment waiting is older than the policy allows', async () => {
    const app = await open(await freePort(), { forwarder: { pollMs: 60_000 } });
    insert(app, OFFLINE_CARD);
    const first = await app.terminal.pay({ amount: 50_000, reference: 'HS-OLD' });
    expect(first.status).toBe('approved_offline');
    // Two hours pass without the link coming back.
    const db = new Database(join(app.dataDir, 'quay.db'));
    db.prepare('UPDATE advices SET queued_at = ?')
      .run(new Date(Date.now() - 2 * 3_600_000).toISOString());
    db.close();
    const late = await app.terminal.pay({ amount: 50_000, reference: 'HS-LATE' });
    expect(late).toMatchObject({ status: 'declined',
      reason: { code: 'OFFLINE_LIMIT', ...POLICY_REASONS.age } });
  });
});

/**
 * A card that approves at its first GENERATE AC. The profile card does not model a TC there
 * (config/cards/README.md), so this wrapper asks it for an ARQC and hands the terminal the
 * answer with the cryptogram information data of a TC (9F27 = 40); the bank simulator checks
 * only that an advice carries a TC.
 */
class FirstAcTcCard implements VirtualCard {
  private firstAcDone = false;

  constructor(private readonly inner: VirtualCard) {}

  get atr(): Buffer {
    return this.inner.atr;
  }

  powerOn(): void {
    this.firstAcDone = false;
    this.inner.powerOn();
  }

  powerOff(): void {
    this.inner.powerOff();
  }

  reset(): void {
    this.firstAcDone = false;
    this.inner.reset();
  }

  process(command: Buffer): Buffer {
    const isGenerateAc = command[0] === 0x80 && command[1] === 0xae;
    if (!isGenerateAc || this.firstAcDone || (command[2]! & 0xc0) !== 0x40) {
      if (isGenerateAc) this.firstAcDone = true;
      return this.inner.process(command);
    }
    this.firstAcDone = true;
    const asked = Buffer.from(command);
    asked[2] = (asked[2]! & 0x3f) | 0x80;
    const answer = this.inner.process(asked);
    const sw = answer.subarray(-2);
    const [template] = parseTlv(answer.subarray(0, -2));
    const items = template!.children!.map((node) => encodeTlv(node.tag,
      node.tag === '9F27' ? Buffer.from([0x40]) : node.value));
    return Buffer.concat([encodeTlv('77', items), sw]);
  }
}

describe('a card that approves offline at its first GENERATE AC (TC, Y1)', () => {
  /** A floor limit above the amount and clear TACs: the terminal asks the card for a TC. */
  const y1 = (extra: Record<string, unknown> = {}) => ({
    emv: emv({ floorLimit: 1_000_000,
      tac: { default: '0000000000', online: '0000000000', denial: '0000000000' } }),
    ...extra,
  });

  it('checks the policy and queues the advice, which the forwarder sends once', async () => {
    const port = await freePort();
    const sim = await bankOn(port);
    const app = await open(port, y1());
    insert(app, new FirstAcTcCard(loadVirtualCard(OFFLINE_CARD)));
    const result = await app.terminal.pay({ amount: 80_000, reference: 'HS-Y1' });
    expect(result).toMatchObject({ status: 'approved_offline', responseCode: 'Y1', stan: 1,
      toForward: { pending: 1, total: 80_000 } });
    await until(() => app.adviceQueue.summary().pending === 0);
    expect(app.journal.get(result.journalId)).toMatchObject({ state: 'advice_accepted',
      response_code: '00' });
    expect(advicesOf(sim)).toEqual([{ mti: '0220', stan: '000001' }]);
    expect(sim.journal.filter((e) => e.mti === '0200')).toHaveLength(0);
    expect(sim.advices()).toMatchObject([{ stan: '000001', amount: '000000080000',
      responseCode: '00', copies: 1 }]);
  });

  it('declines a TC outside the policy, and when the terminal may not approve offline',
    async () => {
      const port = await freePort();
      await bankOn(port);
      const app = await open(port, y1({ forwarder: { pollMs: 60_000 } }));
      insert(app, new FirstAcTcCard(loadVirtualCard(OFFLINE_CARD)));
      const over = await app.terminal.pay({ amount: 600_000, reference: 'HS-Y1-MAX' });
      expect(over).toMatchObject({ status: 'declined', stan: null,
        reason: { code: 'OFFLINE_LIMIT', ...CARD_OFFLINE_REASONS.amount } });
      expect(app.adviceQueue.rows()).toHaveLength(0);

      const closed = await open(port, y1({ offline: { enabled: false } }));
      insert(closed, new FirstAcTcCard(loadVirtualCard(OFFLINE_CARD)));
      const refused = await closed.terminal.pay({ amount: 80_000, reference: 'HS-Y1-OFF' });
      expect(refused).toMatchObject({ status: 'declined',
        reason: { code: 'OFFLINE_LIMIT', ...CARD_OFFLINE_REASONS.disabled } });
      expect(closed.journal.get(refused.journalId)?.pan_sealed).toBeNull();
    });
});
