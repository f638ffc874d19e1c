import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../../src/journal/journal';
import { QrPaymentJournal } from '../../src/journal/qr-payments';
import type { BankTransfer } from '../../src/qr/transfer';

/**
 * The journal's side of QR payments (schema 8): each reported transfer is kept under the
 * bank's ID and decides, in the same commit, what happens to the payment its content names.
 */

const journals: Journal[] = [];
afterEach(() => {
  while (journals.length > 0) journals.pop()!.close();
});

function open(): { journal: Journal; qr: QrPaymentJournal } {
  const journal = Journal.open(':memory:');
  journals.push(journal);
  return { journal, qr: new QrPaymentJournal(journal) };
}

function waitingPayment(qr: QrPaymentJournal, qrReference: string, amount = 120_000): number {
  const { row } = qr.create({ amount, reference: 'HS-J-1', qrReference,
    terminalId: 'QUAY0001', merchantId: '000000000000001' });
  qr.waiting(row.id);
  return row.id;
}

const transfer = (id: string, amount: number, content: string): BankTransfer =>
  ({ transactionId: id, amount, content, paidAt: '2026-12-04T02:00:00.000Z' });

describe('QR payments in the journal', () => {
  it('is schema 8, with one payment per short reference', () => {
    const { journal, qr } = open();
    expect(journal.schemaVersion).toBe(8);
    waitingPayment(qr, 'QYAAAA0001');
    expect(() => waitingPayment(qr, 'QYAAAA0001')).toThrow(/journal write failed/);
  });

  it('finds the reference behind a bank prefix, in lower case, split by spaces', () => {
    const { journal, qr } = open();
    const id = waitingPayment(qr, 'QYAAAA0002');
    expect(qr.recordTransfer(transfer('FT1', 120_000, 'MBVCB.123.qyaaaa 0002 ung ho')))
      .toEqual({ disposition: 'paid', transactionId: id });
    expect(journal.get(id)!.state).toBe('approved');
    expect(journal.events(id).at(-1)).toMatchObject({ state: 'approved',
      note: 'bank transfer FT1' });
  });

  it('keeps a repeated transfer ID once, and flags a second transfer of a paid code', () => {
    const { journal, qr } = open();
    const id = waitingPayment(qr, 'QYAAAA0003');
    qr.recordTransfer(transfer('FT2', 120_000, 'QYAAAA0003'));
    expect(qr.recordTransfer(transfer('FT2', 120_000, 'QYAAAA0003')))
      .toEqual({ disposition: 'duplicate', transactionId: id });
    expect(qr.recordTransfer(transfer('FT3', 120_000, 'QYAAAA0003 lan 2')))
      .toEqual({ disposition: 'extra', transactionId: id });
    expect(journal.get(id)!.state).toBe('approved');
    expect(qr.transfersOf(id).map((t) => [t.transfer_id, t.disposition]))
      .toEqual([['FT2', 'paid'], ['FT3', 'extra']]);
    expect(qr.flagged().map((t) => t.transfer_id)).toEqual(['FT3']);
  });

  it('keeps a transfer naming no payment, linked to nothing and not flagged', () => {
    const { qr } = open();
    expect(qr.recordTransfer(transfer('FT4', 5_000, 'tien dien thang 11')))
      .toEqual({ disposition: 'unknown', transactionId: null });
    expect(qr.flagged()).toEqual([]);
  });

  it('expires what a restart left waiting; a transfer after that flags it late', () => {
    const { journal, qr } = open();
    const id = waitingPayment(qr, 'QYAAAA0005', 60_000);
    expect(qr.expireInterrupted()).toEqual([id]);
    expect(journal.get(id)).toMatchObject({ state: 'qr_expired', error_code: 'QR_TIMEOUT' });
    expect(qr.end(id, 'qr_expired', 'QR_CANCELLED', 'cancelled')).toBe(false);
    expect(qr.recordTransfer(transfer('FT5', 60_000, 'QYAAAA0005')))
      .toEqual({ disposition: 'late', transactionId: id });
    expect(journal.get(id)).toMatchObject({ state: 'qr_flagged',
      error_code: 'QR_PAYMENT_MISMATCH', reason: 'paid after the payment ended (QR_TIMEOUT)' });
  });

  it('is never in the card batch, and counts by tender only when approved', () => {
    const { journal, qr } = open();
    const paid = waitingPayment(qr, 'QYAAAA0006', 120_000);
    waitingPayment(qr, 'QYAAAA0007', 80_000);
    qr.recordTransfer(transfer('FT6', 120_000, 'QYAAAA0006'));
    expect(journal.get(paid)).toMatchObject({ state: 'approved', batch: null, stan: null });
    expect(journal.batchTransactions(journal.counter('batch'))).toEqual([]);
    expect(qr.approvedTotal()).toEqual({ count: 1, amount: 120_000 });
  });
});
