import { setTimeout as sleep } from 'node:timers/promises';
import { CardError, ReaderError } from '../../../src/errors';
import { silentLogger, type Logger } from '../../../src/log';
import type { CardReader, CardSession, VirtualCard, WaitForCardOptions } from '../types';
import { waitOnReader } from '../card-wait';
import { FEATURE_VERIFY_PIN_DIRECT } from '../pinpad-reader';
import type { Part10Keypad } from '../../pinpad/part10-keypad';
import { atrProtocol } from './atr';

export const IN_PROCESS_READER_NAME = 'quay in-process reader';
/** The control code this reader gives VERIFY_PIN_DIRECT, the one the CCID driver gives. */
export const IN_PROCESS_VERIFY_PIN_DIRECT = 0x42330006;

export interface InProcessReaderOptions {
  log?: Logger;
  /**
   * A keypad makes this a PIN-pad reader (PC/SC part 10 VERIFY_PIN_DIRECT, as a class 2
   * reader has); without one it has no reader functions, like vpcd.
   */
  keypad?: Part10Keypad;
}

/**
 * A card reader with a VirtualCard in the same process: the embedded default (no pcscd) and
 * the many-transaction tests. It keeps the CardReader contract of the PC/SC reader: a session
 * powers the card up (cold reset) and down again at disconnect, as pcscd does with an idle
 * card; a removed card fails the transmit with CARD_REMOVED; the card's answer delays and
 * pull-out faults are honoured. With a keypad it is a PIN-pad reader, whose VERIFY reaches
 * the card in turn with the session's other commands.
 */
export class InProcessReader implements CardReader {
  private card: VirtualCard | undefined;
  private session: InProcessSession | undefined;
  private closed = false;
  private readonly watchers = new Set<() => void>();
  private readonly log: Logger;
  private readonly keypad: Part10Keypad | undefined;

  constructor(options: InProcessReaderOptions = {}) {
    this.log = options.log ?? silentLogger;
    this.keypad = options.keypad;
  }

  /** The card in the slot, if any. */
  get inserted(): VirtualCard | undefined {
    return this.card;
  }

  /** Puts a card in the slot (a card already there is pulled out first). */
  insert(card: VirtualCard): void {
    if (this.closed) throw closedError();
    if (this.card !== undefined) this.remove();
    this.card = card;
    this.log.debug('virtual card inserted');
    this.notify();
  }

  /** Pulls the card out: an open session's next transmit fails with CARD_REMOVED. */
  remove(): void {
    const card = this.card;
    if (card === undefined) return;
    this.card = undefined;
    this.session?.markRemoved();
    this.session = undefined;
    card.powerOff();
    this.log.debug('virtual card removed');
    this.notify();
  }

  async listReaders(): Promise<string[]> {
    if (this.closed) throw closedError();
    return [IN_PROCESS_READER_NAME];
  }

  waitForCard(options: WaitForCardOptions): Promise<CardSession> {
    const matches = this.matches(options.reader);
    return waitOnReader<CardSession>(options, {
      what: 'insert',
      watch: (onChange) => this.watch(onChange),
      check: (waiter) => {
        if (this.closed) {
          waiter.reject(closedError());
        } else if (matches && this.card !== undefined && this.session !== undefined) {
          waiter.reject(new ReaderError('READER_ERROR',
            `A card session is already open on ${IN_PROCESS_READER_NAME}; disconnect it first`));
        } else if (matches && this.card !== undefined) {
          waiter.resolve(this.open(this.card));
        }
      },
    });
  }

  waitForRemoval(options: WaitForCardOptions): Promise<void> {
    const matches = this.matches(options.reader);
    return waitOnReader<void>(options, {
      what: 'removal',
      watch: (onChange) => this.watch(onChange),
      check: (waiter) => {
        if (this.closed) waiter.reject(closedError());
        else if (!matches || this.card === undefined) waiter.resolve();
      },
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session?.disconnect();
    this.notify();
  }

  private open(card: VirtualCard): InProcessSession {
    card.powerOn();
    const session = new InProcessSession(card, {
      closed: () => {
        if (this.session === session) this.session = undefined;
        card.powerOff();
      },
      pulledOut: () => this.remove(),
    }, this.keypad);
    this.session = session;
    return session;
  }

  private matches(reader: string | undefined): boolean {
    return reader === undefined || IN_PROCESS_READER_NAME.includes(reader);
  }

  private watch(watcher: () => void): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  private notify(): void {
    for (const watcher of [...this.watchers]) watcher();
  }
}

function closedError(): ReaderError {
  return new ReaderError('READER_UNAVAILABLE', 'The in-process reader was closed');
}

class InProcessSession implements CardSession {
  readonly reader = IN_PROCESS_READER_NAME;
  readonly atr: Buffer;
  readonly protocol: 'T0' | 'T1';
  private state: 'open' | 'removed' | 'closed' = 'open';
  /** One command at a time, as on a wire. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly card: VirtualCard,
    private readonly slot: { closed(): void; pulledOut(): void },
    private readonly keypad: Part10Keypad | undefined,
  ) {
    this.atr = card.atr;
    this.protocol = atrProtocol(card.atr);
  }

  transmit(command: Buffer): Promise<Buffer> {
    return this.enqueue(() => this.exchange(command));
  }

  async readerFeatures(): Promise<ReadonlyMap<number, number>> {
    this.checkOpen();
    if (this.keypad === undefined) return new Map();
    return new Map([[FEATURE_VERIFY_PIN_DIRECT, IN_PROCESS_VERIFY_PIN_DIRECT]]);
  }

  /** The keypad's VERIFY goes to the card in turn with other commands, as on a wire. */
  control(code: number, data: Buffer): Promise<Buffer> {
    return this.enqueue(async () => {
      this.checkOpen();
      const keypad = this.keypad;
      if (keypad === undefined || code !== IN_PROCESS_VERIFY_PIN_DIRECT) {
        throw new ReaderError('READER_ERROR', `${this.reader} has no function ${code.toString(16)}`,
          { detail: { reader: this.reader, controlCode: code } });
      }
      return keypad.verify(Buffer.from(data), (command) => this.exchange(command));
    });
  }

  private enqueue(task: () => Promise<Buffer>): Promise<Buffer> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async disconnect(): Promise<void> {
    if (this.state === 'open') this.slot.closed();
    this.state = 'closed';
  }

  /** @internal The card left the slot. */
  markRemoved(): void {
    if (this.state === 'open') this.state = 'removed';
  }

  private async exchange(command: Buffer): Promise<Buffer> {
    this.checkOpen();
    if (this.card.pullsOutAt?.(command) === true) {
      this.slot.pulledOut();
      this.checkOpen();
    }
    const delay = this.card.answerDelayMs?.(command) ?? 0;
    if (delay > 0) await sleep(delay);
    this.checkOpen();
    const response = this.card.process(Buffer.from(command));
    if (response.length < 2) {
      throw new CardError('CARD_UNRESPONSIVE', 'The card answered without a status word', {
        detail: { reader: this.reader, responseLength: response.length },
      });
    }
    return Buffer.from(response);
  }

  private checkOpen(): void {
    if (this.state === 'removed') {
      throw new CardError('CARD_REMOVED', undefined, { detail: { reader: this.reader } });
    }
    if (this.state === 'closed') {
      throw new ReaderError('READER_ERROR', 'The card session was disconnected', {
        detail: { reader: this.reader },
      });
    }
  }
}
