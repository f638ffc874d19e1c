import type { TagValues } from './cryptogram';
import { TVR, type BitField } from './tvr';

/**
 * Processing restrictions (EMV Book 3 10.4): whether the card's application may be used here,
 * today, for this kind of transaction. Nothing here ends the transaction: each finding is a
 * TVR byte 2 bit that terminal action analysis weighs against the TACs and IACs.
 */
export interface RestrictionsInput {
  /** Data read from the card. */
  card: TagValues;
  /** The terminal's data for this transaction: 9F09, 9F1A, 9C, 9A, 9F03, 9F35. */
  terminal: TagValues;
  /** What a purchase (9C 00) buys: goods or services. */
  purchaseOf: 'goods' | 'services';
  tvr: BitField;
}

export interface RestrictionsResult {
  versionsDiffer: boolean;
  serviceNotAllowed: boolean;
  expired: boolean;
  notYetEffective: boolean;
}

/** Application Usage Control (9F07) bits, Book 3 annex C2. */
export const AUC = {
  DOMESTIC_CASH: [0, 0x80],
  INTERNATIONAL_CASH: [0, 0x40],
  DOMESTIC_GOODS: [0, 0x20],
  INTERNATIONAL_GOODS: [0, 0x10],
  DOMESTIC_SERVICES: [0, 0x08],
  INTERNATIONAL_SERVICES: [0, 0x04],
  ATM: [0, 0x02],
  NOT_ATM: [0, 0x01],
  DOMESTIC_CASHBACK: [1, 0x80],
  INTERNATIONAL_CASHBACK: [1, 0x40],
} as const;

type AucBit = (typeof AUC)[keyof typeof AUC];

/** Transaction types (9C, the first two digits of ISO 8583 processing code). */
const TYPE = { PURCHASE: 0x00, CASH: 0x01, CASHBACK: 0x09 } as const;

/**
 * Book 3 10.4.1-10.4.3, in order; sets DIFFERENT_APPLICATION_VERSIONS,
 * SERVICE_NOT_ALLOWED, EXPIRED_APPLICATION and APPLICATION_NOT_YET_EFFECTIVE.
 */
export function checkProcessingRestrictions(input: RestrictionsInput): RestrictionsResult {
  const result: RestrictionsResult = {
    versionsDiffer: versionsDiffer(input.card, input.terminal),
    serviceNotAllowed: !usageAllowed(input),
    expired: false,
    notYetEffective: false,
  };
  const today = yymmdd(input.terminal['9A']);
  const effective = input.card['5F25'];
  const expiry = input.card['5F24'];
  if (today !== undefined && effective !== undefined) {
    result.notYetEffective = today < (yymmdd(effective) ?? -Infinity);
  }
  if (today !== undefined && expiry !== undefined) {
    result.expired = today > (yymmdd(expiry) ?? Infinity);
  }
  if (result.versionsDiffer) input.tvr.set(TVR.DIFFERENT_APPLICATION_VERSIONS);
  if (result.serviceNotAllowed) input.tvr.set(TVR.SERVICE_NOT_ALLOWED);
  if (result.expired) input.tvr.set(TVR.EXPIRED_APPLICATION);
  if (result.notYetEffective) input.tvr.set(TVR.APPLICATION_NOT_YET_EFFECTIVE);
  return result;
}

/** 10.4.1: only when both sides have a version; a card without 9F08 is taken as compatible. */
function versionsDiffer(card: TagValues, terminal: TagValues): boolean {
  const cardVersion = card['9F08'];
  const terminalVersion = terminal['9F09'];
  if (cardVersion === undefined || terminalVersion === undefined) return false;
  return !cardVersion.equals(terminalVersion);
}

/** Terminal types 14, 15 and 16 are ATMs when they dispense cash (Book 4 annex A1). */
function isAtm(terminal: TagValues): boolean {
  const type = terminal['9F35']?.[0];
  const additional = terminal['9F40'];
  const dispensesCash = additional !== undefined && (additional[0]! & 0x80) !== 0;
  return (type === 0x14 || type === 0x15 || type === 0x16) && dispensesCash;
}

/**
 * 10.4.2: without 9F07 every use is allowed. The ATM bits are always checked; the domestic
 * or international bits only when the card gives its issuer country (5F28).
 */
function usageAllowed({ card, terminal, purchaseOf }: RestrictionsInput): boolean {
  const auc = card['9F07'];
  if (auc === undefined) return true;
  const has = ([byte, mask]: AucBit): boolean => ((auc[byte] ?? 0) & mask) !== 0;
  if (!has(isAtm(terminal) ? AUC.ATM : AUC.NOT_ATM)) return false;

  const issuerCountry = card['5F28'];
  const terminalCountry = terminal['9F1A'];
  if (issuerCountry === undefined || terminalCountry === undefined) return true;
  const domestic = issuerCountry.equals(terminalCountry);
  const type = terminal['9C']?.[0] ?? TYPE.PURCHASE;
  const other = terminal['9F03'];
  const cashback = type === TYPE.CASHBACK || (other !== undefined && other.some((b) => b !== 0));

  if (type === TYPE.CASH) {
    return has(domestic ? AUC.DOMESTIC_CASH : AUC.INTERNATIONAL_CASH);
  }
  if (type === TYPE.PURCHASE || type === TYPE.CASHBACK) {
    const goods = purchaseOf === 'goods';
    const bought = domestic
      ? (goods ? AUC.DOMESTIC_GOODS : AUC.DOMESTIC_SERVICES)
      : (goods ? AUC.INTERNATIONAL_GOODS : AUC.INTERNATIONAL_SERVICES);
    if (!has(bought)) return false;
  }
  if (cashback) return has(domestic ? AUC.DOMESTIC_CASHBACK : AUC.INTERNATIONAL_CASHBACK);
  return true;
}

/**
 * A YYMMDD date (n 6, BCD) as a comparable number YYYYMMDD; years 00-49 are 20xx and 50-99
 * are 19xx, the two-digit year rule of the EMV Books. Undefined when not three BCD bytes.
 */
export function yymmdd(value: Buffer | undefined): number | undefined {
  if (value === undefined || value.length !== 3) return undefined;
  const digits = value.toString('hex');
  if (!/^\d{6}$/.test(digits)) return undefined;
  const yy = Number(digits.slice(0, 2));
  const year = yy < 50 ? 2000 + yy : 1900 + yy;
  return year * 10_000 + Number(digits.slice(2));
}
