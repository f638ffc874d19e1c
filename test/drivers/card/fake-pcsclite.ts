import { EventEmitter } from 'node:events';
import type { PcscCardReader, PcscLite, PcscLiteFactory }
  from '../../../drivers/card/pcsclite-binding';

/**
 * A stand-in for npm pcsclite that the test drives by hand: it reports reader lists and
 * status changes when told, and answers transmits from a script. It follows the module's
 * shape: start() is called on the next tick with a callback that turns each list into
 * 'reader' events; readers report status with the SCARD_STATE_* bits of pcsclite.h.
 */
export const STATE = { EMPTY: 0x10, PRESENT: 0x20, MUTE: 0x200 } as const;

export class FakeCardReader extends EventEmitter {
  readonly SCARD_SHARE_EXCLUSIVE = 1;
  readonly SCARD_PROTOCOL_T0 = 1;
  readonly SCARD_PROTOCOL_T1 = 2;
  readonly SCARD_STATE_EMPTY = STATE.EMPTY;
  readonly SCARD_STATE_PRESENT = STATE.PRESENT;
  readonly SCARD_STATE_MUTE = STATE.MUTE;
  readonly SCARD_LEAVE_CARD = 0;
  connected = false;
  closed = false;
  /** What transmit answers: a buffer, or an Error as pcsclite gives it. */
  answer: (command: Buffer) => Buffer | Error = () => Buffer.from([0x90, 0x00]);
  /**
   * What control answers; by default what pcscd says for a driver without the function
   * (a reader with no PC/SC part 10 features).
   */
  controlAnswer: (code: number, data: Buffer) => Buffer | Error = () =>
    new Error('SCardControl error: Unsupported feature.(0x8010001f)');
  /** Every control call, in order. */
  readonly controls: { code: number; data: Buffer; resLen: number }[] = [];

  constructor(readonly name: string) {
    super();
  }

  status(state: number, atr = Buffer.from('3B600000', 'hex')): void {
    this.emit('status', { state, atr });
  }

  connect(_options: unknown, cb: (err: Error | null, protocol: number) => void): void {
    setImmediate(() => {
      this.connected = true;
      cb(null, this.SCARD_PROTOCOL_T0);
    });
  }

  transmit(data: Buffer, _len: number, _p: number, cb: (e: Error | null, r: Buffer) => void) {
    setImmediate(() => {
      const result = this.answer(data);
      if (result instanceof Error) cb(result, Buffer.alloc(0));
      else cb(null, result);
    });
  }

  control(data: Buffer, code: number, resLen: number,
    cb: (e: Error | null, r: Buffer) => void): void {
    // As pcsclite 1.0.1's control(): refused at once on a handle that is not connected.
    if (!this.connected) {
      cb(new Error('Card Reader not connected'), Buffer.alloc(0));
      return;
    }
    this.controls.push({ code, data: Buffer.from(data), resLen });
    setImmediate(() => {
      const result = this.controlAnswer(code, data);
      if (result instanceof Error) cb(result, Buffer.alloc(0));
      else cb(null, result.subarray(0, resLen));
    });
  }

  /** pcsclite's formula for pcsc-lite (not Windows). */
  SCARD_CTL_CODE(code: number): number {
    return 0x42000000 + code;
  }

  disconnect(_disposition: number, cb: (err: Error | null) => void): void {
    this.connected = false;
    setImmediate(() => cb(null));
  }

  close(): void {
    this.closed = true;
  }
}

export class FakePcsc extends EventEmitter {
  private scanCallback: ((err: Error | undefined, names?: Buffer) => void) | undefined;
  readonly readers = new Map<string, FakeCardReader>();
  closed = false;

  start(callback: (err: Error | undefined, names?: Buffer) => void): void {
    this.scanCallback = callback;
  }

  /** pcscd reports its reader list (the module's callback emits 'reader' for new ones). */
  scan(names: string[]): void {
    const list = Buffer.from(names.map((n) => `${n}\0`).join('') + '\0');
    this.scanCallback?.(undefined, list);
  }

  close(): void {
    this.closed = true;
  }
}

/** A factory like pcsclite's, and the instance it made, for the test to drive. */
export function fakePcsclite(): { factory: PcscLiteFactory; pcsc: FakePcsc } {
  const pcsc = new FakePcsc();
  const factory = (): PcscLite => {
    process.nextTick(() => pcsc.start((err, names) => {
      if (err) {
        pcsc.emit('error', err);
        return;
      }
      for (const name of parseNames(names)) {
        if (pcsc.readers.has(name)) continue;
        const reader = new FakeCardReader(name);
        pcsc.readers.set(name, reader);
        pcsc.emit('reader', reader as unknown as PcscCardReader);
      }
    }));
    return pcsc as unknown as PcscLite;
  };
  return { factory, pcsc };
}

function parseNames(names: Buffer | undefined): string[] {
  return (names?.toString('utf8') ?? '').split('\0').filter((n) => n !== '');
}
