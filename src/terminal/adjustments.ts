import { randomBytes } from 'node:crypto';
import {
  buildRefund, buildVoid, readAdjustmentResponse, REFUND_PROCESSING_CODE, VOID_PROCESSING_CODE,
  type PurchaseResponse, type RefundRequest, type VoidRequest,
} from '../acquirer/messages';
import type { CardSession } from '../../drivers/card/types';
import { ContactKernel, type FirstAcOutcome } from '../emv/kernel';
import { asQuayError, QuayError, RequestError } from '../errors';
import type { IsoMessage } from '../iso8583/message';
import type { Journal, TransactionRow } from '../journal/journal';
import type { Logger } from '../log';
import { lastFour, maskPan } from '../mask';
import type { Acquirer, ReceiptSink, TerminalParts } from './payment';
import { storeRefund, storeVoid, type ReversalSender } from './reversals';

/**
 * Voids and refunds of approved sales. A void undoes a sale of the open batch at the bank
 * before it is settled: no card is needed, the card number comes from the journal's sealed
 * copy. It is a request of its own (a journal row of kind 'void' with its STAN) and is treated
 * like a sale where it can go wrong: its reversal is armed before it leaves, an unknown
 * outcome is reversed, never guessed, and the sale is marked voided only in the commit that
 * records the bank's approval. A refund (refundSale) is likewise a request of its own, read
 * from the card that paid.
 */
export interface AdjustmentParts {
  journal: Journal;
  acquirer: Acquirer;
  reversals: ReversalSender;
  reversalTimeoutMs: number;
  nii: string;
  log: Logger;
  /** Prints the receipt of a void the bank approved; absent: none is printed. */
  receipts?: Pick<ReceiptSink, 'printAdjustment'>;
}

/** Transaction type 20: refund (ISO 8583 processing code 20, EMV tag 9C). */
const REFUND_TRANSACTION_TYPE = 0x20;
/** POS entry mode of a refund: read from the chip (05), no PIN entered (2). */
const REFUND_POS_ENTRY_MODE = '052';

export interface VoidOptions {
  /** Who authorised it (a supervisor's name), for the journal. */
  operator?: string;
  /** Desk software's key: a repeated request returns the first void. */
  idempotencyKey?: string;
}

export type AdjustmentStatus = 'approved' | 'declined' | 'reversal_pending' | 'reversed';

export interface AdjustmentResult {
  kind: 'void' | 'refund';
  status: AdjustmentStatus;
  journalId: number;
  originalId: number;
  amount: number;
  stan: number | null;
  responseCode: string | null;
  authCode: string | null;
  rrn: string | null;
  /** Why it was not approved: an error code or the bank's answer. */
  reason: string | null;
  replayed: boolean;
}

/** States of a sale that the bank holds in the open batch. */
const VOIDABLE_STATES = new Set(['approved', 'advice_accepted']);

/** What a void needs of its sale; a NOT_VOIDABLE error naming what is missing otherwise. */
function voidableSale(journal: Journal, original: TransactionRow): {
  pan: string; rrn: string; authCode: string; invoice: number | undefined;
} {
  const refuse = (why: string) => new RequestError('NOT_VOIDABLE',
    `payment ${original.id} cannot be voided: ${why}`, { detail: { id: original.id, why } });
  if (original.kind !== 'purchase') throw refuse(`it is a ${original.kind}`);
  if (!VOIDABLE_STATES.has(original.state)) throw refuse(`it is ${original.state}`);
  const open = journal.adjustmentsOf(original.id)
    .find((a) => a.kind === 'void' && a.state !== 'declined' && a.state !== 'reversed');
  if (open) throw refuse(`void #${open.id} is ${open.state}`);
  const pan = journal.cardNumber(original.id);
  if (pan === undefined) throw refuse('its card number is no longer kept');
  if (original.rrn === null || original.auth_code === null) {
    throw refuse('the bank gave it no reference number or approval code');
  }
  return { pan, rrn: original.rrn, authCode: original.auth_code,
    invoice: original.invoice ?? undefined };
}

export async function voidSale(parts: AdjustmentParts, original: TransactionRow,
  options: VoidOptions = {}): Promise<AdjustmentResult> {
  const { journal } = parts;
  if (options.idempotencyKey !== undefined) {
    const seen = journal.byIdempotencyKey(options.idempotencyKey);
    if (seen) return resultOf(journal.get(seen.id)!, true);
  }
  const sale = voidableSale(journal, original);
  // No financial message goes out while an earlier one may stand unreversed at the bank.
  if (!(await parts.reversals.clear(parts.reversalTimeoutMs))) {
    throw new RequestError('REVERSAL_PENDING', undefined, { detail: { id: original.id } });
  }
  const { row } = journal.createAdjustment({ kind: 'void', original, amount: original.amount,
    operator: options.operator, idempotencyKey: options.idempotencyKey });
  const log = parts.log.child({ journalId: row.id, voids: original.id });
  let request: VoidRequest | undefined;
  journal.markSent(row.id, (numbers) => {
    request = {
      stan: numbers.stan, terminalId: original.terminal_id, merchantId: original.merchant_id,
      nii: parts.nii, localTime: new Date(), batch: original.batch ?? numbers.batch,
      pan: sale.pan,
      original: { rrn: sale.rrn, authCode: sale.authCode, amount: original.amount,
        invoice: sale.invoice },
    };
    return storeVoid(request);
  });
  const answer = await ask(parts, buildVoid, request!, VOID_PROCESSING_CODE, log);
  if (answer.kind === 'answered') {
    const fields = { response_code: answer.response.responseCode,
      auth_code: answer.response.authCode ?? null, rrn: answer.response.rrn ?? null };
    if (answer.response.approved) {
      journal.completeVoid(row.id, fields);
      log.info({ rc: fields.response_code }, 'void approved');
    } else {
      journal.move(row.id, 'declined', { ...fields,
        reason: `the bank refused the void (${fields.response_code})` });
    }
  } else {
    journal.move(row.id, answer.maybeDelivered ? 'reversal_pending' : 'declined', {
      error_code: answer.error.code, reason: answer.error.message });
    if (answer.maybeDelivered) await parts.reversals.clear(parts.reversalTimeoutMs);
  }
  const result = audited(journal, journal.get(row.id)!);
  await printReceipt(parts, result, original, log);
  return result;
}

/**
 * The receipt of an approved void or refund, once its outcome is in the journal and the
 * audit log: the paper follows the bank's answer and never holds it up or undoes it.
 */
async function printReceipt(parts: AdjustmentParts, result: AdjustmentResult,
  original: TransactionRow, log: Logger): Promise<void> {
  if (result.status !== 'approved' || !parts.receipts?.printAdjustment) return;
  const receipt = await parts.receipts.printAdjustment(parts.journal.get(result.journalId)!,
    original);
  if (receipt?.error) log.warn({ err: receipt.error.code }, 'receipt not printed');
}

export interface RefundOptions extends VoidOptions {
  /** Whole dong: all or part of what is left of the sale. */
  amount: number;
}

/** States of a sale whose money the bank holds or has paid out: it can be refunded. */
const REFUNDABLE_STATES = new Set(['approved', 'advice_accepted', 'settled']);

function refundableAmount(journal: Journal, original: TransactionRow): number {
  const refunded = journal.adjustmentsOf(original.id)
    .filter((a) => a.kind === 'refund' && (a.state === 'approved' || a.state === 'sent'
      || a.state === 'reversal_pending' || a.state === 'card_read'))
    .reduce((sum, a) => sum + a.amount, 0);
  return original.amount - refunded;
}

/**
 * A refund of all or part of a sale, with the card that paid in the reader: the chip is read
 * as for a payment (transaction type 20), the card must be the sale's (its keyed hash), and
 * the refund goes online with the card's data. The bank's answer decides; the refunds of one
 * sale never add up to more than its amount. A refund is never approved offline.
 */
export async function refundSale(parts: TerminalParts, original: TransactionRow,
  options: RefundOptions): Promise<AdjustmentResult> {
  const { journal } = parts;
  if (options.idempotencyKey !== undefined) {
    const seen = journal.byIdempotencyKey(options.idempotencyKey);
    if (seen) return resultOf(journal.get(seen.id)!, true);
  }
  const refuse = (why: string) => new RequestError('NOT_REFUNDABLE',
    `payment ${original.id} cannot be refunded: ${why}`, { detail: { id: original.id, why } });
  if (original.kind !== 'purchase') throw refuse(`it is a ${original.kind}`);
  if (!REFUNDABLE_STATES.has(original.state)) throw refuse(`it is ${original.state}`);
  if (original.rrn === null || original.auth_code === null) {
    throw refuse('the bank gave it no reference number or approval code');
  }
  const left = refundableAmount(journal, original);
  if (!Number.isSafeInteger(options.amount) || options.amount <= 0 || options.amount > left) {
    throw new RequestError('NOT_REFUNDABLE', `at most ${left} dong is left to refund`, {
      detail: { id: original.id, field: 'amount', left } });
  }
  if (!(await parts.reversals.clear(parts.reversalTimeoutMs))) {
    throw new RequestError('REVERSAL_PENDING', undefined, { detail: { id: original.id } });
  }
  const { row } = journal.createAdjustment({ kind: 'refund', original, amount: options.amount,
    operator: options.operator, idempotencyKey: options.idempotencyKey });
  const log = parts.log.child({ journalId: row.id, refunds: original.id });
  await parts.display.show({ kind: 'insertCard', amount: options.amount }).catch(() => undefined);
  let session: CardSession | undefined;
  try {
    session = await parts.reader.waitForCard({ reader: parts.readerName,
      timeoutMs: parts.cardWaitMs });
    await parts.display.show({ kind: 'processing' }).catch(() => undefined);
    return await refundWithCard(parts, row, original, session, log);
  } catch (err) {
    const error = asQuayError(err, 'CARD_STATUS');
    const now = journal.get(row.id)!;
    if (now.state === 'created' || now.state === 'card_read') {
      journal.move(row.id, 'failed', { error_code: error.code, reason: error.message });
    }
    log.warn({ err: error.code }, 'refund failed before the bank');
    return resultOf(journal.get(row.id)!, false);
  } finally {
    if (session) {
      await parts.display.show({ kind: 'removeCard' }).catch(() => undefined);
      await session.disconnect().catch(() => undefined);
    }
    await parts.display.show({ kind: 'idle' }).catch(() => undefined);
  }
}

async function refundWithCard(parts: TerminalParts, row: TransactionRow,
  original: TransactionRow, session: CardSession, log: Logger): Promise<AdjustmentResult> {
  const { journal } = parts;
  const kernel = new ContactKernel(session, parts.profile, log, parts.oda);
  const first = await kernel.start({ amount: row.amount, transactionType: REFUND_TRANSACTION_TYPE,
    date: new Date(), unpredictableNumber: randomBytes(4) });
  // The money goes back to the card that paid: the same keyed hash as the sale's.
  if (!journal.byCardNumber(first.pan).some((r) => r.id === original.id)) {
    throw new RequestError('NOT_REFUNDABLE', 'this is not the card that paid', {
      detail: { id: original.id, why: 'another card' } });
  }
  journal.move(row.id, 'card_read', { masked_pan: maskPan(first.pan),
    pan_last4: lastFour(first.pan), tvr: hex(first.tvr), tsi: hex(first.tsi) });
  let request: RefundRequest | undefined;
  journal.markSent(row.id, (numbers) => {
    request = refundRequest(parts, row, original, first, numbers);
    return storeRefund(request);
  });
  const answer = await ask(parts, buildRefund, request!, REFUND_PROCESSING_CODE, log);
  // The card's own second cryptogram closes its transaction; the bank's answer decides.
  if (first.decision === 'online') {
    await kernel.complete(answer.kind === 'answered'
      ? { kind: 'answered', approved: answer.response.approved,
        arc: Buffer.from(answer.response.responseCode, 'ascii'),
        issuerAuthData: answer.response.issuerAuthData }
      : { kind: 'unable-to-go-online' }).catch((err: unknown) => {
      log.info({ err: asQuayError(err, 'CARD_STATUS').code }, 'card ended the refund early');
    });
  }
  if (answer.kind === 'answered') {
    const fields = { response_code: answer.response.responseCode,
      auth_code: answer.response.authCode ?? null, rrn: answer.response.rrn ?? null,
      cryptogram: hex(first.cryptogram) };
    journal.move(row.id, answer.response.approved ? 'approved' : 'declined', answer.response
      .approved ? fields : { ...fields, reason: `the bank refused the refund (${fields
        .response_code})` });
  } else {
    journal.move(row.id, answer.maybeDelivered ? 'reversal_pending' : 'declined', {
      error_code: answer.error.code, reason: answer.error.message });
    if (answer.maybeDelivered) await parts.reversals.clear(parts.reversalTimeoutMs);
  }
  const result = audited(journal, journal.get(row.id)!);
  await printReceipt(parts, result, original, log);
  return result;
}

function refundRequest(parts: TerminalParts, row: TransactionRow, original: TransactionRow,
  first: FirstAcOutcome, numbers: { stan: number; invoice: number; batch: number }):
  RefundRequest {
  return {
    stan: numbers.stan, terminalId: row.terminal_id, merchantId: row.merchant_id,
    nii: parts.nii, localTime: new Date(), batch: numbers.batch, invoice: numbers.invoice,
    amount: row.amount, pan: first.pan, panSequence: first.panSequence,
    expiry: first.expiry.slice(0, 4), track2: first.track2, iccData: first.iccData,
    posEntryMode: REFUND_POS_ENTRY_MODE,
    original: { rrn: original.rrn!, authCode: original.auth_code!, amount: original.amount,
      invoice: original.invoice ?? undefined },
  };
}

function hex(bytes: Buffer): string {
  return bytes.toString('hex').toUpperCase();
}

type Answer =
  | { kind: 'answered'; response: PurchaseResponse }
  | { kind: 'no-answer'; error: QuayError; maybeDelivered: boolean };

async function ask<R extends VoidRequest | RefundRequest>(parts: AdjustmentParts,
  build: (request: R) => IsoMessage, request: R, processingCode: string, log: Logger):
  Promise<Answer> {
  let message;
  try {
    message = build(request);
  } catch (err) {
    return { kind: 'no-answer', error: asQuayError(err, 'ISO_PACK'), maybeDelivered: false };
  }
  try {
    const reply = readAdjustmentResponse(await parts.acquirer.exchange(message), {
      stan: request.stan, terminalId: request.terminalId, processingCode,
    });
    return { kind: 'answered', response: reply };
  } catch (err) {
    const error = asQuayError(err, 'HOST_PROTOCOL');
    log.warn({ err: error.code }, 'no usable answer to the void or refund');
    return { kind: 'no-answer', error, maybeDelivered: error.detail.maybeDelivered !== false };
  }
}

/** Writes the audit line of a void or refund that reached the bank, and returns its result. */
function audited(journal: Journal, row: TransactionRow): AdjustmentResult {
  const result = resultOf(row, false);
  journal.audit({ action: result.kind, actor: row.operator ?? undefined,
    target: `#${result.originalId}`, outcome: result.status,
    detail: { journalId: row.id, amount: row.amount, responseCode: row.response_code } });
  return result;
}

function resultOf(row: TransactionRow, replayed: boolean): AdjustmentResult {
  const status: AdjustmentStatus = row.state === 'approved' || row.state === 'declined'
    || row.state === 'reversal_pending' || row.state === 'reversed' ? row.state : 'declined';
  return {
    kind: row.kind === 'refund' ? 'refund' : 'void', status, journalId: row.id,
    originalId: row.original_id ?? row.id, amount: row.amount, stan: row.stan,
    responseCode: row.response_code, authCode: row.auth_code, rrn: row.rrn,
    reason: status === 'approved' ? null : row.error_code ?? row.reason, replayed,
  };
}
