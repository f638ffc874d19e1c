import {
  deriveIpek, encryptPinDukpt, isUsableCounter, KSN_LENGTH, ksnCounter, ksnWithCounter,
} from '../../src/crypto/dukpt';
import { KeyError, RequestError } from '../../src/errors';
import { maskPan } from '../../src/mask';
import type { PinBlockResult, PinPad, PinRequest } from './types';

/**
 * A PIN pad with a TDES DUKPT key (ANSI X9.24-1), played in software for tests and rehearsals.
 * It holds what a real device holds after key injection: the initial key (IPEK) derived from
 * the bank's BDK and the initial KSN, and a transaction counter. The cardholder is a script:
 * each entry is the PIN typed for one request, or a cancel. The PIN stays inside this file: it
 * leaves only as an ISO 9564 format 0 block enciphered under the PIN variant of the counter's
 * transaction key, which only the holder of the BDK (the bank) can open.
 */

/** What the cardholder does at one prompt: types a PIN and OK, or presses cancel. */
export type PinEntry = string | { cancel: true };

export interface PinPadSimulatorOptions {
  /** The DUKPT initial key (16 bytes), as injected. */
  initialKey: Buffer;
  /** The initial KSN (10 bytes); its counter bits say where the device starts (usually 0). */
  initialKsn: Buffer;
  /** The cardholder's entries, in order. More can be added with `enter`. */
  script?: PinEntry[];
  /** How long the cardholder takes at each prompt. */
  entryDelayMs?: number;
}

/** One prompt as the device saw it: masked PAN, amount, KSN used; never the PIN. */
export interface PinPadRecord {
  maskedPan: string;
  amount?: number;
  outcome: 'pin-block' | 'cancelled' | 'timeout';
  ksn?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_COUNTER = (1 << 21) - 1;

function checkEntry(entry: PinEntry): PinEntry {
  if (typeof entry === 'string' && !/^\d{4,12}$/.test(entry)) {
    throw new RequestError('REQUEST_INVALID', 'a PIN pad takes a PIN of 4 to 12 digits');
  }
  return entry;
}

/** The key injection step: the IPEK of a BDK and an initial KSN (what the bank's HSM does). */
export function injectedKey(bdk: Buffer, initialKsn: Buffer): Buffer {
  return deriveIpek(bdk, initialKsn);
}

export class PinPadSimulator implements PinPad {
  private readonly initialKey: Buffer;
  private readonly initialKsn: Buffer;
  private counter: number;
  private readonly script: PinEntry[];
  /** The prompt waiting for the cardholder, when the script ran out. */
  private waiting: { take(entry: PinEntry): void; abort(): void } | undefined;
  private closed = false;
  readonly records: PinPadRecord[] = [];

  constructor(private readonly options: PinPadSimulatorOptions) {
    if (options.initialKey.length !== 16) {
      throw new KeyError('KEY_INVALID', 'the PIN pad\'s initial key is not 16 bytes');
    }
    if (options.initialKsn.length !== KSN_LENGTH) {
      throw new KeyError('KEY_INVALID', `the PIN pad's KSN is not ${KSN_LENGTH} bytes`);
    }
    this.initialKey = Buffer.from(options.initialKey);
    this.initialKsn = Buffer.from(options.initialKsn);
    this.counter = ksnCounter(options.initialKsn);
    this.script = (options.script ?? []).map(checkEntry);
  }

  /** The KSN of the last PIN block (the initial KSN before the first). */
  get ksn(): Buffer {
    return ksnWithCounter(this.initialKsn, this.counter);
  }

  /** The cardholder's next entries; a prompt already waiting takes the first. */
  enter(...entries: PinEntry[]): void {
    for (const entry of entries.map(checkEntry)) {
      if (this.waiting) {
        this.waiting.take(entry);
      } else {
        this.script.push(entry);
      }
    }
  }

  async requestPin(request: PinRequest): Promise<PinBlockResult> {
    if (this.closed) throw new RequestError('PAYMENT_ABORTED', 'the PIN pad is closed');
    if (!/^\d{13,19}$/.test(request.pan)) {
      throw new RequestError('REQUEST_INVALID', 'the PAN is not 13 to 19 digits: no format 0 '
        + 'PIN block', { detail: { field: 'pan' } });
    }
    const record: PinPadRecord = { maskedPan: maskPan(request.pan), outcome: 'timeout' };
    if (request.amount !== undefined) record.amount = request.amount;
    this.records.push(record);
    const entry = await this.nextEntry(request);
    if (entry === undefined) {
      throw new RequestError('PAYMENT_ABORTED', 'no PIN was entered in time',
        { detail: { reason: 'pin-timeout' } });
    }
    if (typeof entry !== 'string') {
      record.outcome = 'cancelled';
      throw new RequestError('PAYMENT_ABORTED', 'the cardholder cancelled PIN entry',
        { detail: { reason: 'pin-cancelled' } });
    }
    const ksn = this.nextKsn();
    const pinBlock = encryptPinDukpt(this.initialKey, ksn, entry, request.pan);
    record.outcome = 'pin-block';
    record.ksn = ksn.toString('hex').toUpperCase();
    return { pinBlock, ksn };
  }

  /** The next counter with at most 10 bits set, as X9.24-1 has a device skip the others. */
  private nextKsn(): Buffer {
    let next = this.counter + 1;
    while (next <= MAX_COUNTER && !isUsableCounter(next)) next += 1;
    if (next > MAX_COUNTER) {
      throw new KeyError('KEY_INVALID', 'the PIN pad has used up its DUKPT counter: inject a '
        + 'new initial key');
    }
    this.counter = next;
    return ksnWithCounter(this.initialKsn, next);
  }

  /** The cardholder's entry; undefined on timeout. Abort and close reject. */
  private nextEntry(request: PinRequest): Promise<PinEntry | undefined> {
    const delay = this.options.entryDelayMs ?? 0;
    const queued = this.script.shift();
    if (queued !== undefined) {
      return new Promise((resolve) => setTimeout(() => resolve(queued), delay));
    }
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
        this.waiting = undefined;
      };
      const timer = setTimeout(() => {
        done();
        resolve(undefined);
      }, request.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      const onAbort = (): void => {
        done();
        reject(new RequestError('PAYMENT_ABORTED', 'PIN entry stopped',
          { detail: { reason: 'aborted' } }));
      };
      if (request.signal?.aborted) {
        onAbort();
        return;
      }
      request.signal?.addEventListener('abort', onAbort);
      this.waiting = {
        take: (entry) => {
          done();
          setTimeout(() => resolve(entry), delay);
        },
        abort: onAbort,
      };
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waiting?.abort();
  }
}
