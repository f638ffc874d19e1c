import { fileURLToPath } from 'node:url';
import { loadCardProfile, type CardProfile } from '../../../drivers/card/virtual/card-profile';
import { issuerScript, scriptCommandApdu } from '../../../drivers/card/virtual/issuer-script';
import { EmvPinPadSimulator, type CardholderEntry }
  from '../../../drivers/pinpad/emv-pinpad-simulator';
import type { CardChannel } from '../../../src/emv/commands';
import { ContactKernel, type FirstAcOutcome, type OnlineAnswer } from '../../../src/emv/kernel';
import { silentLogger } from '../../../src/log';
import { hex } from './scripted-card';
import { defaultTerminal, projectCaKeys } from './default-terminal';
import { issuerApproves } from './issuer';
import { INPUT } from './visa-card';

/**
 * The project's test cards with what EMV Books 3 and 4 require of each, written down before
 * running, with the terminal of config/default.yaml (type 22, 9F33 E0F8C8: plaintext and
 * enciphered PIN, online PIN, signature and no CVM; TACs denial 0010000000, online
 * DC4004F800, default DC4000A800; floor limit 0) and its CA keys; 450 000 VND on 2026-03-15.
 * The same table is asserted in-process (test-cards-cvm.test.ts) and through pcscd
 * (test-cards.pcsc.test.ts).
 *
 * Bits every card here shares: TVR byte 4 b8 (80) "transaction exceeds floor limit", since
 * 450 000 ≥ 0 (Book 3 10.6.1); TSI byte 1 b6 (20) card risk management and b4 (08) terminal
 * risk management (10.8, 10.6); TSI b7 (40) "cardholder verification was performed" (10.5,
 * AIP byte 1 b5 on every card). The CVM lists are X = Y = 0 with "if terminal supports"
 * rules: 4203 enciphered PIN online, 5E03 signature, 1F03 no CVM, with 41 (plaintext PIN by
 * ICC) or 44 (enciphered PIN by ICC) first on the PIN cards; b7 of each lets the next rule
 * apply when it fails. Without an online PIN pad, 42 fails with TVR byte 3 b5 (10) "PIN pad
 * not present or not working" and the signature rule decides: CVM results 5E0300 (result 00,
 * "unknown", Book 4 A4), no TVR byte 3 b8.
 */
export interface CardExpectation {
  card: string;
  /** What the cardholder does at the PIN pad (PIN 1234 is right); no pad when absent. */
  pad?: CardholderEntry[];
  /** The bank approves with a good ARPC; scripts 71 and 72 ride along when asked. */
  bank: 'approve' | 'approve-with-scripts';
  first: { decision: FirstAcOutcome['decision']; tvr: string; tsi: string; cvm: string;
    oda?: { method?: string; passed: boolean } };
  second: { decision: 'approved' | 'declined'; tvr: string; tsi: string;
    scriptResults?: string };
  why: string;
}

export const CARD_EXPECTATIONS: readonly CardExpectation[] = [
  {
    card: 'visa-sda.yaml', bank: 'approve',
    first: { decision: 'online', tvr: '0200108000', tsi: 'E800', cvm: '5E0300',
      oda: { method: 'SDA', passed: true } },
    second: { decision: 'approved', tvr: '0200108000', tsi: 'F800' },
    why: 'AIP 5C00 asks for SDA: TVR byte 1 b2 "SDA selected" (02), no failure bit, TSI b8 '
      + 'ODA performed (Book 3 10.3); EXTERNAL AUTHENTICATE with the ARPC sets TSI b5 (10.9)',
  },
  {
    card: 'visa-dda.yaml', bank: 'approve',
    first: { decision: 'online', tvr: '0000108000', tsi: 'E800', cvm: '5E0300',
      oda: { method: 'DDA', passed: true } },
    second: { decision: 'approved', tvr: '0000108000', tsi: 'F800' },
    why: 'AIP 3C00: DDA with INTERNAL AUTHENTICATE passes, TVR byte 1 stays 00',
  },
  {
    card: 'visa-pin-plaintext.yaml', pad: ['1234'], bank: 'approve',
    first: { decision: 'online', tvr: '8000008000', tsi: '6800', cvm: '410302' },
    second: { decision: 'approved', tvr: '8000008000', tsi: '7800' },
    why: 'no ODA on the card (TVR byte 1 b8); rule 41: GET DATA 9F17 = 3, VERIFY 80 answers '
      + '9000, CVM results 41 03 02 (successful), TVR byte 3 clear (10.5.1)',
  },
  {
    card: 'visa-pin-plaintext.yaml', pad: ['4321', '1234'], bank: 'approve',
    first: { decision: 'online', tvr: '8000008000', tsi: '6800', cvm: '410302' },
    second: { decision: 'approved', tvr: '8000008000', tsi: '7800' },
    why: 'a wrong PIN answers 63C2: the PIN is asked again (Book 4 6.3.4.1) and 9000 verifies',
  },
  {
    card: 'visa-pin-plaintext.yaml', bank: 'approve',
    first: { decision: 'online', tvr: '8000108000', tsi: '6800', cvm: '5E0300' },
    second: { decision: 'approved', tvr: '8000108000', tsi: '7800' },
    why: 'no PIN pad: 41 and 42 fail with TVR byte 3 b5 (10), the signature rule applies',
  },
  {
    card: 'visa-pin-plaintext.yaml', pad: [{ bypass: true }], bank: 'approve',
    first: { decision: 'online', tvr: '8000188000', tsi: '6800', cvm: '5E0300' },
    second: { decision: 'approved', tvr: '8000188000', tsi: '7800' },
    why: 'the cardholder bypasses the PIN: TVR byte 3 b4 (08) "PIN entry required, PIN pad '
      + 'present, but PIN was not entered"; 42 finds no online PIN pad (b5, 10); signature',
  },
  {
    card: 'visa-pin-enciphered.yaml', pad: ['1234'], bank: 'approve',
    first: { decision: 'online', tvr: '0000008000', tsi: 'E800', cvm: '440302',
      oda: { method: 'DDA', passed: true } },
    second: { decision: 'approved', tvr: '0000008000', tsi: 'F800' },
    why: 'DDA recovers the keys; rule 44: GET CHALLENGE, the pad enciphers under the 9F2D key '
      + '(Book 2 7.1), VERIFY 88 answers 9000: CVM results 44 03 02',
  },
  {
    card: 'visa-pin-blocked.yaml', pad: ['1234'], bank: 'approve',
    first: { decision: 'online', tvr: '8000308000', tsi: '6800', cvm: '5E0300' },
    second: { decision: 'approved', tvr: '8000308000', tsi: '7800' },
    why: 'PIN try counter 9F17 = 0: TVR byte 3 b6 (20) "PIN try limit exceeded" without a '
      + 'VERIFY (10.5.1); the pad offers no online PIN (b5, 10); signature',
  },
  {
    card: 'visa-issuer-auth-fail.yaml', bank: 'approve',
    first: { decision: 'online', tvr: '8000108000', tsi: '6800', cvm: '5E0300' },
    second: { decision: 'declined', tvr: '8000108040', tsi: '7800' },
    why: 'EXTERNAL AUTHENTICATE answers 6300: TVR byte 5 b7 (40) "issuer authentication '
      + 'failed", TSI b5 set (10.9); the card then answers the TC request with an AAC',
  },
  {
    card: 'visa-scripts.yaml', bank: 'approve-with-scripts',
    first: { decision: 'online', tvr: '8000108000', tsi: '6800', cvm: '5E0300' },
    second: { decision: 'approved', tvr: '8000108000', tsi: '7C00',
      scriptResults: '20000000012000000002' },
    why: 'a 71 script (PUT DATA 9F14) before and a 72 script (APPLICATION BLOCK) after the '
      + 'second GENERATE AC, both with a good MAC: TSI b3 (04) "script processing was '
      + 'performed", results 2x "successful" with their identifiers (Book 3 10.10, Book 4 A5)',
  },
];

const TERMINAL = defaultTerminal();
const CA_KEYS = projectCaKeys();

export function cardFile(name: string): string {
  return fileURLToPath(new URL(`../../../config/cards/${name}`, import.meta.url));
}

/** The issuer's answer to an ARQC: ARC 00 with its ARPC (CVN 10), and scripts if asked. */
function bankAnswer(first: FirstAcOutcome, profile: CardProfile,
  bank: CardExpectation['bank']): OnlineAnswer {
  const arc = Buffer.from('00', 'latin1');
  const issuerAuthData = issuerApproves(first);
  if (bank === 'approve') return { kind: 'answered', approved: true, arc, issuerAuthData };
  const keys = { issuerMasterKeySmi: profile.issuerMasterKeySmi!, pan: first.pan,
    panSequence: first.panSequence ?? '00' };
  const tx = { atc: first.atc, arqc: first.cryptogram };
  const before = issuerScript('71', [scriptCommandApdu(
    { kind: 'put-data', tag: '9F14', value: hex('05') }, keys, tx)], hex('00000001'));
  const after = issuerScript('72', [scriptCommandApdu({ kind: 'application-block' }, keys, tx)],
    hex('00000002'));
  return { kind: 'answered', approved: true, arc, issuerAuthData,
    scripts: Buffer.concat([before, after]) };
}

const upper = (b: Buffer) => b.toString('hex').toUpperCase();

/** One transaction of `expectation` over `channel`, summarised as the table states it. */
export async function runExpectation(channel: CardChannel, expectation: CardExpectation) {
  const profile = loadCardProfile(cardFile(expectation.card));
  const pad = expectation.pad && new EmvPinPadSimulator({ card: channel,
    script: [...expectation.pad] });
  const kernel = new ContactKernel(channel, TERMINAL, silentLogger,
    { caKeys: CA_KEYS, defaultDdol: hex('9F3704') }, { pinEntry: pad });
  const first = await kernel.start(INPUT);
  const second = await kernel.complete(bankAnswer(first, profile, expectation.bank));
  return {
    first: { decision: first.decision, tvr: upper(first.tvr), tsi: upper(first.tsi),
      cvm: upper(first.cvm.results),
      // A card that supports no method is "not performed" (TVR byte 1 b8): no summary then.
      ...(first.oda?.method ? { oda: first.oda } : {}) },
    second: { decision: second.decision, tvr: upper(second.tvr), tsi: upper(second.tsi),
      ...(second.scriptResults.length > 0 ? { scriptResults: upper(second.scriptResults) }
        : {}) },
  };
}

/** The expected summary as runExpectation gives it. */
export function expected(expectation: CardExpectation) {
  return { first: expectation.first, second: expectation.second };
}
