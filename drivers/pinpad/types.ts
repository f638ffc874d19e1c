/**
 * The PIN pad boundary. The PIN pad shows the prompt, takes the PIN from the cardholder and
 * hands back only the PIN block it enciphered itself, under its DUKPT PIN key, with the key
 * serial number (KSN) that lets the bank derive the same key. The clear PIN never crosses
 * this interface: quay passes the PIN block to the bank (ISO 8583 field 52, the KSN in 53)
 * exactly as received.
 *
 * Contract:
 * - requestPin resolves with an 8-byte ISO 9564 format 0 block, enciphered, and a 10-byte KSN
 *   that is new for every PIN block: the transaction counter moves on each time a key is used,
 *   so no two PIN blocks share a key.
 * - It rejects with RequestError PAYMENT_ABORTED when the cardholder cancels or enters nothing
 *   within timeoutMs, or when the signal is aborted; with RequestError REQUEST_INVALID when the
 *   PAN cannot be used for a format 0 block; with KeyError KEY_INVALID when the device holds
 *   no usable key (no initial key loaded, or its counter used up).
 * - close ends the session with the device; a request still waiting rejects PAYMENT_ABORTED.
 */
export interface PinPad {
  requestPin(request: PinRequest): Promise<PinBlockResult>;
  close(): Promise<void>;
}

export interface PinRequest {
  /** The PAN of the card: format 0 binds the PIN block to it. */
  pan: string;
  /** Whole dong, shown on the PIN pad's screen beside the prompt. */
  amount?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface PinBlockResult {
  /** ISO 9564 format 0, enciphered under the DUKPT PIN key of `ksn`: 8 bytes. */
  pinBlock: Buffer;
  /** Key serial number: key set ID, device ID and the 21-bit transaction counter; 10 bytes. */
  ksn: Buffer;
}
