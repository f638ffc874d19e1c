import { describe, expect, it } from 'vitest';
import {
  iccCertificate, issuerCertificate, makeKey,
} from '../../drivers/card/virtual/test-ca';
import { silentLogger } from '../../src/log';
import type { TagValues } from '../../src/emv/cryptogram';
import { parseCvmList, performCvm, type CvmContext } from '../../src/emv/cvm';
import { CaKeyStore } from '../../src/emv/oda/capk';
import { pinEnciphermentKey, type PinKeyResult } from '../../src/emv/oda/pin-key';
import type { PinMethod } from '../../src/emv/pin-entry';
import { newTsi, newTvr } from '../../src/emv/tvr';
import { hex, ScriptedCard, type ScriptStep } from './support/scripted-card';
import { ScriptedPinDevice, type ScriptedPinAnswer } from './support/scripted-pin-device';

/**
 * Cardholder verification, EMV Book 3 10.5 with the CVM List coding of annex C3 and the CVM
 * Results of Book 4 annex A4 (byte 1 the method byte as listed, b7 included; byte 2 the
 * condition; byte 3 00 unknown, 01 failed, 02 successful; 3F in byte 1 "no CVM performed").
 * TVR byte 3 (Book 3 annex C5): b8 (80) cardholder verification was not successful, b7 (40)
 * unrecognised CVM, b6 (20) PIN try limit exceeded, b5 (10) PIN entry required and PIN pad
 * not present or not working, b4 (08) PIN entry required, PIN pad present, but PIN was not
 * entered, b3 (04) online PIN entered. TVR byte 1 b6 (20): ICC data missing. TSI byte 1 b7
 * (40, annex C6): cardholder verification was performed.
 *
 * The terminal: attended merchant terminal (9F35 22), capabilities E0F8C8 (byte 2 F8: plaintext
 * PIN for ICC, enciphered PIN online, signature, enciphered PIN offline, no CVM required),
 * purchase (9C 00) of 450 000 VND (5F2A 0704, exponent 0).
 */
const PAN = '4761739001010010';
const AMOUNT = 450_000;
const TERMINAL: TagValues = {
  '9F33': hex('E0F8C8'), '9F35': hex('22'), '9C': hex('00'), '5F2A': hex('0704'),
  '5F36': hex('00'),
};
const GET_PTC = '80CA9F1700';
const ptc = (tries: number) => `9F1701${tries.toString(16).padStart(2, '0')} 9000`;
const GET_CHALLENGE = '0084000000';
const CHALLENGE = '0102030405060708';
/** A made-up 64-byte key: the device enciphers under it, the card never sees it here. */
const KEY = { modulus: Buffer.alloc(64, 0xc5), exponent: hex('03') };
const ENCIPHERED = Buffer.alloc(64, 0x5a);

/** X, Y (4 bytes each) and the rules, as the card's 8E. */
function cvmList(x: number, y: number, rules: string): Buffer {
  const amounts = Buffer.alloc(8);
  amounts.writeUInt32BE(x, 0);
  amounts.writeUInt32BE(y, 4);
  return Buffer.concat([amounts, hex(rules)]);
}

interface Run {
  rules?: string;
  list?: Buffer | null;
  x?: number;
  y?: number;
  aip?: string;
  script?: ScriptStep[];
  methods?: PinMethod[];
  answers?: ScriptedPinAnswer[];
  noDevice?: boolean;
  terminal?: TagValues;
  cardTags?: TagValues;
  amount?: number;
  pinKey?: PinKeyResult;
}

async function run(options: Run) {
  const card = new ScriptedCard(options.script ?? []);
  const device = new ScriptedPinDevice(
    options.methods ?? ['offline-plaintext', 'offline-enciphered', 'online'], options.answers);
  const tvr = newTvr();
  const tsi = newTsi();
  const list = options.list === null ? undefined
    : options.list ?? cvmList(options.x ?? 0, options.y ?? 0, options.rules ?? '');
  const cardTags: TagValues = { ...options.cardTags };
  if (list !== undefined) cardTags['8E'] = list;
  const ctx: CvmContext = {
    card, aip: hex(options.aip ?? '1C00'), cardTags, terminal: { ...TERMINAL, ...options.terminal },
    amount: options.amount ?? AMOUNT, pan: PAN,
    device: options.noDevice === true ? undefined : device,
    pinKey: () => options.pinKey ?? { found: true, key: KEY, source: 'icc-key' },
    tvr, tsi, log: silentLogger,
  };
  const outcome = await performCvm(ctx);
  expect(card.done).toBe(true);
  expect(device.done).toBe(true);
  return {
    outcome, device, card, results: outcome.results.toString('hex').toUpperCase(),
    tvr: tvr.value().toString('hex').toUpperCase(), tsi: tsi.value().toString('hex').toUpperCase(),
  };
}

const verified = (sw: number): ScriptedPinAnswer =>
  ({ to: 'plaintext', answer: { kind: 'verified-answer', sw } });

describe('CVM list', () => {
  it('reads X, Y and the 2-byte rules, with b7 kept in the method byte', () => {
    expect(parseCvmList(cvmList(500_000, 2_000_000, '4203 1E03 1F00'))).toEqual({
      x: 500_000, y: 2_000_000, rules: [
        { code: 0x42, condition: 0x03, method: 'online-pin' },
        { code: 0x1e, condition: 0x03, method: 'signature' },
        { code: 0x1f, condition: 0x00, method: 'no-cvm' },
      ],
    });
  });

  it('has no rules below 10 bytes or with half a rule', () => {
    expect(parseCvmList(hex('0000000000000000'))).toBeUndefined();
    expect(parseCvmList(hex('00000000000000001E031F'))).toBeUndefined();
    expect(parseCvmList(undefined)).toBeUndefined();
  });
});

describe('performCvm: when the step runs', () => {
  it('AIP byte 1 b5 off: not performed, 9F34 3F0000, TSI untouched', async () => {
    const r = await run({ aip: '0C00', rules: '0100' });
    expect(r.results).toBe('3F0000');
    expect(r.tvr).toBe('0000000000');
    expect(r.tsi).toBe('0000');
    expect(r.outcome.method).toBe('none');
  });

  it('no CVM list: "ICC data missing" (TVR 2000000000), 9F34 3F0000, TSI not set', async () => {
    const r = await run({ list: null });
    expect(r.results).toBe('3F0000');
    expect(r.tvr).toBe('2000000000');
    expect(r.tsi).toBe('0000');
  });

  it('a list of X and Y without rules counts as absent', async () => {
    const r = await run({ rules: '' });
    expect(r.results).toBe('3F0000');
    expect(r.tvr).toBe('2000000000');
    expect(r.tsi).toBe('0000');
  });
});

describe('performCvm: methods', () => {
  it('signature (1E, always): result unknown 00, signature required, TSI 4000', async () => {
    const r = await run({ rules: '1E00' });
    expect(r.results).toBe('1E0000');
    expect(r.outcome).toMatchObject({ method: 'signature', signatureRequired: true });
    expect(r.tvr).toBe('0000000000');
    expect(r.tsi).toBe('4000');
  });

  it('no CVM required (1F): successful 02', async () => {
    const r = await run({ rules: '1F00' });
    expect(r.results).toBe('1F0002');
    expect(r.outcome).toMatchObject({ method: 'no-cvm', signatureRequired: false });
    expect(r.tvr).toBe('0000000000');
  });

  it('fail CVM processing (00): failed 01, TVR byte 3 b8 (0000800000)', async () => {
    const r = await run({ rules: '0000 1F00' });
    expect(r.results).toBe('000001');
    expect(r.tvr).toBe('0000800000');
    expect(r.tsi).toBe('4000');
  });

  it('plaintext PIN (01): PIN try counter first, then the device; 9000 → 010002', async () => {
    const r = await run({ rules: '0100', script: [[GET_PTC, ptc(3)]],
      answers: [verified(0x9000)] });
    expect(r.results).toBe('010002');
    expect(r.tvr).toBe('0000000000');
    expect(r.tsi).toBe('4000');
    expect(r.device.requests).toEqual([
      { kind: 'plaintext', prompt: { amount: AMOUNT, triesLeft: 3, attempt: 1 } },
    ]);
  });

  it('plaintext PIN: 63C2 asks again (attempt 2, 2 tries left), then 9000', async () => {
    const r = await run({
      rules: '0100', script: [[GET_PTC, ptc(3)]], answers: [verified(0x63c2), verified(0x9000)],
    });
    expect(r.results).toBe('010002');
    expect(r.tvr).toBe('0000000000');
    expect(r.device.requests.map((q) => q.kind === 'plaintext' && q.prompt)).toEqual([
      { amount: AMOUNT, triesLeft: 3, attempt: 1 }, { amount: AMOUNT, triesLeft: 2, attempt: 2 },
    ]);
  });

  it('a card whose tries left do not go down (63C3 after 3) fails the CVM', async () => {
    const r = await run({ rules: '0100', script: [[GET_PTC, ptc(3)]],
      answers: [verified(0x63c3)] });
    expect(r.results).toBe('010001');
    expect(r.tvr).toBe('0000800000');
    expect(r.outcome.failure).toBe('VERIFY answered 63C3 after 3 tries left');
  });

  it('without a PIN try counter, the first 63Cx sets the count it must go down from',
    async () => {
      const r = await run({ rules: '0100', script: [[GET_PTC, '6A88']],
        answers: [verified(0x63c2), verified(0x63c1), verified(0x63c1)] });
      // 63C2, then 63C1 goes down; the second 63C1 does not.
      expect(r.outcome.failure).toBe('VERIFY answered 63C1 after 1 tries left');
      expect(r.results).toBe('010001');
    });

  it('PIN try counter 0: "PIN try limit exceeded" without asking; TVR 0000A00000', async () => {
    const r = await run({ rules: '0100', script: [[GET_PTC, ptc(0)]] });
    expect(r.results).toBe('010001');
    // b8 (not successful, the list ends) | b6 (PIN try limit exceeded).
    expect(r.tvr).toBe('0000A00000');
    expect(r.device.requests).toEqual([]);
  });

  it.each([[0x63c0], [0x6983], [0x6984]])('VERIFY %s: PIN try limit exceeded', async (sw) => {
    const r = await run({ rules: '0100', script: [[GET_PTC, ptc(1)]], answers: [verified(sw)] });
    expect(r.results).toBe('010001');
    expect(r.tvr).toBe('0000A00000');
  });

  it('a PIN try counter the card does not give is not needed: no tries shown', async () => {
    const r = await run({ rules: '0100', script: [[GET_PTC, '6A88']],
      answers: [verified(0x9000)] });
    expect(r.results).toBe('010002');
    expect(r.device.requests).toEqual([
      { kind: 'plaintext', prompt: { amount: AMOUNT, triesLeft: undefined, attempt: 1 } },
    ]);
  });

  it('a malformed PIN try counter answer is "not known" as well', async () => {
    const r = await run({ rules: '0100', script: [[GET_PTC, '9F1702 0003 9000']],
      answers: [verified(0x9000)] });
    expect(r.results).toBe('010002');
  });

  it('bypass, rule without b7: PIN not entered (08) and not successful (80)', async () => {
    const r = await run({ rules: '0100 1E00', script: [[GET_PTC, ptc(3)]],
      answers: [{ to: 'plaintext', answer: { kind: 'bypassed' } }] });
    expect(r.results).toBe('010001');
    expect(r.tvr).toBe('0000880000');
  });

  it('bypass, rule with b7 (41): the next rule, signature, decides; TVR 0000080000', async () => {
    const r = await run({ rules: '4100 1E00', script: [[GET_PTC, ptc(3)]],
      answers: [{ to: 'plaintext', answer: { kind: 'bypassed' } }] });
    expect(r.results).toBe('1E0000');
    expect(r.tvr).toBe('0000080000');
    expect(r.outcome.signatureRequired).toBe(true);
  });

  it('no PIN pad: "PIN pad not present or not working" (10), then signature', async () => {
    const r = await run({ rules: '4103 1E03', noDevice: true });
    expect(r.results).toBe('1E0300');
    expect(r.tvr).toBe('0000100000');
    expect(r.tsi).toBe('4000');
  });

  it('a device without the method is the same as none', async () => {
    const r = await run({ rules: '4203 1F03', methods: ['offline-plaintext'] });
    expect(r.results).toBe('1F0302');
    expect(r.tvr).toBe('0000100000');
  });

  it('a PIN method the terminal capabilities lack also sets byte 3 b5', async () => {
    // 9F33 byte 2 78: no plaintext PIN for the ICC (b8 off).
    const r = await run({ rules: '0100', terminal: { '9F33': hex('E078C8') } });
    expect(r.results).toBe('010001');
    expect(r.tvr).toBe('0000900000');
  });

  it('the device answering "unavailable" sets byte 3 b5 and fails', async () => {
    const r = await run({ rules: '0100', script: [[GET_PTC, ptc(3)]],
      answers: [{ to: 'plaintext', answer: { kind: 'unavailable', reason: 'tamper' } }] });
    expect(r.results).toBe('010001');
    expect(r.tvr).toBe('0000900000');
    expect(r.outcome.failure).toContain('tamper');
  });

  it('plaintext PIN + signature (03): verified, result unknown 00, signature required',
    async () => {
      const r = await run({ rules: '0300', script: [[GET_PTC, ptc(3)]],
        answers: [verified(0x9000)] });
      expect(r.results).toBe('030000');
      expect(r.outcome).toMatchObject({
        method: 'offline-plaintext-pin-and-signature', signatureRequired: true,
      });
    });

  it('enciphered PIN (04): GET CHALLENGE, device enciphers, VERIFY P2 88 → 040002', async () => {
    const r = await run({
      rules: '0400',
      script: [[GET_PTC, ptc(3)], [GET_CHALLENGE, `${CHALLENGE} 9000`],
        [`0020008840 ${ENCIPHERED.toString('hex')}`, '9000']],
      answers: [{ to: 'enciphered', answer: { kind: 'enciphered', data: ENCIPHERED } }],
    });
    expect(r.results).toBe('040002');
    expect(r.tvr).toBe('0000000000');
    expect(r.device.requests).toEqual([{ kind: 'enciphered', request: {
      amount: AMOUNT, triesLeft: 3, attempt: 1, key: KEY, challenge: hex(CHALLENGE),
    } }]);
  });

  it('enciphered PIN: a new challenge for each try after 63C1', async () => {
    const r = await run({
      rules: '0400',
      script: [[GET_PTC, ptc(2)], [GET_CHALLENGE, `${CHALLENGE} 9000`],
        [`0020008840 ${ENCIPHERED.toString('hex')}`, '63C1'],
        [GET_CHALLENGE, '1112131415161718 9000'],
        [`0020008840 ${ENCIPHERED.toString('hex')}`, '9000']],
      answers: [
        { to: 'enciphered', answer: { kind: 'enciphered', data: ENCIPHERED } },
        { to: 'enciphered', answer: { kind: 'enciphered', data: ENCIPHERED } },
      ],
    });
    expect(r.results).toBe('040002');
    const second = r.device.requests[1];
    expect(second?.kind === 'enciphered' && second.request).toMatchObject({
      attempt: 2, triesLeft: 1, challenge: hex('1112131415161718'),
    });
  });

  it('enciphered PIN + signature (05): 050000, signature required', async () => {
    const r = await run({
      rules: '0500',
      script: [[GET_PTC, ptc(3)], [GET_CHALLENGE, `${CHALLENGE} 9000`],
        [`0020008840 ${ENCIPHERED.toString('hex')}`, '9000']],
      answers: [{ to: 'enciphered', answer: { kind: 'enciphered', data: ENCIPHERED } }],
    });
    expect(r.results).toBe('050000');
    expect(r.outcome.signatureRequired).toBe(true);
  });

  it('enciphered PIN without a key: fails before any command, naming why', async () => {
    const r = await run({ rules: '0400', pinKey: { found: false, reason: 'no ICC key' } });
    expect(r.results).toBe('040001');
    expect(r.tvr).toBe('0000800000');
    expect(r.outcome.failure).toBe('no PIN encipherment key: no ICC key');
  });

  it('enciphered PIN: a refused or short GET CHALLENGE fails the CVM', async () => {
    const refused = await run({ rules: '0400',
      script: [[GET_PTC, ptc(3)], [GET_CHALLENGE, '6D00']] });
    expect(refused.results).toBe('040001');
    expect(refused.tvr).toBe('0000800000');
    const short = await run({ rules: '0400',
      script: [[GET_PTC, ptc(3)], [GET_CHALLENGE, '01020304 9000']] });
    expect(short.outcome.failure).toMatch(/GET CHALLENGE/);
  });

  it('enciphered PIN data not as long as the key is refused before VERIFY', async () => {
    const r = await run({ rules: '0400', script: [[GET_PTC, ptc(3)],
      [GET_CHALLENGE, `${CHALLENGE} 9000`]],
    answers: [{ to: 'enciphered', answer: { kind: 'enciphered', data: Buffer.alloc(8) } }] });
    expect(r.results).toBe('040001');
  });

  it('VERIFY refused with another status word fails without a TVR bit of its own', async () => {
    const r = await run({ rules: '0100', script: [[GET_PTC, ptc(3)]],
      answers: [verified(0x6a80)] });
    expect(r.results).toBe('010001');
    expect(r.tvr).toBe('0000800000');
  });

  it('online PIN (02): TVR byte 3 b3 (04), result unknown, PIN block kept', async () => {
    const pinBlock = hex('8877665544332211');
    const ksn = hex('FFFF9876543210E00001');
    const r = await run({ rules: '0200',
      answers: [{ to: 'online', answer: { kind: 'pin-block', pinBlock, format: 0, ksn } }] });
    expect(r.results).toBe('020000');
    expect(r.tvr).toBe('0000040000');
    expect(r.outcome.onlinePin).toEqual({ pinBlock, format: 0, ksn });
    expect(r.device.requests).toEqual([
      { kind: 'online', request: { amount: AMOUNT, attempt: 1, pan: PAN } },
    ]);
  });

  it('online PIN bypassed (42 with b7): 08, then signature', async () => {
    const r = await run({ rules: '4203 1E03',
      answers: [{ to: 'online', answer: { kind: 'bypassed' } }] });
    expect(r.results).toBe('1E0300');
    expect(r.tvr).toBe('0000080000');
  });

  it('unrecognised CVM (06, RFU) with b7: TVR byte 3 b7 (40), then no CVM', async () => {
    const r = await run({ rules: '4600 1F00' });
    expect(r.results).toBe('1F0002');
    expect(r.tvr).toBe('0000400000');
  });

  it('unrecognised CVM without b7: 40 and 80, 9F34 of that rule with 01', async () => {
    const r = await run({ rules: '2000' });
    expect(r.results).toBe('200001');
    expect(r.tvr).toBe('0000C00000');
  });

  it('the list ends after failures: 9F34 of the last rule performed, with 01', async () => {
    const r = await run({ rules: '4100 5E00', noDevice: true,
      terminal: { '9F33': hex('E0D8C8') } });
    // 41: PIN pad missing (10); 5E: signature not supported (9F33 byte 2 D8 lacks b6).
    expect(r.results).toBe('5E0001');
    expect(r.tvr).toBe('0000900000');
  });
});

describe('performCvm: conditions (Book 3 annex C3)', () => {
  const cash = { '9C': hex('01') };
  const cashback = { '9C': hex('09') };
  const unattended = { '9F35': hex('25') };
  it.each([
    ['00 always', '1F00', {}, '1F0002'],
    ['01 unattended cash: met', '1F01', { ...cash, ...unattended }, '1F0102'],
    ['01 unattended cash: attended', '1F01', cash, '3F0001'],
    ['02 not cash, not cashback: purchase', '1F02', {}, '1F0202'],
    ['02 not cash, not cashback: cash', '1F02', cash, '3F0001'],
    ['02 not cash, not cashback: cashback', '1F02', cashback, '3F0001'],
    ['03 terminal supports the CVM: no', '1E03', { '9F33': hex('E0D8C8') }, '3F0001'],
    ['03 terminal supports the CVM: yes', '1E03', {}, '1E0300'],
    ['04 manual cash: attended', '1F04', cash, '1F0402'],
    ['04 manual cash: unattended', '1F04', { ...cash, ...unattended }, '3F0001'],
    ['05 purchase with cashback', '1F05', cashback, '1F0502'],
    ['05 purchase with cashback: purchase', '1F05', {}, '3F0001'],
  ] as const)('%s', async (_name, rules, terminal, results) => {
    const r = await run({ rules, terminal });
    expect(r.results).toBe(results);
    // Nothing performed: only "not successful" (80); else nothing in byte 3.
    expect(r.tvr).toBe(results === '3F0001' ? '0000800000' : '0000000000');
    expect(r.tsi).toBe('4000');
  });

  const vnd = { '9F42': hex('0704') };
  it.each([
    // X = 500 000, Y = 400 000; amount 450 000.
    ['06 under X', '1F06', vnd, '1F0602'],
    ['07 over X', '1F07', vnd, '3F0001'],
    ['08 under Y', '1F08', vnd, '3F0001'],
    ['09 over Y', '1F09', vnd, '1F0902'],
    ['06 under X, another application currency', '1F06', { '9F42': hex('0840') }, '3F0001'],
    ['09 over Y, no application currency', '1F09', {}, '3F0001'],
  ] as const)('%s', async (_name, rules, cardTags, results) => {
    const r = await run({ rules, x: 500_000, y: 400_000, cardTags });
    expect(r.results).toBe(results);
  });

  it('an amount equal to X is neither under nor over it', async () => {
    const r = await run({ rules: '1F06 1F07 1E00', x: AMOUNT, cardTags: vnd });
    expect(r.results).toBe('1E0000');
  });

  it('honours the currency exponents: X 450 000.01 (9F44 02) is over 450 000 (5F36 00)',
    async () => {
      const cardTags = { ...vnd, '9F44': hex('02') };
      const under = await run({ rules: '1F06', x: 45_000_001, cardTags });
      expect(under.results).toBe('1F0602');
      const equal = await run({ rules: '1F06 1F07 1E00', x: 45_000_000, cardTags });
      expect(equal.results).toBe('1E0000');
    });

  it('unknown conditions (0A, 80) skip the rule; none met → 3F0001 and 80', async () => {
    const r = await run({ rules: '1F0A 1F80' });
    expect(r.results).toBe('3F0001');
    expect(r.tvr).toBe('0000800000');
    expect(r.tsi).toBe('4000');
  });
});

describe('enciphered PIN key (Book 2 7.1, oda/pin-key.ts)', () => {
  // quay's test CA: 1024-bit CA and issuer keys, a 768-bit PIN key (a 10-byte remainder).
  const ca = makeKey(1024);
  const issuer = makeKey(1024);
  const pinKey = makeKey(768);
  const icc = makeKey(768);
  const date = new Date(2026, 2, 15);
  const aid = hex('A0000000031010');
  const issuerCert = issuerCertificate(ca, issuer,
    { issuerIdentifier: '476173', expiry: '1230', serial: '000001' });
  const pinCert = iccCertificate(issuer, pinKey,
    { pan: PAN, expiry: '1230', serial: '000002', staticData: Buffer.alloc(0) });
  const pinTags: TagValues = {
    '9F2D': pinCert.certificate, '9F2E': pinKey.exponent, '9F2F': pinCert.remainder,
  };
  const issuerPublic = { modulus: issuer.modulus, exponent: issuer.exponent };

  it('recovers the ICC PIN encipherment key from 9F2D with the issuer key', () => {
    const found = pinEnciphermentKey({ tags: pinTags, pan: PAN, aid, date,
      issuerKey: issuerPublic, iccKey: { modulus: icc.modulus, exponent: icc.exponent } });
    expect(found).toEqual({ found: true, source: 'pin-certificate',
      key: { modulus: pinKey.modulus, exponent: hex('03') } });
  });

  it('recovers the issuer key itself from the CA key when ODA did not', () => {
    const caKeys = new CaKeyStore([{ rid: 'A000000003', index: 0x92, modulus: ca.modulus,
      exponent: ca.exponent, test: true, source: 'test' }]);
    const tags = { ...pinTags, '8F': hex('92'), '90': issuerCert.certificate,
      '92': issuerCert.remainder, '9F32': issuer.exponent };
    const found = pinEnciphermentKey({ tags, pan: PAN, aid, date, caKeys });
    expect(found.found && found.key.modulus).toEqual(pinKey.modulus);
  });

  it('without 9F2D, the ICC public key of offline data authentication', () => {
    const iccKey = { modulus: icc.modulus, exponent: icc.exponent };
    expect(pinEnciphermentKey({ tags: {}, pan: PAN, aid, date, iccKey }))
      .toEqual({ found: true, key: iccKey, source: 'icc-key' });
  });

  it('none recoverable: a certificate hashed over static data, or no key at all', () => {
    const wrong = iccCertificate(issuer, pinKey,
      { pan: PAN, expiry: '1230', serial: '000002', staticData: hex('5A08') });
    const tags = { ...pinTags, '9F2D': wrong.certificate };
    expect(pinEnciphermentKey({ tags, pan: PAN, aid, date, issuerKey: issuerPublic }))
      .toEqual({ found: false, reason: 'ICC PIN key certificate: icc-certificate hash' });
    expect(pinEnciphermentKey({ tags: pinTags, pan: PAN, aid, date }))
      .toEqual({ found: false, reason: 'issuer key not recoverable' });
    expect(pinEnciphermentKey({ tags: {}, pan: PAN, aid, date })).toMatchObject({ found: false });
  });
});
