import { encodeTlv } from '../../../src/emv/tlv';
import type { CardKey, CardOda, CardProfile } from './card-profile';

/**
 * The files of a profile card, built once from its profile: the FCIs SELECT returns, the
 * payment system directory, the application's records and the AFL that lists them.
 * Layout (EMV Book 1 11-12, Book 3 5-10):
 * - PSE '1PAY.SYS.DDF01': FCI 6F { 84, A5 { 88 SFI 1, 5F2D } }; SFI 1 record 1 holds one
 *   directory entry 70 { 61 { 4F, 50, 87 } }.
 * - Application SFI 1: 57 and 5F20 (what a magnetic stripe would carry).
 *   SFI 2 record 1: 5A 5F24 5F25 5F34 5F28 9F07 8E 9F0D 9F0E 9F0F; record 2: 8C 8D 9F08 9F42
 *   9F44. A card with ODA data adds SFI 3 (odaRecords) and may flag SFI 2 records for ODA.
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
/** SFI of the card's own data (PAN, dates, CVM list, IACs), the records SDA and DDA sign. */
export const CARD_SFI = 2;
/** SFI of the record with the certificates, when the card has ODA data. */
const ODA_SFI = 3;

/**
 * Book 2 5.1, 6.1 and 7.1, one record each, as a record answer holds at most 254 bytes:
 * the CA key index with the issuer's certificate, remainder and exponent and 9F4A '82' (the
 * AIP joins the static data to be authenticated); then SDA's Signed Static Application Data
 * (93); the ICC's certificate, exponent, remainder and DDOL; the PIN encipherment key's.
 */
function odaRecords(oda: CardOda): Buffer[][] {
  const records: Buffer[][] = [[
    encodeTlv('8F', Buffer.from([oda.caIndex])),
    encodeTlv('90', oda.issuerCertificate),
    encodeTlv('9F32', oda.issuerExponent),
    ...optional('92', oda.issuerRemainder),
  ]];
  if (oda.signedStaticData !== undefined) records.push([encodeTlv('93', oda.signedStaticData)]);
  const tagList = encodeTlv('9F4A', Buffer.from([0x82]));
  records.push(oda.icc === undefined ? [tagList] : [
    encodeTlv('9F46', oda.icc.certificate), encodeTlv('9F47', oda.icc.exponent), tagList,
    ...optional('9F48', oda.icc.remainder), ...optional('9F49', oda.ddol),
  ]);
  if (oda.pin !== undefined) records.push(pinKeyRecord(oda.pin));
  return records;
}

function pinKeyRecord(key: CardKey): Buffer[] {
  return [
    encodeTlv('9F2D', key.certificate), encodeTlv('9F2E', key.exponent),
    ...optional('9F2F', key.remainder),
  ];
}

function optional(tag: string, value: Buffer | undefined): Buffer[] {
  return value === undefined || value.length === 0 ? [] : [encodeTlv(tag, value)];
}

export function buildCardFiles(p: CardProfile): CardFiles {
  const appRecords = new Map<number, Buffer[]>([
    [1, [template70([encodeTlv('57', track2Equivalent(p)), tlvAscii('5F20', p.cardholderName)])]],
    [CARD_SFI, [template70(cardRecord(p)), template70(riskRecord(p))]],
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
    afl: aflOf(appRecords, p.oda?.signedCardRecords ?? 0),
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

/**
 * AFL (94): per SFI, 4 bytes: SFI << 3, first record, last record, and how many records from
 * the first are signed for ODA (Book 3 10.2): `signed` of SFI 2's, none of the others.
 */
function aflOf(records: Map<number, Buffer[]>, signed: number): Buffer {
  const entries = [...records].map(([sfi, list]) =>
    Buffer.from([sfi << 3, 1, list.length, sfi === CARD_SFI ? signed : 0]));
  return Buffer.concat(entries);
}

function template70(items: Buffer[]): Buffer {
  return encodeTlv('70', items);
}

function tlvAscii(tag: string, text: string): Buffer {
  return encodeTlv(tag, Buffer.from(text, 'ascii'));
}
