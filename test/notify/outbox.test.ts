import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessReader } from '../../drivers/card/virtual/in-process-reader';
import { loadVirtualCard } from '../../drivers/card/virtual/load';
import { hashSecret } from '../../src/api/auth';
import { buildApi } from '../../src/api/server';
import { startApp, type App } from '../../src/app';
import { silentLogger } from '../../src/log';
import { EVENT_HEADER, SIGNATURE_HEADER, signBody } from '../../src/notify/outbox';
import { postJson } from '../support/api';
import { CARDS_DIR, testConfig } from '../support/app-config';

/**
 * Outcomes pushed to the dossier system: a receiver on loopback HTTP that refuses the first
 * delivery, the daemon started from its configuration with api.notify, and a real journal.
 */
const SECRET = 'notify-secret-0123456789';
const GOOD = `${CARDS_DIR}visa-cvn10.yaml`;

interface Received { eventId: string; signature: string; body: string; status?: number;
  parsed: { eventId: string; outcome: string; transaction: Record<string, unknown> } }

const servers: Server[] = [];
const apps: App[] = [];
afterEach(async () => {
  while (apps.length > 0) await apps.pop()!.close();
  while (servers.length > 0) {
    const server = servers.pop()!;
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A receiver that answers `statuses` in turn (then 200) and keeps what it was sent. */
async function receiver(statuses: number[]): Promise<{ url: string; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk.toString('utf8'); });
    req.on('end', () => {
      const status = statuses.shift() ?? 200;
      got.push({ eventId: String(req.headers[EVENT_HEADER]), status,
        signature: String(req.headers[SIGNATURE_HEADER]), body, parsed: JSON.parse(body) });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/paid`, got };
}

async function open(url: string, dataDir?: string): Promise<App> {
  const config = testConfig({ printer: { kind: 'none' }, display: { kind: 'none' },
    api: { notify: { url, secret: SECRET, retryBaseMs: 50, retryMaxMs: 200 } },
    ...(dataDir ? { dataDir } : {}) });
  const app = await startApp(config, { log: silentLogger });
  apps.push(app);
  return app;
}

async function until(what: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('outcome notifications', () => {
  it('posts each final outcome signed, retries a refusal under the same event id', async () => {
    const sink = await receiver([503]);
    const app = await open(sink.url);
    (app.reader as InProcessReader).insert(loadVirtualCard(GOOD));
    const paid = await app.terminal.pay({ amount: 150_000, reference: 'HS-N-1' });
    expect(paid.status).toBe('approved');
    await until(() => sink.got.length >= 2);

    // The first delivery was refused (503) and came again, the same event both times.
    const [first, again] = sink.got;
    expect(again!.eventId).toBe(first!.eventId);
    expect(again!.body).toBe(first!.body);
    for (const item of sink.got) {
      expect(item.signature).toBe(signBody(SECRET, item.body));
      expect(item.parsed.eventId).toBe(item.eventId);
    }
    expect(first!.parsed).toMatchObject({ outcome: 'approved', transaction: {
      journalId: paid.journalId, kind: 'purchase', reference: 'HS-N-1', amount: 150_000,
      maskedPan: '**** **** **** 0010', responseCode: '00' } });
    expect(first!.body).not.toContain('4761739001010010');

    // A void: the dossier hears that the sale was voided, not that a void was approved.
    await app.terminal.voidPayment(paid.journalId);
    await until(() => sink.got.length >= 3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sink.got.slice(2).map((g) => [g.parsed.outcome, g.parsed.transaction.journalId]))
      .toEqual([['voided', paid.journalId]]);
    expect(app.outbox!.pendingCount()).toBe(0);
  });

  it('never delivers a sale\'s "voided" before its "approved", whatever the retries',
    async () => {
      // The approval is refused three times; the void's outcome is due before its retry.
      const sink = await receiver([503, 503, 503]);
      const app = await open(sink.url);
      (app.reader as InProcessReader).insert(loadVirtualCard(GOOD));
      const paid = await app.terminal.pay({ amount: 120_000, reference: 'HS-N-3' });
      await until(() => sink.got.length >= 1);
      await app.terminal.voidPayment(paid.journalId);
      await until(() => sink.got.filter((g) => g.status === 200).length >= 2);
      expect(sink.got.filter((g) => g.status === 200).map((g) => g.parsed.outcome))
        .toEqual(['approved', 'voided']);
      // Every refused delivery was the approval: the void waited behind it.
      expect(sink.got.filter((g) => g.status !== 200).map((g) => g.parsed.outcome))
        .toEqual(['approved', 'approved', 'approved']);
    });

  it('keeps an outcome the receiver never took through a restart, and delivers it then',
    async () => {
      const down = await receiver(Array(1000).fill(503));
      const app = await open(down.url);
      (app.reader as InProcessReader).insert(loadVirtualCard(GOOD));
      const paid = await app.terminal.pay({ amount: 90_000, reference: 'HS-N-2' });
      await until(() => down.got.length >= 1);
      expect(app.outbox!.pendingCount()).toBe(1);
      const eventId = down.got[0]!.eventId;
      await app.close();
      apps.pop();

      const up = await receiver([]);
      const again = await open(up.url, app.dataDir);
      await until(() => up.got.length >= 1);
      expect(up.got.map((g) => [g.eventId, g.parsed.outcome, g.parsed.transaction.journalId]))
        .toEqual([[eventId, 'approved', paid.journalId]]);
      await until(() => again.outbox!.pendingCount() === 0);
    });
});

describe('outcome notifications while the receiver is down', () => {
  /** A port nothing listens on yet: deliveries are refused until the receiver starts there. */
  async function freePort(): Promise<number> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    return port;
  }

  /**
   * The dossier system back on `port`: it takes the first delivery and then loses the answer
   * (the socket is destroyed), so that one comes again; the rest get 200.
   */
  async function receiverOn(port: number): Promise<Received[]> {
    const got: Received[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => { body += chunk.toString('utf8'); });
      req.on('end', () => {
        got.push({ eventId: String(req.headers[EVENT_HEADER]),
          signature: String(req.headers[SIGNATURE_HEADER]), body, parsed: JSON.parse(body) });
        if (got.length === 1) res.socket?.destroy();
        else res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    servers.push(server);
    return got;
  }

  it('delivers every outcome of the payments made meanwhile, signed; a repeat is the same event',
    async () => {
      const port = await freePort();
      const app = await open(`http://127.0.0.1:${port}/paid`);
      const supervisor = { name: 'minh', secret: 'mật khẩu 9' };
      const api = buildApi({ terminal: app.terminal, journal: app.journal, log: silentLogger,
        outbox: app.outbox, settlement: app.settlement,
        security: { users: [{ name: supervisor.name, role: 'supervisor',
          secret: await hashSecret(supervisor.secret) }] } });
      await api.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
      try {
        const session = await postJson(base, '/v1/sessions', supervisor);
        const auth = { authorization: `Bearer ${(await session.json() as { token: string })
          .token}` };
        (app.reader as InProcessReader).insert(loadVirtualCard(GOOD));
        // Approved, declined by the bank (51), reversed (a reply that does not unpack), a sale
        // voided, and a partial refund of the first.
        const calls: [string, unknown, string][] = [
          ['/v1/payments', { amount: 150_000, reference: 'HS-D-1' }, 'approved'],
          ['/v1/payments', { amount: 100_051, reference: 'HS-D-2' }, 'declined'],
          ['/v1/payments', { amount: 150_098, reference: 'HS-D-3' }, 'reversed'],
          ['/v1/payments', { amount: 20_000, reference: 'HS-D-4' }, 'approved'],
          ['/v1/payments/4/void', {}, 'approved'],
          ['/v1/payments/1/refund', { amount: 30_000 }, 'approved'],
        ];
        for (const [path, body, status] of calls) {
          const response = await postJson(base, path, body, auth);
          expect(await response.json(), path).toMatchObject({ status });
        }

        // Nothing could be delivered: all six are kept, each tried and refused but the sale's
        // "voided", which waits behind its undelivered "approved" (outcomes keep their order).
        const firstOfEach = (e: { transactionId: number }, i: number, all: typeof e[]) =>
          all.findIndex((o) => o.transactionId === e.transactionId) === i;
        await until(() => app.outbox!.entries().length === 6
          && app.outbox!.entries().filter(firstOfEach).every((e) => e.attempts >= 1));
        const devices = await (await fetch(`${base}/v1/devices`, { headers: auth })).json();
        expect(devices).toMatchObject({ notifications: { configured: true, pending: 6 } });
        expect(app.outbox!.entries().map((e) => [e.transactionId, e.delivered, e.lastError]))
          .toEqual([1, 2, 3, 4, 4, 6].map((id, i) => [id, false, i === 4 ? null
            : 'ECONNREFUSED']));

        const got = await receiverOn(port);
        await until(() => app.outbox!.pendingCount() === 0);
        for (const item of got) {
          expect(item.signature).toBe(signBody(SECRET, item.body));
          expect(item.parsed.eventId).toBe(item.eventId);
          expect(item.body).not.toContain('4761739001010010');
        }
        // The first delivery's answer was lost: it came again, the same event and bytes.
        const repeats = got.filter((g) => g.eventId === got[0]!.eventId);
        expect(repeats).toHaveLength(2);
        expect(repeats[1]!.body).toBe(repeats[0]!.body);
        expect(got).toHaveLength(7);

        const seq = (id: string) => Number(id.slice(id.lastIndexOf('-') + 1));
        const once = [...new Map(got.map((g) => [g.eventId, g])).values()]
          .sort((a, b) => seq(a.eventId) - seq(b.eventId));
        expect(once.map((g) => [g.parsed.outcome, g.parsed.transaction.journalId,
          g.parsed.transaction.reference])).toEqual([
          ['approved', 1, 'HS-D-1'], ['declined', 2, 'HS-D-2'], ['reversed', 3, 'HS-D-3'],
          ['approved', 4, 'HS-D-4'], ['voided', 4, 'HS-D-4'], ['refunded', 6, 'HS-D-1'],
        ]);
        expect(once[1]!.parsed.transaction).toMatchObject({ responseCode: '51',
          status: 'declined' });
        expect(once[5]!.parsed.transaction).toMatchObject({ kind: 'refund', originalId: 1,
          amount: 30_000 });
        expect(once.map((g) => g.eventId)).toEqual(app.outbox!.entries().map((e) => e.eventId));
      } finally {
        await api.close();
      }
    });
});
