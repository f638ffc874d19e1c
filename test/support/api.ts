import type { FastifyInstance } from 'fastify';
import { buildApi, type ApiParts } from '../../src/api/server';
import { startApp, type App } from '../../src/app';
import { silentLogger } from '../../src/log';
import { testConfig } from './app-config';

export interface RunningApi {
  app: App;
  api: FastifyInstance;
  base: string;
  close(): Promise<void>;
}

/** quay on its embedded defaults (fresh data folder) with the counter API on a loopback port. */
export async function startApi(extra: Partial<ApiParts> = {},
  overrides: Record<string, unknown> = {}): Promise<RunningApi> {
  const app = await startApp(testConfig(overrides), { log: silentLogger });
  const api = buildApi({ terminal: app.terminal, journal: app.journal, receipts: app.receipts,
    settlement: app.settlement, fees: app.config.fees, qr: app.qr, log: silentLogger, ...extra });
  await api.listen({ host: '127.0.0.1', port: 0 });
  const address = api.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { app, api, base, close: async () => { await api.close(); await app.close(); } };
}

export function postJson(base: string, path: string, body: unknown,
  headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}${path}`, { method: 'POST',
    headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** Waits until `check` holds, looking every few milliseconds; fails after `ms`. */
export async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
