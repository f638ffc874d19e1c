import {
  computeArpc, computeCryptogram, deriveIccMasterKey, issuerAuthenticationData,
  type Cvn, type IssuerAnswer, type TagValues,
} from '../../emv/cryptogram';
import { encodeTlv, parseTlv, type TlvNode } from '../../emv/tlv';
import { maskPan } from '../../mask';
import { fieldData, fieldText, responseMti, type IsoMessage }
  from '../../iso8583/message';
import type { FaultMode, IssuerConfig, SimulatorConfig } from './config';
import { answerFrame } from './answer-frame';
import { digits } from '../fields';

/** What an authorisation, reversal or echo answer repeats of its request. */
const ISSUER_ECHOED = [3, 4, 11, 24, 41, 42, 49, 70];

/**
 * The bank side of an authorisation, as the simulator plays it: find the issuer by PAN
 * prefix, derive the ICC master key, recompute the ARQC from field 55 and compare it with
 * 9F26, then answer with a response code, approval code, RRN and field 55 (91 and 8A).
 * Order of checks: format (30), issuer (15), cryptogram (05), rehearsal amount rules, approve.
 */

export interface Decision {
  reply: IsoMessage;
  /** A fault an amount rule asks for. */
  fault?: FaultMode;
  entry: DecisionFacts;
}

/** What the journal keeps of a request: never the PAN in clear, never track data. */
export interface DecisionFacts {
  responseCode: string;
  maskedPan?: string;
  issuer?: string;
  cryptogramValid?: boolean;
  authCode?: string;
  rrn?: string;
  reason: string;
}

/** A decline decided outside the issuer's own checks. */
export interface ForcedAnswer {
  responseCode: string;
  reason: string;
}

export interface ResumedState {
  standing: Array<{ terminalId: string; stan: string; amount: string }>;
  reversed: Array<{ terminalId: string; stan: string }>;
  lastAuthCode: number | null;
  lastRrnSequence: number | null;
}

interface Identified {
  card: CardFacts;
  issuer: IssuerConfig;
  cvn: Cvn;
  maskedPan: string;
}

interface CardFacts {
  pan: string;
  panSequence: string;
  tags: TagValues;
  arqc: Buffer;
}

function primitiveTags(nodes: TlvNode[], into: TagValues = {}): TagValues {
  for (const node of nodes) {
    if (node.children) primitiveTags(node.children, into);
    else into[node.tag] = node.value;
  }
  return into;
}

function readPan(request: IsoMessage): string | undefined {
  const track2 = fieldText(request, 35);
  if (track2 !== undefined) return /^(\d{12,19})[D=]/.exec(track2)?.[1];
  const pan = fieldText(request, 2);
  return pan !== undefined && /^\d{12,19}$/.test(pan) ? pan : undefined;
}

/** PAN, PAN sequence (5F34, else field 23) and the ICC tags, or the reason they are not there. */
function readCard(request: IsoMessage): CardFacts | string {
  const icc = fieldData(request, 55);
  if (!icc) return 'no ICC data (55)';
  let tags: TagValues;
  try {
    tags = primitiveTags(parseTlv(icc));
  } catch {
    return 'field 55 is not BER-TLV';
  }
  const arqc = tags['9F26'];
  if (!arqc || arqc.length !== 8) return 'no 8-byte cryptogram 9F26';
  const pan = readPan(request);
  if (!pan) return 'no PAN in 35 or 2';
  const sequence = tags['5F34']?.toString('hex') ?? fieldText(request, 23)?.slice(-2) ?? '00';
  return { pan, panSequence: sequence, tags, arqc };
}

function findIssuer(config: SimulatorConfig, pan: string): IssuerConfig | undefined {
  return config.issuers
    .filter((issuer) => pan.startsWith(issuer.panPrefix))
    .sort((a, b) => b.panPrefix.length - a.panPrefix.length)[0];
}

/**
 * The CVN from a Visa IAD (9F10): length byte 06, derivation key index, then the cryptogram
 * version number, 0A for CVN 10 and 12 for CVN 18.
 */
export function cvnFromIad(iad: Buffer | undefined): Cvn | undefined {
  if (!iad || iad.length < 3 || iad[0] !== 0x06) return undefined;
  if (iad[2] === 0x0a) return 10;
  return iad[2] === 0x12 ? 18 : undefined;
}

function cryptogramMatches(cvn: Cvn, card: CardFacts, key: Buffer): boolean {
  try {
    return computeCryptogram(cvn, key, card.tags).equals(card.arqc);
  } catch {
    return false;
  }
}

/** Field 55 of the answer: 91 (ARPC with the ARC of the decision) and 8A (the ARC). */
function issuerData(cvn: Cvn, key: Buffer, card: CardFacts, rc: string): Buffer {
  const answer: IssuerAnswer = { arc: Buffer.from(rc, 'latin1') };
  const arpc = computeArpc(cvn, key, card.arqc, card.tags, answer);
  return Buffer.concat([
    encodeTlv('91', issuerAuthenticationData(cvn, arpc, answer)),
    encodeTlv('8A', answer.arc),
  ]);
}

/** Numbers approvals and RRNs; one per simulator. */
export class IssuerHost {
  private approvalCounter: number;
  /** Approvals that stand, by terminal and STAN, with their amount; reversals remove them. */
  private readonly approved = new Map<string, string>();
  private readonly reversed = new Set<string>();
  private rrnCounter: number;

  constructor(private readonly config: SimulatorConfig) {
    this.approvalCounter = config.approvalCodeStart;
    this.rrnCounter = config.rrnStart;
  }

  /**
   * Answers a request; undefined for a message that is not a request. `forced` declines a
   * purchase whose cryptogram verifies with that code (a wrong PIN, a rehearsal rule by card
   * or by command), before the amount rules.
   */
  answer(request: IsoMessage, now: Date, forced?: ForcedAnswer): Decision | undefined {
    if (responseMti(request.mti) === undefined) return undefined;
    const reply = answerFrame(request, now, ISSUER_ECHOED);
    if (request.mti === '0800') return this.decided(reply, { responseCode: '00', reason: 'echo' });
    if (request.mti === '0400' || request.mti === '0401') return this.reverse(request, reply);
    if (request.mti !== '0200') {
      return this.decided(reply, { responseCode: '12', reason: `MTI ${request.mti} not handled` });
    }
    return this.authorise(request, reply, now, forced);
  }

  /** The card, its issuer and CVN, or the facts of a refusal (30 or 15). */
  private identify(request: IsoMessage): Identified | DecisionFacts {
    const codes = this.config.responseCodes;
    const card = readCard(request);
    if (typeof card === 'string') return { responseCode: codes.formatError, reason: card };
    const maskedPan = maskPan(card.pan);
    const issuer = findIssuer(this.config, card.pan);
    if (!issuer) {
      return { responseCode: codes.unknownIssuer, maskedPan, reason: 'no issuer for this PAN' };
    }
    const cvn = issuer.cvn ?? cvnFromIad(card.tags['9F10']);
    if (cvn === undefined) {
      return { responseCode: codes.formatError, maskedPan, reason: 'no supported CVN in 9F10' };
    }
    return { card, issuer, cvn, maskedPan };
  }

  private authorise(request: IsoMessage, reply: IsoMessage, now: Date,
    forced?: ForcedAnswer): Decision {
    const found = this.identify(request);
    if ('responseCode' in found) return this.decided(reply, found);
    const { card, issuer, cvn, maskedPan } = found;
    const key = deriveIccMasterKey(Buffer.from(issuer.imk, 'hex'), card.pan, card.panSequence);
    const valid = cryptogramMatches(cvn, card, key);
    const rule = this.config.rules.find((r) =>
      (fieldText(request, 4) ?? '').endsWith(r.amountEndsWith));
    const responseCode = !valid ? this.config.responseCodes.badCryptogram
      : forced?.responseCode ?? rule?.responseCode ?? '00';
    const facts: DecisionFacts = {
      responseCode, maskedPan, issuer: issuer.name, cryptogramValid: valid,
      reason: !valid ? 'ARQC does not verify' : forced ? forced.reason
        : rule?.responseCode ? 'amount rule' : 'approved',
    };
    if (responseCode === '00') {
      facts.authCode = digits(this.approvalCounter, 6);
      this.approvalCounter = (this.approvalCounter + 1) % 1_000_000;
      reply.fields.set(38, facts.authCode);
      this.approved.set(originalKey(request), fieldText(request, 4) ?? '');
    }
    reply.fields.set(55, issuerData(cvn, key, card, responseCode));
    facts.rrn = this.nextRrn(now);
    reply.fields.set(37, facts.rrn);
    const decision = this.decided(reply, facts);
    if (valid && rule?.fault) decision.fault = rule.fault;
    return decision;
  }

  /**
   * A reversal (0400, or 0401 when repeated) undoes the approval with the same terminal and
   * STAN. It is acknowledged in every case, as hosts do: 00 when the approval was found and
   * released (a repeat finds it already released), 25 when there was no such approval.
   */
  private reverse(request: IsoMessage, reply: IsoMessage): Decision {
    const key = originalKey(request);
    if (this.approved.has(key) || this.reversed.has(key)) {
      this.approved.delete(key);
      this.reversed.add(key);
      return this.decided(reply, { responseCode: '00', reason: 'reversed' });
    }
    return this.decided(reply, { responseCode: '25', reason: 'no original to reverse' });
  }

  /**
   * Takes up what a ledger kept across a restart: the approvals that stand, those already
   * reversed, and the last approval code and RRN sequence given.
   */
  resume(state: ResumedState): void {
    for (const a of state.standing) this.approved.set(`${a.terminalId}|${a.stan}`, a.amount);
    for (const r of state.reversed) this.reversed.add(`${r.terminalId}|${r.stan}`);
    if (state.lastAuthCode !== null) this.approvalCounter = (state.lastAuthCode + 1) % 1_000_000;
    if (state.lastRrnSequence !== null) this.rrnCounter = (state.lastRrnSequence + 1) % 1_000_000;
  }

  /** Whether the approval of this terminal and STAN stands (not reversed). */
  isApproved(terminalId: string, stan: string): boolean {
    return this.approved.has(`${terminalId.trimEnd()}|${stan}`);
  }

  /** RRN as acquirers commonly build it: YDDDhh (year digit, day of year, hour) + 6 digits. */
  private nextRrn(now: Date): string {
    const start = new Date(now.getFullYear(), 0, 0);
    const day = Math.floor((now.getTime() - start.getTime()) / 86_400_000);
    const rrn = String(now.getFullYear() % 10) + digits(day, 3) + digits(now.getHours(), 2)
      + digits(this.rrnCounter, 6);
    this.rrnCounter = (this.rrnCounter + 1) % 1_000_000;
    return rrn;
  }

  private decided(reply: IsoMessage, facts: DecisionFacts): Decision {
    reply.fields.set(39, facts.responseCode);
    return { reply, entry: facts };
  }
}

function originalKey(request: IsoMessage): string {
  return `${(fieldText(request, 41) ?? '').trimEnd()}|${fieldText(request, 11) ?? ''}`;
}
