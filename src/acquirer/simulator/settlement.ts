import { fieldText, type IsoMessage } from '../../iso8583/message';
import {
  emptyTotals, parseTotals, sameTotals, SETTLEMENT_AFTER_UPLOAD_CODE, TOTALS_FIELD,
  TOTALS_MISMATCH, type BatchTotals,
} from '../settlement-format';
import type { Decision } from './issuer';
import type { Ledger } from './ledger';
import { answerFrame } from './answer-frame';

/**
 * The host's side of settlement. The open batch of a terminal is read from the ledger: what
 * it approved, booked as advices or refunded since the terminal's last accepted settlement,
 * less what was reversed or voided (so it survives a restart of the simulator). A settlement
 * (0500, 920000) whose totals equal the host's closes the batch with 00; otherwise the host
 * answers 95, takes the batch upload (0320, one per transaction), and the final settlement
 * (0500, 960000) is checked against what was uploaded. The ledger row of an accepted 0500
 * (outcome settled) is what closes the batch.
 */

interface Item {
  amount: number;
  refund: boolean;
}

function terminalOf(message: IsoMessage): string {
  return (fieldText(message, 41) ?? '').trimEnd();
}

export function totalsOf(items: Iterable<Item>): BatchTotals {
  const t = emptyTotals();
  for (const item of items) {
    if (item.refund) {
      t.refundCount += 1;
      t.refundAmount += item.amount;
    } else {
      t.saleCount += 1;
      t.saleAmount += item.amount;
    }
  }
  return t;
}

export class SettlementDesk {
  /** Batch upload items of a settlement in progress, per terminal, by original STAN. */
  private readonly uploaded = new Map<string, Map<string, Item>>();

  constructor(private readonly ledger: Ledger) {}

  /** The host's totals of a terminal's open batch. */
  openTotals(terminalId: string): BatchTotals {
    return totalsOf(this.ledger.openBatch(terminalId.trimEnd()));
  }

  /** The answer to 0500 or 0320; undefined for other messages. */
  answer(request: IsoMessage, now: Date): Decision | undefined {
    if (request.mti !== '0500' && request.mti !== '0320') return undefined;
    const reply = answerFrame(request, now);
    const tid = terminalOf(request);
    const decide = (responseCode: string, reason: string): Decision => {
      reply.fields.set(39, responseCode);
      return { reply, entry: { responseCode, reason } };
    };
    if (request.mti === '0320') {
      const original = fieldText(request, 60) ?? '';
      this.uploadsOf(tid).set(original.slice(4, 10), {
        amount: Number(fieldText(request, 4) ?? '0'),
        refund: (fieldText(request, 3) ?? '').startsWith('20'),
      });
      return decide('00', 'batch upload item taken');
    }
    const sent = parseTotals(fieldText(request, TOTALS_FIELD));
    if (!sent) return decide('30', `no totals in field ${TOTALS_FIELD}`);
    const afterUpload = fieldText(request, 3) === SETTLEMENT_AFTER_UPLOAD_CODE;
    const held = afterUpload ? totalsOf(this.uploadsOf(tid).values()) : this.openTotals(tid);
    this.uploaded.delete(tid);
    if (!sameTotals(sent, held)) return decide(TOTALS_MISMATCH, 'totals differ from the host');
    return decide('00', afterUpload ? 'settled after batch upload' : 'settled');
  }

  private uploadsOf(tid: string): Map<string, Item> {
    let batch = this.uploaded.get(tid);
    if (!batch) {
      batch = new Map();
      this.uploaded.set(tid, batch);
    }
    return batch;
  }
}
