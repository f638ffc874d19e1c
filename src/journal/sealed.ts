import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { JournalError } from '../errors';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM for card data kept in the journal. The record's identity is the associated data,
 * so a sealed value copied onto another row does not open. Layout: IV (12) ‖ tag (16) ‖ text.
 */
export function seal(key: Buffer, plain: Buffer, associated: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associated, 'utf8'));
  const text = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), text]);
}

export function unseal(key: Buffer, sealed: Buffer, associated: string): Buffer {
  try {
    const iv = sealed.subarray(0, IV_BYTES);
    const tag = sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(associated, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final()]);
  } catch (err) {
    throw new JournalError('JOURNAL_ERROR',
      'sealed card data does not open: wrong data key or damaged journal', { cause: err });
  }
}
