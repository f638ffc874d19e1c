import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import type { PrintJob } from '../../drivers/printer/printer-simulator';
import { InProcessReader } from '../../drivers/card/virtual/in-process-reader';
import { loadVirtualCard } from '../../drivers/card/virtual/load';
import { startApp, type App } from '../../src/app';
import { DEFAULT_CONFIG_PATH } from '../../src/config/load';
import { silentLogger } from '../../src/log';
import { CARDS_DIR, SHARED_CARDS, testConfig } from '../support/app-config';
import { postJson, startApi } from '../support/api';

/**
 * Receipts in the flow: the in-process card, the embedded bank and the printer simulator on
 * a loopback port, the printer in text mode on Windows-1258 (page 52). The simulator decodes
 * what it received through the code page; the lines below are what the paper must say.
 */
const VISA = `${CARDS_DIR}visa-cvn10.yaml`;
const OFFLINE_CARD = `${SHARED_CARDS}visa-offline.yaml`;
const TEXT_PRINTER = { kind: 'embedded-simulator',
  profile: { widthDots: 384, columns: 32, cutter: false, mode: 'text', codePage: 52 } };
const QUIET = { printer: TEXT_PRINTER, display: { kind: 'none' },
  forwarder: { pollMs: 600_000 } };

const apps: App[] = [];
afterEach(async () => {
  while (apps.length > 0) await apps.pop()!.close();
});

async function open(overrides: Record<string, unknown> = {}): Promise<App> {
  const app = await startApp(testConfig({ ...QUIET, ...overrides }), { log: silentLogger });
  apps.push(app);
  return app;
}

function insert(app: App, card = VISA): void {
  (app.reader as InProcessReader).insert(loadVirtualCard(card));
}

/** Label left, value right, on the 32 columns of 58 mm paper. */
function pair(label: string, value: string): string {
  return `${label}${' '.repeat(32 - label.length - value.length)}${value}`;
}

async function nextJobs(app: App, count: number): Promise<PrintJob[]> {
  const jobs: PrintJob[] = [];
  for (let i = 0; i < count; i++) jobs.push(await app.printerSimulator!.waitForJob(5_000));
  return jobs;
}

function expectDecoded(job: PrintJob): string[] {
  expect(job.partial).toBe(false);
  expect(job.page.problems).toEqual([]);
  // Every job starts with ESC @ and selects Windows-1258 explicitly.
  expect(job.printed.subarray(0, 3).toString('hex')).toBe('1b401b');
  expect(job.printed[3]).toBe(0x74);
  expect(job.printed[4]).toBe(52);
  return job.page.text;
}

describe('receipts of payments', () => {
  it('prints the merchant copy with the signature line, then the customer copy', async () => {
    const app = await open();
    insert(app);
    const result = await app.terminal.pay({ amount: 150_000, reference: 'LP-2026-0001',
      dossier: 'HS-2026-0042', payer: 'Nguyễn Văn Ấn' });
    expect(result).toMatchObject({ status: 'approved', receipt: { printed: true } });
    // visa-cvn10: online PIN is not supported by the in-process reader, so 5E03 (signature).
    expect(app.journal.get(result.journalId)).toMatchObject({ cvm_results: '5E0300',
      dossier: 'HS-2026-0042' });

    const [merchant, customer] = (await nextJobs(app, 2)).map(expectDecoded);
    for (const lines of [merchant!, customer!]) {
      expect(lines).toContain('HÓA ĐƠN THANH TOÁN THẺ');
      expect(lines).toContain(pair('Số hồ sơ', 'HS-2026-0042'));
      expect(lines).toContain(pair('Mã tham chiếu', 'LP-2026-0001'));
      expect(lines).toContain('Người nộp: Nguyễn Văn Ấn');
      expect(lines).toContain('150.000 ₫');
      expect(lines).toContain('THÀNH CÔNG');
      expect(lines).toContain(pair('STAN', '000001'));
    }
    expect(merchant).toContain('Chữ ký chủ thẻ:');
    expect(merchant).toContain('Đồng ý thanh toán số tiền trên');
    expect(merchant).toContain('LIÊN LƯU TẠI ĐƠN VỊ');
    expect(customer).not.toContain('Chữ ký chủ thẻ:');
    expect(customer).toContain('LIÊN GIAO KHÁCH HÀNG');
    expect(app.printerSimulator!.jobs()).toHaveLength(2);
  });

  it('marks an offline approval "to forward" on its receipt', async () => {
    const port = await freePort();
    const app = await open({
      host: { kind: 'tcp', host: '127.0.0.1', port, tpdu: '6000010000', connectTimeoutMs: 500,
        responseTimeoutMs: 2_000, reversalTimeoutMs: 500 },
      emv: emvWithDefaultTac('0000000000'),
      offline: { enabled: true, maxAmount: 500_000, maxTotal: 900_000, maxCount: 3,
        maxAgeMinutes: 60, aids: ['A0000000031010'] },
    });
    insert(app, OFFLINE_CARD);
    const result = await app.terminal.pay({ amount: 120_000, reference: 'HS-OFF-1' });
    expect(result).toMatchObject({ status: 'approved_offline', authCode: 'Y30001' });
    await until(() => app.printerSimulator!.jobs().length > 0);
    const jobs = app.printerSimulator!.jobs();
    const customer = expectDecoded(jobs[jobs.length - 1]!);
    expect(customer).toContain('NGOẠI TUYẾN, CHỜ GỬI');
    expect(customer).toContain('THÀNH CÔNG');
    expect(customer).toContain(pair('MÃ CHUẨN CHI', 'Y30001'));
    expect(customer).toContain('120.000 ₫');
    expect(customer).toContain('LIÊN GIAO KHÁCH HÀNG');
  });
});

describe('receipts of voids and refunds', () => {
  it('prints the void receipt with the sale it cancels', async () => {
    const app = await open();
    insert(app);
    const sale = await app.terminal.pay({ amount: 150_000, reference: 'HS-V-1',
      dossier: 'HS-V-0001' });
    await nextJobs(app, 2);
    const voided = await app.terminal.voidPayment(sale.journalId, { operator: 'minh' });
    expect(voided).toMatchObject({ status: 'approved', stan: 2 });

    const [lines] = (await nextJobs(app, 1)).map(expectDecoded);
    expect(lines).toContain('HÓA ĐƠN HỦY GIAO DỊCH');
    expect(lines).toContain(pair('STAN', '000002'));
    expect(lines).toContain(pair('Số HĐ gốc', '000001'));
    expect(lines).toContain(pair('STAN gốc', '000001'));
    expect(lines).toContain(pair('Số hồ sơ', 'HS-V-0001'));
    expect(lines).toContain('-150.000 ₫');
    expect(lines).toContain(pair('Số thẻ', '**** **** **** 0010'));
    expect(app.journal.get(voided.journalId)?.receipt_bytes_path)
      .toMatch(new RegExp(`receipt-${voided.journalId}-customer\\.bin$`));
  });

  it('prints the refund receipt after the bank approved it', async () => {
    const app = await open();
    insert(app);
    const sale = await app.terminal.pay({ amount: 150_000, reference: 'HS-R-1' });
    await nextJobs(app, 2);
    insert(app);
    const refund = await app.terminal.refundPayment(sale.journalId, { amount: 50_000 });
    expect(refund).toMatchObject({ kind: 'refund', status: 'approved', stan: 2 });

    const [lines] = (await nextJobs(app, 1)).map(expectDecoded);
    expect(lines).toContain('HÓA ĐƠN HOÀN TIỀN');
    expect(lines).toContain(pair('Số hóa đơn', '000002'));
    expect(lines).toContain(pair('Số HĐ gốc', '000001'));
    expect(lines).toContain(pair('STAN gốc', '000001'));
    expect(lines).toContain('-50.000 ₫');
    expect(lines).toContain('THÀNH CÔNG');
  });
});

describe('end-of-day reports', () => {
  it('prints the Z report with the totals the bank accepted', async () => {
    const app = await open();
    insert(app);
    const kept = await app.terminal.pay({ amount: 150_000, reference: 'HS-Z-1' });
    insert(app);
    const voided = await app.terminal.pay({ amount: 450_000, reference: 'HS-Z-2' });
    await app.terminal.voidPayment(voided.journalId);
    insert(app);
    await app.terminal.refundPayment(kept.journalId, { amount: 50_000 });
    // Two copies per signed sale, one void, one refund.
    await nextJobs(app, 6);

    const result = await app.terminal.settle(app.settlement, 'minh');
    expect(result).toMatchObject({ batch: 1, nextBatch: 2, totals: { saleCount: 1,
      saleAmount: 150_000, refundCount: 1, refundAmount: 50_000 }, voidCount: 1 });
    const [lines] = (await nextJobs(app, 1)).map(expectDecoded);
    expect(lines).toContain('BÁO CÁO Z - CHỐT LÔ');
    expect(lines).toContain(pair('Số lô', '000001'));
    expect(lines).toContain('VISA');
    expect(lines).toContain(pair('Bán', '2 GD 600.000 ₫'));
    expect(lines).toContain(pair('Hủy', '1 GD 450.000 ₫'));
    expect(lines).toContain(pair('Hoàn tiền', '1 GD 50.000 ₫'));
    expect(lines).toContain(pair('Cộng', '0 GD 100.000 ₫'));
    expect(lines).toContain(pair('Thẻ', '0 GD 100.000 ₫'));
    expect(lines).toContain(pair('QR', '0 GD 0 ₫'));
    expect(lines).toContain(pair('TỔNG CỘNG', '0 GD 100.000 ₫'));
    expect(lines).toContain('ĐÃ ĐÓNG LÔ 000001');
    expect(lines).toContain(pair('Lô tiếp theo', '000002'));
    const job = app.printerSimulator!.jobs().at(-1)!;
    expect(job.id).toBe(7);
  });

  it('takes the dossier through the API, then prints the X report on request', async () => {
    const run = await startApi({}, QUIET);
    try {
      insert(run.app);
      const paid = await postJson(run.base, '/v1/payments', { amount: 200_000,
        reference: 'HS-X-1', dossier: 'HS-API-0007' });
      expect(paid.status).toBe(201);
      const { journalId } = await paid.json() as { journalId: number };
      expect(run.app.journal.get(journalId)?.dossier).toBe('HS-API-0007');
      const [, customer] = (await nextJobs(run.app, 2)).map(expectDecoded);
      expect(customer).toContain(pair('Số hồ sơ', 'HS-API-0007'));
      const res = await postJson(run.base, '/v1/reports/x/print', {});
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ report: 'X', batch: 1, printed: true, queued: false,
        error: null });
      const [lines] = (await nextJobs(run.app, 1)).map(expectDecoded);
      expect(lines).toContain('BÁO CÁO X - TẠM TÍNH');
      expect(lines).toContain(pair('Bán', '1 GD 200.000 ₫'));
      expect(lines).toContain(pair('Thẻ', '1 GD 200.000 ₫'));
      expect(lines).toContain('Lô chưa đóng');
      expect(run.app.journal.counter('batch')).toBe(1);
    } finally {
      await run.close();
    }
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The default AIDs with the merchant's TAC default cleared: the card decides offline. */
function emvWithDefaultTac(tacDefault: string): Record<string, unknown> {
  const raw = parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8')) as
    { emv: { aids: Record<string, unknown>[] } };
  return { ...raw.emv, aids: raw.emv.aids.map((aid) => ({ ...aid,
    tac: { ...(aid.tac as object), default: tacDefault } })) };
}

async function until(what: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
