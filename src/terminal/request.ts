import { RequestError } from '../errors';
import type { NewPayment } from '../journal/journal';

/** The largest amount ISO 8583 field 4 and EMV 9F02 can carry: twelve digits of dong. */
export const MAX_AMOUNT = 999_999_999_999;

/** What desk software or a clerk asks for; the terminal adds its own IDs. */
export type PaymentRequest = Omit<NewPayment, 'terminalId' | 'merchantId'>;

const TEXT_LIMITS = {
  reference: 40, description: 120, payer: 80, dossier: 40, operator: 40, idempotencyKey: 64,
};

/**
 * Checks a payment request from the desk software or the clerk. Amounts arrive as numbers or
 * digit strings; anything that is not a whole number of dong above zero is refused, never
 * rounded, since a rounded amount charges a different fee than the one owed.
 */
export function validatePaymentRequest(input: Record<string, unknown>): PaymentRequest {
  const amount = parseAmount(input.amount);
  const reference = text(input, 'reference', true)!;
  return {
    amount,
    reference,
    description: text(input, 'description'),
    payer: text(input, 'payer'),
    dossier: text(input, 'dossier'),
    operator: text(input, 'operator'),
    idempotencyKey: text(input, 'idempotencyKey'),
  };
}

export function parseAmount(value: unknown): number {
  let amount: number;
  if (typeof value === 'number') amount = value;
  else if (typeof value === 'string' && /^\d+$/.test(value.trim())) amount = Number(value.trim());
  else {
    throw new RequestError('AMOUNT_INVALID',
      `amount must be a whole number of dong, got ${JSON.stringify(value)}`,
      { detail: { field: 'amount' } });
  }
  if (!Number.isSafeInteger(amount) || amount <= 0 || amount > MAX_AMOUNT) {
    throw new RequestError('AMOUNT_INVALID',
      `amount must be a whole number of dong from 1 to ${MAX_AMOUNT}, got ${String(value)}`,
      { detail: { field: 'amount' } });
  }
  return amount;
}

function text(input: Record<string, unknown>, field: keyof typeof TEXT_LIMITS,
  required = false): string | undefined {
  const value = input[field];
  if (value === undefined || value === null || value === '') {
    if (required) {
      throw new RequestError('REQUEST_INVALID', `${field} is required`, { detail: { field } });
    }
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new RequestError('REQUEST_INVALID', `${field} must be text`, { detail: { field } });
  }
  const trimmed = value.trim();
  // Control characters would corrupt receipts and the display; refuse rather than strip.
  if (/[\u0000-\u001f\u007f]/.test(trimmed) || trimmed.length > TEXT_LIMITS[field]) {
    throw new RequestError('REQUEST_INVALID',
      `${field} must be at most ${TEXT_LIMITS[field]} printable characters`, { detail: { field } });
  }
  return trimmed;
}
