import { fieldText, type IsoMessage } from '../../iso8583/message';
import {
  emptyTotals, parseTotals, sameTotals, SETTLEMENT_AFTER_UPLOAD_CODE, TOTALS_FIELD,
  TOTALS_MISMATCH, type BatchTotals,
} from '../settlement-format';
import type { Decision } from './issuer';
import { answerFrame } from './security';

/**
 * The host's side of settlement. Per terminal it keeps the approvals and accepted advices of
 * the open batch (a reversal acknowledged with 00 takes one out). A settlement (0500, 920000)
 * whose totals equal the host's closes the batch with 00; otherwise the host answers 95, takes the batch upload
 * (0320, one per transaction), and the final settlement (0500, 960000) is checked against what
 * was uploaded.
 */

interface Item {
  amount: number;
  refund: boolean;
}

function terminalOf(message: IsoMessage): string {
  return (fieldText(message, 41) ?? '').trimEnd();
}

function totalsOf(items: Iterable<Item>): BatchTotals {
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
  private readonly approved = new Map<string, Map<string, Item>>();
  private readonly uploaded = new Map<string, Map<string, Item>>();
  /** Batches closed, per terminal, with their totals: what the host paid out. */
  readonly closed: Array<{ terminalId: string; batch: string; totals: BatchTotals }> = [];

  /** Keeps the open batch in step with what the host answered. */
  observe(request: IsoMessage, responseCode: string): void {
    if (responseCode !== '00') return;
    const stan = fieldText(request, 11) ?? '';
    const batch = this.batchOf(this.approved, terminalOf(request));
    if (['0200', '0220', '0221'].includes(request.mti)) {
      batch.set(stan, {
        amount: Number(fieldText(request, 4) ?? '0'),
        refund: (fieldText(request, 3) ?? '').startsWith('20'),
      });
    } else if (request.mti === '0400' || request.mti === '0401') {
      batch.delete(stan);
    }
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
      this.batchOf(this.uploaded, tid).set(original.slice(4, 10), {
        amount: Number(fieldText(request, 4) ?? '0'),
        refund: (fieldText(request, 3) ?? '').startsWith('20'),
      });
      return decide('00', 'batch upload item taken');
    }
    const sent = parseTotals(fieldText(request, TOTALS_FIELD));
    if (!sent) return decide('30', `no totals in field ${TOTALS_FIELD}`);
    const afterUpload = fieldText(request, 3) === SETTLEMENT_AFTER_UPLOAD_CODE;
    const held = afterUpload ? this.batchOf(this.uploaded, tid) : this.batchOf(this.approved, tid);
    if (!sameTotals(sent, totalsOf(held.values()))) {
      this.uploaded.delete(tid);
      return decide(TOTALS_MISMATCH, 'totals differ from the host');
    }
    this.closed.push({ terminalId: tid, batch: fieldText(request, 60) ?? '', totals: sent });
    this.approved.delete(tid);
    this.uploaded.delete(tid);
    return decide('00', afterUpload ? 'settled after batch upload' : 'settled');
  }

  private batchOf(map: Map<string, Map<string, Item>>, tid: string): Map<string, Item> {
    let batch = map.get(tid);
    if (!batch) {
      batch = new Map();
      map.set(tid, batch);
    }
    return batch;
  }
}
