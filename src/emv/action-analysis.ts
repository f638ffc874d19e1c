import type { TagValues } from './cryptogram';
import type { CryptogramType } from './generate-ac';

/**
 * Terminal action analysis (EMV Book 3 10.7): the TVR is compared with the Terminal Action
 * Codes (from the acquirer, per AID) and the Issuer Action Codes (from the card, 9F0D default,
 * 9F0E denial, 9F0F online) to choose the cryptogram the first GENERATE AC asks for, and,
 * when the terminal could not go online, what it does instead.
 */
export interface ActionCodes {
  denial: Buffer;
  online: Buffer;
  default: Buffer;
}

export type FirstAcDecision = {
  type: CryptogramType;
  /** The check that decided: denial, online or default codes, or the merchant's force. */
  reason: 'denial' | 'online' | 'default' | 'no-match' | 'forced';
};

const ZEROS = Buffer.alloc(5);
const ONES = Buffer.alloc(5, 0xff);

/** TACs given as hex in the terminal profile. */
export function tacFromHex(tac: { denial: string; online: string; default: string }):
  ActionCodes {
  return {
    denial: Buffer.from(tac.denial, 'hex'), online: Buffer.from(tac.online, 'hex'),
    default: Buffer.from(tac.default, 'hex'),
  };
}

/**
 * The card's IACs, with Book 3 10.7's rule for absent ones: IAC-denial absent counts as all
 * zeros (nothing declines by the issuer's choice); IAC-online and IAC-default absent count as
 * all ones (every TVR bit sends online, or declines when offline).
 */
export function issuerActionCodes(card: TagValues): ActionCodes {
  return {
    denial: card['9F0E'] ?? ZEROS,
    online: card['9F0F'] ?? ONES,
    default: card['9F0D'] ?? ONES,
  };
}

/** True when (TAC | IAC) and the TVR share a bit. */
export function matches(tvr: Buffer, tac: Buffer, iac: Buffer): boolean {
  for (let i = 0; i < 5; i += 1) {
    if ((((tac[i] ?? 0) | (iac[i] ?? 0)) & (tvr[i] ?? 0)) !== 0) return true;
  }
  return false;
}

/**
 * Terminal Type (9F35) second digit: 1, 2, 4 and 5 can go online; 3 and 6 are offline only
 * (Book 4 annex A1).
 */
export function canGoOnline(terminalType: Buffer | undefined): boolean {
  const digit = (terminalType?.[0] ?? 0x22) & 0x0f;
  return digit === 1 || digit === 2 || digit === 4 || digit === 5;
}

/** Terminal Action Codes of an AID that has none: zeros (Book 3 10.7, acquirer's choice). */
export const NO_TACS: ActionCodes = { denial: ZEROS, online: ZEROS, default: ZEROS };

/**
 * Book 3 10.7 for the first GENERATE AC: denial first (a match asks for an AAC); then, on a
 * terminal that can go online, an ARQC when the merchant forced the transaction online,
 * else online (a match asks for an ARQC, none for a TC); an offline only terminal uses the
 * default codes instead (a match asks for an AAC).
 */
export function firstAcDecision(
  tvr: Buffer, tac: ActionCodes, iac: ActionCodes, onlineCapable: boolean, forced = false,
): FirstAcDecision {
  if (matches(tvr, tac.denial, iac.denial)) return { type: 'AAC', reason: 'denial' };
  if (onlineCapable && forced) return { type: 'ARQC', reason: 'forced' };
  if (onlineCapable) {
    if (matches(tvr, tac.online, iac.online)) return { type: 'ARQC', reason: 'online' };
    return { type: 'TC', reason: 'no-match' };
  }
  if (matches(tvr, tac.default, iac.default)) return { type: 'AAC', reason: 'default' };
  return { type: 'TC', reason: 'no-match' };
}

/** Authorisation Response Codes a terminal sets itself (Book 4 annex A6, 6.3.6). */
export const ARC_OFFLINE_APPROVED_UNABLE_ONLINE = Buffer.from('Y3', 'latin1');
export const ARC_OFFLINE_DECLINED_UNABLE_ONLINE = Buffer.from('Z3', 'latin1');

export interface UnableOnlineDecision {
  type: 'TC' | 'AAC';
  arc: Buffer;
}

/**
 * Book 3 10.7, when the terminal asked for an ARQC but could not go online: the default
 * codes decide. A match asks for an AAC with ARC Z3 ("unable to go online, offline
 * declined"); none asks for a TC with ARC Y3 ("unable to go online, offline approved").
 */
export function unableOnlineDecision(
  tvr: Buffer, tac: ActionCodes, iac: ActionCodes,
): UnableOnlineDecision {
  if (matches(tvr, tac.default, iac.default)) {
    return { type: 'AAC', arc: ARC_OFFLINE_DECLINED_UNABLE_ONLINE };
  }
  return { type: 'TC', arc: ARC_OFFLINE_APPROVED_UNABLE_ONLINE };
}
