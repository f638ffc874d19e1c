import {
  constants, createPrivateKey, privateDecrypt, randomBytes, timingSafeEqual, type KeyObject,
} from 'node:crypto';
import type { CardKey, CardProfile } from './card-profile';

/**
 * The card's half of offline PIN (EMV Book 3 6.5.6 GET CHALLENGE, 6.5.12 VERIFY; Book 2 7):
 * the PIN try counter (9F17), the challenge of the last GET CHALLENGE, and the check of the
 * PIN block the terminal sends, plaintext or enciphered. The PIN only exists here and in the
 * profile of a test card; nothing of it is logged or returned.
 *
 * Status words: 9000 right PIN (the counter back to its limit); 63Cx wrong PIN, x tries
 * left; 6983 the counter is 0, whatever the PIN. A block the card cannot read (not format
 * 2; an enciphered one with a wrong header or challenge) is 6A80 and costs no try: Book 2
 * 7.2 says only that the verification fails, and such a block is no guess at the PIN.
 * VERIFY P2 88 with no challenge pending, or with no PIN key, is 6985.
 */
const SW = {
  OK: 0x9000, PIN_WRONG: 0x63c0, WRONG_LENGTH: 0x6700, AUTH_METHOD_BLOCKED: 0x6983,
  CONDITIONS_NOT_SATISFIED: 0x6985, WRONG_DATA: 0x6a80, WRONG_P1P2: 0x6a86,
} as const;

/** VERIFY P2 (Book 3 table 23): plaintext PIN, enciphered PIN. */
const PLAINTEXT = 0x80;
const ENCIPHERED = 0x88;
const CHALLENGE_LENGTH = 8;
const PIN_BLOCK_LENGTH = 8;
/** First byte of the enciphered data (Book 2 table 26). */
const HEADER = 0x7f;

export class OfflinePin {
  private tries: number;
  private challenge: Buffer | undefined;
  private pinKey: { key: KeyObject; length: number } | undefined;

  constructor(private readonly profile: CardProfile) {
    this.tries = profile.pinTryCounter;
  }

  /** The PIN try counter (9F17) as it stands. */
  get counter(): number {
    return this.tries;
  }

  /** GET CHALLENGE: 8 random bytes, good for the next VERIFY only. */
  newChallenge(): Buffer {
    this.challenge = randomBytes(CHALLENGE_LENGTH);
    return Buffer.from(this.challenge);
  }

  forgetChallenge(): void {
    this.challenge = undefined;
  }

  /** PIN CHANGE/UNBLOCK with P2 00: the counter back to its limit. */
  unblock(): void {
    this.tries = this.profile.pinTryLimit;
  }

  /** VERIFY with P1 P2 and the command data; returns the status word. */
  verify(p1: number, p2: number, data: Buffer): number {
    const challenge = this.challenge;
    this.challenge = undefined;
    if (p1 !== 0 || (p2 !== PLAINTEXT && p2 !== ENCIPHERED)) return SW.WRONG_P1P2;
    const pin = this.profile.testPin;
    if (pin === undefined) return SW.CONDITIONS_NOT_SATISFIED;
    if (this.tries === 0) return SW.AUTH_METHOD_BLOCKED;

    const block = p2 === PLAINTEXT ? data : this.decipher(data, challenge);
    if (typeof block === 'number') return block;
    if (block.length !== PIN_BLOCK_LENGTH) return SW.WRONG_LENGTH;
    const entered = pinOfBlock(block);
    if (entered === undefined) return SW.WRONG_DATA;
    if (pinMatches(entered, pin)) {
      this.tries = this.profile.pinTryLimit;
      return SW.OK;
    }
    this.tries -= 1;
    return SW.PIN_WRONG | this.tries;
  }

  /**
   * Book 2 7.2: the terminal enciphered [7F | PIN block (8) | ICC unpredictable number (8) |
   * random padding] under the ICC PIN encipherment key (9F2D) when there is one, else the ICC
   * key; the card recovers it and checks the header and its own challenge.
   */
  private decipher(data: Buffer, challenge: Buffer | undefined): Buffer | number {
    const pinKey = this.key();
    if (pinKey === undefined || challenge === undefined) return SW.CONDITIONS_NOT_SATISFIED;
    if (data.length !== pinKey.length) return SW.WRONG_LENGTH;
    let plain: Buffer;
    try {
      plain = privateDecrypt({ key: pinKey.key, padding: constants.RSA_NO_PADDING }, data);
    } catch {
      return SW.WRONG_DATA;
    }
    if (plain[0] !== HEADER || !plain.subarray(9, 17).equals(challenge)) return SW.WRONG_DATA;
    return Buffer.from(plain.subarray(1, 9));
  }

  private key(): { key: KeyObject; length: number } | undefined {
    const card: CardKey | undefined = this.profile.oda?.pin ?? this.profile.oda?.icc;
    if (card === undefined) return undefined;
    if (this.pinKey === undefined) {
      const key = createPrivateKey(card.privateKey);
      this.pinKey = { key, length: (key.asymmetricKeyDetails?.modulusLength ?? 0) / 8 };
    }
    return this.pinKey;
  }
}

/**
 * ISO 9564-1 format 2 (Book 3 6.5.12): control nibble 2, PIN length N (4..12), N digits,
 * F filler to 8 bytes. Returns the digits, or undefined when the block is not that.
 */
export function pinOfBlock(block: Buffer): string | undefined {
  if (block.length !== PIN_BLOCK_LENGTH) return undefined;
  const nibbles = block.toString('hex').toUpperCase();
  const length = parseInt(nibbles[1]!, 16);
  if (nibbles[0] !== '2' || length < 4 || length > 12) return undefined;
  const digits = nibbles.slice(2, 2 + length);
  const filler = nibbles.slice(2 + length);
  return /^\d+$/.test(digits) && /^F*$/.test(filler) ? digits : undefined;
}

/** Compares in constant time, so that a wrong PIN takes as long as a right one. */
function pinMatches(entered: string, pin: string): boolean {
  const a = Buffer.from(entered.padEnd(12, 'F'));
  const b = Buffer.from(pin.padEnd(12, 'F'));
  return timingSafeEqual(a, b) && entered.length === pin.length;
}
