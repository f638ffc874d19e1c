import { randomBytes } from 'node:crypto';
import { ConfigError, RequestError } from '../errors';
import type { TagValues } from './cryptogram';

/** One application the terminal accepts (EMV Book 1 12.3.1). */
export interface TerminalAid {
  /** AID, hex. */
  aid: string;
  /** Application Selection Indicator: true when a longer DF name starting with aid matches. */
  partialMatch: boolean;
  label?: string;
  /** Application Version Number the terminal knows for this AID (9F09), 2 bytes hex. */
  applicationVersion?: string;
  /**
   * Terminal Action Codes (Book 3 10.7), 5 bytes hex each. A profile built from the
   * configuration always has them; without them the kernel takes all three as zeros (Book 3
   * leaves the TACs to the acquirer), so that only the card's IACs weigh the TVR.
   */
  tac?: { denial: string; online: string; default: string };
  /** Terminal floor limit (9F1B) in whole currency units (Book 3 10.6.1). */
  floorLimit?: number;
  /** Random transaction selection (Book 3 10.6.2); none when absent. */
  randomSelection?: RandomSelection;
  /** Default DDOL for this application, hex; the terminal-wide one when absent. */
  defaultDdol?: string;
  /** Default TDOL, hex (Book 3 5.4, TC hash value). */
  defaultTdol?: string;
}

/** Book 3 10.6.2: below the threshold, targetPercent; up to the floor limit, rising to max. */
export interface RandomSelection {
  threshold: number;
  targetPercent: number;
  maxTargetPercent: number;
}

export interface TerminalProfile {
  aids: TerminalAid[];
  countryCode: string; /* '0704' */
  currencyCode: string; /* '0704' */
  currencyExponent: number; /* 0 */
  terminalType: string; /* '22' */
  capabilities: string; /* 9F33 hex, e.g. 'E0F8C8' */
  additionalCapabilities: string; /* 9F40 */
  terminalId: string; /* 8 chars */
  merchantCategoryCode: string; /* '9399' */
  merchantId?: string;
  ifdSerial?: string;
  /**
   * Whether the cardholder can confirm an application (Book 1 12.4). Without it, and
   * without a kernel `chooseApplication` callback, applications whose priority indicator
   * asks for confirmation (87 b8) are not chosen.
   */
  cardholderConfirmation?: boolean;
  /**
   * Exception file (Book 3 10.6.4): PANs, or SHA-256 of the PAN as 64 hex digits, that the
   * terminal must not accept offline.
   */
  exceptionFile?: readonly string[];
  /** What a purchase (9C 00) buys, for the application usage control (Book 3 10.4.2). */
  purchaseOf?: 'goods' | 'services';
}

export interface TransactionInput {
  /** Amount in the currency's minor unit (whole dong for VND). */
  amount: number;
  amountOther?: number;
  transactionType: number; /* 0x00 purchase */
  /** Transaction date and time, taken in the terminal's local time zone. */
  date: Date;
  unpredictableNumber?: Buffer;
  /** Transaction Sequence Counter (9F41), when the journal keeps one. */
  sequenceCounter?: number;
  /** Random source for random transaction selection, 1..99; node:crypto when absent. */
  random?: () => number;
  /**
   * The merchant forces the transaction online (Book 3 10.7, TVR byte 4 b4): terminal action
   * analysis asks for an ARQC unless a denial code matches.
   */
  forceOnline?: boolean;
}

/** Largest value of an n 12 amount (9F02, 9F03). */
const MAX_AMOUNT = 999_999_999_999;
/** POS entry mode 05: read from the chip (ISO 8583 field 22 digits 1-2). */
const ENTRY_MODE_ICC = '05';

/** Right-aligned BCD of a non-negative integer in `bytes` bytes (EMV format n). */
export function bcd(value: number, bytes: number): Buffer {
  return Buffer.from(String(value).padStart(bytes * 2, '0'), 'hex');
}

function checkAmount(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_AMOUNT) {
    throw new RequestError('AMOUNT_INVALID', `${name} must be a whole number 0..${MAX_AMOUNT}`, {
      detail: { field: name },
    });
  }
  return value;
}

function profileHex(name: string, value: string, bytes: number): Buffer {
  if (!new RegExp(`^[0-9A-Fa-f]{${bytes * 2}}$`).test(value)) {
    throw new ConfigError('CONFIG_INVALID', `Terminal profile ${name} must be ${bytes} bytes hex`, {
      detail: { field: name },
    });
  }
  return Buffer.from(value, 'hex');
}

function profileText(name: string, value: string, length: number): Buffer {
  if (value.length !== length || !/^[\x20-\x7e]*$/.test(value)) {
    const message = `Terminal profile ${name} must be ${length} printable characters`;
    throw new ConfigError('CONFIG_INVALID', message, {
      detail: { field: name },
    });
  }
  return Buffer.from(value, 'latin1');
}

function isBcdByte(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 0x99 && (value & 0x0f) <= 9;
}

/** 9F41 is n 4-8: at most eight digits. */
function checkCounter(value: number): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > 99_999_999) {
    throw new RangeError(`Transaction sequence counter out of range: ${value}`);
  }
  return value;
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** 9A (YYMMDD) and 9F21 (HHMMSS) of a local date. */
export function dateTags(date: Date): { '9A': Buffer; '9F21': Buffer } {
  const day = two(date.getFullYear() % 100) + two(date.getMonth() + 1) + two(date.getDate());
  const time = two(date.getHours()) + two(date.getMinutes()) + two(date.getSeconds());
  return { '9A': Buffer.from(day, 'hex'), '9F21': Buffer.from(time, 'hex') };
}

/** Binary amount (81, 9F04): 4 bytes, present only when the amount fits. */
function binaryAmount(value: number): Buffer | undefined {
  if (value > 0xffffffff) return undefined;
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}

/** The terminal's own data objects for one transaction (Book 3 annex A, source terminal). */
export function terminalTags(profile: TerminalProfile, input: TransactionInput): TagValues {
  const amount = checkAmount('amount', input.amount);
  const other = checkAmount('amountOther', input.amountOther ?? 0);
  const un = input.unpredictableNumber ?? randomBytes(4);
  if (un.length !== 4) {
    throw new RangeError(`Unpredictable number must be 4 bytes, got ${un.length}`);
  }
  if (!isBcdByte(input.transactionType)) {
    throw new RequestError('REQUEST_INVALID', 'Transaction type must be one BCD byte', {
      detail: { field: 'transactionType' },
    });
  }

  const tags: TagValues = {
    '9F02': bcd(amount, 6),
    '9F03': bcd(other, 6),
    '5F2A': profileHex('currencyCode', profile.currencyCode, 2),
    '5F36': bcd(profile.currencyExponent, 1),
    '9F1A': profileHex('countryCode', profile.countryCode, 2),
    ...dateTags(input.date),
    '9C': Buffer.from([input.transactionType]),
    '9F35': profileHex('terminalType', profile.terminalType, 1),
    '9F33': profileHex('capabilities', profile.capabilities, 3),
    '9F40': profileHex('additionalCapabilities', profile.additionalCapabilities, 5),
    '9F1C': profileText('terminalId', profile.terminalId, 8),
    '9F15': profileHex('merchantCategoryCode', profile.merchantCategoryCode, 2),
    '9F37': Buffer.from(un),
    '9F39': Buffer.from(ENTRY_MODE_ICC, 'hex'),
  };
  const amountBinary = binaryAmount(amount);
  if (amountBinary !== undefined) tags['81'] = amountBinary;
  const otherBinary = binaryAmount(other);
  if (otherBinary !== undefined) tags['9F04'] = otherBinary;
  if (profile.merchantId !== undefined) {
    tags['9F16'] = profileText('merchantId', profile.merchantId.padEnd(15, ' '), 15);
  }
  if (profile.ifdSerial !== undefined) {
    tags['9F1E'] = profileText('ifdSerial', profile.ifdSerial, 8);
  }
  if (input.sequenceCounter !== undefined) {
    tags['9F41'] = bcd(checkCounter(input.sequenceCounter), 4);
  }
  return tags;
}
