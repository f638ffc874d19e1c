import type { Logger } from '../log';
import {
  canGoOnline, firstAcDecision, issuerActionCodes, NO_TACS, tacFromHex, unableOnlineDecision,
  type ActionCodes, type FirstAcDecision, type UnableOnlineDecision,
} from './action-analysis';
import type { CardChannel } from './commands';
import type { TagValues } from './cryptogram';
import { checkProcessingRestrictions, type RestrictionsResult } from './restrictions';
import { manageTerminalRisk, type RiskResult } from './risk';
import type { TerminalAid, TerminalProfile } from './terminal-data';
import type { BitField } from './tvr';

/**
 * The terminal's own decisions of a contact transaction, in the order of EMV Book 3 10:
 * processing restrictions (10.4) after offline data authentication, then, once cardholder
 * verification is done, terminal risk management (10.6) and terminal action analysis (10.7).
 * An AID without TACs (a profile built from the configuration always has them) is analysed
 * with TACs of zeros: the card's IACs alone weigh the TVR.
 */
export interface DecisionContext {
  card: CardChannel;
  profile: TerminalProfile;
  aid: TerminalAid;
  terminal: TagValues;
  cardTags: TagValues;
  pan: string;
  amount: number;
  tvr: BitField;
  tsi: BitField;
  log: Logger;
  /** Random source for random transaction selection, 1..99 (tests inject one). */
  random?: () => number;
  /** The merchant forced the transaction online (TVR byte 4 b4 is already set). */
  forceOnline?: boolean;
}

export interface TerminalDecisions {
  restrictions?: RestrictionsResult;
  risk?: RiskResult;
  firstAc?: FirstAcDecision;
  /** TACs and IACs, kept for the completion when the terminal cannot go online. */
  codes?: { tac: ActionCodes; iac: ActionCodes };
}

export function applyRestrictions(ctx: DecisionContext): RestrictionsResult {
  return checkProcessingRestrictions({
    card: ctx.cardTags, terminal: ctx.terminal, purchaseOf: ctx.profile.purchaseOf ?? 'services',
    tvr: ctx.tvr,
  });
}

/** Terminal risk management, then the action analysis for the first GENERATE AC. */
export async function decideFirstAc(ctx: DecisionContext, decisions: TerminalDecisions):
  Promise<FirstAcDecision> {
  const tacHex = ctx.aid.tac;
  decisions.risk = await manageTerminalRisk({
    card: ctx.card, tags: ctx.cardTags, pan: ctx.pan, amount: ctx.amount,
    floorLimit: ctx.aid.floorLimit ?? 0, randomSelection: ctx.aid.randomSelection,
    exceptionFile: ctx.profile.exceptionFile, random: ctx.random, tvr: ctx.tvr, tsi: ctx.tsi,
    log: ctx.log,
  });
  const tac = tacHex === undefined ? NO_TACS : tacFromHex(tacHex);
  const codes = { tac, iac: issuerActionCodes(ctx.cardTags) };
  decisions.codes = codes;
  decisions.firstAc = firstAcDecision(ctx.tvr.value(), codes.tac, codes.iac,
    canGoOnline(ctx.terminal['9F35']), ctx.forceOnline ?? false);
  ctx.log.debug({ decision: decisions.firstAc, tvr: ctx.tvr.value().toString('hex') },
    'terminal action analysis');
  return decisions.firstAc;
}

/** Book 3 10.7 after an ARQC when the bank cannot be reached: TC with Y3 or AAC with Z3. */
export function decideUnableOnline(tvr: Buffer, decisions: TerminalDecisions):
  UnableOnlineDecision | undefined {
  const codes = decisions.codes;
  return codes && unableOnlineDecision(tvr, codes.tac, codes.iac);
}
