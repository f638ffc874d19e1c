/**
 * Bitmaps: bit 1 is the most significant bit of the first byte. A set bit 1 announces the
 * secondary bitmap (fields 65..128) right after the primary one.
 */
export type BitmapEncoding = 'binary' | 'hex-ascii';

/** The bitmaps for these field numbers (2..128), secondary included when any is above 64. */
export function encodeBitmap(ids: Iterable<number>, encoding: BitmapEncoding): Buffer {
  const list = [...ids];
  const bits = Buffer.alloc(list.some((id) => id > 64) ? 16 : 8);
  if (bits.length === 16) bits[0] = 0x80;
  for (const id of list) {
    const index = id - 1;
    bits[index >> 3] = (bits[index >> 3] ?? 0) | (0x80 >> (index & 7));
  }
  return encoding === 'binary' ? bits : Buffer.from(bits.toString('hex').toUpperCase(), 'latin1');
}

/** Field numbers whose bits are set (bit 1 excluded), in order. */
export function bitmapFields(bits: Buffer, firstField: number): number[] {
  const ids: number[] = [];
  for (let index = 0; index < bits.length * 8; index += 1) {
    const byte = bits[index >> 3] ?? 0;
    if (byte & (0x80 >> (index & 7))) ids.push(firstField + index);
  }
  return ids;
}

/** Size of one bitmap on the wire. */
export function bitmapSize(encoding: BitmapEncoding): number {
  return encoding === 'binary' ? 8 : 16;
}

/** Reads one bitmap's bytes, or undefined when the hex text is not hex. */
export function readBitmapBytes(raw: Buffer, encoding: BitmapEncoding): Buffer | undefined {
  if (encoding === 'binary') return raw;
  const text = raw.toString('latin1');
  return /^[0-9A-Fa-f]{16}$/.test(text) ? Buffer.from(text, 'hex') : undefined;
}
