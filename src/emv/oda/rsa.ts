import { constants, createHash, createPublicKey, publicDecrypt } from 'node:crypto';
import { OdaFailure, type OdaStep } from './failure';

/** An RSA public key as EMV carries it: modulus and exponent, big-endian bytes. */
export interface RsaPublicKey {
  modulus: Buffer;
  exponent: Buffer;
}

/**
 * The RSA public operation without padding (Book 2 annex A2.1: the recovery function is
 * plain modular exponentiation). A certificate or signature must be exactly as long as the
 * modulus; anything else, or a value not below the modulus, fails at `step`.
 */
export function rsaRecover(key: RsaPublicKey, data: Buffer, step: OdaStep): Buffer {
  if (data.length !== key.modulus.length) {
    throw new OdaFailure(step, 'length', {
      length: data.length, modulusLength: key.modulus.length,
    });
  }
  try {
    const jwk = {
      kty: 'RSA', n: key.modulus.toString('base64url'), e: key.exponent.toString('base64url'),
    };
    const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
    return publicDecrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, data);
  } catch (err) {
    throw new OdaFailure(step, 'recovery', { cause: String(err) });
  }
}

export function sha1(...parts: Buffer[]): Buffer {
  return createHash('sha1').update(Buffer.concat(parts)).digest();
}

/** Hash algorithm indicator 01: SHA-1 (Book 2 annex B2.1). */
export const HASH_SHA1 = 0x01;
/** Public key algorithm indicator 01: RSA (Book 2 annex B2.2). */
export const PK_RSA = 0x01;
const HEADER = 0x6a;
const TRAILER = 0xbc;
const HASH_LENGTH = 20;

/**
 * Checks the frame every recovered EMV signature shares (Book 2 5.3, 5.4, 6.3, 6.4, 6.5.2):
 * the trailer BC, the header 6A, the format byte, and the hash algorithm byte at
 * `hashAlgorithmAt` (SHA-1 is the only one).
 */
export function checkFrame(
  recovered: Buffer, step: OdaStep, format: number, hashAlgorithmAt: number,
): void {
  if (recovered[recovered.length - 1] !== TRAILER) throw new OdaFailure(step, 'trailer');
  if (recovered[0] !== HEADER) throw new OdaFailure(step, 'header');
  if (recovered[1] !== format) {
    throw new OdaFailure(step, 'format', { expected: format, found: recovered[1] });
  }
  if (recovered[hashAlgorithmAt] !== HASH_SHA1) {
    throw new OdaFailure(step, 'hash-algorithm', { found: recovered[hashAlgorithmAt] });
  }
}

/** The SHA-1 before the trailer covers the bytes between header and hash, then `extra`. */
export function checkHash(recovered: Buffer, step: OdaStep, extra: Buffer[]): void {
  const hashAt = bodyEnd(recovered);
  const hash = sha1(recovered.subarray(1, hashAt), ...extra);
  if (!hash.equals(recovered.subarray(hashAt, recovered.length - 1))) {
    throw new OdaFailure(step, 'hash');
  }
}

/** Where the hash starts: the bytes before it are the signed body. */
export function bodyEnd(recovered: Buffer): number {
  return recovered.length - 1 - HASH_LENGTH;
}
