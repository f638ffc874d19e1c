import type { BcdPad } from './layout';

/**
 * Packed BCD: two digits per byte, high nibble first. Track data (type z) also uses the nibble
 * D for the field separator ('=' on the magnetic stripe). An odd digit count is filled with
 * one pad nibble on the side the layout names.
 */

/** A reason a BCD value could not be read or written; the caller adds the field context. */
export class BcdFault extends Error {}

const TRACK_SEPARATORS = /[=D]/g;

/** Encodes digits (and, when `track` is set, the separator D or =) as packed BCD. */
export function encodeBcd(value: string, pad: BcdPad, track = false): Buffer {
  const allowed = track ? /^[0-9D=]*$/ : /^[0-9]*$/;
  if (!allowed.test(value)) {
    throw new BcdFault(track ? 'only digits and the separator D or = fit track data in BCD'
      : 'only digits fit a BCD field');
  }
  let nibbles = track ? value.replace(TRACK_SEPARATORS, 'D') : value;
  if (nibbles.length % 2 === 1) {
    const [side, nibble] = pad.split('-') as ['left' | 'right', string];
    nibbles = side === 'left' ? nibble + nibbles : nibbles + nibble;
  }
  return Buffer.from(nibbles, 'hex');
}

/**
 * Decodes `digits` digits from packed BCD. With an odd count the pad nibble must be the one the
 * layout names. Without a count (a prefix that counted bytes) every nibble is a digit, except
 * an F pad nibble on the pad side, which is dropped.
 */
export function decodeBcd(bytes: Buffer, digits: number | undefined, pad: BcdPad,
  track = false): string {
  const nibbles = bytes.toString('hex').toUpperCase();
  const [side, padNibble] = pad.split('-') as ['left' | 'right', string];
  let body = nibbles;
  if (digits === undefined) {
    if (padNibble === 'F') body = side === 'left' ? body.replace(/^F/, '') : body.replace(/F$/, '');
  } else if (digits % 2 === 1) {
    const filler = side === 'left' ? nibbles[0] : nibbles[nibbles.length - 1];
    if (filler !== padNibble) {
      throw new BcdFault(`pad nibble ${filler ?? '?'} where the layout puts ${padNibble}`);
    }
    body = side === 'left' ? nibbles.slice(1) : nibbles.slice(0, -1);
  }
  const allowed = track ? /^[0-9D]*$/ : /^[0-9]*$/;
  if (!allowed.test(body)) {
    const at = body.search(track ? /[^0-9D]/ : /[^0-9]/);
    throw new BcdFault(`bad BCD nibble ${body[at] ?? '?'} at digit ${at + 1}`);
  }
  return body;
}
