import type { Logger } from '../log';
import { CardError, TlvError } from '../errors';
import { swHex } from '../../drivers/card/apdu';
import {
  readRecordCommand, selectCommand, send, SW_FUNCTION_NOT_SUPPORTED, SW_OK,
  SW_RECORD_NOT_FOUND, type CardChannel,
} from './commands';
import { parseFci, text } from './fci';
import { parseTlv, type TlvNode } from './tlv';

/**
 * Payment system directories (EMV Book 1 12.2-12.3.2): the contact PSE '1PAY.SYS.DDF01',
 * whose directory is a record file, and the contactless PPSE '2PAY.SYS.DDF01' (EMV Book B),
 * whose directory sits in its FCI. Each directory entry (template 61) names an application.
 */
export interface DirectoryEntry {
  adfName: Buffer;
  label?: string;
  preferredName?: string;
  priorityIndicator?: number;
  /** Kernel identifier (9F2A), contactless directories only. */
  kernelId?: Buffer;
}

export const PSE_NAME = Buffer.from('1PAY.SYS.DDF01', 'latin1');
export const PPSE_NAME = Buffer.from('2PAY.SYS.DDF01', 'latin1');

/** A directory cannot have more records than READ RECORD can address. */
const MAX_RECORD = 255;
/** DDFs below the PSE are rare; three levels bound a card that lists DDFs in a loop. */
const MAX_DDF_DEPTH = 3;

/** ADF names are 5 to 16 bytes (Book 1 12.2.1). */
function isAdfName(value: Buffer): boolean {
  return value.length >= 5 && value.length <= 16;
}

/** Reads one directory entry (61); undefined for a DDF entry or an entry without a valid 4F. */
export function directoryEntry(entry: TlvNode): DirectoryEntry | undefined {
  const children = entry.children ?? [];
  const get = (tag: string) => children.find((node) => node.tag === tag)?.value;
  const adfName = get('4F');
  if (adfName === undefined || !isAdfName(adfName)) return undefined;
  const priority = get('87');
  return {
    adfName,
    label: text(get('50')),
    preferredName: text(get('9F12')),
    priorityIndicator: priority?.length === 1 ? priority[0] : undefined,
    kernelId: get('9F2A'),
  };
}

/** The 61 templates directly inside a list of nodes. */
function entriesIn(nodes: TlvNode[]): TlvNode[] {
  return nodes.filter((node) => node.tag === '61');
}

type DirectoryRead = { entries: DirectoryEntry[]; ddfNames: Buffer[] };

/** READ RECORD 1, 2... of a directory file until 6A83; undefined when the directory is bad. */
async function readDirectoryFile(
  card: CardChannel, sfi: number, log: Logger,
): Promise<DirectoryRead | undefined> {
  const read: DirectoryRead = { entries: [], ddfNames: [] };
  for (let record = 1; record <= MAX_RECORD; record += 1) {
    const command = readRecordCommand(sfi, record);
    const response = await send(card, command, 'READ RECORD (directory)', log, { sfi, record });
    if (response.sw === SW_RECORD_NOT_FOUND) return read;
    if (response.sw !== SW_OK) {
      log.debug({ sfi, record, sw: swHex(response.sw) }, 'directory record refused');
      return undefined;
    }
    let nodes: TlvNode[];
    try {
      nodes = parseTlv(response.data);
    } catch (err) {
      log.debug({ sfi, record, err }, 'directory record malformed');
      return undefined;
    }
    const template = nodes[0];
    if (nodes.length !== 1 || template?.tag !== '70') {
      log.debug({ sfi, record }, 'directory record is not a 70 template');
      return undefined;
    }
    for (const entry of entriesIn(template.children ?? [])) {
      const adf = directoryEntry(entry);
      if (adf !== undefined) read.entries.push(adf);
      const ddf = entry.children?.find((node) => node.tag === '9D')?.value;
      if (adf === undefined && ddf !== undefined) read.ddfNames.push(ddf);
    }
  }
  return read;
}

/**
 * Selects a DDF and reads its directory, then the directories of the DDFs it lists.
 * Returns undefined when the DDF cannot be used; CARD_BLOCKED when the card answers 6A81.
 */
async function readDdf(
  card: CardChannel, name: Buffer, depth: number, log: Logger,
): Promise<DirectoryEntry[] | undefined> {
  const response = await send(card, selectCommand(name), 'SELECT (directory)', log);
  if (depth === 0 && response.sw === SW_FUNCTION_NOT_SUPPORTED) {
    throw new CardError('CARD_BLOCKED', undefined, {
      detail: { command: 'SELECT PSE', sw: '6A81' },
    });
  }
  if (response.sw !== SW_OK) return undefined;

  let sfi: number | undefined;
  try {
    sfi = parseFci(response.data).sfi;
  } catch (err) {
    if (!(err instanceof TlvError)) throw err;
    log.debug({ err }, 'directory FCI malformed');
  }
  if (sfi === undefined) return undefined;

  const read = await readDirectoryFile(card, sfi, log);
  if (read === undefined) return undefined;
  const entries = [...read.entries];
  if (depth + 1 < MAX_DDF_DEPTH) {
    for (const ddf of read.ddfNames) {
      entries.push(...(await readDdf(card, ddf, depth + 1, log) ?? []));
    }
  }
  return entries;
}

/**
 * Reads the PSE and every directory below it. Undefined when the PSE is absent, blocked or
 * malformed (the terminal then uses its list of AIDs); CardError CARD_BLOCKED on 6A81.
 */
export async function readPse(
  card: CardChannel, log: Logger,
): Promise<DirectoryEntry[] | undefined> {
  const entries = await readDdf(card, PSE_NAME, 0, log);
  log.debug({ entries: entries?.length }, entries === undefined ? 'PSE not usable' : 'PSE read');
  return entries;
}

/**
 * Reads the contactless directory (PPSE): its entries are 61 templates in the FCI's BF0C.
 * Undefined when the card has no usable PPSE.
 */
export async function readPpseEntries(
  card: CardChannel, log: Logger,
): Promise<DirectoryEntry[] | undefined> {
  const response = await send(card, selectCommand(PPSE_NAME), 'SELECT PPSE', log);
  if (response.sw !== SW_OK) return undefined;
  try {
    const fci = parseFci(response.data);
    return entriesIn(fci.issuerDiscretionary)
      .map(directoryEntry)
      .filter((entry): entry is DirectoryEntry => entry !== undefined);
  } catch (err) {
    if (!(err instanceof TlvError)) throw err;
    log.debug({ err }, 'PPSE FCI malformed');
    return undefined;
  }
}
