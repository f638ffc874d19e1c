import { setTimeout as sleep } from 'node:timers/promises';
import { CardError, ReaderError } from '../../../src/errors';
import { silentLogger, type Logger } from '../../../src/log';
import type { CardReader, CardSession, VirtualCard, WaitForCardOptions } from '../types';
import { waitOnReader } from '../card-wait';
import { atrProtocol } from './atr';

export const IN_PROCESS_READER_NAME = 'quay in-process reader';

/**
 * A card reader with a VirtualCard in the same process: the embedded default (no pcscd) and
 * the many-transaction tests. It keeps the CardReader contract of the PC/SC reader: a session
 * powers the card up (cold reset) and down again at disconnect, as pcscd does with an idle
 * card; a removed card fails the transmit with CARD_REMOVED; the card's answer delays and
 * pull-out faults are honoured.
 */
export class InProcessReader implements CardReader {
  private card: VirtualCard | undefined;
  private session: InProcessSession | undefined;
  private closed = false;
  private readonly watchers = new Set<() => void>();
  private readonly log: Logger;

  constructor(options: { log?: Logger } = {}) {
    this.log = options.log ?? silentLogger;
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
    });
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
  ) {
    this.atr = card.atr;
    this.protocol = atrProtocol(card.atr);
  }

  transmit(command: Buffer): Promise<Buffer> {
    const result = this.queue.then(() => this.exchange(command));
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
