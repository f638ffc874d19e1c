import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../support/app-config';
import { postJson, startApi, type RunningApi } from '../support/api';

const DESK_TOKEN = 'desk-0123456789abcdef';

/** What the clerk page and the customer screen read, over plain HTTP. */
describe('the page routes', () => {
  let run: RunningApi;
  const desk = { authorization: `Bearer ${DESK_TOKEN}` };

  beforeAll(async () => {
    run = await startApi({ fees: testConfig().config.fees, security: { token: DESK_TOKEN,
      users: [] } }, { printer: { kind: 'none' }, display: { kind: 'none' } });
  });
  afterAll(async () => { await run?.close(); });

  it('serves the pages and their files, same-origin only, to anyone', async () => {
    for (const [path, type] of [['/', 'text/html'], ['/customer', 'text/html'],
      ['/page/clerk.js', 'text/javascript'], ['/page/words.js', 'text/javascript'],
      ['/page/customer.js', 'text/javascript'], ['/page/page.css', 'text/css']]) {
      const response = await fetch(`${run.base}${path}`);
      expect([path, response.status, response.headers.get('content-type')])
        .toEqual([path, 200, `${type}; charset=utf-8`]);
      expect(response.headers.get('content-security-policy'))
        .toBe("default-src 'self'; img-src 'self' data:");
    }
    const html = await (await fetch(`${run.base}/`)).text();
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('gives the configured fee catalogue to known callers only', async () => {
    expect((await fetch(`${run.base}/v1/fees`)).status).toBe(401);
    const fees = await (await fetch(`${run.base}/v1/fees`, { headers: desk })).json();
    expect(fees).toEqual({ items: [
      { code: 'HO-CHIEU', vi: 'Lệ phí cấp hộ chiếu phổ thông', en: 'Ordinary passport fee',
        amount: 200_000 },
      { code: 'LY-LICH-TP', vi: 'Phí cấp phiếu lý lịch tư pháp',
        en: 'Criminal record certificate fee', amount: 200_000 },
      { code: 'CHUNG-THUC', vi: 'Phí chứng thực bản sao', en: 'Certified copy fee' },
    ] });
    expect(await (await fetch(`${run.base}/v1/offline`, { headers: desk })).json())
      .toEqual({ toForward: 0 });
  });

  it('shows the customer the newest payment: amount and result, no card data', async () => {
    expect(await (await fetch(`${run.base}/v1/customer-screen`)).json())
      .toEqual({ payment: null });
    const paid = await postJson(run.base, '/v1/payments',
      { amount: 150_000, reference: 'HS-P-1' }, desk);
    expect(paid.status).toBe(201);
    const screen = await (await fetch(`${run.base}/v1/customer-screen`)).json() as {
      payment: Record<string, unknown> };
    expect(screen.payment).toEqual({ journalId: 1, kind: 'purchase', amount: 150_000,
      status: 'approved', state: 'approved', reason: null,
      updatedAt: run.app.journal.get(1)!.updated_at });
  });
});
