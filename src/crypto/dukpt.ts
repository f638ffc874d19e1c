import { createCipheriv } from 'node:crypto';
import { desEncryptEcb, tdesDecryptEcb, tdesEncryptEcb, xor } from './des';

/**
 * DUKPT key management for PIN blocks.
 *
 * TDES DUKPT (ANSI X9.24-1:2009, annex A): a 10-byte key serial number (KSN) ends in a
 * 21-bit transaction counter. The initial PIN encryption key (IPEK) comes from the base
 * derivation key (BDK) and the KSN with its counter cleared; the key of one transaction is
 * reached from the IPEK by one non-reversible step per counter bit that is set, from the
 * highest bit down. The PIN block is encrypted under that key's PIN variant.
 *
 * AES DUKPT (ANSI X9.24-3:2017) names the device by a 64-bit initial key ID and counts with
 * 32 bits; keys are derived by AES-ECB over a 16-byte derivation data block.
 *
 * The API works on Buffers; `fromHex` is there for callers that hold keys as hex text.
 * The PIN pad simulator encrypts with these functions and the bank simulator decrypts.
 */

const BLOCK = 8;
export const KSN_LENGTH = 10;
const COUNTER_BITS = 21;
const MAX_COUNTER = (1 << COUNTER_BITS) - 1;
const KEY_MASK = Buffer.from('C0C0C0C000000000C0C0C0C000000000', 'hex');
const PIN_VARIANT = Buffer.from('00000000000000FF00000000000000FF', 'hex');

export function fromHex(hex: string): Buffer {
  if (!/^([0-9A-Fa-f]{2})*$/.test(hex)) throw new RangeError('Hex text must be whole bytes');
  return Buffer.from(hex, 'hex');
}

function checkKsn(ksn: Buffer): void {
  if (ksn.length !== KSN_LENGTH) throw new RangeError(`KSN must be 10 bytes, got ${ksn.length}`);
}

function checkDoubleKey(key: Buffer, name: string): void {
  if (key.length !== 16) throw new RangeError(`${name} must be 16 bytes, got ${key.length}`);
}

/** The transaction counter: the low 21 bits of the KSN. */
export function ksnCounter(ksn: Buffer): number {
  checkKsn(ksn);
  return ksn.readUIntBE(7, 3) & MAX_COUNTER;
}

/** The same KSN with its transaction counter replaced (the PIN pad moves it on per PIN). */
export function ksnWithCounter(ksn: Buffer, counter: number): Buffer {
  checkKsn(ksn);
  if (!Number.isInteger(counter) || counter < 0 || counter > MAX_COUNTER) {
    throw new RangeError(`DUKPT counter must be 0..${MAX_COUNTER}, got ${counter}`);
  }
  const out = Buffer.from(ksn);
  const high = out.readUIntBE(7, 3) & ~MAX_COUNTER & 0xffffff;
  out.writeUIntBE(high | counter, 7, 3);
  return out;
}

/**
 * A counter value the standard lets a device use: at most 10 bits set (a device skips the
 * others, so that no transaction key takes more than 10 derivation steps).
 */
export function isUsableCounter(counter: number): boolean {
  let ones = 0;
  for (let bits = counter; bits !== 0; bits >>>= 1) ones += bits & 1;
  return counter > 0 && counter <= MAX_COUNTER && ones <= 10;
}

/** IPEK: the BDK encrypts the leftmost 8 bytes of the KSN (counter cleared), plain and masked. */
export function deriveIpek(bdk: Buffer, ksn: Buffer): Buffer {
  checkDoubleKey(bdk, 'BDK');
  const base = ksnWithCounter(ksn, 0).subarray(0, BLOCK);
  const left = tdesEncryptEcb(bdk, base);
  const right = tdesEncryptEcb(xor(bdk, KEY_MASK), base);
  return Buffer.concat([left, right]);
}

/** One non-reversible key generation step of annex A (single DES on each half). */
function nonReversible(key: Buffer, data: Buffer): Buffer {
  const half = (k: Buffer): Buffer => {
    const kl = k.subarray(0, BLOCK);
    const kr = k.subarray(BLOCK);
    return xor(kr, desEncryptEcb(kl, xor(data, kr)));
  };
  return Buffer.concat([half(xor(key, KEY_MASK)), half(key)]);
}

/** The key of the transaction the KSN's counter names, reached from the IPEK. */
export function transactionKey(ipek: Buffer, ksn: Buffer): Buffer {
  checkDoubleKey(ipek, 'IPEK');
  const counter = ksnCounter(ksn);
  const register = ksnWithCounter(ksn, 0).subarray(2);
  let key: Buffer = Buffer.from(ipek);
  for (let bit = 1 << (COUNTER_BITS - 1); bit !== 0; bit >>>= 1) {
    if ((counter & bit) === 0) continue;
    const low = register.readUInt32BE(4) | bit;
    register.writeUInt32BE(low >>> 0, 4);
    key = nonReversible(key, register);
  }
  return key;
}

/** The PIN encryption variant of a transaction key. */
export function pinVariant(key: Buffer): Buffer {
  checkDoubleKey(key, 'DUKPT key');
  return xor(key, PIN_VARIANT);
}

/** The PIN key of one transaction, straight from the BDK (what the bank side does). */
export function pinKeyFromBdk(bdk: Buffer, ksn: Buffer): Buffer {
  return pinVariant(transactionKey(deriveIpek(bdk, ksn), ksn));
}

export function encryptPinBlock(pinKey: Buffer, clearBlock: Buffer): Buffer {
  if (clearBlock.length !== BLOCK) throw new RangeError('A PIN block is 8 bytes');
  return tdesEncryptEcb(pinKey, clearBlock);
}

export function decryptPinBlock(pinKey: Buffer, encryptedBlock: Buffer): Buffer {
  if (encryptedBlock.length !== BLOCK) throw new RangeError('A PIN block is 8 bytes');
  return tdesDecryptEcb(pinKey, encryptedBlock);
}

/** ISO 9564 format 0 PAN field: 0000 and the 12 rightmost PAN digits before the check digit. */
export function panField(pan: string): Buffer {
  if (!/^\d{13,19}$/.test(pan)) throw new RangeError('PAN must be 13 to 19 digits');
  const digits = pan.slice(0, -1).slice(-12);
  return Buffer.from(`0000${digits}`, 'hex');
}

/** ISO 9564 format 0 clear PIN block: (0, length, PIN, F padding) XOR the PAN field. */
export function format0PinBlock(pin: string, pan: string): Buffer {
  if (!/^\d{4,12}$/.test(pin)) throw new RangeError('PIN must be 4 to 12 digits');
  const pinField = Buffer.from(`0${pin.length.toString(16)}${pin}`.padEnd(16, 'F'), 'hex');
  return xor(pinField, panField(pan));
}

/** The PIN inside a clear format 0 block, or null when the block is not a valid format 0. */
export function pinFromFormat0(clearBlock: Buffer, pan: string): string | null {
  if (clearBlock.length !== BLOCK) return null;
  const field = xor(clearBlock, panField(pan)).toString('hex').toUpperCase();
  if (field[0] !== '0') return null;
  const length = Number.parseInt(field[1]!, 16);
  if (length < 4 || length > 12) return null;
  const pin = field.slice(2, 2 + length);
  const padding = field.slice(2 + length);
  if (!/^\d+$/.test(pin) || !/^F*$/.test(padding)) return null;
  return pin;
}

/** What the PIN pad does: the format 0 block of PIN and PAN under the KSN's PIN key. */
export function encryptPinDukpt(ipek: Buffer, ksn: Buffer, pin: string, pan: string): Buffer {
  return encryptPinBlock(pinVariant(transactionKey(ipek, ksn)), format0PinBlock(pin, pan));
}

/** What the bank does: the PIN inside an encrypted format 0 block, or null if it is not one. */
export function decryptPinDukpt(
  bdk: Buffer, ksn: Buffer, encryptedBlock: Buffer, pan: string,
): string | null {
  return pinFromFormat0(decryptPinBlock(pinKeyFromBdk(bdk, ksn), encryptedBlock), pan);
}

// AES DUKPT (X9.24-3): derivation data is version 01, block counter 01, key usage, algorithm,
// length in bits, then 8 bytes (the initial key ID, or its last 4 bytes and the counter).
const AES_USAGE = { initialKey: 0x8001, derivation: 0x8000 } as const;
const AES128 = 0x0002;

function aesDerivationData(usage: number, data: Buffer): Buffer {
  const out = Buffer.alloc(16);
  out[0] = 0x01;
  out[1] = 0x01;
  out.writeUInt16BE(usage, 2);
  out.writeUInt16BE(AES128, 4);
  out.writeUInt16BE(128, 6);
  data.copy(out, 8);
  return out;
}

function aesEcb(key: Buffer, block: Buffer): Buffer {
  const cipher = createCipheriv('aes-128-ecb', key, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}

function checkAesInputs(key: Buffer, initialKeyId: Buffer): void {
  if (key.length !== 16) throw new RangeError(`AES-128 key must be 16 bytes, got ${key.length}`);
  if (initialKeyId.length !== 8) throw new RangeError('Initial key ID must be 8 bytes');
}

/** AES-128 DUKPT initial key from the BDK and the device's 8-byte initial key ID. */
export function aesInitialKey(bdk: Buffer, initialKeyId: Buffer): Buffer {
  checkAesInputs(bdk, initialKeyId);
  return aesEcb(bdk, aesDerivationData(AES_USAGE.initialKey, initialKeyId));
}

function counterData(initialKeyId: Buffer, counter: number): Buffer {
  const data = Buffer.alloc(8);
  initialKeyId.copy(data, 0, 4, 8);
  data.writeUInt32BE(counter >>> 0, 4);
  return data;
}

/** The intermediate derivation key of a 32-bit transaction counter (AES-128). */
export function aesDerivationKey(initialKey: Buffer, initialKeyId: Buffer,
  counter: number): Buffer {
  checkAesInputs(initialKey, initialKeyId);
  if (!Number.isInteger(counter) || counter < 1 || counter > 0xffffffff) {
    throw new RangeError(`AES DUKPT counter must be 1..2^32-1, got ${counter}`);
  }
  let key: Buffer = Buffer.from(initialKey);
  let working = 0;
  for (let bit = 0x80000000; bit !== 0; bit >>>= 1) {
    if ((counter & bit) === 0) continue;
    working = (working | bit) >>> 0;
    key = aesEcb(key, aesDerivationData(AES_USAGE.derivation, counterData(initialKeyId, working)));
  }
  return key;
}

