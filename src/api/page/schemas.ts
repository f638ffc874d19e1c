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
    /** Only while a QR payment waits for its transfer: the code to scan, nothing of cards. */
    qr: z.object({
      /** The VietQR string the image encodes (EMVCo MPM, CRC included). */
      payload: z.string(),
      /** A PNG data URL, 8 px per module, to be shown at its own size. */
      png: z.string(),
      /** The dossier number the fee is for. */
      reference: z.string(),
      /** The short reference in the transfer content, which the bank matches on. */
      qrReference: z.string(),
      /** The amount as the customer reads it aloud: "Một trăm hai mươi nghìn đồng". */
      amountWords: z.object({ vi: z.string(), en: z.string() }),
    }).optional(),
  }).nullable(),
}).register(apiRegistry, { id: 'CustomerScreen' });

export const offlineCount = z.object({
  /** Offline approvals the bank has not answered yet: settlement waits for them. */
  toForward: z.int(),
}).register(apiRegistry, { id: 'OfflineCount' });
