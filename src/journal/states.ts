/**
 * Transaction states of a card payment and the changes allowed between them. The journal
 * refuses any other change, so a bug elsewhere cannot move a settled outcome back. Every
 * change is one synchronous SQLite transaction, committed before the step that depends on it.
 *
 * created ──▶ card_read ──▶ sent ──▶ approved ──▶ voided | settled
 *    │            │           ├────▶ declined            (the bank or the card said no)
 *    │            │           ├────▶ reversal_pending ──▶ reversed
 *    │            │           │      (outcome unknown at the bank, or the card refused what the
 *    │            │           │       bank approved; reversed once the bank acknowledged 0400)
 *    │            │           └────▶ approved_offline    (the bank could not be reached and
 *    │            │                   │                   nothing left; policy and card said yes)
 *    │            │                   ▼
 *    │            │              advice_sent ──▶ advice_accepted ──▶ voided | settled
 *    │            │                   │    └───▶ advice_declined (kept, shown in the reports)
 *    │            │                   └─ (stays advice_sent while 0221 repeats go out)
 *    │            ├──▶ approved_offline                  (decided offline before any request)
 *    │            ├──▶ declined                          (the card declined before going online,
 *    │            │                                       or outside the offline policy)
 *    │            └──▶ failed                            (error before anything left for the bank)
 *    ├──▶ sent                                           (a void: it needs no card)
 *    ├──▶ not_accepted                                   (no application, blocked card)
 *    └──▶ failed                                         (no card, reader error, bad card data)
 *
 * A QR payment (kind 'qr', tender QR) is a bank transfer the payer makes from a banking app;
 * quay only learns of it. It never has a STAN or batch, and nothing is sent to the card host:
 *
 * created ──▶ qr_waiting ──▶ approved       (a transfer with the reference and the amount)
 *                  │    ├───▶ qr_flagged     (a transfer with the reference, another amount)
 *                  │    ├───▶ qr_expired ──▶ qr_flagged
 *                  │    │     (no transfer before the timeout, or the clerk cancelled: the
 *                  │    │      desk sees it declined; a transfer arriving later is flagged)
 *                  │    └───▶ failed         (the gateway refused or could not take the code)
 *                  └ (stays qr_waiting while the bank is polled)
 *
 * A flagged payment is for the supervisor: the money moved, but not as the code asked, so it
 * is settled with the payer by bank transfer. A second transfer for a payment that already
 * ended approved or flagged leaves the payment as it is and is flagged on its own
 * (journal.ts, qr_transfers).
 */
export const STATES = [
  'created', 'card_read', 'sent', 'approved', 'declined', 'not_accepted', 'failed',
  'reversal_pending', 'reversed',
  'approved_offline', 'advice_sent', 'advice_accepted', 'advice_declined', 'voided', 'settled',
  'qr_waiting', 'qr_expired', 'qr_flagged',
] as const;

export type TransactionState = (typeof STATES)[number];

const ALLOWED: Record<TransactionState, readonly TransactionState[]> = {
  // A void needs no card: it goes from created straight to sent (a refund reads the card).
  created: ['card_read', 'sent', 'not_accepted', 'failed', 'qr_waiting'],
  card_read: ['sent', 'declined', 'failed', 'approved_offline'],
  sent: ['approved', 'declined', 'reversal_pending', 'approved_offline'],
  approved: ['voided', 'settled'],
  declined: [],
  not_accepted: [],
  failed: [],
  reversal_pending: ['reversed'],
  reversed: [],
  approved_offline: ['advice_sent'],
  advice_sent: ['advice_accepted', 'advice_declined'],
  advice_accepted: ['voided', 'settled'],
  advice_declined: [],
  voided: [],
  settled: [],
  qr_waiting: ['approved', 'qr_flagged', 'qr_expired', 'failed'],
  // Not final: the late watch may still see the payer's transfer, which is then flagged.
  qr_expired: ['qr_flagged'],
  qr_flagged: [],
};

/** States in which the transaction still owes the bank an advice. */
export const ADVICE_OWED: readonly TransactionState[] = ['approved_offline', 'advice_sent'];

export function canMove(from: TransactionState, to: TransactionState): boolean {
  return ALLOWED[from].includes(to);
}

export function isFinal(state: TransactionState): boolean {
  return ALLOWED[state].length === 0;
}
