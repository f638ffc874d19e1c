import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { VirtualCard } from '../../../drivers/card/types';
import { VpcdLink } from '../../../drivers/card/virtual/vpcd-link';

/**
 * VpcdLink against a stand-in for vpcd on a loopback port: the test plays vpcd's side of the
 * protocol (2-byte big-endian length, then a 1-byte control code or an APDU).
 */
class FakeVpcd {
  private server: Server | undefined;
  private client: Socket | undefined;
  private buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closedByCard = false;

  async listen(): Promise<number> {
    this.server = createServer((socket) => {
      this.client = socket;
      socket.on('data', (chunk) => {
        this.buffer = Buffer.concat([this.buffer, chunk]);
        this.waiters.splice(0).forEach((w) => w());
      });
      socket.on('close', () => {
        this.closedByCard = true;
        this.waiters.splice(0).forEach((w) => w());
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  /** Sends one message, optionally split in two writes to test the card's framing. */
  send(body: Buffer, split = false): void {
    const frame = Buffer.concat([Buffer.from([body.length >> 8, body.length & 0xff]), body]);
    if (!split) {
      this.client!.write(frame);
      return;
    }
    this.client!.write(frame.subarray(0, 1));
    setTimeout(() => this.client!.write(frame.subarray(1)), 10);
  }

  /** The next message from the card, or undefined when it closed the link. */
  async receive(): Promise<Buffer | undefined> {
    for (;;) {
      if (this.buffer.length >= 2) {
        const length = this.buffer.readUInt16BE(0);
        if (this.buffer.length >= 2 + length) {
          const body = this.buffer.subarray(2, 2 + length);
          this.buffer = this.buffer.subarray(2 + length);
          return Buffer.from(body);
        }
      }
      if (this.closedByCard) return undefined;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async connected(): Promise<void> {
    while (this.client === undefined) await new Promise((r) => setTimeout(r, 5));
  }

  async close(): Promise<void> {
    this.client?.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

function card(overrides: Partial<VirtualCard> = {}): VirtualCard & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    atr: Buffer.from('3B600000', 'hex'),
    powerOn: () => events.push('on'),
    powerOff: () => events.push('off'),
    reset: () => events.push('reset'),
    process: (command) => {
      events.push(`apdu ${command.toString('hex')}`);
      return Buffer.from('6F009000', 'hex');
    },
    ...overrides,
  };
}

describe('VpcdLink', () => {
  let vpcd: FakeVpcd;
  afterEach(async () => { await vpcd.close(); });

  it('answers the ATR request and APDUs, and passes power controls to the card', async () => {
    vpcd = new FakeVpcd();
    const c = card();
    const link = new VpcdLink(c, { port: await vpcd.listen() });
    await link.connect();
    await vpcd.connected();
    vpcd.send(Buffer.from([1]));
    vpcd.send(Buffer.from([4]));
    expect((await vpcd.receive())?.toString('hex')).toBe('3b600000');
    vpcd.send(Buffer.from('00a4040000', 'hex'), true);
    expect((await vpcd.receive())?.toString('hex')).toBe('6f009000');
    vpcd.send(Buffer.from([2]));
    vpcd.send(Buffer.from([0]));
    vpcd.send(Buffer.from([4]));
    await vpcd.receive();
    expect(c.events).toEqual(['on', 'apdu 00a4040000', 'reset', 'off']);
    await link.close();
    expect(link.connected).toBe(false);
  });

  it('closes the link instead of answering when the card is pulled out at a command', async () => {
    vpcd = new FakeVpcd();
    const link = new VpcdLink(card({ pullsOutAt: () => true }), { port: await vpcd.listen() });
    await link.connect();
    await vpcd.connected();
    vpcd.send(Buffer.from('00b2010c00', 'hex'));
    expect(await vpcd.receive()).toBeUndefined();
    expect(link.connected).toBe(false);
  });

  it('says vpcd is not there when nothing listens', async () => {
    vpcd = new FakeVpcd();
    const port = await vpcd.listen();
    await vpcd.close();
    await expect(new VpcdLink(card(), { port }).connect()).rejects.toMatchObject({
      code: 'READER_UNAVAILABLE',
    });
  });
});
