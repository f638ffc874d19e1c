import { createHash } from 'node:crypto';
import type { Logger } from '../log';
import { CardError, HostError } from '../errors';
import { maskPan } from '../mask';
import type { CardChannel } from './commands';
import type { TagValues } from './cryptogram';
import { performCvm, type CvmMethod, type CvmOutcome, type OnlinePin } from './cvm';
import {
  buildDolData, dolIncludes, parseDol, type DolEntry, type DolSource,
} from './dol';
import type { Fci } from './fci';
import { text } from './fci';
import { generateAc, type AcResponse } from './generate-ac';
import { getProcessingOptions, type ProcessingOptions } from './gpo';
import { buildIccData } from './icc-data';
import { authenticateIssuer, type IssuerAuthentication } from './issuer-auth';
import { processScripts } from './scripts';
import {
  odaSummary, performOda, type OdaOutcome, type OdaSettings, type OdaSummary,
} from './oda/perform';
import { pinEnciphermentKey } from './oda/pin-key';
import { signedRecords } from './oda/static-data';
import type { PinEntryDevice } from './pin-entry';
import { missingMandatoryData, readApplicationData, type ApplicationData } from './records';
import {
  buildCandidateList, chooseApplication, hex, type Candidate, type PickCandidate,
} from './select';
import {
  terminalTags, type TerminalAid, type TerminalProfile, type TransactionInput,
} from './terminal-data';
import { newTsi, newTvr, TSI, TVR, type BitField } from './tvr';
import { checkCdaAnswer, requestsCda } from './cda-step';
import {
  applyRestrictions, decideFirstAc, decideUnableOnline, type DecisionContext,
  type TerminalDecisions,
} from './terminal-decisions';

export type { TagValues } from './cryptogram';
export type { TerminalAid, TerminalProfile, TransactionInput };
export type { OdaSettings, OdaSummary };
export type { CvmMethod, OnlinePin };

/**
 * The contact EMV kernel (EMV Book 3 10): application selection, GET PROCESSING OPTIONS,
 * read application data, offline data authentication (SDA, DDA, CDA) when the kernel is
 * given CA public keys, processing restrictions, cardholder verification (cvm.ts, with the
 * PIN entry device the kernel is given), terminal risk management and terminal action
 * analysis (terminal-decisions.ts; an AID without TACs is analysed with TACs of zeros), then
 * issuer authentication, issuer scripts and the second GENERATE AC, or the completion when
 * the terminal cannot go online.
 */
export interface FirstAcOutcome {
  /** ARQC → online, AAC → declined, TC → approved offline. */
  decision: 'online' | 'declined' | 'approved';
  application: { aid: string; label?: string; preferredName?: string; priority?: number };
  pan: string;
  panSequence?: string;
  expiry: string; /* YYMMDD from 5F24 */
  track2?: Buffer; /* tag 57 */
  cardholderName?: string;
  /** Field 55: the TLVs of ICC_DATA_TAGS that are present. */
  iccData: Buffer;
  cryptogram: Buffer;
  cid: number;
  atc: Buffer;
  tvr: Buffer;
  tsi: Buffer;
  tags: TagValues;
  odaRecords: Buffer[];
  /** Offline data authentication; absent when the kernel has no CA keys. */
  oda?: OdaSummary;
  /** Processing restrictions, risk management and action analysis. */
  decisions: TerminalDecisions;
  /** Cardholder verification (Book 3 10.5); `results` is 9F34 as field 55 carries it. */
  cvm: {
    results: Buffer;
    method: CvmMethod;
    signatureRequired: boolean;
    /** The online PIN block for ISO 8583 fields 52 and 53; secret, never logged. */
    onlinePin?: OnlinePin;
  };
}

/** An application offered to the cardholder (Book 1 12.4), in priority order. */
export interface ApplicationChoice {
  aid: string;
  label?: string;
  preferredName?: string;
  priority?: number;
  /** The card asks for the cardholder's confirmation (87 b8). */
  confirmationRequired: boolean;
}

export interface KernelOptions {
  /** The PIN entry device; without one, every PIN method fails as "PIN pad not present". */
  pinEntry?: PinEntryDevice;
  /**
   * Cardholder selection and confirmation (Book 1 12.4): given the remaining applications,
   * the index of the one to try, or undefined when the cardholder chose none. With it,
   * applications that ask for confirmation can be chosen; it is asked again when a chosen
   * application cannot start.
   */
  chooseApplication?: (candidates: readonly ApplicationChoice[]) => Promise<number | undefined>;
}

export type OnlineAnswer =
  | { kind: 'answered'; approved: boolean; arc: Buffer; issuerAuthData?: Buffer; scripts?: Buffer }
  | { kind: 'unable-to-go-online' };

export interface SecondAcOutcome {
  decision: 'approved' | 'declined';
  cid: number;
  cryptogram: Buffer;
  tvr: Buffer;
  tsi: Buffer;
  issuerAuthentication: IssuerAuthentication;
  /** Issuer Script Results, 5 bytes per script run (Book 4 A5); empty when none came. */
  scriptResults: Buffer;
  tags: TagValues;
  /** Field 55 after the second GENERATE AC (for an advice or a reversal). */
  iccData: Buffer;
}

/** CVM Results '3F0000' (no CVM performed, Book 4 A4) until cardholder verification ran. */
const CVM_RESULTS_NONE = Buffer.from('3F0000', 'hex');
/** ARC a terminal uses when it could not go online and declines (Book 4 6.3.6, 'Z3'). */
const ARC_UNABLE_ONLINE_DECLINE = Buffer.from('Z3', 'latin1');
/** ARC a terminal uses when it declines offline (Book 4 annex A6, 'Z1'). */
const ARC_OFFLINE_DECLINED = Buffer.from('Z1', 'latin1');

interface Session {
  candidate: Candidate;
  fci: Fci;
  options: ProcessingOptions;
  data: ApplicationData;
  terminal: TagValues;
  card: TagValues;
  first: AcResponse;
  oda?: OdaOutcome;
  decisions: TerminalDecisions;
  cvm: CvmOutcome;
}

function panOf(tags: TagValues): string {
  const pan = tags['5A'];
  if (pan !== undefined) return hex(pan).replace(/F+$/, '');
  // Track 2 equivalent data: PAN, separator D, expiry YYMM, service code...
  return hex(tags['57']!).split('D')[0]!;
}

export class ContactKernel {
  private readonly log: Logger;
  private tvr: BitField = newTvr();
  private tsi: BitField = newTsi();
  private session: Session | undefined;

  constructor(
    private readonly card: CardChannel,
    private readonly profile: TerminalProfile,
    log: Logger,
    /** CA public keys and default DDOL; without them no offline data authentication. */
    private readonly odaSettings?: OdaSettings,
    private readonly options: KernelOptions = {},
  ) {
    this.log = log.child({ component: 'emv-kernel' });
  }

  /** The current TVR (95), also after a failed step. */
  get terminalVerificationResults(): Buffer {
    return this.tvr.value();
  }

  /** The current TSI (9B), also after a failed step. */
  get transactionStatusInformation(): Buffer {
    return this.tsi.value();
  }

  async start(input: TransactionInput): Promise<FirstAcOutcome> {
    this.tvr = newTvr();
    this.tsi = newTsi();
    this.session = undefined;
    const base = terminalTags(this.profile, input);
    base['9F34'] = CVM_RESULTS_NONE;

    const pick = this.pickApplication();
    const candidates = await buildCandidateList(this.card, this.profile.aids,
      pick !== undefined || (this.profile.cardholderConfirmation ?? false), this.log);
    const chosen = await chooseApplication(this.card, candidates, this.log,
      async (candidate, fci) => {
        const terminal = withApplication(base, candidate.terminalAid);
        const options = await getProcessingOptions(this.card, fci.pdol,
          this.source(terminal, fci.tags), this.log);
        return options && { options, terminal };
      }, pick);
    const { candidate, fci, result: { options, terminal } } = chosen;
    this.log.debug({ aid: hex(fci.dfName) }, 'application selected');

    const data = await readApplicationData(this.card, options.afl, this.log);
    const card: TagValues = { ...fci.tags, ...options.tags, ...data.tags };
    this.checkMandatory(card);
    const oda = await this.authenticateOffline(fci, options, data, terminal, card, input.date,
      candidate.terminalAid.defaultDdol);
    const decisions: TerminalDecisions = {};
    const decide = this.decisionContext(candidate, terminal, card, input);
    decisions.restrictions = applyRestrictions(decide);
    const cvm = await this.verifyCardholder(fci, options, terminal, card, input, oda);
    terminal['9F34'] = cvm.results;
    // Book 3 10.7: the merchant's force is a TVR bit set before terminal action analysis.
    if (input.forceOnline === true) this.tvr.set(TVR.MERCHANT_FORCED_ONLINE);

    const cdol1 = parseDol(card['8C']!, 'CDOL1');
    const requested = (await decideFirstAc(decide, decisions)).type;
    const cdol1Data = this.cdolData(cdol1, candidate, terminal, card);
    const cda = requestsCda(oda, requested);
    const first = await generateAc(this.card, requested, cdol1Data, false, this.log, cda);
    this.tsi.set(TSI.CARD_RISK_MANAGEMENT_PERFORMED);
    const cdaCheck = oda !== undefined && (cda || first.signed !== undefined)
      ? checkCdaAnswer({ oda, answer: first, unpredictableNumber: terminal['9F37']!,
        pdolData: options.pdolData, cdolData: cdol1Data, tvr: this.tvr, log: this.log })
      : undefined;
    Object.assign(card, first.tags);
    if (cdaCheck?.passed === false) {
      return this.declineAfterCdaFailure({ candidate, fci, options, data, terminal, card, first,
        oda, decisions, cvm });
    }

    this.session = { candidate, fci, options, data, terminal, card, first, oda, decisions, cvm };
    return this.firstOutcome(this.session);
  }

  async complete(answer: OnlineAnswer): Promise<SecondAcOutcome> {
    const session = this.session;
    if (session === undefined || session.first.type !== 'ARQC') {
      throw new Error('complete() follows a start() whose first GENERATE AC asked to go online');
    }
    const { terminal, card } = session;
    const cdol2 = parseDol(card['8D']!, 'CDOL2');
    const scripts = answer.kind === 'answered' ? answer.scripts : undefined;
    const scriptResults: Buffer[] = [];
    let issuerAuthentication: IssuerAuthentication = 'not-performed';

    if (answer.kind === 'answered') {
      issuerAuthentication = await this.takeIssuerAnswer(answer, session, cdol2);
      if (scripts !== undefined) scriptResults.push(await this.runScripts(scripts, '71'));
    }
    // Book 3 10.7: unable to go online, the default action codes decide (TC Y3 or AAC Z3).
    const offline = answer.kind === 'answered'
      ? undefined : decideUnableOnline(this.tvr.value(), session.decisions);
    if (answer.kind !== 'answered') terminal['8A'] = offline?.arc ?? ARC_UNABLE_ONLINE_DECLINE;

    const requested = answer.kind === 'answered' ? (answer.approved ? 'TC' : 'AAC')
      : offline?.type ?? 'AAC';
    const second = await generateAc(this.card, requested,
      this.cdolData(cdol2, session.candidate, terminal, card), true, this.log);
    Object.assign(card, second.tags);
    this.session = undefined;
    if (scripts !== undefined) scriptResults.push(await this.runScripts(scripts, '72'));

    const tags = this.allTags(terminal, card);
    return {
      decision: second.type === 'TC' ? 'approved' : 'declined', cid: second.cid,
      cryptogram: second.cryptogram, tvr: this.tvr.value(), tsi: this.tsi.value(),
      issuerAuthentication, scriptResults: Buffer.concat(scriptResults), tags,
      iccData: buildIccData(tags),
    };
  }

  /**
   * Completion when the terminal cannot go online (Book 3 10.7, Book 4 6.3.6): the TAC and
   * IAC default decide whether to ask for a TC with ARC Y3 or an AAC with Z3; the card's
   * answer is the outcome.
   */
  completeOffline(): Promise<SecondAcOutcome> {
    return this.complete({ kind: 'unable-to-go-online' });
  }

  /**
   * Book 2 6.6.2 and Book 3 10.8: a CDA signature that fails declines the transaction. After
   * an ARQC or a TC the card is closed with an AAC in the second GENERATE AC (ARC Z1,
   * "offline declined"); the outcome is a decline whatever the card had answered.
   */
  private async declineAfterCdaFailure(session: Session): Promise<FirstAcOutcome> {
    if (session.first.type !== 'AAC') {
      session.terminal['8A'] = ARC_OFFLINE_DECLINED;
      const cdol2 = parseDol(session.card['8D']!, 'CDOL2');
      await generateAc(this.card, 'AAC', this.cdolData(cdol2, session.candidate,
        session.terminal, session.card), true, this.log).catch((err: unknown) => {
        this.log.warn({ err: String(err) }, 'second GENERATE AC after a CDA failure refused');
      });
    }
    this.session = undefined;
    return { ...this.firstOutcome(session), decision: 'declined' };
  }

  /** Keeps the ARC (8A) and tag 91 for CDOL2, and runs issuer authentication. */
  private async takeIssuerAnswer(
    answer: Extract<OnlineAnswer, { kind: 'answered' }>, session: Session,
    cdol2: DolEntry[],
  ): Promise<IssuerAuthentication> {
    if (answer.arc.length !== 2) {
      throw new HostError('HOST_PROTOCOL', 'The authorisation response code is not 2 bytes', {
        detail: { tag: '8A', length: answer.arc.length },
      });
    }
    session.terminal['8A'] = answer.arc;
    if (answer.issuerAuthData !== undefined) session.terminal['91'] = answer.issuerAuthData;
    return authenticateIssuer(this.card, {
      aip: session.options.aip, cdol2, issuerAuthData: answer.issuerAuthData,
      tvr: this.tvr, tsi: this.tsi,
    }, this.log);
  }

  private runScripts(scripts: Buffer, phase: '71' | '72'): Promise<Buffer> {
    return processScripts(this.card, scripts, phase, { tvr: this.tvr, tsi: this.tsi }, this.log);
  }

  /** What the terminal's decisions need. */
  private decisionContext(
    candidate: Candidate, terminal: TagValues, card: TagValues, input: TransactionInput,
  ): DecisionContext {
    return {
      card: this.card, profile: this.profile, aid: candidate.terminalAid, terminal,
      cardTags: card, pan: panOf(card), amount: input.amount, tvr: this.tvr, tsi: this.tsi,
      log: this.log, random: input.random, forceOnline: input.forceOnline,
    };
  }

  /** The caller's cardholder selection, as select.ts asks for it; none without a callback. */
  private pickApplication(): PickCandidate | undefined {
    const choose = this.options.chooseApplication;
    if (choose === undefined) return undefined;
    return (remaining) => choose(remaining.map((c) => ({
      aid: hex(c.adfName), label: c.label, preferredName: c.preferredName,
      priority: c.priorityIndicator === undefined ? undefined : c.priorityIndicator & 0x0f,
      confirmationRequired: ((c.priorityIndicator ?? 0) & 0x80) !== 0,
    })));
  }

  /** Book 3 10.5, after processing restrictions; the prompt shows the transaction amount. */
  private verifyCardholder(
    fci: Fci, options: ProcessingOptions, terminal: TagValues, card: TagValues,
    input: TransactionInput, oda: OdaOutcome | undefined,
  ): Promise<CvmOutcome> {
    const pan = panOf(card);
    return performCvm({
      card: this.card, aip: options.aip, cardTags: card, terminal, amount: input.amount, pan,
      device: this.options.pinEntry, tvr: this.tvr, tsi: this.tsi, log: this.log,
      pinKey: () => pinEnciphermentKey({
        tags: card, pan, aid: fci.dfName, date: input.date, issuerKey: oda?.issuerKey,
        iccKey: oda?.iccKey, caKeys: this.odaSettings?.caKeys,
      }),
    });
  }

  /**
   * CDOL data; when the CDOL asks for the TC Hash Value (98), it is computed first (Book 3
   * 5.4, 10.8): SHA-1 over the TDOL data, with the card's TDOL (97), else the AID's default
   * TDOL ("default TDOL used", TVR byte 5 b8, set before the TVR goes into the data), else a
   * TDOL without entries.
   */
  private cdolData(
    dol: readonly DolEntry[], candidate: Candidate, terminal: TagValues, card: TagValues,
  ): Buffer {
    if (dolIncludes(dol, '98')) {
      const defaultTdol = candidate.terminalAid.defaultTdol;
      let tdol = card['97'];
      if (tdol === undefined && defaultTdol !== undefined) {
        tdol = Buffer.from(defaultTdol, 'hex');
        this.tvr.set(TVR.DEFAULT_TDOL_USED);
      }
      const source = this.source(terminal, card);
      const entries = parseDol(tdol ?? Buffer.alloc(0), 'TDOL')
        .filter((entry) => entry.tag !== '98');
      terminal['98'] = createHash('sha1').update(buildDolData(entries, source)).digest();
    }
    return buildDolData(dol, this.source(terminal, card));
  }

  /** DOL values: TVR and TSI as they are now, then terminal data, then card data. */
  private source(terminal: TagValues, card: TagValues): DolSource {
    return (tag) => {
      if (tag === '95') return this.tvr.value();
      if (tag === '9B') return this.tsi.value();
      return terminal[tag] ?? card[tag];
    };
  }

  private allTags(terminal: TagValues, card: TagValues): TagValues {
    return { ...card, ...terminal, '95': this.tvr.value(), '9B': this.tsi.value() };
  }

  /** Book 3 10.3; without CA keys none is done, and the TVR says "not performed". */
  private async authenticateOffline(
    fci: Fci, options: ProcessingOptions, data: ApplicationData, terminal: TagValues,
    card: TagValues, date: Date, aidDefaultDdol?: string,
  ): Promise<OdaOutcome | undefined> {
    if (this.odaSettings === undefined) {
      this.tvr.set(TVR.ODA_NOT_PERFORMED);
      return undefined;
    }
    return performOda({
      card: this.card, aid: fci.dfName, aip: options.aip, capabilities: terminal['9F33']!,
      tags: card, pan: panOf(card), odaRecords: data.odaRecords,
      signedRecords: signedRecords(options.afl, data.records), date,
      source: this.source(terminal, card), tvr: this.tvr, tsi: this.tsi,
      settings: aidDefaultDdol === undefined ? this.odaSettings
        : { ...this.odaSettings, defaultDdol: Buffer.from(aidDefaultDdol, 'hex') },
      log: this.log,
    });
  }

  private checkMandatory(card: TagValues): void {
    const missing = missingMandatoryData(card);
    if (missing.length === 0) return;
    this.tvr.set(TVR.ICC_DATA_MISSING);
    throw new CardError('CARD_DATA_MISSING', undefined, {
      detail: { missing, tvr: this.tvr.value().toString('hex') },
    });
  }

  private firstOutcome(session: Session): FirstAcOutcome {
    const { candidate, fci, data, terminal, card, first, oda, decisions, cvm } = session;
    const pan = panOf(card);
    const tags = this.allTags(terminal, card);
    const indicator = fci.priorityIndicator ?? candidate.priorityIndicator;
    const outcome: FirstAcOutcome = {
      decision: first.type === 'ARQC' ? 'online' : first.type === 'TC' ? 'approved' : 'declined',
      application: {
        aid: hex(fci.dfName), label: fci.label ?? candidate.label,
        preferredName: fci.preferredName ?? candidate.preferredName,
        priority: indicator === undefined ? undefined : indicator & 0x0f,
      },
      pan, panSequence: card['5F34'] && hex(card['5F34']), expiry: hex(card['5F24']!),
      track2: card['57'], cardholderName: text(card['5F20']),
      iccData: buildIccData(tags), cryptogram: first.cryptogram, cid: first.cid, atc: first.atc,
      tvr: this.tvr.value(), tsi: this.tsi.value(), tags, odaRecords: data.odaRecords,
      oda: oda && odaSummary(oda), decisions,
      cvm: { results: cvm.results, method: cvm.method, signatureRequired: cvm.signatureRequired,
        ...(cvm.onlinePin === undefined ? {} : { onlinePin: cvm.onlinePin }) },
    };
    this.log.debug({ card: maskPan(pan), aid: outcome.application.aid,
      decision: outcome.decision }, 'first GENERATE AC done');
    return outcome;
  }
}

/** Terminal data with the selected application's terminal AID (9F06) and version (9F09). */
function withApplication(base: TagValues, aid: TerminalAid): TagValues {
  const tags: TagValues = { ...base, '9F06': Buffer.from(aid.aid, 'hex') };
  if (aid.applicationVersion !== undefined) {
    tags['9F09'] = Buffer.from(aid.applicationVersion, 'hex');
  }
  return tags;
}
