import type { MessageLayout } from '../../iso8583/layout';
import type { IsoMessage } from '../../iso8583/message';
import type { CardRule, FaultMode } from './config';

/**
 * Rehearsal faults chosen per request, besides the amount rules the issuer applies: rules by
 * card from the config, and rules given by command (control channel), which may apply to the
 * next n requests only. A command rule is checked before a card rule; the first match wins.
 */

export interface FaultRule {
  /** The whole PAN; absent: any card. */
  pan?: string;
  /** The last digits of field 4; absent: any amount. */
  amountEndsWith?: string;
  responseCode?: string;
  fault?: FaultMode;
  /** How many matching requests it still applies to; absent: until cleared. */
  remaining?: number;
}

export interface PlannedFault {
  responseCode?: string;
  fault?: FaultMode;
  reason: string;
}

export class FaultPlan {
  private commandRules: FaultRule[] = [];

  constructor(private readonly cardRules: readonly CardRule[]) {}

  /** Adds a rule by command; it goes before the rules already there. */
  add(rule: FaultRule): void {
    if (rule.responseCode === undefined && rule.fault === undefined) {
      throw new RangeError('a fault rule needs a responseCode or a fault');
    }
    this.commandRules.unshift({ ...rule });
  }

  /** Removes the rules given by command (the config's card rules stay). */
  clear(): void {
    this.commandRules = [];
  }

  rules(): FaultRule[] {
    return [...this.commandRules.map((r) => ({ ...r })), ...this.cardRules.map((r) => ({ ...r }))];
  }

  /** The fault for a purchase with this PAN and amount (field 4); a counted rule is used up. */
  take(pan: string | undefined, amount: string): PlannedFault | undefined {
    const matches = (rule: FaultRule): boolean =>
      (rule.pan === undefined || rule.pan === pan)
      && (rule.amountEndsWith === undefined || amount.endsWith(rule.amountEndsWith));
    const byCommand = this.commandRules.find(matches);
    if (byCommand) {
      if (byCommand.remaining !== undefined) {
        byCommand.remaining -= 1;
        if (byCommand.remaining <= 0) {
          this.commandRules = this.commandRules.filter((r) => r !== byCommand);
        }
      }
      return planned(byCommand, 'command rule');
    }
    const byCard = this.cardRules.find((rule) => rule.pan === pan);
    return byCard ? planned(byCard, 'card rule') : undefined;
  }
}

function planned(rule: FaultRule, reason: string): PlannedFault {
  const out: PlannedFault = { reason };
  if (rule.responseCode !== undefined) out.responseCode = rule.responseCode;
  if (rule.fault !== undefined) out.fault = rule.fault;
  return out;
}

const HEX_DIGIT = /^[0-9A-Fa-f]$/;

/**
 * The packed answer with its MAC spoiled: the MAC (field 64 or 128) is the last field of a
 * message, so its last byte is the message's last byte. A MAC sent as hex text gets another
 * hex digit, so that the answer still unpacks and only the MAC check fails. Without a MAC
 * field the bytes are returned unchanged.
 */
export function withWrongMac(packed: Buffer, reply: IsoMessage): Buffer {
  if (!reply.fields.has(64) && !reply.fields.has(128)) return packed;
  const out = Buffer.from(packed);
  const last = out.length - 1;
  const char = String.fromCharCode(out[last]!);
  if (HEX_DIGIT.test(char)) {
    out[last] = (char === '0' ? '1' : '0').charCodeAt(0);
  } else {
    out[last] = out[last]! ^ 0x01;
  }
  return out;
}

/** Where the primary bitmap starts in a packed message: after a BCD (2) or ASCII (4) MTI. */
function bitmapOffset(layout: MessageLayout): number {
  return layout.mti === 'bcd' ? 2 : 4;
}

/** The packed message with the bit of `field` (1..64) set in the primary bitmap. */
function withBitSet(packed: Buffer, layout: MessageLayout, field: number): Buffer {
  const out = Buffer.from(packed);
  const index = field - 1;
  const start = bitmapOffset(layout);
  if (layout.bitmap === 'binary') {
    const at = start + (index >> 3);
    out[at] = out[at]! | (0x80 >> (index & 7));
    return out;
  }
  // Hex text: one character per four bits.
  const at = start + (index >> 2);
  const nibble = parseInt(String.fromCharCode(out[at]!), 16) | (0x8 >> (index & 3));
  out[at] = nibble.toString(16).toUpperCase().charCodeAt(0);
  return out;
}

/**
 * The packed answer with bit 1 of the primary bitmap set: it announces a secondary bitmap
 * that is not there, so the first field's bytes are read as that bitmap and nothing after
 * lines up. A host whose bitmap disagrees with its data sends this.
 */
export function withBadBitmap(packed: Buffer, layout: MessageLayout): Buffer {
  return withBitSet(packed, layout, 1);
}

/**
 * The packed answer announcing, in its primary bitmap, the lowest field number the layout
 * does not define (the fields before it unpack, that one cannot). Unchanged when the layout
 * defines every field from 2 to 64.
 */
export function withUnknownField(packed: Buffer, layout: MessageLayout): Buffer {
  for (let field = 2; field <= 64; field += 1) {
    if (!layout.fields.has(field)) return withBitSet(packed, layout, field);
  }
  return packed;
}

/**
 * A frame too short to hold a message: with a TPDU, a body of its first 3 bytes (shorter
 * than the TPDU itself); without one, a body of one byte (no room for the MTI).
 */
export function shortFrame(packed: Buffer, tpdu: Buffer | undefined): Buffer {
  const body = tpdu ? tpdu.subarray(0, 3) : packed.subarray(0, 1);
  const header = Buffer.alloc(2);
  header.writeUInt16BE(body.length);
  return Buffer.concat([header, body]);
}

/**
 * The frame with its length header replaced by 65 535: more than any message, the stream is
 * out of step from there (the terminal must drop the connection).
 */
export function withBadLength(frame: Buffer): Buffer {
  const out = Buffer.from(frame);
  out.writeUInt16BE(0xffff, 0);
  return out;
}
