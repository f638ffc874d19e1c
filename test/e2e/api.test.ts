import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/api/server';
import { startApp, type App } from '../../src/app';
import { silentLogger } from '../../src/log';
import { testConfig } from '../support/app-config';

describe('the counter API', () => {
  let app: App;
  let api: ReturnType<typeof buildApi>;
  let base: string;

  beforeAll(async () => {
    app = await startApp(testConfig(), { log: silentLogger });
    api = buildApi({ terminal: app.terminal, journal: app.journal, log: silentLogger });
    await api.listen({ host: '127.0.0.1', port: 0 });
    const address = api.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(async () => {
    await api?.close();
    await app?.close();
  });

  const post = (body: unknown, headers: Record<string, string> = {}) => fetch(`${base}/v1/payments`,
    { method: 'POST', headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body) });

  it('takes a payment and reads it back', async () => {
    const response = await post({ amount: 150000, reference: 'HS-2019-000123',
      payer: 'Nguyễn Văn A' });
    expect(response.status).toBe(201);
    const result = await response.json() as { journalId: number; authCode: string };
    expect(result).toMatchObject({ status: 'approved', amount: 150000,
      maskedPan: '**** **** **** 0010' });
    const read = await (await fetch(`${base}/v1/payments/${result.journalId}`)).json();
    expect(read).toMatchObject({ state: 'approved', reference: 'HS-2019-000123',
      payer: 'Nguyễn Văn A', authCode: result.authCode });
    expect(JSON.stringify(read)).not.toContain('4761739001010010');
  });

  it('reports its health with the reversals owed', async () => {
    const health = await (await fetch(`${base}/v1/health`)).json();
    expect(health).toEqual({ status: 'ok', busy: false,
      reversals: { pending: 0, held: 0, oldest: null } });
  });

  it('answers 404 NOT_FOUND for a payment it does not have', async () => {
    const response = await fetch(`${base}/v1/payments/99999`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'NOT_FOUND',
      vi: 'Không tìm thấy giao dịch' } });
  });

  it('refuses a negative amount with a typed error in both languages', async () => {
    const response = await post({ amount: -150000, reference: 'HS-1' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'AMOUNT_INVALID',
      field: 'amount', vi: expect.stringContaining('Số tiền') } });
  });

  it('answers a repeated idempotency key with the same payment', async () => {
    const response = await post({ amount: 5000, reference: 'HS-2' },
      { 'idempotency-key': 'desk-7' });
    const first = await response.json() as { journalId: number };
    const again = await post({ amount: 5000, reference: 'HS-2' }, { 'idempotency-key': 'desk-7' });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ journalId: first.journalId, replayed: true });
  });

  it('says busy while a payment runs', async () => {
    const running = post({ amount: 7000, reference: 'HS-3' });
    await new Promise((r) => setImmediate(r));
    let busy: Response | undefined;
    for (let i = 0; i < 50 && !busy; i++) {
      if (app.terminal.isBusy) busy = await post({ amount: 7000, reference: 'HS-4' });
      else await new Promise((r) => setTimeout(r, 2));
    }
    expect(busy?.status).toBe(409);
    expect(await busy!.json()).toMatchObject({ error: { code: 'TERMINAL_BUSY' } });
    expect((await running).status).toBe(201);
  });
});
