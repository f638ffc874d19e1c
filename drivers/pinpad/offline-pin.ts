import { constants, createPublicKey, publicEncrypt, type KeyObject } from 'node:crypto';
import type { PinEnciphermentKey } from '../../src/emv/pin-entry';

/**
 * Enciphered offline PIN, the PIN pad's half (EMV 4.4 Book 2 7.2): the data to encipher is
 * the header '7F', the format 2 PIN block, the card's 8-byte unpredictable number from
 * GET CHALLENGE, and random padding up to the modulus length; it is enciphered with the
 * RSA recovery function of the card's public key (raw modular exponentiation, no padding
 * scheme), and the card deciphers it with its private key.
 */

const HEADER = 0x7f;
const PIN_BLOCK_LENGTH = 8;
const CHALLENGE_LENGTH = 8;
/** Header, PIN block and challenge: what the modulus must at least hold. */
const FIXED_LENGTH = 1 + PIN_BLOCK_LENGTH + CHALLENGE_LENGTH;
/** Book 2 7.1: the ICC PIN encipherment modulus is at most 248 bytes. */
const MAX_MODULUS_LENGTH = 248;

/** Why the key or challenge cannot be used, or undefined when they can. */
export function encipherRefusal(key: PinEnciphermentKey, challenge: Buffer): string | undefined {
  if (challenge.length !== CHALLENGE_LENGTH) return 'the challenge is not 8 bytes';
  const length = key.modulus.length;
  if (length <= FIXED_LENGTH || length > MAX_MODULUS_LENGTH) {
    return `a modulus of ${length} bytes cannot hold the PIN data (Book 2 7.1)`;
  }
  if (key.modulus[0] === 0) return 'the modulus has a leading zero byte';
  if (key.exponent.length === 0 || key.exponent.length > 3) {
    return 'the exponent is not 1 to 3 bytes';
  }
  return undefined;
}

/** The data block of Book 2 7.2 before enciphering; `pad` is random, modulus length - 17. */
export function offlinePinData(pinBlock: Buffer, challenge: Buffer, pad: Buffer): Buffer {
  if (pinBlock.length !== PIN_BLOCK_LENGTH) throw new RangeError('A PIN block is 8 bytes');
  if (challenge.length !== CHALLENGE_LENGTH) throw new RangeError('A challenge is 8 bytes');
  return Buffer.concat([Buffer.from([HEADER]), pinBlock, challenge, pad]);
}

function publicKey(key: PinEnciphermentKey): KeyObject {
  const jwk = { kty: 'RSA', n: key.modulus.toString('base64url'),
    e: key.exponent.toString('base64url') };
  return createPublicKey({ key: jwk, format: 'jwk' });
}

/**
 * Builds and enciphers the offline PIN data. `random(n)` gives the padding. The header '7F'
 * keeps the data below any modulus whose first byte is 80 or more (a full-length key); the
 * RSA function needs it below the modulus, which is checked for the rare shorter one.
 */
export function encipherOfflinePin(key: PinEnciphermentKey, pinBlock: Buffer, challenge: Buffer,
  random: (length: number) => Buffer): Buffer {
  const refusal = encipherRefusal(key, challenge);
  if (refusal !== undefined) throw new RangeError(refusal);
  const data = offlinePinData(pinBlock, challenge, random(key.modulus.length - FIXED_LENGTH));
  if (Buffer.compare(data, key.modulus) >= 0) {
    throw new RangeError('the PIN data is not below the modulus');
  }
  return publicEncrypt({ key: publicKey(key), padding: constants.RSA_NO_PADDING }, data);
}
