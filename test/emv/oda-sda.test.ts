import {
  constants, createHash, generateKeyPairSync, privateEncrypt, type KeyObject,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log';
import { ContactKernel } from '../../src/emv/kernel';
import { CaKeyStore, type CaPublicKey } from '../../src/emv/oda/capk';
import { recoverIssuerKey } from '../../src/emv/oda/certificates';
import { selectOdaMethod } from '../../src/emv/oda/perform';
import { verifySignedStaticData } from '../../src/emv/oda/signatures';
import { encodeTlv } from '../../src/emv/tlv';
import { hex, ScriptedCard, type ScriptStep } from './support/scripted-card';
import {
  firstAc, INPUT, PROFILE, PSE_RECORDS, RECORD_1, RECORDS, SELECT_DEBIT, SELECT_PSE,
  GPO_COMMAND,
} from './support/visa-card';

/**
 * SDA end to end with keys made here: a test CA (1024 bits, exponent 3) certifies an issuer
 * key (1024 bits, so 36 bytes of it go in the remainder 92), which signs the static data of
 * the made-up Visa card of support/visa-card.ts. Signing is the raw RSA private operation.
 * PROFILE's AID has no TACs: the kernel still performs risk management and cardholder
 * verification with TACs of zeros (Book 3 10.7 leaves the TACs to the acquirer), so every TVR
 * has byte 4 b8 (80, floor limit 0 exceeded, 10.6.1) and the TSI byte 1 b7 (40, CVM list
 * 1E03 1F00: signature, 10.5) and b4 (08, terminal risk management, 10.6) as well.
 */
interface KeyPair {
  modulus: Buffer;
  exponent: Buffer;
  privateKey: KeyObject;
}

function rsaKey(): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 1024, publicExponent: 3,
  });
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    modulus: Buffer.from(jwk.n!, 'base64url'), exponent: Buffer.from(jwk.e!, 'base64url'),
    privateKey,
  };
}

const sha1 = (...parts: Buffer[]) => createHash('sha1').update(Buffer.concat(parts)).digest();
const sign = (key: KeyPair, message: Buffer) =>
  privateEncrypt({ key: key.privateKey, padding: constants.RSA_NO_PADDING }, message);

/** 6A || body || SHA-1(body || hashed) || BC, signed: the EMV signature layout. */
function signEmv(key: KeyPair, body: Buffer, hashed: Buffer[]): Buffer {
  const message = Buffer.concat([hex('6A'), body, sha1(body, ...hashed), hex('BC')]);
  expect(message.length).toBe(key.modulus.length);
  return sign(key, message);
}

const CA = rsaKey();
const ISSUER = rsaKey();
const CA_INDEX = 0xf1;
const CA_KEY: CaPublicKey = {
  rid: 'A000000003', index: CA_INDEX, modulus: CA.modulus, exponent: CA.exponent, test: true,
  source: 'generated in oda-sda.test.ts',
};
const AIP = hex('5C00'); // SDA, cardholder verification, terminal risk management, issuer auth
const DAC = hex('DAC5');
const KEY_FIELD = CA.modulus.length - 36;

function issuerCertificate(overrides: { expiry?: string; serial?: string } = {}) {
  const body = Buffer.concat([
    hex('02'), hex('476173FF'), hex(overrides.expiry ?? '1231'), hex(overrides.serial ?? '000101'),
    hex('01 01'), Buffer.from([ISSUER.modulus.length, ISSUER.exponent.length]),
    ISSUER.modulus.subarray(0, KEY_FIELD),
  ]);
  const remainder = ISSUER.modulus.subarray(KEY_FIELD);
  return { certificate: signEmv(CA, body, [remainder, ISSUER.exponent]), remainder };
}

/** RECORD_1 is the one record the AFL flags for ODA; 9F4A adds the AIP. */
const STATIC_DATA = Buffer.concat([RECORD_1.subarray(2), AIP]);

function signedStaticData(staticData = STATIC_DATA): Buffer {
  const padding = Buffer.alloc(ISSUER.modulus.length - 26, 0xbb);
  return signEmv(ISSUER, Buffer.concat([hex('03 01'), DAC, padding]), [staticData]);
}

const sw = (data: Buffer) => `${data.toString('hex')}9000`;
const gpo = (afl = '08010201 10010200'): ScriptStep => [GPO_COMMAND, sw(encodeTlv('77', [
  encodeTlv('82', AIP), encodeTlv('94', hex(afl)),
]))];

function sdaRecord(tags: Record<string, Buffer>): ScriptStep {
  const objects = Object.entries(tags).map(([tag, value]) => encodeTlv(tag, value));
  return ['00B2021400', sw(encodeTlv('70', objects))];
}

function cardData(): Record<string, Buffer> {
  const { certificate, remainder } = issuerCertificate();
  return {
    '8F': Buffer.from([CA_INDEX]), '90': certificate, '92': remainder, '9F32': ISSUER.exponent,
    '93': signedStaticData(), '9F4A': hex('82'),
  };
}

/** An issuer's own file: SFI 11, read with P2 5C; its signed records are hashed whole. */
interface ProprietaryRecord {
  afl: string;
  step: ScriptStep;
}

async function run(
  tags: Record<string, Buffer>, tvr: string, capabilities = 'E0F8C8',
  proprietary?: ProprietaryRecord,
) {
  const card = new ScriptedCard([
    SELECT_PSE, ...PSE_RECORDS, SELECT_DEBIT, gpo(proprietary?.afl), ...RECORDS, sdaRecord(tags),
    ...(proprietary === undefined ? [] : [proprietary.step]), firstAc('80', tvr),
  ]);
  const kernel = new ContactKernel(card, { ...PROFILE, capabilities }, silentLogger,
    { caKeys: new CaKeyStore([CA_KEY]) });
  const first = await kernel.start(INPUT);
  expect(card.done).toBe(true);
  return first;
}

describe('SDA with generated test keys', () => {
  it('recovers the issuer key and verifies the signed static data', () => {
    const { certificate, remainder } = issuerCertificate();
    const issuer = recoverIssuerKey({
      caKey: CA_KEY, certificate, remainder, exponent: ISSUER.exponent,
      pan: '4761739001010010', date: new Date(2026, 2, 15), isRevoked: () => false,
    });
    expect(issuer).toMatchObject({
      issuerIdentifier: '476173FF', expiry: '1231', serial: '000101',
    });
    expect(issuer.modulus).toEqual(ISSUER.modulus);
    const result = verifySignedStaticData(issuer, signedStaticData(), STATIC_DATA);
    expect(result.dataAuthenticationCode).toEqual(DAC);
    expect(() => verifySignedStaticData(issuer, signedStaticData(), RECORD_1.subarray(2)))
      .toThrow(expect.objectContaining({ step: 'signed-static-data', reason: 'hash' }));
  });

  it('passes in the kernel: "SDA selected" set, ODA performed, 9F45 kept', async () => {
    const first = await run(cardData(), '0200008000');
    expect(first.tvr).toEqual(hex('0200008000'));
    expect(first.tsi).toEqual(hex('E800'));
    // The outcome names the method only: no keys, no certificate contents.
    expect(first.oda).toEqual({ method: 'SDA', passed: true });
    expect(first.tags['9F45']).toEqual(DAC);
  });

  it('sets "SDA failed" for a changed signature or certificate', async () => {
    const tags = cardData();
    const signature = Buffer.from(tags['93']!);
    signature[40] = signature[40]! ^ 0x80;
    const first = await run({ ...tags, '93': signature }, '4200008000');
    expect(first.tvr).toEqual(hex('4200008000'));
    expect(first.tsi).toEqual(hex('E800'));
    expect(first.oda?.failure?.step).toBe('signed-static-data');
    expect(first.tags['9F45']).toBeUndefined();

    const remainder = Buffer.from(tags['92']!);
    remainder[0] = remainder[0]! ^ 0x01;
    const second = await run({ ...tags, '92': remainder }, '4200008000');
    expect(second.oda?.failure).toMatchObject({ step: 'issuer-certificate', reason: 'hash' });
  });

  it('sets "ICC data missing" too when the card has no signed static data', async () => {
    const { '93': _signature, ...tags } = cardData();
    const first = await run(tags, '6200008000');
    expect(first.tvr).toEqual(hex('6200008000'));
    expect(first.oda?.failure).toMatchObject({ step: 'data', detail: { missing: ['93'] } });
  });

  it('refuses an expired issuer certificate (11/2025 on 2026-03-15)', async () => {
    const { certificate } = issuerCertificate({ expiry: '1125' });
    const first = await run({ ...cardData(), '90': certificate }, '4200008000');
    expect(first.oda?.failure).toMatchObject({ step: 'issuer-certificate', reason: 'expired' });
  });

  it('hashes a signed record of SFI 11..30 whole, 70 tag and length included', async () => {
    const record = encodeTlv('70', [encodeTlv('DF01', hex('0102'))]);
    const proprietary: ProprietaryRecord = {
      afl: '08010201 10010200 58010101', step: ['00B2015C00', sw(record)],
    };
    const staticData = Buffer.concat([RECORD_1.subarray(2), record, AIP]);
    const tags = { ...cardData(), '93': signedStaticData(staticData) };
    const first = await run(tags, '0200008000', 'E0F8C8', proprietary);
    expect(first.oda).toMatchObject({ method: 'SDA', passed: true });
  });

  it('fails SDA (not the transaction) when such a record is not a 70 template', async () => {
    const proprietary: ProprietaryRecord = {
      afl: '08010201 10010200 58010101', step: ['00B2015C00', 'DF01020102 9000'],
    };
    const first = await run(cardData(), '4200008000', 'E0F8C8', proprietary);
    expect(first.oda?.failure).toMatchObject({
      step: 'data', reason: 'format', detail: { sfi: 11, record: 1 },
    });
  });

  it('does no ODA when the terminal does not offer SDA', async () => {
    const first = await run(cardData(), '8000008000', 'E0F848');
    expect(first.tvr).toEqual(hex('8000008000'));
    expect(first.tsi).toEqual(hex('6800'));
    expect(first.oda).toEqual({ passed: false });
  });
});

describe('selectOdaMethod (Book 3 10.3)', () => {
  it('prefers CDA, then DDA, then SDA, among what both sides support', () => {
    const all = ['CDA', 'DDA', 'SDA'] as const;
    expect(selectOdaMethod(hex('6100'), hex('E0F8C8'), all)).toBe('CDA');
    expect(selectOdaMethod(hex('6100'), hex('E0F8C8'))).toBe('CDA'); // the kernel performs CDA now
    expect(selectOdaMethod(hex('6100'), hex('E0F888'), all)).toBe('CDA');
    expect(selectOdaMethod(hex('4100'), hex('E0F8C0'), all)).toBe('SDA');
    expect(selectOdaMethod(hex('4000'), hex('E0F848'), all)).toBeUndefined();
    expect(selectOdaMethod(hex('1C00'), hex('E0F8C8'), all)).toBeUndefined();
  });
});
