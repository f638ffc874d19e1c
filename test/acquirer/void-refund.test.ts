import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RequestError } from '../../src/errors';
import { AcquirerLink } from '../../src/acquirer/link';
import {
  buildPurchase, buildRefund, buildVoid, readAdjustmentResponse, readPurchaseResponse,
  REFUND_PROCESSING_CODE, reversalOf, VOID_PROCESSING_CODE, type OriginalApproval,
  type RefundRequest, type VoidRequest,
} from '../../src/acquirer/messages';
import { totalsText } from '../../src/acquirer/settlement-format';
import { startAcquirerSimulator, type AcquirerSimulator }
  from '../../src/acquirer/simulator/server';
import { loadLayout } from '../../src/iso8583/layouts';
import { createMessage, type IsoMessage } from '../../src/iso8583/message';
import { pack, unpack } from '../../src/iso8583/pack';
import { CVN10_CARD, CVN18_CARD, purchase, simulatorConfig, track2For } from './support';

const TID = 'QUAY0001';
const TIME = new Date(2025, 0, 9, 16, 5, 7);
const ORIGINAL: OriginalApproval = {
  rrn: '500914000001', authCode: '000001', amount: 450_000, invoice: 42,
};

function voidOf(original: OriginalApproval, stan: number, pan = CVN10_CARD.pan): VoidRequest {
  return { stan, terminalId: TID, merchantId: '000000000000001', nii: '001', localTime: TIME,
    batch: 1, pan, expiry: '2512', original };
}

function refundOf(original: OriginalApproval, stan: number, amount: number): RefundRequest {
  return { stan, amount, terminalId: TID, merchantId: '000000000000001', nii: '001',
    localTime: TIME, batch: 1, pan: CVN10_CARD.pan, panSequence: '01', expiry: '2512',
    track2: track2For(CVN10_CARD), posEntryMode: '051', invoice: 50 + stan, original };
}

describe('void and refund messages', () => {
  const layout = loadLayout('pos-bcd');

  it('builds a void: 0200, 020000, the original amount, RRN, approval code and invoice', () => {
    const message = buildVoid(voidOf(ORIGINAL, 7));
    expect(message.mti).toBe('0200');
    expect(Object.fromEntries(message.fields)).toEqual({
      2: '4761739001010119', 3: '020000', 4: '000000450000', 11: '000007', 12: '160507',
      13: '0109', 14: '2512', 22: '012', 24: '001', 25: '00', 37: '500914000001',
      38: '000001', 41: 'QUAY0001', 42: '000000000000001', 49: '704', 60: '000001',
      62: '000042',
    });
    const again = unpack(pack(message, layout), layout);
    expect(Object.fromEntries(again.fields)).toEqual(Object.fromEntries(message.fields));
  });

  it('builds a refund: 0200, 200000, its own amount, track 2, the original RRN', () => {
    const message = buildRefund(refundOf(ORIGINAL, 8, 100_000));
    expect(message.fields.get(3)).toBe(REFUND_PROCESSING_CODE);
    expect(message.fields.get(4)).toBe('000000100000');
    expect(message.fields.get(35)).toBe('4761739001010119D25122011234567890');
    expect(message.fields.has(2)).toBe(false);
    expect(message.fields.get(37)).toBe('500914000001');
    expect(message.fields.get(62)).toBe('000058');
    expect(message.fields.has(38)).toBe(false);
  });

  it('refuses a refund above the original, a void without approval code, a bad PAN', () => {
    expect(() => buildRefund(refundOf(ORIGINAL, 8, 450_001))).toThrow(RequestError);
    expect(() => buildRefund(refundOf(ORIGINAL, 8, 450_001))).toThrow(/more than the original/);
    expect(() => buildVoid(voidOf({ ...ORIGINAL, authCode: '' }, 9)))
      .toThrow(/original.authCode/);
    expect(() => buildVoid(voidOf(ORIGINAL, 9, '4761-7390'))).toThrow(/void pan/);
    expect(() => buildVoid(voidOf(ORIGINAL, 0))).toThrow(/void stan/);
  });

  it('reverses a built request under 0400/0401 with the same fields', () => {
    const refund = buildRefund(refundOf(ORIGINAL, 8, 100_000));
    const reversal = reversalOf(refund, true);
    expect(reversal.mti).toBe('0401');
    expect(Object.fromEntries(reversal.fields)).toEqual(Object.fromEntries(refund.fields));
  });
});

let sim: AcquirerSimulator;
let link: AcquirerLink;

beforeEach(async () => {
  sim = await startAcquirerSimulator(simulatorConfig());
  link = new AcquirerLink({ host: '127.0.0.1', port: sim.port, layout: 'pos-bcd',
    tpdu: '6000010000', connectTimeoutMs: 2000, responseTimeoutMs: 2000 });
});

afterEach(async () => {
  await link.close();
  await sim.close();
});

async function approve(amount: number, stan: number, card = CVN10_CARD):
  Promise<OriginalApproval> {
  const reply = await link.exchange(buildPurchase(purchase(card, amount, stan).request));
  const response = readPurchaseResponse(reply, { stan, terminalId: TID });
  expect(response.responseCode).toBe('00');
  return { rrn: response.rrn!, authCode: response.authCode!, amount, invoice: 42 };
}

async function send(message: IsoMessage, code: string) {
  const stan = Number(message.fields.get(11));
  return readAdjustmentResponse(await link.exchange(message),
    { stan, terminalId: TID, processingCode: code });
}

describe('voids and refunds at the bank simulator', () => {
  it('voids an approval: 00 with its numbers, out of the host batch, a second void 12',
    async () => {
      const first = await approve(450_000, 1);
      await approve(120_000, 2);
      expect(sim.batchTotals(TID)).toEqual(
        { saleCount: 2, saleAmount: 570_000, refundCount: 0, refundAmount: 0 });

      const voided = await send(buildVoid(voidOf(first, 3)), VOID_PROCESSING_CODE);
      expect(voided).toMatchObject({ responseCode: '00', approved: true, stan: 3,
        rrn: first.rrn, authCode: first.authCode });
      expect(sim.batchTotals(TID)).toEqual(
        { saleCount: 1, saleAmount: 120_000, refundCount: 0, refundAmount: 0 });
      const approval = sim.ledger.approvals().find((a) => a.rrn === first.rrn)!;
      expect(approval.voidedBy).toBeDefined();
      expect(sim.ledger.requests().at(-1)).toMatchObject({ mti: '0200', stan: '000003',
        outcome: 'void', originalId: approval.id, maskedPan: '**** **** **** 0119' });

      const again = await send(buildVoid(voidOf(first, 4)), VOID_PROCESSING_CODE);
      expect(again.responseCode).toBe('12');
      // A refund of a voided sale is refused too: nothing is left to give back.
      const refund = await send(buildRefund(refundOf(first, 5, 1000)), REFUND_PROCESSING_CODE);
      expect(refund.responseCode).toBe('12');
    });

  it('refuses a void with another amount (13), approval code (12), card (14) or RRN (25)',
    async () => {
      const original = await approve(450_000, 1);
      const cases: Array<[VoidRequest, string]> = [
        [voidOf({ ...original, amount: 400_000 }, 2), '13'],
        [voidOf({ ...original, authCode: '999999' }, 3), '12'],
        [voidOf(original, 4, CVN18_CARD.pan), '14'],
        [voidOf({ ...original, rrn: '500914999999' }, 5), '25'],
      ];
      for (const [request, code] of cases) {
        const answer = await send(buildVoid(request), VOID_PROCESSING_CODE);
        expect(answer.responseCode, `void ${request.stan}`).toBe(code);
      }
      expect(sim.ledger.approvals()[0]).toMatchObject({ refunded: 0 });
      expect(sim.ledger.approvals()[0]?.voidedBy).toBeUndefined();
    });

  it('refunds in part up to the original amount and refuses the refund beyond it', async () => {
    const original = await approve(300_000, 1);
    const part = await send(buildRefund(refundOf(original, 2, 100_000)), REFUND_PROCESSING_CODE);
    expect(part).toMatchObject({ responseCode: '00', authCode: 'R00001', rrn: original.rrn });
    const rest = await send(buildRefund(refundOf(original, 3, 200_000)), REFUND_PROCESSING_CODE);
    expect(rest).toMatchObject({ responseCode: '00', authCode: 'R00002' });
    const over = await send(buildRefund(refundOf(original, 4, 1000)), REFUND_PROCESSING_CODE);
    expect(over.responseCode).toBe('13');
    expect(sim.ledger.approvals()[0]).toMatchObject({ refunded: 300_000 });
    expect(sim.batchTotals(TID)).toEqual(
      { saleCount: 1, saleAmount: 300_000, refundCount: 2, refundAmount: 300_000 });
    // A void after a refund would take back more than is left: refused.
    expect((await send(buildVoid(voidOf(original, 5)), VOID_PROCESSING_CODE)).responseCode)
      .toBe('12');
  });

  it('takes a reversed refund out of the batch, so the amount can be refunded again',
    async () => {
      const original = await approve(200_000, 1);
      const refund = buildRefund(refundOf(original, 2, 200_000));
      expect((await send(refund, REFUND_PROCESSING_CODE)).responseCode).toBe('00');
      const reversal = await link.exchange(reversalOf(refund, false));
      expect(reversal.mti).toBe('0410');
      expect(reversal.fields.get(39)).toBe('00');
      expect(sim.ledger.reversals().at(-1)).toMatchObject({ stan: '000002',
        outcome: 'reversed' });
      expect(sim.batchTotals(TID)).toMatchObject({ refundCount: 0, refundAmount: 0 });
      const again = await send(buildRefund(refundOf(original, 3, 200_000)),
        REFUND_PROCESSING_CODE);
      expect(again.responseCode).toBe('00');
    });

  it('refuses a void once the batch is settled, and takes a refund instead', async () => {
    const original = await approve(80_000, 1);
    const settle = createMessage('0500', [[3, '920000'], [11, '000002'], [24, '001'],
      [41, TID], [42, '000000000000001'], [60, '000001'],
      [63, totalsText(sim.batchTotals(TID))]]);
    expect((await link.exchange(settle)).fields.get(39)).toBe('00');
    expect(sim.batchTotals(TID).saleCount).toBe(0);
    expect(sim.ledger.approvals()[0]).toMatchObject({ settled: true });

    expect((await send(buildVoid(voidOf(original, 3)), VOID_PROCESSING_CODE)).responseCode)
      .toBe('12');
    expect((await send(buildRefund(refundOf(original, 4, 80_000)), REFUND_PROCESSING_CODE))
      .responseCode).toBe('00');
    expect(sim.batchTotals(TID)).toEqual(
      { saleCount: 0, saleAmount: 0, refundCount: 1, refundAmount: 80_000 });
    // The same 0500 again (its answer lost): the first answer, not a new comparison (95).
    expect((await link.exchange(settle)).fields.get(39)).toBe('00');
    expect(sim.ledger.requests().at(-1)).toMatchObject({ mti: '0500', outcome: 'duplicate' });
    expect(sim.batchTotals(TID).refundCount).toBe(1);
  });

  it('answers a retransmitted void from the ledger, not as a second void', async () => {
    const original = await approve(450_000, 1);
    const message = buildVoid(voidOf(original, 2));
    message.fields.set(7, '0109090507');
    const first = await send(message, VOID_PROCESSING_CODE);
    await link.close();
    link = new AcquirerLink({ host: '127.0.0.1', port: sim.port, layout: 'pos-bcd',
      tpdu: '6000010000', connectTimeoutMs: 2000, responseTimeoutMs: 2000 });
    const copy = await send(message, VOID_PROCESSING_CODE);
    expect(first.responseCode).toBe('00');
    expect(copy).toMatchObject({ responseCode: '00', authCode: first.authCode });
    expect(sim.ledger.requests().map((r) => r.outcome))
      .toEqual(['approved', 'void', 'duplicate']);
  });
});
