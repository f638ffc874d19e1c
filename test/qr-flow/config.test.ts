import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigError } from '../../src/errors';
import { parseVietQr } from '../../src/qr/vietqr';
import { testConfig } from '../support/app-config';
import { postJson } from '../support/api';
import { freePort, SECRET, startQrRig, until, type QrRig } from './support';

/** The `qr` section: checked at start, and the QR counter app.ts builds from it. */

const QR = {
  merchant: { bin: '970415', account: '0011001932418' },
  terminalLabel: 'QUAY0001',
  secret: SECRET,
};

function problemsOf(qr: unknown): string[] {
  try {
    testConfig({ qr });
    return [];
  } catch (err) {
    return (err as ConfigError).detail.problems as string[];
  }
}

const rigs: QrRig[] = [];
afterEach(async () => {
  while (rigs.length > 0) await rigs.pop()!.close();
});

describe('the qr section', () => {
  it('needs a way to learn of transfers', () => {
    expect(problemsOf(QR)).toEqual(
      ['qr.gateway: QR payments need a gateway to poll, or notifications, or both']);
  });

  it('names what a QRPUSH merchant lacks, at start', () => {
    expect(problemsOf({ ...QR, gateway: { url: 'http://127.0.0.1:9/' },
      merchant: { ...QR.merchant, service: 'QRPUSH', name: 'UBND PHUONG 1' } })).toEqual([
      'qr.merchant: 52: a merchant payment (QRPUSH) names its MCC (52), name (59), city (60)']);
  });

  it('refuses Vietnamese marks where a code carries ASCII only', () => {
    expect(problemsOf({ ...QR, gateway: { url: 'http://127.0.0.1:9/' },
      merchant: { ...QR.merchant, name: 'UBND Phường 1' } })).toEqual([
      'qr.merchant.name: printable ASCII only: write Vietnamese without marks']);
  });

  it('builds the counter in app.ts: a paid code approved through the API', async () => {
    const simPort = await freePort();
    const r = await startQrRig({ simPort, config: { qr: { ...QR,
      gateway: { url: `http://127.0.0.1:${simPort}/`, pollIntervalMs: 250 } } } });
    rigs.push(r);
    expect(r.app.qr).toBe(r.qr);
    const created = await postJson(r.base, '/v1/qr-payments',
      { amount: 35_000, reference: 'HS-C-1', note: 'Lệ phí hộ tịch' }, r.desk);
    expect(created.status).toBe(201);
    const body = await created.json() as { journalId: number; qrReference: string;
      content: string; payload: string };
    expect(body.qrReference).toMatch(/^QY[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(body.content).toBe(`${body.qrReference} Le phi ho tich`);
    expect(parseVietQr(body.payload)).toMatchObject({ amount: 35_000,
      terminalLabel: 'QUAY0001', purpose: body.content });
    await r.sim.payNow(body.qrReference);
    await until(() => r.app.journal.get(body.journalId)!.state === 'approved');
  });
});
