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

/** What each rule says, after the cause (the bank unreachable, or the card's own offline TC). */
const RULE_WORDS: Record<PolicyRule, { vi: string; en: string }> = {
  disabled: {
    vi: 'thiết bị không được duyệt ngoại tuyến',
    en: 'offline approval is not allowed on this terminal',
  },
  amount: {
    vi: 'số tiền vượt hạn mức duyệt ngoại tuyến',
    en: 'the amount is over the offline limit per payment',
  },
  total: {
    vi: 'tổng tiền chờ gửi ngân hàng đã đến hạn mức',
    en: 'the total waiting to be forwarded is at its limit',
  },
  count: {
    vi: 'số giao dịch chờ gửi ngân hàng đã đến hạn mức',
    en: 'the number of payments waiting is at its limit',
  },
  age: {
    vi: 'có giao dịch ngoại tuyến chờ gửi quá lâu',
    en: 'an offline payment has waited too long to be forwarded',
  },
  card: {
    vi: 'loại thẻ này không được duyệt ngoại tuyến',
    en: 'this card kind may not be approved offline',
  },
};

type Words = { vi: string; en: string };

function reasons(cause: Words): Record<PolicyRule, Words> {
  const out = {} as Record<PolicyRule, Words>;
  for (const rule of Object.keys(RULE_WORDS) as PolicyRule[]) {
    out[rule] = { vi: `${cause.vi}; ${RULE_WORDS[rule].vi}`,
      en: `${cause.en}; ${RULE_WORDS[rule].en}` };
  }
  return out;
}

/** Why a payment is outside the policy when the bank cannot be reached, for the clerk. */
export const POLICY_REASONS = reasons({
  vi: 'Mất kết nối ngân hàng', en: 'The bank cannot be reached',
});

/** The same when the card itself approved offline at its first GENERATE AC (TC, Y1). */
export const CARD_OFFLINE_REASONS = reasons({
  vi: 'Thẻ đề nghị duyệt ngoại tuyến', en: 'The card asked for an offline approval',
});

/** Prefix of the journal's `reason` column for a payment outside the policy. */
export const POLICY_REASON_PREFIX = 'offline policy: ';

/** The same prefix when the card approved offline at its first GENERATE AC. */
export const CARD_OFFLINE_REASON_PREFIX = 'offline policy, card TC: ';

/** The clerk's words for a journal `reason` written with one of the prefixes above. */
export function policyReason(reason: string | null): { vi: string; en: string } | undefined {
  for (const [prefix, table] of [[CARD_OFFLINE_REASON_PREFIX, CARD_OFFLINE_REASONS],
    [POLICY_REASON_PREFIX, POLICY_REASONS]] as const) {
    if (!reason?.startsWith(prefix)) continue;
    const rule = reason.slice(prefix.length);
    return rule in table ? table[rule as PolicyRule] : undefined;
  }
  return undefined;
}

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
