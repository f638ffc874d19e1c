import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ProfileCard } from '../../drivers/card/virtual/profile-card';
import { ContactKernel } from '../../src/emv/kernel';
import { silentLogger } from '../../src/log';
import { hex } from './support/scripted-card';
import { issuerApproves } from './support/issuer';
import { INPUT } from './support/visa-card';
import { defaultTerminal, projectCaKeys } from './support/default-terminal';

/**
 * CDA in the first GENERATE AC (EMV Book 2 6.6, Book 3 10.3 and 10.8) with the project's CDA
 * test card (config/cards/visa-cda.yaml, AIP 1D00), whose issuer certificate is signed by
 * quay's test CA (config/capk/quay-test-ca.yaml), through the in-process card channel.
 *
 * Written down before running, terminal of config/default.yaml (capabilities E0F8C8: byte 3
 * b4 = CDA), 450 000 VND on 2026-03-15:
 *  - ODA is CDA: TVR byte 1 b8 clear, TSI byte 1 b8 (80) "ODA was performed" (Book 3 10.3);
 *  - TVR byte 3 b5 (10) "PIN entry required and PIN pad not present or not working": the CVM
 *    list 4203 5E03 1F03 starts with enciphered PIN online, which 9F33 byte 2 supports but no
 *    PIN device is given (Book 3 10.5.2); signature follows; TSI byte 1 b7 (40) CVM performed;
 *  - TVR byte 4 b8 (80): floor limit 0 exceeded (10.6.1); TSI byte 1 b4 (08) risk management
 *    performed (10.6) and b6 (20) card risk management performed (10.8);
 *  - TAC-online DC4004F800 AND TVR 0000108000 ≠ 0 → ARQC with P1 90 (ARQC, CDA requested);
 *  - signature good: TVR 0000108000, TSI E800, online;
 *  - signature bad: TVR byte 1 b3 (04) "CDA failed" → 0400108000 and the terminal declines
 *    (Book 2 6.6.2), closing the card with an AAC in the second GENERATE AC (ARC Z1).
 */
const TERMINAL = defaultTerminal();
const caKeys = projectCaKeys();
const hexOf = (b: Buffer) => b.toString('hex').toUpperCase();

/** The card, and every command and answer; `tamper` may change an answer on the way. */
function connect(terminal = TERMINAL, tamper?: (command: Buffer, answer: Buffer) => Buffer) {
  const card = ProfileCard.fromFile(
    fileURLToPath(new URL('../../config/cards/visa-cda.yaml', import.meta.url)));
  card.powerOn();
  const sent: Buffer[] = [];
  const kernel = new ContactKernel({
    transmit: async (command) => {
      sent.push(command);
      const answer = card.process(command);
      return tamper ? tamper(command, answer) : answer;
    },
  }, terminal, silentLogger, { caKeys, defaultDdol: hex('9F3704') });
  const generateAcs = () => sent.filter((c) => c[1] === 0xae).map((c) => c[2]);
  return { kernel, generateAcs };
}


describe('CDA with the visa-cda test card', () => {
  it('asks for CDA (P1 90), verifies the signature and goes online with the signed ARQC',
    async () => {
      const { kernel, generateAcs } = connect();
      const first = await kernel.start(INPUT);
      expect(generateAcs()).toEqual([0x90]);
      expect(first.oda).toEqual({ method: 'CDA', passed: true });
      expect(hexOf(first.tvr)).toBe('0000108000');
      expect(hexOf(first.tsi)).toBe('E800');
      expect(first.decision).toBe('online');
      // The ARQC came inside the signature; the issuer verifies it as any other.
      expect(first.cryptogram).toHaveLength(8);
      expect(first.tags['9F4C']).toHaveLength(8);
      const second = await kernel.complete({ kind: 'answered', approved: true,
        arc: Buffer.from('00', 'latin1'), issuerAuthData: issuerApproves(first) });
      expect(generateAcs()).toEqual([0x90, 0x40]);
      expect(second.decision).toBe('approved');
      expect(hexOf(second.tsi)).toBe('F800');
    });

  it('sets "CDA failed" and declines when the signature does not verify', async () => {
    const { kernel, generateAcs } = connect(TERMINAL, (command, answer) => {
      if (command[1] !== 0xae || command[2] !== 0x90) return answer;
      const changed = Buffer.from(answer);
      const at = changed.indexOf(Buffer.from('9F4B', 'hex'));
      changed[at + 10] = changed[at + 10]! ^ 0x01;
      return changed;
    });
    const first = await kernel.start(INPUT);
    expect(hexOf(first.tvr)).toBe('0400108000');
    expect(hexOf(first.tsi)).toBe('E800');
    expect(first.oda).toMatchObject({ method: 'CDA', passed: false,
      failure: { step: 'signed-dynamic-data' } });
    expect(first.decision).toBe('declined');
    // The card, left waiting after its ARQC, is closed with an AAC (P1 00).
    expect(generateAcs()).toEqual([0x90, 0x00]);
  });

  it('without CDA in the terminal capabilities: no ODA, TVR byte 1 b8, plain ARQC', async () => {
    const { kernel, generateAcs } = connect({ ...TERMINAL, capabilities: 'E0F8C0' });
    const first = await kernel.start(INPUT);
    expect(generateAcs()).toEqual([0x80]);
    expect(hexOf(first.tvr)).toBe('8000108000');
    expect(hexOf(first.tsi)).toBe('6800');
    expect(first.decision).toBe('online');
  });
});
