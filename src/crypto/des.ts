import { createCipheriv, createDecipheriv } from 'node:crypto';

/**
 * DES and triple DES in ECB mode over whole blocks (no padding: callers pad as their
 * standard says). Node 20's OpenSSL 3 has no single-DES cipher outside the legacy provider,
 * so single DES runs as des-ede3 with the key K|K|K, which gives the same result.
 */

const BLOCK = 8;

function cipherName(key: Buffer): 'des-ede-ecb' | 'des-ede3-ecb' {
  if (key.length === 16) return 'des-ede-ecb';
  if (key.length === 24) return 'des-ede3-ecb';
  throw new RangeError(`Triple DES key must be 16 or 24 bytes, got ${key.length}`);
}

function checkBlocks(data: Buffer): void {
  if (data.length % BLOCK !== 0) {
    throw new RangeError(`DES data must be a multiple of 8 bytes, got ${data.length}`);
  }
}

function run(encrypt: boolean, key: Buffer, data: Buffer): Buffer {
  checkBlocks(data);
  const name = cipherName(key);
  const cipher = encrypt ? createCipheriv(name, key, null) : createDecipheriv(name, key, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

export function tdesEncryptEcb(key: Buffer, data: Buffer): Buffer {
  return run(true, key, data);
}

export function tdesDecryptEcb(key: Buffer, data: Buffer): Buffer {
  return run(false, key, data);
}

function singleKey(key: Buffer): Buffer {
  if (key.length !== BLOCK) throw new RangeError(`DES key must be 8 bytes, got ${key.length}`);
  return Buffer.concat([key, key, key]);
}

/** Single DES (ECB) as triple DES with three equal keys. */
export function desEncryptEcb(key: Buffer, data: Buffer): Buffer {
  return run(true, singleKey(key), data);
}

export function desDecryptEcb(key: Buffer, data: Buffer): Buffer {
  return run(false, singleKey(key), data);
}

/** Sets the low bit of each byte so that every byte has an odd number of ones (DES keys). */
export function withOddParity(key: Buffer): Buffer {
  const out = Buffer.from(key);
  for (let i = 0; i < out.length; i += 1) {
    const high = out[i]! & 0xfe;
    let ones = 0;
    for (let bit = high; bit !== 0; bit >>= 1) ones += bit & 1;
    out[i] = ones % 2 === 0 ? high | 1 : high;
  }
  return out;
}

/** Byte-wise XOR of two buffers of the same length. */
export function xor(a: Buffer, b: Buffer): Buffer {
  if (a.length !== b.length) throw new RangeError(`XOR of ${a.length} and ${b.length} bytes`);
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i += 1) out[i] = a[i]! ^ b[i]!;
  return out;
}
