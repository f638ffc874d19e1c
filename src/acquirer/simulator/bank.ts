import { silentLogger, type Logger } from '../../log';
import type { MessageLayout } from '../../iso8583/layout';
import { fieldText, type IsoMessage } from '../../iso8583/message';
import { pack, unpack } from '../../iso8583/pack';
import { maskPan } from '../../mask';
import type { SimulatorConfig } from './config';
import { AdjustmentDesk, fingerprintOf, type AdjustmentAnswer } from './adjustments';
import { FaultPlan } from './faults';
import type { Decision, ForcedAnswer, IssuerHost } from './issuer';
import type { Ledger, LedgerEntry, LedgerOutcome } from './ledger';
import { PinVerifier, requestPan } from './pin';

/**
 * What stands between a request and the issuer: duplicate detection against the ledger, the
 * PIN check, the rehearsal faults by card and by command, and the ledger row written for every
 * answer before it is sent. On start it hands the issuer what the ledger kept, so that a
 * reversal after a restart still finds its approval.
 */

/**
 * Classes whose retransmissions are answered from the ledger: authorisations, financial
 * requests (purchases, voids, refunds), advices (0220 and its 0221 repeats), reversals (0400
 * and its 0401 repeats) and settlements (a 0500 sent again after a lost answer must not be
 * compared with the batch it already closed).
 */
const DUPLICATE_CLASSES = new Set(['010', '020', '022', '040', '042', '050']);
const PURCHASE_MTIS = new Set(['0100', '0200']);

export type Decide = (forced?: ForcedAnswer) => Decision | undefined;

interface Identity {
  terminalId: string;
  stan: string;
  duplicateKey?: string;
  fingerprint?: string;
}

function identify(request: IsoMessage): Identity {
  const terminalId = (fieldText(request, 41) ?? '').trimEnd();
  const stan = fieldText(request, 11) ?? '';
  const identity: Identity = { terminalId, stan };
  const messageClass = request.mti.slice(0, 3);
  if (!DUPLICATE_CLASSES.has(messageClass) || stan === '') return identity;
  // Field 7 where the layout and the terminal send it; else terminal and STAN alone.
  identity.duplicateKey = [messageClass, terminalId, stan, fieldText(request, 7) ?? '']
    .join('|');
  identity.fingerprint = fingerprintOf(fieldText(request, 4) ?? '', requestPan(request) ?? '');
  return identity;
}

function isReversal(mti: string): boolean {
  return mti.startsWith('04');
}

export class Bank {
  readonly plan: FaultPlan;
  private readonly pins: PinVerifier;
  private readonly adjustments: AdjustmentDesk;

  constructor(private readonly config: SimulatorConfig, issuer: IssuerHost,
    private readonly layout: MessageLayout, readonly ledger: Ledger,
    private readonly log: Logger = silentLogger) {
    this.plan = new FaultPlan(config.cardRules);
    this.pins = new PinVerifier(config);
    this.adjustments = new AdjustmentDesk(config, ledger);
    const numbers = ledger.lastNumbers();
    issuer.resume({
      standing: ledger.standing(),
      reversed: ledger.reversals().filter((r) => r.outcome === 'reversed'),
      lastAuthCode: numbers.authCode, lastRrnSequence: numbers.rrnSequence,
    });
  }

  /**
   * Answers a request through `decide` (the issuer and the other desks), or from the ledger
   * when it is a retransmission of one already answered. Undefined: not a request.
   */
  answer(request: IsoMessage, at: Date, decide: Decide): Decision | undefined {
    const identity = identify(request);
    const replay = this.replay(request, identity, at);
    if (replay) return replay;

    let forced: ForcedAnswer | undefined;
    let fault: Decision['fault'];
    if (PURCHASE_MTIS.has(request.mti)) {
      const pin = this.pins.check(request);
      if (pin.kind === 'refused') forced = pin.answer;
      const planned = this.plan.take(requestPan(request), fieldText(request, 4) ?? '');
      if (!forced && planned?.responseCode !== undefined) {
        forced = { responseCode: planned.responseCode, reason: planned.reason };
      }
      fault = planned?.fault;
    }
    const before = isReversal(request.mti)
      ? this.ledger.latestApproval(identity.terminalId, identity.stan) : undefined;
    const adjusted = this.adjust(request, identity, at, forced, before);
    if (adjusted) {
      if (fault) adjusted.decision.fault = fault;
      const entry = this.entryFor(request, identity, at, adjusted.decision, undefined);
      entry.outcome = adjusted.outcome;
      if (adjusted.originalId !== undefined) entry.originalId = adjusted.originalId;
      this.ledger.record(entry);
      return adjusted.decision;
    }
    const decision = decide(forced);
    if (!decision) return undefined;
    if (fault) decision.fault = fault;
    this.ledger.record(this.entryFor(request, identity, at, decision, before));
    return decision;
  }

  /**
   * A void or refund, or the reversal of one (when the STAN is that of an adjustment more
   * recent than any approval with it); undefined for anything else.
   */
  private adjust(request: IsoMessage, identity: Identity, at: Date,
    forced: ForcedAnswer | undefined, approval: ReturnType<Ledger['latestApproval']>):
    AdjustmentAnswer | undefined {
    if (!isReversal(request.mti)) return this.adjustments.answer(request, at, forced);
    const adjustment = this.ledger.latestAdjustment(identity.terminalId, identity.stan);
    if (!adjustment || (approval && approval.id > adjustment.id)) return undefined;
    return this.adjustments.reverse(request, at, adjustment);
  }

  /** The first answer again for a retransmission; the ledger counts the copy. */
  private replay(request: IsoMessage, identity: Identity, at: Date): Decision | undefined {
    if (!identity.duplicateKey) return undefined;
    const since = new Date(at.getTime() - this.config.duplicateWindowS * 1000);
    const first = this.ledger.firstAnswered(identity.duplicateKey, since);
    if (!first?.reply || first.fingerprint !== identity.fingerprint) return undefined;
    const reply = unpack(first.reply, this.layout);
    const facts: Decision['entry'] = {
      responseCode: first.responseCode ?? '', reason: `duplicate of ledger #${first.id}`,
    };
    if (first.maskedPan !== undefined) facts.maskedPan = first.maskedPan;
    if (first.authCode !== undefined) facts.authCode = first.authCode;
    if (first.rrn !== undefined) facts.rrn = first.rrn;
    this.ledger.record({
      ...this.baseEntry(request, identity, at), outcome: 'duplicate',
      responseCode: facts.responseCode, reason: facts.reason, originalId: first.id,
    });
    this.log.info({ mti: request.mti, stan: identity.stan, original: first.id },
      'simulator: duplicate answered from the ledger');
    return { reply, entry: facts };
  }

  private baseEntry(request: IsoMessage, identity: Identity, at: Date): LedgerEntry {
    const entry: LedgerEntry = { at, mti: request.mti, outcome: 'answered',
      terminalId: identity.terminalId, stan: identity.stan };
    const optional: Array<[keyof LedgerEntry, string | undefined]> = [
      ['duplicateKey', identity.duplicateKey], ['fingerprint', identity.fingerprint],
      ['transmission', fieldText(request, 7)], ['amount', fieldText(request, 4)],
    ];
    for (const [key, value] of optional) {
      if (value !== undefined) (entry as unknown as Record<string, unknown>)[key] = value;
    }
    const pan = requestPan(request);
    if (pan !== undefined) entry.maskedPan = maskPan(pan);
    return entry;
  }

  private entryFor(request: IsoMessage, identity: Identity, at: Date, decision: Decision,
    before: ReturnType<Ledger['latestApproval']>): LedgerEntry {
    const facts = decision.entry;
    const entry = this.baseEntry(request, identity, at);
    entry.responseCode = facts.responseCode;
    entry.reason = facts.reason;
    if (facts.authCode !== undefined) entry.authCode = facts.authCode;
    if (facts.rrn !== undefined) entry.rrn = facts.rrn;
    entry.outcome = outcomeOf(request.mti, facts.responseCode, before,
      this.config.responseCodes.formatError);
    if (before && isReversal(request.mti) && facts.responseCode === '00') {
      entry.originalId = before.id;
    }
    try {
      entry.reply = pack(decision.reply, this.layout);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'simulator: answer kept without its bytes');
    }
    return entry;
  }
}

function outcomeOf(mti: string, responseCode: string,
  before: ReturnType<Ledger['latestApproval']>, formatError: string): LedgerOutcome {
  if (PURCHASE_MTIS.has(mti)) return responseCode === '00' ? 'approved' : 'declined';
  if (mti === '0220' || mti === '0221') {
    if (responseCode === '00') return 'booked';
    return responseCode === formatError ? 'refused' : 'declined';
  }
  if (mti === '0500') return responseCode === '00' ? 'settled' : 'answered';
  if (!isReversal(mti)) return 'answered';
  if (responseCode !== '00' || !before) return 'not-found';
  return before.reversedBy === undefined ? 'reversed' : 'already-reversed';
}
