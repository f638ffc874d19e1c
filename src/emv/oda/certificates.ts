import { OdaFailure, type OdaStep } from './failure';
import { checkFrame, checkHash, PK_RSA, rsaRecover, type RsaPublicKey } from './rsa';

/**
 * Recovery of the issuer and ICC public keys from their certificates (EMV Book 2 5.3 and
 * 6.3 for the issuer key, 6.4 for the ICC key), with every check Book 2 lists, in its order.
 */
export interface RecoveredKey extends RsaPublicKey {
  /** Certificate expiration date, MMYY (n 4) as hex digits, e.g. '1230'. */
  expiry: string;
  /** Certificate serial number, 3 bytes hex. */
  serial: string;
}

export interface IssuerPublicKey extends RecoveredKey {
  /** Issuer identifier, the leftmost 3..8 PAN digits padded with F: 4 bytes hex. */
  issuerIdentifier: string;
}

export interface IccPublicKey extends RecoveredKey {
  /** Application PAN in the certificate, 10 bytes hex padded with F. */
  pan: string;
}

export interface IssuerCertificateInput {
  caKey: RsaPublicKey;
  /** Issuer Public Key Certificate (90). */
  certificate: Buffer;
  /** Issuer Public Key Remainder (92), when the card has one. */
  remainder?: Buffer;
  /** Issuer Public Key Exponent (9F32). */
  exponent: Buffer;
  /** Application PAN, digits. */
  pan: string;
  /** Transaction date: a certificate expired before its month is refused. */
  date: Date;
  /** Whether the CA revoked the certificate with this serial number. */
  isRevoked(serial: Buffer): boolean;
}

export interface IccCertificateInput {
  issuerKey: RsaPublicKey;
  /** ICC Public Key Certificate (9F46). */
  certificate: Buffer;
  /** ICC Public Key Remainder (9F48), when the card has one. */
  remainder?: Buffer;
  /** ICC Public Key Exponent (9F47). */
  exponent: Buffer;
  /** Application PAN (5A), digits. */
  pan: string;
  /** Static data to be authenticated (Book 3 10.3). */
  staticData: Buffer;
  date: Date;
}

const ISSUER_CERTIFICATE_FORMAT = 0x02;
const ICC_CERTIFICATE_FORMAT = 0x04;
/** Fixed bytes of a certificate around the key field: 36 for the issuer's, 42 for the ICC's. */
const ISSUER_OVERHEAD = 36;
const ICC_OVERHEAD = 42;

/** Book 2 5.3 (SDA) and 6.3 (DDA, CDA): the issuer public key. */
export function recoverIssuerKey(input: IssuerCertificateInput): IssuerPublicKey {
  const step = 'issuer-certificate';
  const recovered = rsaRecover(input.caKey, input.certificate, step);
  checkFrame(recovered, step, ISSUER_CERTIFICATE_FORMAT, 11);
  const fieldLength = recovered.length - ISSUER_OVERHEAD;
  checkRemainder(recovered[13]!, fieldLength, input.remainder, step);
  checkHash(recovered, step, [input.remainder ?? Buffer.alloc(0), input.exponent]);

  const issuerIdentifier = recovered.subarray(2, 6).toString('hex').toUpperCase();
  checkIssuerIdentifier(issuerIdentifier, input.pan);
  const expiry = checkExpiry(recovered.subarray(6, 8), input.date, step);
  const serial = recovered.subarray(8, 11);
  if (input.isRevoked(serial)) {
    throw new OdaFailure(step, 'revoked', { serial: serial.toString('hex').toUpperCase() });
  }
  checkKeyAlgorithm(recovered[12]!, step);
  const modulus = keyModulus(recovered, 15, recovered[13]!, input.remainder, fieldLength);
  return {
    modulus, exponent: input.exponent, issuerIdentifier, expiry,
    serial: serial.toString('hex').toUpperCase(),
  };
}

/** Book 2 6.4: the ICC public key; its hash covers the static data to be authenticated. */
export function recoverIccKey(input: IccCertificateInput): IccPublicKey {
  const step = 'icc-certificate';
  const recovered = rsaRecover(input.issuerKey, input.certificate, step);
  checkFrame(recovered, step, ICC_CERTIFICATE_FORMAT, 17);
  const fieldLength = recovered.length - ICC_OVERHEAD;
  checkRemainder(recovered[19]!, fieldLength, input.remainder, step);
  checkHash(recovered, step,
    [input.remainder ?? Buffer.alloc(0), input.exponent, input.staticData]);

  const pan = recovered.subarray(2, 12).toString('hex').toUpperCase();
  if (pan.replace(/F+$/, '') !== input.pan.toUpperCase().replace(/F+$/, '')) {
    throw new OdaFailure(step, 'pan');
  }
  const expiry = checkExpiry(recovered.subarray(12, 14), input.date, step);
  checkKeyAlgorithm(recovered[18]!, step);
  const modulus = keyModulus(recovered, 21, recovered[19]!, input.remainder, fieldLength);
  return {
    modulus, exponent: input.exponent, pan, expiry,
    serial: recovered.subarray(14, 17).toString('hex').toUpperCase(),
  };
}

/** The issuer identifier is 3..8 PAN digits, then F padding; the PAN must start with them. */
function checkIssuerIdentifier(identifier: string, pan: string): void {
  const digits = identifier.replace(/F+$/, '');
  if (!/^\d{3,8}$/.test(digits) || !pan.startsWith(digits)) {
    throw new OdaFailure('issuer-certificate', 'issuer-identifier');
  }
}

/** A certificate is valid through the last day of its expiry month (Book 2 5.3 step 9). */
function checkExpiry(mmyy: Buffer, date: Date, step: OdaStep): string {
  const text = mmyy.toString('hex').toUpperCase();
  const month = Number(text.slice(0, 2));
  const yy = Number(text.slice(2, 4));
  if (!/^\d{4}$/.test(text) || month < 1 || month > 12) {
    throw new OdaFailure(step, 'expired', { expiry: text, reason: 'not a date' });
  }
  // Two-digit years: 00..49 are 20xx, 50..99 are 19xx (Book 3 annex, date handling).
  const year = yy < 50 ? 2000 + yy : 1900 + yy;
  const today = date.getFullYear() * 12 + date.getMonth();
  if (year * 12 + (month - 1) < today) throw new OdaFailure(step, 'expired', { expiry: text });
  return text;
}

function checkKeyAlgorithm(indicator: number, step: OdaStep): void {
  if (indicator !== PK_RSA) throw new OdaFailure(step, 'key-algorithm', { found: indicator });
}

/** A key longer than the certificate's key field needs the remainder, of the right length. */
function checkRemainder(
  length: number, fieldLength: number, remainder: Buffer | undefined, step: OdaStep,
): void {
  if (length <= fieldLength) return;
  if (remainder === undefined) throw new OdaFailure(step, 'missing', { tag: 'remainder' });
  if (fieldLength + remainder.length !== length) {
    throw new OdaFailure(step, 'length', { keyLength: length, remainder: remainder.length });
  }
}

/**
 * The key modulus: the leftmost `length` bytes of the certificate's key field when it fits
 * (the rest is BB padding), else the whole field followed by the remainder.
 */
function keyModulus(
  recovered: Buffer, at: number, length: number, remainder: Buffer | undefined,
  fieldLength: number,
): Buffer {
  const field = recovered.subarray(at, at + fieldLength);
  if (length <= fieldLength) return Buffer.from(field.subarray(0, length));
  return Buffer.concat([field, remainder ?? Buffer.alloc(0)]);
}
