import { afterEach, describe, expect, it } from 'vitest';
import { InProcessReader } from '../../drivers/card/virtual/in-process-reader';
import { loadVirtualCard } from '../../drivers/card/virtual/load';
import { qrPayment, qrPaymentShown, qrTransferPage } from '../../src/api/schemas';
import { Journal } from '../../src/journal/journal';
import { QrPaymentJournal } from '../../src/journal/qr-payments';
import { QrGateway } from '../../src/qr/confirmation';
import { startQrBankSimulator } from '../../src/qr/simulator/server';
import { parseVietQr } from '../../src/qr/vietqr';
import { QrCounter, tenderTotals } from '../../src/terminal/qr-payment';
import { CARDS_DIR } from '../support/app-config';
import { postJson } from '../support/api';
import {
  freePort, MERCHANT, scanDataUrl, SECRET, startQrRig, SUPERVISOR, until, type QrRig,
} from './support';

/**
 * QR payments through the counter API, with the bank's QR simulator over loopback HTTP: the
 * journal row of each outcome, the transfers kept under the bank's IDs, the terminal's
 * one-at-a-time rule, and the card batch that never holds a QR payment.
 */

const rigs: QrRig[] = [];
afterEach(async () => {
  while (rigs.length > 0) await rigs.pop()!.close();
});

async function rig(...args: Parameters<typeof startQrRig>): Promise<QrRig> {
  const started = await startQrRig(...args);
  rigs.push(started);
  return started;
}

/** References in order, so that payloads and contents are known before the test runs. */
function references(): () => string {
  let n = 0;
  return () => `QYTEST${String(++n).padStart(4, '0')}`;
}

async function getJson(r: QrRig, path: string, headers = r.desk) {
  const response = await fetch(`${r.base}${path}`, { headers });
  return { status: response.status, body: await response.json() as Record<string, any> };
}

async function createQr(r: QrRig, body: Record<string, unknown>) {
  const response = await postJson(r.base, '/v1/qr-payments', body, r.desk);
  return { status: response.status, body: await response.json() as Record<string, any> };
}

async function statusOf(r: QrRig, id: number): Promise<string> {
  return (await getJson(r, `/v1/qr-payments/${id}`)).body.status as string;
}

function transfersTable(journal: Journal) {
  return new QrPaymentJournal(journal);
}

describe('a QR payment through the counter API', () => {
  it('paid: the row is approved with the bank transfer ID, and the code scans', async () => {
    const r = await rig({ qr: { newReference: references() } });
    const created = await createQr(r, { amount: 120_000, reference: 'HS-Q-1',
      payer: 'Nguyễn Văn An', idempotencyKey: 'hs-q-1' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: 'qr', status: 'waiting', state: 'qr_waiting',
      amount: 120_000, reference: 'HS-Q-1', qrReference: 'QYTEST0001', content: 'QYTEST0001',
      bankTransferId: null, replayed: false });
    expect(parseVietQr(created.body.payload)).toEqual({ initiation: 'dynamic', bin: '970415',
      account: '0011001932418', service: 'QRIBFTTA', amount: 120_000, billNumber: 'HS-Q-1',
      terminalLabel: 'QUAY0001', purpose: 'QYTEST0001' });
    expect(scanDataUrl(created.body.png)).toBe(created.body.payload);
    expect(qrPaymentShown.safeParse(created.body).error).toBeUndefined();

    await r.sim.payNow('QYTEST0001');
    const id = created.body.journalId as number;
    await until(async () => (await statusOf(r, id)) === 'approved');
    const { body } = await getJson(r, `/v1/qr-payments/${id}`);
    expect(qrPayment.safeParse(body).error).toBeUndefined();
    expect(body).toMatchObject({ status: 'approved', state: 'approved',
      bankTransferId: 'FT0000000001', reason: null });
    expect(body.transfers).toEqual([expect.objectContaining({ transferId: 'FT0000000001',
      journalId: id, amount: 120_000, content: 'IBFT.000001.QYTEST0001',
      disposition: 'paid', reviewed: false })]);
    const row = r.app.journal.get(id)!;
    expect(row).toMatchObject({ kind: 'qr', state: 'approved', amount: 120_000,
      qr_reference: 'QYTEST0001', stan: null, batch: null, payer: 'Nguyễn Văn An' });
    expect(r.app.journal.events(id).map((e) => e.state))
      .toEqual(['created', 'qr_waiting', 'approved']);
    await until(() => !r.app.terminal.isBusy);

    // The same key answers with the first payment and its code, never a second code.
    const again = await createQr(r, { amount: 120_000, reference: 'HS-Q-1',
      idempotencyKey: 'hs-q-1' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ journalId: id, replayed: true, status: 'approved',
      payload: created.body.payload, content: 'QYTEST0001' });
  });

  it('takes the terminal while it waits: a card or a second QR payment gets 409', async () => {
    const r = await rig({ qr: { newReference: references() } });
    const created = await createQr(r, { amount: 50_000, reference: 'HS-Q-2' });
    expect(created.status).toBe(201);
    const card = await postJson(r.base, '/v1/payments', { amount: 10_000, reference: 'C-1' },
      r.desk);
    expect(card.status).toBe(409);
    expect((await card.json() as any).error.code).toBe('TERMINAL_BUSY');
    const second = await createQr(r, { amount: 60_000, reference: 'HS-Q-3' });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('TERMINAL_BUSY');
    expect(r.app.journal.search({ limit: 10, offset: 0 }).total).toBe(1);
  });

  it('timeout: declined with QR_TIMEOUT; a transfer after it flags the payment', async () => {
    const r = await rig({ qr: { newReference: references(), timeoutMs: 200 } });
    const created = await createQr(r, { amount: 75_000, reference: 'HS-Q-4' });
    const id = created.body.journalId as number;
    await until(async () => (await statusOf(r, id)) === 'declined');
    const { body } = await getJson(r, `/v1/qr-payments/${id}`);
    expect(body).toMatchObject({ state: 'qr_expired', bankTransferId: null,
      reason: { code: 'QR_TIMEOUT', en: 'No transfer for the QR code arrived in time',
        vi: 'Chưa nhận được chuyển khoản cho mã QR trong thời gian chờ' } });
    await until(() => !r.app.terminal.isBusy);

    // The payer pays late: the late watch still polls, and the supervisor is told.
    await r.sim.payNow('QYTEST0001');
    await until(async () => (await statusOf(r, id)) === 'flagged');
    expect(r.app.journal.get(id)).toMatchObject({ state: 'qr_flagged',
      error_code: 'QR_PAYMENT_MISMATCH' });
    const boss = await postJson(r.base, '/v1/sessions', SUPERVISOR);
    const { token } = await boss.json() as { token: string };
    const flagged = await getJson(r, '/v1/qr-transfers/flagged',
      { authorization: `Bearer ${token}` });
    expect(qrTransferPage.safeParse(flagged.body).error).toBeUndefined();
    expect(flagged.body.items).toEqual([expect.objectContaining({
      transferId: 'FT0000000001', journalId: id, amount: 75_000, disposition: 'late' })]);
    expect((await getJson(r, '/v1/qr-transfers/flagged')).status).toBe(403);
  });

  it('wrong amount: the payment is flagged, not approved', async () => {
    const r = await rig({ qr: { newReference: references() }, sim: { fault: 'wrong-amount' } });
    const created = await createQr(r, { amount: 120_000, reference: 'HS-Q-5' });
    const id = created.body.journalId as number;
    await r.sim.payNow('QYTEST0001');
    await until(async () => (await statusOf(r, id)) === 'flagged');
    const { body } = await getJson(r, `/v1/qr-payments/${id}`);
    expect(body).toMatchObject({ state: 'qr_flagged', bankTransferId: 'FT0000000001',
      reason: { code: 'QR_PAYMENT_MISMATCH' } });
    expect(body.transfers).toEqual([expect.objectContaining({ amount: 119_000,
      disposition: 'amount-mismatch' })]);
    expect(r.app.journal.get(id)!.reason).toBe('119000 dong transferred for 120000');
    expect(tenderTotals(r.app.journal).qr).toEqual({ count: 0, amount: 0 });
  });

  it('cancel: declined with QR_CANCELLED, the terminal free again, no second cancel', async () => {
    const r = await rig({ qr: { newReference: references() } });
    const created = await createQr(r, { amount: 30_000, reference: 'HS-Q-6' });
    const id = created.body.journalId as number;
    const cancelled = await postJson(r.base, `/v1/qr-payments/${id}/cancel`, {}, r.desk);
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ status: 'declined', state: 'qr_expired',
      reason: { code: 'QR_CANCELLED', en: 'The QR payment was cancelled' } });
    expect(r.app.terminal.isBusy).toBe(false);
    const twice = await postJson(r.base, `/v1/qr-payments/${id}/cancel`, {}, r.desk);
    expect(twice.status).toBe(409);
    expect((await twice.json() as any).error.code).toBe('ABORT_TOO_LATE');
  });

  it('a gateway that cannot be reached: 502, the row failed, the terminal free', async () => {
    const dead = await freePort();
    const r = await rig({ qr: { newReference: references(),
      gateway: new QrGateway({ baseUrl: `http://127.0.0.1:${dead}/`, secret: SECRET }) } });
    const refused = await createQr(r, { amount: 20_000, reference: 'HS-Q-12' });
    expect(refused.status).toBe(502);
    expect(refused.body.error.code).toBe('QR_GATEWAY_UNREACHABLE');
    const [row] = r.app.journal.search({ limit: 1, offset: 0 }).rows;
    expect(row).toMatchObject({ kind: 'qr', state: 'failed', error_code: 'QR_GATEWAY_UNREACHABLE',
      qr_payload: null });
    expect(r.app.terminal.isBusy).toBe(false);
  });

  it('refund: refused, a QR payment is returned by bank transfer', async () => {
    const r = await rig({ qr: { newReference: references() } });
    const created = await createQr(r, { amount: 40_000, reference: 'HS-Q-7' });
    const id = created.body.journalId as number;
    const refused = await postJson(r.base, `/v1/qr-payments/${id}/refund`, {}, r.desk);
    expect(refused.status).toBe(409);
    expect((await refused.json() as any).error).toMatchObject({ code: 'QR_REFUND_BY_TRANSFER',
      en: 'A QR payment is refunded by bank transfer, not through the card terminal',
      vi: 'Thanh toán QR được hoàn tiền bằng chuyển khoản ngân hàng, '
        + 'không qua máy thanh toán thẻ',
      retryable: false });
    const card = await postJson(r.base, '/v1/qr-payments/999/refund', {}, r.desk);
    expect(card.status).toBe(404);
  });
});

describe('duplicates: one transfer, one row', () => {
  it('a transfer polled twice is recorded once', async () => {
    const r = await rig({ qr: { newReference: references() }, sim: { fault: 'twice' } });
    const created = await createQr(r, { amount: 90_000, reference: 'HS-Q-8' });
    const id = created.body.journalId as number;
    await r.sim.payNow('QYTEST0001');
    expect(r.sim.payments()[0]!.transfers).toHaveLength(2);
    await until(async () => (await statusOf(r, id)) === 'approved');
    expect(transfersTable(r.app.journal).transfersOf(id)).toHaveLength(1);
    expect(r.app.journal.events(id).map((e) => e.state))
      .toEqual(['created', 'qr_waiting', 'approved']);
  });

  it('a notification sent twice is answered twice and recorded once', async () => {
    const simPort = await freePort();
    const r = await rig({ simPort, qr: { newReference: references(), pollIntervalMs: 3_600_000,
      listen: { host: '127.0.0.1', port: 0 } }, sim: { fault: 'twice' } });
    expect(r.qr.notificationUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/qr\/notifications$/);
    // The simulator posts where the counter listens: restarted with that URL, same port.
    await r.sim.close();
    const sim = await startQrBankSimulator({ secret: SECRET, port: simPort,
      payAfterMs: 3_600_000, notifyUrl: r.qr.notificationUrl, fault: 'twice' });
    r.sim = sim;
    const created = await createQr(r, { amount: 80_000, reference: 'HS-Q-9' });
    const id = created.body.journalId as number;
    await sim.payNow('QYTEST0001');
    await sim.notified(2);
    expect(sim.notifications().map((n) => [n.status, JSON.parse(n.answer).result]))
      .toEqual([[200, 'paid'], [200, 'duplicate']]);
    expect(r.app.journal.get(id)!.state).toBe('approved');
    expect(transfersTable(r.app.journal).transfersOf(id)).toHaveLength(1);
  });

  it('a transfer repeated after a restart is known from the journal', async () => {
    const r = await rig({ qr: { newReference: references() } });
    const created = await createQr(r, { amount: 120_000, reference: 'HS-Q-10' });
    const id = created.body.journalId as number;
    await r.sim.payNow('QYTEST0001');
    await until(async () => (await statusOf(r, id)) === 'approved');
    const transfer = r.sim.payments()[0]!.transfers[0]!;
    const path = `${r.app.dataDir}/quay.db`;
    await r.api.close();
    await r.qr.close();
    await r.app.close();

    // A fresh process: the in-memory matcher has seen nothing, the journal has.
    const journal = Journal.open(path);
    try {
      const counter = new QrCounter({ journal, terminal: { isBusy: false,
        exclusive: (work) => work() }, merchant: MERCHANT, terminalId: 'QUAY0001',
      merchantId: '000000000000001' });
      expect(counter.matcher.offer(transfer)).toBe('duplicate');
      expect(new QrPaymentJournal(journal).transfersOf(id)).toHaveLength(1);
      expect(journal.get(id)!.state).toBe('approved');
      await counter.close();
    } finally {
      journal.close();
    }
    rigs.pop();
    await r.sim.close();
  });
});

describe('reports and the card batch', () => {
  it('the X totals by tender count QR apart; the settlement leaves the QR row out', async () => {
    const r = await rig({ qr: { newReference: references() } });
    (r.app.reader as InProcessReader).insert(loadVirtualCard(`${CARDS_DIR}visa-cvn10.yaml`));
    const card = await postJson(r.base, '/v1/payments', { amount: 150_000, reference: 'C-2' },
      r.desk);
    expect(card.status).toBe(201);
    const cardId = (await card.json() as { journalId: number }).journalId;
    const created = await createQr(r, { amount: 120_000, reference: 'HS-Q-11' });
    const id = created.body.journalId as number;
    await r.sim.payNow('QYTEST0001');
    await until(async () => (await statusOf(r, id)) === 'approved');
    await until(() => !r.app.terminal.isBusy);

    expect(tenderTotals(r.app.journal)).toEqual({ card: { count: 1, amount: 150_000 },
      qr: { count: 1, amount: 120_000 } });
    expect((await getJson(r, '/v1/reports/x')).body).toMatchObject({ batch: 1,
      sales: { count: 1, amount: 150_000 }, net: 150_000 });
    const settled = await postJson(r.base, '/v1/settlement', { supervisor: SUPERVISOR },
      r.desk);
    expect(settled.status).toBe(200);
    expect(await settled.json()).toMatchObject({ kind: 'Z', batch: 1,
      sales: { count: 1, amount: 150_000 }, refunds: { count: 0, amount: 0 } });
    expect(r.app.journal.get(id)).toMatchObject({ state: 'approved', batch: null });
    expect(r.app.journal.get(cardId)!.state).toBe('settled');
    // QR totals count from the settlement on, as the card batch does.
    expect(tenderTotals(r.app.journal)).toEqual({ card: { count: 0, amount: 0 },
      qr: { count: 0, amount: 0 } });
  });
});
