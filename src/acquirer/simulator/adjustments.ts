import { createHash } from 'node:crypto';
import { fieldText, type IsoMessage } from '../../iso8583/message';
import { maskPan } from '../../mask';
import type { SimulatorConfig } from './config';
import type { Decision, ForcedAnswer } from './issuer';
import type { Adjustment, Approval, Ledger, LedgerOutcome } from './ledger';
import { requestPan } from './pin';
import { answerFrame } from './answer-frame';
import { digits } from '../fields';

/**
 * Voids and refunds as the bank simulator plays them: a 0200 whose processing code starts
 * with 02 (void) or 20 (refund), referring to an approval of the same terminal by its RRN
 * (field 37), made with the same card. Every check reads the ledger, so it holds across a
 * restart of the simulator.
 *
 * A void carries the original amount and approval code (38); it is refused once the original
 * is voided, reversed or settled (then it takes a refund), and takes the original out of the
 * open batch. A refund may be partial: the refunds of one approval never exceed its amount.
 * Refusals: 25 no such approval, 12 not voidable or refundable any more, 13 amount, 14 card.
 */

export const VOID_CODE_PREFIX = '02';
export const REFUND_CODE_PREFIX = '20';

export type AdjustmentKind = 'void' | 'refund';

export interface AdjustmentAnswer {
  decision: Decision;
  outcome: LedgerOutcome;
  /** The approval voided or refunded (approved answers only). */
  originalId?: number;
}

/** A hash of amount (field 4) and PAN: tells a retransmission from a reused STAN. */
export function fingerprintOf(amount: string, pan: string): string {
  return createHash('sha256').update(`${amount}|${pan}`).digest('hex').slice(0, 32);
}

/** Void, refund or neither, from MTI and processing code. */
export function adjustmentKind(request: IsoMessage): AdjustmentKind | undefined {
  if (request.mti !== '0200') return undefined;
  const code = fieldText(request, 3) ?? '';
  if (code.startsWith(VOID_CODE_PREFIX)) return 'void';
  return code.startsWith(REFUND_CODE_PREFIX) ? 'refund' : undefined;
}

export class AdjustmentDesk {
  constructor(private readonly config: SimulatorConfig, private readonly ledger: Ledger) {}

  /** Answers a void or refund; undefined for any other message. */
  answer(request: IsoMessage, now: Date, forced?: ForcedAnswer): AdjustmentAnswer | undefined {
    const kind = adjustmentKind(request);
    if (!kind) return undefined;
    const reply = answerFrame(request, now);
    const refuse = (responseCode: string, reason: string, maskedPan?: string):
      AdjustmentAnswer => {
      reply.fields.set(39, responseCode);
      const entry = { responseCode, reason, ...(maskedPan ? { maskedPan } : {}) };
      return { decision: { reply, entry }, outcome: 'declined' };
    };
    const pan = requestPan(request);
    const rrn = fieldText(request, 37)?.trimEnd();
    const amount = fieldText(request, 4);
    const formatError = this.config.responseCodes.formatError;
    if (!pan) return refuse(formatError, `${kind}: no PAN in 35 or 2`);
    const maskedPan = maskPan(pan);
    if (!rrn || amount === undefined || !/^\d{12}$/.test(amount)) {
      return refuse(formatError, `${kind}: no original RRN (37) or amount (4)`, maskedPan);
    }
    const terminalId = (fieldText(request, 41) ?? '').trimEnd();
    const original = this.ledger.approvalByRrn(terminalId, rrn);
    if (!original) return refuse('25', `${kind}: no approval with RRN ${rrn}`, maskedPan);
    if (original.fingerprint !== fingerprintOf(original.amount, pan)) {
      return refuse('14', `${kind}: not the card of the original`, maskedPan);
    }
    if (forced) return refuse(forced.responseCode, forced.reason, maskedPan);
    const problem = kind === 'void' ? this.unvoidable(request, original)
      : this.unrefundable(Number(amount), original);
    if (problem) return refuse(problem[0], `${kind}: ${problem[1]}`, maskedPan);

    const authCode = kind === 'void' ? original.authCode
      : `R${digits(this.ledger.refundCount() + 1, 5)}`;
    reply.fields.set(37, original.rrn);
    reply.fields.set(38, authCode);
    reply.fields.set(39, '00');
    return {
      decision: { reply, entry: { responseCode: '00', maskedPan, authCode, rrn: original.rrn,
        reason: kind === 'void' ? `voided ledger #${original.id}`
          : `refund against ledger #${original.id}` } },
      outcome: kind, originalId: original.id,
    };
  }

  /**
   * The reversal of an approved void or refund: the void's original comes back into the batch,
   * the refund no longer counts. A repeat finds it already reversed.
   */
  reverse(request: IsoMessage, now: Date, adjustment: Adjustment): AdjustmentAnswer {
    const reply = answerFrame(request, now);
    reply.fields.set(39, '00');
    const again = adjustment.reversedBy !== undefined;
    return {
      decision: { reply, entry: { responseCode: '00',
        reason: `${adjustment.outcome} ${again ? 'already ' : ''}reversed` } },
      outcome: again ? 'already-reversed' : 'reversed', originalId: adjustment.id,
    };
  }

  private unvoidable(request: IsoMessage, original: Approval): [string, string] | undefined {
    if (original.reversedBy !== undefined) return ['12', 'the original was reversed'];
    if (original.voidedBy !== undefined) return ['12', 'the original is already voided'];
    if (original.settled) return ['12', 'the original is settled: refund it instead'];
    if (original.refunded > 0) return ['12', 'the original was refunded in part'];
    if (fieldText(request, 4) !== original.amount) {
      return ['13', 'the amount is not the original amount'];
    }
    if ((fieldText(request, 38) ?? '').trimEnd() !== original.authCode) {
      return ['12', 'the approval code is not the original one'];
    }
    return undefined;
  }

  private unrefundable(amount: number, original: Approval): [string, string] | undefined {
    if (original.reversedBy !== undefined) return ['12', 'the original was reversed'];
    if (original.voidedBy !== undefined) return ['12', 'the original is voided'];
    const left = Number(original.amount) - original.refunded;
    if (amount <= 0 || amount > left) {
      return ['13', `${amount} is more than the ${left} left to refund`];
    }
    return undefined;
  }
}
