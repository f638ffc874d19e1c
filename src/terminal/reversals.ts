import { buildReversal, readReversalResponse, type PurchaseRequest }
  from '../acquirer/messages';
import { asQuayError } from '../errors';
import type { Journal } from '../journal/journal';
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

export function storePurchase(req: PurchaseRequest): StoredPurchase {
  return {
    ...req,
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

/**
 * Sends the reversals the journal owes: 0400 the first time, 0401 after. A reversal is done
 * only when the bank acknowledges it with a 0410; a late 0210 for the original changes
 * nothing, since the link drops replies nobody waits for.
 */
export class ReversalSender {
  constructor(private readonly journal: Journal, private readonly acquirer: Acquirer,
    private readonly log: Logger) {}

  private running: Promise<boolean> | undefined;

  /**
   * One attempt at each pending reversal; resolves true when none is left. The payment and
   * the forwarder both call it: a call while one runs joins it, so no reversal goes out twice
   * at once.
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
    for (const pending of this.journal.pendingReversals<StoredPurchase>()) {
      const original = restorePurchase(pending.data);
      const request = buildReversal(original, pending.attempts > 0);
      try {
        const reply = readReversalResponse(
          await this.acquirer.exchange(request, { timeoutMs }),
          { stan: pending.stan, terminalId: original.terminalId });
        this.journal.reversalAcknowledged(pending.transactionId, reply.responseCode);
        this.log.info({ journalId: pending.transactionId, stan: pending.stan,
          rc: reply.responseCode }, 'reversal acknowledged');
      } catch (err) {
        const error = asQuayError(err, 'HOST_PROTOCOL');
        this.journal.reversalAttempted(pending.transactionId, error.code);
        this.log.warn({ journalId: pending.transactionId, stan: pending.stan, err: error.code,
          attempt: pending.attempts + 1 }, 'reversal not acknowledged');
      }
    }
    return this.journal.pendingReversals().length === 0;
  }
}
