import type { Logger } from '../log';
import { CardError, TlvError } from '../errors';
import { maskBytes } from '../mask';
import { swHex } from '../../drivers/card/apdu';
import { generateAcCommand, send, SW_OK, type CardChannel } from './commands';
import type { TagValues } from './cryptogram';
import { parseTlvFrom } from './tlv';

/**
 * GENERATE AC (EMV Book 3 6.5.5): the terminal asks for a cryptogram type, the card answers
 * with the type it chose (never a higher one), its ATC, the cryptogram and its Issuer
 * Application Data.
 */
export type CryptogramType = 'AAC' | 'TC' | 'ARQC';

/** P1 b8-b7 and CID b8-b7 share this coding. */
export const CRYPTOGRAM_P1: Record<CryptogramType, number> = { AAC: 0x00, TC: 0x40, ARQC: 0x80 };

/**
 * A card may answer with the type asked for or a more cautious one, never a bolder one
 * (Book 3 6.5.5.4): AAC (decline) < ARQC (go online) < TC (approve offline).
 */
const RANK: Record<CryptogramType, number> = { AAC: 0, ARQC: 1, TC: 2 };

export interface AcResponse {
  cid: number;
  type: CryptogramType;
  atc: Buffer;
  cryptogram: Buffer;
  iad?: Buffer;
  /** 9F27, 9F36, 9F26, 9F10 and any other object of a format 2 answer. */
  tags: TagValues;
  /**
   * The value of the 77 template as received, when it holds a CDA signature (9F4B); the
   * cryptogram is then inside the signature and `cryptogram` is empty until it is verified.
   */
  signed?: Buffer;
}

/** GENERATE AC P1 b5: "CDA signature requested" (Book 3 table 12). */
export const P1_CDA_REQUESTED = 0x10;

function typeOf(cid: number): CryptogramType | undefined {
  switch (cid & 0xc0) {
    case 0x00: return 'AAC';
    case 0x40: return 'TC';
    case 0x80: return 'ARQC';
    default: return undefined;
  }
}

function malformed(reason: string, data: Buffer): TlvError {
  return new TlvError('TLV_MALFORMED', `GENERATE AC answer: ${reason}`, {
    detail: { command: 'GENERATE AC', reason, data: maskBytes(data) },
  });
}

function fromFormat1(value: Buffer, data: Buffer): TagValues {
  // CID (1) || ATC (2) || AC (8) || IAD (0..32)
  if (value.length < 11 || value.length > 43) throw malformed('format 1 length', data);
  const tags: TagValues = {
    '9F27': value.subarray(0, 1), '9F36': value.subarray(1, 3), '9F26': value.subarray(3, 11),
  };
  if (value.length > 11) tags['9F10'] = value.subarray(11);
  return tags;
}

function fromFormat2(children: { tag: string; value: Buffer }[], data: Buffer): TagValues {
  const tags: TagValues = {};
  for (const node of children) tags[node.tag] ??= node.value;
  for (const [tag, length] of [['9F27', 1], ['9F36', 2], ['9F26', 8]] as const) {
    const value = tags[tag];
    // With CDA the cryptogram travels inside the signature (Book 2 6.6.1).
    if (value === undefined && tag === '9F26' && tags['9F4B'] !== undefined) continue;
    if (value === undefined) {
      throw new CardError('CARD_DATA_MISSING', `GENERATE AC answer lacks ${tag}`, {
        detail: { command: 'GENERATE AC', tag },
      });
    }
    if (value.length !== length) throw malformed(`${tag} is ${value.length} bytes`, data);
  }
  return tags;
}

/** Reads a GENERATE AC answer in format 1 (80) or format 2 (77). */
export function parseGenerateAcResponse(data: Buffer): AcResponse {
  const nodes = parseTlvFrom(data, { command: 'GENERATE AC' });
  const template = nodes[0];
  if (nodes.length !== 1 || template === undefined) throw malformed('not one template', data);
  let tags: TagValues;
  if (template.tag === '80') tags = fromFormat1(template.value, data);
  else if (template.tag === '77' && template.children) tags = fromFormat2(template.children, data);
  else throw malformed(`template ${template.tag}`, data);

  const cid = tags['9F27']![0]!;
  const type = typeOf(cid);
  if (type === undefined) throw malformed('reserved cryptogram type', data);
  return {
    cid, type, atc: tags['9F36']!, cryptogram: tags['9F26'] ?? Buffer.alloc(0),
    iad: tags['9F10'], tags,
    ...(tags['9F4B'] !== undefined ? { signed: template.value } : {}),
  };
}

/**
 * Sends GENERATE AC asking for `requested` and checks that the card did not answer with a
 * higher type than asked, nor with an ARQC to a second GENERATE AC (Book 3 6.5.5.4, 9.3).
 */
export async function generateAc(
  card: CardChannel, requested: CryptogramType, cdolData: Buffer, second: boolean, log: Logger,
  cda = false,
): Promise<AcResponse> {
  const dolName = second ? 'CDOL2' : 'CDOL1';
  const name = second ? 'GENERATE AC (second)' : 'GENERATE AC (first)';
  const response = await send(card, generateAcCommand(
    CRYPTOGRAM_P1[requested] | (cda ? P1_CDA_REQUESTED : 0), cdolData, dolName),
    name, log);
  if (response.sw !== SW_OK) {
    throw new CardError('CARD_STATUS', 'The card refused GENERATE AC', {
      detail: { command: name, sw: swHex(response.sw) },
    });
  }
  const answer = parseGenerateAcResponse(response.data);
  if (RANK[answer.type] > RANK[requested] || (second && answer.type === 'ARQC')) {
    throw new CardError('CARD_STATUS', `The card answered ${requested} with ${answer.type}`, {
      detail: { command: name, requested, answered: answer.type },
    });
  }
  log.debug({ command: name, type: answer.type, cid: answer.cid,
    atc: answer.atc.toString('hex') }, 'cryptogram');
  return answer;
}
