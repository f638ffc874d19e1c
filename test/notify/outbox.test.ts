import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessReader } from '../../drivers/card/virtual/in-process-reader';
import { loadVirtualCard } from '../../drivers/card/virtual/load';
import { startApp, type App } from '../../src/app';
import { silentLogger } from '../../src/log';
import { EVENT_HEADER, SIGNATURE_HEADER, signBody } from '../../src/notify/outbox';
import { CARDS_DIR, testConfig } from '../support/app-config';

/**
 * Outcomes pushed to the dossier system: a receiver on loopback HTTP that refuses the first
 * delivery, the daemon started from its configuration with api.notify, and a real journal.
 */
const SECRET = 'notify-secret-0123456789';
const GOOD = `${CARDS_DIR}visa-cvn10.yaml`;

interface Received { eventId: string; signature: string; body: string;
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
      got.push({ eventId: String(req.headers[EVENT_HEADER]),
        signature: String(req.headers[SIGNATURE_HEADER]), body, parsed: JSON.parse(body) });
      res.writeHead(statuses.shift() ?? 200).end();
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
