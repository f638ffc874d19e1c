import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessReader } from '../../drivers/card/virtual/in-process-reader';
import { loadVirtualCard } from '../../drivers/card/virtual/load';
import { hashSecret } from '../../src/api/auth';
import { CARDS_DIR } from '../support/app-config';
import { postJson, startApi, type RunningApi } from '../support/api';

const DESK_TOKEN = 'desk-0123456789abcdef';
const SUPERVISOR = { name: 'minh', secret: 'mật khẩu 9' };

/**
 * The day's end through the counter API: the X report of the open batch, a refund and a void
 * by a supervisor, the settlement (Z) closing the batch with the embedded bank, and the audit
 * log that keeps who did each.
 */
describe('reports, settlement and the audit log', () => {
  let run: RunningApi;
  const desk = { authorization: `Bearer ${DESK_TOKEN}` };

  beforeAll(async () => {
    run = await startApi({ security: { token: DESK_TOKEN, users: [
      { name: 'lan', role: 'clerk', secret: await hashSecret('2468') },
      { name: SUPERVISOR.name, role: 'supervisor', secret: await hashSecret(SUPERVISOR.secret) },
    ] } }, { printer: { kind: 'none' }, display: { kind: 'none' } });
  });
  afterAll(async () => { await run?.close(); });

  const insertCard = () => (run.app.reader as InProcessReader)
    .insert(loadVirtualCard(`${CARDS_DIR}visa-cvn10.yaml`));
  const get = (path: string, headers = desk) =>
    fetch(`${run.base}${path}`, { headers }).then(async (r) => ({ status: r.status,
      body: await r.json() as Record<string, unknown> }));

  it('X report, refund, void, settlement, each with the totals the bank holds', async () => {
    for (const [amount, reference] of [[150_000, 'HS-B-1'], [20_000, 'HS-B-2'],
      [450_000, 'HS-B-3']] as const) {
      insertCard();
      const paid = await postJson(run.base, '/v1/payments', { amount, reference }, desk);
      expect(paid.status).toBe(201);
    }
    // Cards and QR apart: no QR payment was taken.
    expect((await get('/v1/reports/x')).body).toEqual({ kind: 'X', batch: 1,
      sales: { count: 3, amount: 620_000 }, refunds: { count: 0, amount: 0 },
      voids: { count: 0, amount: 0 }, net: 620_000,
      byTender: { card: { count: 3, amount: 620_000 }, qr: { count: 0, amount: 0 } } });

    insertCard();
    const refund = await postJson(run.base, '/v1/payments/1/refund',
      { amount: 50_000, supervisor: SUPERVISOR }, desk);
    expect(refund.status).toBe(200);
    expect(await refund.json()).toMatchObject({ kind: 'refund', status: 'approved',
      originalId: 1, amount: 50_000 });
    const voided = await postJson(run.base, '/v1/payments/3/void',
      { supervisor: SUPERVISOR }, desk);
    expect(await voided.json()).toMatchObject({ kind: 'void', status: 'approved' });
    expect((await get('/v1/reports/x')).body).toMatchObject({ kind: 'X', batch: 1,
      sales: { count: 2, amount: 170_000 }, refunds: { count: 1, amount: 50_000 },
      voids: { count: 1, amount: 450_000 }, net: 120_000 });

    // The desk token alone cannot settle: a supervisor must confirm.
    const refused = await postJson(run.base, '/v1/settlement', {}, desk);
    expect(refused.status).toBe(403);
    const settled = await postJson(run.base, '/v1/settlement', { supervisor: SUPERVISOR },
      desk);
    expect(settled.status).toBe(200);
    expect(await settled.json()).toEqual({ kind: 'Z', batch: 1, nextBatch: 2,
      responseCode: '00', uploaded: false, uploadCount: 0,
      sales: { count: 2, amount: 170_000 }, refunds: { count: 1, amount: 50_000 },
      voids: { count: 1, amount: 450_000 }, net: 120_000 });
    expect((await get('/v1/reports/x')).body).toMatchObject({ batch: 2,
      sales: { count: 0, amount: 0 } });
  });

  it('keeps who signed in, refunded, voided and settled; clerks cannot read it', async () => {
    await postJson(run.base, '/v1/sessions', { name: 'lan', secret: '1357' });
    const clerk = await postJson(run.base, '/v1/sessions', { name: 'lan', secret: '2468' });
    const { token } = await clerk.json() as { token: string };
    expect((await get('/v1/audit', { authorization: `Bearer ${token}` })).status).toBe(403);
    expect((await get('/v1/audit')).status).toBe(403);

    const boss = await postJson(run.base, '/v1/sessions', SUPERVISOR);
    const { token: bossToken } = await boss.json() as { token: string };
    const log = await get('/v1/audit', { authorization: `Bearer ${bossToken}` });
    expect(log.status).toBe(200);
    const items = (log.body.items as Record<string, unknown>[]).reverse()
      .map((e) => [e.action, e.actor, e.target, e.outcome]);
    expect(items).toEqual([
      ['refund', 'minh', '#1', 'approved'],
      ['void', 'minh', '#3', 'approved'],
      ['settlement', 'minh', 'batch 1', 'settled'],
      ['sign-in', 'lan', null, 'refused'],
      ['sign-in', 'lan', null, 'ok'],
      ['sign-in', 'minh', null, 'ok'],
    ]);
    expect(JSON.stringify(log.body)).not.toContain('mật khẩu');
  });
});
