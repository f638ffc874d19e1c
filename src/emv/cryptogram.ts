import { CardError } from '../errors';
import { tdesEncryptEcb, withOddParity, xor } from '../crypto/des';
import { retailMac } from '../crypto/mac';

/**
 * Application cryptograms and issuer authentication for the two Visa cryptogram versions
 * quay's virtual cards and acquirer simulator speak (EMV Book 2 annex A1, Visa VIS):
 * - CVN 10: MAC keyed by the ICC master key itself, zero padding, CVR appended;
 *   ARPC method 1 (Book 2 A1.2.1).
 * - CVN 18: MAC keyed by the common session key from the ATC (Book 2 A1.3), ISO padding
 *   method 2, whole IAD appended; ARPC method 2 (Book 2 A1.2.2).
 */

export type Cvn = 10 | 18;
export type TagValues = Record<string, Buffer>;

export interface IssuerAnswer {
  /** Authorisation response code, 2 bytes, e.g. ASCII '00' = 3030. */
  arc: Buffer;
  /** CVN 18 card status update, 4 bytes; derived from the ARC when absent (see csuFor). */
  csu?: Buffer;
  /** CVN 18 proprietary authentication data, 0..8 bytes, sent after the CSU. */
  proprietaryAuthData?: Buffer;
}

/** The transaction data every CVN covers, in this order, with the length each must have. */
const COMMON_DATA: ReadonlyArray<readonly [string, number]> = [
  ['9F02', 6], ['9F03', 6], ['9F1A', 2], ['95', 5], ['5F2A', 2], ['9A', 3], ['9C', 1],
  ['9F37', 4], ['82', 2], ['9F36', 2],
];

/** ARCs an issuer uses for an approval (ISO 8583 response codes 00, 08, 10, 11). */
const APPROVING_ARCS = new Set(['00', '08', '10', '11']);

/** CSU byte 2, b8: "issuer approves online transaction" (Visa VIS). */
const CSU_APPROVED = 0x80;

function missing(tag: string, reason: string): CardError {
  return new CardError('CARD_DATA_MISSING', `Cryptogram input ${tag} ${reason}`, {
    detail: { tag, reason },
  });
}

function tagValue(tags: TagValues, tag: string, length?: number): Buffer {
  const value = tags[tag];
  if (value === undefined) throw missing(tag, 'is missing');
  if (length !== undefined && value.length !== length) {
    throw missing(tag, `must be ${length} bytes, got ${value.length}`);
  }
  return value;
}

/**
 * ICC master key by EMV option A (Book 2 A1.4.1): X = the rightmost 16 digits of PAN || PAN
 * sequence number (left-padded with zeros), Y = X xor FF..FF, MK = 3DES(IMK)[X] || 3DES(IMK)[Y]
 * with odd parity.
 */
export function deriveIccMasterKey(imk: Buffer, pan: string, panSequence: string): Buffer {
  const digits = (pan + (panSequence === '' ? '00' : panSequence)).replace(/[^0-9]/g, '');
  const x = Buffer.from(digits.slice(-16).padStart(16, '0'), 'hex');
  const y = xor(x, Buffer.alloc(8, 0xff));
  return withOddParity(tdesEncryptEcb(imk, Buffer.concat([x, y])));
}

/**
 * Common session key (Book 2 A1.3.1) with R = ATC || 00 00 00 00 00 00:
 * SK = 3DES(MK)[ATC || F0 || 00*5] || 3DES(MK)[ATC || 0F || 00*5].
 */
export function deriveCommonSessionKey(iccMasterKey: Buffer, atc: Buffer): Buffer {
  if (atc.length !== 2) throw missing('9F36', `must be 2 bytes, got ${atc.length}`);
  const f1 = Buffer.concat([atc, Buffer.from([0xf0]), Buffer.alloc(5)]);
  const f2 = Buffer.concat([atc, Buffer.from([0x0f]), Buffer.alloc(5)]);
  return withOddParity(tdesEncryptEcb(iccMasterKey, Buffer.concat([f1, f2])));
}

/** The bytes a cryptogram is computed over, for the given CVN. */
export function cryptogramInput(cvn: Cvn, tags: TagValues): Buffer {
  const common = COMMON_DATA.map(([tag, length]) => tagValue(tags, tag, length));
  const iad = tagValue(tags, '9F10');
  if (cvn === 18) return Buffer.concat([...common, iad]);
  // Visa IAD: length byte, derivation key index, CVN, then the 4-byte CVR.
  if (iad.length < 7) throw missing('9F10', 'is too short to hold a CVR');
  return Buffer.concat([...common, iad.subarray(3, 7)]);
}

/** ARQC, TC or AAC (the card decides the type; the computation is the same). */
export function computeCryptogram(cvn: Cvn, iccMasterKey: Buffer, tags: TagValues): Buffer {
  const input = cryptogramInput(cvn, tags);
  if (cvn === 10) return retailMac(iccMasterKey, input, 'zero');
  const sessionKey = deriveCommonSessionKey(iccMasterKey, tagValue(tags, '9F36', 2));
  return retailMac(sessionKey, input, 'iso2');
}

/**
 * The CSU an issuer sends with an ARC when it gives none: "issuer approves" (byte 2 b8) set
 * for an approving ARC, everything else zero.
 */
export function csuFor(answer: IssuerAnswer): Buffer {
  if (answer.csu !== undefined) {
    if (answer.csu.length !== 4) {
      throw new RangeError(`CSU must be 4 bytes, got ${answer.csu.length}`);
    }
    return answer.csu;
  }
  const approved = APPROVING_ARCS.has(answer.arc.toString('latin1'));
  return Buffer.from([0x00, approved ? CSU_APPROVED : 0x00, 0x00, 0x00]);
}

function checkArc(arc: Buffer): void {
  if (arc.length !== 2) throw new RangeError(`ARC must be 2 bytes, got ${arc.length}`);
}

export function computeArpc(
  cvn: Cvn, iccMasterKey: Buffer, arqc: Buffer, tags: TagValues, answer: IssuerAnswer,
): Buffer {
  if (arqc.length !== 8) throw new RangeError(`ARQC must be 8 bytes, got ${arqc.length}`);
  if (cvn === 10) {
    checkArc(answer.arc);
    const arcBlock = Buffer.concat([answer.arc, Buffer.alloc(6)]);
    return tdesEncryptEcb(iccMasterKey, xor(arqc, arcBlock));
  }
  const sessionKey = deriveCommonSessionKey(iccMasterKey, tagValue(tags, '9F36', 2));
  const data = Buffer.concat([arqc, csuFor(answer), answer.proprietaryAuthData ?? Buffer.alloc(0)]);
  return retailMac(sessionKey, data, 'iso2').subarray(0, 4);
}

/** Value of tag 91: CVN 10 → ARPC(8) || ARC(2); CVN 18 → ARPC(4) || CSU(4) [|| prop. data]. */
export function issuerAuthenticationData(cvn: Cvn, arpc: Buffer, answer: IssuerAnswer): Buffer {
  if (cvn === 10) {
    checkArc(answer.arc);
    return Buffer.concat([arpc, answer.arc]);
  }
  return Buffer.concat([arpc, csuFor(answer), answer.proprietaryAuthData ?? Buffer.alloc(0)]);
}

/**
 * Card side: checks tag 91 against the ARQC it produced. For CVN 10 the ARC is the one in tag
 * 91. For CVN 18 tag 91 carries no ARC; the CSU's "issuer approves" bit stands for it and is
 * reported as ARC '00' (3030) when set, '05' (3035, do not honour) when not.
 */
export function verifyIssuerAuthentication(
  cvn: Cvn, iccMasterKey: Buffer, arqc: Buffer, tags: TagValues, tag91: Buffer,
): { ok: boolean; arc: Buffer } {
  if (cvn === 10) {
    if (tag91.length !== 10) return { ok: false, arc: Buffer.alloc(2) };
    const arc = tag91.subarray(8, 10);
    const expected = computeArpc(10, iccMasterKey, arqc, tags, { arc });
    return { ok: expected.equals(tag91.subarray(0, 8)), arc: Buffer.from(arc) };
  }
  if (tag91.length < 8 || tag91.length > 16) return { ok: false, arc: Buffer.alloc(2) };
  const csu = tag91.subarray(4, 8);
  const proprietaryAuthData = tag91.subarray(8);
  const answer = { arc: Buffer.from('00', 'latin1'), csu, proprietaryAuthData };
  const expected = computeArpc(18, iccMasterKey, arqc, tags, answer);
  const approved = (csu[1]! & CSU_APPROVED) !== 0;
  return {
    ok: expected.equals(tag91.subarray(0, 4)),
    arc: Buffer.from(approved ? '00' : '05', 'latin1'),
  };
}
