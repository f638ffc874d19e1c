import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/api/auth';
import { ERROR_CATALOGUE, type ErrorCode } from '../../src/errors';
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
  { name: 'amount with a thousands comma', body: json({ ...ok, amount: '150,000' }),
    status: 400, code: 'AMOUNT_INVALID', field: 'amount' },
  { name: 'amount with a decimal part as a string', body: json({ ...ok, amount: '1500.50' }),
    status: 400, code: 'AMOUNT_INVALID', field: 'amount' },
  { name: 'amount with a leading zero', body: json({ ...ok, amount: '0150000' }), status: 400,
    code: 'AMOUNT_INVALID', field: 'amount' },
  { name: 'negative amount as a string', body: json({ ...ok, amount: '-5000' }), status: 400,
    code: 'AMOUNT_INVALID', field: 'amount' },
  { name: 'amount in exponent form as a string', body: json({ ...ok, amount: '1e5' }),
    status: 400, code: 'AMOUNT_INVALID', field: 'amount' },
  { name: 'amount with a currency sign', body: json({ ...ok, amount: '150000đ' }), status: 400,
    code: 'AMOUNT_INVALID', field: 'amount' },
  { name: 'thirteen-digit amount as a string', body: json({ ...ok, amount: '1000000000000' }),
    status: 400, code: 'AMOUNT_INVALID', field: 'amount' },
  { name: 'amount beyond 2^53', body: '{"amount":9007199254740993,"reference":"HS-1"}',
    status: 400, code: 'AMOUNT_INVALID', field: 'amount' },
  { name: 'amount null', body: json({ ...ok, amount: null }), status: 400,
    code: 'AMOUNT_INVALID', field: 'amount' },
  { name: 'amount as an array', body: json({ ...ok, amount: [150000] }), status: 400,
    code: 'AMOUNT_INVALID', field: 'amount' },
  { name: 'wrong currency as its ISO 4217 number', body: json({ ...ok, currencyCode: '840' }),
    status: 400, code: 'REQUEST_INVALID', field: 'currencyCode' },
  { name: 'unknown field (a tip)', body: json({ ...ok, tip: 10000 }), status: 400,
    code: 'REQUEST_INVALID', field: 'tip' },
  { name: 'an empty object', body: '{}', status: 400, code: 'AMOUNT_INVALID', field: 'amount' },
  { name: 'an empty body', body: '', status: 400, code: 'REQUEST_INVALID' },
  { name: 'a JSON string', body: json('150000'), status: 400, code: 'REQUEST_INVALID' },
  { name: 'JSON null', body: 'null', status: 400, code: 'REQUEST_INVALID' },
  { name: 'a __proto__ key', body: '{"amount":5000,"reference":"HS-1","__proto__":{"a":1}}',
    status: 400, code: 'REQUEST_INVALID' },
  { name: 'over-long operator', body: json({ ...ok, operator: 'o'.repeat(41) }), status: 400,
    code: 'REQUEST_INVALID', field: 'operator' },
  { name: 'a form body', body: 'amount=150000&reference=HS-1',
    headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415,
    code: 'REQUEST_INVALID' },
  { name: 'an XML body', body: '<payment amount="150000"/>',
    headers: { 'content-type': 'application/xml' }, status: 415, code: 'REQUEST_INVALID' },
  { name: 'oversized body of the wrong type', body: 'x'.repeat(20_000),
    headers: { 'content-type': 'text/plain' }, status: 415, code: 'REQUEST_INVALID' },
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

/** A refused request on an existing sale: where it goes, and the status and code it gets. */
interface BadAdjustment {
  name: string;
  path: string;
  body: unknown;
  status: number;
  code: ErrorCode;
  field?: string;
  /** Who asks: the desk token (default) or nobody. */
  anonymous?: boolean;
  /** An Idempotency-Key header. */
  key?: string;
}

const DESK_TOKEN = 'desk-table-0123456789';
const SUPERVISOR = { name: 'minh', secret: 'mật khẩu 9' };
const CLERK = { name: 'lan', secret: '2468' };

/**
 * The journal these requests meet: #1 a sale of 150 000 (50 000 of it refunded by #5), #2 a
 * sale of 50 000 voided by #3, #4 a sale the bank declined (51). Idempotency keys: sale-1 on
 * #1, void-2 on #3, refund-1 on #5.
 */
const ADJUSTMENTS: BadAdjustment[] = [
  { name: 'void of an unknown id', path: '/v1/payments/999/void',
    body: { supervisor: SUPERVISOR }, status: 404, code: 'NOT_FOUND' },
  { name: 'void of a malformed id', path: '/v1/payments/0x1/void',
    body: { supervisor: SUPERVISOR }, status: 400, code: 'REQUEST_INVALID', field: 'id' },
  { name: 'void of a void', path: '/v1/payments/3/void', body: { supervisor: SUPERVISOR },
    status: 409, code: 'NOT_VOIDABLE' },
  { name: 'void of a sale already voided', path: '/v1/payments/2/void',
    body: { supervisor: SUPERVISOR }, status: 409, code: 'NOT_VOIDABLE' },
  { name: 'void of a declined sale', path: '/v1/payments/4/void',
    body: { supervisor: SUPERVISOR }, status: 409, code: 'NOT_VOIDABLE' },
  { name: 'void of a refund', path: '/v1/payments/5/void', body: { supervisor: SUPERVISOR },
    status: 409, code: 'NOT_VOIDABLE' },
  { name: 'void without a supervisor', path: '/v1/payments/1/void', body: {}, status: 403,
    code: 'FORBIDDEN' },
  { name: 'void confirmed by a clerk', path: '/v1/payments/1/void', body: { supervisor: CLERK },
    status: 403, code: 'FORBIDDEN' },
  { name: 'void with a wrong supervisor secret', path: '/v1/payments/1/void',
    body: { supervisor: { name: 'minh', secret: 'sai mật khẩu' } }, status: 401,
    code: 'UNAUTHORIZED' },
  { name: 'void with an unknown field', path: '/v1/payments/1/void',
    body: { supervisor: SUPERVISOR, reason: 'x' }, status: 400, code: 'REQUEST_INVALID',
    field: 'reason' },
  { name: 'void without the desk token', path: '/v1/payments/1/void',
    body: { supervisor: SUPERVISOR }, status: 401, code: 'UNAUTHORIZED', anonymous: true },
  { name: 'refund above the amount', path: '/v1/payments/1/refund',
    body: { amount: 150_001, supervisor: SUPERVISOR }, status: 400, code: 'AMOUNT_INVALID',
    field: 'amount' },
  { name: 'refund above what is left after an earlier refund', path: '/v1/payments/1/refund',
    body: { amount: 100_001, supervisor: SUPERVISOR }, status: 409, code: 'NOT_REFUNDABLE',
    field: 'amount' },
  { name: 'refund of a void', path: '/v1/payments/3/refund',
    body: { amount: 10_000, supervisor: SUPERVISOR }, status: 409, code: 'NOT_REFUNDABLE' },
  { name: 'refund of a voided sale', path: '/v1/payments/2/refund',
    body: { amount: 10_000, supervisor: SUPERVISOR }, status: 409, code: 'NOT_REFUNDABLE' },
  { name: 'refund of a declined sale', path: '/v1/payments/4/refund',
    body: { amount: 10_000, supervisor: SUPERVISOR }, status: 409, code: 'NOT_REFUNDABLE' },
  { name: 'refund of a refund', path: '/v1/payments/5/refund',
    body: { amount: 10_000, supervisor: SUPERVISOR }, status: 409, code: 'NOT_REFUNDABLE' },
  { name: 'refund of an unknown id', path: '/v1/payments/999/refund',
    body: { amount: 10_000, supervisor: SUPERVISOR }, status: 404, code: 'NOT_FOUND' },
  { name: 'refund of zero', path: '/v1/payments/1/refund',
    body: { amount: 0, supervisor: SUPERVISOR }, status: 400, code: 'AMOUNT_INVALID',
    field: 'amount' },
  { name: 'negative refund', path: '/v1/payments/1/refund',
    body: { amount: -10_000, supervisor: SUPERVISOR }, status: 400, code: 'AMOUNT_INVALID',
    field: 'amount' },
  { name: 'fractional refund', path: '/v1/payments/1/refund',
    body: { amount: 100.5, supervisor: SUPERVISOR }, status: 400, code: 'AMOUNT_INVALID',
    field: 'amount' },
  { name: 'refund with a thousands dot', path: '/v1/payments/1/refund',
    body: { amount: '10.000', supervisor: SUPERVISOR }, status: 400, code: 'AMOUNT_INVALID',
    field: 'amount' },
  { name: 'refund without an amount', path: '/v1/payments/1/refund',
    body: { supervisor: SUPERVISOR }, status: 400, code: 'AMOUNT_INVALID', field: 'amount' },
  { name: 'refund without a supervisor', path: '/v1/payments/1/refund',
    body: { amount: 10_000 }, status: 403, code: 'FORBIDDEN' },
  { name: 'settlement without a supervisor', path: '/v1/settlement', body: {}, status: 403,
    code: 'FORBIDDEN' },
  { name: 'settlement with an unknown field', path: '/v1/settlement',
    body: { supervisor: SUPERVISOR, batch: 1 }, status: 400, code: 'REQUEST_INVALID',
    field: 'batch' },
  { name: 'abort of an unknown id', path: '/v1/payments/999/abort', body: {}, status: 404,
    code: 'NOT_FOUND' },
  { name: 'abort of an approved sale', path: '/v1/payments/1/abort', body: {}, status: 409,
    code: 'ABORT_TOO_LATE' },
  { name: 'reprint of an unknown id', path: '/v1/payments/999/reprint', body: {}, status: 404,
    code: 'NOT_FOUND' },
  { name: 'payment with a sale\'s key for another amount', path: '/v1/payments',
    body: { amount: 990_000, reference: 'HS-T-1' }, key: 'sale-1', status: 409,
    code: 'IDEMPOTENCY_KEY_REUSED', field: 'idempotency-key' },
  { name: 'payment with a sale\'s key for another reference', path: '/v1/payments',
    body: { amount: 150_000, reference: 'HS-T-9', idempotencyKey: 'sale-1' }, status: 409,
    code: 'IDEMPOTENCY_KEY_REUSED', field: 'idempotencyKey' },
  { name: 'payment with a void\'s key', path: '/v1/payments',
    body: { amount: 50_000, reference: 'HS-T-2' }, key: 'void-2', status: 409,
    code: 'IDEMPOTENCY_KEY_REUSED', field: 'idempotency-key' },
  { name: 'void with its own sale\'s key', path: '/v1/payments/1/void',
    body: { supervisor: SUPERVISOR }, key: 'sale-1', status: 409,
    code: 'IDEMPOTENCY_KEY_REUSED', field: 'idempotency-key' },
  { name: 'void with the key of another sale\'s void', path: '/v1/payments/1/void',
    body: { supervisor: SUPERVISOR }, key: 'void-2', status: 409,
    code: 'IDEMPOTENCY_KEY_REUSED', field: 'idempotency-key' },
  { name: 'refund with a void\'s key', path: '/v1/payments/1/refund',
    body: { amount: 50_000, supervisor: SUPERVISOR }, key: 'void-2', status: 409,
    code: 'IDEMPOTENCY_KEY_REUSED', field: 'idempotency-key' },
  { name: 'refund of another amount with an earlier refund\'s key', path: '/v1/payments/1/refund',
    body: { amount: 20_000, supervisor: SUPERVISOR }, key: 'refund-1', status: 409,
    code: 'IDEMPOTENCY_KEY_REUSED', field: 'idempotency-key' },
];

describe('bad voids, refunds and other requests on a sale', () => {
  let run: RunningApi;
  const desk = { authorization: `Bearer ${DESK_TOKEN}` };
  const post = (path: string, body: unknown, headers: Record<string, string> = desk) =>
    fetch(`${run.base}${path}`, { method: 'POST',
      headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  beforeAll(async () => {
    run = await startApi({ security: { token: DESK_TOKEN, users: [
      { name: CLERK.name, role: 'clerk', secret: await hashSecret(CLERK.secret) },
      { name: SUPERVISOR.name, role: 'supervisor', secret: await hashSecret(SUPERVISOR.secret) },
    ] } }, { printer: { kind: 'none' }, display: { kind: 'none' } });
    const steps: [string, unknown, string, string | undefined][] = [
      ['/v1/payments', { amount: 150_000, reference: 'HS-T-1' }, 'approved', 'sale-1'],
      ['/v1/payments', { amount: 50_000, reference: 'HS-T-2' }, 'approved', undefined],
      ['/v1/payments/2/void', { supervisor: SUPERVISOR }, 'approved', 'void-2'],
      ['/v1/payments', { amount: 100_051, reference: 'HS-T-4' }, 'declined', undefined],
      ['/v1/payments/1/refund', { amount: 50_000, supervisor: SUPERVISOR }, 'approved',
        'refund-1'],
    ];
    for (const [path, body, status, key] of steps) {
      const response = await post(path, body, key ? { ...desk, 'idempotency-key': key } : desk);
      expect(response.status).toBeLessThan(300);
      expect(await response.json()).toMatchObject({ status });
    }
    expect(run.app.journal.search({ limit: 10, offset: 0 }).rows
      .map((r) => [r.id, r.kind, r.state, r.amount]).reverse()).toEqual([
      [1, 'purchase', 'approved', 150_000], [2, 'purchase', 'voided', 50_000],
      [3, 'void', 'approved', 50_000], [4, 'purchase', 'declined', 100_051],
      [5, 'refund', 'approved', 50_000]]);
  });

  afterAll(async () => {
    await run?.close();
  });

  const snapshot = () => ({
    rows: run.app.journal.search({ limit: 1, offset: 0 }).total,
    lastEvent: run.app.journal.eventsAfter(0, 1_000_000).at(-1)?.id ?? 0,
    stan: run.app.journal.counter('stan'),
    audit: run.app.journal.auditLog(1_000).length,
    atBank: run.app.acquirerSimulator!.journal.length,
  });

  it.each(ADJUSTMENTS)('refuses $name with $status $code', async (input) => {
    const before = snapshot();
    const headers = { ...(input.anonymous ? {} : desk),
      ...(input.key ? { 'idempotency-key': input.key } : {}) };
    const response = await post(input.path, input.body, headers);
    expect(response.status).toBe(input.status);
    const body = await response.json() as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ code: input.code, vi: ERROR_CATALOGUE[input.code].vi,
      en: ERROR_CATALOGUE[input.code].en, retryable: ERROR_CATALOGUE[input.code].retryable });
    if (input.field !== undefined) expect(body.error.field).toBe(input.field);
    expect(snapshot()).toEqual(before);
  });

  it('still answers a true repeat of each with the transaction its key names', async () => {
    const before = snapshot();
    const repeats: [string, unknown, string, Record<string, unknown>][] = [
      ['/v1/payments', { amount: 150_000, reference: 'HS-T-1' }, 'sale-1',
        { journalId: 1, kind: 'purchase', replayed: true }],
      ['/v1/payments/2/void', { supervisor: SUPERVISOR }, 'void-2',
        { journalId: 3, kind: 'void', originalId: 2, replayed: true }],
      ['/v1/payments/1/refund', { amount: 50_000, supervisor: SUPERVISOR }, 'refund-1',
        { journalId: 5, kind: 'refund', originalId: 1, replayed: true }],
    ];
    for (const [path, body, key, expected] of repeats) {
      const response = await post(path, body, { ...desk, 'idempotency-key': key });
      expect(response.status, path).toBe(200);
      expect(await response.json(), path).toMatchObject({ ...expected, status: 'approved' });
    }
    expect(snapshot()).toEqual(before);
  });
});
