/**
 * The card reader boundary. The daemon is handed a CardReader; it never imports PC/SC code.
 *
 * Contract:
 * - waitForCard resolves with a session once a card is present and powered (ATR read). It
 *   rejects with CardError CARD_TIMEOUT when timeoutMs passes, and with an AbortError-like
 *   CardError CARD_TIMEOUT when the signal aborts. It rejects with ReaderError
 *   READER_UNAVAILABLE when the service or the reader is gone.
 * - transmit sends one command APDU and returns the raw response APDU (data + SW1 SW2),
 *   without T=0 handling: see drivers/card/apdu.ts for GET RESPONSE and Le correction.
 *   It rejects with CardError CARD_REMOVED if the card was pulled, CARD_UNRESPONSIVE when
 *   the card does not answer, ReaderError otherwise. The receive buffer holds 258 bytes.
 * - disconnect is idempotent; after it, transmit rejects.
 * - close releases the reader; pending waitForCard calls reject with READER_UNAVAILABLE.
 */
export interface CardReader {
  /** Reader names as the PC/SC service (or the simulator) reports them. */
  listReaders(): Promise<string[]>;
  waitForCard(options: WaitForCardOptions): Promise<CardSession>;
  /**
   * Resolves once no card is in the reader (at once when it is empty already), for the
   * "remove the card" step at the end of a payment. Rejects like waitForCard on timeout,
   * abort and close. Optional: readers that cannot tell may leave it out.
   */
  waitForRemoval?(options: WaitForCardOptions): Promise<void>;
  close(): Promise<void>;
}

export interface WaitForCardOptions {
  /** Reader name; the first reader whose name contains it. Any reader when absent. */
  reader?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface CardSession {
  readonly reader: string;
  readonly atr: Buffer;
  /** 'T0' or 'T1' as negotiated. */
  readonly protocol: 'T0' | 'T1';
  transmit(command: Buffer): Promise<Buffer>;
  disconnect(): Promise<void>;
  /**
   * Optional: the reader's PC/SC part 10 features (GET_FEATURE_REQUEST), each feature tag
   * with the control code that runs it; empty when the reader has none. Asked once per
   * session. Rejects like transmit when the card was pulled.
   */
  readerFeatures?(): Promise<ReadonlyMap<number, number>>;
  /**
   * Optional: one reader function (SCardControl) with a control code from readerFeatures;
   * resolves with the reader's answer. Rejects like transmit.
   */
  control?(code: number, data: Buffer): Promise<Buffer>;
}

/**
 * The card side of a virtual card: what a chip does with power and APDUs. Attached either
 * to vpcd's socket (drivers/card/vpcd-link.ts) or directly to an in-process reader.
 */
export interface VirtualCard {
  readonly atr: Buffer;
  powerOn(): void;
  powerOff(): void;
  reset(): void;
  /** One command APDU in, one response APDU (data + SW) out. */
  process(command: Buffer): Buffer;
  /**
   * Optional, for rehearsal and tests: how long the chip takes to answer this command, in ms.
   * The holder (vpcd link or in-process reader) waits that long before answering.
   */
  answerDelayMs?(command: Buffer): number;
  /**
   * Optional fault: true when the card is to be pulled out as this command arrives. The
   * holder then removes it instead of answering (the transmit fails with CARD_REMOVED).
   */
  pullsOutAt?(command: Buffer): boolean;
}
