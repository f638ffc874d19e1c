import type { Logger } from '../log';
import { buildApdu, swHex } from '../../drivers/card/apdu';
import { send, SW_OK, type CardChannel } from './commands';
import type { TagValues } from './cryptogram';
import { AIP } from './gpo';
import type { PinEnciphermentKey, PinEntryDevice, PinMethod } from './pin-entry';
import type { PinKeyResult } from './oda/pin-key';
import { parseTlvFrom } from './tlv';
import { TSI, TVR, type BitField } from './tvr';

/**
 * Cardholder verification (EMV Book 3 10.5, Book 4 6.3.4, CVM List coding Book 3 annex C3):
 * the card's CVM List (8E) is read rule by rule; the first rule whose condition holds is
 * performed, and when it fails the next one is tried only if the rule says so (b7 of the
 * method byte). The outcome is the CVM Results (9F34, Book 4 annex A4) and TVR byte 3 bits.
 */
export type CvmMethod =
  | 'fail' | 'offline-plaintext-pin' | 'online-pin' | 'offline-plaintext-pin-and-signature'
  | 'offline-enciphered-pin' | 'offline-enciphered-pin-and-signature' | 'signature'
  | 'no-cvm' | 'none';

export interface OnlinePin {
  /** ISO 9564 PIN block, enciphered by the PIN device, for ISO 8583 field 52. */
  pinBlock: Buffer;
  format: 0 | 4;
  /** DUKPT key serial number, for field 53. */
  ksn?: Buffer;
}

export interface CvmOutcome {
  /** CVM Results, 9F34: method byte as in the list, condition, result. */
  results: Buffer;
  /** The method of the rule that decided; 'none' when no rule was performed. */
  method: CvmMethod;
  signatureRequired: boolean;
  onlinePin?: OnlinePin;
  /** Why the last rule performed failed, for the log and the journal. */
  failure?: string;
}

export interface CvmContext {
  card: CardChannel;
  aip: Buffer;
  /** Data read from the card: 8E, 9F42, 9F44. */
  cardTags: TagValues;
  /** The terminal's data: 9F33, 9F35, 9C, 5F2A, 5F36. */
  terminal: TagValues;
  /** Amount, authorised, in the transaction currency's minor unit (whole dong for VND). */
  amount: number;
  pan: string;
  device?: PinEntryDevice;
  /** The enciphered offline PIN key (oda/pin-key.ts), asked for only when needed. */
  pinKey: () => PinKeyResult;
  tvr: BitField;
  tsi: BitField;
  log: Logger;
}

/** CVM Results byte 3 (Book 4 annex A4). */
const RESULT = { UNKNOWN: 0x00, FAILED: 0x01, SUCCESSFUL: 0x02 } as const;
/** "No CVM performed" in CVM Results byte 1. */
const NO_CVM_PERFORMED = 0x3f;
/** Method byte b7: apply the succeeding rule if this one fails. */
const APPLY_SUCCEEDING = 0x40;
const METHOD_MASK = 0x3f;

const METHODS: Readonly<Record<number, CvmMethod>> = {
  0x00: 'fail', 0x01: 'offline-plaintext-pin', 0x02: 'online-pin',
  0x03: 'offline-plaintext-pin-and-signature', 0x04: 'offline-enciphered-pin',
  0x05: 'offline-enciphered-pin-and-signature', 0x1e: 'signature', 0x1f: 'no-cvm',
};

/** Terminal Capabilities byte 2, CVM capability (Book 4 annex A2). */
const CAPABILITY = {
  PLAINTEXT_PIN: 0x80, ONLINE_PIN: 0x40, SIGNATURE: 0x20, ENCIPHERED_PIN: 0x10, NO_CVM: 0x08,
} as const;

const NEEDS: Readonly<Record<CvmMethod, number>> = {
  'fail': 0,
  'offline-plaintext-pin': CAPABILITY.PLAINTEXT_PIN,
  'online-pin': CAPABILITY.ONLINE_PIN,
  'offline-plaintext-pin-and-signature': CAPABILITY.PLAINTEXT_PIN | CAPABILITY.SIGNATURE,
  'offline-enciphered-pin': CAPABILITY.ENCIPHERED_PIN,
  'offline-enciphered-pin-and-signature': CAPABILITY.ENCIPHERED_PIN | CAPABILITY.SIGNATURE,
  'signature': CAPABILITY.SIGNATURE,
  'no-cvm': CAPABILITY.NO_CVM,
  'none': 0,
};

const PIN_KIND: Partial<Record<CvmMethod, PinMethod>> = {
  'offline-plaintext-pin': 'offline-plaintext',
  'offline-plaintext-pin-and-signature': 'offline-plaintext',
  'offline-enciphered-pin': 'offline-enciphered',
  'offline-enciphered-pin-and-signature': 'offline-enciphered',
  'online-pin': 'online',
};

export interface Rule {
  code: number;
  condition: number;
  method: CvmMethod | undefined;
}

/** What performing one rule gave: success with a result byte, or failure. */
type Performed =
  | { ok: true; result: number; signature?: boolean; onlinePin?: OnlinePin }
  | { ok: false; reason: string };

function outcome(
  results: [number, number, number], method: CvmMethod, rest: Partial<CvmOutcome> = {},
): CvmOutcome {
  return { results: Buffer.from(results), method, signatureRequired: false, ...rest };
}

export async function performCvm(ctx: CvmContext): Promise<CvmOutcome> {
  if (((ctx.aip[0] ?? 0) & AIP.CARDHOLDER_VERIFICATION) === 0) {
    return outcome([NO_CVM_PERFORMED, 0, RESULT.UNKNOWN], 'none');
  }
  const list = parseCvmList(ctx.cardTags['8E']);
  if (list === undefined) {
    // Book 3 10.5: no list, or one without rules; the step counts as not performed.
    ctx.tvr.set(TVR.ICC_DATA_MISSING);
    ctx.log.debug('CVM list absent or without rules');
    return outcome([NO_CVM_PERFORMED, 0, RESULT.UNKNOWN], 'none');
  }
  ctx.tsi.set(TSI.CARDHOLDER_VERIFICATION_PERFORMED);
  const result = await processRules(ctx, list);
  ctx.log.debug({ cvmResults: result.results.toString('hex').toUpperCase(),
    method: result.method, failure: result.failure }, 'cardholder verification');
  return result;
}

async function processRules(
  ctx: CvmContext, list: { x: number; y: number; rules: Rule[] },
): Promise<CvmOutcome> {
  let last: { rule: Rule; reason: string } | undefined;
  for (const rule of list.rules) {
    if (!conditionHolds(ctx, rule, list)) continue;
    const done = await performRule(ctx, rule);
    if (done.ok) {
      return outcome([rule.code, rule.condition, done.result], rule.method!, {
        signatureRequired: done.signature ?? false, onlinePin: done.onlinePin,
      });
    }
    last = { rule, reason: done.reason };
    ctx.log.debug({ code: rule.code, condition: rule.condition, reason: done.reason },
      'CVM failed');
    if ((rule.code & APPLY_SUCCEEDING) === 0) break;
  }
  ctx.tvr.set(TVR.CARDHOLDER_VERIFICATION_FAILED);
  if (last === undefined) {
    return outcome([NO_CVM_PERFORMED, 0, RESULT.FAILED], 'none',
      { failure: 'no CVM condition satisfied' });
  }
  return outcome([last.rule.code, last.rule.condition, RESULT.FAILED],
    last.rule.method ?? 'fail', { failure: last.reason });
}

/**
 * 8E: amount X (4 bytes), amount Y (4 bytes), then 2-byte rules. Undefined when absent,
 * without a rule, or not of that shape (a card data error, handled as an absent list).
 */
export function parseCvmList(
  value: Buffer | undefined,
): { x: number; y: number; rules: Rule[] } | undefined {
  if (value === undefined || value.length < 10 || (value.length - 8) % 2 !== 0) return undefined;
  const rules: Rule[] = [];
  for (let at = 8; at < value.length; at += 2) {
    const code = value[at]!;
    rules.push({ code, condition: value[at + 1]!, method: METHODS[code & METHOD_MASK] });
  }
  return { x: value.readUInt32BE(0), y: value.readUInt32BE(4), rules };
}

/** Terminal Type second digit 4, 5, 6: unattended (Book 4 annex A1). */
function unattended(terminal: TagValues): boolean {
  const digit = (terminal['9F35']?.[0] ?? 0x22) & 0x0f;
  return digit >= 4 && digit <= 6;
}

const TYPE = { PURCHASE: 0x00, CASH: 0x01, CASHBACK: 0x09 } as const;

/** CVM condition codes, Book 3 annex C3 table 40. Unknown codes are never satisfied. */
function conditionHolds(
  ctx: CvmContext, rule: Rule, list: { x: number; y: number },
): boolean {
  const type = ctx.terminal['9C']?.[0];
  const cash = type === TYPE.CASH;
  const cashback = type === TYPE.CASHBACK;
  switch (rule.condition) {
    case 0x00: return true;
    case 0x01: return cash && unattended(ctx.terminal);
    case 0x02: return !cash && !cashback;
    // The terminal cannot support a method it does not know: an unrecognised one is skipped.
    case 0x03: return rule.method !== undefined && terminalSupports(ctx, rule.method);
    case 0x04: return cash && !unattended(ctx.terminal);
    case 0x05: return cashback;
    case 0x06: return compareAmount(ctx, list.x) === 'under';
    case 0x07: return compareAmount(ctx, list.x) === 'over';
    case 0x08: return compareAmount(ctx, list.y) === 'under';
    case 0x09: return compareAmount(ctx, list.y) === 'over';
    default: return false;
  }
}

/**
 * Conditions 06..09 apply only in the application currency (9F42 = 5F2A, Book 3 10.5). X
 * and Y are in the application currency's minor unit (exponent 9F44), the amount in the
 * transaction currency's (5F36); both are brought to the larger exponent.
 */
function compareAmount(ctx: CvmContext, limit: number): 'under' | 'over' | 'equal' | undefined {
  const appCurrency = ctx.cardTags['9F42'];
  const txnCurrency = ctx.terminal['5F2A'];
  if (appCurrency === undefined || txnCurrency === undefined) return undefined;
  if (!appCurrency.equals(txnCurrency)) return undefined;
  const appExponent = bcdDigit(ctx.cardTags['9F44']) ?? bcdDigit(ctx.terminal['5F36']) ?? 0;
  const txnExponent = bcdDigit(ctx.terminal['5F36']) ?? 0;
  const exponent = Math.max(appExponent, txnExponent);
  const amount = BigInt(ctx.amount) * 10n ** BigInt(exponent - txnExponent);
  const bound = BigInt(limit) * 10n ** BigInt(exponent - appExponent);
  if (amount < bound) return 'under';
  return amount > bound ? 'over' : 'equal';
}

/** A currency exponent, n 1: one BCD digit. */
function bcdDigit(value: Buffer | undefined): number | undefined {
  if (value?.length !== 1 || value[0]! > 0x09) return undefined;
  return value[0]!;
}

/** Terminal Capabilities (9F33) byte 2 holds every bit the method needs. */
function terminalSupports(ctx: CvmContext, method: CvmMethod): boolean {
  const capability = ctx.terminal['9F33']?.[1] ?? 0;
  return (capability & NEEDS[method]) === NEEDS[method];
}

async function performRule(ctx: CvmContext, rule: Rule): Promise<Performed> {
  const method = rule.method;
  if (method === undefined) {
    ctx.tvr.set(TVR.UNRECOGNISED_CVM);
    return { ok: false, reason: 'unrecognised CVM' };
  }
  const pinKind = PIN_KIND[method];
  if (pinKind !== undefined && (!terminalSupports(ctx, method) ||
    ctx.device?.methods.has(pinKind) !== true)) {
    // Book 3 10.5.1, 10.5.2: PIN not supported, or no working PIN pad.
    ctx.tvr.set(TVR.PIN_PAD_MISSING);
    return { ok: false, reason: 'PIN pad not present or not working' };
  }
  if (!terminalSupports(ctx, method)) return { ok: false, reason: 'CVM not supported' };
  switch (method) {
    case 'offline-plaintext-pin':
    case 'offline-plaintext-pin-and-signature':
    case 'offline-enciphered-pin':
    case 'offline-enciphered-pin-and-signature':
      return withSignature(await offlinePin(ctx, pinKind!), method.endsWith('-and-signature'));
    case 'online-pin': return onlinePin(ctx);
    case 'signature': return { ok: true, result: RESULT.UNKNOWN, signature: true };
    case 'no-cvm': return { ok: true, result: RESULT.SUCCESSFUL };
    default: return { ok: false, reason: 'fail CVM processing' };
  }
}

/** A verified offline PIN with a signature still to come leaves the result unknown. */
function withSignature(done: Performed, signature: boolean): Performed {
  if (!done.ok || !signature) return done;
  return { ok: true, result: RESULT.UNKNOWN, signature: true };
}

/** GET DATA (Book 3 6.5.7) for the PIN Try Counter, 9F17. */
const GET_PIN_TRY_COUNTER = buildApdu(0x80, 0xca, 0x9f, 0x17, undefined, 0);
/** GET CHALLENGE (Book 3 6.5.6): 8 bytes from the card. */
const GET_CHALLENGE = buildApdu(0x00, 0x84, 0x00, 0x00, undefined, 0);
const CHALLENGE_LENGTH = 8;
/** VERIFY P2 88: enciphered PIN (Book 3 6.5.12). */
const VERIFY_ENCIPHERED = 0x88;
const SW_BLOCKED = new Set([0x6983, 0x6984]);

async function pinTryCounter(ctx: CvmContext): Promise<number | undefined> {
  const response = await send(ctx.card, GET_PIN_TRY_COUNTER, 'GET DATA', ctx.log, { tag: '9F17' });
  if (response.sw !== SW_OK) return undefined;
  try {
    const node = parseTlvFrom(response.data, { command: 'GET DATA' })[0];
    return node?.tag === '9F17' && node.value.length === 1 ? node.value[0] : undefined;
  } catch {
    // The counter is only shown to the cardholder; a malformed answer means "not known".
    return undefined;
  }
}

/**
 * Book 3 10.5.1: the PIN Try Counter first (0 fails the CVM without VERIFY), then the PIN
 * until the card accepts it, blocks it, or the cardholder bypasses it.
 */
async function offlinePin(ctx: CvmContext, kind: PinMethod): Promise<Performed> {
  let key: PinEnciphermentKey | undefined;
  if (kind === 'offline-enciphered') {
    const found = ctx.pinKey();
    if (!found.found) return { ok: false, reason: `no PIN encipherment key: ${found.reason}` };
    key = found.key;
  }
  let triesLeft = await pinTryCounter(ctx);
  if (triesLeft === 0) {
    ctx.tvr.set(TVR.PIN_TRY_LIMIT_EXCEEDED);
    return { ok: false, reason: 'PIN try limit exceeded' };
  }
  // Tries left must go down with each 63Cx: at most 16 entries, whatever the card says.
  for (let attempt = 1; ; attempt += 1) {
    const prompt = { amount: ctx.amount, triesLeft, attempt };
    const answer = key === undefined
      ? await ctx.device!.verifyPlaintextOffline(prompt)
      : await encipheredVerify(ctx, key, prompt);
    if (answer.kind === 'bypassed') {
      ctx.tvr.set(TVR.PIN_NOT_ENTERED);
      return { ok: false, reason: 'PIN not entered' };
    }
    if (answer.kind === 'unavailable') {
      ctx.tvr.set(TVR.PIN_PAD_MISSING);
      return { ok: false, reason: `PIN pad not working: ${answer.reason}` };
    }
    if (answer.kind === 'failed') return { ok: false, reason: answer.reason };
    const sw = answer.sw;
    ctx.log.debug({ sw: swHex(sw), attempt }, 'offline PIN answer');
    if (sw === SW_OK) return { ok: true, result: RESULT.SUCCESSFUL };
    if ((sw & 0xfff0) === 0x63c0 && (sw & 0x0f) > 0) {
      // Each wrong PIN costs a try; a card whose count does not go down is not believed.
      if (triesLeft !== undefined && (sw & 0x0f) >= triesLeft) {
        return { ok: false, reason: `VERIFY answered ${swHex(sw)} after ${triesLeft} tries left` };
      }
      triesLeft = sw & 0x0f;
      continue;
    }
    if (sw === 0x63c0 || SW_BLOCKED.has(sw)) {
      ctx.tvr.set(TVR.PIN_TRY_LIMIT_EXCEEDED);
      return { ok: false, reason: 'PIN try limit exceeded' };
    }
    return { ok: false, reason: `VERIFY answered ${swHex(sw)}` };
  }
}

type VerifyAnswer =
  | { kind: 'verified-answer'; sw: number }
  | { kind: 'bypassed' }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'failed'; reason: string };

/** Book 2 7.2: GET CHALLENGE, the device enciphers, VERIFY P2 88 carries the result. */
async function encipheredVerify(
  ctx: CvmContext, key: PinEnciphermentKey,
  prompt: { amount: number; triesLeft?: number; attempt: number },
): Promise<VerifyAnswer> {
  const challenge = await send(ctx.card, GET_CHALLENGE, 'GET CHALLENGE', ctx.log);
  if (challenge.sw !== SW_OK || challenge.data.length !== CHALLENGE_LENGTH) {
    return { kind: 'failed', reason: `GET CHALLENGE answered ${swHex(challenge.sw)} with ` +
      `${challenge.data.length} bytes` };
  }
  const enciphered = await ctx.device!.encipherOffline({ ...prompt, key,
    challenge: challenge.data });
  if (enciphered.kind !== 'enciphered') return enciphered;
  if (enciphered.data.length !== key.modulus.length) {
    return { kind: 'failed', reason: 'enciphered PIN data not as long as the key' };
  }
  const verify = buildApdu(0x00, 0x20, 0x00, VERIFY_ENCIPHERED, enciphered.data);
  const response = await send(ctx.card, verify, 'VERIFY', ctx.log);
  return { kind: 'verified-answer', sw: response.sw };
}

/** Book 3 10.5.2: the PIN block goes to the issuer; the result stays unknown. */
async function onlinePin(ctx: CvmContext): Promise<Performed> {
  const answer = await ctx.device!.enterOnline({ amount: ctx.amount, attempt: 1, pan: ctx.pan });
  if (answer.kind === 'bypassed') {
    ctx.tvr.set(TVR.PIN_NOT_ENTERED);
    return { ok: false, reason: 'PIN not entered' };
  }
  if (answer.kind === 'unavailable') {
    ctx.tvr.set(TVR.PIN_PAD_MISSING);
    return { ok: false, reason: `PIN pad not working: ${answer.reason}` };
  }
  ctx.tvr.set(TVR.ONLINE_PIN_ENTERED);
  const { pinBlock, format, ksn } = answer;
  return { ok: true, result: RESULT.UNKNOWN, onlinePin: { pinBlock, format, ksn } };
}
