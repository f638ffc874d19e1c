import { QrError } from './errors';
import { outcomeOf, type QrConfirmation, type QrGateway } from './confirmation';
import type { QrOutcome } from './matcher';
import { makePaymentReference, transferContent } from './reference';
import { renderQrPng } from './render';
import { buildVietQr, type ServiceCode } from './vietqr';

/**
 * A QR payment at the counter, for the daemon to wire into the journal, receipts and API:
 * make the dynamic code for an amount with a fresh reference, show or print its PNG, and wait
 * for the bank's transfer with a timeout and a cancel.
 */

/** The beneficiary account the codes pay into (a `qr` config section would hold it). */
export interface QrMerchantAccount {
  bin: string;
  account: string;
  service: ServiceCode;
  merchantCategoryCode?: string;
  merchantName?: string;
  merchantCity?: string;
  /** 62.07, e.g. the terminal ID. */
  terminalLabel?: string;
}

export interface QrPaymentsOptions {
  merchant: QrMerchantAccount;
  confirmation: QrConfirmation;
  /** When set, each code is announced to this gateway before it is shown. */
  gateway?: QrGateway;
  /** How long a payer has to pay; default 5 minutes. */
  timeoutMs?: number;
  /** A new reference; by default "QY" and 8 random base-32 characters. */
  newReference?: () => string;
}

export interface QrPaymentRequest {
  /** Whole dong. */
  amount: number;
  /** The reference put in the content; a fresh one when absent. */
  reference?: string;
  /** Text after the reference in the content (folded to ASCII, cut to 25 in all). */
  note?: string;
  /** 62.01, e.g. the fee's invoice number (ASCII, up to 25). */
  billNumber?: string;
}

export interface StartedQrPayment {
  reference: string;
  /** The transfer content (62.08) the payer's bank passes on. */
  content: string;
  payload: string;
  png: Buffer;
  /** The outcome; `signal` cancels. The wait began when the payment started. */
  wait(signal?: AbortSignal): Promise<QrOutcome>;
  cancel(): void;
}

export class QrPayments {
  constructor(private readonly options: QrPaymentsOptions) {}

  async start(request: QrPaymentRequest): Promise<StartedQrPayment> {
    const { merchant } = this.options;
    const reference = request.reference ?? (this.options.newReference ?? makePaymentReference)();
    if (!/^[A-Z0-9]{4,19}$/.test(reference)) {
      throw new QrError('QR_FIELD_INVALID',
        `62.08: a reference is 4 to 19 upper-case letters and digits, not "${reference}"`,
        { detail: { field: '62.08' } });
    }
    const content = transferContent(reference, request.note);
    const payload = buildVietQr({
      initiation: 'dynamic', bin: merchant.bin, account: merchant.account,
      service: merchant.service, merchantCategoryCode: merchant.merchantCategoryCode,
      merchantName: merchant.merchantName, merchantCity: merchant.merchantCity,
      amount: request.amount, billNumber: request.billNumber,
      terminalLabel: merchant.terminalLabel, purpose: content,
    });
    const png = await renderQrPng(payload);
    // Waiting begins before the gateway hears of the code, so no early transfer is missed.
    const active = this.options.confirmation.begin({
      reference, amount: request.amount, timeoutMs: this.options.timeoutMs ?? 300_000,
    });
    try {
      await this.options.gateway?.register(payload);
    } catch (err) {
      active.cancel();
      throw err;
    }
    return {
      reference, content, payload, png, cancel: active.cancel,
      wait: (signal) => outcomeOf(active, signal),
    };
  }
}
