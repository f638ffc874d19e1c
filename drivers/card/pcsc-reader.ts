import { CardError, ReaderError, type QuayError } from '../../src/errors';
import { silentLogger, type Logger } from '../../src/log';
import {
  loadPcsclite, mapPcscError, type PcscCardReader, type PcscLite, type PcscLiteFactory,
} from './pcsclite-binding';
import { waitOnReader, type Waiter } from './card-wait';
import type { CardReader, CardSession, WaitForCardOptions } from './types';

/**
 * CardReader over PC/SC (pcscd) with npm `pcsclite`. The native module is loaded on first use,
 * so quay runs without it on the embedded default. pcsclite keeps a monitoring thread per
 * reader and one for the reader list; they hold the event loop open until close() is called.
 */
export interface PcscReaderOptions {
  log?: Logger;
  /** Where pcsclite comes from; tests can hand in a fake. Default: npm `pcsclite`. */
  load?: () => PcscLiteFactory;
  /**
   * After an empty answer, how long to wait for pcscd to report the slot empty before calling
   * the card unresponsive. vpcd answers nothing when its card is pulled mid-command, and
   * pcscd polls such readers every 400 ms.
   */
  removalGraceMs?: number;
}

/** The receive buffer: 256 data bytes (Le = 00) plus SW1 SW2. */
const RECEIVE_LENGTH = 258;
/** PC/SC part 10 2.2: GET_FEATURE_REQUEST is the reader function 3400. */
const GET_FEATURE_REQUEST = 3400;
/** Room for every feature of part 10 (about 20 of 6 bytes each). */
const FEATURES_LENGTH = 256;
const DEFAULT_REMOVAL_GRACE_MS = 2000;
/** pcscd answers a first status within milliseconds; this only bounds a stuck service. */
const FIRST_STATUS_WAIT_MS = 2000;

interface ReaderEntry {
  readonly reader: PcscCardReader;
  /** Settles with the reader's first status event (or its end). */
  readonly firstStatus: Promise<void>;
  /** SCARD_STATE_* bits from the latest status event; undefined until the first one. */
  state?: number;
  atr?: Buffer;
  session?: PcscSession;
}

interface PcscContext {
  readonly pcsc: PcscLite;
  readonly readers: Map<string, ReaderEntry>;
  /** Resolves after pcscd's first reader list arrived (even an empty one). */
  readonly scanned: Promise<void>;
  scanDone: boolean;
  failure?: QuayError;
}

export class PcscReader implements CardReader {
  private context: PcscContext | undefined;
  private closed = false;
  /** Called on every change (reader list, card state, failure, close). */
  private readonly watchers = new Set<() => void>();
  private readonly log: Logger;
  private readonly load: () => PcscLiteFactory;
  readonly removalGraceMs: number;

  constructor(options: PcscReaderOptions = {}) {
    this.log = options.log ?? silentLogger;
    this.load = options.load ?? loadPcsclite;
    this.removalGraceMs = options.removalGraceMs ?? DEFAULT_REMOVAL_GRACE_MS;
  }

  async listReaders(): Promise<string[]> {
    const context = this.start();
    await context.scanned;
    if (context.failure) throw context.failure;
    return [...context.readers.keys()];
  }

  waitForCard(options: WaitForCardOptions): Promise<CardSession> {
    let context: PcscContext;
    try {
      context = this.start();
    } catch (err) {
      return Promise.reject(err);
    }
    let connecting = false;
    return waitOnReader<CardSession>(options, {
      what: 'insert',
      watch: (onChange) => this.watch(onChange),
      check: (waiter) => {
        if (connecting || this.failed(context, waiter)) return;
        const entry = this.findPresent(context, options.reader);
        if (entry === undefined) return;
        const refusal = sessionRefusal(entry);
        if (refusal !== undefined) {
          waiter.reject(refusal);
          return;
        }
        connecting = true;
        this.connect(entry).then((session) => {
          connecting = false;
          if (waiter.settled) void session.disconnect();
          else waiter.resolve(session);
        }, (err: QuayError) => {
          connecting = false;
          // The card left between the status event and the connect: keep waiting.
          if (err.code !== 'CARD_REMOVED') waiter.reject(err);
        });
      },
    });
  }

  waitForRemoval(options: WaitForCardOptions): Promise<void> {
    let context: PcscContext;
    try {
      context = this.start();
    } catch (err) {
      return Promise.reject(err);
    }
    return waitOnReader<void>(options, {
      what: 'removal',
      watch: (onChange) => this.watch(onChange),
      check: (waiter) => {
        // Before the first reader list, an empty map says nothing about the slots.
        if (this.failed(context, waiter) || !context.scanDone) return;
        const matching = [...context.readers].filter(
          ([name]) => options.reader === undefined || name.includes(options.reader));
        // A reader whose first status has not arrived yet may still hold a card.
        const unknown = matching.some(([, entry]) => entry.state === undefined);
        if (!unknown && this.findPresent(context, options.reader) === undefined) {
          waiter.resolve();
        }
      },
    });
  }

  /** Ends a wait when the reader was closed or pcscd failed; true when it did. */
  private failed(context: PcscContext, waiter: Waiter<never>): boolean {
    if (this.closed) {
      waiter.reject(new ReaderError('READER_UNAVAILABLE', 'The PC/SC reader was closed'));
      return true;
    }
    if (context.failure !== undefined) {
      waiter.reject(context.failure);
      return true;
    }
    return false;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.notify();
    const context = this.context;
    this.context = undefined;
    if (context === undefined) return;
    for (const entry of context.readers.values()) await entry.session?.disconnect();
    await this.teardown(context);
  }

  private watch(watcher: () => void): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** Opens a PC/SC connection to the card in the entry's reader. */
  private async connect(entry: ReaderEntry): Promise<PcscSession> {
    const { reader } = entry;
    // pcsclite answers connect() on a handle it still thinks connected with no protocol.
    if (reader.connected) await disconnectHandle(reader, this.log);
    const protocol = await new Promise<number>((resolve, reject) => {
      const protocols = reader.SCARD_PROTOCOL_T0 | reader.SCARD_PROTOCOL_T1;
      reader.connect({ share_mode: reader.SCARD_SHARE_EXCLUSIVE, protocol: protocols },
        (err, chosen) => {
          if (err) reject(mapPcscError(err, 'connect', reader.name));
          else resolve(chosen);
        });
    });
    if (protocol !== reader.SCARD_PROTOCOL_T0 && protocol !== reader.SCARD_PROTOCOL_T1) {
      throw new ReaderError('READER_ERROR', `${reader.name} chose no T=0 or T=1 protocol`, {
        detail: { reader: reader.name, protocol },
      });
    }
    const t = protocol === reader.SCARD_PROTOCOL_T0 ? 'T0' : 'T1';
    const session = new PcscSession(entry, protocol, t, this.log, this.removalGraceMs);
    entry.session = session;
    this.log.info({ reader: reader.name, protocol: t }, 'card session opened');
    return session;
  }

  private start(): PcscContext {
    if (this.closed) {
      throw new ReaderError('READER_UNAVAILABLE', 'The PC/SC reader was closed');
    }
    if (this.context !== undefined && this.context.failure === undefined) return this.context;
    if (this.context !== undefined) void this.teardown(this.context);

    const factory = this.load();
    let pcsc: PcscLite;
    try {
      pcsc = factory();
    } catch (err) {
      throw mapPcscError(err, 'establish context');
    }
    this.context = this.track(pcsc);
    return this.context;
  }

  private track(pcsc: PcscLite): PcscContext {
    let scanDone!: () => void;
    const scanned = new Promise<void>((resolve) => { scanDone = resolve; });
    const context: PcscContext = { pcsc, readers: new Map(), scanned, scanDone: false };

    // pcsclite calls start() on the next tick and reports each scan only to that callback;
    // wrapping it is the one way to learn that the first list (maybe empty) has arrived.
    const start = pcsc.start.bind(pcsc);
    pcsc.start = (callback) => start((err, names) => {
      callback(err, names);
      context.scanDone = true;
      scanDone();
      this.notify();
    });
    pcsc.on('error', (err) => {
      if (this.context !== context) return;
      context.failure = mapPcscError(err, 'watch readers');
      this.log.error({ err }, 'PC/SC service failed');
      this.notify();
    });
    pcsc.on('reader', (reader) => this.addReader(context, reader));
    return context;
  }

  private addReader(context: PcscContext, reader: PcscCardReader): void {
    let statusSeen!: () => void;
    const firstStatus = new Promise<void>((resolve) => { statusSeen = resolve; });
    const entry: ReaderEntry = { reader, firstStatus };
    context.readers.set(reader.name, entry);
    this.log.debug({ reader: reader.name }, 'reader found');

    reader.on('status', (status) => {
      statusSeen();
      this.log.debug({ reader: reader.name, state: status.state.toString(16) }, 'reader status');
      entry.state = status.state;
      entry.atr = status.atr;
      if ((status.state & reader.SCARD_STATE_EMPTY) !== 0) entry.session?.markRemoved();
      this.notify();
    });
    reader.on('end', () => {
      statusSeen();
      context.readers.delete(reader.name);
      entry.session?.markRemoved();
      this.log.info({ reader: reader.name }, 'reader gone');
      this.notify();
    });
    reader.on('error', (err) => {
      if (this.context === context) this.log.warn({ err, reader: reader.name }, 'reader failed');
    });
  }

  private notify(): void {
    for (const watcher of [...this.watchers]) watcher();
  }

  private async teardown(context: PcscContext): Promise<void> {
    // A reader's close() stops and joins its native status thread. Closed before that thread
    // reported once, the thread never tells the event loop it ended, and its handle keeps
    // the process alive: so wait for the first status. Errors the module emits afterwards
    // ("Command cancelled") are expected and swallowed by the listeners above.
    const entries = [...context.readers.values()];
    context.readers.clear();
    await Promise.all(entries.map((entry) => within(entry.firstStatus, FIRST_STATUS_WAIT_MS)));
    for (const entry of entries) entry.reader.close();
    context.pcsc.close();
  }

  private findPresent(context: PcscContext, name: string | undefined): ReaderEntry | undefined {
    for (const [readerName, entry] of context.readers) {
      if (name !== undefined && !readerName.includes(name)) continue;
      if (entry.state !== undefined && (entry.state & entry.reader.SCARD_STATE_PRESENT) !== 0) {
        return entry;
      }
    }
    return undefined;
  }
}

/** Resolves when `promise` does or after `ms`, whichever comes first, leaving no timer. */
function within(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** SCardDisconnect leaving the card powered (pcscd powers an idle card down itself). */
function disconnectHandle(reader: PcscCardReader, log: Logger): Promise<void> {
  return new Promise((resolve) => {
    reader.disconnect(reader.SCARD_LEAVE_CARD, (err) => {
      if (err) log.warn({ err, reader: reader.name }, 'PC/SC disconnect failed');
      resolve();
    });
  });
}

/** Why a present card cannot be given a session, if it cannot. */
function sessionRefusal(entry: ReaderEntry): QuayError | undefined {
  if (entry.session !== undefined) {
    return new ReaderError('READER_ERROR',
      `A card session is already open on ${entry.reader.name}; disconnect it first`);
  }
  if ((entry.state! & entry.reader.SCARD_STATE_MUTE) !== 0) {
    return new CardError('CARD_UNRESPONSIVE', 'The card gave no ATR', {
      detail: { reader: entry.reader.name },
    });
  }
  return undefined;
}

/** The TLV list of GET_FEATURE_REQUEST: tag, length 4, control code; others skipped. */
export function parseFeatures(list: Buffer): Map<number, number> {
  const features = new Map<number, number>();
  for (let at = 0; at + 2 <= list.length;) {
    const tag = list[at]!;
    const length = list[at + 1]!;
    const end = at + 2 + length;
    if (end > list.length) break;
    if (length === 4) features.set(tag, list.readUInt32BE(at + 2));
    at = end;
  }
  return features;
}

class PcscSession implements CardSession {
  readonly reader: string;
  readonly atr: Buffer;
  private state: 'open' | 'removed' | 'closed' = 'open';
  private readonly removalListeners = new Set<() => void>();
  private features: Promise<ReadonlyMap<number, number>> | undefined;

  constructor(
    private readonly entry: ReaderEntry,
    private readonly protocolCode: number,
    readonly protocol: 'T0' | 'T1',
    private readonly log: Logger,
    private readonly removalGraceMs: number,
  ) {
    this.reader = entry.reader.name;
    this.atr = entry.atr ?? Buffer.alloc(0);
  }

  async transmit(command: Buffer): Promise<Buffer> {
    this.checkOpen();
    let response: Buffer;
    try {
      response = await this.transmitRaw(command);
    } catch (err) {
      const mapped = mapPcscError(err, 'transmit', this.reader);
      if (mapped.code === 'CARD_REMOVED') this.markRemoved();
      throw mapped;
    }
    if (response.length >= 2) return response;

    if (await this.removalFollows()) throw this.removedError();
    throw new CardError('CARD_UNRESPONSIVE', 'The card answered without a status word', {
      detail: { reader: this.reader, responseLength: response.length },
    });
  }

  /**
   * PC/SC part 10 2.2: the reader lists its features as TLVs (tag, length 4, the control
   * code big-endian). A reader or driver without part 10 (vpcd among them) refuses the
   * request or answers nothing: no features.
   */
  readerFeatures(): Promise<ReadonlyMap<number, number>> {
    this.features ??= this.askFeatures();
    return this.features;
  }

  async control(code: number, data: Buffer, responseLength = RECEIVE_LENGTH): Promise<Buffer> {
    this.checkOpen();
    try {
      return await new Promise<Buffer>((resolve, reject) => {
        this.entry.reader.control(data, code, responseLength, (err, response) => {
          if (err) reject(err);
          else resolve(response);
        });
      });
    } catch (err) {
      const mapped = mapPcscError(err, 'control', this.reader);
      if (mapped.code === 'CARD_REMOVED') this.markRemoved();
      throw mapped;
    }
  }

  async disconnect(): Promise<void> {
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    if (!wasOpen) return;
    if (this.entry.session === this) this.entry.session = undefined;
    await this.release();
    this.log.info({ reader: this.reader }, 'card session closed');
  }

  /** @internal The card left the reader: later transmits fail with CARD_REMOVED. */
  markRemoved(): void {
    if (this.state !== 'open') return;
    this.state = 'removed';
    if (this.entry.session === this) this.entry.session = undefined;
    this.log.info({ reader: this.reader }, 'card removed during the session');
    for (const listener of this.removalListeners) listener();
    // pcsclite keeps its handle marked connected until disconnect; free it for the next card.
    void this.release();
  }

  private transmitRaw(command: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.entry.reader.transmit(command, RECEIVE_LENGTH, this.protocolCode, (err, data) => {
        if (err) reject(err);
        else resolve(data);
      });
    });
  }

  private release(): Promise<void> {
    return disconnectHandle(this.entry.reader, this.log);
  }

  private removalFollows(): Promise<boolean> {
    if (this.state === 'removed') return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (removed: boolean) => {
        clearTimeout(timer);
        this.removalListeners.delete(onRemoved);
        resolve(removed);
      };
      const onRemoved = () => done(true);
      const timer = setTimeout(() => done(false), this.removalGraceMs);
      this.removalListeners.add(onRemoved);
    });
  }

  private checkOpen(): void {
    if (this.state === 'closed') {
      throw new ReaderError('READER_ERROR', 'The card session was disconnected', {
        detail: { reader: this.reader },
      });
    }
    if (this.state === 'removed') throw this.removedError();
  }

  private async askFeatures(): Promise<ReadonlyMap<number, number>> {
    const code = this.entry.reader.SCARD_CTL_CODE(GET_FEATURE_REQUEST);
    try {
      return parseFeatures(await this.control(code, Buffer.alloc(0), FEATURES_LENGTH));
    } catch (err) {
      // Removal and a vanished service are errors of the session. Any other failure, such
      // as pcsc-lite's "unsupported feature" (8010001F) for a driver without the function,
      // means a reader without PIN pad.
      if ((err as QuayError).code !== 'READER_ERROR') throw err;
      this.log.debug({ reader: this.reader, err }, 'reader has no PC/SC part 10 features');
      return new Map();
    }
  }

  private removedError(): CardError {
    return new CardError('CARD_REMOVED', undefined, { detail: { reader: this.reader } });
  }
}
