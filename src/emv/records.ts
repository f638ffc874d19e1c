import type { Logger } from '../log';
import { CardError, TlvError } from '../errors';
import { maskBytes } from '../mask';
import { swHex } from '../../drivers/card/apdu';
import { readRecordCommand, send, SW_OK, type CardChannel } from './commands';
import type { TagValues } from './cryptogram';
import type { AflEntry } from './gpo';
import { parseTlv, parseTlvFrom, type TlvNode } from './tlv';

/**
 * Read application data (EMV Book 3 10.2): every record the AFL names, in AFL order. Records
 * of SFI 1..10 must each be one 70 template; the objects in them become the card's data, and
 * the records flagged in the AFL are kept for offline data authentication exactly as the
 * issuer signed them (Book 3 10.3: the value of 70 for SFI 1..10, the whole record for SFI
 * 11..30).
 */
export interface RecordRead {
  sfi: number;
  record: number;
  data: Buffer;
}

export interface ApplicationData {
  records: RecordRead[];
  odaRecords: Buffer[];
  /** Objects found in the records; the first occurrence of a tag wins. */
  tags: TagValues;
}

/** Data objects a card must provide (Book 3 7.2), the PAN being 5A or inside 57. */
const MANDATORY = ['5F24', '8C', '8D'] as const;
/** A second copy of one of these cannot be resolved by taking the first. */
const NO_DUPLICATE = new Set(['5A', '57', '5F24', '8C', '8D']);
/** SFIs 1..10 hold EMV data in 70 templates; 11..30 are the issuer's own format. */
const LAST_EMV_SFI = 10;

/** The 70 template of a record of SFI 1..10; TlvError when the record is anything else. */
function recordTemplate(data: Buffer, sfi: number, record: number): TlvNode {
  const nodes = parseTlvFrom(data, { command: 'READ RECORD', sfi, record });
  const template = nodes[0];
  if (nodes.length === 1 && template?.tag === '70') return template;
  throw new TlvError('TLV_MALFORMED', 'A record is not a 70 template', {
    detail: { command: 'READ RECORD', sfi, record, data: maskBytes(data) },
  });
}

/** The 70 template of a proprietary record (SFI 11..30) if it has one; never an error. */
function proprietaryTemplate(data: Buffer): TlvNode | undefined {
  try {
    const nodes = parseTlv(data);
    return nodes.length === 1 && nodes[0]?.tag === '70' ? nodes[0] : undefined;
  } catch {
    return undefined;
  }
}

function collect(template: TlvNode, tags: TagValues, where: RecordRead, log: Logger): void {
  for (const node of template.children ?? []) {
    if (tags[node.tag] === undefined) {
      tags[node.tag] = node.value;
    } else if (NO_DUPLICATE.has(node.tag)) {
      throw new TlvError('TLV_MALFORMED', `The card holds tag ${node.tag} twice`, {
        detail: { command: 'READ RECORD', tag: node.tag, sfi: where.sfi, record: where.record },
      });
    } else {
      log.debug({ tag: node.tag, sfi: where.sfi, record: where.record }, 'repeated tag ignored');
    }
  }
}

async function readRecord(
  card: CardChannel, sfi: number, record: number, log: Logger,
): Promise<RecordRead> {
  const response = await send(card, readRecordCommand(sfi, record), 'READ RECORD', log,
    { sfi, record });
  if (response.sw !== SW_OK) {
    throw new CardError('CARD_STATUS', 'The card refused READ RECORD', {
      detail: { command: 'READ RECORD', sfi, record, sw: swHex(response.sw) },
    });
  }
  return { sfi, record, data: response.data };
}

export async function readApplicationData(
  card: CardChannel, afl: readonly AflEntry[], log: Logger,
): Promise<ApplicationData> {
  const result: ApplicationData = { records: [], odaRecords: [], tags: {} };
  for (const entry of afl) {
    for (let record = entry.first; record <= entry.last; record += 1) {
      const read = await readRecord(card, entry.sfi, record, log);
      result.records.push(read);
      const signed = record < entry.first + entry.odaCount;
      if (entry.sfi <= LAST_EMV_SFI) {
        const template = recordTemplate(read.data, entry.sfi, record);
        collect(template, result.tags, read, log);
        if (signed) result.odaRecords.push(template.value);
      } else {
        const template = proprietaryTemplate(read.data);
        if (template !== undefined) collect(template, result.tags, read, log);
        if (signed) result.odaRecords.push(read.data);
      }
    }
  }
  log.debug({ records: result.records.length, oda: result.odaRecords.length,
    tags: Object.keys(result.tags) }, 'application data read');
  return result;
}

/** Tags of mandatory data the card did not provide (Book 3 7.2); empty when complete. */
export function missingMandatoryData(tags: TagValues): string[] {
  const missing: string[] = [];
  if (tags['5A'] === undefined && tags['57'] === undefined) missing.push('5A');
  for (const tag of MANDATORY) if (tags[tag] === undefined) missing.push(tag);
  return missing;
}
