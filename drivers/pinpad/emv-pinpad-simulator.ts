import { randomBytes } from 'node:crypto';
import type { CardChannel } from '../../src/emv/commands';
import type {
  EncipheredPinResult, EncipherRequest, OfflinePinResult, OnlinePinRequest, OnlinePinResult,
  PinEntryDevice, PinMethod, PinPrompt,
} from '../../src/emv/pin-entry';
import { CardError, ConfigError, KeyError, RequestError } from '../../src/errors';
import { maskPan } from '../../src/mask';
import { encipherOfflinePin, encipherRefusal } from './offline-pin';
import { encipherFormat4, format2PinBlock } from './pin-blocks';
import { PinPadSimulator } from './pinpad-simulator';

/**
 * An EMV PIN pad played in software (the PinEntryDevice of src/emv/pin-entry.ts), for tests
 * and rehearsals. It does what a certified pad does with the PIN it takes:
 * - plaintext offline: sends VERIFY (P2 80) with the format 2 block to the card it is wired
 *   to and reports the card's status word (Book 3 6.5.12);
 * - enciphered offline: enciphers the block, the card's challenge and random padding under
 *   the card's public key (Book 2 7.2);
 * - online: a format 0 block under its TDES DUKPT key (through PinPadSimulator) or a format 4
 *   block under its AES key (ISO 9564-1:2017), never the other way round.
 * The cardholder is a script of entries. The PIN never leaves this file except inside those
 * blocks; the records keep what the pad showed and what came of it, never digits.
 */

/** What the cardholder does at one prompt: a PIN and OK, bypass, cancel, or nothing. */
export type CardholderEntry = string | { bypass: true } | { cancel: true } | { timeout: true };

export interface EmvPinPadOptions {
  /** The PIN kinds offered; default: both offline kinds, and online when a key is held. */
  methods?: readonly PinMethod[];
  /** TDES DUKPT initial key and KSN, as injected: online PINs in format 0. */
  dukpt?: { initialKey: Buffer; initialKsn: Buffer };
  /** An AES-128 PIN encryption key: online PINs in format 4. */
  aesKey?: Buffer;
  /** The card for plaintext offline PIN; `attachCard` sets it per card session. */
  card?: CardChannel;
  script?: CardholderEntry[];
  /** How long an unscripted prompt waits for `enter` before it counts as no entry. */
  entryTimeoutMs?: number;
  /** A broken device: it still claims its methods, and every request is 'unavailable'. */
  fault?: boolean;
  /** Source of random padding; tests hand in a fixed one. */
  random?: (length: number) => Buffer;
}

type Outcome = 'verified-answer' | 'enciphered' | 'pin-block' | 'bypassed' | 'timeout'
  | 'cancelled' | 'unavailable';

/** One prompt as the device saw it. */
export interface EmvPinPadRecord {
  method: PinMethod;
  amount: number;
  attempt: number;
  triesLeft?: number;
  outcome: Outcome;
  /** The card's answer to VERIFY, hex. */
  sw?: string;
  maskedPan?: string;
  format?: 0 | 4;
  ksn?: string;
  reason?: string;
}

interface Unavailable {
  kind: 'unavailable';
  reason: string;
}

const DEFAULT_ENTRY_TIMEOUT_MS = 30_000;
const VERIFY_PLAINTEXT = Buffer.from('0020008008', 'hex');

function checkEntry(entry: CardholderEntry): CardholderEntry {
  if (typeof entry === 'string' && !/^\d{4,12}$/.test(entry)) {
    throw new RequestError('REQUEST_INVALID', 'a PIN pad takes a PIN of 4 to 12 digits');
  }
  return entry;
}

function defaultMethods(options: EmvPinPadOptions): PinMethod[] {
  const methods: PinMethod[] = ['offline-plaintext', 'offline-enciphered'];
  if (options.dukpt !== undefined || options.aesKey !== undefined) methods.push('online');
  return methods;
}

function checkKeys(options: EmvPinPadOptions, methods: ReadonlySet<PinMethod>): void {
  if (options.dukpt !== undefined && options.aesKey !== undefined) {
    throw new ConfigError('CONFIG_INVALID', 'give the PIN pad a DUKPT key or an AES key, '
      + 'not both: format 0 goes with TDES and format 4 with AES');
  }
  if (methods.has('online') && options.dukpt === undefined && options.aesKey === undefined) {
    throw new ConfigError('CONFIG_INVALID', 'online PIN needs a DUKPT or an AES key');
  }
  if (options.aesKey !== undefined && options.aesKey.length !== 16) {
    throw new KeyError('KEY_INVALID', 'the PIN pad\'s AES key is not 16 bytes');
  }
}

export class EmvPinPadSimulator implements PinEntryDevice {
  readonly methods: ReadonlySet<PinMethod>;
  readonly records: EmvPinPadRecord[] = [];
  private readonly script: CardholderEntry[];
  private readonly dukpt: PinPadSimulator | undefined;
  private readonly aesKey: Buffer | undefined;
  private readonly random: (length: number) => Buffer;
  private card: CardChannel | undefined;
  private waiting: { take(entry: CardholderEntry): void; abort(): void } | undefined;
  private closed = false;

  constructor(private readonly options: EmvPinPadOptions = {}) {
    this.methods = new Set(options.methods ?? defaultMethods(options));
    checkKeys(options, this.methods);
    this.dukpt = options.dukpt && new PinPadSimulator(options.dukpt);
    this.aesKey = options.aesKey && Buffer.from(options.aesKey);
    this.script = (options.script ?? []).map(checkEntry);
    this.card = options.card;
    this.random = options.random ?? randomBytes;
  }

  /** Wires the pad to the card of the current session (undefined: no card). */
  attachCard(card: CardChannel | undefined): void {
    this.card = card;
  }

  /** The cardholder's next entries; a prompt already waiting takes the first. */
  enter(...entries: CardholderEntry[]): void {
    for (const entry of entries.map(checkEntry)) {
      if (this.waiting) this.waiting.take(entry);
      else this.script.push(entry);
    }
  }

  async verifyPlaintextOffline(prompt: PinPrompt): Promise<OfflinePinResult> {
    const record = this.begin('offline-plaintext', prompt);
    const refusal = this.refusal('offline-plaintext')
      ?? (this.card === undefined ? 'no card is wired to the PIN pad' : undefined);
    if (refusal !== undefined) return this.unavailable(record, refusal);

    const pin = await this.takePin(record);
    if (pin === undefined) return { kind: 'bypassed' };
    const command = Buffer.concat([VERIFY_PLAINTEXT, format2PinBlock(pin)]);
    const response = await this.card!.transmit(command);
    if (response.length < 2) {
      throw new CardError('CARD_UNRESPONSIVE', 'The card answered VERIFY without a status word');
    }
    const sw = response.readUInt16BE(response.length - 2);
    record.outcome = 'verified-answer';
    record.sw = sw.toString(16).toUpperCase().padStart(4, '0');
    return { kind: 'verified-answer', sw };
  }

  async encipherOffline(request: EncipherRequest): Promise<EncipheredPinResult> {
    const record = this.begin('offline-enciphered', request);
    const refusal = this.refusal('offline-enciphered');
    if (refusal !== undefined) return this.unavailable(record, refusal);
    // Checked before the prompt, so that no PIN is typed for a key that cannot take it.
    const keyRefusal = encipherRefusal(request.key, request.challenge);
    if (keyRefusal !== undefined) {
      throw new RequestError('REQUEST_INVALID', `no enciphered PIN: ${keyRefusal}`);
    }

    const pin = await this.takePin(record);
    if (pin === undefined) return { kind: 'bypassed' };
    const data = encipherOfflinePin(request.key, format2PinBlock(pin), request.challenge,
      this.random);
    record.outcome = 'enciphered';
    return { kind: 'enciphered', data };
  }

  async enterOnline(request: OnlinePinRequest): Promise<OnlinePinResult> {
    const record = this.begin('online', request);
    record.maskedPan = maskPan(request.pan);
    const refusal = this.refusal('online');
    if (refusal !== undefined) return this.unavailable(record, refusal);
    const format = this.aesKey !== undefined ? 4 : 0;
    // Format 0 takes the 12 PAN digits before the check digit; format 4 the whole PAN.
    if (!(format === 0 ? /^\d{13,19}$/ : /^\d{1,19}$/).test(request.pan)) {
      throw new RequestError('REQUEST_INVALID', `the PAN cannot make a format ${format} `
        + 'PIN block', { detail: { field: 'pan' } });
    }

    const pin = await this.takePin(record);
    if (pin === undefined) return { kind: 'bypassed' };
    if (this.aesKey !== undefined) {
      const pinBlock = encipherFormat4(this.aesKey, pin, request.pan, this.random(8));
      Object.assign(record, { outcome: 'pin-block', format: 4 });
      return { kind: 'pin-block', pinBlock, format: 4 };
    }
    return this.dukptBlock(record, pin, request);
  }

  /** Ends the device session; a prompt still waiting rejects PAYMENT_ABORTED. */
  async close(): Promise<void> {
    this.closed = true;
    this.waiting?.abort();
  }

  private async dukptBlock(record: EmvPinPadRecord, pin: string,
    request: OnlinePinRequest): Promise<OnlinePinResult> {
    const pad = this.dukpt!;
    pad.enter(pin);
    try {
      const { pinBlock, ksn } = await pad.requestPin({ pan: request.pan, amount: request.amount });
      Object.assign(record, { outcome: 'pin-block', format: 0,
        ksn: ksn.toString('hex').toUpperCase() });
      return { kind: 'pin-block', pinBlock, format: 0, ksn };
    } catch (err) {
      // A used-up DUKPT counter is a device that cannot work any more (Book 3 10.5.1).
      if (err instanceof KeyError) return this.unavailable(record, err.message);
      throw err;
    }
  }

  private begin(method: PinMethod, prompt: PinPrompt): EmvPinPadRecord {
    if (this.closed) throw new RequestError('PAYMENT_ABORTED', 'the PIN pad is closed');
    const record: EmvPinPadRecord = { method, amount: prompt.amount, attempt: prompt.attempt,
      outcome: 'unavailable' };
    if (prompt.triesLeft !== undefined) record.triesLeft = prompt.triesLeft;
    this.records.push(record);
    return record;
  }

  private refusal(method: PinMethod): string | undefined {
    if (this.options.fault === true) return 'the PIN pad is not working';
    if (!this.methods.has(method)) return `the PIN pad does not offer ${method} PIN`;
    return undefined;
  }

  private unavailable(record: EmvPinPadRecord, reason: string): Unavailable {
    record.outcome = 'unavailable';
    record.reason = reason;
    return { kind: 'unavailable', reason };
  }

  /** The PIN typed; undefined when bypassed or nothing came. Cancel rejects. */
  private async takePin(record: EmvPinPadRecord): Promise<string | undefined> {
    const entry = await this.nextEntry();
    if (typeof entry === 'string') return entry;
    if ('cancel' in entry) {
      record.outcome = 'cancelled';
      throw new RequestError('PAYMENT_ABORTED', 'the cardholder cancelled PIN entry',
        { detail: { reason: 'pin-cancelled' } });
    }
    record.outcome = 'timeout' in entry ? 'timeout' : 'bypassed';
    return undefined;
  }

  private nextEntry(): Promise<CardholderEntry> {
    const queued = this.script.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiting = undefined;
      };
      const timer = setTimeout(() => {
        done();
        resolve({ timeout: true });
      }, this.options.entryTimeoutMs ?? DEFAULT_ENTRY_TIMEOUT_MS);
      this.waiting = {
        take: (entry) => {
          done();
          resolve(entry);
        },
        abort: () => {
          done();
          reject(new RequestError('PAYMENT_ABORTED', 'PIN entry stopped',
            { detail: { reason: 'closed' } }));
        },
      };
    });
  }
}
