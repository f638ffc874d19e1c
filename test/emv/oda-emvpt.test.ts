import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TraceCard } from '../../drivers/card/virtual/trace-card';
import { silentLogger } from '../../src/log';
import type { TagValues } from '../../src/emv/cryptogram';
import { getProcessingOptions } from '../../src/emv/gpo';
import { ContactKernel, type TerminalProfile } from '../../src/emv/kernel';
import { loadCaKeys, CaKeyStore, type CaPublicKey } from '../../src/emv/oda/capk';
import { recoverIccKey, recoverIssuerKey } from '../../src/emv/oda/certificates';
import { OdaFailure } from '../../src/emv/oda/failure';
import { performOda, type OdaSettings } from '../../src/emv/oda/perform';
import { verifySignedDynamicData } from '../../src/emv/oda/signatures';
import { staticDataToAuthenticate } from '../../src/emv/oda/static-data';
import { readApplicationData } from '../../src/emv/records';
import { buildCandidateList, chooseApplication } from '../../src/emv/select';
import { newTsi, newTvr } from '../../src/emv/tvr';
import { hex, ScriptedCard } from './support/scripted-card';

/**
 * The emvpt trace (test/fixtures/cards/emvpt-contact-dda.yaml): DDA with CA AFFFFFFFFF index
 * 92 from config/capk/test-keys.yaml, DDOL 9F37, UN 01234567, date 2020-07-24. The recovered
 * values below were read from the trace's certificates once and are asserted byte for byte.
 */
const TRACE = fileURLToPath(new URL('../fixtures/cards/emvpt-contact-dda.yaml', import.meta.url));
const DATE = new Date(2020, 6, 24, 12, 0, 0);
const UN = hex('01234567');
const KEYS = loadCaKeys({ allowTest: true });
const CA = KEYS.find('AFFFFFFFFF', 0x92, DATE)!;
const AIP = hex('3C00');
/** Signed Dynamic Application Data: the format 1 answer to INTERNAL AUTHENTICATE 01234567. */
const SDAD = hex(`4E82E28C9C2D78932A318A8EC2F981EDEC93E0725054BF24FEFFC741FED65BFBE7AD1E9CA5DAF976
  5C0A42974394A009B6C13BE904A40E5B83FBB7CE56F71CA26B6B0E68EEA473C2CE76C156E4E0EB6732B449DE0783FD
  7AEA8629145BE3A06AA5ADC6A800B1FB5A245E1D7A4AA77EEF97946BD5D0AAB0487D6818E3FD8B3FDF`);

const EMVPT: TerminalProfile = {
  aids: [{ aid: 'AFFFFFFFFF1234', partialMatch: false }], countryCode: '0246',
  currencyCode: '0978', currencyExponent: 2, terminalType: '22', capabilities: 'E0F8C8',
  additionalCapabilities: '6000F0A001', terminalId: 'QUAY0001', merchantCategoryCode: '9399',
};
const INPUT = { amount: 100, transactionType: 0x21, date: DATE, unpredictableNumber: UN };

const channel = (card: TraceCard) => ({ transmit: async (c: Buffer) => card.process(c) });

/**
 * The TVR (95) of the emvpt transaction up to the first GENERATE AC, bit by bit from EMV
 * Book 3 annex C5, for this terminal (EMVPT: type 22, capabilities E0F8C8, no TACs for the
 * AID, so the action analysis runs with TACs of zeros; no PIN device; the CA keys given):
 * - byte 1 '00': b8 ODA not performed 0 (DDA was performed); b7 SDA failed 0; b6 ICC data
 *   missing 0 (every object ODA and the kernel need is there); b5 card on exception file 0
 *   (no exception file); b4 DDA failed 0 (the signature verifies); b3 CDA failed 0 (not
 *   CDA); b2 SDA selected 0.
 * - byte 2 '40': b8 different application versions 0 (the card has 9F08 0096, the terminal
 *   no 9F09 for this AID: nothing to compare); b7 expired application 1 (5F24 2018-11-30,
 *   transaction 2020-07-24); b6 not yet effective 0 (no 5F25); b5 service not allowed 0 (AUC
 *   FF80 allows everything, issuer country 0246 = terminal country); b4 new card 0 (no
 *   velocity data, 9F14/9F23, so no last online ATC check).
 * - byte 3 '10': the CVM list (X = Y = 0) is 0201 (online PIN if unattended cash: not this
 *   transaction), 4403 and 4103 (offline enciphered and plaintext PIN if the terminal
 *   supports them: E0F8C8 does, but no PIN pad is there, so b5 "PIN entry required and PIN
 *   pad not present or not working" 1, and both go on to the next rule), then 1E03
 *   (signature, supported: CVM successful). b8 CV not successful 0, b7 unrecognised CVM 0,
 *   b6 PIN try limit exceeded 0, b4 PIN not entered 0, b3 online PIN entered 0.
 * - byte 4 '80': AIP 3C00 asks for terminal risk management; the AID has no floor limit (0),
 *   so b8 floor limit exceeded 1 (EUR 1.00 >= 0); b7 and b6 consecutive offline limits 0
 *   (no 9F14, 9F23); b5 random selection 0 (not below a floor limit); b4 merchant forced
 *   online 0.
 * - byte 5 '00': b8 default TDOL used 0 (no 98 in CDOL1); b7 issuer authentication failed
 *   0, b6 and b5 script processing failed 0: none of these has happened yet.
 */
const EMVPT_TVR = '0040108000';
/**
 * The TSI (9B), Book 3 annex C6, when the card refuses the first GENERATE AC: byte 1 b8 ODA
 * performed 1, b7 cardholder verification performed 1 (AIP b5), b6 card risk management
 * performed 0 (the card answered 6D00, no GENERATE AC was done), b5 issuer authentication
 * performed 0, b4 terminal risk management performed 1 (AIP b4), b3 script processing 0:
 * 'C8'; byte 2 is RFU: '00'.
 */
const EMVPT_TSI = 'C800';

interface CardRead {
  card: TraceCard;
  tags: TagValues;
  odaRecords: Buffer[];
}

/** Selection, GPO and every record of the trace, as the kernel reads them. */
async function readTrace(): Promise<CardRead> {
  const card = TraceCard.fromFile(TRACE);
  const link = channel(card);
  const candidates = await buildCandidateList(link, EMVPT.aids, false, silentLogger);
  const source = (tag: string) => (tag === '9F37' ? UN : undefined);
  const chosen = await chooseApplication(link, candidates, silentLogger,
    (_c, fci) => getProcessingOptions(link, fci.pdol, source, silentLogger));
  const data = await readApplicationData(link, chosen.result.afl, silentLogger);
  return { card, tags: data.tags, odaRecords: data.odaRecords };
}

function issuerInput(tags: TagValues, caKey: CaPublicKey = CA, date = DATE) {
  return {
    caKey, certificate: tags['90']!, remainder: tags['92'], exponent: tags['9F32']!,
    pan: '1234560012345608', date, isRevoked: () => false,
  };
}

function flip(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}

function failureOf(fn: () => unknown): OdaFailure {
  try {
    fn();
  } catch (err) {
    if (err instanceof OdaFailure) return err;
    throw err;
  }
  throw new Error('expected an OdaFailure');
}

describe('emvpt trace: certificate recovery', () => {
  it('recovers the issuer public key with CA AFFFFFFFFF/92', async () => {
    const { tags } = await readTrace();
    const issuer = recoverIssuerKey(issuerInput(tags));
    expect(issuer.issuerIdentifier).toBe('123456FF');
    expect(issuer.serial).toBe('123456');
    // Valid through December 2030, so not expired on 2020-07-24.
    expect(issuer.expiry).toBe('1230');
    expect(issuer.exponent).toEqual(hex('03'));
    // 176-byte key: 140 bytes in the certificate, then the 36-byte remainder (92).
    expect(issuer.modulus.length).toBe(176);
    expect(issuer.modulus.subarray(0, 8)).toEqual(hex('E2B3CB08DA28EF75'));
    expect(issuer.modulus.subarray(140)).toEqual(tags['92']);
    expect(tags['92']!.subarray(0, 4)).toEqual(hex('5FCEA152'));
  });

  it('recovers the ICC public key over the SFI 3 record and the AIP (9F4A = 82)', async () => {
    const { tags, odaRecords } = await readTrace();
    const staticData = staticDataToAuthenticate(odaRecords, tags['9F4A'], AIP);
    expect(staticData.length).toBe(0x50 + 2);
    expect(staticData.subarray(-2)).toEqual(AIP);
    const issuer = recoverIssuerKey(issuerInput(tags));
    const icc = recoverIccKey({
      issuerKey: issuer, certificate: tags['9F46']!, remainder: tags['9F48'],
      exponent: tags['9F47']!, pan: '1234560012345608', staticData, date: DATE,
    });
    expect(icc.pan).toBe('1234560012345608FFFF');
    expect(icc.expiry).toBe('1229');
    expect(icc.serial).toBe('123456');
    expect(icc.modulus.length).toBe(128);
    // The 128-byte key fits in the 134-byte field: six BB padding bytes follow it.
    expect(icc.modulus.subarray(0, 8)).toEqual(hex('C0C3229FB5DA18D0'));
    expect(icc.modulus.subarray(-4)).toEqual(hex('A0971BFD'));

    const dda = verifySignedDynamicData(icc, SDAD, UN);
    expect(dda.iccDynamicData).toEqual(hex('02002C'));
    expect(dda.iccDynamicNumber).toEqual(hex('002C'));
  });

  it('refuses each certificate or signature with one byte changed', async () => {
    const { tags, odaRecords } = await readTrace();
    const staticData = staticDataToAuthenticate(odaRecords, tags['9F4A'], AIP);
    const issuer = recoverIssuerKey(issuerInput(tags));
    const iccInput = {
      issuerKey: issuer, certificate: tags['9F46']!, exponent: tags['9F47']!,
      pan: '1234560012345608', staticData, date: DATE,
    };
    const icc = recoverIccKey(iccInput);

    const badIssuer = failureOf(() => recoverIssuerKey(
      issuerInput({ ...tags, '90': flip(tags['90']!, 100) })));
    expect(badIssuer.step).toBe('issuer-certificate');
    expect(['trailer', 'header', 'recovery']).toContain(badIssuer.reason);
    const badRemainder = failureOf(() => recoverIssuerKey(
      issuerInput({ ...tags, '92': flip(tags['92']!, 0) })));
    expect([badRemainder.step, badRemainder.reason]).toEqual(['issuer-certificate', 'hash']);

    const badIcc = failureOf(() => recoverIccKey(
      { ...iccInput, certificate: flip(tags['9F46']!, 50) }));
    expect(badIcc.step).toBe('icc-certificate');
    expect(['trailer', 'header', 'recovery']).toContain(badIcc.reason);
    const badRecord = failureOf(() => recoverIccKey(
      { ...iccInput, staticData: flip(staticData, 10) }));
    expect([badRecord.step, badRecord.reason]).toEqual(['icc-certificate', 'hash']);

    const badSignature = failureOf(() => verifySignedDynamicData(icc, flip(SDAD, 64), UN));
    expect(badSignature.step).toBe('signed-dynamic-data');
    expect(['trailer', 'header', 'recovery']).toContain(badSignature.reason);
    const otherNumber = failureOf(() => verifySignedDynamicData(icc, SDAD, hex('01234568')));
    expect([otherNumber.step, otherNumber.reason]).toEqual(['signed-dynamic-data', 'hash']);
  });

  it('refuses an expired certificate, a PAN of another issuer and a wrong-length one', async () => {
    const { tags, odaRecords } = await readTrace();
    // The issuer certificate is valid through 12/2030: not in January 2031.
    expect(recoverIssuerKey(issuerInput(tags, CA, new Date(2030, 11, 31))).expiry).toBe('1230');
    const late = failureOf(() => recoverIssuerKey(issuerInput(tags, CA, new Date(2031, 0, 1))));
    expect([late.step, late.reason]).toEqual(['issuer-certificate', 'expired']);
    // The ICC certificate ends with 12/2029.
    const staticData = staticDataToAuthenticate(odaRecords, tags['9F4A'], AIP);
    const issuer = recoverIssuerKey(issuerInput(tags, CA, new Date(2030, 0, 1)));
    const iccLate = failureOf(() => recoverIccKey({
      issuerKey: issuer, certificate: tags['9F46']!, exponent: tags['9F47']!,
      pan: '1234560012345608', staticData, date: new Date(2030, 0, 1),
    }));
    expect([iccLate.step, iccLate.reason]).toEqual(['icc-certificate', 'expired']);

    const otherPan = failureOf(() => recoverIssuerKey(
      { ...issuerInput(tags), pan: '1234570012345607' }));
    expect(otherPan.reason).toBe('issuer-identifier');
    const iccOtherPan = failureOf(() => recoverIccKey({
      issuerKey: issuer, certificate: tags['9F46']!, exponent: tags['9F47']!,
      pan: '1234560012345616', staticData, date: DATE,
    }));
    expect([iccOtherPan.step, iccOtherPan.reason]).toEqual(['icc-certificate', 'pan']);
    const short = failureOf(() => recoverIssuerKey(
      issuerInput({ ...tags, '90': tags['90']!.subarray(1) })));
    expect([short.step, short.reason]).toEqual(['issuer-certificate', 'length']);
  });
});

describe('emvpt trace: DDA as a kernel step', () => {
  async function oda(
    tags: TagValues, odaRecords: Buffer[], card: { transmit(c: Buffer): Promise<Buffer> },
    settings: OdaSettings = { caKeys: KEYS },
  ) {
    const tvr = newTvr();
    const tsi = newTsi();
    const terminal: TagValues = { '9F37': UN };
    const outcome = await performOda({
      card, aid: hex('AFFFFFFFFF1234'), aip: AIP, capabilities: hex('E0F8C8'), tags,
      pan: '1234560012345608', odaRecords, date: DATE,
      source: (tag) => terminal[tag] ?? tags[tag], tvr, tsi, settings, log: silentLogger,
    });
    return { outcome, tvr: tvr.value().toString('hex'), tsi: tsi.value().toString('hex') };
  }
  const answering = (response: string) =>
    new ScriptedCard([['0088000004 01234567 00', response]]);
  const SDAD_ANSWER = `80 8180 ${SDAD.toString('hex')} 9000`;

  it('sends INTERNAL AUTHENTICATE with the DDOL data and passes', async () => {
    const { card, tags, odaRecords } = await readTrace();
    const result = await oda(tags, odaRecords, channel(card));
    // T=0: 6183, then GET RESPONSE (00C0000083) brings the format 1 answer.
    expect(card.exchanges.slice(-2).map((e) => e.command.toString('hex').toUpperCase()))
      .toEqual(['008800000401234567' + '00', '00C0000083']);
    expect(result.outcome).toMatchObject({ method: 'DDA', passed: true });
    expect(result.outcome.iccDynamicNumber).toEqual(hex('002C'));
    expect(tags['9F4C']).toEqual(hex('002C'));
    expect(result.tvr).toBe('0000000000');
    expect(result.tsi).toBe('8000');
  });

  it('sets "DDA failed" for a changed signature, with 9F4B in a 77 template too', async () => {
    const { tags, odaRecords } = await readTrace();
    const bad = flip(SDAD, 5).toString('hex');
    const result = await oda(tags, odaRecords, answering(`7781 84 9F4B 8180 ${bad} 9000`));
    expect(result.outcome.failure?.step).toBe('signed-dynamic-data');
    expect(result.tvr).toBe('0800000000');
    expect(result.tsi).toBe('8000');

    const good = await oda(tags, odaRecords,
      answering(`7781 84 9F4B 8180 ${SDAD.toString('hex')} 9000`));
    expect(good.outcome.passed).toBe(true);
  });

  it('sets "DDA failed" when the card refuses INTERNAL AUTHENTICATE', async () => {
    const { tags, odaRecords } = await readTrace();
    const result = await oda(tags, odaRecords, answering('6985'));
    expect(result.outcome.failure).toMatchObject({
      step: 'internal-authenticate', reason: 'status', detail: { sw: '6985' },
    });
    expect(result.tvr).toBe('0800000000');
  });

  it('without the CA key: "DDA failed", not "ICC data missing" (Book 3 10.3)', async () => {
    const { tags, odaRecords } = await readTrace();
    const result = await oda({ ...tags, '8F': hex('93') }, odaRecords, new ScriptedCard([]));
    expect(result.outcome.failure).toMatchObject({ step: 'ca-key', reason: 'missing' });
    expect(result.tvr).toBe('0800000000');
    expect(result.tsi).toBe('8000');
  });

  it('refuses a certificate whose serial the CA revoked', async () => {
    const { tags, odaRecords } = await readTrace();
    const caKeys = new CaKeyStore([CA], [{ rid: 'AFFFFFFFFF', index: 0x92, serial: '123456' }]);
    const result = await oda(tags, odaRecords, new ScriptedCard([]), { caKeys });
    expect(result.outcome.failure).toMatchObject({
      step: 'issuer-certificate', reason: 'revoked', detail: { serial: '123456' },
    });
    expect(result.tvr).toBe('0800000000');
    const otherSerial = new CaKeyStore([CA],
      [{ rid: 'AFFFFFFFFF', index: 0x92, serial: '123457' }]);
    const passed = await oda(tags, odaRecords, answering(SDAD_ANSWER), { caKeys: otherSerial });
    expect(passed.outcome.passed).toBe(true);
  });

  it('sets "ICC data missing" with "DDA failed" when the card has no ICC certificate', async () => {
    const { tags, odaRecords } = await readTrace();
    const { '9F46': _dropped, ...rest } = tags;
    const result = await oda(rest, odaRecords, new ScriptedCard([]));
    expect(result.outcome.failure).toMatchObject({ step: 'data', detail: { missing: ['9F46'] } });
    expect(result.tvr).toBe('2800000000');
  });

  it('fails when the SDA tag list names more than the AIP', async () => {
    const { tags, odaRecords } = await readTrace();
    const result = await oda({ ...tags, '9F4A': hex('825A') }, odaRecords, new ScriptedCard([]));
    expect(result.outcome.failure).toMatchObject({ step: 'data', reason: 'sda-tag-list' });
    expect(result.tvr).toBe('0800000000');
  });

  it('uses the default DDOL when the card has none, and fails on a DDOL without 9F37', async () => {
    const { tags, odaRecords } = await readTrace();
    const { '9F49': _ddol, ...rest } = tags;
    const passed = await oda(rest, odaRecords, answering(SDAD_ANSWER),
      { caKeys: KEYS, defaultDdol: hex('9F3704') });
    expect(passed.outcome.passed).toBe(true);
    const none = await oda(rest, odaRecords, new ScriptedCard([]));
    expect(none.outcome.failure).toMatchObject({ step: 'internal-authenticate', reason: 'ddol' });
    expect(none.tvr).toBe('0800000000');
    const noUn = await oda({ ...tags, '9F49': hex('9F0206') }, odaRecords, new ScriptedCard([]));
    expect(noUn.outcome.failure).toMatchObject({ reason: 'ddol' });
  });
});

describe('emvpt trace through ContactKernel with CA keys', () => {
  it('performs DDA before the first GENERATE AC and clears "ODA not performed"', async () => {
    const card = TraceCard.fromFile(TRACE);
    const kernel = new ContactKernel(channel(card), EMVPT, silentLogger, { caKeys: KEYS });
    // After DDA the trace expects VERIFY, so its replay answers GENERATE AC with 6D00.
    await expect(kernel.start(INPUT)).rejects.toMatchObject({
      code: 'CARD_STATUS', detail: { command: 'GENERATE AC (first)', sw: '6D00' },
    });
    const sent = card.exchanges.map((e) => e.command.toString('hex').toUpperCase());
    expect(sent).toContain('0088000004' + '01234567' + '00');
    expect(sent.at(-1)).toBe('80AE80001D' + '000000000100' + '000000000000' + '0246' +
      EMVPT_TVR + '0978' + '200724' + '21' + '01234567' + '00');
    expect(kernel.terminalVerificationResults).toEqual(hex(EMVPT_TVR));
    expect(kernel.transactionStatusInformation).toEqual(hex(EMVPT_TSI));
  });

  it('refuses test keys in production mode, naming the file', () => {
    let caught: unknown;
    try {
      loadCaKeys({ allowTest: false });
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({
      name: 'ConfigError', code: 'CONFIG_INVALID',
      detail: { file: expect.stringMatching(/config\/capk\/(quay-test-ca|test-keys)\.yaml$/) },
    });
    expect((caught as Error).message)
      .toMatch(/(quay-test-ca|test-keys)\.yaml[\s\S]*refused in production/);
  });
});
