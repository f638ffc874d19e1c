/**
 * The PIN entry boundary as the kernel sees it (EMV Book 3 10.5, Book 4 6.3.4). A PIN exists
 * only inside the PIN entry device: a PIN-pad reader (PC/SC part 10) verifies a plaintext
 * offline PIN with the card itself and reports the card's status word; an EMV PIN pad
 * enciphers an offline PIN under the card's public key, or forms an online PIN block under
 * its own keys. quay receives status words, enciphered data and PIN blocks, never digits.
 * A certified device takes the place of the simulators behind this interface.
 *
 * Contract:
 * - Each method resolves; it rejects only when the transaction itself must stop (the
 *   clerk aborted: RequestError PAYMENT_ABORTED; the card was pulled: CardError).
 * - 'bypassed': the cardholder pressed bypass or entered nothing in time (Book 4 6.3.4.3).
 * - 'unavailable': there is no such device, or it failed (Book 3 10.5.1, "PIN pad not
 *   present or not working").
 * - `methods` says which PIN kinds the device offers; the kernel asks only for those.
 */
export interface PinEntryDevice {
  readonly methods: ReadonlySet<PinMethod>;
  /**
   * Plaintext offline PIN: the device shows the prompt, builds VERIFY (P2 80) with the
   * cardholder's PIN block itself and sends it to the card; `sw` is the card's answer
   * (9000 verified, 63Cx wrong with x tries left, 6983/6984 blocked).
   */
  verifyPlaintextOffline(prompt: PinPrompt): Promise<OfflinePinResult>;
  /**
   * Enciphered offline PIN (Book 2 7.2): the device builds the PIN block, adds the card's
   * challenge and random padding and enciphers it with the card's key; quay sends the
   * result in VERIFY (P2 88).
   */
  encipherOffline(request: EncipherRequest): Promise<EncipheredPinResult>;
  /**
   * Online PIN: an ISO 9564 PIN block bound to the PAN (format 0 under TDES or DUKPT keys,
   * format 4 under AES keys), enciphered under the device's keys, with its KSN under DUKPT.
   */
  enterOnline(request: OnlinePinRequest): Promise<OnlinePinResult>;
}

export type PinMethod = 'offline-plaintext' | 'offline-enciphered' | 'online';

export interface PinPrompt {
  /** Whole dong, shown beside the prompt. */
  amount: number;
  /** Tries left as the card says (9F17), when known; shown as a warning at 1. */
  triesLeft?: number;
  /** 1 for the first entry, 2 after a wrong PIN, and so on. */
  attempt: number;
}

/** An RSA public key: the ICC PIN encipherment key (9F2D) or the ICC key (Book 2 7.1). */
export interface PinEnciphermentKey {
  modulus: Buffer;
  exponent: Buffer;
}

export interface EncipherRequest extends PinPrompt {
  key: PinEnciphermentKey;
  /** The card's 8-byte unpredictable number from GET CHALLENGE. */
  challenge: Buffer;
}

export interface OnlinePinRequest extends PinPrompt {
  pan: string;
}

export type OfflinePinResult =
  | { kind: 'verified-answer'; sw: number }
  | { kind: 'bypassed' }
  | { kind: 'unavailable'; reason: string };

export type EncipheredPinResult =
  | { kind: 'enciphered'; data: Buffer }
  | { kind: 'bypassed' }
  | { kind: 'unavailable'; reason: string };

export type OnlinePinResult =
  | { kind: 'pin-block'; pinBlock: Buffer; format: 0 | 4; ksn?: Buffer }
  | { kind: 'bypassed' }
  | { kind: 'unavailable'; reason: string };
