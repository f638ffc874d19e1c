import { randomBytes } from 'node:crypto';

/**
 * The payment reference a QR payment carries in its transfer content (62.08, purpose of
 * transaction). The payer's bank passes the content on to the beneficiary's bank, and the
 * confirmation is matched on it, so it must survive every bank on the way:
 * - ASCII without diacritics: VietQR content is "ans" (EMVCo printable characters), and bank
 *   apps drop or mangle Vietnamese marks;
 * - 62.08 holds at most 25 characters (NAPAS QR part IV, Purpose of Transaction, ans ..25);
 *   the VietQR.vn gateway's generate API takes at most 19 content characters, letters and
 *   digits (api.vietqr.vn, "content"). A reference of 10 fits both, with room for a note.
 * - letters and digits only, upper case: banks add their own prefixes and may remove spaces
 *   and punctuation, so the reference is found as a run of letters and digits.
 */

export const PURPOSE_MAX_LENGTH = 25;
export const REFERENCE_LENGTH = 10;

/** Crockford base 32: no I, L, O, U, which a clerk or payer could misread. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Vietnamese text folded to ASCII: Đ to D, tone and vowel marks removed, the rest dropped. */
export function foldVietnamese(text: string): string {
  return text.replace(/Đ/g, 'D').replace(/đ/g, 'd').normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7E]/g, '').replace(/\s+/g, ' ').trim();
}

/** A new reference: "QY" and 8 random base-32 characters (about 10^12 values). */
export function makePaymentReference(random: (n: number) => Buffer = randomBytes): string {
  const bytes = random(REFERENCE_LENGTH - 2);
  let out = 'QY';
  for (const byte of bytes) out += ALPHABET[byte % 32];
  return out;
}

/** The transfer content for 62.08: the reference, then the folded note, cut to 25. */
export function transferContent(reference: string, note?: string): string {
  const folded = note === undefined ? '' : foldVietnamese(note).replace(/[^A-Za-z0-9 ]/g, '');
  return `${reference} ${folded}`.slice(0, PURPOSE_MAX_LENGTH).trim();
}

/** Whether the content a bank reports carries the reference, whatever it added around it. */
export function contentHasReference(content: string, reference: string): boolean {
  const squeezed = foldVietnamese(content).toUpperCase().replace(/[^A-Z0-9]/g, '');
  return squeezed.includes(reference.toUpperCase());
}
