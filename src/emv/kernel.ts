import type { Logger } from '../log';
import { CardError, HostError } from '../errors';
import { maskPan } from '../mask';
import type { CardChannel } from './commands';
import type { TagValues } from './cryptogram';
import { buildDolData, parseDol, type DolEntry, type DolSource } from './dol';
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
import { signedRecords } from './oda/static-data';
import { missingMandatoryData, readApplicationData, type ApplicationData } from './records';
import { buildCandidateList, chooseApplication, hex, type Candidate } from './select';
import {
  terminalTags, type TerminalAid, type TerminalProfile, type TransactionInput,
} from './terminal-data';
import { newTsi, newTvr, TSI, TVR, type BitField } from './tvr';

export type { TagValues } from './cryptogram';
export type { TerminalAid, TerminalProfile, TransactionInput };
export type { OdaSettings, OdaSummary };

/**
 * The contact EMV kernel, first cut (EMV Book 3 10): application selection, GET PROCESSING
 * OPTIONS, read application data, offline data authentication (SDA, DDA) when the kernel
 * is given CA public keys, first GENERATE AC asking to go online, then issuer
 * authentication, issuer scripts and the second GENERATE AC. Processing restrictions,
 * cardholder verification and terminal risk management are not performed: the TVR says so
 * where Book 3 has a bit for it.
 */
export interface FirstAcOutcome {
  decision: 'online' | 'declined'; // ARQC → online, AAC → declined
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

/** CVM Results '3F0000': no CVM performed (Book 4 A4); CVM processing is a later step. */
const CVM_RESULTS_NONE = Buffer.from('3F0000', 'hex');
/** ARC a terminal uses when it could not go online and declines (Book 4 6.3.6, 'Z3'). */
const ARC_UNABLE_ONLINE_DECLINE = Buffer.from('Z3', 'latin1');

interface Session {
  candidate: Candidate;
  fci: Fci;
  options: ProcessingOptions;
  data: ApplicationData;
  terminal: TagValues;
  card: TagValues;
  first: AcResponse;
  oda?: OdaOutcome;
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

    const candidates = await buildCandidateList(this.card, this.profile.aids,
      this.profile.cardholderConfirmation ?? false, this.log);
    const chosen = await chooseApplication(this.card, candidates, this.log,
      async (candidate, fci) => {
        const terminal = withApplication(base, candidate.terminalAid);
        const options = await getProcessingOptions(this.card, fci.pdol,
          this.source(terminal, fci.tags), this.log);
        return options && { options, terminal };
      });
    const { candidate, fci, result: { options, terminal } } = chosen;
    this.log.debug({ aid: hex(fci.dfName) }, 'application selected');

    const data = await readApplicationData(this.card, options.afl, this.log);
    const card: TagValues = { ...fci.tags, ...options.tags, ...data.tags };
    this.checkMandatory(card);
    const oda = await this.authenticateOffline(fci, options, data, terminal, card, input.date);

    const cdol1 = parseDol(card['8C']!, 'CDOL1');
    const first = await generateAc(this.card, 'ARQC',
      buildDolData(cdol1, this.source(terminal, card)), false, this.log);
    this.tsi.set(TSI.CARD_RISK_MANAGEMENT_PERFORMED);
    Object.assign(card, first.tags);

    this.session = { candidate, fci, options, data, terminal, card, first, oda };
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
    } else {
      terminal['8A'] = ARC_UNABLE_ONLINE_DECLINE;
    }

    const requested = answer.kind === 'answered' && answer.approved ? 'TC' : 'AAC';
    const second = await generateAc(this.card, requested,
      buildDolData(cdol2, this.source(terminal, card)), true, this.log);
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
    card: TagValues, date: Date,
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
      settings: this.odaSettings, log: this.log,
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
    const { candidate, fci, data, terminal, card, first, oda } = session;
    const pan = panOf(card);
    const tags = this.allTags(terminal, card);
    const indicator = fci.priorityIndicator ?? candidate.priorityIndicator;
    const outcome: FirstAcOutcome = {
      decision: first.type === 'ARQC' ? 'online' : 'declined',
      application: {
        aid: hex(fci.dfName), label: fci.label ?? candidate.label,
        preferredName: fci.preferredName ?? candidate.preferredName,
        priority: indicator === undefined ? undefined : indicator & 0x0f,
      },
      pan, panSequence: card['5F34'] && hex(card['5F34']), expiry: hex(card['5F24']!),
      track2: card['57'], cardholderName: text(card['5F20']),
      iccData: buildIccData(tags), cryptogram: first.cryptogram, cid: first.cid, atc: first.atc,
      tvr: this.tvr.value(), tsi: this.tsi.value(), tags, odaRecords: data.odaRecords,
      oda: oda && odaSummary(oda),
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
