import { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ReaderError } from '../../../src/errors';
import { silentLogger, type Logger } from '../../../src/log';
import type { VirtualCard } from '../types';

/**
 * Plugs a VirtualCard into vpcd, the virtual reader driver pcscd loads (Debian package
 * vsmartcard-vpcd). vpcd listens on TCP, one port per slot (35963 for "Virtual PCD 00 00",
 * 35964 for "... 00 01"); the card connects to it. Connecting is inserting the card, closing
 * the socket is pulling it out.
 *
 * Protocol: every message either way is a 2-byte big-endian length and a body. A 1-byte body
 * from vpcd is a control code (0 power off, 1 power on, 2 reset, 4 send the ATR); a longer
 * body is a command APDU. The card answers the ATR request and every APDU, nothing else.
 */
export interface VpcdLinkOptions {
  host?: string;
  /** 35963 is vpcd's first slot. */
  port?: number;
  log?: Logger;
}

export const VPCD_DEFAULT_PORT = 35963;

const CTRL_POWER_OFF = 0;
const CTRL_POWER_ON = 1;
const CTRL_RESET = 2;
const CTRL_GET_ATR = 4;

export class VpcdLink {
  private socket: Socket | undefined;
  private pending = Buffer.alloc(0);
  private queue: Promise<void> = Promise.resolve();
  private readonly host: string;
  private readonly port: number;
  private readonly log: Logger;

  constructor(private readonly card: VirtualCard, options: VpcdLinkOptions = {}) {
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? VPCD_DEFAULT_PORT;
    this.log = options.log ?? silentLogger;
  }

  /** True while the card sits in the virtual reader. */
  get connected(): boolean {
    return this.socket !== undefined && !this.socket.destroyed;
  }

  /** Inserts the card: resolves once vpcd accepted the connection. */
  connect(): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      socket.setNoDelay(true);
      socket.once('error', (cause) => {
        reject(new ReaderError('READER_UNAVAILABLE',
          `vpcd does not listen on ${this.host}:${this.port}: is pcscd running with ` +
          'vsmartcard-vpcd installed?', { cause, detail: { host: this.host, port: this.port } }));
      });
      socket.connect(this.port, this.host, () => {
        socket.removeAllListeners('error');
        socket.on('error', (err) => this.log.warn({ err }, 'vpcd link error'));
        socket.on('data', (chunk) => this.receive(socket, chunk));
        socket.on('close', () => {
          if (this.socket === socket) this.socket = undefined;
        });
        this.socket = socket;
        this.pending = Buffer.alloc(0);
        this.queue = Promise.resolve();
        this.log.debug({ port: this.port }, 'virtual card inserted');
        resolve();
      });
    });
  }

  /** Pulls the card out: vpcd reports the slot empty. */
  close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    this.pending = Buffer.alloc(0);
    if (socket === undefined || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
      this.log.debug({ port: this.port }, 'virtual card removed');
    });
  }

  /** Frames vpcd's messages; each is handled in order, on the socket it came from. */
  private receive(socket: Socket, chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 2) {
      const length = this.pending.readUInt16BE(0);
      if (this.pending.length < 2 + length) return;
      const body = Buffer.from(this.pending.subarray(2, 2 + length));
      this.pending = this.pending.subarray(2 + length);
      this.queue = this.queue.then(() => this.handle(socket, body)).catch((err: unknown) => {
        this.log.error({ err }, 'virtual card failed; pulling it out');
        void this.close();
      });
    }
  }

  private async handle(socket: Socket, body: Buffer): Promise<void> {
    if (socket !== this.socket) return;
    if (body.length !== 1) {
      await this.answer(socket, body);
      return;
    }
    switch (body[0]) {
      case CTRL_POWER_OFF: this.card.powerOff(); break;
      case CTRL_POWER_ON: this.card.powerOn(); break;
      case CTRL_RESET: this.card.reset(); break;
      case CTRL_GET_ATR: send(socket, this.card.atr); break;
      default: this.log.warn({ code: body[0] }, 'unknown vpcd control code');
    }
  }

  private async answer(socket: Socket, command: Buffer): Promise<void> {
    if (this.card.pullsOutAt?.(command) === true) {
      await this.close();
      return;
    }
    const delay = this.card.answerDelayMs?.(command) ?? 0;
    if (delay > 0) await sleep(delay);
    // Pulled out while "thinking": the answer must not reach a later insertion.
    if (socket !== this.socket) return;
    send(socket, this.card.process(command));
  }
}

function send(socket: Socket, body: Buffer): void {
  if (socket.destroyed) return;
  const header = Buffer.alloc(2);
  header.writeUInt16BE(body.length, 0);
  socket.write(Buffer.concat([header, body]));
}
