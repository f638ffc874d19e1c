import { HostError } from '../errors';
import { createMessage, fieldText, type IsoMessage } from '../iso8583/message';
import { buildPurchase, type PurchaseRequest, type ResponseExpectation } from './messages';
import { isApproved } from './response-codes';

/**
 * The advice of an offline approval (0220, 0221 on a repeat) and its answer (0230).
 *
 * It carries the purchase fields with field 55 from the second GENERATE AC (the TC), field
 * 39 with the ARC the terminal gave the card (Y3: approved offline) and field 38 with the
 * approval code printed on the receipt. Field 7 (transmission date and time) and field 11
 * (STAN) are fixed when the advice is queued and the same on every resend, which is how the
 * bank recognises a repeat rather than a second payment.
 */
export interface AdviceRequest extends PurchaseRequest {
  /** When the advice was first queued; field 7 in UTC, MMDDhhmmss. */
  transmittedAt: Date;
  /** The ARC of the offline decision: Y3, or Y1 when the card approved at its first AC. */
  offlineResponseCode: 'Y1' | 'Y3';
  /** The approval code shown on the receipt. */
  authCode: string;
}

export interface AdviceResponse {
  stan: number;
  responseCode: string;
  /** Whether the bank accepted the advice (00 or another approving code). */
  accepted: boolean;
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** Field 7: MMDDhhmmss in UTC (ISO 8583 transmission date and time is GMT). */
export function transmissionDateTime(at: Date): string {
  return two(at.getUTCMonth() + 1) + two(at.getUTCDate()) + two(at.getUTCHours())
    + two(at.getUTCMinutes()) + two(at.getUTCSeconds());
}

/** The approval code of an offline approval: 'Y3' and the STAN's last four digits. */
export function offlineAuthCode(stan: number): string {
  return `Y3${String(stan % 10_000).padStart(4, '0')}`;
}

/** 0220 the first time, 0221 for every repeat. */
export function buildAdvice(advice: AdviceRequest, repeat: boolean): IsoMessage {
  const purchase = buildPurchase(advice);
  const fields = new Map(purchase.fields);
  fields.set(7, transmissionDateTime(advice.transmittedAt));
  fields.set(38, advice.authCode.padEnd(6, ' ').slice(0, 6));
  fields.set(39, advice.offlineResponseCode);
  return createMessage(repeat ? '0221' : '0220', fields);
}

function protocol(reason: string): HostError {
  return new HostError('HOST_PROTOCOL', `advice response: ${reason}`, { detail: { reason } });
}

/** Reads a 0230 for the advice with this STAN and terminal ID. */
export function readAdviceResponse(msg: IsoMessage, expect: ResponseExpectation):
  AdviceResponse {
  if (msg.mti !== '0230') throw protocol(`MTI ${msg.mti} where 0230 was expected`);
  const stan = Number(fieldText(msg, 11) ?? 'NaN');
  if (stan !== expect.stan) throw protocol(`answered for STAN ${stan}, not ${expect.stan}`);
  if ((fieldText(msg, 41) ?? '').trimEnd() !== expect.terminalId.trimEnd()) {
    throw protocol('answered for another terminal');
  }
  const responseCode = fieldText(msg, 39);
  if (responseCode === undefined) throw protocol('no response code (39)');
  return { stan, responseCode, accepted: isApproved(responseCode) };
}
