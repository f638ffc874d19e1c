import { computeCryptogram, deriveIccMasterKey, type TagValues } from '../../../src/emv/cryptogram';
import type { TerminalProfile, TransactionInput } from '../../../src/emv/kernel';
import { encodeTlv } from '../../../src/emv/tlv';
import { hex, type ScriptStep } from './scripted-card';

/**
 * A made-up Visa-like contact card (test PAN 4761739001010010) as scripted steps: PSE with
 * three applications, a PDOL, GPO format 2, three records, CVN 10 cryptograms.
 */
export const IMK = hex('0123456789ABCDEF FEDCBA9876543210');
export const MK = deriveIccMasterKey(IMK, '4761739001010010', '01');
export const IAD = hex('06010A03A00000');
export const ATC = hex('001C');

const t = (tag: string, value: Buffer | Buffer[]): Buffer => encodeTlv(tag, value);
const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');
const sw = (data: Buffer, status = '9000'): string => data.toString('hex') + status;

export const PROFILE: TerminalProfile = {
  aids: [{ aid: 'A000000003', partialMatch: true, applicationVersion: '0096' }],
  countryCode: '0704', currencyCode: '0704', currencyExponent: 0, terminalType: '22',
  capabilities: 'E0F8C8', additionalCapabilities: '6000F0A001', terminalId: 'QUAY0001',
  merchantCategoryCode: '9399', ifdSerial: 'SN000001',
};

export const INPUT: TransactionInput = {
  amount: 450_000, transactionType: 0x00, date: new Date(2026, 2, 15, 10, 20, 30),
  unpredictableNumber: hex('A1B2C3D4'), sequenceCounter: 42,
};

export const PDOL = hex('9F66 04 9F02 06 9F1A 02 5F2A 02 9A 03 9C 01 9F37 04');
export const CDOL1 = hex('9F02 06 9F03 06 9F1A 02 95 05 5F2A 02 9A 03 9C 01 9F37 04');
export const CDOL2 = Buffer.concat([hex('8A 02'), CDOL1]);

const entry = (aid: string, label: string, priority: number): Buffer =>
  t('61', [t('4F', hex(aid)), t('50', ascii(label)), t('87', Buffer.from([priority]))]);

export function adfFci(aid: string, label: string, priority: number): Buffer {
  return t('6F', [t('84', hex(aid)), t('A5', [
    t('50', ascii(label)), t('87', Buffer.from([priority])), t('9F38', PDOL),
    t('5F2D', ascii('vien')),
  ])]);
}

export const RECORD_1 = t('70', [
  t('5A', hex('4761739001010010')), t('5F24', hex('301231')), t('5F25', hex('260101')),
  t('5F34', hex('01')), t('5F28', hex('0704')), t('9F07', hex('FF00')),
]);
export const RECORD_2 = t('70', [
  t('57', hex('4761739001010010D30122010000000000')), t('5F20', ascii('TEST/CARDHOLDER')),
]);
export const RECORD_3 = t('70', [
  t('8C', CDOL1), t('8D', CDOL2), t('8E', hex('00000000000000001E031F00')),
  t('9F0D', hex('B860AC8800')), t('9F0E', hex('0010000000')), t('9F0F', hex('B868BC9800')),
]);

/** Terminal data of INPUT as the card sees it in CDOL1, TVR "ODA not performed". */
export const CDOL1_DATA = '000000450000 000000000000 0704 8000000000 0704 260315 00 A1B2C3D4';

/** The ARQC the card answers with: CVN 10 over the CDOL1 data, AIP and ATC. */
export function arqcFor(tvr = '8000000000'): Buffer {
  const tags: TagValues = {
    '9F02': hex('000000450000'), '9F03': hex('000000000000'), '9F1A': hex('0704'),
    '95': hex(tvr), '5F2A': hex('0704'), '9A': hex('260315'), '9C': hex('00'),
    '9F37': hex('A1B2C3D4'), '82': hex('1C00'), '9F36': ATC, '9F10': IAD,
  };
  return computeCryptogram(10, MK, tags);
}

export const TC = hex('1122334455667788');

export const SELECT_PSE: ScriptStep = [
  '00A404000E315041592E5359532E444446303100',
  sw(t('6F', [t('84', ascii('1PAY.SYS.DDF01')), t('A5', [t('88', hex('01'))])])),
];
export const PSE_RECORDS: ScriptStep[] = [
  ['00B2010C00', sw(t('70', [
    entry('A0000000032010', 'VISA ELECTRON', 2), entry('A0000000041010', 'MASTERCARD', 1),
    entry('A0000000031010', 'VISA DEBIT', 1),
  ]))],
  ['00B2020C00', '6A83'],
];
export const SELECT_DEBIT: ScriptStep = [
  '00A4040007A000000003101000', sw(adfFci('A0000000031010', 'VISA DEBIT', 1)),
];
export const SELECT_ELECTRON: ScriptStep = [
  '00A4040007A000000003201000', sw(adfFci('A0000000032010', 'VISA ELECTRON', 2)),
];
/** PDOL data: 9F66 unknown to a contact terminal (zeros), amount, country, currency... */
export const GPO_COMMAND = '80A8000018 8316 00000000 000000450000 0704 0704 260315 00 A1B2C3D4 00';
export const GPO: ScriptStep = [
  GPO_COMMAND, sw(t('77', [t('82', hex('1C00')), t('94', hex('08010201 10010100'))])),
];
export const RECORDS: ScriptStep[] = [
  ['00B2010C00', sw(RECORD_1)],
  ['00B2020C00', sw(RECORD_2)],
  ['00B2011400', sw(RECORD_3)],
];
export function firstAc(cid = '80', tvr = '8000000000'): ScriptStep {
  const response = t('80', Buffer.concat([hex(cid), ATC, arqcFor(tvr), IAD]));
  return [`80AE80001D ${CDOL1_DATA.replace('8000000000', tvr)} 00`, sw(response)];
}
export function secondAc(p1: string, arc: string, tvr: string, cid: string): ScriptStep {
  const data = `${arc} ${CDOL1_DATA.replace('8000000000', tvr)}`;
  const response = t('80', Buffer.concat([hex(cid), ATC, TC, IAD]));
  return [`80AE${p1}001F ${data} 00`, sw(response)];
}
