import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cardProfileFromYaml } from '../../drivers/card/virtual/card-profile';
import { ProfileCard } from '../../drivers/card/virtual/profile-card';
import { ContactKernel, type TerminalProfile } from '../../src/emv/kernel';
import { silentLogger } from '../../src/log';
import { hex } from './support/scripted-card';
import { issuerApproves } from './support/issuer';
import { INPUT } from './support/visa-card';
import { defaultTerminal } from './support/default-terminal';

/**
 * The project's test cards (config/cards) through the whole kernel, with the terminal of
 * config/default.yaml: type 22, capabilities E0F8C8, country and currency 0704, the Visa and
 * NAPAS entries with their TACs (denial 0010000000, online DC4004F800, default DC4000A800)
 * and floor limit 0. Amount 450 000 VND on 2026-03-15; no CA keys, so no offline data
 * authentication.
 *
 * For each card the TVR and TSI are written down from EMV Book 3 annex C5/C6 before running:
 *  - TVR byte 1 b8 (80) "offline data authentication was not performed": the kernel has no CA
 *    keys (Book 3 10.3);
 *  - TVR byte 3 b5 (10) "PIN entry required and PIN pad not present or not working": each
 *    card's CVM list is 4203 5E03 1F03 (X = Y = 0) and 9F33 byte 2 (F8) supports enciphered
 *    PIN online, but these kernels have no PIN entry device, so 42 fails (Book 3 10.5.2) and
 *    its b7 moves on to 5E, signature: 9F34 5E0300, signature required;
 *  - TVR byte 4 b8 (80) "transaction exceeds floor limit": 450 000 ≥ 0 (Book 3 10.6.1);
 *  - TVR byte 2: b8 versions differ (10.4.1), b7 expired, b6 not yet effective (10.4.3),
 *    b5 service not allowed (10.4.2), each as the card's data says;
 *  - TSI byte 1 b7 (40) "cardholder verification was performed" (AIP 1C00 byte 1 b5, 10.5),
 *    b4 (08) "terminal risk management was performed" (the AIP 1C00 asks for it,
 *    10.6) and b6 (20) "card risk management was performed" (the first GENERATE AC, 10.8);
 *    b5 (10) "issuer authentication was performed" once EXTERNAL AUTHENTICATE ran (10.9).
 * The first GENERATE AC asks for what Book 3 10.7 gives from (TAC | IAC) AND TVR.
 */
const TERMINAL = defaultTerminal();

function connect(name: string, terminal = TERMINAL) {
  const card = ProfileCard.fromFile(
    fileURLToPath(new URL(`../../config/cards/${name}`, import.meta.url)));
  card.powerOn();
  return new ContactKernel({ transmit: async (c) => card.process(c) }, terminal, silentLogger);
}

const hexOf = (b: Buffer) => b.toString('hex').toUpperCase();


describe('test cards: TVR, TSI and outcome as Book 3 requires', () => {
  it('visa-cvn10 (valid, version 008C = terminal 9F09): TVR 8000108000, ARQC, approved',
    async () => {
    const kernel = connect('visa-cvn10.yaml');
    const first = await kernel.start(INPUT);
    expect(hexOf(first.tvr)).toBe('8000108000');
    expect(hexOf(first.tsi)).toBe('6800');
    expect(first.decision).toBe('online');
    expect(first.decisions.firstAc).toEqual({ type: 'ARQC', reason: 'online' });
    expect(first.cvm).toEqual({ results: hex('5E0300'), method: 'signature',
      signatureRequired: true });
    const second = await kernel.complete({ kind: 'answered', approved: true,
      arc: Buffer.from('00', 'latin1'), issuerAuthData: issuerApproves(first) });
    expect(second.decision).toBe('approved');
    expect(hexOf(second.tvr)).toBe('8000108000');
    expect(hexOf(second.tsi)).toBe('7800');
  });

  it('visa-cvn18 (version 0096 ≠ 008C): TVR byte 2 b8 as well, 8080108000, ARQC', async () => {
    const first = await connect('visa-cvn18.yaml').start(INPUT);
    expect(hexOf(first.tvr)).toBe('8080108000');
    expect(first.decisions.restrictions).toMatchObject({ versionsDiffer: true });
    expect(first.decision).toBe('online');
  });

  it('visa-expired (5F24 260228 < 260315): TVR byte 2 b7, 8040108000, ARQC; offline → Z3',
    async () => {
      const kernel = connect('visa-expired.yaml');
      const first = await kernel.start(INPUT);
      expect(hexOf(first.tvr)).toBe('8040108000');
      expect(hexOf(first.tsi)).toBe('6800');
      expect(first.decisions.restrictions).toEqual({ versionsDiffer: false,
        serviceNotAllowed: false, expired: true, notYetEffective: false });
      // Denial: (0010000000 | 0010000000) AND TVR = 0; online: DC.. AND 80.. ≠ 0 → ARQC.
      expect(first.decision).toBe('online');
      // The bank cannot be reached: default DC4000A800 | D84000A800 shares byte 1 b8 and
      // byte 2 b7 with the TVR → AAC with ARC Z3 (Book 3 10.7).
      const second = await kernel.completeOffline();
      expect(second.decision).toBe('declined');
      expect(second.tags['8A']).toEqual(Buffer.from('Z3', 'latin1'));
      expect(second.cid & 0xc0).toBe(0x00);
      expect(hexOf(second.tvr)).toBe('8040108000');
      expect(hexOf(second.tsi)).toBe('6800');
    });

  it('visa-not-effective (5F25 270101 > 260315): TVR byte 2 b6, 8020108000, ARQC', async () => {
    const first = await connect('visa-not-effective.yaml').start(INPUT);
    expect(hexOf(first.tvr)).toBe('8020108000');
    expect(hexOf(first.tsi)).toBe('6800');
    expect(first.decisions.restrictions).toMatchObject({ notYetEffective: true, expired: false });
    expect(first.decision).toBe('online');
  });

  it('visa-iac-denial (US card, domestic use only): TVR byte 2 b5, 8010108000, AAC offline',
    async () => {
      const first = await connect('visa-iac-denial.yaml').start(INPUT);
      expect(hexOf(first.tvr)).toBe('8010108000');
      expect(hexOf(first.tsi)).toBe('6800');
      // IAC-denial 0010000000 AND TVR byte 2 b5 ≠ 0 → AAC in the first GENERATE AC.
      expect(first.decisions.firstAc).toEqual({ type: 'AAC', reason: 'denial' });
      expect(first.decision).toBe('declined');
      expect(first.cid & 0xc0).toBe(0x00);
    });

  it('napas-domestic (A0000007271010, 5F28 = 9F1A 0704): no byte 2 bit, 8000108000, ARQC',
    async () => {
      const kernel = connect('napas-domestic.yaml');
      const first = await kernel.start(INPUT);
      expect(first.application).toMatchObject({ aid: 'A0000007271010', label: 'NAPAS' });
      expect(hexOf(first.tvr)).toBe('8000108000');
      expect(hexOf(first.tsi)).toBe('6800');
      expect(first.decision).toBe('online');
      const second = await kernel.complete({ kind: 'answered', approved: true,
        arc: Buffer.from('00', 'latin1'), issuerAuthData: issuerApproves(first) });
      expect(second.decision).toBe('approved');
      expect(hexOf(second.tsi)).toBe('7800');
    });
});

describe('completion when the terminal cannot go online (Book 3 10.7)', () => {
  const zeros = '0000000000';
  /** The terminal's TAC-default empty, and TAC-online all ones so the first AC is an ARQC. */
  const lenient: TerminalProfile = { ...TERMINAL, aids: TERMINAL.aids.map((aid) => ({
    ...aid, tac: { denial: zeros, online: 'FFFFFFFFFF', default: zeros } })) };

  it('IAC-default D84000A800 names TVR byte 1 b8: AAC with ARC Z3, declined', async () => {
    const kernel = connect('napas-domestic.yaml', lenient);
    const first = await kernel.start(INPUT);
    expect(first.decision).toBe('online');
    const second = await kernel.completeOffline();
    expect(second.tags['8A']).toEqual(Buffer.from('Z3', 'latin1'));
    expect(second.decision).toBe('declined');
  });

  it('no default code names a TVR bit: TC with ARC Y3, approved offline by the card',
    async () => {
      const text = readFileSync(fileURLToPath(
        new URL('../../config/cards/napas-domestic.yaml', import.meta.url)), 'utf8')
        .replace("default: 'D84000A800'", "default: '0000000000'")
        .replace('issuerAuthRequired: true', 'issuerAuthRequired: false');
      const card = new ProfileCard(cardProfileFromYaml(text));
      card.powerOn();
      const kernel = new ContactKernel({ transmit: async (c) => card.process(c) }, lenient,
        silentLogger);
      const first = await kernel.start(INPUT);
      expect(hexOf(first.tvr)).toBe('8000108000');
      const second = await kernel.completeOffline();
      expect(second.tags['8A']).toEqual(Buffer.from('Y3', 'latin1'));
      expect(second.cid & 0xc0).toBe(0x40);
      expect(second.decision).toBe('approved');
      // No issuer authentication: TSI stays CVM (40), TRM (08) and card risk management (20).
      expect(hexOf(second.tsi)).toBe('6800');
      expect(second.issuerAuthentication).toBe('not-performed');
    });
});
