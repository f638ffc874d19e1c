import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pageToPng, renderPage } from '../../drivers/printer/page-render';
import { printChecked } from '../../drivers/printer/print';
import type { ReceiptPrinter } from '../../drivers/printer/types';
import { describeResponseCode } from '../acquirer/response-codes';
import { ERROR_CATALOGUE, QuayError, type ErrorCode } from '../errors';
import type { TransactionRow } from '../journal/journal';
import type { QrTransferRow } from '../journal/qr-payments';
import type { Logger } from '../log';
import { parseEscPos } from '../receipt/escpos-parse';
import {
  renderQrReceipt, renderQrSlip, renderReceipt, renderReport,
} from '../receipt/render';
import type {
  BatchTotals, PrinterProfile, QrReceiptData, QrSlipData, ReceiptData, ReceiptMerchant,
} from '../receipt/types';
import type { CardFacts, ReceiptSink } from './payment';
import {
  markedAsReprint, type PrintJobInfo, type PrintJobKind, type PrinterNotice, type PrintQueue,
} from '../print-queue';

export interface ReceiptOutcome {
  /** The ESC/POS bytes sent to the printer, kept for reprints. */
  bytesPath: string;
  /** The same bytes decoded and drawn as the paper would look. */
  pngPath: string;
  printed: boolean;
  /** In the print queue, to print once the printer can (paper back, cover closed). */
  queued?: boolean;
  error?: { code: ErrorCode; message: string };
}

/** How long a payment's answer waits for its receipt to come out before saying "queued". */
const PRINT_WAIT_MS = 10_000;

export interface ReceiptOptions {
  printer: ReceiptPrinter | null;
  profile: PrinterProfile;
  merchant: Omit<ReceiptMerchant, 'terminalId' | 'merchantId'>;
  dir: string;
  language: 'vi' | 'en';
  journal: { recordReceipt(id: number, bytesPath: string, pngPath: string | null): void };
  log: Logger;
  /**
   * The durable print queue: a receipt is written there before any byte goes out and prints
   * when the printer can. Without it (tests of the printer itself), jobs go straight out.
   */
  queue?: PrintQueue;
}

/** An end-of-day report as the terminal knows it; the merchant's name and address are added. */
export type ReportData = Omit<BatchTotals, 'merchant' | 'language'> & {
  merchantId: string;
  terminalId: string;
};

/** Which copy a file and a print job hold. */
type Copy = 'customer' | 'merchant';

/** States in which a payment stands approved, online or by the card offline. */
const APPROVED_STATES = new Set(['approved', 'approved_offline', 'advice_sent',
  'advice_accepted', 'settled']);

/** Approved by the card offline (Y1, Y3), the bank not yet told or just told. */
function approvedOffline(row: TransactionRow): boolean {
  return row.state === 'approved_offline' || row.state === 'advice_sent'
    || row.response_code === 'Y1' || row.response_code === 'Y3';
}

/**
 * Lays out, keeps and prints the receipts of the terminal: payments that reached the bank or
 * the card's offline decision, voids and refunds the bank approved, and end-of-day reports.
 * Each copy is written to disk before printing, so a printer fault never loses a receipt: it
 * can be reprinted from the journal, and with the print queue it prints once the printer can.
 */
export class PrintedReceipts implements ReceiptSink {
  constructor(private readonly options: ReceiptOptions) {
    mkdirSync(options.dir, { recursive: true });
  }

  /**
   * The customer's copy; with a signature due (the CVM performed, 9F34, was signature), the
   * merchant's copy with the signature line first, since the payer signs it at the counter
   * while the customer's copy prints.
   */
  async print(row: TransactionRow, card: CardFacts): Promise<ReceiptOutcome | null> {
    if (row.stan === null || row.invoice === null || row.batch === null) return null;
    const data = this.receiptData(row, card);
    const customer = this.keep(data, `receipt-${row.id}-customer`);
    if (!customer) return null;
    this.options.journal.recordReceipt(row.id, customer.bytesPath, customer.pngPath);
    const jobs: { kind: Copy; escpos: Buffer }[] = [];
    if (data.result === 'approved' && card.cvm === 'signature') {
      const merchant = this.keep({ ...data, copy: 'merchant' }, `receipt-${row.id}-merchant`);
      if (merchant) jobs.push({ kind: 'merchant', escpos: merchant.escpos });
    }
    jobs.push({ kind: 'customer', escpos: customer.escpos });
    return { bytesPath: customer.bytesPath, pngPath: customer.pngPath,
      ...(await this.send(row.id, jobs)) };
  }

  /**
   * The receipt of a void or refund the bank approved: its own invoice and STAN, and the
   * sale's it undoes. A void reads no card, so its card lines are the sale's.
   */
  async printAdjustment(row: TransactionRow, original: TransactionRow):
    Promise<ReceiptOutcome | null> {
    if (row.state !== 'approved' || (row.kind !== 'void' && row.kind !== 'refund')) return null;
    if (row.stan === null || row.invoice === null || original.stan === null
      || original.invoice === null) return null;
    const card: CardFacts = {
      maskedPan: row.masked_pan ?? original.masked_pan ?? '',
      aid: row.aid ?? original.aid ?? '', label: row.app_label ?? original.app_label ?? undefined,
      tvr: row.tvr ?? undefined, tsi: row.tsi ?? undefined,
      cryptogram: row.cryptogram ?? undefined, cvm: 'none',
    };
    const own = { ...row, batch: row.batch ?? original.batch, dossier: original.dossier };
    const data: ReceiptData = { ...this.receiptData(own, card), transaction: row.kind,
      original: { invoice: original.invoice, stan: original.stan } };
    const kept = this.keep(data, `receipt-${row.id}-customer`);
    if (!kept) return null;
    this.options.journal.recordReceipt(row.id, kept.bytesPath, kept.pngPath);
    return { bytesPath: kept.bytesPath, pngPath: kept.pngPath,
      ...(await this.send(row.id, [{ kind: 'customer', escpos: kept.escpos }])) };
  }

  /** An X or Z report, kept under the batch's number and printed as a job of no payment. */
  async printReport(report: ReportData): Promise<ReceiptOutcome | null> {
    const { merchantId, terminalId, ...totals } = report;
    const stamp = report.printedAt.toISOString().replace(/[-:.]/g, '');
    const name = `report-${report.report}-batch-${report.batch}-${stamp}`;
    let escpos: Buffer;
    try {
      escpos = renderReport({ ...totals, language: this.options.language,
        merchant: { ...this.options.merchant, merchantId, terminalId } },
      this.options.profile).escpos;
    } catch (err) {
      this.options.log.error({ err }, 'report not rendered');
      return null;
    }
    const kept = this.write(escpos, name);
    if (!kept) return null;
    return { ...kept, ...(await this.send(null, [{ kind: 'report', escpos }])) };
  }

  /**
   * The code slip of a QR payment still waiting: the payer scans the printed code. Kept as a
   * file like a receipt, but not as the payment's receipt: that is the paid one, if it comes.
   */
  async printQrSlip(row: TransactionRow, validUntil?: Date): Promise<ReceiptOutcome | null> {
    const { qr_payload: payload, qr_reference: qrReference } = row;
    if (row.kind !== 'qr' || !payload || !qrReference) return null;
    const data: QrSlipData = { merchant: this.merchantOf(row), amount: row.amount,
      reference: row.reference, dossier: row.dossier ?? undefined,
      description: row.description ?? undefined, payer: row.payer ?? undefined,
      payload, qrReference, validUntil,
      language: this.options.language };
    const stamp = new Date().toISOString().replace(/[-:.]/g, '');
    const kept = this.keepRendered(() => renderQrSlip(data, this.options.profile).escpos,
      `qr-slip-${row.id}-${stamp}`);
    if (!kept) return null;
    return { bytesPath: kept.bytesPath, pngPath: kept.pngPath,
      ...(await this.send(row.id, [{ kind: 'customer', escpos: kept.escpos }])) };
  }

  /**
   * The receipt of a QR payment the bank confirmed, with the transfer that paid it: kept as
   * the payment's receipt (so it reprints like a card receipt) and printed. Nothing for a
   * payment that is not approved: an expired or cancelled code has no receipt.
   */
  async printQrReceipt(row: TransactionRow, transfer: Pick<QrTransferRow, 'transfer_id'
    | 'paid_at'>): Promise<ReceiptOutcome | null> {
    const qrReference = row.qr_reference;
    if (row.kind !== 'qr' || row.state !== 'approved' || !qrReference) return null;
    const paidAt = new Date(transfer.paid_at);
    const data: QrReceiptData = { merchant: this.merchantOf(row), copy: 'customer',
      dateTime: Number.isNaN(paidAt.getTime()) ? new Date(row.updated_at) : paidAt,
      amount: row.amount, reference: row.reference, dossier: row.dossier ?? undefined,
      description: row.description ?? undefined, payer: row.payer ?? undefined,
      qrReference, bankReference: transfer.transfer_id,
      language: this.options.language };
    const kept = this.keepRendered(() => renderQrReceipt(data, this.options.profile).escpos,
      `receipt-${row.id}-customer`);
    if (!kept) return null;
    this.options.journal.recordReceipt(row.id, kept.bytesPath, kept.pngPath);
    return { bytesPath: kept.bytesPath, pngPath: kept.pngPath,
      ...(await this.send(row.id, [{ kind: 'customer', escpos: kept.escpos }])) };
  }

  /** Sends the kept bytes of a receipt to the printer again, exactly as first printed. */
  async reprint(row: TransactionRow): Promise<ReceiptOutcome | null> {
    if (row.receipt_bytes_path === null) return null;
    const kept = { bytesPath: row.receipt_bytes_path, pngPath: row.receipt_png_path ?? '' };
    if (!this.options.printer) return { ...kept, printed: false };
    const { queue } = this.options;
    if (queue) {
      // A receipt printed before the queue existed is marked as a reprint here.
      const id = queue.reprint(row.id) ?? queue.enqueue({ transactionId: row.id,
        kind: 'reprint', bytes: markedAsReprint(readFileSync(kept.bytesPath)) });
      return { ...kept, ...(await firstOutcome(queue, [id])) };
    }
    try {
      await printChecked(this.options.printer, readFileSync(kept.bytesPath), 3_000);
      await this.options.printer.close();
      return { ...kept, printed: true };
    } catch (err) {
      const error = err instanceof QuayError ? err
        : new QuayError('PRINTER_ERROR', String(err), { cause: err });
      return { ...kept, printed: false, error: { code: error.code, message: error.message } };
    }
  }

  /** Renders a receipt and keeps its bytes and picture; null when it could not be made. */
  private keep(data: ReceiptData, name: string):
    { escpos: Buffer; bytesPath: string; pngPath: string } | null {
    return this.keepRendered(() => renderReceipt(data, this.options.profile).escpos, name);
  }

  private keepRendered(render: () => Buffer, name: string):
    { escpos: Buffer; bytesPath: string; pngPath: string } | null {
    let escpos: Buffer;
    try {
      escpos = render();
    } catch (err) {
      // The payment stands whatever happens to its receipt; the journal keeps the outcome.
      this.options.log.error({ err }, 'receipt not rendered');
      return null;
    }
    const kept = this.write(escpos, name);
    return kept && { escpos, ...kept };
  }

  private write(escpos: Buffer, name: string): { bytesPath: string; pngPath: string } | null {
    const base = join(this.options.dir, name);
    const paths = { bytesPath: `${base}.bin`, pngPath: `${base}.png` };
    try {
      writeFileSync(paths.bytesPath, escpos);
      const page = renderPage(parseEscPos(escpos), this.options.profile.widthDots);
      writeFileSync(paths.pngPath, pageToPng(page));
      return paths;
    } catch (err) {
      this.options.log.error({ err }, 'receipt not kept');
      return null;
    }
  }

  /**
   * Sends the jobs in order: through the queue when there is one (written before any byte
   * goes out), else straight to the printer, one connection per job.
   */
  private async send(transactionId: number | null,
    jobs: { kind: PrintJobKind; escpos: Buffer }[]): Promise<PrintState> {
    const { printer, queue } = this.options;
    if (!printer) return { printed: false };
    if (queue) {
      const ids = jobs.map((job) => queue.enqueue({ transactionId, kind: job.kind,
        bytes: job.escpos }));
      return firstOutcome(queue, ids);
    }
    try {
      for (const job of jobs) {
        const status = await printChecked(printer, job.escpos, 3_000);
        if (status.paperNearEnd) this.options.log.warn('receipt paper near end');
        // One receipt, one connection: raw (port 9100) printing delimits a job by closing it,
        // the only end-of-job mark a printer without a cutter gets. The next call reconnects.
        await printer.close();
      }
      return { printed: true };
    } catch (err) {
      const error = err instanceof QuayError ? err
        : new QuayError('PRINTER_ERROR', String(err), { cause: err });
      return { printed: false, error: { code: error.code, message: error.message } };
    }
  }

  private merchantOf(row: TransactionRow): ReceiptMerchant {
    return { ...this.options.merchant, merchantId: row.merchant_id,
      terminalId: row.terminal_id };
  }

  private receiptData(row: TransactionRow, card: CardFacts): ReceiptData {
    const approved = APPROVED_STATES.has(row.state);
    return {
      merchant: this.merchantOf(row),
      copy: 'customer',
      batch: row.batch!,
      invoice: row.invoice!,
      stan: row.stan!,
      rrn: row.rrn ?? undefined,
      dateTime: new Date(row.updated_at),
      application: { label: card.label, aid: card.aid },
      maskedPan: card.maskedPan,
      entryMode: 'chip',
      tvr: card.tvr,
      tsi: card.tsi,
      cryptogram: card.cryptogram,
      cvm: card.cvm,
      amount: row.amount,
      reference: row.reference,
      dossier: row.dossier ?? undefined,
      description: row.description ?? undefined,
      payer: row.payer ?? undefined,
      authCode: row.auth_code ?? undefined,
      result: approved ? 'approved' : 'declined',
      responseCode: row.response_code ?? undefined,
      reason: approved ? undefined : outcomeReason(row),
      offline: approved && approvedOffline(row) ? true : undefined,
      language: this.options.language,
    };
  }
}

type PrintState = Pick<ReceiptOutcome, 'printed' | 'queued' | 'error'>;

/**
 * What became of queued jobs first: all printed, one waiting for the printer (the clerk is
 * told why), or still queued behind others when PRINT_WAIT_MS has passed.
 */
function firstOutcome(queue: PrintQueue, ids: number[]): Promise<PrintState> {
  const left = new Set(ids);
  return new Promise((resolve) => {
    const done = (outcome: PrintState) => {
      clearTimeout(timer);
      queue.events.off('printed', printed);
      queue.events.off('waiting', waiting);
      resolve(outcome);
    };
    const printed = (job: PrintJobInfo) => {
      left.delete(job.id);
      if (left.size === 0) done({ printed: true });
    };
    const waiting = (notice: PrinterNotice) => {
      if (left.has(notice.job.id)) {
        done({ printed: false, queued: true, error: { code: notice.code, message: notice.text } });
      }
    };
    const timer = setTimeout(() => done({ printed: false, queued: true }), PRINT_WAIT_MS);
    queue.events.on('printed', printed);
    queue.events.on('waiting', waiting);
  });
}

/** Why a payment did not go through, in both languages, from the journal row. */
export function outcomeReason(row: TransactionRow): { vi: string; en: string } | undefined {
  if (row.state === 'reversed') {
    return {
      vi: 'Giao dịch đã được hủy với ngân hàng; thẻ không bị trừ tiền',
      en: 'The payment was reversed at the bank; the card is not charged',
    };
  }
  if (row.state === 'reversal_pending') {
    return {
      vi: 'Chưa xác nhận được với ngân hàng; giao dịch sẽ được hủy tự động',
      en: 'Not confirmed with the bank; the payment will be reversed',
    };
  }
  if (row.error_code && row.error_code in ERROR_CATALOGUE) {
    const info = ERROR_CATALOGUE[row.error_code as ErrorCode];
    return { vi: info.vi, en: info.en };
  }
  if (row.response_code) {
    const info = describeResponseCode(row.response_code);
    return { vi: info.vi, en: info.en };
  }
  return undefined;
}
