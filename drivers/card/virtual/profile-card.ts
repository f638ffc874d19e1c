import { randomBytes } from 'node:crypto';
import {
  computeCryptogram, deriveIccMasterKey, verifyIssuerAuthentication, type TagValues,
} from '../../../src/emv/cryptogram';
import { parseDol, type DolEntry } from '../../../src/emv/dol';
import { encodeTlv, parseTlv } from '../../../src/emv/tlv';
import { ReaderError } from '../../../src/errors';
import { parseCommandApdu, type CommandApdu } from '../apdu';
import type { VirtualCard } from '../types';
import { T0_ATR, T1_ATR } from './atr';
import { cdaAnswer, iccKeyOf } from './card-cda';
import { OfflinePin } from './card-pin';
import { buildCardFiles, PSE_NAME, type CardFiles } from './card-data';
import {
  cardProfileFromYaml, loadCardProfile, type CardFaults, type CardProfile,
} from './card-profile';
import { checkedCommandData, type ScriptCommand } from './issuer-script';
import { ddaSignature } from './test-ca';

/**
 * An EMV contact card computed from a profile (format: card-profile.ts): selection through
 * the PSE or by AID, GET PROCESSING OPTIONS, records, GET DATA, two GENERATE ACs with real
 * Visa cryptograms (CVN 10 or 18), EXTERNAL AUTHENTICATE checking the issuer's ARPC, offline
 * PIN (VERIFY plaintext or enciphered, GET CHALLENGE), INTERNAL AUTHENTICATE (DDA) and issuer
 * script commands under secure messaging. The ATC, the PIN try counter, PUT DATA values and
 * the application's blocked state live in memory and survive power cycles, as on a chip;
 * everything else about a transaction is forgotten at power-on, reset, and each SELECT.
 */

/** A response before T=0 shaping: data and status word. */
interface Reply {
  data?: Buffer;
  sw: number;
}

type AcType = 'AAC' | 'TC' | 'ARQC';

/** Cryptogram information data (9F27) b8-b7 per type (Book 3 table 14). */
const CID: Record<AcType, number> = { AAC: 0x00, TC: 0x40, ARQC: 0x80 };
/** Reference control parameter (GENERATE AC P1) b8-b7 per requested type. */
const P1_TYPE: Record<number, AcType | undefined> = { 0x00: 'AAC', 0x40: 'TC', 0x80: 'ARQC' };
/** CVR byte 2 bit pairs (Visa VIS): cryptogram type of the 1st and 2nd GENERATE AC. */
const CVR_FIRST: Record<AcType, number> = { AAC: 0x00, TC: 0x10, ARQC: 0x20 };
const CVR_SECOND: Record<AcType, number> = { AAC: 0x00, TC: 0x40, ARQC: 0x00 };
const CVR_SECOND_NOT_REQUESTED = 0x80;
const CVR_ISSUER_AUTH_NOT_PERFORMED = 0x02;
const CVR_ISSUER_AUTH_FAILED = 0x01;

/**
 * ARCs that approve: the issuer's approved, honour with ID, partial, VIP; and Y3, the
 * terminal's "unable to go online, approve offline" (Book 4 annex A6), which a card without
 * issuerAuthRequired accepts (with it, no issuer authentication means an AAC).
 */
const APPROVING_ARCS = new Set(['00', '08', '10', '11', 'Y3']);

const SW = {
  OK: 0x9000, SELECTED_FILE_INVALIDATED: 0x6283, WARNING_AUTH_FAILED: 0x6300,
  WRONG_LENGTH: 0x6700, CONDITIONS_NOT_SATISFIED: 0x6985, SM_DATA_INCORRECT: 0x6988,
  WRONG_P1P2: 0x6a86, FILE_NOT_FOUND: 0x6a82,
  RECORD_NOT_FOUND: 0x6a83, DATA_NOT_FOUND: 0x6a88, INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
} as const;

const INS_NAMES: Record<number, string> = {
  0xa4: 'select', 0xb2: 'read-record', 0xa8: 'gpo', 0xca: 'get-data', 0xae: 'generate-ac',
  0x82: 'external-authenticate', 0xc0: 'get-response', 0x20: 'verify', 0x84: 'get-challenge',
  0x88: 'internal-authenticate', 0x1e: 'application-block', 0x18: 'application-unblock',
  0x24: 'pin-change-unblock', 0xda: 'put-data',
};
/**
 * The CLA each command is defined with: ISO inter-industry 00, EMV proprietary 80, EMV
 * proprietary with secure messaging 84 (Book 3 6.5.1, 6.5.2, 6.5.10) and ISO with secure
 * messaging 04 for PUT DATA (Visa VIS).
 */
const INS_CLA: Record<number, number> = {
  0xa4: 0x00, 0xb2: 0x00, 0x82: 0x00, 0xc0: 0x00, 0xa8: 0x80, 0xca: 0x80, 0xae: 0x80,
  0x20: 0x00, 0x84: 0x00, 0x88: 0x00, 0x1e: 0x84, 0x18: 0x84, 0x24: 0x84, 0xda: 0x04,
};
const ICC_DYNAMIC_NUMBER_LENGTH = 8;

/** What one transaction (power-on or SELECT to the end) has done so far. */
interface Transaction {
  gpoDone: boolean;
  /** 'none' before the first GENERATE AC; 'online' after an ARQC; 'done' at the end. */
  ac: 'none' | 'online' | 'done';
  issuerAuth: 'none' | 'passed' | 'failed';
  arqc?: Buffer;
  /**
   * The first GENERATE AC's cryptogram, the one the issuer saw: issuer script MACs are bound
   * to it (Book 2 9.2), in scripts run before the final GENERATE AC and after it.
   */
  firstAc?: Buffer;
  tags: TagValues;
  /** PDOL data of GET PROCESSING OPTIONS, which a CDA signature's hash covers. */
  pdolData?: Buffer;
}

export class ProfileCard implements VirtualCard {
  readonly atr: Buffer;
  readonly profile: CardProfile;
  private readonly files: CardFiles;
  private readonly iccMasterKey: Buffer;
  private faults: CardFaults;
  private atcValue: number;
  private lastOnlineAtcValue: number;
  private current: 'none' | 'pse' | 'app' = 'none';
  private lastSelectName: Buffer | undefined;
  private tx: Transaction = newTransaction();
  private iccKey: ReturnType<typeof iccKeyOf> | undefined;
  private pendingT0: { data: Buffer; sw: number } | undefined;
  private readonly pin: OfflinePin;
  private blocked = false;
  private readonly putData: Record<string, Buffer>;
  private readonly ddolLength: number | undefined;
  private apduCount = 0;
  private readonly seen = new Map<string, number>();

  constructor(profile: CardProfile) {
    this.profile = profile;
    this.atr = profile.atr ?? (profile.t0 ? T0_ATR : T1_ATR);
    this.files = buildCardFiles(profile);
    this.iccMasterKey = deriveIccMasterKey(
      profile.issuerMasterKeyAc, profile.pan, profile.panSequence);
    this.faults = { ...profile.faults };
    this.atcValue = profile.atcStart;
    this.lastOnlineAtcValue = profile.lastOnlineAtc;
    this.pin = new OfflinePin(profile);
    this.putData = Object.fromEntries(
      Object.entries(profile.putData).map(([tag, value]) => [tag, Buffer.from(value)]));
    const ddol = profile.oda?.ddol;
    this.ddolLength = ddol === undefined ? undefined : dolLength(parseDol(ddol, 'DDOL'));
  }

  static fromFile(path: string): ProfileCard {
    return new ProfileCard(loadCardProfile(path));
  }

  static fromYaml(text: string, name?: string): ProfileCard {
    return new ProfileCard(cardProfileFromYaml(text, name));
  }

  /** Application transaction counter (9F36) as it stands. */
  get atc(): number {
    return this.atcValue;
  }

  /** PIN try counter (9F17) as it stands. */
  get pinTryCounter(): number {
    return this.pin.counter;
  }

  /** Whether an APPLICATION BLOCK script command has invalidated the application. */
  get applicationBlocked(): boolean {
    return this.blocked;
  }

  /** Replaces the faults (those from the profile included); {} clears them. */
  setFaults(faults: CardFaults): void {
    this.faults = { ...faults };
  }

  powerOn(): void {
    this.forgetSession();
  }

  powerOff(): void {
    this.forgetSession();
  }

  reset(): void {
    this.forgetSession();
  }

  answerDelayMs(command: Buffer): number {
    const isGenerateAc = command[1] === 0xae;
    return (isGenerateAc ? this.faults.generateAcDelayMs : undefined) ?? this.faults.delayMs ?? 0;
  }

  pullsOutAt(command: Buffer): boolean {
    const at = this.faults.removeAt;
    if (at === undefined) return false;
    const hit = typeof at === 'number'
      ? this.apduCount + 1 === at
      : this.matchesFault(at, commandName(command), 1);
    // A card is pulled out once; put back in, it works again.
    if (hit) this.faults = { ...this.faults, removeAt: undefined };
    return hit;
  }

  process(command: Buffer): Buffer {
    const name = commandName(command);
    this.apduCount += 1;
    this.seen.set(name, (this.seen.get(name) ?? 0) + 1);

    this.failReaderAt(name);
    const apdu = parseCommandApdu(command);
    if (apdu === undefined) return statusOnly(SW.WRONG_LENGTH);
    if (apdu.ins === 0xc0 && apdu.cla === 0x00 && this.profile.t0) return this.getResponse(apdu);
    this.pendingT0 = undefined;

    const reply = this.execute(apdu);
    let data = reply.data ?? Buffer.alloc(0);
    if (data.length > 0 && this.matchesFault(this.faults.malformedTlvAt, name, 0)) {
      data = data.subarray(0, data.length - 1);
    }
    return this.profile.t0 ? this.shapeT0(apdu, data, reply.sw) : withSw(data, reply.sw);
  }

  /**
   * The readerFailsAt fault, once: the command never reaches the chip. In-process the
   * transmit fails with READER_ERROR; through vpcd the link drops, so pcscd loses the card.
   */
  private failReaderAt(name: string): void {
    if (!this.matchesFault(this.faults.readerFailsAt, name, 0)) return;
    this.faults = { ...this.faults, readerFailsAt: undefined };
    throw new ReaderError('READER_ERROR', `rehearsal: the reader failed at ${name}`, {
      detail: { command: name },
    });
  }

  private execute(apdu: CommandApdu): Reply {
    const expectedCla = INS_CLA[apdu.ins];
    if (expectedCla === undefined) return { sw: SW.INS_NOT_SUPPORTED };
    if (apdu.cla !== expectedCla) return { sw: SW.CLA_NOT_SUPPORTED };
    switch (apdu.ins) {
      case 0xa4: return this.select(apdu);
      case 0xb2: return this.readRecord(apdu);
      case 0xa8: return this.getProcessingOptions(apdu);
      case 0xca: return this.getData(apdu);
      case 0xae: return this.generateAc(apdu);
      case 0x82: return this.externalAuthenticate(apdu);
      case 0x20: return this.verify(apdu);
      case 0x84: return this.getChallenge(apdu);
      case 0x88: return this.internalAuthenticate(apdu);
      case 0x1e: return this.scriptCommand(apdu, 'application-block');
      case 0x18: return this.scriptCommand(apdu, 'application-unblock');
      case 0x24: return this.scriptCommand(apdu, 'pin-unblock');
      case 0xda: return this.scriptCommand(apdu, 'put-data');
      default: return { sw: SW.CONDITIONS_NOT_SATISFIED };
    }
  }

  private select(apdu: CommandApdu): Reply {
    if (this.faults.selectRefused) return { sw: SW.CONDITIONS_NOT_SATISFIED };
    if (apdu.p1 !== 0x04 || (apdu.p2 !== 0x00 && apdu.p2 !== 0x02)) return { sw: SW.WRONG_P1P2 };
    const name = apdu.data;
    if (name.equals(PSE_NAME)) {
      this.enter('pse', name);
      return { data: this.files.pseFci, sw: SW.OK };
    }
    const { aid } = this.profile;
    // Partial selection (Book 1 12.3.3): the name may be the start of the AID. The card holds
    // one application, so a "next occurrence" after it was found is never there.
    const matches = name.length >= 5 && aid.subarray(0, name.length).equals(name);
    const isNext = apdu.p2 === 0x02 && this.lastSelectName?.equals(name) === true;
    if (!matches || isNext) return { sw: SW.FILE_NOT_FOUND };
    this.enter('app', name);
    // Book 3 6.5.1: a blocked application still answers with its FCI, warning 6283.
    return { data: this.files.appFci, sw: this.blocked ? SW.SELECTED_FILE_INVALIDATED : SW.OK };
  }

  private readRecord(apdu: CommandApdu): Reply {
    if ((apdu.p2 & 0x07) !== 0x04 || apdu.p1 === 0) return { sw: SW.WRONG_P1P2 };
    if (apdu.case !== 2 && apdu.case !== 1) return { sw: SW.WRONG_LENGTH };
    const files = this.current === 'pse' ? this.files.directory
      : this.current === 'app' ? this.files.appRecords : undefined;
    if (files === undefined) return { sw: SW.CONDITIONS_NOT_SATISFIED };
    const records = files.get(apdu.p2 >> 3);
    if (records === undefined) return { sw: SW.FILE_NOT_FOUND };
    const record = records[apdu.p1 - 1];
    return record === undefined ? { sw: SW.RECORD_NOT_FOUND } : { data: record, sw: SW.OK };
  }

  private getProcessingOptions(apdu: CommandApdu): Reply {
    if (this.current !== 'app' || this.tx.gpoDone) return { sw: SW.CONDITIONS_NOT_SATISFIED };
    if (apdu.p1 !== 0 || apdu.p2 !== 0) return { sw: SW.WRONG_P1P2 };
    const pdolData = commandTemplate83(apdu.data);
    if (pdolData === undefined || pdolData.length !== dolLength(this.profile.pdol)) {
      return { sw: SW.WRONG_LENGTH };
    }
    this.tx.gpoDone = true;
    Object.assign(this.tx.tags, dolValues(this.profile.pdol, pdolData));
    this.tx.pdolData = pdolData;
    // Response format 2 (Book 3 6.5.8.4): 77 { 82 AIP, 94 AFL }.
    const data = encodeTlv('77', [
      encodeTlv('82', this.profile.aip), encodeTlv('94', this.files.afl),
    ]);
    return { data, sw: SW.OK };
  }

  private getData(apdu: CommandApdu): Reply {
    if (apdu.case === 3 || apdu.case === 4) return { sw: SW.WRONG_LENGTH };
    if (this.current !== 'app') return { sw: SW.CONDITIONS_NOT_SATISFIED };
    const tag = Buffer.from([apdu.p1, apdu.p2]).toString('hex').toUpperCase();
    const values: Record<string, Buffer> = {
      '9F36': u16(this.atcValue),
      '9F13': u16(this.lastOnlineAtcValue),
      '9F17': Buffer.from([this.pin.counter]),
      ...this.putData,
    };
    const value = values[tag];
    if (value === undefined) return { sw: SW.DATA_NOT_FOUND };
    return { data: encodeTlv(tag, value), sw: SW.OK };
  }

  private generateAc(apdu: CommandApdu): Reply {
    if (!this.tx.gpoDone || this.tx.ac === 'done') return { sw: SW.CONDITIONS_NOT_SATISFIED };
    const requested = P1_TYPE[apdu.p1 & 0xc0];
    if (requested === undefined || apdu.p2 !== 0) return { sw: SW.WRONG_P1P2 };
    const cdol1Length = dolLength(this.profile.cdol1);
    const cdol2Length = dolLength(this.profile.cdol2);
    if (this.tx.ac === 'none') {
      if (apdu.data.length === cdol1Length) {
        const reply = this.firstGenerateAc(requested, apdu.data);
        // P1 b5: CDA signature requested (Book 3 table 12); only a card with an ICC key signs.
        return (apdu.p1 & 0x10) !== 0 && this.profile.oda?.icc !== undefined
          ? this.withCdaSignature(reply, apdu.data) : reply;
      }
      // CDOL2 data before any first GENERATE AC: a second one out of turn.
      if (apdu.data.length === cdol2Length) return { sw: SW.CONDITIONS_NOT_SATISFIED };
      return { sw: SW.WRONG_LENGTH };
    }
    if (apdu.data.length !== cdol2Length) return { sw: SW.WRONG_LENGTH };
    if (requested === 'ARQC') return { sw: SW.WRONG_P1P2 };
    return this.secondGenerateAc(requested, apdu.data);
  }

  /** Online-only card risk management: an AAC when asked for one, else an ARQC. */
  private firstGenerateAc(requested: AcType, cdolData: Buffer): Reply {
    if (this.atcValue >= 0xffff) return { sw: SW.CONDITIONS_NOT_SATISFIED };
    this.atcValue += 1;
    Object.assign(this.tx.tags, dolValues(this.profile.cdol1, cdolData));
    // A blocked application answers every GENERATE AC with an AAC (Book 3 6.5.1).
    const type: AcType = requested === 'AAC' || this.blocked ? 'AAC' : 'ARQC';
    const cvr = [0x03, CVR_FIRST[type] | CVR_SECOND_NOT_REQUESTED, 0x00, 0x00];
    const reply = this.cryptogramReply(type, cvr);
    this.tx.ac = type === 'ARQC' ? 'online' : 'done';
    return reply;
  }

  private secondGenerateAc(requested: AcType, cdolData: Buffer): Reply {
    const values = dolValues(this.profile.cdol2, cdolData);
    const tag91 = values['91'];
    if (tag91 !== undefined && tag91.some((b) => b !== 0) && this.tx.issuerAuth === 'none') {
      this.tx.issuerAuth = this.checkArpc(tag91) ? 'passed' : 'failed';
    }
    Object.assign(this.tx.tags, values);

    const arc = (values['8A'] ?? Buffer.alloc(2)).toString('latin1');
    const authOk = this.tx.issuerAuth === 'passed' || !this.profile.issuerAuthRequired;
    const approves = requested === 'TC' && APPROVING_ARCS.has(arc) && authOk;
    const type: AcType = approves && !this.faults.declineSecondAc && !this.blocked
      ? 'TC' : 'AAC';
    let flags = 0;
    if (this.tx.issuerAuth === 'none') flags |= CVR_ISSUER_AUTH_NOT_PERFORMED;
    if (this.tx.issuerAuth === 'failed') flags |= CVR_ISSUER_AUTH_FAILED;
    const cvr = [0x03, CVR_SECOND[type] | CVR_FIRST.ARQC | flags, 0x00, 0x00];
    const reply = this.cryptogramReply(type, cvr);
    if (this.tx.issuerAuth === 'passed') this.lastOnlineAtcValue = this.atcValue;
    this.tx.ac = 'done';
    return reply;
  }

  /**
   * Book 2 6.6.1: a TC or ARQC answer becomes 77 { 9F27, 9F36, 9F4B, 9F10 }, the cryptogram
   * inside the signature; an AAC is not signed.
   */
  private withCdaSignature(reply: Reply, cdolData: Buffer): Reply {
    if (reply.data === undefined || this.tx.tags['9F37'] === undefined) return reply;
    this.iccKey ??= iccKeyOf(this.profile.oda!.icc!.privateKey);
    return { ...reply, data: cdaAnswer(this.iccKey, reply.data, {
      pdolData: this.tx.pdolData ?? Buffer.alloc(0), cdolData,
      unpredictableNumber: this.tx.tags['9F37'], atc: this.atcValue,
    }) };
  }

  /** Response format 2 (Book 3 6.5.5.4): 77 { 9F27 CID, 9F36 ATC, 9F26 AC, 9F10 IAD }. */
  private cryptogramReply(type: AcType, cvr: number[]): Reply {
    const atc = u16(this.atcValue);
    // Visa IAD: length 06, derivation key index 01, CVN (0A or 12), then the 4-byte CVR.
    const iad = Buffer.from([0x06, 0x01, this.profile.cvn === 10 ? 0x0a : 0x12, ...cvr]);
    const tags: TagValues = { ...this.tx.tags, '82': this.profile.aip, '9F36': atc, '9F10': iad };
    const ac = computeCryptogram(this.profile.cvn, this.iccMasterKey, tags);
    if (type === 'ARQC') this.tx.arqc = ac;
    if (this.tx.ac === 'none') this.tx.firstAc = ac;
    this.tx.tags = tags;
    const data = encodeTlv('77', [
      encodeTlv('9F27', Buffer.from([CID[type]])), encodeTlv('9F36', atc),
      encodeTlv('9F26', ac), encodeTlv('9F10', iad),
    ]);
    return { data, sw: SW.OK };
  }

  private externalAuthenticate(apdu: CommandApdu): Reply {
    if (this.tx.ac !== 'online' || this.tx.issuerAuth !== 'none') {
      return { sw: SW.CONDITIONS_NOT_SATISFIED };
    }
    if (apdu.p1 !== 0 || apdu.p2 !== 0) return { sw: SW.WRONG_P1P2 };
    if (apdu.data.length < 8 || apdu.data.length > 16) return { sw: SW.WRONG_LENGTH };
    const ok = this.checkArpc(apdu.data);
    this.tx.issuerAuth = ok ? 'passed' : 'failed';
    return { sw: ok ? SW.OK : SW.WARNING_AUTH_FAILED };
  }

  /** VERIFY (Book 3 6.5.12), after GET PROCESSING OPTIONS; the rules are in card-pin.ts. */
  private verify(apdu: CommandApdu): Reply {
    if (apdu.case !== 3) {
      this.pin.forgetChallenge();
      return { sw: SW.WRONG_LENGTH };
    }
    if (!this.tx.gpoDone) {
      this.pin.forgetChallenge();
      return { sw: SW.CONDITIONS_NOT_SATISFIED };
    }
    return { sw: this.pin.verify(apdu.p1, apdu.p2, apdu.data) };
  }

  /** GET CHALLENGE (Book 3 6.5.6): 8 random bytes, kept for the next VERIFY. */
  private getChallenge(apdu: CommandApdu): Reply {
    if (apdu.p1 !== 0 || apdu.p2 !== 0) return { sw: SW.WRONG_P1P2 };
    if (apdu.case !== 2) return { sw: SW.WRONG_LENGTH };
    if (this.current !== 'app') return { sw: SW.CONDITIONS_NOT_SATISFIED };
    return { data: this.pin.newChallenge(), sw: SW.OK };
  }

  /**
   * INTERNAL AUTHENTICATE (Book 3 6.5.9) for DDA: Signed Dynamic Application Data over the
   * DDOL data with a fresh 8-byte ICC dynamic number, in response format 1 (80).
   */
  private internalAuthenticate(apdu: CommandApdu): Reply {
    const icc = this.profile.oda?.icc;
    if (icc === undefined) return { sw: SW.INS_NOT_SUPPORTED };
    if (apdu.p1 !== 0 || apdu.p2 !== 0) return { sw: SW.WRONG_P1P2 };
    if (apdu.data.length === 0) return { sw: SW.WRONG_LENGTH };
    if (this.ddolLength !== undefined && apdu.data.length !== this.ddolLength) {
      return { sw: SW.WRONG_LENGTH };
    }
    if (!this.tx.gpoDone) return { sw: SW.CONDITIONS_NOT_SATISFIED };
    this.iccKey ??= iccKeyOf(icc.privateKey);
    const signature = ddaSignature(this.iccKey, {
      iccDynamicNumber: randomBytes(ICC_DYNAMIC_NUMBER_LENGTH), ddolData: apdu.data,
    });
    return { data: encodeTlv('80', signature), sw: SW.OK };
  }

  /**
   * An issuer script command (Book 3 6.5.1, 6.5.2, 6.5.10; Book 2 9.2): only in a transaction
   * that produced a cryptogram, with a MAC over the command, the ATC and that cryptogram
   * (issuer-script.ts). A wrong or missing MAC is 6988 and changes nothing.
   */
  private scriptCommand(apdu: CommandApdu, kind: ScriptCommand['kind']): Reply {
    const imk = this.profile.issuerMasterKeySmi;
    const ac = this.tx.firstAc;
    if (imk === undefined || ac === undefined) return { sw: SW.CONDITIONS_NOT_SATISFIED };
    if (apdu.case !== 3) return { sw: SW.WRONG_LENGTH };
    const { pan, panSequence } = this.profile;
    const data = checkedCommandData(apdu, { issuerMasterKeySmi: imk, pan, panSequence },
      { atc: u16(this.atcValue), arqc: ac });
    if (data === undefined) return { sw: SW.SM_DATA_INCORRECT };

    if (kind === 'put-data') return this.putDataValue(apdu.p1, apdu.p2, data);
    if (apdu.p1 !== 0 || apdu.p2 !== 0) return { sw: SW.WRONG_P1P2 };
    switch (kind) {
      case 'application-block':
      case 'application-unblock':
        this.blocked = kind === 'application-block';
        return { sw: SW.OK };
      case 'pin-unblock':
        // P2 00: unblock only; 01 and 02 carry a new PIN, which these cards do not take.
        this.pin.unblock();
        return { sw: SW.OK };
    }
  }

  /** PUT DATA (P1 P2 the tag): only the data objects the profile lists, at the same length. */
  private putDataValue(p1: number, p2: number, value: Buffer): Reply {
    const tag = (p1 === 0 ? Buffer.from([p2]) : Buffer.from([p1, p2]))
      .toString('hex').toUpperCase();
    const current = this.putData[tag];
    if (current === undefined) return { sw: SW.DATA_NOT_FOUND };
    if (value.length !== current.length) return { sw: SW.WRONG_LENGTH };
    this.putData[tag] = Buffer.from(value);
    return { sw: SW.OK };
  }

  private checkArpc(tag91: Buffer): boolean {
    const { arqc, tags } = this.tx;
    if (arqc === undefined || this.faults.rejectArpc === true) return false;
    return verifyIssuerAuthentication(this.profile.cvn, this.iccMasterKey, arqc, tags, tag91).ok;
  }

  /**
   * T=0 (ISO 7816-3 10.3.4): data of a command that carried data comes back through GET
   * RESPONSE after 61xx; a command that only asked for data and named the wrong Le gets 6Cxx.
   */
  private shapeT0(apdu: CommandApdu, data: Buffer, sw: number): Buffer {
    if (data.length === 0) return statusOnly(sw);
    if (apdu.case === 2 && apdu.le === data.length) return withSw(data, sw);
    if (apdu.case === 2) return statusOnly(0x6c00 | (data.length & 0xff));
    this.pendingT0 = { data, sw };
    return statusOnly(0x6100 | (data.length & 0xff));
  }

  private getResponse(apdu: CommandApdu): Buffer {
    const pending = this.pendingT0;
    if (pending === undefined) return statusOnly(SW.CONDITIONS_NOT_SATISFIED);
    const le = apdu.le ?? 256;
    const available = pending.data.length;
    if (le > available) return statusOnly(0x6c00 | (available & 0xff));
    if (le === available) {
      this.pendingT0 = undefined;
      return withSw(pending.data, pending.sw);
    }
    const rest = pending.data.subarray(le);
    this.pendingT0 = { data: rest, sw: pending.sw };
    return withSw(pending.data.subarray(0, le), 0x6100 | (rest.length & 0xff));
  }

  private enter(file: 'pse' | 'app', name: Buffer): void {
    this.current = file;
    this.lastSelectName = Buffer.from(name);
    this.tx = newTransaction();
    this.pin.forgetChallenge();
  }

  private forgetSession(): void {
    this.pin.forgetChallenge();
    this.current = 'none';
    this.lastSelectName = undefined;
    this.tx = newTransaction();
    this.pendingT0 = undefined;
    this.apduCount = 0;
    this.seen.clear();
  }

  /**
   * True when `fault` ('gpo', 'generate-ac#2') names this command. `ahead` is 1 when asked
   * before the command is counted (pullsOutAt), 0 after (process).
   */
  private matchesFault(fault: string | undefined, name: string, ahead: number): boolean {
    if (fault === undefined) return false;
    const [faultName, nth] = fault.split('#');
    if (faultName !== name) return false;
    return nth === undefined || (this.seen.get(name) ?? 0) + ahead === Number(nth);
  }
}

function newTransaction(): Transaction {
  return { gpoDone: false, ac: 'none', issuerAuth: 'none', tags: {} };
}

function commandName(command: Buffer): string {
  return INS_NAMES[command[1] ?? -1] ?? 'other';
}

/** GPO data is the command template 83 holding the PDOL data; undefined when it is not. */
function commandTemplate83(data: Buffer): Buffer | undefined {
  try {
    const nodes = parseTlv(data);
    const only = nodes[0];
    return nodes.length === 1 && only?.tag === '83' ? only.value : undefined;
  } catch {
    return undefined;
  }
}

function dolLength(dol: readonly DolEntry[]): number {
  return dol.reduce((sum, entry) => sum + entry.length, 0);
}

/** Splits DOL data into tag values (lengths already checked by the caller). */
function dolValues(dol: readonly DolEntry[], data: Buffer): TagValues {
  const values: TagValues = {};
  let offset = 0;
  for (const { tag, length } of dol) {
    values[tag] = Buffer.from(data.subarray(offset, offset + length));
    offset += length;
  }
  return values;
}

function u16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(value, 0);
  return out;
}

function statusOnly(sw: number): Buffer {
  return Buffer.from([sw >> 8, sw & 0xff]);
}

function withSw(data: Buffer, sw: number): Buffer {
  return Buffer.concat([data, statusOnly(sw)]);
}
