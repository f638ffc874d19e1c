import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InProcessReader } from '../../drivers/card/virtual/in-process-reader';
import { loadVirtualCard } from '../../drivers/card/virtual/load';
import { hashSecret } from '../../src/api/auth';
import { ERROR_CATALOGUE } from '../../src/errors';
import { CARDS_DIR } from '../support/app-config';
import { postJson, startApi, until, type RunningApi } from '../support/api';

/**
 * The counter API's rules when things go wrong, over real HTTP on loopback with the embedded
 * bank and a real journal: abort before the request leaves, after it left, after approval;
 * one transaction at a time; an unknown outcome settled by a reversal, never left open.
 */
const QUIET = { printer: { kind: 'none' }, display: { kind: 'none' } };
const ASYNC = { prefer: 'respond-async' };
const TID = 'QUAY0001';

type Json = Record<string, unknown>;

function insertCard(run: RunningApi): void {
  (run.app.reader as InProcessReader).insert(loadVirtualCard(`${CARDS_DIR}visa-cvn10.yaml`));
}

/** What the bank received, in order: MTI and STAN. */
function atBank(run: RunningApi): [string, string | undefined][] {
  return run.app.acquirerSimulator!.journal.map((e) => [e.mti, e.stan]);
}

async function getJson(run: RunningApi, path: string, headers: Record<string, string> = {}):
  Promise<Json> {
  return await (await fetch(`${run.base}${path}`, { headers })).json() as Json;
}

/** A payment started at once (202) that waits for a card: the card is pulled out first. */
async function waitingPayment(run: RunningApi, body: Json, headers: Record<string, string> = {}):
  Promise<number> {
  (run.app.reader as InProcessReader).remove();
  const response = await postJson(run.base, '/v1/payments', body, { ...ASYNC, ...headers });
  expect(response.status).toBe(202);
  return (await response.json() as { journalId: number }).journalId;
}

describe('abort', () => {
  let run: RunningApi;
  beforeAll(async () => { run = await startApi({}, QUIET); });
  afterAll(async () => { await run?.close(); });
  afterEach(() => { run.app.acquirerSimulator!.setFaults({ delayMs: 0 }); });

  it('before the request leaves: failed, nothing sent to the bank', async () => {
    const id = await waitingPayment(run, { amount: 120_000, reference: 'HS-AB-1' });
    expect(await getJson(run, `/v1/payments/${id}`)).toMatchObject({ status: 'in_progress',
      state: 'created' });
    const abort = await postJson(run.base, `/v1/payments/${id}/abort`, {});
    expect(abort.status).toBe(202);
    expect(await abort.json()).toEqual({ journalId: id, outcome: 'before-sending' });
    await until(() => !run.app.terminal.isBusy);
    expect(await getJson(run, `/v1/payments/${id}`)).toMatchObject({ status: 'failed',
      stan: null, reason: { code: 'PAYMENT_ABORTED' } });
    expect(run.app.journal.get(id)).toMatchObject({ state: 'failed', error_code: 'PAYMENT_ABORTED',
      stan: null, response_code: null });
    expect(run.app.journal.events(id).map((e) => e.state)).toEqual(['created', 'failed']);
    expect(atBank(run)).toEqual([]);
    expect(run.app.journal.reversalState(id)).toBeUndefined();
  });

  it('after the request left: reversed, the bank got a 0400 for its STAN', async () => {
    const sim = run.app.acquirerSimulator!;
    // The bank takes its time, so the clerk presses cancel while the request is out.
    sim.setFaults({ delayMs: 1_500 });
    insertCard(run);
    const response = await postJson(run.base, '/v1/payments',
      { amount: 130_000, reference: 'HS-AB-2' }, ASYNC);
    const { journalId: id } = await response.json() as { journalId: number };
    await until(() => sim.journal.length === 1);
    expect(await getJson(run, `/v1/payments/${id}`)).toMatchObject({
      status: 'outcome_unknown', state: 'sent', stan: 1 });
    const abort = await postJson(run.base, `/v1/payments/${id}/abort`, {});
    expect(abort.status).toBe(202);
    expect(await abort.json()).toEqual({ journalId: id, outcome: 'reversal' });
    await until(() => run.app.journal.get(id)!.state === 'reversed');
    expect(await getJson(run, `/v1/payments/${id}`)).toMatchObject({ status: 'reversed',
      responseCode: '00', reason: { code: 'REVERSED' } });
    expect(run.app.journal.get(id)).toMatchObject({ error_code: 'PAYMENT_ABORTED',
      reason: 'cancelled by the clerk after the request left' });
    expect(atBank(run)).toEqual([['0200', '000001'], ['0400', '000001']]);
    expect(sim.journal[1]?.decision).toMatchObject({ responseCode: '00', reason: 'reversed' });
    expect(sim.isApproved(TID, '000001')).toBe(false);
  });

  it('after approval: 409 ABORT_TOO_LATE in both languages, the payment unchanged', async () => {
    insertCard(run);
    const paid = await postJson(run.base, '/v1/payments', { amount: 140_000,
      reference: 'HS-AB-3' });
    expect(paid.status).toBe(201);
    const { journalId: id } = await paid.json() as { journalId: number };
    const events = run.app.journal.events(id);
    const abort = await postJson(run.base, `/v1/payments/${id}/abort`, {});
    expect(abort.status).toBe(409);
    expect(await abort.json()).toEqual({ error: { code: 'ABORT_TOO_LATE',
      message: `payment ${id} is approved`, vi: ERROR_CATALOGUE.ABORT_TOO_LATE.vi,
      en: ERROR_CATALOGUE.ABORT_TOO_LATE.en, retryable: false } });
    expect(run.app.journal.events(id)).toEqual(events);
    expect(run.app.journal.get(id)?.state).toBe('approved');
    expect(atBank(run).slice(-1)).toEqual([['0200', '000002']]);
  });
});

describe('one transaction at a time', () => {
  const TOKEN = 'desk-busy-0123456789';
  const SUPERVISOR = { name: 'minh', secret: 'mật khẩu 9' };
  const desk = { authorization: `Bearer ${TOKEN}` };
  let run: RunningApi;

  beforeAll(async () => {
    run = await startApi({ security: { token: TOKEN, users: [{ name: SUPERVISOR.name,
      role: 'supervisor', secret: await hashSecret(SUPERVISOR.secret) }] } }, QUIET);
  });
  afterAll(async () => { await run?.close(); });

  /** Everything a refused request must leave as it was. */
  const snapshot = () => ({
    rows: run.app.journal.search({ limit: 1, offset: 0 }).total,
    lastEvent: run.app.journal.eventsAfter(0, 1_000_000).at(-1)?.id ?? 0,
    stan: run.app.journal.counter('stan'),
    audit: run.app.journal.auditLog(1_000).length,
    atBank: atBank(run).length,
  });

  it('answers 409 TERMINAL_BUSY to a payment, void, refund or settlement while one runs',
    async () => {
      insertCard(run);
      const sale = await postJson(run.base, '/v1/payments', { amount: 200_000,
        reference: 'HS-BZ-1' }, desk);
      expect(sale.status).toBe(201);
      const running = await waitingPayment(run, { amount: 50_000, reference: 'HS-BZ-2' },
        { ...desk, 'idempotency-key': 'bz-2' });
      expect(await getJson(run, '/v1/health')).toMatchObject({ busy: true });
      const before = snapshot();

      const attempts: [string, string, Json, Record<string, string>][] = [
        ['a second payment', '/v1/payments', { amount: 70_000, reference: 'HS-BZ-3' }, {}],
        ['a second payment, asynchronous', '/v1/payments',
          { amount: 70_000, reference: 'HS-BZ-3' }, ASYNC],
        ['a second payment with its own key', '/v1/payments',
          { amount: 70_000, reference: 'HS-BZ-3' }, { 'idempotency-key': 'bz-3' }],
        ['a void', '/v1/payments/1/void', { supervisor: SUPERVISOR }, {}],
        ['a refund', '/v1/payments/1/refund', { amount: 10_000, supervisor: SUPERVISOR }, {}],
        ['a settlement', '/v1/settlement', { supervisor: SUPERVISOR }, {}],
      ];
      for (const [what, path, body, headers] of attempts) {
        const response = await postJson(run.base, path, body, { ...desk, ...headers });
        expect(response.status, what).toBe(409);
        expect(await response.json(), what).toEqual({ error: { code: 'TERMINAL_BUSY',
          message: ERROR_CATALOGUE.TERMINAL_BUSY.en, vi: 'Thiết bị đang xử lý giao dịch khác',
          en: 'The terminal is busy with another payment', retryable: true } });
        expect(snapshot(), what).toEqual(before);
      }

      // The running payment's own key is not a second payment: it answers with that one.
      const replay = await postJson(run.base, '/v1/payments',
        { amount: 50_000, reference: 'HS-BZ-2' }, { ...desk, 'idempotency-key': 'bz-2' });
      expect(replay.status).toBe(200);
      expect(await replay.json()).toMatchObject({ journalId: running, replayed: true,
        status: 'in_progress' });
      expect(snapshot()).toEqual(before);

      insertCard(run);
      await until(() => run.app.journal.get(running)!.state === 'approved');
      await until(() => !run.app.terminal.isBusy);
      const next = await postJson(run.base, '/v1/payments', { amount: 70_000,
        reference: 'HS-BZ-3' }, desk);
      expect(next.status).toBe(201);
      expect(await next.json()).toMatchObject({ journalId: running + 1, status: 'approved' });
    });
});

describe('an unknown outcome is never left open', () => {
  let run: RunningApi;
  beforeAll(async () => {
    run = await startApi({}, { ...QUIET,
      host: { kind: 'embedded-simulator', tpdu: '6000010000', responseTimeoutMs: 1_500,
        reversalTimeoutMs: 300, reversalMaxAttempts: 50 },
      forwarder: { pollMs: 100, retryBaseMs: 100, retryMaxMs: 200, timeoutMs: 300 } });
  });
  afterAll(async () => { await run?.close(); });

  it('goes outcome_unknown, reversal_pending, then reversed once the bank answers the 0400',
    async () => {
      const sim = run.app.acquirerSimulator!;
      sim.setFaults({ mode: 'no-answer' });
      insertCard(run);
      const response = await postJson(run.base, '/v1/payments',
        { amount: 160_000, reference: 'HS-OU-1' }, ASYNC);
      const { journalId: id } = await response.json() as { journalId: number };

      await until(() => sim.journal.length === 1);
      expect(await getJson(run, `/v1/payments/${id}`)).toMatchObject({
        status: 'outcome_unknown', stan: 1, responseCode: null });

      await until(() => run.app.journal.get(id)!.state === 'reversal_pending');
      expect(await getJson(run, `/v1/payments/${id}`)).toMatchObject({
        status: 'reversal_pending', reason: { code: 'REVERSAL_PENDING' } });
      expect(await getJson(run, '/v1/health')).toMatchObject({
        reversals: { pending: 1, held: 0 } });
      expect(run.app.journal.get(id)).toMatchObject({ error_code: 'HOST_TIMEOUT' });

      // The bank answers again: the forwarder's next 0401 is taken, nobody asks for it.
      sim.setFaults({ mode: 'none' });
      await until(() => run.app.journal.get(id)!.state === 'reversed');
      expect(await getJson(run, `/v1/payments/${id}`)).toMatchObject({ status: 'reversed',
        reason: { code: 'REVERSED' } });
      expect(await getJson(run, '/v1/health')).toMatchObject({
        reversals: { pending: 0, held: 0, oldest: null } });
      expect(run.app.journal.events(id).map((e) => e.state))
        .toEqual(['created', 'card_read', 'sent', 'reversal_pending', 'reversed']);

      const sent = atBank(run);
      expect(sent.slice(0, 2)).toEqual([['0200', '000001'], ['0400', '000001']]);
      expect(sent.slice(2).every(([mti, stan]) => mti === '0401' && stan === '000001'),
        JSON.stringify(sent)).toBe(true);
      // The bank reversed on the first 0400 it read (its answer was lost); a later 0401 is
      // acknowledged as a duplicate of that one, and the approval is gone either way.
      expect(sim.journal.filter((e) => e.decision?.reason === 'reversed')).toHaveLength(1);
      expect(sim.journal.at(-1)?.decision?.responseCode).toBe('00');
      expect(sim.isApproved(TID, '000001')).toBe(false);
      expect(run.app.journal.reversalState(id)).toMatchObject({ state: 'done',
        response_code: '00', attempts: sent.length - 1 });
    });
});
