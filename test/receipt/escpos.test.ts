import { describe, expect, it } from 'vitest';
import {
  characterSize, cut, emphasis, feedLines, initialize, justify, lineFeed, rasterBands,
  rasterImage, realtimeStatus, selectCodePage,
} from '../../src/receipt/escpos';
import { EscPosParser, parseEscPos } from '../../src/receipt/escpos-parse';

const hex = (b: Buffer): string => b.toString('hex').toUpperCase();

describe('ESC/POS builders', () => {
  it('build the exact command bytes', () => {
    expect(hex(initialize())).toBe('1B40');
    expect(hex(selectCodePage(0))).toBe('1B7400');
    expect(hex(selectCodePage(16))).toBe('1B7410');
    expect(hex(justify('left'))).toBe('1B6100');
    expect(hex(justify('center'))).toBe('1B6101');
    expect(hex(justify('right'))).toBe('1B6102');
    expect(hex(emphasis(true))).toBe('1B4501');
    expect(hex(emphasis(false))).toBe('1B4500');
    expect(hex(characterSize(1, 1))).toBe('1D2100');
    expect(hex(characterSize(2, 2))).toBe('1D2111');
    expect(hex(characterSize(2, 1))).toBe('1D2110');
    expect(hex(characterSize(8, 8))).toBe('1D2177');
    expect(hex(lineFeed())).toBe('0A');
    expect(hex(feedLines(4))).toBe('1B6404');
    expect(hex(cut('full'))).toBe('1D5600');
    expect(hex(cut('partial'))).toBe('1D5601');
    expect(hex(cut('full', 3))).toBe('1D564103');
    expect(hex(cut('partial', 0))).toBe('1D564200');
    expect(hex(realtimeStatus(1))).toBe('100401');
    expect(hex(realtimeStatus(4))).toBe('100404');
  });

  it('writes the GS v 0 header with little-endian width in bytes and height in rows', () => {
    const data = Buffer.alloc(48 * 300, 0xaa);
    const cmd = rasterImage(48, 300, data);
    expect(hex(cmd.subarray(0, 8))).toBe('1D7630003000' + '2C01');
    expect(cmd.length).toBe(8 + 48 * 300);
    expect(cmd.subarray(8).equals(data)).toBe(true);
    expect(hex(rasterImage(72, 1, Buffer.alloc(72), 3).subarray(0, 8))).toBe('1D76300348000100');
  });

  it('refuses parameters out of range and data of the wrong size', () => {
    expect(() => selectCodePage(256)).toThrow(RangeError);
    expect(() => characterSize(0, 1)).toThrow(RangeError);
    expect(() => feedLines(-1)).toThrow(RangeError);
    expect(() => rasterImage(48, 2, Buffer.alloc(95))).toThrow(RangeError);
  });

  it('splits an image into bands of at most the given rows, in order', () => {
    const rows = 200;
    const data = Buffer.alloc(48 * rows);
    for (let y = 0; y < rows; y++) data[y * 48] = y;
    const bands = rasterBands({ width: 384, height: rows, bytesPerRow: 48, data }, 85);
    expect(bands.map((b) => b.readUInt16LE(6))).toEqual([85, 85, 30]);
    expect(bands[1]![8]).toBe(85);
    expect(bands[2]![8 + 48]).toBe(171);
  });
});

describe('ESC/POS parser', () => {
  it('decodes the commands quay sends', () => {
    const stream = Buffer.concat([
      initialize(), selectCodePage(16), justify('center'), emphasis(true), characterSize(2, 1),
      Buffer.from('Hi'), lineFeed(), rasterImage(1, 2, Buffer.from([0x80, 0x01])),
      feedLines(3), realtimeStatus(2), cut('partial', 0),
    ]);
    const ops = parseEscPos(stream).map(({ offset: _o, ...rest }) => rest);
    expect(ops).toEqual([
      { op: 'init' },
      { op: 'codePage', n: 16 },
      { op: 'align', align: 'center' },
      { op: 'bold', on: true },
      { op: 'size', width: 2, height: 1 },
      { op: 'text', bytes: Buffer.from('Hi') },
      { op: 'lineFeed' },
      { op: 'raster', mode: 0, bytesPerRow: 1, rows: 2, data: Buffer.from([0x80, 0x01]) },
      { op: 'feedLines', lines: 3 },
      { op: 'status', n: 2 },
      { op: 'cut', partial: true, feed: 0 },
    ]);
  });

  it('gives the same commands when the bytes arrive one at a time', () => {
    const stream = Buffer.concat([
      initialize(), Buffer.from('AB'), rasterImage(2, 2, Buffer.from([1, 2, 3, 4])), cut('full'),
    ]);
    const parser = new EscPosParser();
    const oneByOne = [...stream].flatMap((b) => parser.push(Buffer.from([b])));
    const merged = oneByOne.filter((c) => c.op !== 'text');
    const whole = parseEscPos(stream).filter((c) => c.op !== 'text');
    expect(merged).toEqual(whole);
    const text = oneByOne.filter((c) => c.op === 'text').map((c) => c.op === 'text' && c.bytes);
    expect(Buffer.concat(text as Buffer[]).toString()).toBe('AB');
    expect(parser.end()).toEqual([]);
  });

  it('skips commands of known length whole, so their parameters are not text', () => {
    // ESC p 0 25 250 (drawer kick), a GS ( L graphics command with 8 parameter bytes, and a
    // GS ( k QR store command with 5 data bytes, decoded rather than skipped.
    const stream = Buffer.from('1B70301932' + '1D284C08003043414243444546'
      + '1D286B0800315030' + '4142433434' + '0A', 'hex');
    const ops = parseEscPos(stream);
    expect(ops.map((c) => c.op)).toEqual(['skipped', 'skipped', 'qr', 'lineFeed']);
    expect(ops[0]).toMatchObject({ name: 'ESC p', offset: 0 });
    expect(ops[1]).toMatchObject({ name: 'GS (L', offset: 5 });
    expect(ops[2]).toMatchObject({ op: 'qr', offset: 18, fn: 0x50 });
    expect(ops[2]?.op === 'qr' && ops[2].params.toString('hex')).toBe('304142433434');
  });

  it('reports an unknown command with its offset and goes on', () => {
    const ops = parseEscPos(Buffer.from('41 1B 99 42 0A'.replace(/ /g, ''), 'hex'));
    expect(ops[1]).toMatchObject({ op: 'unknown', offset: 1, reason: 'ESC 99' });
    expect(ops.at(-1)).toMatchObject({ op: 'lineFeed', offset: 4 });
  });

  it('reports a command cut off by the end of the stream', () => {
    const ops = parseEscPos(rasterImage(48, 10, Buffer.alloc(480)).subarray(0, 100));
    expect(ops).toEqual([
      expect.objectContaining({ op: 'unknown', offset: 0, reason: 'truncated command' }),
    ]);
  });
});
