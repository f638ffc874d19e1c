import { CardError } from '../../src/errors';
import { maskBytes } from '../../src/mask';
import type { CardSession } from './types';

/**
 * Command and response APDUs (ISO/IEC 7816-4, short length fields only: EMV never needs the
 * extended ones) and the T=0 exchange rules a terminal applies on top of raw transmit.
 */

export interface ResponseApdu {
  data: Buffer;
  sw: number;
  sw1: number;
  sw2: number;
}

/** The four command cases of ISO 7816-3: 1 no data no Le, 2 Le only, 3 data only, 4 both. */
export type ApduCase = 1 | 2 | 3 | 4;

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  case: ApduCase;
  /** Command data (empty for cases 1 and 2). */
  data: Buffer;
  /** Expected length, 1..256 (a coded 00 means 256); undefined for cases 1 and 3. */
  le?: number;
}

/** GET RESPONSE (ISO 7816-4 INS C0), sent with CLA 00 as EMV Book 1 does for T=0. */
const INS_GET_RESPONSE = 0xc0;

/**
 * A card that keeps answering 61xx or 6Cxx would make the loop endless; 256 GET RESPONSE
 * rounds is far beyond any EMV object (records and certificates fit in one or two).
 */
const MAX_ROUNDS = 256;

/**
 * Builds a short APDU. `data` of 1..255 bytes becomes Lc + data; `le` of 1..256 (or 0, which
 * means "up to 256" as in EMV's Le = 00) is coded in one byte, 256 and 0 both as 00.
 */
export function buildApdu(
  cla: number, ins: number, p1: number, p2: number, data?: Buffer, le?: number,
): Buffer {
  for (const [name, value] of [['cla', cla], ['ins', ins], ['p1', p1], ['p2', p2]] as const) {
    if (!Number.isInteger(value) || value < 0 || value > 0xff) {
      throw new RangeError(`APDU ${name} must be a byte, got ${value}`);
    }
  }
  const parts: Buffer[] = [Buffer.from([cla, ins, p1, p2])];
  if (data !== undefined && data.length > 0) {
    if (data.length > 255) {
      throw new RangeError(`APDU data is ${data.length} bytes; short APDUs hold at most 255`);
    }
    parts.push(Buffer.from([data.length]), data);
  }
  if (le !== undefined) {
    if (!Number.isInteger(le) || le < 0 || le > 256) {
      throw new RangeError(`APDU Le must be 0..256, got ${le}`);
    }
    parts.push(Buffer.from([le & 0xff]));
  }
  return Buffer.concat(parts);
}

/**
 * Reads a short command APDU and decides its case from the length alone (ISO 7816-3 12.1.3).
 * Returns undefined when the length bytes do not fit the command (or it is extended-length).
 */
export function parseCommandApdu(command: Buffer): CommandApdu | undefined {
  if (command.length < 4) return undefined;
  const [cla, ins, p1, p2] = [command[0]!, command[1]!, command[2]!, command[3]!];
  const header = { cla, ins, p1, p2 };
  if (command.length === 4) return { ...header, case: 1, data: Buffer.alloc(0) };

  const b5 = command[4]!;
  if (command.length === 5) return { ...header, case: 2, data: Buffer.alloc(0), le: b5 || 256 };

  // A first length byte of 00 followed by more bytes announces extended lengths.
  if (b5 === 0) return undefined;
  const data = command.subarray(5, 5 + b5);
  if (command.length === 5 + b5) return { ...header, case: 3, data };
  if (command.length === 6 + b5) {
    return { ...header, case: 4, data, le: command[5 + b5]! || 256 };
  }
  return undefined;
}

/** Splits a raw response into data and status word; CARD_UNRESPONSIVE when it has no SW. */
export function parseResponse(response: Buffer): ResponseApdu {
  if (response.length < 2) {
    throw new CardError('CARD_UNRESPONSIVE', 'The card answered without a status word', {
      detail: { responseLength: response.length },
    });
  }
  const sw1 = response[response.length - 2]!;
  const sw2 = response[response.length - 1]!;
  return { data: response.subarray(0, response.length - 2), sw: (sw1 << 8) | sw2, sw1, sw2 };
}

/** Four upper-case hex digits of a status word, for logs and error detail. */
export function swHex(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}

/** The same command with its Le replaced (or added, for cases 1 and 3). */
export function withLe(command: Buffer, le: number): Buffer {
  const parsed = parseCommandApdu(command);
  if (parsed === undefined) {
    throw new CardError('CARD_STATUS', 'Cannot correct Le of a malformed command', {
      detail: { command: maskBytes(command) },
    });
  }
  const { cla, ins, p1, p2, data } = parsed;
  return buildApdu(cla, ins, p1, p2, data, le === 0 ? 256 : le);
}

/** Only a T=0 session can leave a case-4 answer behind a warning; T=1 carries it at once. */
function isT0(session: Pick<CardSession, 'transmit'>): boolean {
  return (session as Partial<CardSession>).protocol === 'T0';
}

function isWarningWithoutData(response: ResponseApdu): boolean {
  return response.data.length === 0 && (response.sw1 === 0x62 || response.sw1 === 0x63);
}

/**
 * EMV Book 1 annex A (T=0, case 4): a card that answers a warning (62xx, 63xx) before its data
 * still holds the data; GET RESPONSE with Le 00 fetches it, and the warning stands as the
 * command's status (SELECT 6283 with the FCI of a blocked application). When the card has
 * nothing to give, the warning alone is the answer.
 */
async function fetchAfterWarning(session: Pick<CardSession, 'transmit'>,
  warning: ResponseApdu): Promise<ResponseApdu> {
  const fetched = await exchange(session,
    buildApdu(0x00, INS_GET_RESPONSE, 0x00, 0x00, undefined, 256));
  if (fetched.sw !== 0x9000) return warning;
  return { ...warning, data: fetched.data };
}

/**
 * Sends one command with the T=0 rules of EMV Book 1 9.3 / ISO 7816-4 5.1.3:
 * - 61xx: the card holds xx more bytes (00 = 256); fetch them with GET RESPONSE, as often as
 *   the card keeps answering 61xx, concatenating the data.
 * - 6Cxx: wrong Le; send the same command again with Le = xx (once per command).
 * - on a T=0 session, 62xx or 63xx without data to a case-4 command: GET RESPONSE for the
 *   data, keeping the warning (fetchAfterWarning).
 * Case-4 commands are sent as given: mapping them onto T=0 TPDUs is the reader driver's job.
 */
export async function exchange(
  session: Pick<CardSession, 'transmit'>, command: Buffer,
): Promise<ResponseApdu> {
  const chunks: Buffer[] = [];
  let next = command;
  let leCorrected = false;

  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const response = parseResponse(await session.transmit(next));
    if (response.sw1 === 0x6c && !leCorrected) {
      leCorrected = true;
      next = withLe(next, response.sw2);
      continue;
    }
    if (round === 0 && isT0(session) && isWarningWithoutData(response)
      && parseCommandApdu(command)?.case === 4) {
      return fetchAfterWarning(session, response);
    }
    chunks.push(response.data);
    if (response.sw1 !== 0x61) {
      return { ...response, data: Buffer.concat(chunks) };
    }
    leCorrected = false;
    next = buildApdu(0x00, INS_GET_RESPONSE, 0x00, 0x00, undefined, response.sw2 || 256);
  }

  throw new CardError('CARD_UNRESPONSIVE', 'The card kept asking for GET RESPONSE', {
    detail: { command: maskBytes(command), rounds: MAX_ROUNDS },
  });
}
