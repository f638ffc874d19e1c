import { emphasis, initialize, justify, lineFeed } from '../receipt/escpos';

/**
 * The line printed above a receipt printed again: a reprint asked for by the clerk, or a job
 * the process was printing when it stopped (a receipt twice is better than none, but the
 * second must say so). Plain ASCII, folded from "BẢN IN LẠI", so that it prints right in
 * any code page; the receipt's own bytes that follow start with ESC @ and reset the rest.
 */
export const REPRINT_TEXT = '*** BAN IN LAI / REPRINT ***';

export function reprintMark(): Buffer {
  return Buffer.concat([
    initialize(), justify('center'), emphasis(true),
    Buffer.from(REPRINT_TEXT, 'latin1'), lineFeed(),
    emphasis(false), justify('left'),
  ]);
}

/** The bytes of a job under the mark. */
export function markedAsReprint(bytes: Buffer): Buffer {
  return Buffer.concat([reprintMark(), bytes]);
}
