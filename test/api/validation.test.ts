import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/errors';
import { startApi, type RunningApi } from '../support/api';

/** A bad request: what is sent, and the status, code and field the API must answer with. */
interface BadInput {
  name: string;
  body: string;
  headers?: Record<string, string>;
  status: number;
  code: 'AMOUNT_INVALID' | 'REQUEST_INVALID';
  field?: string;
}

const json = (value: unknown) => JSON.stringify(value);
const ok = { amount: 150000, reference: 'HS-2019-000123' };

const TABLE: BadInput[] = [
  { name: 'negative amount', body: json({ ...ok, amount: -150000 }), status: 400,
    code: 'AMOUNT_INVALID', field: 'amount' },
  { name: 'zero amount', body: json({ ...ok, amount: 0 }), status: 400, code: 'AMOUNT_INVALID',
    field: 'amount' },
  { name: 'fractional amount', body: json({ ...ok, amount: 1500.5 }), status: 400,
    code: 'AMOUNT_INVALID', field: 'amount' },
  { name: 'amount with a thousands dot', body: json({ ...ok, amount: '150.000' }), status: 400,
    code: 'AMOUNT_INVALID', field: 'amount' },
  { name: 'amount over twelve digits', body: json({ ...ok, amount: 1_000_000_000_000 }),
    status: 400, code: 'AMOUNT_INVALID', field: 'amount' },
  { name: 'enormous amount', body: '{"amount":1e300,"reference":"HS-1"}', status: 400,
    code: 'AMOUNT_INVALID', field: 'amount' },
  { name: 'amount as a boolean', body: json({ ...ok, amount: true }), status: 400,
    code: 'AMOUNT_INVALID', field: 'amount' },
  { name: 'missing amount', body: json({ reference: 'HS-1' }), status: 400,
    code: 'AMOUNT_INVALID', field: 'amount' },
  { name: 'missing reference', body: json({ amount: 5000 }), status: 400,
    code: 'REQUEST_INVALID', field: 'reference' },
  { name: 'blank reference', body: json({ ...ok, reference: '   ' }), status: 400,
    code: 'REQUEST_INVALID', field: 'reference' },
  { name: 'reference as a number', body: json({ ...ok, reference: 123 }), status: 400,
    code: 'REQUEST_INVALID', field: 'reference' },
  { name: 'over-long reference', body: json({ ...ok, reference: 'H'.repeat(41) }), status: 400,
    code: 'REQUEST_INVALID', field: 'reference' },
  { name: 'over-long payer', body: json({ ...ok, payer: 'Nguyễn'.repeat(14) }), status: 400,
    code: 'REQUEST_INVALID', field: 'payer' },
  { name: 'over-long description', body: json({ ...ok, description: 'x'.repeat(121) }),
    status: 400, code: 'REQUEST_INVALID', field: 'description' },
  { name: 'control character in the payer', body: json({ ...ok, payer: 'A\u001bB' }),
    status: 400, code: 'REQUEST_INVALID', field: 'payer' },
  { name: 'unknown field (a currency)', body: json({ ...ok, currency: 'USD' }), status: 400,
    code: 'REQUEST_INVALID', field: 'currency' },
  { name: 'description as an object', body: json({ ...ok, description: { a: 1 } }),
    status: 400, code: 'REQUEST_INVALID', field: 'description' },
  { name: 'idempotency key with a space', body: json({ ...ok, idempotencyKey: 'desk 7' }),
    status: 400, code: 'REQUEST_INVALID', field: 'idempotencyKey' },
  { name: 'idempotency key too long', body: json({ ...ok, idempotencyKey: 'k'.repeat(65) }),
    status: 400, code: 'REQUEST_INVALID', field: 'idempotencyKey' },
  { name: 'bad idempotency key header', body: json(ok),
    headers: { 'idempotency-key': 'dossier/1' }, status: 400, code: 'REQUEST_INVALID',
    field: 'idempotency-key' },
  { name: 'two different idempotency keys', body: json({ ...ok, idempotencyKey: 'a-1' }),
    headers: { 'idempotency-key': 'a-2' }, status: 400, code: 'REQUEST_INVALID',
    field: 'idempotencyKey' },
  { name: 'a JSON array', body: json([ok]), status: 400, code: 'REQUEST_INVALID' },
  { name: 'malformed JSON', body: '{"amount": 150000,', status: 400, code: 'REQUEST_INVALID' },
  { name: 'oversized body', body: json({ ...ok, description: 'x'.repeat(20_000) }),
    status: 413, code: 'REQUEST_INVALID' },
  { name: 'not JSON', body: 'amount=150000', headers: { 'content-type': 'text/plain' },
    status: 415, code: 'REQUEST_INVALID' },
];

describe('bad payment requests', () => {
  let run: RunningApi;

  beforeAll(async () => {
    run = await startApi();
  });

  afterAll(async () => {
    await run?.close();
  });

  /** What a refused request must leave untouched: the rows and the last journal event. */
  const snapshot = () => {
    const events = run.app.journal.eventsAfter(0, 1_000_000);
    return { rows: run.app.journal.search({ limit: 1, offset: 0 }).total,
      lastEvent: events.at(-1)?.id ?? 0, stan: run.app.journal.counter('stan') };
  };

  it.each(TABLE)('refuses $name with $status $code', async (input) => {
    const before = snapshot();
    const response = await fetch(`${run.base}/v1/payments`, { method: 'POST',
      headers: { 'content-type': 'application/json', ...input.headers }, body: input.body });
    expect(response.status).toBe(input.status);
    const body = await response.json() as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ code: input.code, vi: ERROR_CATALOGUE[input.code].vi,
      en: ERROR_CATALOGUE[input.code].en, retryable: false });
    if (input.field !== undefined) expect(body.error.field).toBe(input.field);
    expect(snapshot()).toEqual(before);
  });

  it('still takes a good payment after all of them, as the first row of the journal', async () => {
    const response = await fetch(`${run.base}/v1/payments`, { method: 'POST',
      headers: { 'content-type': 'application/json' }, body: json({ ...ok, amount: '150000' }) });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ journalId: 1, status: 'approved',
      amount: 150000 });
  });
});
