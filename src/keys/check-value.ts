import { tdesEncryptEcb } from '../crypto/des';

/**
 * The key check value (KCV) of a double- or triple-length DES key: the first 3 bytes of the
 * key enciphering a block of zeros. It identifies a key without revealing it, so it is the only
 * thing about a key that quay ever shows or logs.
 */
export function checkValue(key: Buffer): Buffer {
  return tdesEncryptEcb(key, Buffer.alloc(8)).subarray(0, 3);
}

/** The check value as six hex digits, upper case. */
export function checkValueHex(key: Buffer): string {
  return checkValue(key).toString('hex').toUpperCase();
}
