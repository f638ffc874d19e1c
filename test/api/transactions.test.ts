import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markedAsReprint } from '../../src/print-queue/reprint-mark';
import { postJson, startApi, type RunningApi } from '../support/api';

/**
 * The day's list over real HTTP: search by reference, state (the journal's or the public
 * status) and date range, newest first and paged; a bad query refused; a kept receipt
 * printed again, the printer simulator receiving the reprint-marked bytes.
 */
interface Page { items: { journalId: number; reference: string; status: string }[];
  total: number; limit: number; offset: number }

describe('transactions and reprints', () => {
  let run: RunningApi;
  const list = async (query: string) => {
    const response = await fetch(`${run.base}/v1/transactions${query}`);
    return { status: response.status, body: await response.json() as Page };
  };
  const ids = (page: Page) => page.items.map((t) => t.journalId);

  beforeAll(async () => {
    run = await startApi({}, { display: { kind: 'none' } });
    // #1 approved, #2 declined (51), #3 approved, #4 approved with #1's reference again.
    for (const [amount, reference] of [[150_000, 'HS-L-1'], [100_051, 'HS-L-2'],
      [30_000, 'HS-L-3'], [40_000, 'HS-L-1']] as const) {
      const response = await postJson(run.base, '/v1/payments', { amount, reference });
      expect(response.status).toBe(201);
    }
  });

  afterAll(async () => {
    await run?.close();
  });

  it('lists newest first, paged, with the total', async () => {
    expect((await list('')).body).toMatchObject({ total: 4, limit: 50, offset: 0 });
    expect(ids((await list('')).body)).toEqual([4, 3, 2, 1]);
    const page = (await list('?limit=2&offset=1')).body;
    expect(page).toMatchObject({ total: 4, limit: 2, offset: 1 });
    expect(ids(page)).toEqual([3, 2]);
  });

  it('searches by reference and by state or status', async () => {
    expect(ids((await list('?reference=HS-L-1')).body)).toEqual([4, 1]);
    expect(ids((await list('?state=declined')).body)).toEqual([2]);
    expect(ids((await list('?state=approved')).body)).toEqual([4, 3, 1]);
    expect(ids((await list('?reference=HS-L-1&state=declined')).body)).toEqual([]);
    expect((await list('?reference=HS-NONE')).body).toMatchObject({ items: [], total: 0 });
  });

  it('searches a date range, from inclusive and to exclusive, in any offset', async () => {
    const created = (id: number) => run.app.journal.get(id)!.created_at;
    const at3 = created(3);
    expect(ids((await list(`?from=${at3}`)).body)).toEqual([4, 3]);
    expect(ids((await list(`?to=${at3}`)).body)).toEqual([2, 1]);
    expect(ids((await list(`?from=${created(2)}&to=${at3}`)).body)).toEqual([2]);
    // The same instant written in Vietnam time (UTC+07:00) finds the same rows.
    const local = new Date(Date.parse(at3) + 7 * 3_600_000).toISOString()
      .replace('Z', '+07:00');
    expect(ids((await list(`?from=${encodeURIComponent(local)}`)).body)).toEqual([4, 3]);
  });

  it.each([
    ['an unknown parameter', '?amount=5', 'amount'],
    ['a date without an offset', '?from=2026-12-04T08:00:00', 'from'],
    ['a date that is not one', '?to=yesterday', 'to'],
    ['a limit of zero', '?limit=0', 'limit'],
    ['a limit over 200', '?limit=201', 'limit'],
    ['a negative offset', '?offset=-1', 'offset'],
    ['an unknown state', '?state=paid', 'state'],
  ])('refuses %s with 400 REQUEST_INVALID', async (_name, query, field) => {
    const response = await list(query);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'REQUEST_INVALID', field } });
  });

  it('prints a kept receipt again, marked as a reprint', async () => {
    const printer = run.app.printerSimulator!;
    const before = printer.jobs().length;
    const response = await postJson(run.base, '/v1/payments/3/reprint', {});
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ journalId: 3, printed: true, error: null });
    expect(printer.jobs()).toHaveLength(before + 1);
    const kept = readFileSync(run.app.journal.get(3)!.receipt_bytes_path!);
    expect(printer.jobs().at(-1)!.printed.equals(markedAsReprint(kept))).toBe(true);
  });
});
