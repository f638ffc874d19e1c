import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pageToPng, renderPage } from '../../drivers/printer/page-render';
import { printChecked } from '../../drivers/printer/print';
import type { ReceiptPrinter } from '../../drivers/printer/types';
import { describeResponseCode } from '../acquirer/response-codes';
import { ERROR_CATALOGUE, QuayError, type ErrorCode } from '../errors';
import type { TransactionRow } from '../journal/journal';
import type { Logger } from '../log';
import { parseEscPos } from '../receipt/escpos-parse';
import { renderReceipt } from '../receipt/render';
import type { PrinterProfile, ReceiptData, ReceiptMerchant } from '../receipt/types';
import type { CardFacts, ReceiptSink } from './payment';
import {
  markedAsReprint, type PrintJobInfo, type PrinterNotice, type PrintQueue,
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

/**
 * Lays out, keeps and prints the customer's receipt of a payment that reached the bank. The
 * copy on disk is written before printing, so a printer fault never loses a receipt: it can be
 * reprinted from the journal.
 */
export class PrintedReceipts implements ReceiptSink {
  constructor(private readonly options: ReceiptOptions) {
    mkdirSync(options.dir, { recursive: true });
  }

  async print(row: TransactionRow, card: CardFacts): Promise<ReceiptOutcome | null> {
    if (row.stan === null || row.invoice === null || row.batch === null) return null;
    const base = join(this.options.dir, `receipt-${row.id}-customer`);
    const bytesPath = `${base}.bin`;
    const pngPath = `${base}.png`;
    let escpos: Buffer;
    try {
      escpos = renderReceipt(this.receiptData(row, card), this.options.profile).escpos;
      writeFileSync(bytesPath, escpos);
      const page = renderPage(parseEscPos(escpos), this.options.profile.widthDots);
      writeFileSync(pngPath, pageToPng(page));
    } catch (err) {
      // The payment stands whatever happens to its receipt; the journal keeps the outcome.
      this.options.log.error({ err }, 'receipt not rendered');
      return null;
    }
    this.options.journal.recordReceipt(row.id, bytesPath, pngPath);
    if (!this.options.printer) return { bytesPath, pngPath, printed: false };
    const { queue } = this.options;
    if (queue) {
      const id = queue.enqueue({ transactionId: row.id, kind: 'customer', bytes: escpos });
      return { bytesPath, pngPath, ...(await firstOutcome(queue, id)) };
    }
    try {
      const status = await printChecked(this.options.printer, escpos, 3_000);
      if (status.paperNearEnd) this.options.log.warn('receipt paper near end');
      // One receipt, one connection: raw (port 9100) printing delimits a job by closing it,
      // the only end-of-job mark a printer without a cutter gets. The next call reconnects.
      await this.options.printer.close();
      return { bytesPath, pngPath, printed: true };
    } catch (err) {
      const error = err instanceof QuayError ? err
        : new QuayError('PRINTER_ERROR', String(err), { cause: err });
      return { bytesPath, pngPath, printed: false,
        error: { code: error.code, message: error.message } };
    }
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
      return { ...kept, ...(await firstOutcome(queue, id)) };
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

  private receiptData(row: TransactionRow, card: CardFacts): ReceiptData {
    return {
      merchant: { ...this.options.merchant, merchantId: row.merchant_id,
        terminalId: row.terminal_id },
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
      description: row.description ?? undefined,
      payer: row.payer ?? undefined,
      authCode: row.auth_code ?? undefined,
      result: row.state === 'approved' ? 'approved' : 'declined',
      responseCode: row.response_code ?? undefined,
      reason: row.state === 'approved' ? undefined : outcomeReason(row),
      language: this.options.language,
    };
  }
}

/**
 * What became of a queued job first: printed, waiting for the printer (the clerk is told
 * why), or still queued behind others when PRINT_WAIT_MS has passed.
 */
function firstOutcome(queue: PrintQueue, id: number):
  Promise<Pick<ReceiptOutcome, 'printed' | 'queued' | 'error'>> {
  return new Promise((resolve) => {
    const done = (outcome: Pick<ReceiptOutcome, 'printed' | 'queued' | 'error'>) => {
      clearTimeout(timer);
      queue.events.off('printed', printed);
      queue.events.off('waiting', waiting);
      resolve(outcome);
    };
    const printed = (job: PrintJobInfo) => {
      if (job.id === id) done({ printed: true });
    };
    const waiting = (notice: PrinterNotice) => {
      if (notice.job.id === id) {
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
