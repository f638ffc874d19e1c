import { parseTlv, encodeNodes, type TlvNode } from '../emv/tlv';
import { HostError, RequestError } from '../errors';
import { maskBytes } from '../mask';
import { createMessage, fieldBytes, fieldText, type FieldValue, type IsoMessage }
  from '../iso8583/message';
import { isApproved } from './response-codes';

/**
 * The purchase (0200/0210) as quay sends and reads it. Field numbers follow ISO 8583:1987;
 * what a chip purchase carries is what Vietnamese acquirers usually ask for: track 2
 * equivalent data (35) and the ICC data (55) instead of PAN (2) and expiry (14), which are
 * sent only when the card gave no track 2 equivalent.
 */

export interface PurchaseRequest {
  stan: number;
  /** VND, whole dong. */
  amount: number;
  pan: string;
  panSequence?: string;
  /** YYMM. */
  expiry: string;
  /** Value of tag 57 (track 2 equivalent data), BCD with a D separator and F filler. */
  track2?: Buffer;
  iccData: Buffer;
  /** '051': chip read, PIN entry capability. */
  posEntryMode: string;
  terminalId: string;
  merchantId: string;
  /** Three digits. */
  nii: string;
  localTime: Date;
  invoice?: number;
  batch?: number;
}

export interface PurchaseResponse {
  mti: string;
  stan: number;
  terminalId: string;
  responseCode: string;
  approved: boolean;
  authCode?: string;
  rrn?: string;
  /** Field 55 as received: 91, 8A, 71/72 among others. */
  iccData?: Buffer;
  /** Value of tag 91 from field 55, for EXTERNAL AUTHENTICATE or the second GENERATE AC. */
  issuerAuthData?: Buffer;
  /** Issuer script templates (71, 72), each encoded whole, in the order received. */
  scripts?: Buffer[];
  /** MMDDhhmmss from fields 13 and 12 when the host sent both, else hhmmss from 12. */
  hostTime?: string;
}

/** Processing code 00 (goods and services), from default account, to default account. */
export const PURCHASE_PROCESSING_CODE = '000000';
/** ISO 4217 numeric code of the dong. */
export const VND_CURRENCY = '704';
/** Point of service condition 00: normal presentment, card and cardholder present. */
export const POS_CONDITION_NORMAL = '00';
const MAX_AMOUNT = 999_999_999_999;

function badRequest(field: string, reason: string): RequestError {
  return new RequestError('REQUEST_INVALID', `purchase ${field}: ${reason}`, {
    detail: { field, reason },
  });
}

function checkRequest(req: PurchaseRequest): void {
  if (!Number.isSafeInteger(req.amount) || req.amount <= 0 || req.amount > MAX_AMOUNT) {
    throw new RequestError('AMOUNT_INVALID', undefined, { detail: { field: 'amount' } });
  }
  const sixDigits = (n: number | undefined): boolean =>
    n === undefined || (Number.isInteger(n) && n >= 0 && n <= 999_999);
  if (!sixDigits(req.stan) || req.stan === 0) throw badRequest('stan', 'not 1..999999');
  if (!sixDigits(req.invoice)) throw badRequest('invoice', 'not 0..999999');
  if (!sixDigits(req.batch)) throw badRequest('batch', 'not 0..999999');
  if (!/^\d{3}$/.test(req.posEntryMode)) throw badRequest('posEntryMode', 'not 3 digits');
  if (!/^\d{3}$/.test(req.nii)) throw badRequest('nii', 'not 3 digits');
  if (req.panSequence !== undefined && !/^\d{1,3}$/.test(req.panSequence)) {
    throw badRequest('panSequence', 'not 1 to 3 digits');
  }
  if (!/^[\x20-\x7E]{1,8}$/.test(req.terminalId)) throw badRequest('terminalId', 'not 1..8 chars');
  if (!/^[\x20-\x7E]{1,15}$/.test(req.merchantId)) {
    throw badRequest('merchantId', 'not 1..15 chars');
  }
  if (req.iccData.length === 0) throw badRequest('iccData', 'empty');
}

/** Tag 57 to the track 2 string of field 35: hex nibbles, separator D, trailing F dropped. */
export function track2Text(track2: Buffer): string {
  const text = track2.toString('hex').toUpperCase().replace(/F$/, '');
  if (!/^\d{12,19}D\d{4,}$/.test(text)) {
    throw badRequest('track2', `not track 2 data (${maskBytes(track2)})`);
  }
  return text;
}

function digits(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function localTimeFields(time: Date): [string, string] {
  const hhmmss = digits(time.getHours(), 2) + digits(time.getMinutes(), 2)
    + digits(time.getSeconds(), 2);
  return [hhmmss, digits(time.getMonth() + 1, 2) + digits(time.getDate(), 2)];
}

/** The card fields: 35 when the card gave track 2 equivalent data, else 2 and 14. */
function cardFields(req: PurchaseRequest): Array<[number, FieldValue]> {
  if (req.track2 !== undefined) return [[35, track2Text(req.track2)]];
  if (!/^\d{12,19}$/.test(req.pan)) throw badRequest('pan', 'not 12..19 digits');
  if (!/^\d{4}$/.test(req.expiry)) throw badRequest('expiry', 'not YYMM');
  return [[2, req.pan], [14, req.expiry]];
}

/** The authorisation request, MTI 0200, processing code 000000. */
export function buildPurchase(req: PurchaseRequest): IsoMessage {
  checkRequest(req);
  const [time, date] = localTimeFields(req.localTime);
  const message = createMessage('0200', [
    [3, PURCHASE_PROCESSING_CODE],
    [4, digits(req.amount, 12)],
    [11, digits(req.stan, 6)],
    [12, time],
    [13, date],
    [22, req.posEntryMode],
    [24, req.nii],
    [25, POS_CONDITION_NORMAL],
    [41, req.terminalId.padEnd(8, ' ')],
    [42, req.merchantId.padEnd(15, ' ')],
    [49, VND_CURRENCY],
    [55, req.iccData],
    ...cardFields(req),
  ]);
  if (req.panSequence !== undefined) message.fields.set(23, req.panSequence.padStart(3, '0'));
  if (req.batch !== undefined) message.fields.set(60, digits(req.batch, 6));
  if (req.invoice !== undefined) message.fields.set(62, digits(req.invoice, 6));
  return message;
}

/**
 * The reversal of a purchase: the original request's fields under MTI 0400, or 0401 when it
 * is sent again, with the original STAN in field 11 so that the host finds what to undo.
 */
export function buildReversal(original: PurchaseRequest, repeat: boolean): IsoMessage {
  const purchase = buildPurchase(original);
  return createMessage(repeat ? '0401' : '0400', purchase.fields);
}

export interface ReversalResponse {
  stan: number;
  responseCode: string;
}

/**
 * Reads a 0410. Any response code acknowledges the reversal: 00 when the host undid the
 * approval, others (25: no original found) when there was nothing to undo.
 */
export function readReversalResponse(msg: IsoMessage, expect: ResponseExpectation):
  ReversalResponse {
  if (msg.mti !== '0410') {
    throw protocol(`MTI ${msg.mti} where 0410 was expected`, { mti: msg.mti });
  }
  const stan = Number(fieldText(msg, 11) ?? 'NaN');
  if (stan !== expect.stan) throw protocol(`reversal answered for STAN ${stan}`);
  if ((fieldText(msg, 41) ?? '').trimEnd() !== expect.terminalId.trimEnd()) {
    throw protocol('reversal answered for another terminal');
  }
  const responseCode = fieldText(msg, 39);
  if (responseCode === undefined) throw protocol('no response code (39)');
  return { stan, responseCode };
}

function protocol(reason: string, detail: Record<string, unknown> = {},
  cause?: unknown): HostError {
  return new HostError('HOST_PROTOCOL', `purchase response: ${reason}`, {
    detail: { reason, ...detail }, cause,
  });
}

export interface ResponseExpectation {
  stan: number;
  terminalId: string;
}

function readIccData(iccData: Buffer | undefined): Pick<PurchaseResponse,
  'iccData' | 'issuerAuthData' | 'scripts'> {
  if (iccData === undefined) return {};
  let nodes: TlvNode[];
  try {
    nodes = parseTlv(iccData);
  } catch (err) {
    throw protocol('field 55 is not BER-TLV', { raw: maskBytes(iccData) }, err);
  }
  const out: ReturnType<typeof readIccData> = { iccData };
  const tag91 = nodes.find((node) => node.tag === '91');
  if (tag91) out.issuerAuthData = tag91.value;
  const scripts = nodes.filter((node) => node.tag === '71' || node.tag === '72');
  if (scripts.length > 0) out.scripts = scripts.map((node) => encodeNodes([node]));
  return out;
}

/**
 * Reads a 0210. The MTI must be 0210 and field 39 present; with `expect`, STAN (11) and
 * terminal ID (41, trailing spaces ignored) must be the request's. Otherwise HOST_PROTOCOL.
 */
export function readPurchaseResponse(msg: IsoMessage, expect?: ResponseExpectation):
  PurchaseResponse {
  if (msg.mti !== '0210') {
    throw protocol(`MTI ${msg.mti} where 0210 was expected`, { mti: msg.mti });
  }
  const stanText = fieldText(msg, 11);
  if (stanText === undefined || !/^\d{6}$/.test(stanText)) throw protocol('no STAN (11)');
  const stan = Number(stanText);
  const terminalId = (fieldText(msg, 41) ?? '').trimEnd();
  if (expect && stan !== expect.stan) {
    throw protocol(`STAN ${stan} where ${expect.stan} was sent`, { stan, expected: expect.stan });
  }
  if (expect && terminalId !== expect.terminalId.trimEnd()) {
    throw protocol(`terminal ID ${terminalId} where ${expect.terminalId} was sent`);
  }
  const responseCode = fieldText(msg, 39);
  if (responseCode === undefined) throw protocol('no response code (39)');
  const response: PurchaseResponse = {
    mti: msg.mti, stan, terminalId, responseCode, approved: isApproved(responseCode),
    ...readIccData(fieldBytes(msg, 55)),
  };
  const authCode = fieldText(msg, 38)?.trimEnd();
  if (authCode) response.authCode = authCode;
  const rrn = fieldText(msg, 37)?.trimEnd();
  if (rrn) response.rrn = rrn;
  const time = fieldText(msg, 12);
  const date = fieldText(msg, 13);
  if (time !== undefined) response.hostTime = date === undefined ? time : date + time;
  return response;
}
