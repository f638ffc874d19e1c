import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cardProfileFromYaml } from '../../../drivers/card/virtual/card-profile';
import { loadCaKeys } from '../../../src/emv/oda/capk';
import { recoverIccKey, recoverIssuerKey } from '../../../src/emv/oda/certificates';
import {
  card, CARDS, hex, terminal, tlv, upper, upToGpo, type Terminal,
} from './profile-card-support';

/**
 * Offline PIN on the profile cards (Book 3 6.5.6 GET CHALLENGE, 6.5.12 VERIFY; Book 2 7):
 * the status words and the PIN try counter (9F17) after each VERIFY, written down first:
 * right PIN 9000 and 9F17 back to 3; wrong PIN 63C2, 63C1, 63C0; then 6983, even for the
 * right PIN; an unreadable block 6A80 with the counter kept. The PIN 1234 exists here only
 * as the test's cardholder, as a PIN pad simulator would hold it.
 */
const CAPK = new URL('../../../config/capk/', import.meta.url).pathname;

/** ISO 9564 format 2: 2, length, digits, F filler. */
function pinBlock(pin: string): Buffer {
  return Buffer.from(`2${pin.length.toString(16)}${pin}`.padEnd(16, 'F'), 'hex');
}

function verify(p2: number, data: Buffer): Buffer {
  return Buffer.concat([hex('0020 00'), Buffer.from([p2, data.length]), data]);
}

async function counter(t: Terminal): Promise<string | undefined> {
  const answer = await t.send('80CA9F1700');
  return upper(tlv(answer, '9F17'));
}

describe('VERIFY with a plaintext PIN (visa-pin-plaintext)', () => {
  it('counts wrong PINs down with 63Cx and resets the counter on the right one', async () => {
    const t = await upToGpo(card('visa-pin-plaintext.yaml'));
    expect(await counter(t)).toBe('03');
    expect((await t.send(verify(0x80, pinBlock('4321')))).sw).toBe(0x63c2);
    expect(await counter(t)).toBe('02');
    expect((await t.send(verify(0x80, pinBlock('12345')))).sw).toBe(0x63c1);
    expect(await counter(t)).toBe('01');
    expect((await t.send(verify(0x80, pinBlock('1234')))).sw).toBe(0x9000);
    expect(await counter(t)).toBe('03');
  });

  it('blocks at 0: 63C0, then 6983 even for the right PIN, kept across power cycles',
    async () => {
      const c = card('visa-pin-plaintext.yaml');
      const t = await upToGpo(c);
      for (const sw of [0x63c2, 0x63c1, 0x63c0]) {
        expect((await t.send(verify(0x80, pinBlock('0000')))).sw).toBe(sw);
      }
      expect((await t.send(verify(0x80, pinBlock('1234')))).sw).toBe(0x6983);
      const again = await upToGpo(c);
      expect(await counter(again)).toBe('00');
      expect((await again.send(verify(0x80, pinBlock('1234')))).sw).toBe(0x6983);
      expect(c.pinTryCounter).toBe(0);
    });

  it('refuses a block that is not format 2 (6A80) and VERIFY before GPO (6985)', async () => {
    const c = card('visa-pin-plaintext.yaml');
    const early = terminal(c);
    await early.send('00A4040007A000000003101000');
    expect((await early.send(verify(0x80, pinBlock('1234')))).sw).toBe(0x6985);
    const t = await upToGpo(c);
    expect((await t.send(verify(0x80, hex('141234FFFFFFFFFF')))).sw).toBe(0x6a80);
    expect((await t.send(verify(0x80, hex('2412A4FFFFFFFFFF')))).sw).toBe(0x6a80);
    expect((await t.send(verify(0x80, hex('241234FFFF')))).sw).toBe(0x6700);
    expect((await t.send(verify(0x84, pinBlock('1234')))).sw).toBe(0x6a86);
    expect(await counter(t)).toBe('03');
  });

  it('a card without an offline PIN refuses VERIFY (6985)', async () => {
    const t = await upToGpo(card('visa-cvn10.yaml'));
    expect((await t.send(verify(0x80, pinBlock('1234')))).sw).toBe(0x6985);
  });
});

describe('visa-pin-blocked', () => {
  it('shows 9F17 00 and answers every VERIFY with 6983', async () => {
    const t = await upToGpo(card('visa-pin-blocked.yaml'));
    expect(await counter(t)).toBe('00');
    expect((await t.send(verify(0x80, pinBlock('1234')))).sw).toBe(0x6983);
    expect((await t.send(verify(0x80, pinBlock('9999')))).sw).toBe(0x6983);
    expect(await counter(t)).toBe('00');
  });
});

/** Book 2 7.1: the PIN key from 9F2D, through the issuer key from quay's test CA. */
async function pinKeyOf(t: Terminal) {
  const issuerRecord = await t.send('00B2011C00');
  const pinRecord = await t.send('00B2031C00');
  const caKey = loadCaKeys({ dir: CAPK, allowTest: true })
    .find('A000000003', tlv(issuerRecord, '8F')![0]!, new Date(2026, 2, 15))!;
  const issuerKey = recoverIssuerKey({
    caKey, certificate: tlv(issuerRecord, '90')!, remainder: tlv(issuerRecord, '92'),
    exponent: tlv(issuerRecord, '9F32')!, pan: '4761739001010093',
    date: new Date(2026, 2, 15), isRevoked: () => false,
  });
  return recoverIccKey({
    issuerKey, certificate: tlv(pinRecord, '9F2D')!, remainder: tlv(pinRecord, '9F2F'),
    exponent: tlv(pinRecord, '9F2E')!, pan: '4761739001010093', staticData: Buffer.alloc(0),
    date: new Date(2026, 2, 15),
  });
}

/** What an EMV PIN pad does (Book 2 7.2): 7F, PIN block, challenge, random padding. */
function encipher(key: { modulus: Buffer; exponent: Buffer }, block: Buffer, challenge: Buffer,
  header = 0x7f): Buffer {
  const padding = randomBytes(key.modulus.length - 17);
  const plain = Buffer.concat([Buffer.from([header]), block, challenge, padding]);
  const publicKey = createPublicKey({ format: 'jwk', key: {
    kty: 'RSA', n: key.modulus.toString('base64url'), e: key.exponent.toString('base64url'),
  } });
  return publicEncrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, plain);
}

describe('VERIFY with an enciphered PIN (visa-pin-enciphered)', () => {
  it('recovers the PIN under the 9F2D key with the challenge of GET CHALLENGE', async () => {
    const t = await upToGpo(card('visa-pin-enciphered.yaml'));
    const key = await pinKeyOf(t);
    expect(key.modulus).toHaveLength(96);

    const challenge = await t.send('0084000000');
    expect(challenge.sw).toBe(0x9000);
    expect(challenge.data).toHaveLength(8);
    expect((await t.send(verify(0x88, encipher(key, pinBlock('9876'), challenge.data)))).sw)
      .toBe(0x63c2);
    const next = (await t.send('0084000000')).data;
    expect(next.equals(challenge.data)).toBe(false);
    expect((await t.send(verify(0x88, encipher(key, pinBlock('1234'), next)))).sw).toBe(0x9000);
    expect(await counter(t)).toBe('03');
  });

  it('refuses a wrong challenge or header (6A80, no try lost) and a used challenge (6985)',
    async () => {
      const t = await upToGpo(card('visa-pin-enciphered.yaml'));
      const key = await pinKeyOf(t);
      await t.send('0084000000');
      const wrong = encipher(key, pinBlock('1234'), Buffer.alloc(8, 0x55));
      expect((await t.send(verify(0x88, wrong))).sw).toBe(0x6a80);
      const challenge = (await t.send('0084000000')).data;
      const badHeader = encipher(key, pinBlock('1234'), challenge, 0x6a);
      expect((await t.send(verify(0x88, badHeader))).sw).toBe(0x6a80);
      // The challenge served one VERIFY; the same block again has none to match.
      expect((await t.send(verify(0x88, encipher(key, pinBlock('1234'), challenge)))).sw)
        .toBe(0x6985);
      expect(await counter(t)).toBe('03');
    });

  it('takes only blocks as long as the key (6700)', async () => {
    const t = await upToGpo(card('visa-pin-enciphered.yaml'));
    await t.send('0084000000');
    expect((await t.send(verify(0x88, randomBytes(64)))).sw).toBe(0x6700);
  });
});

describe('profile keys for offline PIN and ODA', () => {
  const base = readFileSync(`${CARDS}visa-cvn10.yaml`, 'utf8');

  it('refuses a PIN that is not 4 to 12 digits and a counter above the limit', () => {
    expect(() => cardProfileFromYaml(`${base}testPin: '12a4'\n`, 'p.yaml'))
      .toThrow(/p\.yaml:\d+: testPin: 4 to 12 digits/);
    expect(() => cardProfileFromYaml(`${base}pinTryLimit: 2\n`, 'p.yaml'))
      .toThrow(/pinTryCounter is above pinTryLimit/);
  });

  it('wants the ICC certificate, exponent and private key together', () => {
    const oda = `oda:\n  caIndex: 241\n  issuerCertificate: '00'\n  issuerExponent: '03'\n`
      + `  iccCertificate: '00'\n`;
    expect(() => cardProfileFromYaml(`${base}${oda}`, 'p.yaml'))
      .toThrow(/iccCertificate, iccExponent and iccPrivateKey go together/);
  });
});
