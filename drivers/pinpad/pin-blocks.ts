import { createCipheriv, createDecipheriv } from 'node:crypto';

/**
 * The PIN blocks an EMV PIN pad forms itself, beside format 0 (src/crypto/dukpt.ts):
 * - format 2, the plaintext block an EMV card takes in VERIFY (EMV Book 3 6.5.12, and the
 *   block inside an enciphered offline PIN, Book 2 7.2);
 * - format 4 (ISO 9564-1:2017), the 16-byte block for AES keys. Format 4 is only ever used
 *   under AES and format 0 only under TDES: a block of one kind never meets the other key.
 * The clear PIN only passes through these functions inside the PIN pad simulators.
 */

const PIN_PATTERN = /^\d{4,12}$/;
const AES_BLOCK = 16;

function checkPin(pin: string): void {
  if (!PIN_PATTERN.test(pin)) throw new RangeError('PIN must be 4 to 12 digits');
}

/** Format 2: control 2, PIN length, the PIN digits, F fill; 8 bytes. */
export function format2PinBlock(pin: string): Buffer {
  checkPin(pin);
  return Buffer.from(`2${pin.length.toString(16)}${pin}`.padEnd(16, 'F'), 'hex');
}

/**
 * Format 4 plain PIN field: control 4, length, PIN digits, A fill to 16 nibbles, then
 * 8 random bytes (ISO 9564-1:2017 9.4.2). `random` gives the 8 bytes.
 */
export function format4PinField(pin: string, random: Buffer): Buffer {
  checkPin(pin);
  if (random.length !== 8) throw new RangeError('Format 4 takes 8 random bytes');
  const head = Buffer.from(`4${pin.length.toString(16)}${pin}`.padEnd(16, 'A'), 'hex');
  return Buffer.concat([head, random]);
}

/**
 * Format 4 PAN field: M (PAN digits beyond 12, 0 for a shorter PAN), the PAN left-justified,
 * a PAN shorter than 12 digits right-justified in 12 with zeros first; zero fill to 32 nibbles.
 */
export function format4PanField(pan: string): Buffer {
  if (!/^\d{1,19}$/.test(pan)) throw new RangeError('PAN must be 1 to 19 digits');
  const extra = Math.max(pan.length - 12, 0);
  const digits = pan.length < 12 ? pan.padStart(12, '0') : pan;
  return Buffer.from(`${extra}${digits}`.padEnd(32, '0'), 'hex');
}

function aes(encrypt: boolean, key: Buffer, block: Buffer): Buffer {
  if (key.length !== 16) throw new RangeError(`AES-128 key must be 16 bytes, got ${key.length}`);
  const cipher = encrypt
    ? createCipheriv('aes-128-ecb', key, null)
    : createDecipheriv('aes-128-ecb', key, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}

function xor16(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(AES_BLOCK);
  for (let i = 0; i < AES_BLOCK; i += 1) out[i] = a[i]! ^ b[i]!;
  return out;
}

/**
 * Format 4 enciphering (ISO 9564-1:2017 9.4.3): the PIN field is enciphered, the result
 * XORed with the PAN field and enciphered again, so the block is bound to the PAN.
 */
export function encipherFormat4(key: Buffer, pin: string, pan: string, random: Buffer): Buffer {
  const first = aes(true, key, format4PinField(pin, random));
  return aes(true, key, xor16(first, format4PanField(pan)));
}

/** The PIN inside an enciphered format 4 block (the bank side), or null if it is not one. */
export function decipherFormat4(key: Buffer, block: Buffer, pan: string): string | null {
  if (block.length !== AES_BLOCK) return null;
  const field = aes(false, key, xor16(aes(false, key, block), format4PanField(pan)));
  const text = field.subarray(0, 8).toString('hex').toUpperCase();
  const length = Number.parseInt(text[1]!, 16);
  if (text[0] !== '4' || length < 4 || length > 12) return null;
  const pin = text.slice(2, 2 + length);
  if (!/^\d+$/.test(pin) || !/^A*$/.test(text.slice(2 + length))) return null;
  return pin;
}
