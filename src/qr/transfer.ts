import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { QrError } from './errors';

/**
 * A transfer as the bank or gateway reports it, by notification or when polled, and the
 * HMAC-SHA256 signature over the exact bytes of the body that proves it came from there.
 */

export const SIGNATURE_HEADER = 'x-signature';

export const bankTransferSchema = z.object({
  /** The bank's own reference of the transfer: printed on the receipt, the duplicate key. */
  transactionId: z.string().min(1).max(64),
  amount: z.number().int().positive(),
  /** The content as the bank passed it on: the payer's 62.08, often with a bank prefix. */
  content: z.string().max(512),
  /** The credited account, when the bank says. */
  account: z.string().max(32).optional(),
  paidAt: z.string().min(1).max(40),
});
export type BankTransfer = z.infer<typeof bankTransferSchema>;

/** What polling a payment answers. */
export const transfersAnswerSchema = z.object({
  reference: z.string(),
  status: z.enum(['pending', 'paid']),
  transfers: z.array(bankTransferSchema),
});
export type TransfersAnswer = z.infer<typeof transfersAnswerSchema>;

/** The signature of a body: HMAC-SHA256 under the shared secret, lower-case hex. */
export function signBody(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('hex');
}

/** Whether `signature` is the body's; compared in constant time so it leaks no prefix. */
export function signatureHolds(body: string, signature: string | undefined,
  secret: string): boolean {
  if (signature === undefined || !/^[0-9a-fA-F]{64}$/.test(signature)) return false;
  const expected = Buffer.from(signBody(body, secret), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

/** The body parsed by `schema` once its signature holds; QR_SIGNATURE_INVALID otherwise. */
export function verifiedBody<T>(body: string, signature: string | undefined, secret: string,
  schema: z.ZodType<T>): T {
  if (!signatureHolds(body, signature, secret)) {
    throw new QrError('QR_SIGNATURE_INVALID', 'the signature does not match the body',
      { detail: { bytes: Buffer.byteLength(body) } });
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    throw new QrError('QR_MALFORMED', 'a signed body that is not JSON', { cause: err });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new QrError('QR_MALFORMED',
      `confirmation field ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`,
      { detail: { field: issue?.path.join('.') } });
  }
  return parsed.data;
}
