import { z } from 'zod';
import type { Cvn } from '../../../src/emv/cryptogram';
import { parseDol, type DolEntry } from '../../../src/emv/dol';
import { parseHexText, YamlSource } from './yaml-source';

/**
 * Card profiles: the data of an EMV contact card that ProfileCard computes its answers from.
 * A profile is a YAML map (camelCase keys, unknown keys refused; hex may hold spaces):
 *
 *   kind: profile                  # required: tells profiles from traces
 *   test: true                     # required: the file holds an issuer key; test keys only
 *   name: Visa CVN 10 test card    # for logs
 *   t0: false                      # T=0 card: 61xx / GET RESPONSE and 6Cxx (default false)
 *   atr: '3B 60 00 00'             # optional; default a T=0 or T=1 ATR as t0 says
 *   pan: '4761739001010010'        # Luhn-checked
 *   panSequence: '01'              # 5F34
 *   expiry: '2812'                 # YYMM; 5F24 is the last day of that month
 *   effective: '2301'              # YYMM, optional; 5F25 is the first day
 *   cardholderName: 'TEST/CARD'    # 5F20
 *   serviceCode: '201'             # in 57; 2xx = chip card (default 201)
 *   track2Discretionary: '0000'    # digits after the service code in 57 (default 00000)
 *   aid: 'A0000000031010'          # 4F / 84
 *   label: 'VISA DEBIT'            # 50
 *   priority: 1                    # 87 (1..15)
 *   languages: 'vien'              # 5F2D
 *   cvn: 10                        # 10 or 18: cryptogram version (src/emv/cryptogram.ts)
 *   issuerMasterKeyAc: '0123...'   # 16 bytes: IMK for AC; the bank side must hold the same
 *   atcStart: 16                   # ATC before the first transaction
 *   pinTryCounter: 3               # 9F17 as the card is issued (0: offline PIN blocked)
 *   pinTryLimit: 3                 # what a right PIN resets 9F17 to (default 3)
 *   testPin: '1234'                # the cardholder's PIN, 4..12 digits, test cards only: VERIFY
 *                                  # checks it offline (without it VERIFY answers 6985), and
 *                                  # the acquirer simulator online (src/acquirer/simulator)
 *   issuerMasterKeySmi: '...'      # 16 bytes: IMK for secure messaging integrity; the issuer's
 *                                  # script MACs are checked with keys derived from it
 *   putData: { '9F14': '03' }      # data objects PUT DATA may replace (same length) and
 *                                  # GET DATA reads, e.g. 9F14 and 9F23 offline limits
 *   lastOnlineAtc: 0               # 9F13
 *   aip: '1C00'                    # 82
 *   pdol: '9F1A 02'                # 9F38, optional (GPO then takes 83 00)
 *   cdol1: '9F02 06 ...'           # 8C: must hold 9F02 9F03 9F1A 95 5F2A 9A 9C 9F37
 *   cdol2: '8A 02 ...'             # 8D: must hold 8A; may hold 91 (issuer authentication)
 *   cvmList: '...'                 # 8E
 *   auc: 'FF00'                    # 9F07
 *   iac: { default: '..', denial: '..', online: '..' }   # 9F0D 9F0E 9F0F, 5 bytes each
 *   applicationVersion: '008C'     # 9F08
 *   issuerCountry: '0704'          # 5F28
 *   currency: '0704'               # 9F42
 *   currencyExponent: 0            # 9F44
 *   issuerAuthRequired: true       # second GENERATE AC gives TC only after a good ARPC
 *   oda:                           # ODA data, made by scripts/make-test-cards.ts:
 *     caIndex, issuerCertificate, issuerRemainder, issuerExponent   # 8F 90 92 9F32
 *     signedCardRecords: 1         # SFI 2 records the AFL flags for ODA (default 0)
 *     signedStaticData: '..'       # 93, SDA (Book 2 5.4)
 *     iccCertificate, iccRemainder, iccExponent, iccPrivateKey     # 9F46 9F48 9F47: DDA, CDA
 *     ddol: '9F37 04'              # 9F49; INTERNAL AUTHENTICATE then checks its data length
 *     pinCertificate, pinRemainder, pinExponent, pinPrivateKey     # 9F2D 9F2F 9F2E: a
 *                                  # separate ICC PIN encipherment key (Book 2 7.1)
 *   faults:                        # optional, for rehearsal and tests
 *     removeAt: generate-ac#2      # pull the card out as this command arrives (once):
 *                                  # a command name (COMMAND_NAMES below: select, gpo,
 *                                  # generate-ac, verify, ...), '#n' for its n-th time;
 *                                  # or a number: the n-th APDU
 *     malformedTlvAt: gpo          # cut the last byte of this command's answer data
 *     selectRefused: true          # every SELECT answers 6985
 *     declineSecondAc: true        # the second GENERATE AC answers an AAC, whatever was asked
 *     readerFailsAt: generate-ac#2 # the reader fails as this command arrives (once)
 *     delayMs: 30                  # time the chip takes per command
 *     generateAcDelayMs: 300       # ... and per GENERATE AC
 *     rejectArpc: true             # the card's ARPC check always fails, as on a card whose
 *                                  # key differs from the bank's: EXTERNAL AUTHENTICATE 6300
 */
export interface CardFaults {
  removeAt?: string | number;
  malformedTlvAt?: string;
  selectRefused?: boolean;
  declineSecondAc?: boolean;
  readerFailsAt?: string;
  delayMs?: number;
  generateAcDelayMs?: number;
  rejectArpc?: boolean;
}

export interface CardProfile {
  name: string;
  t0: boolean;
  atr?: Buffer;
  pan: string;
  panSequence: string;
  expiry: string;
  effective?: string;
  cardholderName: string;
  serviceCode: string;
  track2Discretionary: string;
  aid: Buffer;
  label: string;
  priority: number;
  languages: string;
  cvn: Cvn;
  issuerMasterKeyAc: Buffer;
  atcStart: number;
  pinTryCounter: number;
  pinTryLimit: number;
  testPin?: string;
  issuerMasterKeySmi?: Buffer;
  /** Tag (upper-case hex) → value, as personalised. */
  putData: Record<string, Buffer>;
  lastOnlineAtc: number;
  aip: Buffer;
  pdol: DolEntry[];
  cdol1: DolEntry[];
  cdol2: DolEntry[];
  /** The DOLs as the card sends them in 9F38, 8C and 8D. */
  rawDols: { pdol: Buffer; cdol1: Buffer; cdol2: Buffer };
  cvmList: Buffer;
  auc: Buffer;
  iac: { default: Buffer; denial: Buffer; online: Buffer };
  applicationVersion: Buffer;
  issuerCountry: Buffer;
  currency: Buffer;
  currencyExponent: number;
  issuerAuthRequired: boolean;
  faults: CardFaults;
  /** Offline data authentication data and the ICC key (CDA); none without. */
  oda?: CardOda;
}

/**
 * ODA data of a card made by scripts/make-test-cards.ts (certificates from quay's test CA,
 * drivers/card/virtual/test-ca.ts). Kept in records of SFI 3 with 9F4A '82': the static
 * data to be authenticated is the records of SFI 2 flagged in the AFL, then the AIP.
 */
export interface CardOda {
  caIndex: number;
  issuerCertificate: Buffer;
  issuerRemainder?: Buffer;
  issuerExponent: Buffer;
  signedCardRecords: number;
  /** Signed Static Application Data (93), for SDA. */
  signedStaticData?: Buffer;
  /** The ICC key pair (DDA, CDA, and enciphered PIN without a separate key). */
  icc?: CardKey;
  ddol?: Buffer;
  /** ICC PIN Encipherment key (9F2D 9F2E 9F2F). */
  pin?: CardKey;
}

/** A certified card key: certificate, remainder, exponent and the private key. */
export interface CardKey {
  certificate: Buffer;
  remainder?: Buffer;
  exponent: Buffer;
  /** PKCS#8 PEM: test cards only. */
  privateKey: string;
}

/** Command names faults refer to. */
export const COMMAND_NAMES = [
  'select', 'read-record', 'gpo', 'get-data', 'generate-ac', 'external-authenticate',
  'get-response', 'verify', 'get-challenge', 'internal-authenticate', 'application-block',
  'application-unblock', 'pin-change-unblock', 'put-data',
] as const;

/** The data a Visa cryptogram is computed over that comes from the terminal (via CDOL1). */
const CRYPTOGRAM_TERMINAL_TAGS = ['9F02', '9F03', '9F1A', '95', '5F2A', '9A', '9C', '9F37'];

const hex = (bytes?: number) => z.string().transform((text, ctx) => {
  const value = parseHexText(text);
  if (value === undefined) {
    ctx.addIssue({ code: 'custom', message: 'hex bytes (pairs of digits) expected' });
    return z.NEVER;
  }
  if (bytes !== undefined && value.length !== bytes) {
    ctx.addIssue({ code: 'custom', message: `${bytes} bytes of hex expected` });
    return z.NEVER;
  }
  return value;
});

const digits = (min: number, max: number) =>
  z.string().regex(new RegExp(`^\\d{${min},${max}}$`), `${min} to ${max} digits`);
const yymm = z.string().regex(/^\d{2}(0[1-9]|1[0-2])$/, 'YYMM');
const faultCommand = z.string().regex(
  new RegExp(`^(${COMMAND_NAMES.join('|')})(#[1-9]\\d*)?$`),
  `a command name (${COMMAND_NAMES.join(', ')}), optionally #n`,
);

const faultsSchema = z.strictObject({
  removeAt: z.union([faultCommand, z.number().int().positive()]).optional(),
  malformedTlvAt: faultCommand.optional(),
  selectRefused: z.boolean().optional(),
  declineSecondAc: z.boolean().optional(),
  readerFailsAt: faultCommand.optional(),
  delayMs: z.number().int().min(0).optional(),
  generateAcDelayMs: z.number().int().min(0).optional(),
  rejectArpc: z.boolean().optional(),
});

const pem = z.string().regex(/^-----BEGIN PRIVATE KEY-----/, 'a PKCS#8 PEM key');

const odaSchema = z.strictObject({
  caIndex: z.number().int().min(0).max(255),
  issuerCertificate: hex(),
  issuerRemainder: hex().optional(),
  issuerExponent: hex(),
  signedCardRecords: z.number().int().min(0).max(2).default(0),
  signedStaticData: hex().optional(),
  iccCertificate: hex().optional(),
  iccRemainder: hex().optional(),
  iccExponent: hex().optional(),
  iccPrivateKey: pem.optional(),
  ddol: hex().optional(),
  pinCertificate: hex().optional(),
  pinRemainder: hex().optional(),
  pinExponent: hex().optional(),
  pinPrivateKey: pem.optional(),
}).refine((o) => allOrNone(o.iccCertificate, o.iccExponent, o.iccPrivateKey),
  'iccCertificate, iccExponent and iccPrivateKey go together')
  .refine((o) => allOrNone(o.pinCertificate, o.pinExponent, o.pinPrivateKey),
    'pinCertificate, pinExponent and pinPrivateKey go together');

function allOrNone(...values: unknown[]): boolean {
  const present = values.filter((v) => v !== undefined).length;
  return present === 0 || present === values.length;
}

const tagHex = z.string().regex(/^([0-9A-Fa-f]{2}){1,2}$/, 'a tag, e.g. 9F14');

const profileSchema = z.strictObject({
  kind: z.literal('profile'),
  test: z.literal(true, 'profiles hold an issuer key: only test keys, marked test: true'),
  name: z.string().default('virtual card'),
  t0: z.boolean().default(false),
  atr: hex().optional(),
  pan: digits(12, 19).refine(luhnValid, 'PAN fails the Luhn check'),
  panSequence: digits(2, 2),
  expiry: yymm,
  effective: yymm.optional(),
  cardholderName: z.string().min(2).max(26),
  serviceCode: digits(3, 3).default('201'),
  track2Discretionary: z.string().regex(/^\d{0,13}$/, 'up to 13 digits').default('00000'),
  aid: hex().refine((b) => b.length >= 5 && b.length <= 16, 'an AID is 5 to 16 bytes'),
  label: z.string().min(1).max(16),
  priority: z.number().int().min(1).max(15).default(1),
  languages: z.string().regex(/^([a-z]{2}){1,4}$/, 'ISO 639 codes, e.g. vien').default('vien'),
  cvn: z.union([z.literal(10), z.literal(18)]),
  issuerMasterKeyAc: hex(16),
  atcStart: z.number().int().min(0).max(0xfffe).default(0),
  pinTryCounter: z.number().int().min(0).max(15).default(3),
  pinTryLimit: z.number().int().min(1).max(15).default(3),
  testPin: z.string().regex(/^\d{4,12}$/, '4 to 12 digits').optional(),
  issuerMasterKeySmi: hex(16).optional(),
  putData: z.record(tagHex, hex()).default({}),
  lastOnlineAtc: z.number().int().min(0).max(0xffff).default(0),
  aip: hex(2),
  pdol: hex().prefault(''),
  cdol1: hex(),
  cdol2: hex(),
  cvmList: hex().refine((b) => b.length >= 8 && b.length % 2 === 0, 'X, Y and 2-byte rules'),
  auc: hex(2).prefault('FF00'),
  iac: z.strictObject({ default: hex(5), denial: hex(5), online: hex(5) }),
  applicationVersion: hex(2),
  issuerCountry: hex(2).prefault('0704'),
  currency: hex(2).prefault('0704'),
  currencyExponent: z.number().int().min(0).max(3).default(0),
  issuerAuthRequired: z.boolean().default(true),
  faults: faultsSchema.default({}),
  oda: odaSchema.optional(),
});

export function luhnValid(pan: string): boolean {
  let sum = 0;
  for (let i = 0; i < pan.length; i += 1) {
    let d = Number(pan[pan.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** Checks a parsed YAML profile; ConfigError names the file, line and key at fault. */
export function readCardProfile(source: YamlSource): CardProfile {
  const parsed = profileSchema.safeParse(source.doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map(String);
    const node = path.length > 0 ? source.doc.getIn(path, true) : source.doc.contents;
    const line = source.lineOf(node as Parameters<YamlSource['lineOf']>[0]) ??
      source.lineOf(source.doc.contents);
    const key = path.join('.') || '(top level)';
    const more = parsed.error.issues.length > 1
      ? ` (and ${parsed.error.issues.length - 1} more)` : '';
    throw source.error(`${key}: ${issue.message}${more}`, line, { field: key });
  }
  return checkDols(source, parsed.data);
}

function checkDols(source: YamlSource, raw: z.infer<typeof profileSchema>): CardProfile {
  const dol = (key: 'pdol' | 'cdol1' | 'cdol2'): DolEntry[] => {
    try {
      return parseDol(raw[key], key.toUpperCase());
    } catch (cause) {
      throw source.error(`${key}: not a valid data object list`, lineOfKey(source, key), {
        field: key, cause: String(cause),
      });
    }
  };
  const [pdol, cdol1, cdol2] = [dol('pdol'), dol('cdol1'), dol('cdol2')];
  const missing = CRYPTOGRAM_TERMINAL_TAGS.filter((tag) => !cdol1.some((e) => e.tag === tag));
  if (missing.length > 0) {
    throw source.error(`cdol1 lacks ${missing.join(' ')}, which the cryptogram covers`,
      lineOfKey(source, 'cdol1'), { field: 'cdol1' });
  }
  if (!cdol2.some((e) => e.tag === '8A')) {
    throw source.error('cdol2 lacks 8A (authorisation response code)',
      lineOfKey(source, 'cdol2'), { field: 'cdol2' });
  }
  if (raw.oda?.ddol !== undefined) {
    try {
      parseDol(raw.oda.ddol, 'DDOL');
    } catch (cause) {
      throw source.error('oda.ddol: not a valid data object list', lineOfKey(source, 'oda'), {
        field: 'oda.ddol', cause: String(cause),
      });
    }
  }
  if (raw.pinTryCounter > raw.pinTryLimit) {
    throw source.error('pinTryCounter is above pinTryLimit', lineOfKey(source, 'pinTryCounter'),
      { field: 'pinTryCounter' });
  }
  const { kind: _kind, test: _test, oda, putData, ...rest } = raw;
  return {
    ...rest,
    putData: Object.fromEntries(Object.entries(putData).map(([t, v]) => [t.toUpperCase(), v])),
    oda: oda === undefined ? undefined : cardOda(oda),
    pdol, cdol1, cdol2,
    rawDols: { pdol: raw.pdol, cdol1: raw.cdol1, cdol2: raw.cdol2 },
  };
}

function cardOda(raw: z.infer<typeof odaSchema>): CardOda {
  const key = (prefix: 'icc' | 'pin'): CardKey | undefined => {
    const certificate = raw[`${prefix}Certificate`];
    const exponent = raw[`${prefix}Exponent`];
    const privateKey = raw[`${prefix}PrivateKey`];
    if (certificate === undefined || exponent === undefined || privateKey === undefined) {
      return undefined;
    }
    return { certificate, exponent, privateKey, remainder: raw[`${prefix}Remainder`] };
  };
  return {
    caIndex: raw.caIndex, issuerCertificate: raw.issuerCertificate,
    issuerRemainder: raw.issuerRemainder, issuerExponent: raw.issuerExponent,
    signedCardRecords: raw.signedCardRecords, signedStaticData: raw.signedStaticData,
    icc: key('icc'), ddol: raw.ddol, pin: key('pin'),
  };
}

function lineOfKey(source: YamlSource, key: string): number | undefined {
  return source.lineOf(source.doc.getIn([key], true) as Parameters<YamlSource['lineOf']>[0]);
}

export function loadCardProfile(path: string): CardProfile {
  return readCardProfile(YamlSource.fromFile(path));
}

export function cardProfileFromYaml(text: string, name = 'profile'): CardProfile {
  return readCardProfile(new YamlSource(text, name));
}
