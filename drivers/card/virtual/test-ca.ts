import {
  constants, createHash, generateKeyPairSync, privateEncrypt, type KeyObject,
} from 'node:crypto';

/**
 * quay's own test certification authority (EMV Book 2 5.3 and 6.3): RSA keys with exponent 3,
 * an issuer public key certificate signed by the CA key, and an ICC public key certificate
 * signed by the issuer key. Used by scripts/make-test-cards.ts to make the ODA test cards,
 * never for live cards: the keys are made on this machine and are marked test everywhere.
 */
export interface TestKey {
  modulus: Buffer;
  exponent: Buffer;
  privateKey: KeyObject;
}

export function makeKey(bits: number): TestKey {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: bits, publicExponent: 3,
  });
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    modulus: Buffer.from(jwk.n!, 'base64url'), exponent: Buffer.from(jwk.e!, 'base64url'),
    privateKey,
  };
}

const sha1 = (...parts: Buffer[]): Buffer =>
  createHash('sha1').update(Buffer.concat(parts)).digest();

/** The raw RSA private operation over a message as long as the modulus. */
export function rsaSign(key: TestKey, message: Buffer): Buffer {
  if (message.length !== key.modulus.length) {
    throw new RangeError(`message of ${message.length} bytes for a ${key.modulus.length}-byte key`);
  }
  return privateEncrypt({ key: key.privateKey, padding: constants.RSA_NO_PADDING }, message);
}

/** 6A || body || SHA-1(body || hashed...) || BC, signed: the layout of every EMV signature. */
export function signRecoverable(key: TestKey, body: Buffer, hashed: Buffer[]): Buffer {
  return rsaSign(key, Buffer.concat([
    Buffer.from([0x6a]), body, sha1(body, ...hashed), Buffer.from([0xbc]),
  ]));
}

export interface Certificate {
  certificate: Buffer;
  /** The part of the certified key that did not fit; empty when none. */
  remainder: Buffer;
}

/** Splits a key into the certificate's field (padded with BB) and the remainder. */
function keyField(modulus: Buffer, room: number): { field: Buffer; remainder: Buffer } {
  if (modulus.length <= room) {
    return { field: Buffer.concat([modulus, Buffer.alloc(room - modulus.length, 0xbb)]),
      remainder: Buffer.alloc(0) };
  }
  return { field: modulus.subarray(0, room), remainder: modulus.subarray(room) };
}

/**
 * Issuer Public Key Certificate (Book 2 table 13): format 02, issuer identifier (leftmost
 * PAN digits, F-padded to 4 bytes), expiry MMYY, serial, SHA-1 and RSA indicators, key length
 * and exponent length, then the leftmost N_CA − 36 bytes of the issuer key.
 */
export function issuerCertificate(ca: TestKey, issuer: TestKey, options: {
  issuerIdentifier: string; expiry: string; serial: string;
}): Certificate {
  const { field, remainder } = keyField(issuer.modulus, ca.modulus.length - 36);
  const body = Buffer.concat([
    Buffer.from([0x02]), Buffer.from(options.issuerIdentifier.padEnd(8, 'F'), 'hex'),
    Buffer.from(options.expiry, 'hex'), Buffer.from(options.serial, 'hex'),
    Buffer.from([0x01, 0x01, issuer.modulus.length, issuer.exponent.length]), field,
  ]);
  return { certificate: signRecoverable(ca, body, [remainder, issuer.exponent]), remainder };
}

/**
 * ICC Public Key Certificate (Book 2 table 14): format 04, the PAN (F-padded to 10 bytes),
 * expiry MMYY, serial, indicators, lengths and the leftmost N_I − 42 bytes of the ICC key;
 * the hash also covers the static data to be authenticated. The ICC PIN Encipherment Public
 * Key Certificate (9F2D, Book 2 7.1) has the same layout, its hash without static data.
 */
export function iccCertificate(issuer: TestKey, icc: TestKey, options: {
  pan: string; expiry: string; serial: string; staticData: Buffer;
}): Certificate {
  const { field, remainder } = keyField(icc.modulus, issuer.modulus.length - 42);
  const body = Buffer.concat([
    Buffer.from([0x04]), Buffer.from(options.pan.padEnd(20, 'F'), 'hex'),
    Buffer.from(options.expiry, 'hex'), Buffer.from(options.serial, 'hex'),
    Buffer.from([0x01, 0x01, icc.modulus.length, icc.exponent.length]), field,
  ]);
  return {
    certificate: signRecoverable(issuer, body, [remainder, icc.exponent, options.staticData]),
    remainder,
  };
}

/**
 * Signed Dynamic Application Data for CDA (Book 2 6.6.1): format 05, SHA-1, the ICC dynamic
 * data (ICC dynamic number, CID, cryptogram, transaction data hash), BB padding; the hash
 * covers it and the terminal's unpredictable number.
 */
export function cdaSignature(icc: TestKey, input: {
  iccDynamicNumber: Buffer; cid: number; cryptogram: Buffer; transactionDataHash: Buffer;
  unpredictableNumber: Buffer;
}): Buffer {
  const dynamic = Buffer.concat([
    Buffer.from([input.iccDynamicNumber.length]), input.iccDynamicNumber,
    Buffer.from([input.cid]), input.cryptogram, input.transactionDataHash,
  ]);
  const padding = Buffer.alloc(icc.modulus.length - dynamic.length - 25, 0xbb);
  const body = Buffer.concat([Buffer.from([0x05, 0x01, dynamic.length]), dynamic, padding]);
  return signRecoverable(icc, body, [input.unpredictableNumber]);
}

/**
 * Signed Static Application Data (93) for SDA (Book 2 5.4, table 7): format 03, SHA-1, the
 * issuer's 2-byte Data Authentication Code, BB padding to the issuer key's length; the hash
 * covers it and the static data to be authenticated. Signed with the issuer key.
 */
export function signedStaticData(issuer: TestKey, input: {
  dataAuthenticationCode: Buffer; staticData: Buffer;
}): Buffer {
  const padding = Buffer.alloc(issuer.modulus.length - 26, 0xbb);
  const body = Buffer.concat([Buffer.from([0x03, 0x01]), input.dataAuthenticationCode, padding]);
  return signRecoverable(issuer, body, [input.staticData]);
}

/**
 * Signed Dynamic Application Data for DDA (Book 2 6.5.1, table 17): format 05, SHA-1, the ICC
 * dynamic data (length of the ICC dynamic number, the number), BB padding; the hash covers it
 * and the DDOL data the terminal sent in INTERNAL AUTHENTICATE.
 */
export function ddaSignature(icc: TestKey, input: {
  iccDynamicNumber: Buffer; ddolData: Buffer;
}): Buffer {
  const dynamic = Buffer.concat([
    Buffer.from([input.iccDynamicNumber.length]), input.iccDynamicNumber,
  ]);
  const padding = Buffer.alloc(icc.modulus.length - dynamic.length - 25, 0xbb);
  const body = Buffer.concat([Buffer.from([0x05, 0x01, dynamic.length]), dynamic, padding]);
  return signRecoverable(icc, body, [input.ddolData]);
}

export { sha1 };
