import { desDecryptEcb, desEncryptEcb, tdesEncryptEcb, xor } from './des';

/**
 * ISO/IEC 9797-1 MAC algorithm 3 (the ANSI X9.19 "retail MAC") with a double-length key:
 * single-DES CBC under the left half KL from a zero IV, then the last block is decrypted
 * under the right half KR and encrypted under KL again. Result: 8 bytes (callers truncate).
 */

const BLOCK = 8;

/**
 * Padding method 1 ('zero'): zero bytes up to a block boundary, none when already aligned
 * (and one zero block for empty data). Method 2 ('iso2'): 80 then zeros, always added.
 */
export function padForMac(data: Buffer, padding: 'zero' | 'iso2'): Buffer {
  if (padding === 'iso2') {
    const total = (Math.floor(data.length / BLOCK) + 1) * BLOCK;
    const out = Buffer.alloc(total);
    data.copy(out);
    out[data.length] = 0x80;
    return out;
  }
  const total = Math.max(BLOCK, Math.ceil(data.length / BLOCK) * BLOCK);
  const out = Buffer.alloc(total);
  data.copy(out);
  return out;
}

export function retailMac(key: Buffer, data: Buffer, padding: 'zero' | 'iso2'): Buffer {
  if (key.length !== 16) throw new RangeError(`Retail MAC key must be 16 bytes, got ${key.length}`);
  const left = key.subarray(0, BLOCK);
  const right = key.subarray(BLOCK);
  const padded = padForMac(data, padding);

  let chain: Buffer = Buffer.alloc(BLOCK);
  for (let offset = 0; offset < padded.length; offset += BLOCK) {
    chain = desEncryptEcb(left, xor(chain, padded.subarray(offset, offset + BLOCK)));
  }
  return desEncryptEcb(left, desDecryptEcb(right, chain));
}

/**
 * ISO/IEC 9797-1 MAC algorithm 1: CBC from a zero IV with every block enciphered under the
 * whole key, the last block being the MAC (8 bytes). A 16- or 24-byte key runs triple DES; an
 * 8-byte key runs single DES (as K|K|K, since Node 20 has no single-DES cipher).
 */
export function cbcMac(key: Buffer, data: Buffer, padding: 'zero' | 'iso2'): Buffer {
  if (key.length !== 8 && key.length !== 16 && key.length !== 24) {
    throw new RangeError(`CBC-MAC key must be 8, 16 or 24 bytes, got ${key.length}`);
  }
  const padded = padForMac(data, padding);
  const encrypt = key.length === BLOCK
    ? (block: Buffer) => desEncryptEcb(key, block)
    : (block: Buffer) => tdesEncryptEcb(key, block);
  let chain: Buffer = Buffer.alloc(BLOCK);
  for (let offset = 0; offset < padded.length; offset += BLOCK) {
    chain = encrypt(xor(chain, padded.subarray(offset, offset + BLOCK)));
  }
  return chain;
}
