import { createHash, randomInt } from 'node:crypto';
import { buildApdu } from '../../drivers/card/apdu';
import type { Logger } from '../log';
import { send, SW_OK, type CardChannel } from './commands';
import type { TagValues } from './cryptogram';
import { AIP } from './gpo';
import type { RandomSelection } from './terminal-data';
import { parseTlvFrom } from './tlv';
import { TSI, TVR, type BitField } from './tvr';

/**
 * Terminal risk management (EMV Book 3 10.6, Book 4 6.3.5): floor limit, random transaction
 * selection, velocity checking and the exception file. Each finding is a TVR bit that pushes
 * terminal action analysis towards going online; none ends the transaction here.
 */
export interface RiskInput {
  card: CardChannel;
  /** Data read from the card (82, 5A, 9F14, 9F23). */
  tags: TagValues;
  pan: string;
  /** Transaction amount in whole currency units. */
  amount: number;
  /**
   * Amounts of earlier transactions with the same card that this one splits (Book 3
   * 10.6.1); the journal's sum for the PAN, or 0 when the terminal does not look.
   */
  splitSalesAmount?: number;
  floorLimit: number;
  randomSelection?: RandomSelection;
  exceptionFile?: readonly string[];
  /** 1..99, uniformly; node:crypto's randomInt unless a test injects its own. */
  random?: () => number;
  tvr: BitField;
  tsi: BitField;
  log: Logger;
}

export interface RiskResult {
  performed: boolean;
  floorLimitExceeded: boolean;
  randomlySelected: boolean;
  /** The number drawn for random selection, when the step drew one. */
  drawn?: number;
  velocity: VelocityResult;
  onExceptionFile: boolean;
}

export type VelocityResult =
  | { checked: false }
  | { checked: true; atc?: number; lastOnlineAtc?: number; lowerExceeded: boolean;
    upperExceeded: boolean; newCard: boolean };

/**
 * Book 3 10.6: performed when the AIP asks for it (byte 1 bit 4), and then TSI byte 1 bit 4
 * "terminal risk management was performed" is set.
 */
export async function manageTerminalRisk(input: RiskInput): Promise<RiskResult> {
  const aip = input.tags['82'];
  const result: RiskResult = {
    performed: false, floorLimitExceeded: false, randomlySelected: false,
    velocity: { checked: false }, onExceptionFile: false,
  };
  if (aip === undefined || ((aip[0] ?? 0) & AIP.TERMINAL_RISK_MANAGEMENT) === 0) return result;
  result.performed = true;

  result.onExceptionFile = onExceptionFile(input.pan, input.exceptionFile ?? []);
  if (result.onExceptionFile) input.tvr.set(TVR.CARD_ON_EXCEPTION_FILE);

  const total = input.amount + (input.splitSalesAmount ?? 0);
  result.floorLimitExceeded = total >= input.floorLimit;
  if (result.floorLimitExceeded) input.tvr.set(TVR.FLOOR_LIMIT_EXCEEDED);

  if (input.randomSelection !== undefined && !result.floorLimitExceeded) {
    const drawn = (input.random ?? (() => randomInt(1, 100)))();
    result.drawn = drawn;
    result.randomlySelected = randomlySelected(input.amount, input.floorLimit,
      input.randomSelection, drawn);
    if (result.randomlySelected) input.tvr.set(TVR.RANDOMLY_SELECTED_ONLINE);
  }

  result.velocity = await checkVelocity(input);
  input.tsi.set(TSI.TERMINAL_RISK_MANAGEMENT_PERFORMED);
  input.log.debug({ floorLimitExceeded: result.floorLimitExceeded,
    randomlySelected: result.randomlySelected, velocity: result.velocity,
    onExceptionFile: result.onExceptionFile }, 'terminal risk management');
  return result;
}

/**
 * Book 3 10.6.2: a transaction under the floor limit is selected when the number drawn
 * (1..99) is at most the transaction target percent: the target percent below the threshold;
 * from the threshold up to the floor limit, rising in a line towards the maximum target
 * percent: target + (max − target) × (amount − threshold) / (floor limit − threshold).
 */
export function randomlySelected(
  amount: number, floorLimit: number, settings: RandomSelection, drawn: number,
): boolean {
  if (amount >= floorLimit) return false;
  const { threshold, targetPercent, maxTargetPercent } = settings;
  if (amount < threshold) return drawn <= targetPercent;
  const span = floorLimit - threshold;
  const percent = targetPercent
    + ((maxTargetPercent - targetPercent) * (amount - threshold)) / span;
  return drawn <= percent;
}

/** SHA-256 of the PAN digits, hex, as the exception file may list it. */
export function panHash(pan: string): string {
  return createHash('sha256').update(pan, 'ascii').digest('hex').toUpperCase();
}

function onExceptionFile(pan: string, entries: readonly string[]): boolean {
  if (entries.length === 0) return false;
  const hash = panHash(pan);
  return entries.some((entry) => entry === pan || entry.toUpperCase() === hash);
}

/** GET DATA (Book 3 6.5.7): P1 P2 = the tag. */
function getDataCommand(tag: number): Buffer {
  return buildApdu(0x80, 0xca, tag >> 8, tag & 0xff, undefined, 0);
}

/** Reads a 2-byte counter with GET DATA; undefined when the card does not give it. */
async function readCounter(
  card: CardChannel, tag: number, log: Logger,
): Promise<number | undefined> {
  const name = tag.toString(16).toUpperCase();
  const response = await send(card, getDataCommand(tag), 'GET DATA', log, { tag: name });
  if (response.sw !== SW_OK) return undefined;
  try {
    const node = parseTlvFrom(response.data, { command: 'GET DATA' })[0];
    if (node?.tag !== name || node.value.length !== 2) return undefined;
    return node.value.readUInt16BE(0);
  } catch {
    return undefined;
  }
}

/**
 * Book 3 10.6.3: only when the card has both LCOL (9F14) and UCOL (9F23). The ATC (9F36)
 * and Last Online ATC Register (9F13) come by GET DATA; when either is missing, or the ATC
 * is not above the last online one, both limits count as exceeded. A last online ATC of zero
 * is a new card.
 */
async function checkVelocity(input: RiskInput): Promise<VelocityResult> {
  const lcol = input.tags['9F14'];
  const ucol = input.tags['9F23'];
  if (lcol === undefined || ucol === undefined) return { checked: false };
  const atc = await readCounter(input.card, 0x9f36, input.log);
  const lastOnlineAtc = await readCounter(input.card, 0x9f13, input.log);
  let lowerExceeded: boolean;
  let upperExceeded: boolean;
  if (atc === undefined || lastOnlineAtc === undefined || atc <= lastOnlineAtc) {
    lowerExceeded = true;
    upperExceeded = true;
  } else {
    const offline = atc - lastOnlineAtc;
    lowerExceeded = offline > (lcol[0] ?? 0);
    upperExceeded = offline > (ucol[0] ?? 0);
  }
  const newCard = lastOnlineAtc === 0;
  if (lowerExceeded) input.tvr.set(TVR.LOWER_OFFLINE_LIMIT_EXCEEDED);
  if (upperExceeded) input.tvr.set(TVR.UPPER_OFFLINE_LIMIT_EXCEEDED);
  if (newCard) input.tvr.set(TVR.NEW_CARD);
  return { checked: true, atc, lastOnlineAtc, lowerExceeded, upperExceeded, newCard };
}
