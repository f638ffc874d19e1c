import { parseTlv, encodeNodes, type TlvNode } from '../emv/tlv';
import { HostError, RequestError } from '../errors';
import { maskBytes } from '../mask';
import { createMessage, fieldData, fieldText, type FieldValue, type IsoMessage }
  from '../iso8583/message';
import { isApproved } from './response-codes';
import { digits, localTimeFields } from './fields';

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
  /**
   * The encrypted PIN block exactly as the PIN pad produced it (field 52, 8 bytes): quay never
   * builds, opens or sees a clear PIN.
   */
  pinBlock?: Buffer;
  /** The PIN pad's DUKPT key serial number for that PIN block (field 53, 10 bytes). */
  ksn?: Buffer;
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
  checkPinData(req);
}

const PIN_BLOCK_BYTES = 8;
const KSN_BYTES = 10;

/** Only the lengths are checked: the bytes are the PIN pad's and are passed on untouched. */
function checkPinData(req: PurchaseRequest): void {
  if (req.pinBlock !== undefined
    && (!Buffer.isBuffer(req.pinBlock) || req.pinBlock.length !== PIN_BLOCK_BYTES)) {
    throw badRequest('pinBlock', `not ${PIN_BLOCK_BYTES} bytes`);
  }
  if (req.ksn === undefined) return;
  if (req.pinBlock === undefined) throw badRequest('ksn', 'a KSN without a PIN block');
  if (!Buffer.isBuffer(req.ksn) || req.ksn.length !== KSN_BYTES) {
    throw badRequest('ksn', `not ${KSN_BYTES} bytes`);
  }
}

/** Tag 57 to the track 2 string of field 35: hex nibbles, separator D, trailing F dropped. */
export function track2Text(track2: Buffer): string {
  const text = track2.toString('hex').toUpperCase().replace(/F$/, '');
  if (!/^\d{12,19}D\d{4,}$/.test(text)) {
    throw badRequest('track2', `not track 2 data (${maskBytes(track2)})`);
  }
  return text;
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
  if (req.pinBlock !== undefined) message.fields.set(52, Buffer.from(req.pinBlock));
  if (req.ksn !== undefined) message.fields.set(53, Buffer.from(req.ksn));
  return message;
}

/**
 * The reversal of a purchase: the original request's fields under MTI 0400, or 0401 when it
 * is sent again, with the original STAN in field 11 so that the host finds what to undo.
 */
export function buildReversal(original: PurchaseRequest, repeat: boolean): IsoMessage {
  // A reversal undoes the approval; it verifies no cardholder, so it carries no PIN data.
  const purchase = buildPurchase({ ...original, pinBlock: undefined, ksn: undefined });
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
    ...readIccData(fieldData(msg, 55)),
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

/*
 * Void and refund: 0200 requests told apart by their processing code, each referring to the
 * approval it adjusts by that approval's RRN (37). A void takes a sale back before its batch
 * settles: it carries the original amount and approval code (38), and the card number the
 * journal kept sealed (no card needed). A refund gives back all or part of a sale, with the
 * card present; the bank keeps the refunds of one sale within its amount.
 */

/** Processing code 02: void of a sale (goods and services), default accounts. */
export const VOID_PROCESSING_CODE = '020000';
/** Processing code 20: refund (return), default accounts. */
export const REFUND_PROCESSING_CODE = '200000';
/** POS entry mode of a void: PAN from the terminal's own record (01), no PIN entered (2). */
export const VOID_POS_ENTRY_MODE = '012';

/** The approval a void or refund refers to, as the journal keeps it. */
export interface OriginalApproval {
  /** Field 37 of the approval's answer. */
  rrn: string;
  /** Field 38 of the approval's answer. */
  authCode: string;
  /** The approved amount, whole dong. */
  amount: number;
  /** The approval's invoice number (its field 62). */
  invoice?: number;
}

interface AdjustmentBase {
  stan: number;
  terminalId: string;
  merchantId: string;
  nii: string;
  localTime: Date;
  batch?: number;
  original: OriginalApproval;
}

export interface VoidRequest extends AdjustmentBase {
  /** The card number of the original (the journal's sealed copy). */
  pan: string;
  /** YYMM, when known. */
  expiry?: string;
  /** Default VOID_POS_ENTRY_MODE. */
  posEntryMode?: string;
}

export interface RefundRequest extends AdjustmentBase {
  /** Whole dong; at most the original amount. */
  amount: number;
  pan: string;
  panSequence?: string;
  /** YYMM. */
  expiry: string;
  /** Tag 57 of the card, when it gave one: then field 35 is sent instead of 2 and 14. */
  track2?: Buffer;
  /** Field 55 of the card's answer to the refund, when it was read. */
  iccData?: Buffer;
  posEntryMode: string;
  /** The refund's own invoice number. */
  invoice?: number;
}

function adjustmentError(kind: string, field: string, reason: string): RequestError {
  return new RequestError('REQUEST_INVALID', `${kind} ${field}: ${reason}`, {
    detail: { kind, field, reason },
  });
}

function checkAdjustment(kind: 'void' | 'refund', req: AdjustmentBase): void {
  const bad = (field: string, reason: string) => adjustmentError(kind, field, reason);
  const inRange = (n: number | undefined, min: number): boolean =>
    n === undefined || (Number.isInteger(n) && n >= min && n <= 999_999);
  if (!inRange(req.stan, 1)) throw bad('stan', 'not 1..999999');
  if (!inRange(req.batch, 0)) throw bad('batch', 'not 0..999999');
  if (!inRange(req.original.invoice, 0)) throw bad('original.invoice', 'not 0..999999');
  if (!/^\d{3}$/.test(req.nii)) throw bad('nii', 'not 3 digits');
  if (!/^[\x20-\x7E]{1,8}$/.test(req.terminalId)) throw bad('terminalId', 'not 1..8 chars');
  if (!/^[\x20-\x7E]{1,15}$/.test(req.merchantId)) throw bad('merchantId', 'not 1..15 chars');
  if (!/^[\x20-\x7E]{1,12}$/.test(req.original.rrn.trimEnd())) {
    throw bad('original.rrn', 'not 1..12 chars');
  }
  const amount = req.original.amount;
  if (!Number.isSafeInteger(amount) || amount <= 0 || amount > MAX_AMOUNT) {
    throw bad('original.amount', 'not a whole amount above zero');
  }
}

/** Fields both adjustments carry: numbers, times, terminal, currency, the original's RRN. */
function adjustmentFields(processingCode: string, amount: number, req: AdjustmentBase):
  Array<[number, FieldValue]> {
  const [time, date] = localTimeFields(req.localTime);
  const fields: Array<[number, FieldValue]> = [
    [3, processingCode],
    [4, digits(amount, 12)],
    [11, digits(req.stan, 6)],
    [12, time],
    [13, date],
    [24, req.nii],
    [25, POS_CONDITION_NORMAL],
    [37, req.original.rrn.trimEnd().padEnd(12, ' ')],
    [41, req.terminalId.padEnd(8, ' ')],
    [42, req.merchantId.padEnd(15, ' ')],
    [49, VND_CURRENCY],
  ];
  if (req.batch !== undefined) fields.push([60, digits(req.batch, 6)]);
  return fields;
}

/** The void of an approved sale: 0200, processing code 020000, the original amount. */
export function buildVoid(req: VoidRequest): IsoMessage {
  checkAdjustment('void', req);
  const bad = (field: string, reason: string) => adjustmentError('void', field, reason);
  if (!/^\d{12,19}$/.test(req.pan)) throw bad('pan', 'not 12..19 digits');
  if (req.expiry !== undefined && !/^\d{4}$/.test(req.expiry)) throw bad('expiry', 'not YYMM');
  const entryMode = req.posEntryMode ?? VOID_POS_ENTRY_MODE;
  if (!/^\d{3}$/.test(entryMode)) throw bad('posEntryMode', 'not 3 digits');
  if (!/^[\x20-\x7E]{1,6}$/.test(req.original.authCode.trimEnd())) {
    throw bad('original.authCode', 'not 1..6 chars');
  }
  const message = createMessage('0200', [
    ...adjustmentFields(VOID_PROCESSING_CODE, req.original.amount, req),
    [2, req.pan],
    [22, entryMode],
    [38, req.original.authCode.trimEnd().padEnd(6, ' ')],
  ]);
  if (req.expiry !== undefined) message.fields.set(14, req.expiry);
  // The host's key to the original is the RRN; the invoice lets it print the same number.
  if (req.original.invoice !== undefined) {
    message.fields.set(62, digits(req.original.invoice, 6));
  }
  return message;
}

/** A refund of all or part of an approved sale: 0200, processing code 200000. */
export function buildRefund(req: RefundRequest): IsoMessage {
  checkAdjustment('refund', req);
  const bad = (field: string, reason: string) => adjustmentError('refund', field, reason);
  if (!Number.isSafeInteger(req.amount) || req.amount <= 0) {
    throw new RequestError('AMOUNT_INVALID', undefined, { detail: { field: 'amount' } });
  }
  if (req.amount > req.original.amount) {
    throw bad('amount', `${req.amount} is more than the original ${req.original.amount}`);
  }
  if (!/^\d{3}$/.test(req.posEntryMode)) throw bad('posEntryMode', 'not 3 digits');
  if (req.panSequence !== undefined && !/^\d{1,3}$/.test(req.panSequence)) {
    throw bad('panSequence', 'not 1 to 3 digits');
  }
  if (!inSixDigits(req.invoice)) throw bad('invoice', 'not 0..999999');
  const card = req.track2 !== undefined ? [[35, track2Text(req.track2)] as [number, FieldValue]]
    : cardFields({ pan: req.pan, expiry: req.expiry } as PurchaseRequest);
  const message = createMessage('0200', [
    ...adjustmentFields(REFUND_PROCESSING_CODE, req.amount, req),
    [22, req.posEntryMode],
    ...card,
  ]);
  if (req.panSequence !== undefined) message.fields.set(23, req.panSequence.padStart(3, '0'));
  if (req.iccData !== undefined && req.iccData.length > 0) message.fields.set(55, req.iccData);
  if (req.invoice !== undefined) message.fields.set(62, digits(req.invoice, 6));
  return message;
}

function inSixDigits(n: number | undefined): boolean {
  return n === undefined || (Number.isInteger(n) && n >= 0 && n <= 999_999);
}

/**
 * The reversal of any request already built (a void or refund whose answer never came): the
 * same fields under 0400, or 0401 when sent again, without PIN data.
 */
export function reversalOf(request: IsoMessage, repeat: boolean): IsoMessage {
  const fields = new Map(request.fields);
  fields.delete(52);
  fields.delete(53);
  return createMessage(repeat ? '0401' : '0400', fields);
}

/**
 * Reads the 0210 of a void or refund: as readPurchaseResponse, and the processing code, when
 * the host echoes it, must be the one sent.
 */
export function readAdjustmentResponse(msg: IsoMessage,
  expect: ResponseExpectation & { processingCode: string }): PurchaseResponse {
  const response = readPurchaseResponse(msg, expect);
  const code = fieldText(msg, 3);
  if (code !== undefined && code !== expect.processingCode) {
    throw protocol(`processing code ${code} where ${expect.processingCode} was sent`);
  }
  return response;
}
