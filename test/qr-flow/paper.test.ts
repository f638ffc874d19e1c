import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { pageToPng } from '../../drivers/printer/page-render';
import type { PrintJob } from '../../drivers/printer/printer-simulator';
import { buildApi } from '../../src/api/server';
import { startApp, type App } from '../../src/app';
import { silentLogger } from '../../src/log';
import { QrGateway } from '../../src/qr/confirmation';
import { startQrBankSimulator, type QrBankSimulator } from '../../src/qr/simulator/server';
import { parseVietQr } from '../../src/qr/vietqr';
import { QrCounter, type QrCounterOptions } from '../../src/terminal/qr-payment';
import { testConfig } from '../support/app-config';
import { postJson } from '../support/api';
import { DESK_TOKEN, MERCHANT, NEVER_MS, SECRET, until } from './support';

/**
 * QR paper end to end: the counter API, the bank's QR simulator over loopback HTTP, and the
 * printer simulator on a loopback port with the printer in text mode on Windows-1258 and no
 * GS ( k, so the code goes out as an image. What the simulator decoded is what the paper says.
 */
const TEXT_PRINTER = { kind: 'embedded-simulator',
  profile: { widthDots: 384, columns: 32, cutter: false, mode: 'text', codePage: 52 } };

interface PaperRig {
  app: App;
  api: FastifyInstance;
  base: string;
  sim: QrBankSimulator;
  qr: QrCounter;
  close(): Promise<void>;
}

const rigs: PaperRig[] = [];
afterEach(async () => {
  while (rigs.length > 0) await rigs.pop()!.close();
});

async function rig(qrOptions: Partial<QrCounterOptions> = {}): Promise<PaperRig> {
  const sim = await startQrBankSimulator({ secret: SECRET, payAfterMs: NEVER_MS,
    lateMs: NEVER_MS });
  const app = await startApp(testConfig({ printer: TEXT_PRINTER, display: { kind: 'none' },
    forwarder: { pollMs: 600_000 } }), { log: silentLogger });
  let n = 0;
  const qr = new QrCounter({ journal: app.journal, terminal: app.terminal, merchant: MERCHANT,
    terminalId: app.config.terminal.terminalId, merchantId: app.config.terminal.merchantId,
    gateway: new QrGateway({ baseUrl: sim.url, secret: SECRET }), secret: SECRET,
    pollIntervalMs: 20, lateWatchMs: 60_000, lateWatchIntervalMs: 20, receipts: app.receipts,
    newReference: () => `QYPAPER${String(++n).padStart(3, '0')}`, ...qrOptions });
  const api = buildApi({ terminal: app.terminal, journal: app.journal, log: silentLogger, qr,
    receipts: app.receipts, security: { token: DESK_TOKEN, users: [] } });
  await api.listen({ host: '127.0.0.1', port: 0 });
  const address = api.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const made = { app, api, base, sim, qr, close: async () => {
    await api.close();
    await qr.close();
    await app.close();
    await sim.close();
  } };
  rigs.push(made);
  return made;
}

const DESK = { authorization: `Bearer ${DESK_TOKEN}` };

async function post(r: PaperRig, path: string, body: Record<string, unknown> = {}) {
  const response = await postJson(r.base, path, body, DESK);
  return { status: response.status, body: await response.json() as Record<string, any> };
}

async function createQr(r: PaperRig) {
  return post(r, '/v1/qr-payments', { amount: 150_000, reference: 'LP-2025-000123',
    payer: 'Nguyễn Văn Ấn', description: 'Lệ phí cấp bản sao trích lục hộ tịch' });
}

/** What a phone reads from the page the printer simulator drew. */
function scanJob(job: PrintJob): string | undefined {
  const png = PNG.sync.read(pageToPng(job.page));
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

function pair(label: string, value: string): string {
  return `${label}${' '.repeat(32 - [...label].length - [...value].length)}${value}`;
}

describe('QR payment paper through the API and the printer simulator', () => {
  it('prints the code slip on request: a phone reads the payload the API gave', async () => {
    const r = await rig();
    const created = await createQr(r);
    expect(created.status).toBe(201);
    const id = created.body.journalId as number;

    const printed = await post(r, `/v1/qr-payments/${id}/print`);
    expect(printed).toEqual({ status: 200, body: { journalId: id, printed: true, error: null } });
    const job = await r.app.printerSimulator!.waitForJob(5_000);
    expect(job.partial).toBe(false);
    expect(job.page.problems).toEqual([]);
    expect(scanJob(job)).toBe(created.body.payload);
    expect(parseVietQr(scanJob(job)!)).toMatchObject({ amount: 150_000, bin: '970415',
      account: '0011001932418', billNumber: 'LP-2025-000123', purpose: 'QYPAPER001' });
    expect(job.page.text).toEqual(expect.arrayContaining(['THANH TOÁN VIETQR', '150.000 ₫',
      'Bằng chữ: Một trăm năm mươi', 'Người nộp: Nguyễn Văn Ấn',
      'Quét mã bằng ứng dụng ngân hàng', pair('Nội dung CK', 'QYPAPER001')]));
    expect(job.page.text.some((t) => t.startsWith('Hiệu lực đến '))).toBe(true);
  });

  it('prints the paid receipt with the bank transfer reference, and keeps it', async () => {
    const r = await rig();
    const id = (await createQr(r)).body.journalId as number;
    await r.sim.payNow('QYPAPER001');
    const job = await r.app.printerSimulator!.waitForJob(10_000);
    expect(job.page.problems).toEqual([]);
    expect(job.page.text).toEqual(expect.arrayContaining(['HÓA ĐƠN THANH TOÁN VIETQR',
      pair('Hình thức', 'VietQR'), pair('Mã GD ngân hàng', 'FT0000000001'),
      pair('Nội dung CK', 'QYPAPER001'), pair('Mã tham chiếu', 'LP-2025-000123'),
      '150.000 ₫', 'THÀNH CÔNG', 'LIÊN GIAO KHÁCH HÀNG']));
    expect(job.page.text.some((t) => /Số thẻ|AID|STAN/.test(t))).toBe(false);
    expect(scanJob(job)).toBeUndefined();

    await until(() => r.app.journal.get(id)?.receipt_bytes_path !== null);
    const row = r.app.journal.get(id)!;
    expect(row.state).toBe('approved');
    expect(row.receipt_bytes_path).toMatch(new RegExp(`receipt-${id}-customer\\.bin$`));
    expect(r.app.printerSimulator!.jobs()).toHaveLength(1);

    // Kept as the payment's receipt, it reprints through the route card receipts use.
    const again = await post(r, `/v1/payments/${id}/reprint`);
    expect(again.body).toEqual({ journalId: id, printed: true, error: null });
    const reprint = await r.app.printerSimulator!.waitForJob(5_000);
    expect(reprint.page.text[0]).toBe('*** BAN IN LAI / REPRINT ***');
    expect(reprint.page.text).toContain(pair('Mã GD ngân hàng', 'FT0000000001'));
  });

  it('prints the slip by itself when the counter is set to, then the receipt', async () => {
    const r = await rig({ printSlip: true });
    const created = await createQr(r);
    const slip = await r.app.printerSimulator!.waitForJob(5_000);
    expect(scanJob(slip)).toBe(created.body.payload);
    await r.sim.payNow('QYPAPER001');
    const receipt = await r.app.printerSimulator!.waitForJob(10_000);
    expect(receipt.page.text).toContain(pair('Mã GD ngân hàng', 'FT0000000001'));
  });

  it('prints nothing for a cancelled code, and refuses its slip afterwards', async () => {
    const r = await rig();
    const id = (await createQr(r)).body.journalId as number;
    const cancelled = await post(r, `/v1/qr-payments/${id}/cancel`);
    expect(cancelled.body).toMatchObject({ status: 'declined', state: 'qr_expired' });
    // The wait has ended when the cancel answers: a receipt would have been sent by then.
    expect(r.app.printerSimulator!.jobs()).toHaveLength(0);
    expect(r.app.journal.get(id)!.receipt_bytes_path).toBeNull();

    const late = await post(r, `/v1/qr-payments/${id}/print`);
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ error: { code: 'ABORT_TOO_LATE' } });
    expect(r.app.printerSimulator!.jobs()).toHaveLength(0);
  });

  it('answers 404 for an id that is no QR payment', async () => {
    const r = await rig();
    expect((await post(r, '/v1/qr-payments/999/print')).status).toBe(404);
  });
});

describe('QR paper without a printer', () => {
  it('answers OPERATION_UNAVAILABLE (501) when the counter has no receipts', async () => {
    const r = await rig({ receipts: undefined });
    const id = (await createQr(r)).body.journalId as number;
    const printed = await post(r, `/v1/qr-payments/${id}/print`);
    expect(printed.status).toBe(501);
    expect(printed.body).toMatchObject({ error: { code: 'OPERATION_UNAVAILABLE' } });
  });
});
