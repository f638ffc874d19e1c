import type { Logger } from '../log';
import { buildApdu, exchange, swHex, type ResponseApdu } from '../../drivers/card/apdu';
import { TlvError } from '../errors';
import { encodeTlv } from './tlv';

/**
 * The EMV commands the kernel sends (EMV Book 1 11, Book 3 6.5) and the one way it talks to
 * a card: a transmit function, with the T=0 rules of drivers/card/apdu.ts on top.
 */
export interface CardChannel {
  transmit(command: Buffer): Promise<Buffer>;
}

export const SW_OK = 0x9000;
/** Selected file invalidated: on SELECT, the application (or PSE) is blocked. */
export const SW_SELECTED_FILE_INVALIDATED = 0x6283;
/** Conditions of use not satisfied: GPO refusing the transaction in this application. */
export const SW_CONDITIONS_NOT_SATISFIED = 0x6985;
/** Function not supported: on the first SELECT, the card is blocked. */
export const SW_FUNCTION_NOT_SUPPORTED = 0x6a81;
export const SW_FILE_NOT_FOUND = 0x6a82;
export const SW_RECORD_NOT_FOUND = 0x6a83;

/** Le = 00: "as much as you have", which T=0 cards answer with 61xx or 6Cxx. */
const LE_ANY = 0;
/** Short APDUs carry at most 255 data bytes. */
const MAX_COMMAND_DATA = 255;

/** SELECT by DF name (P1 04); P2 00 = first or only occurrence, 02 = next occurrence. */
export function selectCommand(name: Buffer, next = false): Buffer {
  return buildApdu(0x00, 0xa4, 0x04, next ? 0x02 : 0x00, name, LE_ANY);
}

/** READ RECORD: P1 = record number, P2 = SFI in b8..b4 and 100 ("P1 is a record number"). */
export function readRecordCommand(sfi: number, record: number): Buffer {
  return buildApdu(0x00, 0xb2, record, (sfi << 3) | 0x04, undefined, LE_ANY);
}

/** GET PROCESSING OPTIONS with the PDOL data in a '83' template (empty when no PDOL). */
export function gpoCommand(pdolData: Buffer): Buffer {
  return buildApdu(0x80, 0xa8, 0x00, 0x00, checkedData(encodeTlv('83', pdolData), 'PDOL'), LE_ANY);
}

/** GENERATE AC: P1 b8-b7 = cryptogram type asked (00 AAC, 40 TC, 80 ARQC). */
export function generateAcCommand(p1: number, cdolData: Buffer, dolName: string): Buffer {
  return buildApdu(0x80, 0xae, p1, 0x00, checkedData(cdolData, dolName), LE_ANY);
}

/** EXTERNAL AUTHENTICATE with the Issuer Authentication Data (tag 91 value); no Le. */
export function externalAuthenticateCommand(issuerAuthData: Buffer): Buffer {
  return buildApdu(0x00, 0x82, 0x00, 0x00, issuerAuthData);
}

function checkedData(data: Buffer, dolName: string): Buffer {
  if (data.length > MAX_COMMAND_DATA) {
    throw new TlvError('DOL_MALFORMED', `${dolName} asks for more data than a command holds`, {
      detail: { dol: dolName, length: data.length },
    });
  }
  return data;
}

/** Sends one command and logs its name, `context` and status word (never its data). */
export async function send(
  card: CardChannel, command: Buffer, name: string, log: Logger,
  context: Record<string, unknown> = {},
): Promise<ResponseApdu> {
  const response = await exchange(card, command);
  log.debug({ command: name, ...context, sw: swHex(response.sw), length: response.data.length },
    name);
  return response;
}
