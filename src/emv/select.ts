import type { Logger } from '../log';
import { CardError, RequestError, TlvError } from '../errors';
import { swHex } from '../../drivers/card/apdu';
import {
  selectCommand, send, SW_FUNCTION_NOT_SUPPORTED, SW_OK, SW_SELECTED_FILE_INVALIDATED,
  type CardChannel,
} from './commands';
import { readPpseEntries, readPse, type DirectoryEntry } from './directory';
import { parseFci, type Fci } from './fci';
import type { TerminalAid } from './terminal-data';

/**
 * Application selection (EMV Book 1 12.3-12.4): build the list of applications both the card
 * and the terminal support, order it by the card's priorities, then select them in turn until
 * one can start the transaction.
 */
export interface Candidate {
  /** The card's name of the application (ADF name / DF name), to select it by. */
  adfName: Buffer;
  /** The terminal entry it matched. */
  terminalAid: TerminalAid;
  label?: string;
  preferredName?: string;
  priorityIndicator?: number;
  kernelId?: Buffer;
}

/** An application that answered its final SELECT, and what the caller made of it. */
export interface Chosen<T> {
  candidate: Candidate;
  fci: Fci;
  result: T;
}

/** Priority indicator (87) bits: b8 asks for cardholder confirmation, b4..b1 the priority. */
const CONFIRMATION_REQUIRED = 0x80;
const PRIORITY_MASK = 0x0f;
/** How many next occurrences of one terminal AID are asked for before giving up. */
const MAX_OCCURRENCES = 16;

export function hex(bytes: Buffer): string {
  return bytes.toString('hex').toUpperCase();
}

/**
 * The terminal AID a card application matches (Book 1 12.3.1): an equal AID first, else one
 * that allows partial selection and that the ADF name starts with.
 */
export function matchTerminalAid(
  adfName: Buffer, aids: readonly TerminalAid[],
): TerminalAid | undefined {
  const name = hex(adfName);
  return aids.find((aid) => aid.aid.toUpperCase() === name)
    ?? aids.find((aid) => aid.partialMatch && name.startsWith(aid.aid.toUpperCase()));
}

/** Directory entries the terminal supports, as candidates, in directory order. */
export function matchEntries(
  entries: readonly DirectoryEntry[], aids: readonly TerminalAid[],
): Candidate[] {
  const candidates: Candidate[] = [];
  for (const entry of entries) {
    const terminalAid = matchTerminalAid(entry.adfName, aids);
    if (terminalAid !== undefined) candidates.push({ ...entry, terminalAid });
  }
  return candidates;
}

function priorityRank(candidate: Candidate): number {
  const priority = (candidate.priorityIndicator ?? 0) & PRIORITY_MASK;
  return priority === 0 ? PRIORITY_MASK + 1 : priority;
}

/**
 * Orders candidates by priority, 1 first, no priority (0 or absent) last; equal priorities
 * keep their order. Without cardholder confirmation, applications that ask for it are left
 * out (Book 1 12.4).
 */
export function orderCandidates(
  candidates: readonly Candidate[], canConfirm: boolean,
): Candidate[] {
  return candidates
    .filter((c) => canConfirm || ((c.priorityIndicator ?? 0) & CONFIRMATION_REQUIRED) === 0)
    .map((candidate, index) => ({ candidate, index }))
    .sort((a, b) => priorityRank(a.candidate) - priorityRank(b.candidate) || a.index - b.index)
    .map(({ candidate }) => candidate);
}

function candidateFromFci(fci: Fci, terminalAid: TerminalAid): Candidate {
  return {
    adfName: fci.dfName, terminalAid, label: fci.label, preferredName: fci.preferredName,
    priorityIndicator: fci.priorityIndicator,
  };
}

function fciOrUndefined(data: Buffer, log: Logger): Fci | undefined {
  try {
    return parseFci(data);
  } catch (err) {
    if (!(err instanceof TlvError)) throw err;
    log.debug({ err }, 'FCI malformed');
    return undefined;
  }
}

/**
 * The list of AIDs method (Book 1 12.3.3) for one terminal AID: SELECT it, and while the card
 * answers with a longer DF name, ask for the next occurrence.
 */
async function selectOccurrences(
  card: CardChannel, terminalAid: TerminalAid, log: Logger,
): Promise<Candidate[]> {
  const found: Candidate[] = [];
  const aid = Buffer.from(terminalAid.aid, 'hex');
  for (let occurrence = 0; occurrence < MAX_OCCURRENCES; occurrence += 1) {
    const next = occurrence > 0;
    const response = await send(card, selectCommand(aid, next), 'SELECT (AID list)', log);
    if (!next && response.sw === SW_FUNCTION_NOT_SUPPORTED) {
      throw new CardError('CARD_BLOCKED', undefined, {
        detail: { command: 'SELECT', aid: terminalAid.aid, sw: '6A81' },
      });
    }
    const blocked = response.sw === SW_SELECTED_FILE_INVALIDATED;
    if (response.sw !== SW_OK && !blocked) return found;

    const fci = fciOrUndefined(response.data, log);
    if (fci === undefined) return found;
    const dfName = hex(fci.dfName);
    log.debug({ aid: terminalAid.aid, dfName, blocked }, 'application found');
    if (dfName === terminalAid.aid.toUpperCase()) {
      if (!blocked) found.push(candidateFromFci(fci, terminalAid));
      return found;
    }
    if (!dfName.startsWith(terminalAid.aid.toUpperCase())) return found;
    if (terminalAid.partialMatch && !blocked) found.push(candidateFromFci(fci, terminalAid));
  }
  return found;
}

/** Candidates by the list of AIDs method, in the terminal's order. */
export async function selectByAidList(
  card: CardChannel, aids: readonly TerminalAid[], log: Logger,
): Promise<Candidate[]> {
  const candidates: Candidate[] = [];
  for (const terminalAid of aids) {
    candidates.push(...(await selectOccurrences(card, terminalAid, log)));
  }
  return candidates;
}

/**
 * The ordered candidate list for a contact card: from the PSE when it lists applications the
 * terminal supports, else from the terminal's list of AIDs.
 */
export async function buildCandidateList(
  card: CardChannel, aids: readonly TerminalAid[], canConfirm: boolean, log: Logger,
): Promise<Candidate[]> {
  const entries = await readPse(card, log);
  let candidates = entries === undefined ? [] : matchEntries(entries, aids);
  if (candidates.length === 0) {
    log.debug('no application from the PSE: using the list of AIDs');
    candidates = await selectByAidList(card, aids, log);
  }
  const ordered = orderCandidates(candidates, canConfirm);
  log.debug({ candidates: ordered.map((c) => hex(c.adfName)) }, 'candidate list');
  return ordered;
}

/**
 * Candidates from the contactless directory (PPSE), ordered by priority, for contactless
 * kernels: the confirmation bit does not apply there (EMV Book B).
 */
export async function readPpse(
  card: CardChannel, aids: readonly TerminalAid[], log: Logger,
): Promise<Candidate[]> {
  const entries = await readPpseEntries(card, log);
  return orderCandidates(matchEntries(entries ?? [], aids), true);
}

/** Final SELECT of a candidate (Book 1 12.4); undefined when it cannot be used. */
export async function finalSelect(
  card: CardChannel, candidate: Candidate, log: Logger,
): Promise<Fci | undefined> {
  const response = await send(card, selectCommand(candidate.adfName), 'SELECT (final)', log);
  const aid = hex(candidate.adfName);
  if (response.sw !== SW_OK) {
    log.debug({ aid, sw: swHex(response.sw) }, 'final SELECT refused');
    return undefined;
  }
  const fci = fciOrUndefined(response.data, log);
  if (fci !== undefined && !fci.dfName.equals(candidate.adfName)) {
    log.debug({ aid, dfName: hex(fci.dfName) }, 'final SELECT answered for another DF name');
    return undefined;
  }
  return fci;
}

/**
 * Which of the remaining candidates (in priority order) to try next: an index into the list,
 * or undefined when the cardholder chose none (Book 1 12.4, cardholder selection).
 */
export type PickCandidate = (remaining: readonly Candidate[]) => Promise<number | undefined>;

/**
 * Tries candidates in order, or in the order `pick` chooses: final SELECT, then `start` (GET
 * PROCESSING OPTIONS for the contact kernel). `start` returns undefined when the card refuses
 * the application (6985), which removes it, and the choice is offered again (Book 1 12.4).
 * CardError CARD_NOT_ACCEPTED when no candidate is left or none is chosen.
 */
export async function chooseApplication<T>(
  card: CardChannel, candidates: readonly Candidate[], log: Logger,
  start: (candidate: Candidate, fci: Fci) => Promise<T | undefined>, pick?: PickCandidate,
): Promise<Chosen<T>> {
  const tried: string[] = [];
  const remaining = [...candidates];
  while (remaining.length > 0) {
    const index = pick === undefined ? 0 : await pick(remaining);
    if (index === undefined) {
      throw new CardError('CARD_NOT_ACCEPTED', 'No application was chosen', {
        detail: { tried, reason: 'none chosen' },
      });
    }
    if (!Number.isInteger(index) || index < 0 || index >= remaining.length) {
      throw new RequestError('REQUEST_INVALID', 'The application chosen is not in the list', {
        detail: { field: 'application', index, candidates: remaining.length },
      });
    }
    const candidate = remaining.splice(index, 1)[0]!;
    tried.push(hex(candidate.adfName));
    const fci = await finalSelect(card, candidate, log);
    if (fci === undefined) continue;
    const result = await start(candidate, fci);
    if (result !== undefined) return { candidate, fci, result };
    log.debug({ aid: hex(candidate.adfName) }, 'application refused to start; trying the next');
  }
  throw new CardError('CARD_NOT_ACCEPTED', undefined, { detail: { tried } });
}
