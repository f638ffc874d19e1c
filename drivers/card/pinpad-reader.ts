import type {
  EncipheredPinResult, OfflinePinResult, OnlinePinResult, PinEntryDevice, PinMethod, PinPrompt,
} from '../../src/emv/pin-entry';
import { QuayError, RequestError } from '../../src/errors';
import { silentLogger, type Logger } from '../../src/log';
import type { CardSession } from './types';

/**
 * A card reader with its own PIN pad (a "class 2" or "class 3" reader) used as the PIN
 * entry device, through PC/SC part 10 (v2.02.09): quay hands the reader a VERIFY template,
 * the reader takes the PIN on its keypad, writes it into the template as a format 2 block
 * and sends VERIFY (P2 80) to the card itself; quay only sees the card's status word.
 * Such a reader offers plaintext offline PIN and nothing else. A reader without the
 * VERIFY_PIN_DIRECT feature (vpcd's among them) offers no method, so the kernel records
 * "PIN pad not present" (Book 3 10.5.1).
 */

/** PC/SC part 10 2.3: the feature tag of a PIN verification the reader runs whole. */
export const FEATURE_VERIFY_PIN_DIRECT = 0x06;

export interface PinVerifyOptions {
  /** Seconds the reader waits for the first key, and after each key; default 30. */
  timeoutSeconds?: number;
  /** The reader's language for its own prompt (a Windows LANGID); default 0409, English. */
  langId?: number;
}

const DEFAULT_TIMEOUT_SECONDS = 30;
const ENGLISH_US = 0x0409;
/** EMV PINs are 4 to 12 digits (Book 3 6.5.12, format 2). */
const MIN_DIGITS = 4;
const MAX_DIGITS = 12;
/** VERIFY, P2 80 (plaintext PIN), Lc 8, and the format 2 block before the reader fills it. */
const VERIFY_TEMPLATE = Buffer.from('00200080082FFFFFFFFFFFFFFF', 'hex');
const HEADER_LENGTH = 19;

/**
 * PIN_VERIFY_STRUCTURE (PC/SC part 10 v2.02.09 2.5.2), packed, little-endian, for an EMV
 * format 2 block: the reader puts the digit count in the low nibble of the first byte
 * (bit 4 from the start of the block) and the BCD digits from the second byte on, leaving
 * the F fill of the template where no digit goes.
 */
export function pinVerifyStructure(options: PinVerifyOptions = {}): Buffer {
  const timeout = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 255) {
    throw new RangeError('The PIN-pad reader timeout must be 1 to 255 seconds');
  }
  const out = Buffer.alloc(HEADER_LENGTH + VERIFY_TEMPLATE.length);
  out[0] = timeout; // bTimerOut
  out[1] = timeout; // bTimerOut2
  // bmFormatString: units are bits (b7 0), PIN at bit 8 (b6-3), left-justified, BCD (01).
  out[2] = (8 << 3) | 0x01;
  // bmPINBlockString: the length takes 4 bits; the PIN block is 8 bytes.
  out[3] = (4 << 4) | 8;
  // bmPINLengthFormat: units are bits (b4 0), the length at bit 4.
  out[4] = 4;
  out.writeUInt16LE((MIN_DIGITS << 8) | MAX_DIGITS, 5); // wPINMaxExtraDigit: XX min, YY max
  out[7] = 0x02; // bEntryValidationCondition: the OK key
  out[8] = 0x01; // bNumberMessage: one prompt
  out.writeUInt16LE(options.langId ?? ENGLISH_US, 9); // wLangId
  out[11] = 0x00; // bMsgIndex: the "enter PIN" prompt
  // bytes 12-14, bTeoPrologue: zero; the reader's driver builds the T=1 prologue itself.
  out.writeUInt32LE(VERIFY_TEMPLATE.length, 15); // ulDataLength
  VERIFY_TEMPLATE.copy(out, HEADER_LENGTH);
  return out;
}

/**
 * Status words the reader makes up itself instead of the card's (PC/SC part 10 2.5.2, as
 * the CCID driver reports them): no entry in time, the cancel key, a PIN shorter or longer
 * than the structure allows, a structure it does not take. An OK with too few digits, none
 * included, is how a cardholder skips the PIN on such a reader (Book 4 6.3.4.3: bypass).
 */
const SW_TIMEOUT = 0x6400;
const SW_CANCELLED = 0x6401;
const SW_LENGTH = 0x6403;
const SW_BAD_STRUCTURE = 0x6b80;

export class PinPadReaderEntry implements PinEntryDevice {
  readonly methods: ReadonlySet<PinMethod>;

  private constructor(
    private readonly session: CardSession,
    private readonly verifyCode: number | undefined,
    private readonly options: PinVerifyOptions,
    private readonly log: Logger,
  ) {
    this.methods = new Set(verifyCode === undefined ? [] : ['offline-plaintext']);
  }

  /** The PIN entry device of one card session: asks the reader for its features. */
  static async forSession(session: CardSession,
    options: PinVerifyOptions & { log?: Logger } = {}): Promise<PinPadReaderEntry> {
    pinVerifyStructure(options);
    const features = session.control === undefined || session.readerFeatures === undefined
      ? new Map<number, number>()
      : await session.readerFeatures();
    const code = features.get(FEATURE_VERIFY_PIN_DIRECT);
    const log = options.log ?? silentLogger;
    log.debug({ reader: session.reader, pinPad: code !== undefined }, 'PIN-pad reader check');
    return new PinPadReaderEntry(session, code, options, log);
  }

  /**
   * The reader shows its own prompt: part 10 has no field for the amount or the tries left,
   * so the terminal's own display has to show those beside it.
   */
  async verifyPlaintextOffline(prompt: PinPrompt): Promise<OfflinePinResult> {
    if (this.verifyCode === undefined || this.session.control === undefined) {
      return { kind: 'unavailable', reason: 'the reader has no PIN pad (PC/SC part 10)' };
    }
    let answer: Buffer;
    try {
      answer = await this.session.control(this.verifyCode, pinVerifyStructure(this.options));
    } catch (err) {
      // A card pulled out, or the reader gone, ends the transaction; other failures are a
      // PIN pad that does not work.
      if (err instanceof QuayError && err.code === 'READER_ERROR') {
        return { kind: 'unavailable', reason: `the PIN-pad reader failed: ${err.message}` };
      }
      throw err;
    }
    return this.result(answer, prompt);
  }

  async encipherOffline(): Promise<EncipheredPinResult> {
    return { kind: 'unavailable', reason: 'a PIN-pad reader only verifies plaintext PINs' };
  }

  async enterOnline(): Promise<OnlinePinResult> {
    return { kind: 'unavailable', reason: 'a PIN-pad reader forms no online PIN block' };
  }

  private result(answer: Buffer, prompt: PinPrompt): OfflinePinResult {
    if (answer.length < 2) {
      return { kind: 'unavailable', reason: 'the PIN-pad reader gave no status word' };
    }
    const sw = answer.readUInt16BE(answer.length - 2);
    this.log.info({ reader: this.session.reader, attempt: prompt.attempt,
      sw: sw.toString(16) }, 'PIN-pad reader answered');
    if (sw === SW_CANCELLED) {
      throw new RequestError('PAYMENT_ABORTED', 'the cardholder cancelled PIN entry',
        { detail: { reason: 'pin-cancelled' } });
    }
    if (sw === SW_TIMEOUT || sw === SW_LENGTH) return { kind: 'bypassed' };
    if (sw === SW_BAD_STRUCTURE) {
      return { kind: 'unavailable', reason: 'the reader refused the PIN verify structure' };
    }
    return { kind: 'verified-answer', sw };
  }
}
