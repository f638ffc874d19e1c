import { createRequire } from 'node:module';
import { CardError, ReaderError, type QuayError } from '../../src/errors';

/**
 * The part of npm `pcsclite` 1.0.1 quay uses, typed here so that quay builds and runs (on the
 * embedded default) where the optional native module is absent. The module is loaded only
 * when a PcscReader starts.
 */
export interface PcscLite {
  on(event: 'reader', listener: (reader: PcscCardReader) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  /** Called by the module on the next tick with each reader-list scan; see PcscReader. */
  start(callback: (err: Error | undefined, names?: Buffer) => void): void;
  close(): void;
}

export interface PcscStatus {
  state: number;
  atr?: Buffer;
}

export interface PcscCardReader {
  readonly name: string;
  readonly connected: boolean;
  readonly SCARD_SHARE_EXCLUSIVE: number;
  readonly SCARD_PROTOCOL_T0: number;
  readonly SCARD_PROTOCOL_T1: number;
  readonly SCARD_STATE_EMPTY: number;
  readonly SCARD_STATE_PRESENT: number;
  readonly SCARD_STATE_MUTE: number;
  readonly SCARD_LEAVE_CARD: number;
  on(event: 'status', listener: (status: PcscStatus) => void): this;
  on(event: 'end', listener: () => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  connect(
    options: { share_mode: number; protocol?: number },
    cb: (err: Error | null | undefined, protocol: number) => void,
  ): void;
  transmit(
    data: Buffer, resLen: number, protocol: number,
    cb: (err: Error | null | undefined, response: Buffer) => void,
  ): void;
  disconnect(disposition: number, cb: (err: Error | null | undefined) => void): void;
  /**
   * SCardControl on the connected reader: the module allocates `resLen` bytes for the answer
   * and calls back with the part the reader filled. It fails at once when not connected.
   */
  control(
    data: Buffer, controlCode: number, resLen: number,
    cb: (err: Error | null | undefined, response: Buffer) => void,
  ): void;
  /** The platform's control code of a reader function: 0x42000000 + code on pcsc-lite. */
  SCARD_CTL_CODE(code: number): number;
  close(): void;
}

export type PcscLiteFactory = () => PcscLite;

const INSTALL_HINT = 'install libpcsclite-dev, then run `npm rebuild pcsclite` in the quay folder';

/** Loads the native module; ReaderError READER_UNAVAILABLE saying how to get it. */
export function loadPcsclite(): PcscLiteFactory {
  const require = createRequire(import.meta.url);
  try {
    return require('pcsclite') as PcscLiteFactory;
  } catch (cause) {
    throw new ReaderError('READER_UNAVAILABLE',
      `The PC/SC module (npm pcsclite) cannot be loaded: ${INSTALL_HINT}`, { cause });
  }
}

/**
 * PC/SC result codes (pcsc-lite's pcsclite.h) that decide which error quay raises. The
 * module only gives a message such as "SCardTransmit error: Card was removed.(0x80100069)".
 */
export const SCARD = {
  E_UNKNOWN_READER: 0x80100009,
  E_NO_SMARTCARD: 0x8010000c,
  E_READER_UNAVAILABLE: 0x80100017,
  E_NO_SERVICE: 0x8010001d,
  E_SERVICE_STOPPED: 0x8010001e,
  E_SHARING_VIOLATION: 0x8010000b,
  W_UNRESPONSIVE_CARD: 0x80100066,
  W_UNPOWERED_CARD: 0x80100067,
  W_RESET_CARD: 0x80100068,
  W_REMOVED_CARD: 0x80100069,
} as const;

export function pcscResultCode(err: unknown): number | undefined {
  const match = /\(0x([0-9a-f]{8})\)/i.exec(String((err as Error | undefined)?.message ?? err));
  return match ? Number.parseInt(match[1]!, 16) : undefined;
}

export const START_PCSCD_HINT =
  'pcscd is not running: start it with `sudo systemctl start pcscd.socket` ' +
  '(or `sudo pcscd -f` in a terminal); install it with `sudo apt-get install pcscd`';

/** Turns a pcsclite failure into the QuayError the CardReader contract names. */
export function mapPcscError(err: unknown, action: string, reader?: string): QuayError {
  const code = pcscResultCode(err);
  const detail = { action, reader, pcscCode: code?.toString(16) };
  const options = { cause: err, detail };
  switch (code) {
    case SCARD.W_REMOVED_CARD:
    case SCARD.E_NO_SMARTCARD:
      return new CardError('CARD_REMOVED', undefined, options);
    case SCARD.W_UNRESPONSIVE_CARD:
    case SCARD.W_UNPOWERED_CARD:
      return new CardError('CARD_UNRESPONSIVE', undefined, options);
    case SCARD.E_NO_SERVICE:
    case SCARD.E_SERVICE_STOPPED:
      return new ReaderError('READER_UNAVAILABLE', START_PCSCD_HINT, options);
    case SCARD.E_UNKNOWN_READER:
    case SCARD.E_READER_UNAVAILABLE:
      return new ReaderError('READER_UNAVAILABLE', `The reader ${reader ?? ''} is gone`, options);
    case SCARD.E_SHARING_VIOLATION:
      return new ReaderError('READER_ERROR',
        `Another program holds the card in ${reader ?? 'the reader'}`, options);
    default:
      return new ReaderError('READER_ERROR', `PC/SC ${action} failed: ${String(err)}`, options);
  }
}
