import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ProfileCard } from '../../drivers/card/virtual/profile-card';
import { silentLogger } from '../../src/log';
import {
  computeArpc, computeCryptogram, deriveIccMasterKey, issuerAuthenticationData, type Cvn,
} from '../../src/emv/cryptogram';
import { ContactKernel } from '../../src/emv/kernel';
import { parseTlv } from '../../src/emv/tlv';
import { hex } from './support/scripted-card';
import { INPUT, PROFILE } from './support/visa-card';

// The project's virtual cards (config/cards), which compute real Visa cryptograms with the
// issuer master key of the pyemv vectors; here the test plays the issuer.
// PROFILE's AID has no TACs, so the kernel analyses with TACs of zeros and performs every step
// the AIP 1C00 asks for (Book 3 10.7 leaves the TACs to the acquirer). TVR: byte 1 b8 (80) no
// ODA (no CA keys); for the CVN 10 card, byte 2 b8 (80) "different application versions"
// (card 9F08 008C, PROFILE 9F09 0096, 10.4.1); byte 3 b5 (10) "PIN pad not present or not
// working" (CVM list 4203 5E03 1F03, enciphered PIN online supported by 9F33 E0F8C8 but no PIN
// device: Book 3 10.5.2, then signature); byte 4 b8 (80) floor limit 0 exceeded (10.6.1).
// TSI byte 1: 40 cardholder verification, 20 card risk management, 10 issuer authentication,
// 08 terminal risk management.
const IMK = hex('0123456789ABCDEF FEDCBA9876543210');
const ARC_00 = Buffer.from('00', 'latin1');
const cardFile = (name: string) =>
  fileURLToPath(new URL(`../../config/cards/${name}`, import.meta.url));

function connect(name: string) {
  const card = ProfileCard.fromFile(cardFile(name));
  card.powerOn();
  const kernel = new ContactKernel({ transmit: async (c) => card.process(c) }, PROFILE,
    silentLogger);
  return { card, kernel };
}

/** What the issuer does with field 55: check the ARQC, answer with tag 91. */
function issuer(cvn: Cvn, first: Awaited<ReturnType<ContactKernel['start']>>, arc = ARC_00) {
  const tags = Object.fromEntries(parseTlv(first.iccData).map((n) => [n.tag, n.value]));
  const mk = deriveIccMasterKey(IMK, first.pan, first.panSequence ?? '00');
  expect(computeCryptogram(cvn, mk, tags)).toEqual(first.cryptogram);
  const arpc = computeArpc(cvn, mk, first.cryptogram, tags, { arc });
  return issuerAuthenticationData(cvn, arpc, { arc });
}

describe('ContactKernel with the CVN 10 virtual card', () => {
  it('goes online with an ARQC the issuer verifies, and gets a TC after EXTERNAL AUTHENTICATE',
    async () => {
      const { kernel } = connect('visa-cvn10.yaml');
      const first = await kernel.start(INPUT);
      expect(first).toMatchObject({
        decision: 'online', pan: '4761739001010010', panSequence: '01', expiry: '291231',
        cardholderName: 'KHACH HANG/THU NGHIEM',
      });
      expect(first.application).toMatchObject({ aid: 'A0000000031010', label: 'VISA DEBIT' });
      const second = await kernel.complete({
        kind: 'answered', approved: true, arc: ARC_00, issuerAuthData: issuer(10, first),
      });
      expect(second).toMatchObject({ decision: 'approved', issuerAuthentication: 'passed' });
      expect(second.tsi).toEqual(hex('7800'));
      expect(second.tvr).toEqual(hex('8080108000'));
    });

  it('records a forged ARPC as "issuer authentication failed"', async () => {
    const { kernel } = connect('visa-cvn10.yaml');
    const first = await kernel.start(INPUT);
    const forged = issuer(10, first);
    forged[0] = forged[0]! ^ 0x01;
    const second = await kernel.complete({
      kind: 'answered', approved: true, arc: ARC_00, issuerAuthData: forged,
    });
    expect(second.issuerAuthentication).toBe('failed');
    expect(second.tvr).toEqual(hex('8080108040'));
    expect(second.decision).toBe('declined');
  });
});

describe('ContactKernel with the CVN 18 virtual card (T=0, tag 91 in CDOL2)', () => {
  it('hands tag 91 to the second GENERATE AC and is approved', async () => {
    const { kernel } = connect('visa-cvn18.yaml');
    const first = await kernel.start(INPUT);
    expect(first).toMatchObject({ decision: 'online', pan: '4761739001010119', expiry: '281231' });
    const second = await kernel.complete({
      kind: 'answered', approved: true, arc: ARC_00, issuerAuthData: issuer(18, first),
    });
    // 91 goes to the card in CDOL2: the card authenticates the issuer (Book 3 10.9).
    expect(second).toMatchObject({ decision: 'approved', issuerAuthentication: 'by-card' });
    expect(second.tsi).toEqual(hex('7800'));
  });

  it('is declined when the bank cannot be reached', async () => {
    const { kernel } = connect('visa-cvn18.yaml');
    await kernel.start(INPUT);
    const second = await kernel.complete({ kind: 'unable-to-go-online' });
    expect(second.decision).toBe('declined');
    expect(second.tags['8A']).toEqual(Buffer.from('Z3', 'latin1'));
  });
});

describe('kernel logging', () => {
  it('logs every step at debug without the PAN, track 2 or cryptograms in clear', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'debug' }, { write: (line: string) => { lines.push(line); } });
    const card = ProfileCard.fromFile(cardFile('visa-cvn10.yaml'));
    card.powerOn();
    const kernel = new ContactKernel({ transmit: async (c) => card.process(c) }, PROFILE, log);
    const first = await kernel.start(INPUT);
    await kernel.complete({ kind: 'unable-to-go-online' });

    const text = lines.join('\n');
    expect(lines.length).toBeGreaterThan(10);
    expect(text).toContain('GENERATE AC (second)');
    expect(text).toContain('**** **** **** 0010');
    const secrets = [first.pan, first.track2!.toString('hex'), first.cryptogram.toString('hex')];
    for (const secret of secrets) {
      expect(text.toUpperCase()).not.toContain(secret.toUpperCase());
    }
  });
});
