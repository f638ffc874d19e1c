import { randomBytes } from 'node:crypto';
import type { CardReader, CardSession } from '../../drivers/card/types';
import { ContactKernel, type FirstAcOutcome, type OnlineAnswer, type TerminalProfile }
  from '../emv/kernel';
import { buildPurchase, readPurchaseResponse, type PurchaseRequest, type PurchaseResponse }
  from '../acquirer/messages';
import type { IsoMessage } from '../iso8583/message';
import type { OdaSettings } from '../emv/oda/perform';
import type { PinEntryDevice } from '../emv/pin-entry';
import { asQuayError, QuayError, RequestError } from '../errors';
import type { Journal, SentNumbers, TransactionRow, TransactionUpdate }
  from '../journal/journal';
import type { Logger } from '../log';
import { lastFour, maskPan } from '../mask';
import type { PaymentRequest } from './request';
import type { DisplayEvent } from '../display/lines';
import { outcomeReason, type ReceiptOutcome, type ReportData } from './receipts';
import { batchReportData, zReportData } from './reports';
import type { SettlementResult } from '../acquirer/settlement';
import { storePurchase, type ReversalSender } from './reversals';
import {
  refundSale, voidSale, type AdjustmentResult, type RefundOptions, type VoidOptions,
} from './adjustments';
import { offlineAuthCode } from '../acquirer/advice';
import type { AdviceQueue } from '../journal/advices';
import { storeAdvice } from './advice-data';
import { hit } from './crash-points';
import {
  CARD_OFFLINE_REASON_PREFIX, checkOfflinePolicy, policyReason, POLICY_REASON_PREFIX,
  type OfflineCompletion, type OfflinePolicy,
} from './offline';

/** What the terminal needs from the bank link: one request, its matched reply. */
export interface Acquirer {
  exchange(request: IsoMessage, options?: { timeoutMs?: number }): Promise<IsoMessage>;
}

/** Each method keeps a copy and prints it; none throws: a printer fault is reported. */
export interface ReceiptSink {
  /** The receipt (and copies) of a payment that reached the bank or the card's decision. */
  print(row: TransactionRow, card: CardFacts): Promise<ReceiptOutcome | null>;
  /** The receipt of a void or refund, printed once the bank approved it. */
  printAdjustment?(row: TransactionRow, original: TransactionRow):
    Promise<ReceiptOutcome | null>;
  /** An end-of-day report. */
  printReport?(report: ReportData): Promise<ReceiptOutcome | null>;
}

export interface StatusDisplay {
  show(event: DisplayEvent): Promise<void>;
  readonly last: readonly [string, string] | undefined;
}

export interface TerminalParts {
  reader: CardReader;
  readerName?: string;
  acquirer: Acquirer;
  receipts: ReceiptSink;
  display: StatusDisplay;
  journal: Journal;
  reversals: ReversalSender;
  /** How long a pending reversal is given before a new sale may go online. */
  reversalTimeoutMs: number;
  profile: TerminalProfile;
  /** CA keys for offline data authentication; absent: none is done. */
  oda?: OdaSettings;
  /**
   * The PIN entry device of a card session: the reader's own PIN pad (PC/SC part 10) or an
   * EMV PIN pad attached to the session. Absent, or resolving undefined: no PIN can be taken,
   * and the card's CVM list decides what replaces it.
   */
  pinEntry?: (session: CardSession) => Promise<PinEntryDevice | undefined>;
  merchantId: string;
  nii: string;
  cardWaitMs: number;
  log: Logger;
  /** Offline approvals when the bank cannot be reached; absent: such payments are declined. */
  offline?: OfflineParts;
}

export interface OfflineParts {
  policy: OfflinePolicy;
  /** The card's decision when the bank cannot be reached (TAC/IAC default, then the card). */
  complete: OfflineCompletion;
  queue: AdviceQueue;
  /** Told when an advice was queued (the forwarder looks at the queue). */
  onQueued?: () => void;
}

export type PaymentStatus =
  'approved' | 'declined' | 'not_accepted' | 'failed' | 'reversal_pending' | 'reversed' |
  'approved_offline';

export interface PaymentResult {
  status: PaymentStatus;
  amount: number;
  currency: 'VND';
  currencyCode: '704';
  reference: string;
  journalId: number;
  stan: number | null;
  authCode: string | null;
  rrn: string | null;
  responseCode: string | null;
  maskedPan: string | null;
  application: string | null;
  reason: { code: string; vi: string; en: string } | null;
  receipt: ReceiptOutcome | null;
  display: readonly [string, string] | null;
  /** True when an earlier request with the same idempotency key is returned unchanged. */
  replayed: boolean;
  /** Offline approvals still to forward to the bank (this one included), when any. */
  toForward?: { pending: number; total: number };
}

/** Facts about the card kept for the receipt; the PAN appears here only masked. */
export interface CardFacts {
  maskedPan: string;
  aid: string;
  label?: string;
  tvr?: string;
  tsi?: string;
  cryptogram?: string;
  cvm: 'pin' | 'signature' | 'none';
}

/**
 * One card payment at a time, in the order a contact transaction must follow. This is the
 * only place that knows that order; every step that can be lost is written to the journal
 * before the next begins.
 */
export class PaymentTerminal {
  private busy = false;

  /** The payment running now, and how a clerk cancels it. */
  private current?: { id?: number; controller: AbortController };

  constructor(private readonly parts: TerminalParts) {}

  get isBusy(): boolean {
    return this.busy;
  }

  /**
   * Cancels the running payment `id`. Before its request has left it ends failed with nothing
   * sent; once the request is out, an approval is reversed instead of kept. Undefined when
   * `id` is not the payment running now.
   */
  abort(id: number): 'before-sending' | 'reversal' | undefined {
    if (this.current?.id !== id) return undefined;
    this.current.controller.abort();
    const state = this.parts.journal.get(id)?.state;
    return state === 'created' || state === 'card_read' ? 'before-sending' : 'reversal';
  }

  /**
   * Voids an approved sale of the open batch (adjustments.ts). It uses the bank link, so it
   * takes the terminal like a payment does: while one runs, TERMINAL_BUSY.
   */
  async voidPayment(id: number, options: VoidOptions = {}): Promise<AdjustmentResult> {
    if (this.busy) throw new RequestError('TERMINAL_BUSY');
    const original = this.parts.journal.get(id);
    if (!original) throw new RequestError('NOT_FOUND', `no payment ${id}`);
    this.busy = true;
    try {
      return await voidSale(this.parts, original, options);
    } finally {
      this.busy = false;
    }
  }

  /**
   * Runs `work` (a settlement) with the terminal taken, so that no payment runs while the
   * batch is closed; TERMINAL_BUSY while one does.
   */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.busy) throw new RequestError('TERMINAL_BUSY');
    this.busy = true;
    try {
      return await work();
    } finally {
      this.busy = false;
    }
  }

  /**
   * Closes the batch with the bank, the terminal taken as for any settlement, then prints
   * the Z report. The batch is closed whatever becomes of the paper: the report is kept and
   * queued, and can be printed again.
   */
  async settle(settlement: { settle(actor?: string): Promise<SettlementResult> },
    actor?: string): Promise<SettlementResult> {
    const result = await this.exclusive(() => settlement.settle(actor));
    const report = await this.parts.receipts.printReport?.(zReportData(this.parts.journal,
      result, this.reportIds()));
    if (report?.error) this.parts.log.warn({ err: report.error.code }, 'Z report not printed');
    return result;
  }

  /** Prints the X report of the open batch: its totals so far, nothing closed. */
  async printXReport(): Promise<ReceiptOutcome | null> {
    const { journal, receipts } = this.parts;
    if (!receipts.printReport) return null;
    return receipts.printReport(batchReportData(journal, 'X', journal.counter('batch'),
      this.reportIds()));
  }

  private reportIds(): { terminalId: string; merchantId: string } {
    return { terminalId: this.parts.profile.terminalId, merchantId: this.parts.merchantId };
  }

  /** Refunds all or part of a sale with its card in the reader (adjustments.ts). */
  async refundPayment(id: number, options: RefundOptions): Promise<AdjustmentResult> {
    if (this.busy) throw new RequestError('TERMINAL_BUSY');
    const original = this.parts.journal.get(id);
    if (!original) throw new RequestError('NOT_FOUND', `no payment ${id}`);
    this.busy = true;
    try {
      return await refundSale(this.parts, original, options);
    } finally {
      this.busy = false;
    }
  }

  async pay(request: PaymentRequest): Promise<PaymentResult> {
    if (this.busy) throw new RequestError('TERMINAL_BUSY');
    this.busy = true;
    this.current = { controller: new AbortController() };
    try {
      const result = await this.run(request);
      if (result.status === 'reversal_pending') {
        await this.parts.reversals.clear(this.parts.reversalTimeoutMs);
        return { ...result, ...this.stateOf(result.journalId) };
      }
      return result;
    } finally {
      this.busy = false;
      this.current = undefined;
      await this.parts.display.show({ kind: 'idle' }).catch(() => undefined);
    }
  }

  private async run(request: PaymentRequest): Promise<PaymentResult> {
    const { journal } = this.parts;
    const { row, created } = journal.createPayment({
      ...request,
      terminalId: this.parts.profile.terminalId,
      merchantId: this.parts.merchantId,
    });
    if (!created) return this.result(row, null, true);
    hit('payment-created');
    const signal = this.current!.controller.signal;
    this.current!.id = row.id;
    const log = this.parts.log.child({ journalId: row.id, reference: request.reference });
    log.info({ amount: request.amount }, 'payment started');
    await this.parts.display.show({ kind: 'amount', amount: request.amount });
    await this.parts.display.show({ kind: 'insertCard', amount: request.amount });

    let session: CardSession | undefined;
    try {
      session = await this.parts.reader.waitForCard({
        reader: this.parts.readerName, timeoutMs: this.parts.cardWaitMs, signal,
      });
      await this.parts.display.show({ kind: 'processing' });
      return await this.withCard(row, request, session, log);
    } catch (err) {
      return this.failBeforeBank(row.id,
        signal.aborted ? new RequestError('PAYMENT_ABORTED') : err, log);
    } finally {
      if (session) {
        await this.parts.display.show({ kind: 'removeCard' }).catch(() => undefined);
        await session.disconnect().catch(() => undefined);
      }
    }
  }

  private async withCard(row: TransactionRow, request: PaymentRequest, session: CardSession,
    log: Logger): Promise<PaymentResult> {
    const { journal } = this.parts;
    const pinEntry = await this.parts.pinEntry?.(session);
    const kernel = new ContactKernel(session, this.parts.profile, log, this.parts.oda,
      { pinEntry });
    const first = await kernel.start({
      amount: request.amount,
      transactionType: 0x00,
      date: new Date(),
      unpredictableNumber: randomBytes(4),
    });
    const card = cardFacts(first);
    journal.move(row.id, 'card_read', {
      masked_pan: card.maskedPan, pan_last4: lastFour(first.pan), aid: first.application.aid,
      app_label: card.label ?? null, tvr: card.tvr ?? null, tsi: card.tsi ?? null,
      ...chipRecord(first.tags),
    });
    journal.recordCard(row.id, first.pan);
    hit('payment-card-read');
    if (first.decision === 'declined') {
      journal.move(row.id, 'declined', {
        cryptogram: first.cryptogram.toString('hex').toUpperCase(),
        error_code: 'CARD_DECLINED', reason: 'declined by the card (AAC)',
      });
      return this.finish(row.id, card, log);
    }
    if (first.decision === 'approved') return this.cardApprovedOffline(row, first, card, log);
    // No financial message goes out while an earlier one may stand unreversed at the bank.
    if (!(await this.parts.reversals.clear(this.parts.reversalTimeoutMs))) {
      if (this.parts.offline) return this.offlineOutcome(row, kernel, first, card, log);
      await kernel.complete({ kind: 'unable-to-go-online' }).catch(() => undefined);
      journal.move(row.id, 'declined', { error_code: 'REVERSAL_PENDING',
        reason: 'a reversal is waiting for the bank' });
      return this.finish(row.id, card, log);
    }
    if (this.current?.controller.signal.aborted) throw new RequestError('PAYMENT_ABORTED');
    let purchase: PurchaseRequest | undefined;
    journal.markSent(row.id, (sent) => {
      purchase = this.purchaseRequest(row, first, sent);
      return storePurchase(purchase);
    });
    hit('payment-sent');
    const answer = await this.askBank(purchase!, log);
    if (answer.kind === 'answered') hit('payment-answered');
    // Nothing left the terminal: the bank cannot be reached, the offline policy decides.
    if (this.parts.offline && answer.kind === 'no-answer' && !answer.maybeDelivered
      && answer.error.code === 'HOST_UNREACHABLE') {
      return this.offlineOutcome(journal.get(row.id)!, kernel, first, card, log);
    }
    return this.complete(row.id, kernel, answer, card, log);
  }

  private purchaseRequest(row: TransactionRow, first: FirstAcOutcome,
    numbers: SentNumbers): PurchaseRequest {
    return {
      stan: numbers.stan, amount: row.amount, pan: first.pan, panSequence: first.panSequence,
      expiry: first.expiry.slice(0, 4), track2: first.track2, iccData: first.iccData,
      posEntryMode: '051', terminalId: row.terminal_id, merchantId: row.merchant_id,
      nii: this.parts.nii, localTime: new Date(), invoice: numbers.invoice, batch: numbers.batch,
      // Fields 52 and 53 exactly as the PIN device made them; storePurchase leaves them out.
      pinBlock: first.cvm.onlinePin?.pinBlock, ksn: first.cvm.onlinePin?.ksn,
    };
  }

  /** Sends the authorisation request; an unknown outcome is recorded, never guessed. */
  private async askBank(purchase: PurchaseRequest, log: Logger): Promise<BankAnswer> {
    await this.parts.display.show({ kind: 'connecting' });
    let request: IsoMessage;
    try {
      request = buildPurchase(purchase);
    } catch (err) {
      const error = asQuayError(err, 'ISO_PACK');
      log.error({ err: error.code, detail: error.detail }, 'authorisation request not built');
      return { kind: 'no-answer', error, maybeDelivered: false };
    }
    try {
      const reply = readPurchaseResponse(await this.parts.acquirer.exchange(request), {
        stan: purchase.stan, terminalId: purchase.terminalId,
      });
      log.info({ rc: reply.responseCode, stan: reply.stan }, 'bank answered');
      return { kind: 'answered', response: reply };
    } catch (err) {
      const error = asQuayError(err, 'HOST_PROTOCOL');
      log.warn({ err: error.code, detail: error.detail }, 'no usable answer from the bank');
      // The link says when nothing was written; any other failure may have reached the bank.
      return { kind: 'no-answer', error, maybeDelivered: error.detail.maybeDelivered !== false };
    }
  }

  private async complete(id: number, kernel: ContactKernel, answer: BankAnswer,
    card: CardFacts, log: Logger): Promise<PaymentResult> {
    const { journal } = this.parts;
    const online: OnlineAnswer = answer.kind === 'answered'
      ? {
        kind: 'answered', approved: answer.response.approved,
        arc: Buffer.from(answer.response.responseCode, 'ascii'),
        issuerAuthData: answer.response.issuerAuthData,
        scripts: answer.response.scripts ? Buffer.concat(answer.response.scripts) : undefined,
      }
      : { kind: 'unable-to-go-online' };
    const hostFields = answer.kind === 'answered' ? {
      response_code: answer.response.responseCode, auth_code: answer.response.authCode ?? null,
      rrn: answer.response.rrn ?? null,
    } : { error_code: answer.error.code };

    let second;
    try {
      second = await kernel.complete(online);
    } catch (err) {
      // The card failed at the last step. Only a request that may stand approved at the bank
      // needs reversing; a decline, or a request that never left, is simply declined.
      const error = asQuayError(err, 'CARD_STATUS');
      const owed = answer.kind === 'answered' ? answer.response.approved : answer.maybeDelivered;
      journal.move(id, owed ? 'reversal_pending' : 'declined', { ...hostFields,
        error_code: error.code, reason: `card failed after the bank step: ${error.message}` });
      return this.finish(id, card, log);
    }
    const update = {
      ...hostFields, tvr: hex(second.tvr), tsi: hex(second.tsi), cryptogram: hex(second.cryptogram),
      ...chipRecord(second.tags),
    };
    card.tvr = update.tvr;
    card.tsi = update.tsi;
    card.cryptogram = update.cryptogram;
    if (answer.kind === 'no-answer') {
      const to = answer.maybeDelivered ? 'reversal_pending' : 'declined';
      journal.move(id, to, { ...update, reason: withCause(answer.error) });
    } else if (answer.response.approved && this.current?.controller.signal.aborted) {
      journal.move(id, 'reversal_pending', { ...update, error_code: 'PAYMENT_ABORTED',
        reason: 'cancelled by the clerk after the request left' });
    } else if (answer.response.approved && second.decision === 'approved') {
      journal.move(id, 'approved', update);
    } else if (answer.response.approved) {
      journal.move(id, 'reversal_pending', { ...update, error_code: 'CARD_DECLINED',
        reason: 'the card declined what the bank approved' });
    } else {
      journal.move(id, 'declined', update);
    }
    return this.finish(id, card, log);
  }

  /**
   * The bank cannot be reached: the policy first, then the card. Inside both, the payment is
   * approved offline and its advice queued in the same commit, its card data sealed.
   */
  private async offlineOutcome(row: TransactionRow, kernel: ContactKernel, first: FirstAcOutcome,
    card: CardFacts, log: Logger): Promise<PaymentResult> {
    const { journal } = this.parts;
    const offline = this.parts.offline!;
    const verdict = checkOfflinePolicy(offline.policy,
      { amount: row.amount, aid: first.application.aid }, offline.queue.summary());
    if (!verdict.ok) {
      await kernel.complete({ kind: 'unable-to-go-online' }).catch(() => undefined);
      journal.move(row.id, 'declined', { error_code: 'OFFLINE_LIMIT',
        reason: POLICY_REASON_PREFIX + verdict.rule });
      log.warn({ rule: verdict.rule }, 'outside the offline policy');
      return this.finish(row.id, card, log);
    }
    let second;
    try {
      second = await offline.complete(kernel);
    } catch (err) {
      const error = asQuayError(err, 'CARD_STATUS');
      journal.move(row.id, 'declined', { error_code: error.code,
        reason: `card failed at the offline decision: ${error.message}` });
      return this.finish(row.id, card, log);
    }
    const update = { tvr: hex(second.tvr), tsi: hex(second.tsi),
      cryptogram: hex(second.cryptogram), ...chipRecord(second.tags) };
    card.tvr = update.tvr;
    card.tsi = update.tsi;
    card.cryptogram = update.cryptogram;
    if (second.decision !== 'approved') {
      journal.move(row.id, 'declined', { ...update, response_code: 'Z3',
        error_code: 'CARD_DECLINED', reason: 'declined by the card offline (AAC, Z3)' });
      return this.finish(row.id, card, log);
    }
    return this.queueAdvice(row, first, update, second.iccData, 'Y3', log, card);
  }

  /**
   * The card approved at its first GENERATE AC (TC, Y1): the same policy as when the bank
   * cannot be reached, then the advice queued like any offline approval. Outside the policy
   * the TC is not kept and the payment is declined (no second GENERATE AC follows a TC).
   */
  private async cardApprovedOffline(row: TransactionRow, first: FirstAcOutcome,
    card: CardFacts, log: Logger): Promise<PaymentResult> {
    const { journal } = this.parts;
    const offline = this.parts.offline;
    const verdict = offline ? checkOfflinePolicy(offline.policy,
      { amount: row.amount, aid: first.application.aid }, offline.queue.summary())
      : { ok: false as const, rule: 'disabled' as const };
    const update = { cryptogram: hex(first.cryptogram) };
    if (!verdict.ok) {
      journal.move(row.id, 'declined', { ...update, error_code: 'OFFLINE_LIMIT',
        reason: CARD_OFFLINE_REASON_PREFIX + verdict.rule });
      log.warn({ rule: verdict.rule }, 'card approved offline, outside the offline policy');
      return this.finish(row.id, card, log);
    }
    return this.queueAdvice(row, first, update, first.iccData, 'Y1', log, card);
  }

  /** Approved offline and its advice queued in one commit; the forwarder is told. */
  private queueAdvice(row: TransactionRow, first: FirstAcOutcome, update: TransactionUpdate,
    iccData: Buffer, arc: 'Y1' | 'Y3', log: Logger, card: CardFacts): Promise<PaymentResult> {
    const offline = this.parts.offline!;
    const now = new Date();
    offline.queue.enqueue(row.id, (numbers) => ({ ...update, response_code: arc,
      auth_code: offlineAuthCode(numbers.stan) }), (numbers) => {
      const purchase = this.purchaseRequest(row, first, numbers);
      return storeAdvice({ ...purchase, iccData, localTime: now,
        transmittedAt: now, offlineResponseCode: arc, authCode: offlineAuthCode(numbers.stan) });
    }, now);
    hit('offline-queued');
    log.info({ arc }, 'approved offline, advice queued');
    offline.onQueued?.();
    return this.finish(row.id, card, log);
  }

  private async finish(id: number, card: CardFacts, log: Logger): Promise<PaymentResult> {
    const row = this.parts.journal.get(id)!;
    hit('payment-final');
    await this.parts.display.show(resultEvent(row));
    const receipt = await this.parts.receipts.print(row, card);
    if (receipt?.error) log.warn({ err: receipt.error.code }, 'receipt not printed');
    log.info({ state: row.state, rc: row.response_code }, 'payment ended');
    return this.result(this.parts.journal.get(id)!, receipt, false);
  }

  private async failBeforeBank(id: number, err: unknown, log: Logger): Promise<PaymentResult> {
    const error = asQuayError(err, 'CARD_STATUS');
    log.warn({ err: error.code, detail: error.detail, message: error.message }, 'payment failed');
    const row = this.parts.journal.get(id)!;
    const notAccepted = error.code === 'CARD_NOT_ACCEPTED' || error.code === 'CARD_BLOCKED';
    if (row.state === 'created' || row.state === 'card_read') {
      const to = notAccepted && row.state === 'created' ? 'not_accepted' : 'failed';
      this.parts.journal.move(id, to, { error_code: error.code, reason: error.message });
    }
    const final = this.parts.journal.get(id)!;
    await this.parts.display.show(resultEvent(final)).catch(() => undefined);
    return this.result(final, null, false);
  }

  /** The parts of a result that a later reversal can change. */
  private stateOf(id: number): Pick<PaymentResult, 'status' | 'reason'> {
    const row = this.parts.journal.get(id)!;
    return { status: publicStatus(row), reason: reasonOf(row) };
  }

  private toForward(row: TransactionRow): Pick<PaymentResult, 'toForward'> {
    if (!this.parts.offline || publicStatus(row) !== 'approved_offline') return {};
    const { pending, total } = this.parts.offline.queue.summary();
    return { toForward: { pending, total } };
  }

  private result(row: TransactionRow, receipt: ReceiptOutcome | null,
    replayed: boolean): PaymentResult {
    return {
      status: publicStatus(row),
      amount: row.amount,
      currency: 'VND',
      currencyCode: '704',
      reference: row.reference,
      journalId: row.id,
      stan: row.stan,
      authCode: row.auth_code,
      rrn: row.rrn,
      responseCode: row.response_code,
      maskedPan: row.masked_pan,
      application: row.app_label ?? row.aid,
      reason: reasonOf(row),
      receipt,
      display: this.parts.display.last ?? null,
      replayed,
      ...this.toForward(row),
    };
  }
}

type BankAnswer =
  | { kind: 'answered'; response: PurchaseResponse }
  | { kind: 'no-answer'; error: QuayError; maybeDelivered: boolean };

function cardFacts(first: FirstAcOutcome): CardFacts {
  return {
    maskedPan: maskPan(first.pan),
    aid: first.application.aid,
    label: first.application.preferredName ?? first.application.label,
    tvr: hex(first.tvr),
    tsi: hex(first.tsi),
    cvm: verification(first.cvm),
  };
}

/**
 * The receipt's verification line from the CVM outcome (Book 4 A4): a signature line when a
 * signature is due, "PIN verified" when a PIN succeeded (offline, result 02) or went online,
 * otherwise no line.
 */
function verification(cvm: FirstAcOutcome['cvm']): CardFacts['cvm'] {
  if (cvm.signatureRequired) return 'signature';
  if (cvm.method === 'online-pin' && cvm.onlinePin !== undefined) return 'pin';
  const succeeded = cvm.results[2] === 0x02;
  return succeeded && cvm.method.includes('pin') ? 'pin' : 'none';
}

function resultEvent(row: TransactionRow): DisplayEvent {
  switch (row.state) {
    case 'approved': case 'approved_offline':
      return { kind: 'approved', amount: row.amount };
    case 'declined': return { kind: 'declined', reason: outcomeReason(row) };
    case 'not_accepted': return { kind: 'cardNotAccepted' };
    default: return { kind: 'error', message: outcomeReason(row) };
  }
}

function publicStatus(row: TransactionRow): PaymentStatus {
  switch (row.state) {
    case 'approved': case 'declined': case 'not_accepted': case 'failed':
    case 'reversal_pending': case 'reversed': case 'approved_offline':
      return row.state;
    case 'advice_sent': return 'approved_offline';
    case 'advice_accepted': case 'settled': return 'approved';
    case 'advice_declined': return 'declined';
    default:
      return 'failed';
  }
}

function reasonOf(row: TransactionRow): PaymentResult['reason'] {
  if (row.state === 'approved' || row.state === 'approved_offline'
    || row.state === 'advice_sent' || row.state === 'advice_accepted') return null;
  const policy = row.error_code === 'OFFLINE_LIMIT' ? policyReason(row.reason) : undefined;
  if (policy) return { code: 'OFFLINE_LIMIT', ...policy };
  const words = outcomeReason(row);
  const unwound = row.state === 'reversal_pending' || row.state === 'reversed';
  const code = unwound ? row.state.toUpperCase()
    : row.error_code ?? (row.response_code ? `RC_${row.response_code}` : null);
  if (!code || !words) return null;
  return { code, ...words };
}

/** The error's message and its cause's: the journal says which part of a reply was wrong. */
function withCause(error: QuayError): string {
  const cause = error.cause;
  return cause instanceof Error && cause.message !== error.message
    ? `${error.message}: ${cause.message}` : error.message;
}

/**
 * What the journal keeps of the chip's record beside TVR, TSI and cryptogram: PAN sequence
 * number, ATC, CVM results, cryptogram information data and issuer application data, as the
 * card or the kernel last set them.
 */
function chipRecord(tags: FirstAcOutcome['tags']): Pick<TransactionUpdate,
  'pan_sequence' | 'atc' | 'cvm_results' | 'cid' | 'iad'> {
  const value = (tag: string) => {
    const bytes = tags[tag];
    return bytes === undefined ? null : hex(bytes);
  };
  return { pan_sequence: value('5F34'), atc: value('9F36'), cvm_results: value('9F34'),
    cid: value('9F27'), iad: value('9F10') };
}

function hex(b: Buffer): string {
  return b.toString('hex').toUpperCase();
}

