import { HostError, RequestError } from '../errors';
import type { Journal, TransactionRow } from '../journal/journal';
import { silentLogger, type Logger } from '../log';
import { createMessage, fieldText, type IsoMessage } from '../iso8583/message';
import type { Acquirer } from '../terminal/payment';
import { POS_CONDITION_NORMAL, VND_CURRENCY } from './messages';
import {
  emptyTotals, SETTLEMENT_AFTER_UPLOAD_CODE, SETTLEMENT_CODE, TOTALS_FIELD, TOTALS_MISMATCH,
  totalsText, type BatchTotals,
} from './settlement-format';
import { digits, localTimeFields } from './fields';

/**
 * Closing the batch with the bank: the totals of the journal's approved transactions of the
 * open batch go out in a 0500. When the bank answers 95 (totals differ), every transaction of
 * the batch is uploaded (0320), then the final 0500 (960000) follows. When the bank accepts,
 * the batch's transactions become settled and the batch number moves on.
 *
 * The batch is the journal's card batch: rows carry the batch number taken when their request
 * left (markSent), so a payment that never went through the card host has none and is never
 * in it. Voided sales are out of the totals (the bank took them out) but counted in the
 * report. Settlement waits for an empty advice queue and no reversal owed: either would
 * change what the bank holds while the totals are compared.
 */

export interface SettlementOptions {
  acquirer: Acquirer;
  journal: Journal;
  terminalId: string;
  merchantId: string;
  nii: string;
  log?: Logger;
}

/** The open batch as the journal holds it: what the end-of-day (Z) report prints. */
export interface BatchReport {
  batch: number;
  totals: BatchTotals;
  /** Sales voided before settlement: not in the totals sent. */
  voidCount: number;
  voidAmount: number;
}

export interface SettlementResult extends BatchReport {
  nextBatch: number;
  /** Whether the bank asked for the batch upload (95) before accepting. */
  uploaded: boolean;
  /** How many 0320 went out. */
  uploadCount: number;
  responseCode: string;
}

function isRefund(row: TransactionRow): boolean {
  return row.kind === 'refund';
}

export function batchTotals(rows: readonly TransactionRow[]): BatchTotals {
  const totals = emptyTotals();
  for (const row of rows) {
    if (isRefund(row)) {
      totals.refundCount += 1;
      totals.refundAmount += row.amount;
    } else {
      totals.saleCount += 1;
      totals.saleAmount += row.amount;
    }
  }
  return totals;
}

/** The journal's open batch: totals for the 0500 and the voids beside them. */
export function openBatchReport(journal: Journal): BatchReport {
  const batch = journal.counter('batch');
  const voided = journal.batchRows(batch, ['voided']);
  return {
    batch, totals: batchTotals(journal.batchTransactions(batch)), voidCount: voided.length,
    voidAmount: voided.reduce((sum, row) => sum + row.amount, 0),
  };
}

/** Throws SETTLEMENT_BLOCKED while the bank is owed an advice or a reversal. */
export function checkSettleable(journal: Journal): void {
  const advicesOwed = journal.advicesOwed();
  const reversalsOwed = journal.reversalSummary().pending;
  if (advicesOwed === 0 && reversalsOwed === 0) return;
  throw new RequestError('SETTLEMENT_BLOCKED',
    `settlement waits: ${advicesOwed} advice(s) and ${reversalsOwed} reversal(s) owed to the `
    + 'bank', { detail: { advicesOwed, reversalsOwed } });
}

export class Settlement {
  private readonly log: Logger;

  constructor(private readonly options: SettlementOptions) {
    this.log = options.log ?? silentLogger;
  }

  /** Closes the open batch; `actor` (a supervisor, 'cli') goes into the audit log. */
  async settle(actor?: string): Promise<SettlementResult> {
    const { journal } = this.options;
    checkSettleable(journal);
    const batch = journal.counter('batch');
    try {
      const result = await this.settleOpenBatch();
      journal.audit({ action: 'settlement', actor, target: `batch ${batch}`, outcome: 'settled',
        detail: { ...result.totals, voidCount: result.voidCount, uploaded: result.uploaded } });
      return result;
    } catch (err) {
      journal.audit({ action: 'settlement', actor, target: `batch ${batch}`, outcome: 'refused',
        detail: { code: (err as { code?: string }).code ?? 'unknown' } });
      throw err;
    }
  }

  private async settleOpenBatch(): Promise<SettlementResult> {
    const { journal } = this.options;
    const report = openBatchReport(journal);
    const { batch, totals } = report;
    const rows = journal.batchTransactions(batch);
    let responseCode = await this.sendSettlement(batch, totals, SETTLEMENT_CODE);
    let uploadCount = 0;
    if (responseCode === TOTALS_MISMATCH) {
      this.log.warn({ event: 'settlement.mismatch', batch }, 'bank totals differ: batch upload');
      for (const row of rows) {
        await this.upload(row, batch);
        uploadCount += 1;
      }
      responseCode = await this.sendSettlement(batch, totals, SETTLEMENT_AFTER_UPLOAD_CODE);
    }
    if (responseCode !== '00') {
      throw new HostError('SETTLEMENT_REFUSED',
        `the bank answered ${responseCode} to the settlement of batch ${batch}`, {
          detail: { batch, responseCode, uploaded: uploadCount > 0 },
        });
    }
    const nextBatch = journal.closeBatch(batch, `settled with the bank (batch ${batch})`);
    this.log.info({ event: 'settlement.closed', batch, nextBatch, ...totals, uploadCount },
      'batch settled');
    return { ...report, nextBatch, uploaded: uploadCount > 0, uploadCount, responseCode };
  }

  private header(mti: string, processingCode: string, stan: number): IsoMessage {
    const [time, date] = localTimeFields(new Date());
    return createMessage(mti, [
      [3, processingCode],
      [11, digits(stan, 6)],
      [12, time],
      [13, date],
      [24, this.options.nii],
      [41, this.options.terminalId.padEnd(8, ' ')],
      [42, this.options.merchantId.padEnd(15, ' ')],
    ]);
  }

  private async sendSettlement(batch: number, totals: BatchTotals, code: string):
    Promise<string> {
    const stan = this.options.journal.nextStan();
    const request = this.header('0500', code, stan);
    request.fields.set(60, digits(batch, 6));
    request.fields.set(TOTALS_FIELD, totalsText(totals));
    const reply = await this.options.acquirer.exchange(request);
    return this.responseCode(reply, '0510', stan);
  }

  /** One 0320: the approved transaction as the bank saw it, under a new STAN. */
  private async upload(row: TransactionRow, batch: number): Promise<void> {
    const { journal } = this.options;
    const stan = journal.nextStan();
    const request = this.header('0320', isRefund(row) ? '200000' : '000000', stan);
    const pan = journal.cardNumber(row.id);
    if (pan !== undefined) request.fields.set(2, pan);
    request.fields.set(4, digits(row.amount, 12));
    request.fields.set(22, '051');
    request.fields.set(25, POS_CONDITION_NORMAL);
    if (row.rrn) request.fields.set(37, row.rrn.padEnd(12, ' '));
    if (row.auth_code) request.fields.set(38, row.auth_code.padEnd(6, ' '));
    request.fields.set(39, row.response_code ?? '00');
    request.fields.set(49, VND_CURRENCY);
    request.fields.set(60, `0200${digits(row.stan ?? 0, 6)}`);
    request.fields.set(62, digits(row.invoice ?? 0, 6));
    const reply = await this.options.acquirer.exchange(request);
    const rc = this.responseCode(reply, '0330', stan);
    if (rc !== '00') {
      throw new HostError('SETTLEMENT_REFUSED', `batch upload refused (${rc})`, {
        detail: { batch, journalId: row.id, responseCode: rc },
      });
    }
  }

  private responseCode(reply: IsoMessage, mti: string, stan: number): string {
    const fail = (reason: string) => new HostError('HOST_PROTOCOL', `settlement: ${reason}`, {
      detail: { reason, mti: reply.mti },
    });
    if (reply.mti !== mti) throw fail(`MTI ${reply.mti} where ${mti} was expected`);
    if (Number(fieldText(reply, 11) ?? 'NaN') !== stan) throw fail('another STAN');
    const rc = fieldText(reply, 39);
    if (rc === undefined) throw fail('no response code (39)');
    return rc;
  }
}
