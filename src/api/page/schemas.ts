import { z } from 'zod';
import { apiRegistry, publicStatus, transaction } from '../schemas';

/**
 * The answers of the three reads the clerk page and the customer screen add to the counter
 * API, registered with the API's components so the OpenAPI document describes them too.
 */
export const feeCatalogue = z.object({
  items: z.array(z.object({
    code: z.string(), vi: z.string(), en: z.string(), amount: z.int().optional(),
  })),
}).register(apiRegistry, { id: 'FeeCatalogue' });

export const customerScreen = z.object({
  /** The newest transaction, null before the first one: amount and result, no card data. */
  payment: z.object({
    journalId: z.int(),
    kind: transaction.shape.kind,
    amount: z.int(),
    status: publicStatus,
    state: transaction.shape.state,
    reason: transaction.shape.reason,
    updatedAt: z.string(),
  }).nullable(),
}).register(apiRegistry, { id: 'CustomerScreen' });

export const offlineCount = z.object({
  /** Offline approvals the bank has not answered yet: settlement waits for them. */
  toForward: z.int(),
}).register(apiRegistry, { id: 'OfflineCount' });
