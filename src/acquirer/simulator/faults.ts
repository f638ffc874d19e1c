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
