/**
 * Masks a card number for screens, receipts and logs: only the last four digits are shown,
 * the others become '*', grouped by four as printed on cards.
 */
export function maskPan(pan: string): string {
  const digits = pan.replace(/\D/g, '');
  if (digits.length < 8) return '*'.repeat(digits.length);
  const masked = '*'.repeat(digits.length - 4) + digits.slice(-4);
  return masked.replace(/(.{4})(?=.)/g, '$1 ');
}

export function lastFour(pan: string): string {
  return pan.replace(/\D/g, '').slice(-4);
}

/** Hex of bytes with everything but the first and last two bytes hidden, for error detail. */
export function maskBytes(bytes: Buffer): string {
  if (bytes.length <= 4) return '*'.repeat(bytes.length * 2);
  const hex = bytes.toString('hex').toUpperCase();
  return hex.slice(0, 4) + '…' + hex.slice(-4) + ` (${bytes.length} bytes)`;
}
