import { ERROR_CATALOGUE, type ErrorCode } from '../errors';
import { silentLogger, type Logger } from '../log';
import { QrError } from './errors';
import { contentHasReference } from './reference';
import type { BankTransfer } from './transfer';

/**
 * Matches the transfers the bank reports to the QR payments waiting for them. A transfer
 * counts once, by its transaction ID, whether it comes by polling, by notification, or both
 * and repeated. It pays a waiting payment when its content carries the reference and its
 * amount is the payment's; a different amount is flagged for the supervisor, as is a transfer
 * for a payment that has already ended (paid, timed out or cancelled).
 */

export interface QrReason {
  code: ErrorCode;
  en: string;
  vi: string;
}

export type QrOutcome =
  | { status: 'paid'; reference: string; amount: number; transfer: BankTransfer }
  | { status: 'flagged'; reference: string; amount: number; transfer: BankTransfer;
    reason: QrReason }
  | { status: 'timeout' | 'cancelled'; reference: string; amount: number; reason: QrReason };

/** Transfers a supervisor must look at: the money moved, but not as the payment expected. */
export interface SupervisorNotice {
  kind: 'amount-mismatch' | 'after-close';
  reference: string;
  expectedAmount: number;
  transfer: BankTransfer;
  /** For `after-close`: how the payment had ended. */
  closedAs?: QrOutcome['status'];
}

export type OfferResult = 'paid' | 'flagged' | 'duplicate' | 'after-close' | 'unknown';

export interface MatcherOptions {
  log?: Logger;
  onSupervisor?: (notice: SupervisorNotice) => void;
  /** How many transaction IDs and ended payments are remembered (oldest forgotten first). */
  remember?: number;
}

interface Waiting {
  reference: string;
  amount: number;
  settle: (outcome: QrOutcome) => void;
}

export function reasonOf(code: ErrorCode): QrReason {
  const info = ERROR_CATALOGUE[code];
  return { code, en: info.en, vi: info.vi };
}

export class QrMatcher {
  private readonly waiting = new Map<string, Waiting>();
  private readonly ended = new Map<string, { amount: number; status: QrOutcome['status'] }>();
  private readonly seen = new Set<string>();
  private readonly log: Logger;
  private readonly remember: number;

  constructor(private readonly options: MatcherOptions = {}) {
    this.log = options.log ?? silentLogger;
    this.remember = options.remember ?? 10_000;
  }

  /** Starts waiting for a transfer carrying `reference`; the promise settles once. */
  expect(reference: string, amount: number): Promise<QrOutcome> {
    if (this.waiting.has(reference) || this.ended.has(reference)) {
      throw new QrError('QR_FIELD_INVALID', `reference ${reference} is already in use`,
        { detail: { field: '62.08', reference } });
    }
    return new Promise((settle) => this.waiting.set(reference, { reference, amount, settle }));
  }

  isWaiting(reference: string): boolean {
    return this.waiting.has(reference);
  }

  /** Ends a waiting payment without a transfer; false when it had already ended. */
  close(reference: string, status: 'timeout' | 'cancelled'): boolean {
    const waiting = this.waiting.get(reference);
    if (!waiting) return false;
    this.finish(waiting, {
      status, reference, amount: waiting.amount,
      reason: reasonOf(status === 'timeout' ? 'QR_TIMEOUT' : 'QR_CANCELLED'),
    });
    return true;
  }

  /** A transfer reported by the bank: what it did. */
  offer(transfer: BankTransfer): OfferResult {
    if (this.seen.has(transfer.transactionId)) {
      this.log.info({ transactionId: transfer.transactionId }, 'qr: duplicate transfer ignored');
      return 'duplicate';
    }
    this.keep(this.seen, transfer.transactionId);
    const waiting = [...this.waiting.values()]
      .find((w) => contentHasReference(transfer.content, w.reference));
    if (waiting) return this.pay(waiting, transfer);
    const ended = [...this.ended.entries()]
      .find(([reference]) => contentHasReference(transfer.content, reference));
    if (ended) {
      const [reference, { amount, status }] = ended;
      this.flag({ kind: 'after-close', reference, expectedAmount: amount, transfer,
        closedAs: status });
      return 'after-close';
    }
    this.log.info({ transactionId: transfer.transactionId, amount: transfer.amount },
      'qr: transfer for no payment of this terminal');
    return 'unknown';
  }

  private pay(waiting: Waiting, transfer: BankTransfer): OfferResult {
    const { reference, amount } = waiting;
    if (transfer.amount !== amount) {
      this.finish(waiting, { status: 'flagged', reference, amount, transfer,
        reason: reasonOf('QR_PAYMENT_MISMATCH') });
      this.flag({ kind: 'amount-mismatch', reference, expectedAmount: amount, transfer });
      return 'flagged';
    }
    this.finish(waiting, { status: 'paid', reference, amount, transfer });
    return 'paid';
  }

  private finish(waiting: Waiting, outcome: QrOutcome): void {
    this.waiting.delete(waiting.reference);
    this.ended.set(waiting.reference, { amount: waiting.amount, status: outcome.status });
    if (this.ended.size > this.remember) {
      this.ended.delete(this.ended.keys().next().value as string);
    }
    this.log.info({ reference: waiting.reference, status: outcome.status }, 'qr: payment ended');
    waiting.settle(outcome);
  }

  private flag(notice: SupervisorNotice): void {
    this.log.warn({ kind: notice.kind, reference: notice.reference,
      expectedAmount: notice.expectedAmount, amount: notice.transfer.amount,
      transactionId: notice.transfer.transactionId }, 'qr: transfer flagged for the supervisor');
    this.options.onSupervisor?.(notice);
  }

  private keep(set: Set<string>, value: string): void {
    set.add(value);
    if (set.size > this.remember) set.delete(set.values().next().value as string);
  }
}
