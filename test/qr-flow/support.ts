import { createServer } from 'node:net';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import type { FastifyInstance } from 'fastify';
import { hashSecret } from '../../src/api/auth';
import { buildApi } from '../../src/api/server';
import { startApp, type App } from '../../src/app';
import { silentLogger } from '../../src/log';
import { QrGateway } from '../../src/qr/confirmation';
import {
  startQrBankSimulator, type QrBankSimulator, type QrBankSimulatorOptions,
} from '../../src/qr/simulator/server';
import { QrCounter, type QrCounterOptions } from '../../src/terminal/qr-payment';
import { testConfig } from '../support/app-config';

export const SECRET = 'qr-flow-shared-secret';
export const DESK_TOKEN = 'desk-0123456789abcdef';
export const SUPERVISOR = { name: 'minh', secret: 'mật khẩu 9' };
export const MERCHANT = { bin: '970415', account: '0011001932418', service: 'QRIBFTTA' as const,
  terminalLabel: 'QUAY0001' };
/** The simulated payer pays only when a test says so (payNow). */
export const NEVER_MS = 3_600_000;

export interface QrRig {
  app: App;
  api: FastifyInstance;
  base: string;
  sim: QrBankSimulator;
  qr: QrCounter;
  desk: Record<string, string>;
  close(): Promise<void>;
}

/** A TCP port free now, for a server that must be named before it starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  return typeof address === 'object' && address ? address.port : 0;
}

/**
 * quay on its embedded defaults with the counter API on loopback, the QR bank simulator, and
 * a QR counter polling it. `config` adds to the configuration; `qr` to the counter's options
 * (short timeouts, which the configuration refuses); `sim` to the simulator's.
 */
export async function startQrRig(options: { qr?: Partial<QrCounterOptions>;
  sim?: Partial<QrBankSimulatorOptions>; simPort?: number; config?: Record<string, unknown> } = {}):
  Promise<QrRig> {
  const sim = await startQrBankSimulator({ secret: SECRET, payAfterMs: NEVER_MS,
    lateMs: NEVER_MS, port: options.simPort, ...options.sim });
  const app = await startApp(testConfig({ printer: { kind: 'none' }, display: { kind: 'none' },
    ...options.config }), { log: silentLogger });
  const qr = app.qr ?? new QrCounter({ journal: app.journal, terminal: app.terminal,
    merchant: MERCHANT, terminalId: app.config.terminal.terminalId,
    merchantId: app.config.terminal.merchantId,
    gateway: new QrGateway({ baseUrl: sim.url, secret: SECRET }), secret: SECRET,
    pollIntervalMs: 20, lateWatchMs: 60_000, lateWatchIntervalMs: 20, ...options.qr });
  await qr.open();
  const api = buildApi({ terminal: app.terminal, journal: app.journal, settlement: app.settlement,
    log: silentLogger, qr, security: { token: DESK_TOKEN, users: [
      { name: SUPERVISOR.name, role: 'supervisor', secret: await hashSecret(SUPERVISOR.secret) },
    ] } });
  await api.listen({ host: '127.0.0.1', port: 0 });
  const address = api.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { app, api, base, sim, qr, desk: { authorization: `Bearer ${DESK_TOKEN}` },
    close: async () => {
      await api.close();
      await qr.close();
      await app.close();
      await sim.close();
    } };
}

/** The text a QR decoder reads from a PNG data URL, as a payer's camera would. */
export function scanDataUrl(url: string): string | undefined {
  const png = PNG.sync.read(Buffer.from(url.replace(/^data:image\/png;base64,/, ''), 'base64'));
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

/** Waits until `check` holds, looking every few milliseconds; fails after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
