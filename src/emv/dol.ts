import { TlvError } from '../errors';
import { maskBytes } from '../mask';
import { isConstructed, readLength, readTag } from './tlv';
import { tagFormat } from './tags';

/**
 * Data object lists (EMV Book 3 5.4): a card names the data it wants (PDOL, CDOL1, CDOL2,
 * DDOL) as tag + length pairs; the terminal answers with the values concatenated, each cut
 * or padded to the length asked for.
 */
export interface DolEntry {
  tag: string;
  length: number;
}

/** Where DOL values come from: the value of a tag, or undefined when the terminal has none. */
export type DolSource = (tag: string) => Buffer | undefined;

/** Parses a DOL. `name` ('PDOL', 'CDOL1'...) goes into the error detail. */
export function parseDol(data: Buffer, name = 'DOL'): DolEntry[] {
  const entries: DolEntry[] = [];
  let offset = 0;
  try {
    while (offset < data.length) {
      const { tag, end } = readTag(data, offset);
      const { length, end: next } = readLength(data, end, tag);
      entries.push({ tag, length });
      offset = next;
    }
  } catch (err) {
    if (!(err instanceof TlvError)) throw err;
    throw new TlvError('DOL_MALFORMED', `Malformed ${name}`, {
      cause: err, detail: { dol: name, offset, data: maskBytes(data) },
    });
  }
  return entries;
}

/**
 * Fits a value to the length a DOL asks for (Book 3 5.4). Longer: numeric (n) values lose
 * their leftmost bytes, others their rightmost. Shorter: n gets leading zeros, cn trailing
 * FF, others trailing zeros.
 */
export function fitToLength(tag: string, value: Buffer, length: number): Buffer {
  if (value.length === length) return value;
  const format = tagFormat(tag);
  if (value.length > length) {
    return format === 'n'
      ? value.subarray(value.length - length)
      : value.subarray(0, length);
  }
  const pad = Buffer.alloc(length - value.length, format === 'cn' ? 0xff : 0x00);
  return format === 'n' ? Buffer.concat([pad, value]) : Buffer.concat([value, pad]);
}

/**
 * The DOL related data: every entry in order (repeated tags answered each time). A tag the
 * terminal has no value for, or a constructed tag, is answered with zeros (Book 3 5.4).
 */
export function buildDolData(dol: readonly DolEntry[], source: DolSource): Buffer {
  return Buffer.concat(dol.map(({ tag, length }) => {
    const value = isConstructed(tag) ? undefined : source(tag);
    return value === undefined ? Buffer.alloc(length) : fitToLength(tag, value, length);
  }));
}

export function dolIncludes(dol: readonly DolEntry[], tag: string): boolean {
  return dol.some((entry) => entry.tag === tag);
}
