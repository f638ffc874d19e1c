import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { renderPage } from '../../drivers/printer/page-render';
import { startPrinterSimulator, type PrinterSimulator }
  from '../../drivers/printer/printer-simulator';
import { TcpPrinter } from '../../drivers/printer/tcp-printer';
import type { TransactionRow } from '../../src/journal/journal';
import { silentLogger } from '../../src/log';
import { PrintQueue } from '../../src/print-queue';
import { parseEscPos } from '../../src/receipt/escpos-parse';
import type { PrinterProfile } from '../../src/receipt/types';
import type { CardFacts } from '../../src/terminal/payment';
import { PrintedReceipts } from '../../src/terminal/receipts';

const TEXT_58MM: PrinterProfile = { widthDots: 384, columns: 32, cutter: false, mode: 'text',
  codePage: 52 };
const MERCHANT = { name: 'UBND PHƯỜNG BẾN NGHÉ', address: '29 Lê Duẩn, Q.1',
  taxCode: '0301234567' };

/** An approved online sale as the journal holds it after the second GENERATE AC. */
function approvedRow(change: Partial<TransactionRow> = {}): TransactionRow {
  return {
    id: 12, created_at: '2026-03-05T07:31:50.000Z', updated_at: '2026-03-05T07:32:07.000Z',
    kind: 'purchase', state: 'approved', amount: 150_000, currency: '704',
    reference: 'LP-2026-0001', description: null, payer: 'Trần Thị Bé', operator: null,
    idempotency_key: null, terminal_id: 'QUAY0001', merchant_id: '000000000000001', stan: 12,
    invoice: 7, batch: 1, masked_pan: '476173******0119', pan_last4: '0119',
    aid: 'A0000000031010', app_label: 'VISA CREDIT', tvr: '0000008000', tsi: 'E800',
    cryptogram: '29CCA15AE665FA2E', response_code: '00', auth_code: '123456',
    rrn: '612345000012', error_code: null, reason: null, receipt_bytes_path: null,
    receipt_png_path: null, pan_sealed: null, pan_hash: null, pan_sequence: '01',
    atc: '0011', cvm_results: '420302', cid: '40', iad: null, original_id: null,
    dossier: 'HS-2026-0042', ...change,
  };
}

const CARD: CardFacts = { maskedPan: '476173******0119', aid: 'A0000000031010',
  label: 'VISA CREDIT', tvr: '0000008000', tsi: 'E800', cryptogram: '29CCA15AE665FA2E',
  cvm: 'pin' };

function pair(label: string, value: string): string {
  return `${label}${' '.repeat(32 - label.length - value.length)}${value}`;
}

function receipts(profile = TEXT_58MM, extra: { queue?: PrintQueue; printer?: TcpPrinter } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'quay-receipts-'));
  const recorded: [number, string, string | null][] = [];
  const sink = new PrintedReceipts({ printer: extra.printer ?? null, profile, merchant: MERCHANT,
    dir, language: 'vi', log: silentLogger, queue: extra.queue,
    journal: { recordReceipt: (id, bytes, png) => recorded.push([id, bytes, png]) } });
  return { sink, dir, recorded };
}

function decoded(path: string): string[] {
  const page = renderPage(parseEscPos(readFileSync(path)), 384);
  expect(page.problems).toEqual([]);
  return page.text;
}

describe('PrintedReceipts in text mode (Windows-1258)', () => {
  it('keeps the customer copy whose bytes decode back to exactly the receipt text', async () => {
    const { sink, recorded } = receipts();
    const outcome = await sink.print(approvedRow(), CARD);
    expect(outcome).toMatchObject({ printed: false });
    expect(recorded).toEqual([[12, outcome!.bytesPath, outcome!.pngPath]]);
    const bytes = readFileSync(outcome!.bytesPath);
    // ESC @, ESC t 52; the đồng sign is Windows-1258's 0xFE.
    expect(bytes.subarray(0, 5).toString('hex')).toBe('1b401b7434');
    expect(bytes.includes(Buffer.from('150.000 \xfe', 'latin1'))).toBe(true);
    expect(decoded(outcome!.bytesPath)).toEqual([
      'UBND PHƯỜNG BẾN NGHÉ',
      '29 Lê Duẩn, Q.1',
      'MST: 0301234567',
      '='.repeat(32),
      'HÓA ĐƠN THANH TOÁN THẺ',
      '-'.repeat(32),
      pair('Ngày giờ', '05/03/2026 14:32:07'),
      pair('MID', '000000000000001'),
      pair('TID', 'QUAY0001'),
      pair('Số lô', '000001'),
      pair('Số hóa đơn', '000007'),
      pair('STAN', '000012'),
      pair('RRN', '612345000012'),
      '-'.repeat(32),
      pair('Số thẻ', '**** **** **** 0119'),
      pair('Cách đọc thẻ', 'Chip'),
      pair('Ứng dụng', 'VISA CREDIT'),
      pair('AID', 'A0000000031010'),
      pair('TVR', '0000008000'),
      pair('TSI', 'E800'),
      pair('AC', '29CCA15AE665FA2E'),
      '-'.repeat(32),
      pair('Mã tham chiếu', 'LP-2026-0001'),
      pair('Số hồ sơ', 'HS-2026-0042'),
      'Người nộp: Trần Thị Bé',
      '-'.repeat(32),
      'SỐ TIỀN',
      '150.000 ₫',
      'Bằng chữ: Một trăm năm mươi',
      'nghìn đồng',
      '-'.repeat(32),
      'THÀNH CÔNG',
      pair('MÃ CHUẨN CHI', '123456'),
      'Đã xác thực bằng mã PIN',
      'Không cần chữ ký',
      '-'.repeat(32),
      'LIÊN GIAO KHÁCH HÀNG',
      'Xin cảm ơn quý khách!',
    ]);
  });

  it('keeps a merchant copy with the signature line only when a signature is due', async () => {
    const { sink, dir } = receipts();
    await sink.print(approvedRow(), CARD);
    expect(existsSync(join(dir, 'receipt-12-merchant.bin'))).toBe(false);
    await sink.print(approvedRow({ id: 13 }), { ...CARD, cvm: 'signature' });
    const merchant = decoded(join(dir, 'receipt-13-merchant.bin'));
    expect(merchant.slice(-5)).toEqual(['Chữ ký chủ thẻ:', '.'.repeat(32),
      'Đồng ý thanh toán số tiền trên', '-'.repeat(32), 'LIÊN LƯU TẠI ĐƠN VỊ']);
    expect(decoded(join(dir, 'receipt-13-customer.bin'))).not.toContain('Chữ ký chủ thẻ:');
  });

  it('prints an offline approval as approved with the "to forward" mark', async () => {
    const { sink } = receipts();
    const outcome = await sink.print(approvedRow({ state: 'approved_offline',
      response_code: 'Y3', auth_code: 'Y30012', rrn: null }), { ...CARD, cvm: 'none' });
    const lines = decoded(outcome!.bytesPath);
    expect(lines.slice(4, 6)).toEqual(['HÓA ĐƠN THANH TOÁN THẺ', 'NGOẠI TUYẾN, CHỜ GỬI']);
    expect(lines).toContain('THÀNH CÔNG');
    expect(lines).toContain(pair('MÃ CHUẨN CHI', 'Y30012'));
    expect(lines).not.toContain('GIAO DỊCH BỊ TỪ CHỐI');
  });

  it('prints a decline with its reason and no merchant copy', async () => {
    const { sink, dir } = receipts();
    const outcome = await sink.print(approvedRow({ state: 'declined', response_code: '51',
      auth_code: null }), { ...CARD, cvm: 'signature' });
    const lines = decoded(outcome!.bytesPath);
    expect(lines).toContain('GIAO DỊCH BỊ TỪ CHỐI');
    expect(lines).toContain(pair('Mã phản hồi', '51'));
    expect(existsSync(join(dir, 'receipt-12-merchant.bin'))).toBe(false);
  });

  it('prints a void with the sale it cancels and the sale\'s dossier', async () => {
    const { sink } = receipts();
    const sale = approvedRow({ state: 'voided' });
    const voidRow = approvedRow({ id: 14, kind: 'void', stan: 13, invoice: 8, original_id: 12,
      dossier: null, tvr: null, tsi: null, cryptogram: null, auth_code: '123457' });
    const outcome = await sink.printAdjustment(voidRow, sale);
    const lines = decoded(outcome!.bytesPath);
    expect(lines[4]).toBe('HÓA ĐƠN HỦY GIAO DỊCH');
    expect(lines).toContain(pair('Số HĐ gốc', '000007'));
    expect(lines).toContain(pair('STAN gốc', '000012'));
    expect(lines).toContain(pair('Số hồ sơ', 'HS-2026-0042'));
    expect(lines).toContain('-150.000 ₫');
    expect(await sink.printAdjustment({ ...voidRow, state: 'declined' }, sale)).toBeNull();
  });
});

describe('PrintedReceipts through the print queue', () => {
  let sim: PrinterSimulator | undefined;
  let queue: PrintQueue | undefined;
  afterEach(async () => {
    await queue?.close();
    await sim?.close();
  });

  it('answers at once when the first copy waits for paper, and prints both once it is back',
    async () => {
      sim = await startPrinterSimulator({ paperOut: true });
      const printer = new TcpPrinter({ host: sim.host, port: sim.port, logger: silentLogger });
      queue = PrintQueue.open(new Database(':memory:'), printer, silentLogger,
        { retryBaseMs: 60_000 });
      const { sink } = receipts(TEXT_58MM, { queue, printer });
      const outcome = await sink.print(approvedRow(), { ...CARD, cvm: 'signature' });
      expect(outcome).toMatchObject({ printed: false, queued: true,
        error: { code: 'PRINTER_PAPER_OUT' } });
      expect(queue.jobs(12).map((j) => [j.kind, j.state])).toEqual([
        ['merchant', 'waiting-for-printer'], ['customer', 'queued']]);

      sim.setPaperOut(false);
      queue.retryNow();
      const first = await sim.waitForJob(5_000);
      const second = await sim.waitForJob(5_000);
      expect(first.page.text).toContain('LIÊN LƯU TẠI ĐƠN VỊ');
      expect(second.page.text).toContain('LIÊN GIAO KHÁCH HÀNG');
    });
});
