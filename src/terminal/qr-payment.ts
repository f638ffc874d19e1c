import { openBatchReport } from '../acquirer/settlement';
import type { QrConfig } from '../config/qr';
import { asQuayError, RequestError } from '../errors';
import type { Journal, TransactionRow } from '../journal/journal';
import {
  FLAGGED_DISPOSITIONS, QrPaymentJournal, type QrTransferRow, type TenderTotal,
} from '../journal/qr-payments';
import { silentLogger, type Logger } from '../log';
import { QrConfirmation, QrGateway } from '../qr/confirmation';
import type { LengthPolicy } from '../qr/emv-mpm';
import { QrMatcher, type MatcherOptions, type OfferResult } from '../qr/matcher';
import {
  startNotificationListener, type NotificationListener,
} from '../qr/notification-listener';
import { QrPayments, type QrMerchantAccount } from '../qr/payment';
import { makePaymentReference } from '../qr/reference';
import { renderQrPng } from '../qr/render';
import type { BankTransfer } from '../qr/transfer';
import { parseVietQr } from '../qr/vietqr';
import type { ReceiptOutcome } from './receipts';

/**
 * QR payments at the counter, in the journal beside card payments. The payer scans a dynamic
 * VietQR code and transfers from a banking app; quay never moves the money, it only learns
 * that the transfer arrived (by polling the gateway, or by a signed notification) and records
 * it. Every transfer is written to the journal before anything acts on it, keyed by the
 * bank's transaction ID, so a repeated report is known as such across restarts.
 *
 * The terminal is one counter: a QR payment takes it (PaymentTerminal.exclusive) from the
 * moment its code is made until it ends, as a card payment does, so a card payment or a
 * settlement meanwhile gets TERMINAL_BUSY. A late transfer is still recorded after that,
 * without the terminal: it only flags the ended payment for the supervisor.
 */

/** The terminal's one-at-a-time rule, as PaymentTerminal keeps it. */
export interface CounterLock {
  readonly isBusy: boolean;
  exclusive<T>(work: () => Promise<T>): Promise<T>;
}

/** Where the paper of QR payments goes: PrintedReceipts in the daemon. */
export interface QrPaper {
  printQrSlip(row: TransactionRow, validUntil?: Date): Promise<ReceiptOutcome | null>;
  printQrReceipt(row: TransactionRow, transfer: Pick<QrTransferRow, 'transfer_id' | 'paid_at'>):
    Promise<ReceiptOutcome | null>;
}

export interface QrCounterOptions {
  journal: Journal;
  terminal: CounterLock;
  merchant: QrMerchantAccount;
  terminalId: string;
  merchantId: string;
  /** The bank or gateway polled for transfers; absent: notifications alone confirm. */
  gateway?: QrGateway;
  /** The HMAC secret of notifications; the gateway's secret as a rule. */
  secret?: string;
  /** An inbound notification endpoint, on the interface the technician chose. */
  listen?: { host: string; port: number; path?: string };
  /** How long a payer has to pay; default 5 minutes. */
  timeoutMs?: number;
  pollIntervalMs?: number;
  lateWatchMs?: number;
  lateWatchIntervalMs?: number;
  newReference?: () => string;
  /** How a kept code is read back (a replayed request shows it again). */
  lengths?: LengthPolicy;
  log?: Logger;
  /** The printer's side; absent: nothing is printed and a slip request is unavailable. */
  receipts?: QrPaper;
  /** Print the code slip of every new code, not only when a request asks; default false. */
  printSlip?: boolean;
  /** Print the receipt when the bank confirms the transfer; default true with receipts. */
  printReceipt?: boolean;
}

export interface QrPaymentStart {
  /** Whole dong. */
  amount: number;
  reference: string;
  description?: string;
  payer?: string;
  operator?: string;
  idempotencyKey?: string;
  /** Text after the short reference in the transfer content (folded to ASCII). */
  note?: string;
  /** Print the code slip once the code is made (the counter's printSlip when absent). */
  printSlip?: boolean;
}

export interface ShownQrPayment {
  row: TransactionRow;
  /** The transfer content the payer's bank passes on (62.08). */
  content: string;
  payload: string;
  png: Buffer;
  /** When the wait ends unless a transfer came; null for a replayed request. */
  expiresAt: string | null;
  /** True when the idempotency key had been seen: the first payment, not a new code. */
  replayed: boolean;
}

/** Totals of the X report by tender: card sales of the open batch, QR payments since then. */
export interface TenderTotals {
  card: TenderTotal;
  qr: TenderTotal;
}

/**
 * The X report's totals by tender: card sales of the open batch, and QR payments approved
 * since the card batch was last settled (they have no batch of their own: the bank settles
 * transfers outside the card host).
 */
export function tenderTotals(journal: Journal): TenderTotals {
  const { totals } = openBatchReport(journal);
  const store = new QrPaymentJournal(journal);
  return { card: { count: totals.saleCount, amount: totals.saleAmount },
    qr: store.approvedTotal(store.lastSettlementAt()) };
}

/**
 * The matcher quay's confirmation uses: each reported transfer is first written to the
 * journal (which decides what it does to its payment, in the same commit), then offered to
 * the in-memory matcher that ends the running wait.
 */
class JournalledMatcher extends QrMatcher {
  constructor(private readonly store: QrPaymentJournal, private readonly events: Logger,
    options: MatcherOptions) {
    super(options);
  }

  override offer(transfer: BankTransfer): OfferResult {
    const recorded = this.store.recordTransfer(transfer);
    const fields = { transactionId: transfer.transactionId, journalId: recorded.transactionId,
      amount: transfer.amount };
    if (recorded.disposition === 'duplicate') {
      this.events.info(fields, 'qr: transfer already recorded, ignored');
      return 'duplicate';
    }
    if (FLAGGED_DISPOSITIONS.includes(recorded.disposition)) {
      this.events.warn({ ...fields, disposition: recorded.disposition },
        'qr: transfer flagged for the supervisor');
    }
    return super.offer(transfer);
  }
}

interface Running {
  cancel(): void;
  done: Promise<void>;
}

export class QrCounter {
  readonly store: QrPaymentJournal;
  readonly matcher: QrMatcher;
  private readonly confirmation: QrConfirmation;
  private readonly payments: QrPayments;
  private readonly running = new Map<number, Running>();
  private readonly log: Logger;
  private listener?: NotificationListener;

  constructor(private readonly options: QrCounterOptions) {
    this.log = options.log ?? silentLogger;
    this.store = new QrPaymentJournal(options.journal);
    this.matcher = new JournalledMatcher(this.store, this.log, { log: this.log });
    this.confirmation = new QrConfirmation({ gateway: options.gateway, matcher: this.matcher,
      pollIntervalMs: options.pollIntervalMs, lateWatchMs: options.lateWatchMs,
      lateWatchIntervalMs: options.lateWatchIntervalMs, log: this.log });
    this.payments = new QrPayments({ merchant: options.merchant,
      confirmation: this.confirmation, gateway: options.gateway, timeoutMs: this.timeoutMs });
    const expired = this.store.expireInterrupted();
    if (expired.length > 0) {
      this.log.warn({ journalIds: expired }, 'qr: payments left waiting by a restart expired');
    }
  }

  /** Starts the notification endpoint, when one is configured. */
  async open(): Promise<void> {
    const { listen, secret } = this.options;
    if (!listen || this.listener) return;
    if (!secret) throw new RequestError('OPERATION_UNAVAILABLE', 'notifications need a secret');
    this.listener = await startNotificationListener({ ...listen, secret, matcher: this.matcher,
      log: this.log });
  }

  /** Where notifications are taken, once open() started the endpoint. */
  get notificationUrl(): string | undefined {
    return this.listener?.url;
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? 300_000;
  }

  /**
   * Makes the code of a new payment and answers once it can be shown; the wait then runs with
   * the terminal taken. A repeated idempotency key answers with the first payment.
   */
  async start(request: QrPaymentStart): Promise<ShownQrPayment> {
    const seen = request.idempotencyKey === undefined ? undefined
      : this.options.journal.byIdempotencyKey(request.idempotencyKey);
    if (seen) return this.replay(seen);
    if (this.options.terminal.isBusy) throw new RequestError('TERMINAL_BUSY');
    return new Promise<ShownQrPayment>((show, refuse) => {
      let shown = false;
      const work = this.options.terminal.exclusive(() => this.run(request, (payment) => {
        shown = true;
        show(payment);
      }));
      work.catch((err: unknown) => {
        if (!shown) refuse(err);
        else this.log.error({ err: (err as Error).message }, 'qr: payment wait failed');
      });
    });
  }

  /**
   * Cancels a waiting payment (the payer gave up) and answers with it once it has ended. A
   * payment that is no longer waiting cannot be cancelled: ABORT_TOO_LATE.
   */
  async cancel(id: number): Promise<TransactionRow> {
    const running = this.running.get(id);
    if (!running) {
      const state = this.options.journal.get(id)?.state ?? 'unknown';
      throw new RequestError('ABORT_TOO_LATE', `QR payment ${id} is ${state}`);
    }
    running.cancel();
    await running.done;
    return this.options.journal.get(id)!;
  }

  /**
   * Prints the code slip of a payment that still waits, for a payer who would rather scan
   * paper than the screen. A code no longer waited for is not printed: a transfer to it now
   * would only be flagged (ABORT_TOO_LATE, as for a cancel).
   */
  async printSlip(id: number): Promise<ReceiptOutcome | null> {
    const { receipts } = this.options;
    if (!receipts) throw new RequestError('OPERATION_UNAVAILABLE', 'no printer configured');
    const row = this.options.journal.get(id);
    if (row?.kind !== 'qr' || !this.running.has(id) || row.state !== 'qr_waiting') {
      throw new RequestError('ABORT_TOO_LATE',
        `QR payment ${id} is ${row?.state ?? 'unknown'}: its code is not waited for`);
    }
    return receipts.printQrSlip(row, this.expiryOf(row));
  }

  /** Ends every wait and poll (the daemon stops); waiting payments are cancelled. */
  async close(): Promise<void> {
    const running = [...this.running.values()];
    for (const r of running) r.cancel();
    await Promise.all(running.map((r) => r.done));
    this.confirmation.close();
    const listener = this.listener;
    this.listener = undefined;
    await listener?.close();
  }

  private async run(request: QrPaymentStart,
    show: (payment: ShownQrPayment) => void): Promise<void> {
    const qrReference = (this.options.newReference ?? makePaymentReference)();
    const { row } = this.store.create({ ...request, qrReference,
      terminalId: this.options.terminalId, merchantId: this.options.merchantId });
    const log = this.log.child({ journalId: row.id, qrReference });
    // Waiting is written before the wait begins, so a transfer polled at once finds it.
    this.store.waiting(row.id);
    let started;
    try {
      started = await this.payments.start({ amount: request.amount, reference: qrReference,
        note: request.note, billNumber: asciiBillNumber(request.reference) });
    } catch (err) {
      const failure = asQuayError(err, 'QR_GATEWAY_UNREACHABLE');
      this.store.end(row.id, 'failed', failure.code, failure.message);
      log.warn({ code: failure.code }, 'qr: code not announced');
      throw failure;
    }
    this.store.recordPayload(row.id, started.payload);
    let ended!: () => void;
    this.running.set(row.id, { cancel: started.cancel,
      done: new Promise<void>((resolve) => { ended = resolve; }) });
    const shown = this.options.journal.get(row.id)!;
    show({ row: shown, content: started.content, payload: started.payload, png: started.png,
      expiresAt: this.expiryOf(shown).toISOString(), replayed: false });
    try {
      if (this.options.receipts && (request.printSlip ?? this.options.printSlip)) {
        // The slip prints while the wait runs: a payer may pay from the screen meanwhile.
        void this.options.receipts.printQrSlip(shown, this.expiryOf(shown))
          .then((slip) => this.logPrinted(slip, 'slip', log),
            (err: unknown) => log.error({ err: (err as Error).message }, 'qr: slip failed'));
      }
      const outcome = await started.wait();
      if (outcome.status === 'timeout' || outcome.status === 'cancelled') {
        this.store.end(row.id, 'qr_expired', outcome.reason.code, outcome.reason.en);
      }
      log.info({ status: outcome.status }, 'qr: payment ended');
      if (outcome.status === 'paid') await this.printPaid(row.id, log);
    } finally {
      this.running.delete(row.id);
      ended();
    }
  }

  /** When the wait for a code ends: its payment's creation plus the timeout. */
  private expiryOf(row: TransactionRow): Date {
    return new Date(Date.parse(row.created_at) + this.timeoutMs);
  }

  /**
   * The receipt of a payment the bank confirmed, with the transfer that paid it. Only a
   * payment the journal holds approved gets one; the payment stands whatever the printer does.
   */
  private async printPaid(id: number, log: Logger): Promise<void> {
    const { receipts, printReceipt } = this.options;
    if (!receipts || printReceipt === false) return;
    const row = this.options.journal.get(id);
    const paid = this.store.transfersOf(id).find((t) => t.disposition === 'paid');
    if (row?.state !== 'approved' || !paid) return;
    try {
      this.logPrinted(await receipts.printQrReceipt(row, paid), 'receipt', log);
    } catch (err) {
      log.error({ err: (err as Error).message }, 'qr: receipt failed');
    }
  }

  private logPrinted(outcome: ReceiptOutcome | null, what: 'slip' | 'receipt', log: Logger):
    void {
    if (!outcome) log.warn(`qr: ${what} not made`);
    else if (outcome.error) log.warn({ err: outcome.error.code }, `qr: ${what} not printed`);
  }

  private async replay(row: TransactionRow): Promise<ShownQrPayment> {
    if (row.kind !== 'qr') {
      throw new RequestError('REQUEST_INVALID',
        `idempotency key ${row.idempotency_key} belongs to payment ${row.id}, not a QR code`,
        { detail: { field: 'idempotencyKey' } });
    }
    if (!row.qr_payload) {
      // Its code is being announced now, or never was: there is nothing to show again.
      if (row.state !== 'failed') throw new RequestError('TERMINAL_BUSY');
      throw new RequestError('REQUEST_INVALID',
        `QR payment ${row.id} failed (${row.error_code ?? 'no code'}): use a new key`,
        { detail: { field: 'idempotencyKey' } });
    }
    const content = parseVietQr(row.qr_payload,
      { lengths: this.options.lengths }).purpose ?? row.qr_reference ?? '';
    return { row, content, payload: row.qr_payload,
      png: await renderQrPng(row.qr_payload), expiresAt: null, replayed: true };
  }
}

/**
 * The fee reference as 62.01 (bill number) when it is plain ASCII within 25 characters;
 * otherwise it stays in the journal only, since the code refuses what it cannot carry.
 */
function asciiBillNumber(reference: string): string | undefined {
  return /^[\x20-\x7E]{1,25}$/.test(reference) ? reference : undefined;
}

/** The counter's QR payments as the `qr` section configures them, its endpoint started. */
export async function openQrCounter(qr: QrConfig, parts: { journal: Journal;
  terminal: CounterLock; terminalId: string; merchantId: string; log: Logger;
  receipts?: QrPaper }): Promise<QrCounter> {
  const { merchant, gateway } = qr;
  const counter = new QrCounter({
    ...parts, log: parts.log.child({ part: 'qr' }), secret: qr.secret,
    merchant: { bin: merchant.bin, account: merchant.account, service: merchant.service,
      merchantCategoryCode: merchant.mcc, merchantName: merchant.name,
      merchantCity: merchant.city, terminalLabel: qr.terminalLabel },
    gateway: gateway && new QrGateway({ baseUrl: gateway.url, secret: qr.secret,
      token: gateway.token, requestTimeoutMs: gateway.requestTimeoutMs }),
    listen: qr.notifications, timeoutMs: qr.timeoutMs, lengths: qr.lengths,
    pollIntervalMs: gateway?.pollIntervalMs, lateWatchMs: gateway?.lateWatchMs,
    lateWatchIntervalMs: gateway?.lateWatchIntervalMs,
    printSlip: qr.print.slip, printReceipt: qr.print.receipt,
  });
  await counter.open();
  return counter;
}
