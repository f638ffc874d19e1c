import {
  decodeMpm, encodeMpm, leftOver, readChild, readTemplate, type CrcCheck, type LengthPolicy,
  type MpmField,
} from './emv-mpm';
import { QrError } from './errors';

/**
 * NAPAS VietQR (Technical Specifications on NAPAS QR Switching, v1.5.2, part IV): an EMVCo
 * merchant-presented code whose merchant account template (ID 38) carries the NAPAS GUID
 * A000000727, the beneficiary organization (01: 00 acquirer BIN, 01 account or card number)
 * and the service code (02). Amounts are whole dong (ISO 4217 704 has no minor unit).
 */

export const NAPAS_GUID = 'A000000727';
export const SERVICE_CODES = ['QRPUSH', 'QRIBFTTA', 'QRIBFTTC'] as const;
export type ServiceCode = typeof SERVICE_CODES[number];

export interface VietQr {
  /** 01: "11" static (many payments), "12" dynamic (this payment only). */
  initiation: 'static' | 'dynamic';
  /** 38.01.00: the beneficiary bank's 6-digit BIN (acquirer ID). */
  bin: string;
  /** 38.01.01: account number (QRIBFTTA), card number (QRIBFTTC) or merchant ID (QRPUSH). */
  account: string;
  /** 38.02 */
  service: ServiceCode;
  /** 52 */
  merchantCategoryCode?: string;
  /** 54, whole dong. */
  amount?: number;
  /** 59 */
  merchantName?: string;
  /** 60 */
  merchantCity?: string;
  /** 62.01 */
  billNumber?: string;
  /** 62.07 */
  terminalLabel?: string;
  /** 62.08: the transfer content the payer's bank sends on; the reference goes here. */
  purpose?: string;
}

/** What a bank expects of the codes it reads; `lengths` as `LengthPolicy` says. */
export interface BankProfile {
  lengths?: LengthPolicy;
}

export interface DecodedVietQr {
  fields: VietQr;
  crc: CrcCheck;
  /** Fields outside what VietQr names, kept as read (root and additional data). */
  other: MpmField[];
  /** What a `lengths: 'outer-only'` profile repaired, field named. */
  warnings: string[];
}

const TEXT = /^[\x20-\x7E]+$/;

/** Limits from EMVCo QRCPS-MPM and NAPAS part IV, by field path. */
const MAX_LENGTH: Record<string, number> = {
  '38.01.01': 19, '59': 25, '60': 15, '62.01': 25, '62.07': 25, '62.08': 25,
};

function invalid(field: string, reason: string): QrError {
  return new QrError('QR_FIELD_INVALID', `${field}: ${reason}`, { detail: { field } });
}

function checkText(field: string, value: string): void {
  if (!TEXT.test(value)) {
    throw invalid(field, 'printable ASCII only (fold Vietnamese text first: foldVietnamese)');
  }
  const max = MAX_LENGTH[field];
  if (max !== undefined && value.length > max) {
    throw invalid(field, `at most ${max} characters, this one has ${value.length}`);
  }
}

/**
 * The rules a VietQR code's fields obey. A code quay builds also obeys what a payment needs
 * (`building`): a dynamic code carries its amount, a merchant payment its MCC, name and city
 * (EMVCo 52, 59, 60 are mandatory there); codes read from elsewhere may lack them.
 */
function checkFields(qr: VietQr, building: boolean): void {
  if (!/^\d{6}$/.test(qr.bin)) throw invalid('38.01.00', 'the bank BIN is 6 digits');
  checkText('38.01.01', qr.account);
  if (qr.service === 'QRIBFTTC' && !/^\d{12,19}$/.test(qr.account)) {
    throw invalid('38.01.01', 'a card number is 12 to 19 digits');
  }
  if (!SERVICE_CODES.includes(qr.service)) {
    throw invalid('38.02', `service code is one of ${SERVICE_CODES.join(', ')}`);
  }
  if (qr.merchantCategoryCode !== undefined && !/^\d{4}$/.test(qr.merchantCategoryCode)) {
    throw invalid('52', 'the merchant category code is 4 digits (ISO 18245)');
  }
  if (qr.amount !== undefined
    && (!Number.isSafeInteger(qr.amount) || qr.amount <= 0 || String(qr.amount).length > 13)) {
    throw invalid('54', 'the amount is a whole number of dong, 1 to 13 digits');
  }
  if (building) checkPayment(qr);
  const texts: [string, string | undefined][] = [['59', qr.merchantName],
    ['60', qr.merchantCity], ['62.01', qr.billNumber], ['62.07', qr.terminalLabel],
    ['62.08', qr.purpose]];
  for (const [field, value] of texts) if (value !== undefined) checkText(field, value);
}

function checkPayment(qr: VietQr): void {
  if (qr.initiation === 'dynamic' && qr.amount === undefined) {
    throw invalid('54', 'a dynamic code carries the amount of its payment');
  }
  if (qr.service === 'QRPUSH' && (!qr.merchantCategoryCode || !qr.merchantName
    || !qr.merchantCity)) {
    throw invalid('52', 'a merchant payment (QRPUSH) names its MCC (52), name (59), city (60)');
  }
}

/** The payload of a VietQR code, CRC included, in the order of NAPAS part IV. */
export function buildVietQr(qr: VietQr): string {
  checkFields(qr, true);
  const optional = (id: string, value: string | undefined): MpmField[] =>
    (value === undefined ? [] : [{ id, value }]);
  const additional = [...optional('01', qr.billNumber), ...optional('07', qr.terminalLabel),
    ...optional('08', qr.purpose)];
  return encodeMpm([
    { id: '00', value: '01' },
    { id: '01', value: qr.initiation === 'dynamic' ? '12' : '11' },
    { id: '38', value: '', children: [
      { id: '00', value: NAPAS_GUID },
      { id: '01', value: '', children: [{ id: '00', value: qr.bin },
        { id: '01', value: qr.account }] },
      { id: '02', value: qr.service },
    ] },
    ...optional('52', qr.merchantCategoryCode),
    { id: '53', value: '704' },
    ...optional('54', qr.amount === undefined ? undefined : String(qr.amount)),
    { id: '58', value: 'VN' },
    ...optional('59', qr.merchantName),
    ...optional('60', qr.merchantCity),
    ...(additional.length > 0 ? [{ id: '62', value: '', children: additional }] : []),
  ]);
}

/**
 * The beneficiary organization (38.01) read by its own two fields (00 BIN, 01 account),
 * whatever length 38.01 declares: what `outer-only` does when 38.01's length disagrees.
 */
function readBeneficiaryByFields(value: string, start: number, declared: number,
  warnings: string[]): { field: MpmField; next: number } {
  const children: MpmField[] = [];
  let at = start;
  for (const id of ['00', '01']) {
    const read = readChild(value, at, '38.01', 'outer-only', warnings);
    if (!read || read.field.id !== id) break;
    children.push(read.field);
    at = read.next;
  }
  const actual = at - start;
  if (actual !== declared) {
    warnings.push(`38.01: length ${declared} disagrees with its fields (${actual}); ` +
      'read by its fields within 38');
  }
  return { field: { id: '01', value: value.slice(start, at), children }, next: at };
}

/**
 * 38 read strictly. When its lengths disagree, reading it by its fields finds the field whose
 * length is wrong, and the error names that field rather than where the reading ran aground.
 */
function readMerchantAccountStrictly(value: string): MpmField[] {
  try {
    return readTemplate(value, '38', 'strict').map((child) => (child.id === '01'
      ? { ...child, children: readTemplate(child.value, '38.01', 'strict') } : child));
  } catch (err) {
    if (!(err instanceof QrError)) throw err;
    const found: string[] = [];
    readMerchantAccount(value, 'outer-only', found);
    const first = found[0];
    if (first === undefined) throw err;
    const field = first.slice(0, first.indexOf(':'));
    throw new QrError('QR_LENGTH_MISMATCH', first, { cause: err, detail: { field } });
  }
}

/** The merchant account template (38) with its nested beneficiary organization. */
function readMerchantAccount(value: string, policy: LengthPolicy,
  warnings: string[]): MpmField[] {
  if (policy === 'strict') return readMerchantAccountStrictly(value);
  const children: MpmField[] = [];
  let at = 0;
  while (at < value.length) {
    const read = readChild(value, at, '38', policy, warnings);
    if (!read) {
      leftOver(value, at, '38', policy, warnings);
      break;
    }
    if (read.field.id === '01') {
      const nested = readBeneficiaryByFields(value, at + 4, read.field.value.length, warnings);
      children.push(nested.field);
      at = nested.next;
    } else {
      children.push(read.field);
      at = read.next;
    }
  }
  return children;
}

function child(fields: readonly MpmField[] | undefined, id: string): string | undefined {
  return fields?.find((f) => f.id === id)?.value;
}

function required(value: string | undefined, field: string, what: string): string {
  if (value === undefined) throw invalid(field, `${what} is missing`);
  return value;
}

/** The typed fields of the NAPAS merchant account (38). */
function merchantAccount(root: readonly MpmField[], policy: LengthPolicy,
  warnings: string[]): Pick<VietQr, 'bin' | 'account' | 'service'> {
  const raw = required(child(root, '38'), '38', 'the NAPAS merchant account template');
  const template = readMerchantAccount(raw, policy, warnings);
  if (child(template, '00') !== NAPAS_GUID) {
    throw invalid('38.00', `the GUID is ${NAPAS_GUID} (NAPAS), found "${child(template, '00')}"`);
  }
  const beneficiary = template.find((f) => f.id === '01')?.children;
  const service = required(child(template, '02'), '38.02', 'the service code');
  if (!(SERVICE_CODES as readonly string[]).includes(service)) {
    throw invalid('38.02',
      `service code is one of ${SERVICE_CODES.join(', ')}, found "${service}"`);
  }
  return {
    bin: required(child(beneficiary, '00'), '38.01.00', 'the bank BIN'),
    account: required(child(beneficiary, '01'), '38.01.01', 'the account or card number'),
    service: service as ServiceCode,
  };
}

const KNOWN_ROOT = new Set(['00', '01', '38', '52', '53', '54', '58', '59', '60', '62', '63']);
const KNOWN_ADDITIONAL = new Set(['01', '07', '08']);

/** The root fields VietQr names, checked against NAPAS part IV. */
function rootFields(root: readonly MpmField[]): Omit<VietQr, 'bin' | 'account' | 'service'> {
  if (root[0]?.id !== '00' || root[0].value !== '01') {
    throw invalid('00', 'the payload starts with payload format indicator 00 = "01"');
  }
  const initiation = child(root, '01');
  if (initiation !== undefined && initiation !== '11' && initiation !== '12') {
    throw invalid('01',
      `point of initiation is 11 (static) or 12 (dynamic), found "${initiation}"`);
  }
  if (child(root, '53') !== '704') throw invalid('53', 'the currency is 704 (VND)');
  if (child(root, '58') !== 'VN') throw invalid('58', 'the country code is VN');
  const amount = child(root, '54');
  if (amount !== undefined && !/^\d{1,13}$/.test(amount)) {
    throw invalid('54', `VND has no minor unit: whole dong digits only, found "${amount}"`);
  }
  const out: Omit<VietQr, 'bin' | 'account' | 'service'> = {
    initiation: initiation === '12' ? 'dynamic' : 'static',
  };
  const mcc = child(root, '52');
  if (mcc !== undefined) out.merchantCategoryCode = mcc;
  if (amount !== undefined) out.amount = Number(amount);
  const name = child(root, '59');
  if (name !== undefined) out.merchantName = name;
  const city = child(root, '60');
  if (city !== undefined) out.merchantCity = city;
  return out;
}

/**
 * Reads a VietQR payload to its typed fields, with the CRC check reported (not enforced:
 * `parseVietQr` enforces it). Structure errors name the field: QR_MALFORMED,
 * QR_LENGTH_MISMATCH, QR_FIELD_INVALID.
 */
export function decodeVietQr(payload: string, profile: BankProfile = {}): DecodedVietQr {
  const policy = profile.lengths ?? 'strict';
  const decoded = decodeMpm(payload);
  const warnings: string[] = [];
  const fields: VietQr = {
    ...merchantAccount(decoded.fields, policy, warnings), ...rootFields(decoded.fields),
  };
  const other = decoded.fields.filter((f) => !KNOWN_ROOT.has(f.id));
  const additional = child(decoded.fields, '62');
  if (additional !== undefined) {
    const data = readTemplate(additional, '62', policy, warnings);
    const bill = child(data, '01');
    const terminal = child(data, '07');
    const purpose = child(data, '08');
    if (bill !== undefined) fields.billNumber = bill;
    if (terminal !== undefined) fields.terminalLabel = terminal;
    if (purpose !== undefined) fields.purpose = purpose;
    other.push(...data.filter((f) => !KNOWN_ADDITIONAL.has(f.id))
      .map((f) => ({ ...f, id: `62.${f.id}` })));
  }
  checkFields(fields, false);
  return { fields, crc: decoded.crc, other, warnings };
}

/** `decodeVietQr`, refusing a payload whose CRC does not hold (QR_CRC_MISMATCH). */
export function parseVietQr(payload: string, profile: BankProfile = {}): VietQr {
  const decoded = decodeVietQr(payload, profile);
  if (!decoded.crc.ok) {
    throw new QrError('QR_CRC_MISMATCH',
      `63: CRC ${decoded.crc.given} written, ${decoded.crc.computed} computed`,
      { detail: { field: '63', given: decoded.crc.given, computed: decoded.crc.computed } });
  }
  return decoded.fields;
}
