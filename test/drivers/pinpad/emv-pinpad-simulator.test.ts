import { constants, generateKeyPairSync, privateDecrypt, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EmvPinPadSimulator } from '../../../drivers/pinpad/emv-pinpad-simulator';
import { decipherFormat4 } from '../../../drivers/pinpad/pin-blocks';
import { decryptPinDukpt } from '../../../src/crypto/dukpt';
import type { PinEnciphermentKey } from '../../../src/emv/pin-entry';
import { rejection } from '../../support/rejection';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const upper = (b: Buffer) => b.toString('hex').toUpperCase();

// ANSI X9.24-1:2009 annex A.4 (../shared/testdata/vectors/README.md, DUKPT).
const BDK = hex('0123456789ABCDEFFEDCBA9876543210');
const DUKPT = { initialKey: hex('6AC292FAA1315B4D858AB3A3D7D5933A'),
  initialKsn: hex('FFFF9876543210E00000') };
const PROMPT = { amount: 150_000, attempt: 1 };

/**
 * A card's side of VERIFY with a plaintext PIN (Book 3 6.5.12): PIN 1234, a try counter of
 * 3; a wrong PIN answers 63Cx with the tries left, a blocked PIN 6983.
 */
class VerifyCard {
  readonly commands: Buffer[] = [];
  tries = 3;

  async transmit(command: Buffer): Promise<Buffer> {
    this.commands.push(Buffer.from(command));
    if (upper(command.subarray(0, 5)) !== '0020008008') return hex('6D00');
    if (this.tries === 0) return hex('6983');
    if (upper(command.subarray(5)) === '241234FFFFFFFFFF') {
      this.tries = 3;
      return hex('9000');
    }
    this.tries -= 1;
    return Buffer.from([0x63, 0xc0 | this.tries]);
  }
}

function rsaKey(): { key: PinEnciphermentKey; privateKey: KeyObject } {
  // EMV card keys use the exponent 3 or 65537 (Book 2 5.1); 3 here.
  const { publicKey, privateKey } = generateKeyPairSync('rsa',
    { modulusLength: 1024, publicExponent: 3 });
  const jwk = publicKey.export({ format: 'jwk' });
  return { privateKey, key: { modulus: Buffer.from(jwk.n!, 'base64url'),
    exponent: Buffer.from(jwk.e!, 'base64url') } };
}

describe('EMV PIN pad simulator: plaintext offline PIN', () => {
  it('sends VERIFY with the format 2 block itself and passes the card\'s SW on', async () => {
    const card = new VerifyCard();
    const pad = new EmvPinPadSimulator({ card, script: ['1111', '1234'] });
    expect(await pad.verifyPlaintextOffline(PROMPT))
      .toEqual({ kind: 'verified-answer', sw: 0x63c2 });
    expect(await pad.verifyPlaintextOffline({ ...PROMPT, attempt: 2, triesLeft: 2 }))
      .toEqual({ kind: 'verified-answer', sw: 0x9000 });
    expect(card.commands.map(upper)).toEqual([
      '0020008008241111FFFFFFFFFF',
      '0020008008241234FFFFFFFFFF',
    ]);
    expect(pad.records).toEqual([
      { method: 'offline-plaintext', amount: 150_000, attempt: 1, outcome: 'verified-answer',
        sw: '63C2' },
      { method: 'offline-plaintext', amount: 150_000, attempt: 2, triesLeft: 2,
        outcome: 'verified-answer', sw: '9000' },
    ]);
    // No record holds the digits.
    expect(JSON.stringify(pad.records)).not.toMatch(/1111|1234/);
  });

  it('reports a blocked PIN (6983) and works with the card of each session', async () => {
    const card = Object.assign(new VerifyCard(), { tries: 0 });
    const pad = new EmvPinPadSimulator({ script: ['1234', '1234'] });
    expect(await pad.verifyPlaintextOffline(PROMPT)).toEqual({ kind: 'unavailable',
      reason: 'no card is wired to the PIN pad' });
    pad.attachCard(card);
    expect(await pad.verifyPlaintextOffline(PROMPT))
      .toEqual({ kind: 'verified-answer', sw: 0x6983 });
  });

  it('sends nothing to the card on bypass and on a prompt left to time out', async () => {
    const card = new VerifyCard();
    const pad = new EmvPinPadSimulator({ card, script: [{ bypass: true }, { timeout: true }],
      entryTimeoutMs: 10 });
    expect(await pad.verifyPlaintextOffline(PROMPT)).toEqual({ kind: 'bypassed' });
    expect(await pad.verifyPlaintextOffline(PROMPT)).toEqual({ kind: 'bypassed' });
    expect(await pad.verifyPlaintextOffline(PROMPT)).toEqual({ kind: 'bypassed' });
    expect(card.commands).toEqual([]);
    expect(pad.records.map((r) => r.outcome)).toEqual(['bypassed', 'timeout', 'timeout']);
  });

  it('rejects PAYMENT_ABORTED on cancel, and on close while waiting', async () => {
    const card = new VerifyCard();
    const pad = new EmvPinPadSimulator({ card, script: [{ cancel: true }] });
    const cancelled = await rejection(pad.verifyPlaintextOffline(PROMPT));
    expect([cancelled.code, cancelled.detail.reason]).toEqual(['PAYMENT_ABORTED',
      'pin-cancelled']);
    const waiting = rejection(pad.verifyPlaintextOffline(PROMPT));
    await pad.close();
    expect((await waiting).detail.reason).toBe('closed');
    expect((await rejection(pad.verifyPlaintextOffline(PROMPT))).code).toBe('PAYMENT_ABORTED');
    expect(card.commands).toEqual([]);
  });

  it('takes an entry made while the prompt waits', async () => {
    const card = new VerifyCard();
    const pad = new EmvPinPadSimulator({ card });
    const waiting = pad.verifyPlaintextOffline(PROMPT);
    pad.enter('1234');
    expect(await waiting).toEqual({ kind: 'verified-answer', sw: 0x9000 });
  });
});

describe('EMV PIN pad simulator: enciphered offline PIN (Book 2 7.2)', () => {
  it('enciphers 7F, the format 2 block, the challenge and the padding', async () => {
    const { key, privateKey } = rsaKey();
    const pad = new EmvPinPadSimulator({ script: ['1234'],
      random: (n) => Buffer.alloc(n, 0xa5) });
    const challenge = hex('1122334455667788');
    const result = await pad.encipherOffline({ ...PROMPT, key, challenge });
    if (result.kind !== 'enciphered') throw new Error(`not enciphered: ${result.kind}`);
    expect(result.data).toHaveLength(128);
    const clear = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING },
      result.data);
    expect(upper(clear.subarray(0, 1))).toBe('7F');
    expect(upper(clear.subarray(1, 9))).toBe('241234FFFFFFFFFF');
    expect(upper(clear.subarray(9, 17))).toBe('1122334455667788');
    expect(clear.subarray(17)).toEqual(Buffer.alloc(111, 0xa5));
    expect(pad.records[0]).toMatchObject({ method: 'offline-enciphered',
      outcome: 'enciphered' });
  });

  it('refuses an unusable key or challenge before the prompt (REQUEST_INVALID)', async () => {
    const { key } = rsaKey();
    const pad = new EmvPinPadSimulator({ script: ['1234'] });
    const short = await rejection(pad.encipherOffline({ ...PROMPT, key,
      challenge: hex('11223344') }));
    expect(short.code).toBe('REQUEST_INVALID');
    const tiny = { modulus: hex('C1'.repeat(16)), exponent: hex('03') };
    expect((await rejection(pad.encipherOffline({ ...PROMPT, key: tiny,
      challenge: hex('1122334455667788') }))).code).toBe('REQUEST_INVALID');
    // The scripted PIN is still there: nothing was typed for those requests.
    const result = await pad.encipherOffline({ ...PROMPT, key,
      challenge: hex('1122334455667788') });
    expect(result.kind).toBe('enciphered');
  });

  it('passes a bypass on', async () => {
    const { key } = rsaKey();
    const pad = new EmvPinPadSimulator({ script: [{ bypass: true }] });
    expect(await pad.encipherOffline({ ...PROMPT, key, challenge: hex('1122334455667788') }))
      .toEqual({ kind: 'bypassed' });
  });
});

describe('EMV PIN pad simulator: online PIN', () => {
  it('forms the published format 0 block under DUKPT, with its KSN', async () => {
    const pad = new EmvPinPadSimulator({ dukpt: DUKPT, script: ['1234', '987654'] });
    const first = await pad.enterOnline({ ...PROMPT, pan: '4012345678909' });
    expect(first).toEqual({ kind: 'pin-block', pinBlock: hex('1B9C1845EB993A7A'), format: 0,
      ksn: hex('FFFF9876543210E00001') });
    const second = await pad.enterOnline({ ...PROMPT, pan: '4761739001010010' });
    if (second.kind !== 'pin-block') throw new Error('no PIN block');
    expect(upper(second.ksn!)).toBe('FFFF9876543210E00002');
    expect(decryptPinDukpt(BDK, second.ksn!, second.pinBlock, '4761739001010010'))
      .toBe('987654');
    expect(pad.records[0]).toEqual({ method: 'online', amount: 150_000, attempt: 1,
      maskedPan: '**** **** *890 9', outcome: 'pin-block', format: 0,
      ksn: 'FFFF9876543210E00001' });
  });

  it('forms the published format 4 block under its AES key, with no KSN', async () => {
    // psec (github.com/knovichikhin/psec, tests/test_pinblock.py): random bytes all FF.
    const key = hex('00112233445566778899AABBCCDDEEFF');
    const pad = new EmvPinPadSimulator({ aesKey: key, script: ['1234'],
      random: (n) => Buffer.alloc(n, 0xff) });
    const result = await pad.enterOnline({ ...PROMPT, pan: '1234567890123456789' });
    expect(result).toEqual({ kind: 'pin-block', format: 4,
      pinBlock: hex('28B41FDDD29B743E93124BD8E32D921E') });
    expect(decipherFormat4(key, hex('28B41FDDD29B743E93124BD8E32D921E'),
      '1234567890123456789')).toBe('1234');
  });

  it('refuses a PAN too short for format 0 before the prompt', async () => {
    const pad = new EmvPinPadSimulator({ dukpt: DUKPT, script: ['1234'] });
    expect((await rejection(pad.enterOnline({ ...PROMPT, pan: '401234567890' }))).code)
      .toBe('REQUEST_INVALID');
    expect((await pad.enterOnline({ ...PROMPT, pan: '4012345678909' })).kind).toBe('pin-block');
  });
});

describe('EMV PIN pad simulator: configuration and faults', () => {
  it('offers online only with a key, and both offline kinds by default', () => {
    expect([...new EmvPinPadSimulator().methods])
      .toEqual(['offline-plaintext', 'offline-enciphered']);
    expect([...new EmvPinPadSimulator({ dukpt: DUKPT }).methods])
      .toEqual(['offline-plaintext', 'offline-enciphered', 'online']);
    expect([...new EmvPinPadSimulator({ methods: ['online'], aesKey: Buffer.alloc(16) })
      .methods]).toEqual(['online']);
  });

  it('refuses online without a key, both key kinds at once, and a short AES key', () => {
    expect(() => new EmvPinPadSimulator({ methods: ['online'] }))
      .toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => new EmvPinPadSimulator({ dukpt: DUKPT, aesKey: Buffer.alloc(16) }))
      .toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => new EmvPinPadSimulator({ aesKey: Buffer.alloc(8) }))
      .toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    expect(() => new EmvPinPadSimulator({ script: ['123'] }))
      .toThrow(expect.objectContaining({ code: 'REQUEST_INVALID' }));
  });

  it('answers unavailable when broken, or for a kind it does not offer', async () => {
    const card = new VerifyCard();
    const { key } = rsaKey();
    const broken = new EmvPinPadSimulator({ card, dukpt: DUKPT, fault: true,
      script: ['1234'] });
    expect(broken.methods.has('online')).toBe(true);
    const notWorking = { kind: 'unavailable', reason: 'the PIN pad is not working' };
    expect(await broken.verifyPlaintextOffline(PROMPT)).toEqual(notWorking);
    expect(await broken.encipherOffline({ ...PROMPT, key, challenge: Buffer.alloc(8) }))
      .toEqual(notWorking);
    expect(await broken.enterOnline({ ...PROMPT, pan: '4012345678909' })).toEqual(notWorking);
    expect(card.commands).toEqual([]);

    const offlineOnly = new EmvPinPadSimulator({ methods: ['offline-plaintext'], card,
      script: ['1234'] });
    expect(await offlineOnly.encipherOffline({ ...PROMPT, key, challenge: Buffer.alloc(8) }))
      .toEqual({ kind: 'unavailable',
        reason: 'the PIN pad does not offer offline-enciphered PIN' });
  });

  it('answers unavailable when its DUKPT counter is used up', async () => {
    const pad = new EmvPinPadSimulator({ script: ['1234'], dukpt: { ...DUKPT,
      initialKsn: hex('FFFF9876543210FFF800') } });
    const result = await pad.enterOnline({ ...PROMPT, pan: '4012345678909' });
    expect(result.kind).toBe('unavailable');
    expect(pad.records[0]!.outcome).toBe('unavailable');
  });
});
