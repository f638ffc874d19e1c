import { parseTlv, type TlvNode } from '../../emv/tlv';
import { fieldData, fieldText, type IsoMessage } from '../../iso8583/message';
import { maskPan } from '../../mask';
import type { SimulatorConfig } from './config';
import type { Decision } from './issuer';
import { answerFrame } from './answer-frame';

/** What a 0230 repeats of its advice: field 7 too, the advice's identity at the bank. */
const ADVICE_ECHOED = [3, 4, 7, 11, 24, 41, 42, 49];

/**
 * The bank side of offline-approval advices (0220, 0221 on a repeat), answered with 0230.
 *
 * An advice is identified by terminal ID, STAN and transmission date and time (field 7). A
 * second copy with the same identity (and the same amount and card) is a duplicate: the bank
 * (bank.ts) answers it from the ledger on disk with the first answer and does not book it
 * twice, also after the simulator restarted. An advice refused on its format (30) is not
 * booked, so a corrected resend is taken. The advice must carry a TC (9F27 = 40) in field 55.
 * Amount rules of the simulator configuration that name a response code decline advices too.
 */

export type { BookedAdvice } from './ledger';

function findTag(nodes: TlvNode[], tag: string): Buffer | undefined {
  for (const node of nodes) {
    if (node.tag === tag) return node.value;
    const inner = node.children && findTag(node.children, tag);
    if (inner) return inner;
  }
  return undefined;
}

export class AdviceDesk {
  constructor(private readonly config: SimulatorConfig) {}

  /** Answers the first copy of a 0220 or 0221; undefined for any other message. */
  answer(request: IsoMessage, now: Date): Decision | undefined {
    if (request.mti !== '0220' && request.mti !== '0221') return undefined;
    const reply = answerFrame(request, now, ADVICE_ECHOED);
    const { responseCode, reason, maskedPan } = this.decide(request);
    reply.fields.set(39, responseCode);
    return { reply, entry: { responseCode, reason, ...(maskedPan ? { maskedPan } : {}) } };
  }

  private decide(request: IsoMessage): { responseCode: string; reason: string;
    maskedPan?: string } {
    const formatError = this.config.responseCodes.formatError;
    const track2 = fieldText(request, 35);
    const pan = track2 !== undefined ? /^(\d{12,19})[D=]/.exec(track2)?.[1]
      : fieldText(request, 2);
    if (!pan) return { responseCode: formatError, reason: 'no PAN in 35 or 2' };
    const maskedPan = maskPan(pan);
    if (fieldText(request, 7) === undefined) {
      return { responseCode: formatError, maskedPan, reason: 'no transmission time (7)' };
    }
    const icc = fieldData(request, 55);
    let cid: Buffer | undefined;
    try {
      cid = icc && findTag(parseTlv(icc), '9F27');
    } catch {
      return { responseCode: formatError, maskedPan, reason: 'field 55 is not BER-TLV' };
    }
    if (!cid || (cid[0]! & 0xc0) !== 0x40) {
      return { responseCode: formatError, maskedPan, reason: 'no TC (9F27 = 40) in field 55' };
    }
    const rule = this.config.rules.find((r) => r.responseCode !== undefined
      && (fieldText(request, 4) ?? '').endsWith(r.amountEndsWith));
    if (rule?.responseCode) {
      return { responseCode: rule.responseCode, maskedPan, reason: 'amount rule' };
    }
    return { responseCode: '00', maskedPan, reason: 'advice booked' };
  }
}
