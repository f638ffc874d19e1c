/**
 * Transaction states of a card payment and the changes allowed between them. The journal
 * refuses any other change, so a bug elsewhere cannot move a settled outcome back.
 *
 * created ──▶ card_read ──▶ sent ──▶ approved
 *    │            │           ├────▶ declined            (the bank or the card said no)
 *    │            │           └────▶ reversal_pending ──▶ reversed
 *    │            │                  (outcome unknown at the bank, or the card refused what the
 *    │            │                   bank approved; reversed once the bank acknowledged 0400)
 *    │            ├──▶ declined                          (the card declined before going online)
 *    │            └──▶ failed                            (error before anything left for the bank)
 *    ├──▶ not_accepted                                   (no application, blocked card)
 *    └──▶ failed                                         (no card, reader error, bad card data)
 */
export const STATES = [
  'created', 'card_read', 'sent', 'approved', 'declined', 'not_accepted', 'failed',
  'reversal_pending', 'reversed',
] as const;

export type TransactionState = (typeof STATES)[number];

const ALLOWED: Record<TransactionState, readonly TransactionState[]> = {
  created: ['card_read', 'not_accepted', 'failed'],
  card_read: ['sent', 'declined', 'failed'],
  sent: ['approved', 'declined', 'reversal_pending'],
  approved: [],
  declined: [],
  not_accepted: [],
  failed: [],
  reversal_pending: ['reversed'],
  reversed: [],
};

export function canMove(from: TransactionState, to: TransactionState): boolean {
  return ALLOWED[from].includes(to);
}

export function isFinal(state: TransactionState): boolean {
  return ALLOWED[state].length === 0;
}
