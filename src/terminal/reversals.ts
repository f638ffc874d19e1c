import {
  buildRefund, buildReversal, buildVoid, readReversalResponse, reversalOf, type PurchaseRequest,
  type RefundRequest, type VoidRequest,
} from '../acquirer/messages';
import type { IsoMessage } from '../iso8583/message';
import { asQuayError } from '../errors';
import type { Journal, PendingReversal } from '../journal/journal';
import type { Logger } from '../log';
import type { Acquirer } from './payment';

/** A purchase request as kept, sealed, in the journal until its reversal is settled. */
export interface StoredPurchase {
  stan: number;
  amount: number;
  pan: string;
  panSequence?: string;
  expiry: string;
  track2?: string;
  iccData: string;
  posEntryMode: string;
  terminalId: string;
  merchantId: string;
  nii: string;
  localTime: string;
  invoice?: number;
  batch?: number;
}

/**
 * What a reversal needs of a request. The PIN block and its KSN are left out: a reversal
 * carries no PIN, and PIN data is kept nowhere once the request has left, not even sealed.
 */
export function storePurchase(req: PurchaseRequest): StoredPurchase {
  const { pinBlock: _pinBlock, ksn: _ksn, ...kept } = req;
  return {
    ...kept,
    track2: req.track2?.toString('hex'),
    iccData: req.iccData.toString('hex'),
    localTime: req.localTime.toISOString(),
  };
}

export function restorePurchase(stored: StoredPurchase): PurchaseRequest {
  return {
    ...stored,
    track2: stored.track2 === undefined ? undefined : Buffer.from(stored.track2, 'hex'),
    iccData: Buffer.from(stored.iccData, 'hex'),
    localTime: new Date(stored.localTime),
  };
}

/** A void or refund as kept, sealed, until its reversal is settled. */
export type StoredAdjustment =
  | { kind: 'void'; request: Omit<VoidRequest, 'localTime'> & { localTime: string } }
  | { kind: 'refund'; request: Omit<RefundRequest, 'localTime' | 'track2' | 'iccData'>
    & { localTime: string; track2?: string; iccData?: string } };

/** What a reversal record holds: a sale (no kind, as kept since schema 2) or an adjustment. */
export type StoredRequest = StoredPurchase | StoredAdjustment;

export function storeVoid(req: VoidRequest): StoredAdjustment {
  return { kind: 'void', request: { ...req, localTime: req.localTime.toISOString() } };
}

export function storeRefund(req: RefundRequest): StoredAdjustment {
  return { kind: 'refund', request: { ...req, localTime: req.localTime.toISOString(),
    track2: req.track2?.toString('hex'), iccData: req.iccData?.toString('hex') } };
}

function isAdjustment(stored: StoredRequest): stored is StoredAdjustment {
  return 'kind' in stored && (stored.kind === 'void' || stored.kind === 'refund');
}

/** The 0400 (0401 when repeated) that undoes a stored request, and the terminal it names. */
function reversalRequest(stored: StoredRequest, repeat: boolean):
  { message: IsoMessage; terminalId: string } {
  if (!isAdjustment(stored)) {
    const original = restorePurchase(stored);
    return { message: buildReversal(original, repeat), terminalId: original.terminalId };
  }
  const localTime = new Date(stored.request.localTime);
  if (stored.kind === 'void') {
    return { message: reversalOf(buildVoid({ ...stored.request, localTime }), repeat),
      terminalId: stored.request.terminalId };
  }
  const { track2, iccData, ...rest } = stored.request;
  const refund = buildRefund({ ...rest, localTime,
    track2: track2 === undefined ? undefined : Buffer.from(track2, 'hex'),
    iccData: iccData === undefined ? undefined : Buffer.from(iccData, 'hex') });
  return { message: reversalOf(refund, repeat), terminalId: rest.terminalId };
}

/** How many sends of one reversal are allowed before it is held, unless configured. */
export const DEFAULT_REVERSAL_MAX_ATTEMPTS = 5;

/**
 * Sends the reversals the journal owes: 0400 the first time, 0401 after. A reversal is done
 * only when the bank acknowledges it with a 0410; a late 0210 for the original changes
 * nothing, since the link drops replies nobody waits for. A try that never left the terminal
 * (the bank could not be reached) is not counted as a send. After `maxAttempts` sends without
 * an acknowledgement the reversal is held: it stays pending, so no sale goes online, but it
 * is not sent again until a technician releases it (Journal.releaseHeldReversals).
 */
export class ReversalSender {
  private readonly maxAttempts: number;

  constructor(private readonly journal: Journal, private readonly acquirer: Acquirer,
    private readonly log: Logger, options: { maxAttempts?: number } = {}) {
    this.maxAttempts = options.maxAttempts ?? DEFAULT_REVERSAL_MAX_ATTEMPTS;
  }

  private running: Promise<boolean> | undefined;

  /**
   * One attempt at each pending reversal that is not held; resolves true when none is left
   * (held ones included). The payment and the forwarder both call it: a call while one runs
   * joins it, so no reversal goes out twice at once.
   */
  clear(timeoutMs: number): Promise<boolean> {
    if (!this.running) {
      this.running = this.clearOnce(timeoutMs).finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  private async clearOnce(timeoutMs: number): Promise<boolean> {
    for (const pending of this.journal.pendingReversals<StoredRequest>()) {
      if (!pending.held) await this.send(pending, timeoutMs);
    }
    return this.journal.pendingReversals().length === 0;
  }

  private async send(pending: PendingReversal<StoredRequest>, timeoutMs: number):
    Promise<void> {
    const ids = { journalId: pending.transactionId, stan: pending.stan };
    try {
      const { message, terminalId } = reversalRequest(pending.data, pending.attempts > 0);
      const reply = readReversalResponse(
        await this.acquirer.exchange(message, { timeoutMs }),
        { stan: pending.stan, terminalId });
      this.journal.reversalAcknowledged(pending.transactionId, reply.responseCode);
      this.log.info({ ...ids, rc: reply.responseCode }, 'reversal acknowledged');
    } catch (err) {
      const error = asQuayError(err, 'HOST_PROTOCOL');
      const sent = error.detail.maybeDelivered !== false;
      const { attempts, held } = this.journal.reversalAttempted(pending.transactionId,
        error.code, { sent, maxAttempts: this.maxAttempts });
      this.log.warn({ ...ids, err: error.code, sent, attempts }, 'reversal not acknowledged');
      if (held) {
        this.log.error({ ...ids, attempts }, 'reversal held after its last allowed send: '
          + 'no sale goes online until a technician releases it');
      }
    }
  }
}
