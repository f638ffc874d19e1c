import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { initDisplay, lineBytes, showLines, writeLine } from '../../../drivers/display/cd5220';
import { Cd5220Decoder } from '../../../drivers/display/cd5220-decoder';
import { ConsoleDisplay } from '../../../drivers/display/console-display';
import { SimulatedDisplay } from '../../../drivers/display/display-simulator';
import { showEvent } from '../../../src/display/show';

const hex = (b: Buffer): string => b.toString('hex').toUpperCase();
const BLANK = ' '.repeat(20);

describe('CD5220 encoder', () => {
  it('initialises with ESC @ and CLR', () => {
    expect(hex(initDisplay())).toBe('1B400C');
  });

  it('writes a line with ESC Q A / ESC Q B, padded to the width, ended by CR', () => {
    expect(hex(writeLine(1, 'AB', 4))).toBe('1B5141' + '41422020' + '0D');
    expect(hex(writeLine(2, 'ABCDEF', 4))).toBe('1B5142' + '41424344' + '0D');
    expect(showLines('X', 'Y', 2).toString('latin1')).toBe('\x1bQAX \r\x1bQBY \r');
  });

  it('replaces what a display cannot show, so a CR in text cannot end the command', () => {
    expect(lineBytes('Đ\r1', 4).toString('latin1')).toBe('??1 ');
  });
});

describe('CD5220 decoder', () => {
  it('keeps every screen of a burst that arrives in one read', () => {
    const decoder = new Cd5220Decoder();
    decoder.feed(Buffer.concat([initDisplay(), showLines('SO TIEN:', '150.000 VND'),
      showLines('VUI LONG CAM THE', '150.000 VND')]));
    expect(decoder.history().map((s) => s.map((l) => l.trim()).join('|'))).toEqual([
      'SO TIEN:|150.000 VND', 'VUI LONG CAM THE|150.000 VND',
    ]);
  });

  it('shows the lines written with ESC Q A and ESC Q B', () => {
    const d = new Cd5220Decoder();
    d.feed(Buffer.concat([initDisplay(), showLines('SO TIEN:', '150.000 VND')]));
    expect(d.lines()).toEqual(['SO TIEN:'.padEnd(20), '150.000 VND'.padEnd(20)]);
    expect(d.unknown()).toEqual([]);
  });

  it('records a screen only when the bytes pause on a whole command, once per screen', () => {
    const d = new Cd5220Decoder();
    const first = showLines('ONE', 'TWO');
    d.feed(first.subarray(0, 10));
    expect(d.history()).toEqual([]);
    d.feed(first.subarray(10));
    d.feed(writeLine(1, 'THREE'));
    d.feed(writeLine(2, 'FOUR'));
    d.feed(showLines('THREE', 'FOUR'));
    expect(d.history().map(([a, b]) => `${a.trim()}/${b.trim()}`))
      .toEqual(['ONE/TWO', 'THREE/TWO', 'THREE/FOUR']);
  });

  it('writes plain characters at the cursor, with cursor moves and clear', () => {
    const d = new Cd5220Decoder();
    d.feed(Buffer.from('HELLO\x1bl\x05\x02XY\x0bJ', 'latin1'));
    expect(d.lines()).toEqual(['JELLO'.padEnd(20), '    XY'.padEnd(20)]);
    d.feed(Buffer.from([0x0c]));
    expect(d.lines()).toEqual([BLANK, BLANK]);
    d.feed(Buffer.from('A'.repeat(21), 'latin1'));
    expect(d.lines()).toEqual(['A'.repeat(20), 'A'.padEnd(20)]);
  });

  it('skips settings commands and reports unknown bytes with their offsets', () => {
    const d = new Cd5220Decoder();
    d.feed(Buffer.from('\x1b*\x02\x1b_\x00\x07\x1bZOK', 'latin1'));
    expect(d.lines()[0]).toBe('ZOK'.padEnd(20));
    expect(d.unknown().map((u) => [u.offset, hex(u.bytes)])).toEqual([[6, '07'], [7, '1B5A']]);
  });
});

describe('SimulatedDisplay (in process)', () => {
  it('shows what showEvent lays out, through the CD5220 bytes', async () => {
    const display = new SimulatedDisplay();
    await showEvent(display, { kind: 'insertCard', amount: 150_000 });
    await showEvent(display, { kind: 'approved', amount: 150_000 });
    expect(display.simulator.lines()).toEqual(['     THANH CONG     ', '         150.000 VND']);
    expect(display.simulator.history()).toEqual([
      ['  VUI LONG CAM THE  ', '         150.000 VND'],
      ['     THANH CONG     ', '         150.000 VND'],
    ]);
    await expect(display.simulator.waitFor(['     THANH CONG     ', '         150.000 VND']))
      .resolves.toHaveLength(2);
  });
});

describe('ConsoleDisplay', () => {
  it('writes each screen as one line', async () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c.toString()));
    const display = new ConsoleDisplay({ stream });
    await showEvent(display, { kind: 'idle' });
    expect(chunks.join('')).toBe('[display] |    QUAY THU PHI    |      XIN CHAO      |\n');
  });
});
