import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessReader } from '../../drivers/card/virtual/in-process-reader';
import { loadVirtualCard } from '../../drivers/card/virtual/load';
import { CARDS_DIR } from '../support/app-config';
import { postJson, startApi, until, type RunningApi } from '../support/api';
import { SseReader, type SseEvent } from './sse';

/**
 * Live progress of one payment on GET /v1/payments/:id/events, over real HTTP: a `state`
 * event per journal step, numbered, then `end` with the transaction; a client that reconnects
 * with Last-Event-ID is sent only the steps it missed.
 */
const ASYNC = { prefer: 'respond-async' };

describe('payment events (server-sent)', () => {
  let run: RunningApi;
  const reader = () => run.app.reader as InProcessReader;
  const insertCard = () => reader().insert(loadVirtualCard(`${CARDS_DIR}visa-cvn10.yaml`));
  const stream = async (id: number, lastEventId?: string) => {
    const response = await fetch(`${run.base}/v1/payments/${id}/events`,
      { headers: lastEventId === undefined ? {} : { 'last-event-id': lastEventId } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    return new SseReader(response);
  };
  /** A payment started at once (202) that waits for a card until one is inserted. */
  const waitingPayment = async (reference: string) => {
    reader().remove();
    const response = await postJson(run.base, '/v1/payments', { amount: 150_000, reference },
      ASYNC);
    expect(response.status).toBe(202);
    return (await response.json() as { journalId: number }).journalId;
  };
  const states = (events: SseEvent[]) => events.filter((e) => e.event === 'state')
    .map((e) => [e.id, (e.data as { state: string }).state, (e.data as { status: string }).status]);

  beforeAll(async () => {
    run = await startApi({}, { printer: { kind: 'none' }, display: { kind: 'none' } });
  });

  afterAll(async () => {
    await run?.close();
  });

  it('sends each state in order with its id, then end with the final transaction', async () => {
    const id = await waitingPayment('HS-EV-1');
    const events = await stream(id);
    expect(await events.next()).toEqual({ id: '1', event: 'state', data: { journalId: id,
      state: 'created', status: 'in_progress', at: expect.any(String) } });
    insertCard();
    const rest = await events.rest();
    expect(states(rest)).toEqual([['2', 'card_read', 'in_progress'],
      ['3', 'sent', 'outcome_unknown'], ['4', 'approved', 'approved']]);
    const end = rest.at(-1)!;
    expect(end.event).toBe('end');
    expect(end.id).toBeUndefined();
    const row = run.app.journal.get(id)!;
    expect(end.data).toMatchObject({ journalId: id, kind: 'purchase', status: 'approved',
      state: 'approved', amount: 150_000, reference: 'HS-EV-1', stan: row.stan,
      authCode: row.auth_code, rrn: row.rrn, maskedPan: '**** **** **** 0010' });
    expect(run.app.journal.events(id).map((e) => e.state))
      .toEqual(['created', 'card_read', 'sent', 'approved']);
  });

  it('after a dropped stream, Last-Event-ID gets only the steps that were missed', async () => {
    const id = await waitingPayment('HS-EV-2');
    const first = await stream(id);
    expect((await first.next())?.id).toBe('1');
    await first.cancel();

    insertCard();
    await until(() => run.app.journal.get(id)!.state === 'approved');
    const again = await stream(id, '1');
    const missed = await again.rest();
    expect(states(missed)).toEqual([['2', 'card_read', 'in_progress'],
      ['3', 'sent', 'outcome_unknown'], ['4', 'approved', 'approved']]);
    expect(missed.at(-1)).toMatchObject({ event: 'end', data: { journalId: id,
      status: 'approved' } });

    // Up to date: only the end; from the start (no header): every step again.
    expect((await (await stream(id, '4')).rest()).map((e) => e.event)).toEqual(['end']);
    expect(states(await (await stream(id)).rest()).map((s) => s[0]))
      .toEqual(['1', '2', '3', '4']);
  });

  it('ends a cancelled payment with its failure, nothing sent to the bank', async () => {
    const id = await waitingPayment('HS-EV-3');
    const events = await stream(id);
    expect((await events.next())?.data).toMatchObject({ state: 'created' });
    const before = run.app.acquirerSimulator!.journal.length;
    const abort = await postJson(run.base, `/v1/payments/${id}/abort`, {});
    expect(abort.status).toBe(202);
    const rest = await events.rest();
    expect(states(rest)).toEqual([['2', 'failed', 'failed']]);
    expect(rest.at(-1)).toMatchObject({ event: 'end', data: { journalId: id, status: 'failed',
      reason: { code: 'PAYMENT_ABORTED' } } });
    expect(run.app.acquirerSimulator!.journal.length).toBe(before);
  });

  it('answers 404 NOT_FOUND for the events of a payment it does not have', async () => {
    const response = await fetch(`${run.base}/v1/payments/4242/events`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});
