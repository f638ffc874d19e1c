import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log';
import { QrConfirmation, QrGateway } from '../../src/qr/confirmation';
import { QrMatcher, type SupervisorNotice } from '../../src/qr/matcher';
import {
  startNotificationListener, type NotificationListener,
} from '../../src/qr/notification-listener';
import { QrPayments, type QrMerchantAccount } from '../../src/qr/payment';
import {
  startQrBankSimulator, type QrBankSimulator, type QrBankSimulatorOptions,
} from '../../src/qr/simulator/server';
import { signatureHolds, signBody } from '../../src/qr/transfer';
import { buildVietQr, parseVietQr } from '../../src/qr/vietqr';

const SECRET = 'shared-secret-for-tests';
const MERCHANT: QrMerchantAccount = { bin: '970415', account: '0011001932418',
  service: 'QRIBFTTA', terminalLabel: 'QUAY01' };
/** Long enough never to end a test that expects a transfer. */
const NEVER_MS = 60_000;

/** Log lines kept as objects; `seen` resolves when a line with this message is written. */
function logSink() {
  const lines: Record<string, unknown>[] = [];
  const waiters: { msg: string; done: () => void }[] = [];
  const log = createLogger({ level: 'info' }, {
    write(line: string) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      lines.push(entry);
      for (const w of waiters.filter((x) => x.msg === entry.msg)) w.done();
    },
  });
  /** Resolves once `count` lines with this message have been written. */
  const seen = (msg: string, count = 1) => new Promise<void>((done) => {
    const enough = () => lines.filter((l) => l.msg === msg).length >= count;
    if (enough()) done();
    else waiters.push({ msg, done: () => enough() && done() });
  });
  return { log, lines, seen };
}

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
});

interface Rig {
  sim: QrBankSimulator;
  payments: QrPayments;
  matcher: QrMatcher;
  notices: SupervisorNotice[];
  logs: ReturnType<typeof logSink>;
}

/**
 * The bank simulator and quay's side, over HTTP on loopback: `poll` polls the gateway,
 * `notify` takes notifications on a listener (and does not poll).
 */
async function rig(mode: 'poll' | 'notify', sim: Partial<QrBankSimulatorOptions> = {},
  timeoutMs = NEVER_MS): Promise<Rig> {
  const logs = logSink();
  const notices: SupervisorNotice[] = [];
  const matcher = new QrMatcher({ log: logs.log, onSupervisor: (n) => notices.push(n) });
  let listener: NotificationListener | undefined;
  if (mode === 'notify') {
    listener = await startNotificationListener({ secret: SECRET, matcher, log: logs.log });
    open.push(listener);
  }
  const bank = await startQrBankSimulator({ secret: SECRET, payAfterMs: 10,
    notifyUrl: listener?.url, ...sim });
  open.push(bank);
  const gateway = new QrGateway({ baseUrl: bank.url, secret: SECRET });
  const confirmation = new QrConfirmation({ matcher, log: logs.log, pollIntervalMs: 10,
    lateWatchIntervalMs: 10, gateway: mode === 'poll' ? gateway : undefined });
  open.push({ close: async () => confirmation.close() });
  const payments = new QrPayments({ merchant: MERCHANT, confirmation, gateway, timeoutMs });
  return { sim: bank, payments, matcher, notices, logs };
}

describe('a QR payment confirmed by polling the gateway', () => {
  it('is paid by the transfer carrying its reference and amount', async () => {
    const { payments, sim, notices } = await rig('poll');
    const payment = await payments.start({ amount: 120000, reference: 'QY00000001',
      note: 'Phí khám bệnh' });
    expect(payment.content).toBe('QY00000001 Phi kham benh');
    expect(parseVietQr(payment.payload)).toMatchObject({ initiation: 'dynamic',
      amount: 120000, purpose: 'QY00000001 Phi kham benh', terminalLabel: 'QUAY01' });
    const outcome = await payment.wait();
    expect(outcome).toMatchObject({ status: 'paid', reference: 'QY00000001', amount: 120000,
      transfer: { transactionId: 'FT0000000001', amount: 120000, account: '0011001932418' } });
    expect(sim.payments()[0]!.status).toBe('paid');
    expect(notices).toEqual([]);
  });

  it('counts a transfer listed twice once', async () => {
    const { payments, sim, logs } = await rig('poll', { fault: 'twice' });
    const payment = await payments.start({ amount: 50000, reference: 'QY00000002' });
    expect(await payment.wait()).toMatchObject({ status: 'paid',
      transfer: { transactionId: 'FT0000000001' } });
    expect(sim.payments()[0]!.transfers.map((t) => t.transactionId))
      .toEqual(['FT0000000001', 'FT0000000001']);
    expect(logs.lines.filter((l) => l.msg === 'qr: duplicate transfer ignored')).toHaveLength(1);
  });

  it('flags a wrong amount for the supervisor', async () => {
    const { payments, notices } = await rig('poll', { fault: 'wrong-amount' });
    const payment = await payments.start({ amount: 120000, reference: 'QY00000003' });
    const outcome = await payment.wait();
    expect(outcome).toMatchObject({ status: 'flagged', amount: 120000,
      transfer: { amount: 119000 }, reason: { code: 'QR_PAYMENT_MISMATCH' } });
    expect(notices).toMatchObject([{ kind: 'amount-mismatch', reference: 'QY00000003',
      expectedAmount: 120000, transfer: { amount: 119000 } }]);
  });

  it('refuses badly signed answers, logs them, and changes nothing', async () => {
    const { payments, matcher, logs, sim } = await rig('poll', { fault: 'bad-signature',
      payAfterMs: NEVER_MS });
    const payment = await payments.start({ amount: 120000, reference: 'QY00000004' });
    await sim.payNow('QY00000004');
    // Answers refused before the payer paid and at least one after, carrying the transfer.
    const before = logs.lines.filter((l) => l.msg === 'qr: poll refused').length;
    await logs.seen('qr: poll refused', before + 1);
    expect(logs.lines.find((l) => l.msg === 'qr: poll refused')).toMatchObject({
      code: 'QR_SIGNATURE_INVALID', reference: 'QY00000004' });
    expect(sim.payments()[0]!.status).toBe('paid');
    expect(matcher.isWaiting('QY00000004')).toBe(true);
    const cancel = new AbortController();
    const outcome = payment.wait(cancel.signal);
    cancel.abort();
    expect(await outcome).toMatchObject({ status: 'cancelled',
      reason: { code: 'QR_CANCELLED' } });
  });

  it('times out when the payer pays late, and flags the late transfer', async () => {
    const { payments, sim, notices, logs } = await rig('poll', { fault: 'late' }, 50);
    const payment = await payments.start({ amount: 120000, reference: 'QY00000005' });
    expect(await payment.wait()).toMatchObject({ status: 'timeout', reason: { code: 'QR_TIMEOUT',
      vi: 'Chưa nhận được chuyển khoản cho mã QR trong thời gian chờ' } });
    expect(sim.payments()[0]!.status).toBe('pending');
    // The late payer pays now; polling goes on after the timeout to see it.
    await sim.payNow('QY00000005');
    await logs.seen('qr: transfer flagged for the supervisor');
    expect(notices).toMatchObject([{ kind: 'after-close', reference: 'QY00000005',
      closedAs: 'timeout', transfer: { transactionId: 'FT0000000001', amount: 120000 } }]);
  });
});

describe('a QR payment confirmed by notification', () => {
  it('is paid once when the notification is sent twice', async () => {
    const { payments, sim, notices } = await rig('notify', { fault: 'twice' });
    const payment = await payments.start({ amount: 120000, reference: 'QY00000011' });
    expect(await payment.wait()).toMatchObject({ status: 'paid',
      transfer: { transactionId: 'FT0000000001' } });
    await sim.notified(2);
    expect(sim.notifications().map((n) => [n.transactionId, n.status, n.answer])).toEqual([
      ['FT0000000001', 200, '{"result":"paid"}'],
      ['FT0000000001', 200, '{"result":"duplicate"}'],
    ]);
    expect(notices).toEqual([]);
  });

  it('refuses a bad signature with 401, logs it, and leaves the payment waiting', async () => {
    const { payments, sim, matcher, logs } = await rig('notify', { fault: 'bad-signature' });
    const payment = await payments.start({ amount: 120000, reference: 'QY00000012' });
    await sim.notified(1);
    expect(sim.notifications()[0]).toMatchObject({ status: 401,
      answer: expect.stringContaining('QR_SIGNATURE_INVALID') });
    expect(logs.lines.find((l) => l.msg === 'qr: notification refused'))
      .toMatchObject({ code: 'QR_SIGNATURE_INVALID' });
    expect(matcher.isWaiting('QY00000012')).toBe(true);
    payment.cancel();
    expect((await payment.wait()).status).toBe('cancelled');
  });

  it('flags a wrong amount for the supervisor', async () => {
    const { payments, notices } = await rig('notify', { fault: 'wrong-amount' });
    const payment = await payments.start({ amount: 1500, reference: 'QY00000013' });
    expect(await payment.wait()).toMatchObject({ status: 'flagged', transfer: { amount: 2500 } });
    expect(notices.map((n) => [n.kind, n.expectedAmount, n.transfer.amount]))
      .toEqual([['amount-mismatch', 1500, 2500]]);
  });

  it('flags a late transfer, after the wait timed out, for the supervisor', async () => {
    const { payments, sim, notices } = await rig('notify', { fault: 'late' }, 50);
    const payment = await payments.start({ amount: 120000, reference: 'QY00000014' });
    expect((await payment.wait()).status).toBe('timeout');
    expect(sim.payments()[0]!.status).toBe('pending');
    // The late payer pays now: what arrives after the wait is the supervisor's to look at.
    await sim.payNow('QY00000014');
    expect(sim.notifications().map((n) => n.answer)).toEqual(['{"result":"after-close"}']);
    expect(notices).toMatchObject([{ kind: 'after-close', reference: 'QY00000014',
      closedAs: 'timeout', transfer: { amount: 120000 } }]);
  });

  it('flags a transfer after a cancel', async () => {
    const { payments, sim, notices } = await rig('notify', { payAfterMs: NEVER_MS });
    const payment = await payments.start({ amount: 120000, reference: 'QY00000015' });
    const cancel = new AbortController();
    cancel.abort();
    expect((await payment.wait(cancel.signal)).status).toBe('cancelled');
    await sim.payNow('QY00000015');
    expect(notices).toMatchObject([{ kind: 'after-close', closedAs: 'cancelled' }]);
  });
});

describe('the bank simulator', () => {
  it('refuses a code whose CRC fails, a static code, and a code announced twice', async () => {
    const gateway = new QrGateway({ baseUrl: (await startSim()).url, secret: SECRET });
    const payload = buildVietQr({ ...MERCHANT, initiation: 'dynamic', amount: 120000,
      purpose: 'QY00000021' });
    await expect(gateway.register(`${payload.slice(0, -4)}0000`)).rejects.toMatchObject({
      code: 'QR_CRC_MISMATCH' });
    await expect(gateway.register(buildVietQr({ ...MERCHANT, initiation: 'static' })))
      .rejects.toThrow(/HTTP 400/);
    await gateway.register(payload);
    await expect(gateway.register(payload)).rejects.toThrow(/HTTP 409/);
  });
});

describe('the notification endpoint', () => {
  it('refuses a signed body that is not a transfer, and other content types', async () => {
    const matcher = new QrMatcher();
    const listener = await startNotificationListener({ secret: SECRET, matcher });
    open.push(listener);
    const post = (body: string, type = 'application/json') => fetch(listener.url, {
      method: 'POST', body,
      headers: { 'content-type': type, 'x-signature': signBody(body, SECRET) },
    });
    const answer = async (response: Response) =>
      [response.status, await response.json()] as [number, { code: string; message: string }];
    const [status, notJson] = await answer(await post('{"transactionId":'));
    expect([status, notJson.code]).toEqual([400, 'QR_MALFORMED']);
    const noAmount = await post('{"transactionId":"FT1","content":"QY1","paidAt":"now"}');
    expect((await answer(noAmount))[1].message).toMatch(/^confirmation field amount/);
    expect((await post('transactionId=FT1', 'application/x-www-form-urlencoded')).status)
      .toBe(415);
  });
});

describe('polling a gateway that cannot be reached', () => {
  it('logs QR_GATEWAY_UNREACHABLE and goes on waiting until cancelled', async () => {
    const closed = await startSim();
    await closed.close();
    open.pop();
    const logs = logSink();
    const confirmation = new QrConfirmation({ log: logs.log, pollIntervalMs: 10,
      lateWatchMs: 0, gateway: new QrGateway({ baseUrl: closed.url, secret: SECRET }) });
    const cancel = new AbortController();
    const outcome = confirmation.wait({ reference: 'QY00000031', amount: 120000,
      timeoutMs: NEVER_MS, signal: cancel.signal });
    await logs.seen('qr: poll refused', 2);
    expect(logs.lines.find((l) => l.msg === 'qr: poll refused'))
      .toMatchObject({ code: 'QR_GATEWAY_UNREACHABLE' });
    cancel.abort();
    expect((await outcome).status).toBe('cancelled');
  });
});

async function startSim(): Promise<QrBankSimulator> {
  const sim = await startQrBankSimulator({ secret: SECRET });
  open.push(sim);
  return sim;
}

describe('the signature', () => {
  it('is HMAC-SHA256 (RFC 4231 test case 2) compared in full', () => {
    const mac = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
    expect(signBody('what do ya want for nothing?', 'Jefe')).toBe(mac);
    expect(signatureHolds('what do ya want for nothing?', mac.toUpperCase(), 'Jefe')).toBe(true);
    expect(signatureHolds('what do ya want for nothing!', mac, 'Jefe')).toBe(false);
    expect(signatureHolds('what do ya want for nothing?', mac.slice(0, 62), 'Jefe')).toBe(false);
    expect(signatureHolds('what do ya want for nothing?', undefined, 'Jefe')).toBe(false);
  });
});
