import type { Logger } from '../log';
import { CardError, TlvError } from '../errors';
import { maskBytes } from '../mask';
import { swHex } from '../../drivers/card/apdu';
import { gpoCommand, send, SW_CONDITIONS_NOT_SATISFIED, SW_OK, type CardChannel } from './commands';
import type { TagValues } from './cryptogram';
import { buildDolData, parseDol, type DolSource } from './dol';
import { parseTlvFrom } from './tlv';

/**
 * Initiate application processing (EMV Book 3 10.1): GET PROCESSING OPTIONS with the PDOL
 * data; the card answers with its Application Interchange Profile and Application File
 * Locator.
 */
export interface AflEntry {
  sfi: number;
  first: number;
  last: number;
  /** How many records from `first` on are signed for offline data authentication. */
  odaCount: number;
}

export interface ProcessingOptions {
  aip: Buffer;
  afl: AflEntry[];
  /** 82 and 94, plus any other object of a format 2 answer. */
  tags: TagValues;
  /** The PDOL data sent (the value of 83), which CDA's transaction data hash covers. */
  pdolData?: Buffer;
}

/** AIP byte 1 bits (Book 3 annex C1). */
export const AIP = {
  SDA: 0x40,
  DDA: 0x20,
  CARDHOLDER_VERIFICATION: 0x10,
  TERMINAL_RISK_MANAGEMENT: 0x08,
  ISSUER_AUTHENTICATION: 0x04,
  CDA: 0x01,
} as const;

function aflError(reason: string, afl: Buffer, entry?: number): TlvError {
  return new TlvError('TLV_MALFORMED', `Application File Locator: ${reason}`, {
    detail: { tag: '94', reason, entry, afl: afl.toString('hex').toUpperCase() },
  });
}

/**
 * Splits an AFL into its 4-byte entries and checks each (Book 3 10.2): SFI 1..30, first record
 * at least 1, last not before first, no more ODA records than records.
 */
export function parseAfl(afl: Buffer): AflEntry[] {
  if (afl.length % 4 !== 0) throw aflError('length is not a multiple of 4', afl);
  const entries: AflEntry[] = [];
  for (let offset = 0; offset < afl.length; offset += 4) {
    const index = offset / 4;
    const sfi = afl[offset]! >> 3;
    const [first, last, odaCount] = [afl[offset + 1]!, afl[offset + 2]!, afl[offset + 3]!];
    if (sfi < 1 || sfi > 30) throw aflError(`SFI ${sfi} out of 1..30`, afl, index);
    if (first < 1) throw aflError('first record is 0', afl, index);
    if (last < first) throw aflError('last record before first', afl, index);
    if (odaCount > last - first + 1) throw aflError('more ODA records than records', afl, index);
    entries.push({ sfi, first, last, odaCount });
  }
  return entries;
}

function missing(tag: string): CardError {
  return new CardError('CARD_DATA_MISSING', `GET PROCESSING OPTIONS answer lacks ${tag}`, {
    detail: { command: 'GET PROCESSING OPTIONS', tag },
  });
}

/** Reads a GPO answer: format 1 (80: AIP || AFL) or format 2 (77 with 82 and 94). */
export function parseGpoResponse(data: Buffer): ProcessingOptions {
  const nodes = parseTlvFrom(data, { command: 'GET PROCESSING OPTIONS' });
  const template = nodes[0];
  if (nodes.length !== 1 || template === undefined) {
    throw new TlvError('TLV_MALFORMED', 'GET PROCESSING OPTIONS answer is not one template', {
      detail: { command: 'GET PROCESSING OPTIONS', data: maskBytes(data) },
    });
  }
  if (template.tag === '80') {
    if (template.value.length < 2) throw missing('82');
    const aip = template.value.subarray(0, 2);
    const aflBytes = template.value.subarray(2);
    return { aip, afl: parseAfl(aflBytes), tags: { '82': aip, '94': aflBytes } };
  }
  if (template.tag === '77' && template.children !== undefined) {
    const tags: TagValues = {};
    for (const node of template.children) tags[node.tag] ??= node.value;
    const aip = tags['82'];
    const aflBytes = tags['94'];
    if (aip === undefined) throw missing('82');
    if (aflBytes === undefined) throw missing('94');
    if (aip.length !== 2) {
      throw new TlvError('TLV_MALFORMED', 'Application Interchange Profile is not 2 bytes', {
        detail: { command: 'GET PROCESSING OPTIONS', tag: '82', length: aip.length },
      });
    }
    return { aip, afl: parseAfl(aflBytes), tags };
  }
  throw new TlvError('TLV_MALFORMED', 'GET PROCESSING OPTIONS answer has no 80 or 77 template', {
    detail: { command: 'GET PROCESSING OPTIONS', tag: template.tag },
  });
}

/**
 * Sends GET PROCESSING OPTIONS. Undefined when the card answers 6985 (this application
 * cannot be used for the transaction: the terminal goes back to selection); CARD_STATUS for
 * any other refusal.
 */
export async function getProcessingOptions(
  card: CardChannel, pdol: Buffer | undefined, source: DolSource, log: Logger,
): Promise<ProcessingOptions | undefined> {
  const pdolData = pdol === undefined
    ? Buffer.alloc(0)
    : buildDolData(parseDol(pdol, 'PDOL'), source);
  const response = await send(card, gpoCommand(pdolData), 'GET PROCESSING OPTIONS', log);
  if (response.sw === SW_CONDITIONS_NOT_SATISFIED) return undefined;
  if (response.sw !== SW_OK) {
    throw new CardError('CARD_STATUS', 'The card refused GET PROCESSING OPTIONS', {
      detail: { command: 'GET PROCESSING OPTIONS', sw: swHex(response.sw) },
    });
  }
  const options: ProcessingOptions = { ...parseGpoResponse(response.data), pdolData };
  log.debug({ aip: options.aip.toString('hex'), afl: options.afl }, 'processing options');
  return options;
}
