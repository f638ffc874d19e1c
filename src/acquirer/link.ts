import { createConnection, type Socket } from 'node:net';
import { HostError, Iso8583Error, isQuayError, KeyError } from '../errors';
import { silentLogger, type Logger } from '../log';
import type { MessageLayout } from '../iso8583/layout';
import { loadLayout } from '../iso8583/layouts';
import { loggableFields } from '../iso8583/loggable';
import { applyMac, verifyMac } from '../iso8583/mac';
import type { MacProfile } from '../iso8583/mac-profile';
import { fieldText, responseMti, type IsoMessage } from '../iso8583/message';
import { pack, unpack } from '../iso8583/pack';
import { encodeFrame, FrameDecoder, parseTpdu, type Frame } from './framing';

export interface AcquirerLinkConfig {
  host: string;
  port: number;
  /** A layout, or a host-profile name / layout file path for loadLayout. */
  layout: MessageLayout | string;
  /** TPDU as 10 hex digits, e.g. '6000010000'; absent when the host uses none. */
  tpdu?: string;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  /** When set, requests carry a MAC and replies' MACs are checked (see macedMti). */
  mac?: LinkMac;
}

export interface LinkMac {
  profile: MacProfile;
  /** The working MAC key in use now; undefined when none has been received yet. */
  key(): Buffer | undefined;
}

/**
 * Whether messages of this MTI carry a MAC: all but network management (08xx). Sign-on and
 * key exchange must work before the terminal holds a MAC key, and an echo test proves the
 * line, not the keys.
 */
export function macedMti(mti: string): boolean {
  return !mti.startsWith('08');
}

interface Pending {
  key: string;
  request: IsoMessage;
  resolve(reply: IsoMessage): void;
  reject(err: Error): void;
}

/** Replies are matched on response MTI, terminal ID (41) and STAN (11). */
function matchKey(mti: string, message: IsoMessage): string {
  const tid = (fieldText(message, 41) ?? '').trimEnd();
  return `${mti}|${tid}|${fieldText(message, 11) ?? ''}`;
}

function hostError(code: 'HOST_UNREACHABLE' | 'HOST_TIMEOUT' | 'HOST_PROTOCOL', message: string,
  maybeDelivered: boolean, detail: Record<string, unknown> = {}, cause?: unknown): HostError {
  return new HostError(code, message, { detail: { ...detail, maybeDelivered }, cause });
}

/**
 * The TCP link to the acquirer. One connection, opened on the first exchange and again after
 * the host drops it; several exchanges may wait on it at once. Every error of an exchange says
 * in detail.maybeDelivered whether the request may have reached the bank (then the caller must
 * reverse it): false only when nothing was written.
 */
export class AcquirerLink {
  private readonly layout: MessageLayout;
  private readonly tpdu: Buffer | undefined;
  private socket: Socket | undefined;
  private connecting: Promise<Socket> | undefined;
  private readonly pending = new Map<string, Pending>();
  private closed = false;

  constructor(private readonly config: AcquirerLinkConfig,
    private readonly log: Logger = silentLogger) {
    this.layout = typeof config.layout === 'string' ? loadLayout(config.layout) : config.layout;
    this.tpdu = config.tpdu === undefined ? undefined : parseTpdu(config.tpdu);
  }

  /**
   * Sends a request and resolves with its matched reply. `timeoutMs` replaces the configured
   * response timeout for this exchange (a pending reversal is tried briefly before a sale).
   */
  async exchange(request: IsoMessage, options: { timeoutMs?: number } = {}):
    Promise<IsoMessage> {
    const started = performance.now();
    const fields = {
      mti: request.mti, stan: fieldText(request, 11), tid: fieldText(request, 41)?.trimEnd(),
    };
    try {
      const reply = await this.send(request, options.timeoutMs ?? this.config.responseTimeoutMs);
      const ms = Math.round(performance.now() - started);
      this.log.info({ event: 'iso8583.exchange', ...fields, rc: fieldText(reply, 39), ms },
        'bank exchange');
      return reply;
    } catch (err) {
      const ms = Math.round(performance.now() - started);
      const code = isQuayError(err) ? err.code : 'UNEXPECTED';
      const detail = isQuayError(err) ? err.detail : undefined;
      this.log.warn({ event: 'iso8583.exchange', ...fields, error: code, detail, ms },
        'bank exchange failed');
      throw err;
    }
  }

  private async send(request: IsoMessage, timeoutMs: number): Promise<IsoMessage> {
    const replyMti = responseMti(request.mti);
    if (replyMti === undefined) {
      throw new Iso8583Error('ISO_PACK', `MTI ${request.mti} is not a request`, {
        detail: { mti: request.mti, maybeDelivered: false },
      });
    }
    const frame = this.frameOf(request);
    const key = matchKey(replyMti, request);
    const socket = await this.connect();
    // Checked after connecting: from here to the write nothing awaits, so no other exchange
    // can register the same key in between.
    if (this.pending.has(key)) {
      throw hostError('HOST_PROTOCOL', 'an exchange with this MTI, terminal and STAN is waiting',
        false, { key });
    }
    if (socket.destroyed) {
      throw hostError('HOST_UNREACHABLE', 'the connection closed before the request was sent',
        false);
    }
    return new Promise<IsoMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(key);
        reject(hostError('HOST_TIMEOUT', `no reply within ${timeoutMs} ms`, true,
          { timeoutMs }));
      }, timeoutMs);
      const settle = <T>(fn: (value: T) => void) => (value: T): void => {
        clearTimeout(timer);
        this.pending.delete(key);
        fn(value);
      };
      this.pending.set(key, { key, request, resolve: settle(resolve), reject: settle(reject) });
      socket.write(frame);
    });
  }

  private frameOf(request: IsoMessage): Buffer {
    try {
      const mac = this.config.mac;
      if (!mac || !macedMti(request.mti)) return encodeFrame(pack(request, this.layout), this.tpdu);
      const key = mac.key();
      if (!key) {
        throw new KeyError('KEY_MISSING', 'no MAC key: sign on to receive one', {
          detail: { mti: request.mti },
        });
      }
      const { packed } = applyMac(request, this.layout, mac.profile, key, { tpdu: this.tpdu });
      return encodeFrame(packed, this.tpdu);
    } catch (err) {
      if (isQuayError(err)) err.detail.maybeDelivered = false;
      throw err;
    }
  }

  private connect(): Promise<Socket> {
    if (this.closed) {
      return Promise.reject(hostError('HOST_UNREACHABLE', 'the link is closed', false));
    }
    if (this.socket?.writable) return Promise.resolve(this.socket);
    // Destroyed or ended by the host, its close not seen yet: what waits on it has failed.
    if (this.socket) this.drop(this.socket, 'the connection closed before the reply');
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private open(): Promise<Socket> {
    const { host, port, connectTimeoutMs } = this.config;
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host, port });
      const fail = (reason: string, cause?: unknown): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(hostError('HOST_UNREACHABLE', `cannot connect to ${host}:${port}: ${reason}`,
          false, { host, port, reason }, cause));
      };
      const timer = setTimeout(() => fail(`no connection within ${connectTimeoutMs} ms`),
        connectTimeoutMs);
      socket.once('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message, err));
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.setNoDelay(true);
        this.attach(socket);
        resolve(socket);
      });
    });
  }

  private attach(socket: Socket): void {
    const decoder = new FrameDecoder({ tpdu: this.tpdu !== undefined });
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        this.drop(socket, 'the byte stream from the host is out of step', err);
        socket.destroy();
        return;
      }
      for (const frame of frames) this.receive(frame);
      // Junk after a good reply in the same chunk: the reply stands, the connection goes.
      if (decoder.failure) {
        this.drop(socket, 'the byte stream from the host is out of step', decoder.failure);
        socket.destroy();
      }
    });
    socket.on('error', (err) => this.log.warn({ event: 'iso8583.link', err: err.message },
      'bank link error'));
    socket.on('close', () => {
      if (this.socket === socket) this.drop(socket, 'the connection closed before the reply');
    });
  }

  /**
   * Gives up the connection: the exchanges waiting on it fail (they may have been delivered)
   * and the next exchange opens a new one. Its close, when it comes, changes nothing more.
   */
  private drop(socket: Socket, reason: string, cause?: unknown): void {
    if (this.socket === socket) this.socket = undefined;
    this.failAll(reason, cause);
  }

  private receive(frame: Frame): void {
    let reply: IsoMessage;
    try {
      reply = unpack(frame.message, this.layout);
    } catch (err) {
      this.unreadable(err);
      return;
    }
    const pending = this.pending.get(matchKey(reply.mti, reply));
    if (pending) {
      const failed = this.macFailure(frame, reply);
      if (failed) pending.reject(failed);
      else pending.resolve(reply);
      return;
    }
    this.log.warn({
      event: 'iso8583.stray', mti: reply.mti, stan: fieldText(reply, 11),
      tid: fieldText(reply, 41), fields: loggableFields(reply),
    }, 'reply that matches no request, dropped');
  }

  /**
   * The MAC check of a matched reply, on the bytes as received: a reply whose MAC fails is no
   * valid answer, and the request may have been acted on at the bank (maybeDelivered).
   */
  private macFailure(frame: Frame, reply: IsoMessage): Error | undefined {
    const mac = this.config.mac;
    if (!mac || !macedMti(reply.mti)) return undefined;
    try {
      const key = mac.key();
      if (!key) throw new KeyError('KEY_MISSING', 'no MAC key to check the reply with');
      verifyMac(frame.message, this.layout, mac.profile, key, { tpdu: frame.tpdu });
      return undefined;
    } catch (err) {
      if (!isQuayError(err)) throw err;
      err.detail.maybeDelivered = true;
      return err;
    }
  }

  /** A reply that does not unpack can only be blamed on an exchange if one alone is waiting. */
  private unreadable(err: unknown): void {
    const detail = isQuayError(err) ? err.detail : {};
    const only = this.pending.size === 1 ? [...this.pending.values()][0] : undefined;
    if (only) {
      only.reject(hostError('HOST_PROTOCOL', 'the reply could not be unpacked', true,
        { unpack: detail }, err));
      return;
    }
    this.log.warn({ event: 'iso8583.unreadable', detail, waiting: this.pending.size },
      'reply that could not be unpacked, dropped');
  }

  private failAll(reason: string, cause?: unknown): void {
    for (const pending of [...this.pending.values()]) {
      pending.reject(hostError('HOST_PROTOCOL', reason, true, { reason }, cause));
    }
  }

  /** Ends the connection; exchanges still waiting fail with HOST_PROTOCOL (maybeDelivered). */
  async close(): Promise<void> {
    this.closed = true;
    const socket = this.socket ?? await this.connecting?.catch(() => undefined);
    if (!socket || socket.destroyed) {
      this.failAll('the link was closed');
      return;
    }
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
    this.failAll('the link was closed');
  }
}
