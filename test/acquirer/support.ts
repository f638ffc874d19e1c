import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import {
  computeCryptogram, deriveIccMasterKey, type Cvn, type TagValues,
} from '../../src/emv/cryptogram';
import { encodeTlv } from '../../src/emv/tlv';
import { REDACT_PATHS } from '../../src/log';
import type { PurchaseRequest } from '../../src/acquirer/messages';
import type { SimulatorConfigInput } from '../../src/acquirer/simulator/config';

/** Test issuers: the CVN 10 key is the published test IMK (../shared/testdata/vectors). */
export const CVN10_IMK = Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex');
export const CVN18_IMK = Buffer.from('89ABCDEF0123456776543210FEDCBA98', 'hex');
export const CVN10_PAN = '4761739001010119';
export const CVN18_PAN = '4111111111111111';

export function simulatorConfig(extra: Partial<SimulatorConfigInput> = {}): SimulatorConfigInput {
  return {
    layout: 'pos-bcd',
    tpdu: true,
    issuers: [
      // No cvn: the simulator reads it from the IAD, as for the bundled card profiles.
      { name: 'CVN 10/18 test', panPrefix: '4761739', imk: CVN10_IMK.toString('hex') },
      { name: 'CVN 18 test', panPrefix: '4111111', imk: CVN18_IMK.toString('hex'), cvn: 18 },
    ],
    rules: [
      { amountEndsWith: '051', responseCode: '51' },
      { amountEndsWith: '099', fault: 'no-answer' },
    ],
    ...extra,
  };
}

export interface Card {
  pan: string;
  panSequence: string;
  cvn: Cvn;
  imk: Buffer;
}

export const CVN10_CARD: Card = { pan: CVN10_PAN, panSequence: '01', cvn: 10, imk: CVN10_IMK };
export const CVN18_CARD: Card = { pan: CVN18_PAN, panSequence: '00', cvn: 18, imk: CVN18_IMK };
/** Like config/cards/visa-cvn18.yaml: the CVN 10 card's issuer and key, CVN 18. */
export const CVN18_SAME_ISSUER_CARD: Card = { ...CVN10_CARD, panSequence: '00', cvn: 18 };

export interface IccData {
  iccData: Buffer;
  tags: TagValues;
  arqc: Buffer;
  key: Buffer;
}

/** Field 55 as a card would produce it for the first GENERATE AC, with a real ARQC. */
export function iccDataFor(card: Card, amount: number, corruptArqc = false): IccData {
  const tags: TagValues = {
    '9F02': Buffer.from(String(amount).padStart(12, '0'), 'hex'),
    '9F03': Buffer.alloc(6),
    '9F1A': Buffer.from('0704', 'hex'),
    '95': Buffer.from('0000008000', 'hex'),
    '5F2A': Buffer.from('0704', 'hex'),
    '9A': Buffer.from('250109', 'hex'),
    '9C': Buffer.from('00', 'hex'),
    '9F37': Buffer.from('1A2B3C4D', 'hex'),
    '82': Buffer.from('1800', 'hex'),
    '9F36': Buffer.from('0011', 'hex'),
    '9F10': Buffer.from(card.cvn === 10 ? '06010A03A00000' : '06011203A0B800', 'hex'),
    '5F34': Buffer.from(card.panSequence, 'hex'),
  };
  const key = deriveIccMasterKey(card.imk, card.pan, card.panSequence);
  const arqc = computeCryptogram(card.cvn, key, tags);
  const sent = corruptArqc ? Buffer.from(arqc.map((b, i) => (i === 0 ? b ^ 0x01 : b))) : arqc;
  const iccData = Buffer.concat([
    encodeTlv('9F26', sent), encodeTlv('9F27', Buffer.from('80', 'hex')),
    ...Object.entries(tags).map(([tag, value]) => encodeTlv(tag, value)),
  ]);
  return { iccData, tags, arqc: sent, key };
}

/** Tag 57 for the card: PAN, D, expiry 2512, service code 201, discretionary data, F filler. */
export function track2For(card: Card): Buffer {
  const text = `${card.pan}D25122011234567890`;
  return Buffer.from(text.length % 2 ? `${text}F` : text, 'hex');
}

export function purchase(card: Card, amount: number, stan: number,
  corruptArqc = false): { request: PurchaseRequest; icc: IccData } {
  const icc = iccDataFor(card, amount, corruptArqc);
  return {
    icc,
    request: {
      stan, amount, pan: card.pan, panSequence: card.panSequence, expiry: '2512',
      track2: track2For(card), iccData: icc.iccData, posEntryMode: '051',
      terminalId: 'QUAY0001', merchantId: '000000000000001', nii: '001',
      localTime: new Date(2025, 0, 9, 14, 30, 5), invoice: 42, batch: 1,
    },
  };
}

/** A pino logger whose lines are kept, parsed, for assertions on what was logged. */
export function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const logger = pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    sink);
  return { logger, lines };
}
