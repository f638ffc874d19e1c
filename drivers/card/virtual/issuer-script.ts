import { timingSafeEqual } from 'node:crypto';
import { deriveCommonSessionKey, deriveIccMasterKey } from '../../../src/emv/cryptogram';
import { encodeTlv } from '../../../src/emv/tlv';
import { retailMac } from '../../../src/crypto/mac';

/**
 * The issuer's side of issuer scripts (EMV Book 3 10.10, Book 2 9.2), for tests and the bank
 * simulator: script commands with a secure-messaging MAC, wrapped in template 71 or 72. The
 * profile card checks the same MAC (profile-card.ts), so both sides share macOfCommand.
 *
 * Keys: the ICC master key for secure messaging integrity comes from the issuer's master key
 * for SMI by option A (Book 2 A1.4.1), as the AC key does; the MAC session key is the common
 * session key of Book 2 A1.3 for the transaction's ATC.
 *
 * MAC (Book 2 9.2.1.3, format 1 as the payment schemes use it): ISO/IEC 9797-1 algorithm 3,
 * padding method 2, 8 bytes, over CLA INS P1 P2 Lc (Lc counting the MAC), the ATC and the
 * ARQC of the transaction the script answers, then the plaintext command data. ATC and ARQC
 * are not sent: they tie the script to the one transaction.
 */
export const SCRIPT_MAC_LENGTH = 8;

export interface ScriptKeys {
  /** Issuer master key for secure messaging integrity, 16 bytes. */
  issuerMasterKeySmi: Buffer;
  pan: string;
  panSequence: string;
}

/** The transaction a script answers: the card's ATC (9F36) and ARQC (9F26). */
export interface ScriptTransaction {
  atc: Buffer;
  arqc: Buffer;
}

export type ScriptCommand =
  | { kind: 'application-block' }
  | { kind: 'application-unblock' }
  /** PIN CHANGE/UNBLOCK with P2 00: the PIN try counter back to its limit, no new PIN. */
  | { kind: 'pin-unblock' }
  /** PUT DATA of one primitive data object, P1 P2 its tag (e.g. 9F14, 9F23). */
  | { kind: 'put-data'; tag: string; value: Buffer };

/** CLA INS P1 P2 of each command (Book 3 6.5.1, 6.5.2, 6.5.10; PUT DATA as in Visa VIS). */
function headerOf(command: ScriptCommand): Buffer {
  switch (command.kind) {
    case 'application-block': return Buffer.from([0x84, 0x1e, 0x00, 0x00]);
    case 'application-unblock': return Buffer.from([0x84, 0x18, 0x00, 0x00]);
    case 'pin-unblock': return Buffer.from([0x84, 0x24, 0x00, 0x00]);
    case 'put-data': {
      const tag = Buffer.from(command.tag, 'hex');
      if (tag.length === 1) return Buffer.from([0x04, 0xda, 0x00, tag[0]!]);
      return Buffer.from([0x04, 0xda, tag[0]!, tag[1]!]);
    }
  }
}

export function scriptSessionKey(keys: ScriptKeys, atc: Buffer): Buffer {
  const master = deriveIccMasterKey(keys.issuerMasterKeySmi, keys.pan, keys.panSequence);
  return deriveCommonSessionKey(master, atc);
}

/** The MAC over `header` (CLA INS P1 P2 Lc), the transaction's ATC and ARQC, and `data`. */
export function macOfCommand(
  sessionKey: Buffer, header: Buffer, transaction: ScriptTransaction, data: Buffer,
): Buffer {
  const input = Buffer.concat([header, transaction.atc, transaction.arqc, data]);
  return retailMac(sessionKey, input, 'iso2').subarray(0, SCRIPT_MAC_LENGTH);
}

/**
 * The card's check: the command data without its MAC when the MAC is the one the issuer
 * would have made for this command and transaction, else undefined.
 */
export function checkedCommandData(
  command: { cla: number; ins: number; p1: number; p2: number; data: Buffer },
  keys: ScriptKeys, transaction: ScriptTransaction,
): Buffer | undefined {
  const { cla, ins, p1, p2, data } = command;
  if (data.length < SCRIPT_MAC_LENGTH) return undefined;
  const split = data.length - SCRIPT_MAC_LENGTH;
  const header = Buffer.from([cla, ins, p1, p2, data.length]);
  const key = scriptSessionKey(keys, transaction.atc);
  const expected = macOfCommand(key, header, transaction, data.subarray(0, split));
  return timingSafeEqual(expected, data.subarray(split)) ? data.subarray(0, split) : undefined;
}

/** One whole command APDU: header, Lc, plaintext data, MAC (case 3, no Le). */
export function scriptCommandApdu(
  command: ScriptCommand, keys: ScriptKeys, transaction: ScriptTransaction,
): Buffer {
  const data = command.kind === 'put-data' ? command.value : Buffer.alloc(0);
  const header = Buffer.concat([
    headerOf(command), Buffer.from([data.length + SCRIPT_MAC_LENGTH]),
  ]);
  const mac = macOfCommand(scriptSessionKey(keys, transaction.atc), header, transaction, data);
  return Buffer.concat([header, data, mac]);
}

/**
 * An issuer script template (Book 3 annex E): 71 (before the final GENERATE AC) or 72
 * (after it) holding the optional 4-byte script identifier 9F18 and one 86 per command.
 */
export function issuerScript(
  template: '71' | '72', commands: readonly Buffer[], identifier?: Buffer,
): Buffer {
  const items = identifier === undefined ? [] : [encodeTlv('9F18', identifier)];
  return encodeTlv(template, [...items, ...commands.map((c) => encodeTlv('86', c))]);
}
