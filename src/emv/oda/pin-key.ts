import type { TagValues } from '../cryptogram';
import type { PinEnciphermentKey } from '../pin-entry';
import type { CaKeyStore } from './capk';
import { recoverIccKey, recoverIssuerKey, type IssuerPublicKey } from './certificates';
import { OdaFailure } from './failure';
import type { RsaPublicKey } from './rsa';

/**
 * The key an enciphered offline PIN is enciphered under (EMV Book 2 7.1): the ICC PIN
 * Encipherment Public Key when the card has its certificate (9F2D), else the ICC Public Key
 * that offline data authentication recovered. The 9F2D certificate has the layout of the
 * ICC Public Key Certificate (format 04, Book 2 table 14) and is signed by the issuer, but
 * its hash covers no static data: only the certificate body, the remainder (9F2F) and the
 * exponent (9F2E).
 */
export interface PinKeyInput {
  /** Data objects read from the card. */
  tags: TagValues;
  pan: string;
  /** AID of the selected application; its first 5 bytes are the RID of the CA key. */
  aid: Buffer;
  date: Date;
  /** The issuer key offline data authentication recovered, when it did. */
  issuerKey?: RsaPublicKey;
  /** The ICC key offline data authentication recovered, when it did. */
  iccKey?: RsaPublicKey;
  /** CA keys, to recover the issuer key when offline data authentication did not. */
  caKeys?: CaKeyStore;
}

export type PinKeyResult =
  | { found: true; key: PinEnciphermentKey; source: 'pin-certificate' | 'icc-key' }
  | { found: false; reason: string };

export function pinEnciphermentKey(input: PinKeyInput): PinKeyResult {
  const certificate = input.tags['9F2D'];
  if (certificate === undefined) {
    if (input.iccKey !== undefined) return { found: true, key: input.iccKey, source: 'icc-key' };
    return { found: false, reason: 'no ICC PIN encipherment certificate and no ICC key' };
  }
  const exponent = input.tags['9F2E'];
  if (exponent === undefined) return { found: false, reason: 'ICC PIN key exponent missing' };
  try {
    const issuerKey = input.issuerKey ?? recoverIssuer(input);
    if (issuerKey === undefined) return { found: false, reason: 'issuer key not recoverable' };
    const recovered = recoverIccKey({
      issuerKey, certificate, remainder: input.tags['9F2F'], exponent, pan: input.pan,
      staticData: Buffer.alloc(0), date: input.date,
    });
    return {
      found: true, key: { modulus: recovered.modulus, exponent }, source: 'pin-certificate',
    };
  } catch (err) {
    if (!(err instanceof OdaFailure)) throw err;
    return { found: false, reason: `ICC PIN key certificate: ${err.step} ${err.reason}` };
  }
}

/** Book 2 6.3, as for DDA: the issuer key from 90, 92 and 9F32 under the CA key 8F names. */
function recoverIssuer(input: PinKeyInput): IssuerPublicKey | undefined {
  const { tags, caKeys } = input;
  const index = tags['8F'];
  if (caKeys === undefined || index?.length !== 1 || tags['90'] === undefined ||
    tags['9F32'] === undefined) {
    return undefined;
  }
  const rid = input.aid.subarray(0, 5).toString('hex').toUpperCase();
  const caKey = caKeys.find(rid, index[0]!, input.date);
  if (caKey === undefined) return undefined;
  return recoverIssuerKey({
    caKey, certificate: tags['90'], remainder: tags['92'], exponent: tags['9F32'],
    pan: input.pan, date: input.date,
    isRevoked: (serial) => caKeys.isRevoked(rid, index[0]!, serial),
  });
}
