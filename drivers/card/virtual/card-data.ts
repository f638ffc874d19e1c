import { encodeTlv } from '../../../src/emv/tlv';
import type { CardProfile } from './card-profile';

/**
 * The files of a profile card, built once from its profile: the FCIs SELECT returns, the
 * payment system directory, the application's records and the AFL that lists them.
 * Layout (EMV Book 1 11-12, Book 3 5-10):
 * - PSE '1PAY.SYS.DDF01': FCI 6F { 84, A5 { 88 SFI 1, 5F2D } }; SFI 1 record 1 holds one
 *   directory entry 70 { 61 { 4F, 50, 87 } }.
 * - Application SFI 1: 57 and 5F20 (what a magnetic stripe would carry).
 *   SFI 2 record 1: 5A 5F24 5F25 5F34 5F28 9F07 8E 9F0D 9F0E 9F0F; record 2: 8C 8D 9F08 9F42
 *   9F44. No record is signed: the AIP offers no offline data authentication.
 */
export const PSE_NAME = Buffer.from('1PAY.SYS.DDF01', 'ascii');

export interface CardFiles {
  pseFci: Buffer;
  /** SFI → records (record n at index n - 1), for the PSE and for the application. */
  directory: Map<number, Buffer[]>;
  appFci: Buffer;
  appRecords: Map<number, Buffer[]>;
  afl: Buffer;
}

const DIRECTORY_SFI = 1;
/** SFI of the record with the certificates, when the card has ODA data. */
const ODA_SFI = 3;

/**
 * Book 2 5.1 and 6.1: record 1 the CA key index and the issuer's certificate, remainder and
 * exponent; record 2 the ICC's, with 9F4A '82', which puts the AIP into the static data the
 * ICC certificate signs. Two records, as a record answer holds at most 254 bytes.
 */
function odaRecords(oda: NonNullable<CardProfile['oda']>): Buffer[][] {
  const issuer = [
    encodeTlv('8F', Buffer.from([oda.caIndex])),
    encodeTlv('90', oda.issuerCertificate),
    encodeTlv('9F32', oda.issuerExponent),
  ];
  if (oda.issuerRemainder !== undefined && oda.issuerRemainder.length > 0) {
    issuer.push(encodeTlv('92', oda.issuerRemainder));
  }
  const icc = [
    encodeTlv('9F46', oda.iccCertificate),
    encodeTlv('9F47', oda.iccExponent),
    encodeTlv('9F4A', Buffer.from([0x82])),
  ];
  if (oda.iccRemainder !== undefined && oda.iccRemainder.length > 0) {
    icc.push(encodeTlv('9F48', oda.iccRemainder));
  }
  return [issuer, icc];
}

export function buildCardFiles(p: CardProfile): CardFiles {
  const appRecords = new Map<number, Buffer[]>([
    [1, [template70([encodeTlv('57', track2Equivalent(p)), tlvAscii('5F20', p.cardholderName)])]],
    [2, [template70(cardRecord(p)), template70(riskRecord(p))]],
  ]);
  if (p.oda !== undefined) appRecords.set(ODA_SFI, odaRecords(p.oda).map(template70));
  return {
    pseFci: encodeTlv('6F', [
      encodeTlv('84', PSE_NAME),
      encodeTlv('A5', [
        encodeTlv('88', Buffer.from([DIRECTORY_SFI])), tlvAscii('5F2D', p.languages),
      ]),
    ]),
    directory: new Map([[DIRECTORY_SFI, [template70([encodeTlv('61', directoryEntry(p))])]]]),
    appFci: encodeTlv('6F', [encodeTlv('84', p.aid), encodeTlv('A5', fciProprietary(p))]),
    appRecords,
    afl: aflOf(appRecords),
  };
}

function directoryEntry(p: CardProfile): Buffer[] {
  return [
    encodeTlv('4F', p.aid), tlvAscii('50', p.label), encodeTlv('87', Buffer.from([p.priority])),
  ];
}

function fciProprietary(p: CardProfile): Buffer[] {
  const items = [
    tlvAscii('50', p.label), encodeTlv('87', Buffer.from([p.priority])),
    tlvAscii('5F2D', p.languages),
  ];
  if (p.rawDols.pdol.length > 0) items.push(encodeTlv('9F38', p.rawDols.pdol));
  return items;
}

function cardRecord(p: CardProfile): Buffer[] {
  const items = [
    encodeTlv('5A', compressedNumeric(p.pan)),
    encodeTlv('5F24', Buffer.from(lastDayOf(p.expiry), 'hex')),
  ];
  if (p.effective !== undefined) {
    items.push(encodeTlv('5F25', Buffer.from(`${p.effective}01`, 'hex')));
  }
  items.push(
    encodeTlv('5F34', Buffer.from(p.panSequence, 'hex')),
    encodeTlv('5F28', p.issuerCountry),
    encodeTlv('9F07', p.auc),
    encodeTlv('8E', p.cvmList),
    encodeTlv('9F0D', p.iac.default),
    encodeTlv('9F0E', p.iac.denial),
    encodeTlv('9F0F', p.iac.online),
  );
  return items;
}

function riskRecord(p: CardProfile): Buffer[] {
  return [
    encodeTlv('8C', p.rawDols.cdol1),
    encodeTlv('8D', p.rawDols.cdol2),
    encodeTlv('9F08', p.applicationVersion),
    encodeTlv('9F42', p.currency),
    encodeTlv('9F44', Buffer.from([p.currencyExponent])),
  ];
}

/**
 * Track 2 equivalent data (tag 57, Book 3 table 33): PAN, separator D, expiry YYMM, service
 * code, discretionary data, padded with F to whole bytes.
 */
export function track2Equivalent(p: CardProfile): Buffer {
  const nibbles = `${p.pan}D${p.expiry}${p.serviceCode}${p.track2Discretionary}`;
  return Buffer.from(nibbles.length % 2 === 0 ? nibbles : `${nibbles}F`, 'hex');
}

/** cn format: digits packed two per byte, trailing F padding. */
export function compressedNumeric(digits: string): Buffer {
  return Buffer.from(digits.length % 2 === 0 ? digits : `${digits}F`, 'hex');
}

/** YYMM → YYMMDD on the month's last day (5F24 is a date; cards expire at month end). */
export function lastDayOf(yymm: string): string {
  const year = 2000 + Number(yymm.slice(0, 2));
  const month = Number(yymm.slice(2, 4));
  const day = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${yymm}${String(day).padStart(2, '0')}`;
}

/** AFL (94): per SFI, 4 bytes: SFI << 3, first record, last record, records for ODA (none). */
function aflOf(records: Map<number, Buffer[]>): Buffer {
  const entries = [...records].map(([sfi, list]) => Buffer.from([sfi << 3, 1, list.length, 0]));
  return Buffer.concat(entries);
}

function template70(items: Buffer[]): Buffer {
  return encodeTlv('70', items);
}

function tlvAscii(tag: string, text: string): Buffer {
  return encodeTlv(tag, Buffer.from(text, 'ascii'));
}
