import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessReader } from '../../drivers/card/virtual/in-process-reader';
import { loadVirtualCard } from '../../drivers/card/virtual/load';
import { AcquirerLink } from '../../src/acquirer/link';
import { buildPurchase } from '../../src/acquirer/messages';
import { loadSimulatorConfig, type FaultMode } from '../../src/acquirer/simulator/config';
import { startAcquirerSimulator, type AcquirerSimulator }
  from '../../src/acquirer/simulator/server';
import { buildApi } from '../../src/api/server';
import { startApp, type App } from '../../src/app';
import { DEFAULT_CONFIG_PATH } from '../../src/config/load';
import { forwardQueueCheck } from '../../src/doctor/checks/forward-queue';
import { ERROR_CATALOGUE, HostError, Iso8583Error } from '../../src/errors';
import { createLogger, silentLogger } from '../../src/log';
import { storePurchase } from '../../src/terminal/reversals';
import { CARDS_DIR, SHARED_CARDS, testConfig } from '../support/app-config';

/**
 * Every rule of when a reversal is owed, played on quay with the bank simulator over loopback
 * TCP and a real journal file: what the bank received (MTI and STAN, in order), what the
 * journal says, and whether the approval still stands at the bank afterwards. Rules shown in
 * faults.test.ts (timeout, card pulled, restart) are not repeated here.
 */

const TID = 'QUAY0001';
const GOOD = `${CARDS_DIR}visa-cvn10.yaml`;
const OFFLINE_CARD = `${SHARED_CARDS}visa-offline.yaml`;
// No printer or display; the forwarder's own timer stays out of the way of exact sequences.
const QUIET = { printer: { kind: 'none' }, display: { kind: 'none' },
  forwarder: { pollMs: 600_000 } };
const HOST = { kind: 'embedded-simulator', tpdu: '6000010000' };

const apps: App[] = [];
const sims: AcquirerSimulator[] = [];
const links: AcquirerLink[] = [];
afterEach(async () => {
  while (links.length > 0) await links.pop()!.close();
  while (apps.length > 0) await apps.pop()!.close();
  while (sims.length > 0) await sims.pop()!.close();
});

async function open(overrides: Record<string, unknown> = {},
  log = silentLogger): Promise<App> {
  const app = await startApp(testConfig({ ...QUIET, ...overrides }), { log });
  apps.push(app);
  return app;
}

/** The default card with faults added, written to a temporary profile file. */
function faultyCard(faults: Record<string, unknown>): string {
  const profile = parse(readFileSync(GOOD, 'utf8'));
  const path = join(mkdtempSync(join(tmpdir(), 'quay-card-')), 'card.yaml');
  writeFileSync(path, stringify({ ...profile, faults }));
  return path;
}

function insert(app: App, file: string): void {
  (app.reader as InProcessReader).insert(loadVirtualCard(file));
}

/** What the bank received, in order: MTI and STAN. */
function received(sim: AcquirerSimulator): [string, string | undefined][] {
  return sim.journal.map((e) => [e.mti, e.stan]);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function bankOn(port: number): Promise<AcquirerSimulator> {
  const sim = await startAcquirerSimulator(loadSimulatorConfig(), { port });
  sims.push(sim);
  return sim;
}

async function until(what: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The sale is reversed: one 0200 and one 0400 with its STAN, the approval gone at the bank. */
function expectReversedAtBank(app: App, journalId: number): void {
  const sim = app.acquirerSimulator!;
  expect(received(sim)).toEqual([['0200', '000001'], ['0400', '000001']]);
  expect(sim.journal[0]?.decision?.responseCode).toBe('00');
  expect(sim.journal[1]?.decision).toMatchObject({ responseCode: '00', reason: 'reversed' });
  expect(sim.isApproved(TID, '000001')).toBe(false);
  expect(app.journal.events(journalId).map((e) => e.state))
    .toEqual(['created', 'card_read', 'sent', 'reversal_pending', 'reversed']);
  expect(app.journal.reversalState(journalId)).toMatchObject({ state: 'done', attempts: 1,
    response_code: '00', payload: null });
}

describe('a reply that cannot be read is reversed', () => {
  it('reverses a garbled answer (amount ending 098)', async () => {
    const app = await open();
    insert(app, GOOD);
    const result = await app.terminal.pay({ amount: 150_098, reference: 'RV-2' });
    expect(result).toMatchObject({ status: 'reversed', stan: 1, reason: { code: 'REVERSED' } });
    expect(app.acquirerSimulator!.journal[0]?.fault).toBe('garbled');
    expect(app.journal.get(result.journalId)).toMatchObject({ state: 'reversed',
      error_code: 'HOST_PROTOCOL', response_code: null });
    expect(app.journal.get(result.journalId)?.reason)
      .toMatch(/^the reply could not be unpacked: cannot unpack field \d+ /);
    expectReversedAtBank(app, result.journalId);
  });

  // What the journal keeps of the typed error under HOST_PROTOCOL: the link's words, then
  // its cause's (the framing or the unpacking, with the field that failed).
  const outOfStep = 'the byte stream from the host is out of step: framing: ';
  const unpacked = 'the reply could not be unpacked: cannot unpack field ';
  const malformed: [FaultMode, (reason: string) => boolean][] = [
    ['short-frame', (r) => r === `${outOfStep}frame of 3 bytes too short for a TPDU`],
    ['bad-length', (r) => r === `${outOfStep}frame length 65535 over the maximum`],
    ['bad-bitmap', (r) => /^\d+ \(.+\) at offset \d+: /.test(r.slice(unpacked.length))
      && r.startsWith(unpacked)],
    ['unknown-field', (r) => r.startsWith(`${unpacked}5 (not in the layout) at offset `)
      && r.endsWith(': the bitmap announces a field the layout lacks')],
  ];
  it.each(malformed)('reverses a reply with fault %s', async (fault, reason) => {
    const app = await open();
    const sim = app.acquirerSimulator!;
    expect(sim.control({ cmd: 'rule', amountEndsWith: '60000', fault, count: 1 }))
      .toMatchObject({ ok: true });
    insert(app, GOOD);
    const result = await app.terminal.pay({ amount: 60_000, reference: `RV-2-${fault}` });
    expect(result).toMatchObject({ status: 'reversed', stan: 1 });
    expect(sim.journal[0]?.fault).toBe(fault);
    const row = app.journal.get(result.journalId)!;
    expect(row).toMatchObject({ error_code: 'HOST_PROTOCOL', response_code: null });
    expect(row.reason).toEqual(expect.any(String));
    expect(reason(row.reason!), row.reason!).toBe(true);
    expectReversedAtBank(app, result.journalId);
  });
});

describe('each malformed reply is a typed error from the link', () => {
  /** A purchase as the link sends it; the simulator plays the fault on its answer. */
  async function exchangeWith(fault: FaultMode): Promise<unknown> {
    const sim = await startAcquirerSimulator(loadSimulatorConfig());
    sims.push(sim);
    sim.control({ cmd: 'rule', amountEndsWith: '70000', fault, count: 1 });
    const link = new AcquirerLink({ host: sim.host, port: sim.port, layout: 'pos-bcd',
      tpdu: '6000010000', connectTimeoutMs: 1_000, responseTimeoutMs: 5_000 });
    links.push(link);
    const request = buildPurchase({ stan: 7, amount: 70_000, pan: '4761739001010010',
      panSequence: '01', expiry: '2912', iccData: Buffer.from('9F2608AABBCCDDEEFF0011', 'hex'),
      posEntryMode: '051', terminalId: TID, merchantId: '000000000000001', nii: '001',
      localTime: new Date() });
    const error = await link.exchange(request).then(() => undefined, (err: unknown) => err);
    expect(sim.journal.map((e) => [e.mti, e.fault])).toEqual([['0200', fault]]);
    return error;
  }

  it('short frame and bad length: HOST_PROTOCOL from the framing, may have been delivered',
    async () => {
      for (const [fault, reason] of [
        ['short-frame', 'frame of 3 bytes too short for a TPDU'],
        ['bad-length', 'frame length 65535 over the maximum'],
      ] as const) {
        const error = await exchangeWith(fault);
        expect(error).toBeInstanceOf(HostError);
        expect(error).toMatchObject({ code: 'HOST_PROTOCOL', detail: { maybeDelivered: true } });
        const cause = (error as Error).cause;
        expect(cause).toBeInstanceOf(HostError);
        expect(cause).toMatchObject({ code: 'HOST_PROTOCOL', detail: { reason } });
      }
    });

  it('bad bitmap and unknown field: ISO_UNPACK naming the field, under HOST_PROTOCOL',
    async () => {
      const bitmap = await exchangeWith('bad-bitmap');
      expect(bitmap).toMatchObject({ code: 'HOST_PROTOCOL', detail: { maybeDelivered: true,
        unpack: { layout: 'pos-bcd' } } });
      expect((bitmap as Error).cause).toBeInstanceOf(Iso8583Error);
      expect((bitmap as Error).cause).toMatchObject({ code: 'ISO_UNPACK' });

      const unknown = await exchangeWith('unknown-field');
      expect(unknown).toMatchObject({ code: 'HOST_PROTOCOL', detail: { maybeDelivered: true,
        unpack: { field: 5, description: 'not in the layout',
          reason: 'the bitmap announces a field the layout lacks' } } });
      expect((unknown as Error).cause).toBeInstanceOf(Iso8583Error);
    });
});

describe('the card or the clerk undoes what the bank approved', () => {
  it('reverses when the card declines at the second GENERATE AC (AAC)', async () => {
    const app = await open();
    insert(app, faultyCard({ declineSecondAc: true }));
    const result = await app.terminal.pay({ amount: 90_000, reference: 'RV-3' });
    expect(result).toMatchObject({ status: 'reversed', stan: 1, responseCode: '00' });
    const row = app.journal.get(result.journalId)!;
    expect(row).toMatchObject({ error_code: 'CARD_DECLINED', response_code: '00' });
    expect(row.auth_code).toMatch(/^\d{6}$/);
    // The second cryptogram is there: the card answered, with an AAC.
    expect(row.cryptogram).toMatch(/^[0-9A-F]{16}$/);
    expectReversedAtBank(app, result.journalId);
  });

  it('reverses when the reader fails before the second GENERATE AC', async () => {
    const app = await open();
    insert(app, faultyCard({ readerFailsAt: 'generate-ac#2' }));
    const result = await app.terminal.pay({ amount: 95_000, reference: 'RV-5' });
    expect(result).toMatchObject({ status: 'reversed', stan: 1 });
    expect(app.journal.get(result.journalId)).toMatchObject({ error_code: 'READER_ERROR',
      response_code: '00', reason: expect.stringContaining('reader failed at generate-ac') });
    expectReversedAtBank(app, result.journalId);

    // Before the first GENERATE AC the same failure sends nothing and owes nothing.
    insert(app, faultyCard({ readerFailsAt: 'generate-ac#1' }));
    const early = await app.terminal.pay({ amount: 95_000, reference: 'RV-5b' });
    expect(early).toMatchObject({ status: 'failed', stan: null,
      reason: { code: 'READER_ERROR' } });
    expect(app.acquirerSimulator!.journal).toHaveLength(2);
    expect(app.journal.reversalState(early.journalId)).toBeUndefined();
  });

  it('reverses a payment the clerk aborted after its request left', async () => {
    const app = await open();
    const sim = app.acquirerSimulator!;
    // The bank takes its time, so the clerk presses cancel while the request is out.
    sim.setFaults({ delayMs: 400 });
    insert(app, GOOD);
    const paying = app.terminal.pay({ amount: 75_000, reference: 'RV-6' });
    await until(() => sim.journal.length === 1);
    const id = app.journal.search({ reference: 'RV-6', limit: 1, offset: 0 }).rows[0]!.id;
    expect(app.journal.get(id)?.state).toBe('sent');
    expect(app.terminal.abort(id)).toBe('reversal');
    const result = await paying;
    expect(result).toMatchObject({ status: 'reversed', stan: 1, journalId: id });
    expect(app.journal.get(id)).toMatchObject({ error_code: 'PAYMENT_ABORTED',
      response_code: '00', reason: 'cancelled by the clerk after the request left' });
    expectReversedAtBank(app, id);
  });
});

describe('late answers and requests that never left', () => {
  it('ignores an answer that comes after the timeout: the reversal stands', async () => {
    const lines: { event?: string; mti?: string; stan?: string }[] = [];
    const log = createLogger({ level: 'warn' },
      { write: (line: string) => { lines.push(JSON.parse(line)); } });
    const app = await open({ host: { ...HOST, responseTimeoutMs: 300 } }, log);
    const sim = app.acquirerSimulator!;
    sim.setFaults({ lateMs: 1_000 });
    sim.control({ cmd: 'rule', amountEndsWith: '80000', fault: 'late', count: 1 });
    insert(app, GOOD);
    const result = await app.terminal.pay({ amount: 80_000, reference: 'RV-8' });
    expect(result).toMatchObject({ status: 'reversed', stan: 1 });
    expect(app.journal.get(result.journalId)?.error_code).toBe('HOST_TIMEOUT');
    const before = app.journal.events(result.journalId);

    // The 0210 arrives after the reversal was acknowledged; the link drops it.
    await until(() => lines.some((l) => l.event === 'iso8583.stray'));
    expect(lines.find((l) => l.event === 'iso8583.stray')).toMatchObject({ mti: '0210',
      stan: '000001' });
    expect(sim.journal[0]?.fault).toBe('late');
    expect(app.journal.events(result.journalId)).toEqual(before);
    expect(app.journal.get(result.journalId)).toMatchObject({ state: 'reversed',
      response_code: null, auth_code: null });
    expectReversedAtBank(app, result.journalId);
  });

  it('owes no reversal when nothing left: the bank port was closed', async () => {
    const port = await freePort();
    const app = await open({ host: { kind: 'tcp', host: '127.0.0.1', port, tpdu: '6000010000',
      connectTimeoutMs: 1_000, reversalTimeoutMs: 500 } });
    insert(app, GOOD);
    const refused = await app.terminal.pay({ amount: 30_000, reference: 'RV-9' });
    expect(refused).toMatchObject({ status: 'declined', stan: 1,
      reason: { code: 'HOST_UNREACHABLE' } });
    expect(app.journal.get(refused.journalId)?.state).toBe('declined');
    expect(app.journal.reversalState(refused.journalId)).toBeUndefined();
    expect(app.journal.reversalSummary()).toEqual({ pending: 0, held: 0, oldest: null });

    // The bank comes back: the next sale goes straight out, with no reversal before it.
    const sim = await bankOn(port);
    const next = await app.terminal.pay({ amount: 31_000, reference: 'RV-9b' });
    expect(next).toMatchObject({ status: 'approved', stan: 2 });
    // Dropped after the request left (amount ending 097): that one is owed, and reversed.
    const dropped = await app.terminal.pay({ amount: 32_097, reference: 'RV-9c' });
    expect(dropped).toMatchObject({ status: 'reversed', stan: 3 });
    expect(app.journal.get(dropped.journalId)?.error_code).toBe('HOST_PROTOCOL');
    expect(received(sim)).toEqual([['0200', '000002'], ['0200', '000003'],
      ['0400', '000003']]);
    expect(sim.isApproved(TID, '000002')).toBe(true);
    expect(sim.isApproved(TID, '000003')).toBe(false);
  });
});

describe('repeats up to the cap, then held', () => {
  it('sends 0400 then 0401 up to host.reversalMaxAttempts, then holds and shows it',
    async () => {
      const app = await open({ host: { ...HOST, responseTimeoutMs: 300, reversalTimeoutMs: 200,
        reversalMaxAttempts: 3 } });
      const sim = app.acquirerSimulator!;
      sim.setFaults({ mode: 'no-answer' });
      insert(app, GOOD);
      const lost = await app.terminal.pay({ amount: 40_000, reference: 'RV-10' });
      expect(lost).toMatchObject({ status: 'reversal_pending', stan: 1 });
      expect(app.journal.reversalState(lost.journalId)).toMatchObject({ state: 'pending',
        attempts: 1, held_at: null, last_error: 'HOST_TIMEOUT' });

      for (const [n, attempts] of [[1, 2], [2, 3]] as const) {
        const blocked = await app.terminal.pay({ amount: 41_000, reference: `RV-10-${n}` });
        expect(blocked).toMatchObject({ status: 'declined', stan: null,
          reason: { code: 'REVERSAL_PENDING' } });
        expect(app.journal.reversalState(lost.journalId)?.attempts).toBe(attempts);
      }
      expect(received(sim)).toEqual([['0200', '000001'], ['0400', '000001'],
        ['0401', '000001'], ['0401', '000001']]);

      // Held: still owed, so no sale goes online, but it is not sent again by itself.
      const record = app.journal.reversalState(lost.journalId)!;
      expect(record.state).toBe('pending');
      expect(record.held_at).not.toBeNull();
      expect(app.journal.get(lost.journalId)?.state).toBe('reversal_pending');
      const stillBlocked = await app.terminal.pay({ amount: 42_000, reference: 'RV-10-3' });
      expect(stillBlocked).toMatchObject({ status: 'declined',
        reason: { code: 'REVERSAL_PENDING' } });
      expect(await app.forwarder.drain()).toMatchObject({ reversalsLeft: true });
      expect(sim.journal).toHaveLength(4);

      // Shown: the journal summary (what /v1/health reads), the API, and quay doctor.
      expect(app.journal.reversalSummary()).toMatchObject({ pending: 1, held: 1 });
      const api = buildApi({ terminal: app.terminal, journal: app.journal, log: silentLogger });
      const health = await api.inject({ method: 'GET', url: '/v1/health' });
      expect(health.json()).toMatchObject({ reversals: { pending: 1, held: 1 } });
      await api.close();
      const doctor = await forwardQueueCheck.run({ configPath: DEFAULT_CONFIG_PATH,
        dataDir: app.dataDir, options: {}, log: silentLogger, now: () => new Date(),
        facts: new Map() });
      expect(doctor).toMatchObject({ status: 'fail', data: { held: 1 } });
      expect(doctor.detail).toContain('1 reversal(s) held');

      // Released by the technician once the link is back: sent once more, as 0401.
      sim.setFaults({ mode: 'none' });
      expect(app.journal.releaseHeldReversals()).toBe(1);
      const next = await app.terminal.pay({ amount: 43_000, reference: 'RV-10-4' });
      expect(next).toMatchObject({ status: 'approved', stan: 2 });
      expect(received(sim).slice(4)).toEqual([['0401', '000001'], ['0200', '000002']]);
      expect(app.journal.get(lost.journalId)?.state).toBe('reversed');
      expect(app.journal.reversalState(lost.journalId)).toMatchObject({ state: 'done',
        attempts: 4, response_code: '00' });
      expect(sim.isApproved(TID, '000001')).toBe(false);
    });

  it('counts only sends that left: a reversal first tried with the bank down goes as 0400',
    async () => {
      const port = await freePort();
      const app = await open({ host: { kind: 'tcp', host: '127.0.0.1', port,
        tpdu: '6000010000', connectTimeoutMs: 500, reversalTimeoutMs: 200,
        reversalMaxAttempts: 2 } });
      // A request was out when the link went down: its reversal is owed, never sent yet.
      const { row } = app.journal.createPayment({ amount: 44_000, reference: 'RV-10b',
        terminalId: TID, merchantId: '000000000000001' });
      app.journal.move(row.id, 'card_read');
      app.journal.markSent(row.id, (n) => storePurchase({
        stan: n.stan, amount: 44_000, pan: '4761739001010010', panSequence: '01',
        expiry: '2912', iccData: Buffer.from('9F2608AABBCCDDEEFF0011', 'hex'),
        posEntryMode: '051', terminalId: TID, merchantId: '000000000000001', nii: '001',
        localTime: new Date(), invoice: n.invoice, batch: n.batch,
      }));
      app.journal.move(row.id, 'reversal_pending', { error_code: 'HOST_TIMEOUT' });

      // Nothing listens: each try fails before a byte leaves, and is not counted as a send.
      insert(app, GOOD);
      for (let n = 0; n < 3; n += 1) {
        const blocked = await app.terminal.pay({ amount: 45_000, reference: `RV-10b-${n}` });
        expect(blocked.reason?.code).toBe('REVERSAL_PENDING');
      }
      expect(app.journal.reversalState(row.id)).toMatchObject({ state: 'pending', attempts: 0,
        held_at: null, last_error: 'HOST_UNREACHABLE' });

      const sim = await bankOn(port);
      const next = await app.terminal.pay({ amount: 46_000, reference: 'RV-10b-9' });
      expect(next).toMatchObject({ status: 'approved', stan: 2 });
      expect(received(sim)).toEqual([['0400', '000001'], ['0200', '000002']]);
      expect(app.journal.get(row.id)?.state).toBe('reversed');
      // This bank never saw the original: it acknowledges with 25 (no original found).
      expect(app.journal.reversalState(row.id)).toMatchObject({ attempts: 1,
        response_code: '25' });
    });
});

describe('before a new sale, one short attempt to clear a pending reversal', () => {
  /** A reversal owed for STAN 1: the 0200 is dropped after it left, the bank answers nothing. */
  async function owing(app: App, sim: AcquirerSimulator): Promise<void> {
    sim.setFaults({ mode: 'no-answer' });
    const lost = await app.terminal.pay({ amount: 50_097, reference: 'RV-11-lost' });
    expect(lost.status).toBe('reversal_pending');
    expect(received(sim)).toEqual([['0200', '000001'], ['0400', '000001']]);
  }

  // The response timeout is a minute: these finish in time only if the reversal attempts use
  // host.reversalTimeoutMs.
  const patient = { responseTimeoutMs: 60_000, reversalTimeoutMs: 200 };

  it('declines the sale with REVERSAL_PENDING, and says why', async () => {
    const app = await open({ host: { ...HOST, ...patient } });
    const sim = app.acquirerSimulator!;
    insert(app, GOOD);
    await owing(app, sim);

    const blocked = await app.terminal.pay({ amount: 51_000, reference: 'RV-11' });
    const info = ERROR_CATALOGUE.REVERSAL_PENDING;
    expect(blocked).toMatchObject({ status: 'declined', stan: null,
      reason: { code: 'REVERSAL_PENDING', vi: info.vi, en: info.en } });
    expect(app.journal.get(blocked.journalId)).toMatchObject({ state: 'declined',
      error_code: 'REVERSAL_PENDING', stan: null });
    expect(received(sim)).toEqual([['0200', '000001'], ['0400', '000001'],
      ['0401', '000001']]);
  });

  it('with the offline policy on, the sale goes to the policy and its advice waits too',
    async () => {
      const port = await freePort();
      const sim = await bankOn(port);
      const raw = parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8')) as
        { emv: { aids: { tac: object }[] } };
      const app = await open({
        host: { kind: 'tcp', host: '127.0.0.1', port, tpdu: '6000010000', ...patient },
        cardReader: { kind: 'in-process', card: OFFLINE_CARD },
        emv: { ...raw.emv, aids: raw.emv.aids.map((aid) => ({ ...aid,
          tac: { ...aid.tac, default: '0000000000' } })) },
        offline: { enabled: true, maxAmount: 500_000, maxTotal: 900_000, maxCount: 3,
          maxAgeMinutes: 60, aids: ['A0000000031010'] },
        forwarder: { retryBaseMs: 50, retryMaxMs: 200, timeoutMs: 200, pollMs: 60_000 },
      });
      insert(app, OFFLINE_CARD);
      await owing(app, sim);

      const offline = await app.terminal.pay({ amount: 52_000, reference: 'RV-11-off' });
      expect(offline).toMatchObject({ status: 'approved_offline', responseCode: 'Y3',
        stan: 2, toForward: { pending: 1, total: 52_000 } });
      await app.forwarder.drain();
      // The sale tried the reversal once (0401); the forwarder may have tried again. Nothing
      // else went out: no 0200 for the new sale, and its advice waits behind the reversal.
      expect(received(sim).slice(0, 3)).toEqual([['0200', '000001'], ['0400', '000001'],
        ['0401', '000001']]);
      expect(received(sim).slice(2).every(([mti, stan]) => mti === '0401' && stan === '000001'))
        .toBe(true);
      expect(app.adviceQueue.summary()).toMatchObject({ pending: 1 });
      expect(app.journal.reversalSummary()).toMatchObject({ pending: 1 });
    });
});
