import type { PurchaseRequest } from '../../src/acquirer/messages';
import type { AdviceQueue } from '../../src/journal/advices';
import type { Journal } from '../../src/journal/journal';
import { storeAdvice } from '../../src/terminal/advice-data';
import { storePurchase } from '../../src/terminal/reversals';

/**
 * Journal rows as the terminal leaves them, for forwarding tests: offline approvals with
 * their advice queued, and requests whose reversal is owed. The card is the default virtual
 * card's test number; field 55 carries a TC (9F27 = 40), which the bank simulator requires
 * of an advice.
 */

export const TERMINAL = { terminalId: 'QUAY0001', merchantId: '000000000000001' };
const PAN = '4761739001010010';
const TC_ICC = '9F2701409F360200119F2608AABBCCDDEEFF00119F100706010A03A00000';
const ARQC_ICC = '9F2701809F360200119F2608AABBCCDDEEFF0011';

type Terminal = typeof TERMINAL;

function purchase(amount: number, numbers: { stan: number; invoice: number; batch: number },
  iccData: string, at: Date, terminal: Terminal = TERMINAL): PurchaseRequest {
  return {
    stan: numbers.stan, amount, pan: PAN, panSequence: '01', expiry: '2912',
    track2: Buffer.from(`${PAN}D29122010000000F`, 'hex'), iccData: Buffer.from(iccData, 'hex'),
    posEntryMode: '051', ...terminal, nii: '001', localTime: at, invoice: numbers.invoice,
    batch: numbers.batch,
  };
}

/** An offline approval (Y3) with its advice queued; returns the transaction id. */
export function seedAdvice(journal: Journal, queue: AdviceQueue, amount: number,
  reference = `HS-${amount}`, terminal: Terminal = TERMINAL): number {
  const { row } = journal.createPayment({ ...terminal, amount, reference });
  journal.move(row.id, 'card_read', { masked_pan: '**** **** **** 0010', pan_last4: '0010',
    aid: 'A0000000031010' });
  const at = new Date();
  queue.enqueue(row.id, (n) => ({ response_code: 'Y3', auth_code: `Y3${n.stan}` }),
    (n) => storeAdvice({ ...purchase(amount, n, TC_ICC, at, terminal), transmittedAt: at,
      offlineResponseCode: 'Y3', authCode: `Y3${n.stan}` }), at);
  return row.id;
}

/** A request that was out when its outcome became unknown: its reversal is owed. */
export function seedReversal(journal: Journal, amount: number): number {
  const { row } = journal.createPayment({ ...TERMINAL, amount, reference: `REV-${amount}` });
  journal.move(row.id, 'card_read');
  journal.markSent(row.id, (n) => storePurchase(purchase(amount, n, ARQC_ICC, new Date())));
  journal.move(row.id, 'reversal_pending', { error_code: 'HOST_TIMEOUT' });
  return row.id;
}
