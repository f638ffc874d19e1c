import type { ContactKernel, SecondAcOutcome } from '../emv/kernel';
import type { QueueSummary } from '../journal/advices';

/**
 * The merchant's offline policy: what may be approved while the bank cannot be reached.
 * It is checked before the card is asked, so a payment outside it never gets a TC.
 */
export interface OfflinePolicy {
  enabled: boolean;
  /** Largest single offline payment, whole dong. */
  maxAmount: number;
  /** Largest total waiting to be forwarded, this payment included. */
  maxTotal: number;
  /** Most payments waiting to be forwarded, this payment included. */
  maxCount: number;
  /** No new offline approval once the oldest waiting one is older than this. */
  maxAgeMinutes: number;
  /** AIDs (prefix match, hex) of the card kinds that may go offline. */
  aids: readonly string[];
}

export type PolicyRule = 'disabled' | 'amount' | 'total' | 'count' | 'age' | 'card';

export type PolicyVerdict = { ok: true } | { ok: false; rule: PolicyRule };

/** Why a payment is outside the policy, as the clerk reads it. */
export const POLICY_REASONS: Record<PolicyRule, { vi: string; en: string }> = {
  disabled: {
    vi: 'Mất kết nối ngân hàng; thiết bị không được duyệt ngoại tuyến',
    en: 'The bank cannot be reached; offline approval is not allowed on this terminal',
  },
  amount: {
    vi: 'Mất kết nối ngân hàng; số tiền vượt hạn mức duyệt ngoại tuyến',
    en: 'The bank cannot be reached; the amount is over the offline limit per payment',
  },
  total: {
    vi: 'Mất kết nối ngân hàng; tổng tiền chờ gửi ngân hàng đã đến hạn mức',
    en: 'The bank cannot be reached; the total waiting to be forwarded is at its limit',
  },
  count: {
    vi: 'Mất kết nối ngân hàng; số giao dịch chờ gửi ngân hàng đã đến hạn mức',
    en: 'The bank cannot be reached; the number of payments waiting is at its limit',
  },
  age: {
    vi: 'Mất kết nối ngân hàng; có giao dịch ngoại tuyến chờ gửi quá lâu',
    en: 'The bank cannot be reached; an offline payment has waited too long to be forwarded',
  },
  card: {
    vi: 'Mất kết nối ngân hàng; loại thẻ này không được duyệt ngoại tuyến',
    en: 'The bank cannot be reached; this card kind may not be approved offline',
  },
};

/** Prefix of the journal's `reason` column for a payment outside the policy. */
export const POLICY_REASON_PREFIX = 'offline policy: ';

export function checkOfflinePolicy(policy: OfflinePolicy, payment: { amount: number; aid: string },
  queue: Pick<QueueSummary, 'pending' | 'total' | 'oldestQueuedAt'>,
  now = new Date()): PolicyVerdict {
  if (!policy.enabled) return { ok: false, rule: 'disabled' };
  const aid = payment.aid.toUpperCase();
  if (!policy.aids.some((allowed) => aid.startsWith(allowed.toUpperCase()))) {
    return { ok: false, rule: 'card' };
  }
  if (payment.amount > policy.maxAmount) return { ok: false, rule: 'amount' };
  if (queue.pending + 1 > policy.maxCount) return { ok: false, rule: 'count' };
  if (queue.total + payment.amount > policy.maxTotal) return { ok: false, rule: 'total' };
  if (queue.oldestQueuedAt !== null
    && now.getTime() - Date.parse(queue.oldestQueuedAt) > policy.maxAgeMinutes * 60_000) {
    return { ok: false, rule: 'age' };
  }
  return { ok: true };
}

/**
 * Completes a card payment that could not go online: terminal action analysis with the TAC
 * and IAC default decides whether to ask the card for a TC (ARC Y3) or an AAC (Z3), and the
 * card has the last word. This is the one place the terminal reaches that kernel step.
 */
export type OfflineCompletion = (kernel: ContactKernel) => Promise<SecondAcOutcome>;

interface OfflineCapableKernel {
  completeOffline(): Promise<SecondAcOutcome>;
}

function offlineCapable(kernel: unknown): kernel is OfflineCapableKernel {
  return typeof (kernel as Partial<OfflineCapableKernel>).completeOffline === 'function';
}

/**
 * The kernel's own offline completion when it has one; otherwise the completion for
 * "unable to go online" that asks the card for an AAC, so nothing is approved offline
 * without the default action analysis.
 */
export const kernelOfflineCompletion: OfflineCompletion = (kernel) =>
  offlineCapable(kernel as unknown) ? kernel.completeOffline()
    : kernel.complete({ kind: 'unable-to-go-online' });
