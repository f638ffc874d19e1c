import { connect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  startPrinterSimulator, type PrinterSimulator,
} from '../../../drivers/printer/printer-simulator';
import {
  characterSize, cut, emphasis, feedLines, initialize, justify, lineFeed, rasterImage,
  realtimeStatus, selectCodePage,
} from '../../../src/receipt/escpos';

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

function end(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.end(resolve));
}

/** Sends a status query and waits for its one-byte answer. */
function ask(socket: Socket, n: 1 | 2 | 4): Promise<number> {
  return new Promise((resolve) => {
    socket.once('data', (d: Buffer) => resolve(d[0]!));
    socket.write(realtimeStatus(n));
  });
}

/** Ink per row of a page, as 0/1. */
function inkRows(page: { width: number; height: number; dots: Uint8Array }): number[] {
  const rows: number[] = [];
  for (let y = 0; y < page.height; y++) {
    rows.push(page.dots.subarray(y * page.width, (y + 1) * page.width).some((d) => d) ? 1 : 0);
  }
  return rows;
}

describe('printer simulator', () => {
  let sim: PrinterSimulator;
  beforeEach(async () => {
    sim = await startPrinterSimulator();
  });
  afterEach(async () => {
    await sim.close();
  });

  it('prints text lines with the code page, justification and size in force', async () => {
    const socket = await open(sim.port);
    socket.write(Buffer.concat([
      initialize(), selectCodePage(16), justify('center'), emphasis(true),
      Buffer.from('CAF\xc9', 'latin1'), lineFeed(), characterSize(2, 2), Buffer.from('XY'),
      lineFeed(), lineFeed(), feedLines(2), cut('full'),
    ]));
    const job = await sim.waitForJob();
    expect(job.cut).toBe(true);
    expect(job.page.text).toEqual(['CAFÉ', 'XY']);
    expect(job.page.problems).toEqual([]);
    // 30 dots for the first line, 54 for the double-height one, 60 for the empty line,
    // 60 for ESC d 2.
    expect(job.page.height).toBe(30 + 54 + 60 + 60);
    const rows = inkRows(job.page);
    expect(rows.slice(0, 30).some(Boolean)).toBe(true);
    expect(rows.slice(30, 84).some(Boolean)).toBe(true);
    expect(rows.slice(84).some(Boolean)).toBe(false);
    // Centred: no ink in the left quarter of the page.
    const leftQuarter = [...job.page.dots].filter((d, i) => d && i % 384 < 96);
    expect(leftQuarter).toHaveLength(0);
    await end(socket);
  });

  it('wraps text at the paper width like a printer', async () => {
    const socket = await open(sim.port);
    socket.write(Buffer.concat([initialize(), Buffer.from('A'.repeat(40)), lineFeed()]));
    await end(socket);
    const job = await sim.waitForJob();
    expect(job.page.text).toEqual(['A'.repeat(32), 'A'.repeat(8)]);
  });

  it('stacks raster bands at their rows and reports an image wider than the paper', async () => {
    const socket = await open(sim.port);
    const band = (fill: number, rows: number): Buffer =>
      rasterImage(48, rows, Buffer.alloc(48 * rows, fill));
    socket.write(Buffer.concat([band(0xff, 10), band(0x00, 5), band(0x80, 3)]));
    socket.write(rasterImage(60, 1, Buffer.alloc(60, 0xff)));
    await end(socket);
    const job = await sim.waitForJob();
    expect(job.page.height).toBe(19);
    expect(inkRows(job.page)).toEqual([...Array(10).fill(1), ...Array(5).fill(0), 1, 1, 1, 1]);
    expect(job.page.dots[15 * 384]).toBe(1);
    expect(job.page.dots[15 * 384 + 1]).toBe(0);
    expect(job.page.problems).toEqual(['raster image 480 dots wide on 384-dot paper']);
  });

  it('answers DLE EOT in the middle of a job and keeps the query in its bytes', async () => {
    const socket = await open(sim.port);
    socket.write(Buffer.concat([initialize(), Buffer.from('AB')]));
    expect(await ask(socket, 1)).toBe(0x12);
    expect(await ask(socket, 4)).toBe(0x12);
    sim.setPaperOut(true);
    expect(await ask(socket, 4)).toBe(0x7e);
    expect(await ask(socket, 2)).toBe(0x32);
    sim.setPaperOut(false);
    socket.write(lineFeed());
    await end(socket);
    const job = await sim.waitForJob();
    expect(job.bytes.toString('hex')).toBe('1b404142' + '100401100404100404100402' + '0a');
    expect(job.page.text).toEqual(['AB']);
  });

  it('reports unknown commands with their offsets and truncated ones at the end', async () => {
    const socket = await open(sim.port);
    socket.write(Buffer.from('1b40' + '1b99' + '41' + '1d7630', 'hex'));
    await end(socket);
    const job = await sim.waitForJob();
    expect(job.unknown.map((c) => [c.offset, c.op === 'unknown' && c.reason])).toEqual([
      [2, 'ESC 99'],
      [5, 'truncated command'],
    ]);
  });

  it('keeps no job for a connection that only asked the status', async () => {
    const first = await open(sim.port);
    expect(await ask(first, 1)).toBe(0x12);
    await end(first);
    const second = await open(sim.port);
    second.write(Buffer.concat([initialize(), Buffer.from('Z'), lineFeed()]));
    await end(second);
    const job = await sim.waitForJob();
    expect(job.id).toBe(1);
    expect(job.page.text).toEqual(['Z']);
  });
});
