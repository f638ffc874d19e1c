import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessReader } from '../../drivers/card/virtual/in-process-reader';
import { loadVirtualCard } from '../../drivers/card/virtual/load';
import { CARDS_DIR } from '../support/app-config';
import { postJson, startApi, until, type RunningApi } from '../support/api';

/**
 * The lost answer: desk software sends a payment with an idempotency key and loses the
 * connection before the answer. The payment still ends; the status asked by key tells the
 * outcome, and a retry with the same key returns that one payment: one journal row, one 0200.
 */
describe('a payment whose answer is lost', () => {
  let run: RunningApi;
  const reader = () => run.app.reader as InProcessReader;
  const insertCard = () => reader().insert(loadVirtualCard(`${CARDS_DIR}visa-cvn10.yaml`));
  const byKey = async (key: string) => {
    const response = await fetch(`${run.base}/v1/payments/by-key/${key}`);
    return { status: response.status, body: await response.json() as Record<string, unknown> };
  };
  const rowsOf = (reference: string) =>
    run.app.journal.search({ reference, limit: 10, offset: 0 }).total;
  const purchasesAtBank = () =>
    run.app.acquirerSimulator!.journal.filter((e) => e.mti === '0200').length;

  beforeAll(async () => {
    run = await startApi({}, { printer: { kind: 'none' }, display: { kind: 'none' } });
  });

  afterAll(async () => {
    await run?.close();
  });

  it('the client aborts while the card is awaited: status by key, then a replayed retry',
    async () => {
      reader().remove();
      const controller = new AbortController();
      const body = { amount: 250_000, reference: 'HS-LA-1' };
      const dropped = fetch(`${run.base}/v1/payments`, { method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'la-1' },
        body: JSON.stringify(body), signal: controller.signal });
      await until(() => run.app.journal.byIdempotencyKey('la-1') !== undefined);
      controller.abort();
      await expect(dropped).rejects.toThrow();
      // The payment waits for the card all the same; asked now, it is still running.
      expect(await byKey('la-1')).toMatchObject({ status: 200,
        body: { status: 'in_progress', reference: 'HS-LA-1' } });

      insertCard();
      await until(() => run.app.journal.byIdempotencyKey('la-1')?.state === 'approved');
      const status = await byKey('la-1');
      expect(status).toMatchObject({ status: 200, body: { status: 'approved', amount: 250_000,
        idempotencyKey: 'la-1', responseCode: '00' } });

      const retry = await postJson(run.base, '/v1/payments', body, { 'idempotency-key': 'la-1' });
      expect(retry.status).toBe(200);
      expect(await retry.json()).toMatchObject({ journalId: status.body.journalId,
        replayed: true, status: 'approved', authCode: status.body.authCode });
      expect(rowsOf('HS-LA-1')).toBe(1);
      expect(purchasesAtBank()).toBe(1);
    });

  it('the socket is destroyed right after the request is written', async () => {
    insertCard();
    const before = purchasesAtBank();
    const body = JSON.stringify({ amount: 260_000, reference: 'HS-LA-2' });
    const { port } = new URL(run.base);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.write(['POST /v1/payments HTTP/1.1', `host: 127.0.0.1:${port}`,
          'content-type: application/json', 'idempotency-key: la-2',
          `content-length: ${Buffer.byteLength(body)}`, '', body].join('\r\n'),
        () => { socket.destroy(); resolve(); });
      });
    });

    await until(() => run.app.journal.byIdempotencyKey('la-2')?.state === 'approved');
    const status = await byKey('la-2');
    expect(status).toMatchObject({ status: 200, body: { status: 'approved', amount: 260_000,
      reference: 'HS-LA-2' } });
    const retry = await postJson(run.base, '/v1/payments', JSON.parse(body),
      { 'idempotency-key': 'la-2' });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ journalId: status.body.journalId,
      replayed: true });
    expect(rowsOf('HS-LA-2')).toBe(1);
    expect(purchasesAtBank() - before).toBe(1);
  });

  it('a key never seen answers 404 NOT_FOUND, a malformed one 400', async () => {
    expect(await byKey('la-none')).toMatchObject({ status: 404,
      body: { error: { code: 'NOT_FOUND' } } });
    expect(await byKey('la%20x')).toMatchObject({ status: 400,
      body: { error: { code: 'REQUEST_INVALID', field: 'key' } } });
  });
});
