import { describe, expect, it } from 'vitest';
import { commandSet } from '../../../drivers/display/command-set';
import {
  initDisplay, moveCursor, selectDisplay, setBrightness, showLines,
} from '../../../drivers/display/epson';
import { EpsonDecoder } from '../../../drivers/display/epson-decoder';

const hex = (b: Buffer): string => b.toString('hex');
const pad = (s: string): string => Buffer.from(s.padEnd(20), 'latin1').toString('hex');

describe('Epson display command set', () => {
  it('builds the bytes of the DM-D command list', () => {
    // ESC @, US MD1, US C 0, US X 4, CLR.
    expect(hex(initDisplay())).toBe('1b40' + '1f01' + '1f4300' + '1f5804' + '0c');
    expect(hex(initDisplay(2))).toBe('1b401f011f43001f58020c');
    expect(hex(setBrightness(1))).toBe('1f5801');
    expect(hex(moveCursor(20, 2))).toBe('1f241402');
    expect(hex(selectDisplay())).toBe('1b3d02');
    expect(hex(showLines('QUAY', 'XIN CHAO')))
      .toBe('1f240101' + pad('QUAY') + '1f240102' + pad('XIN CHAO'));
  });

  it('keeps CD5220 as it was, with its brightness after the reset', () => {
    expect(hex(commandSet('cd5220').init(3))).toBe('1b400c' + '1b2a03');
    expect(hex(commandSet('cd5220').show('A', 'B', 20)))
      .toBe('1b5141' + pad('A') + '0d' + '1b5142' + pad('B') + '0d');
    expect(commandSet('epson').show('A', 'B', 20).equals(showLines('A', 'B'))).toBe(true);
  });
});

describe('EpsonDecoder', () => {
  it('shows what the commands put on the screen', () => {
    const d = new EpsonDecoder();
    d.feed(Buffer.concat([initDisplay(2), showLines('SO TIEN:', '150.000 VND')]));
    expect(d.lines()).toEqual(['SO TIEN:            ', '150.000 VND         ']);
    expect(d.brightness).toBe(2);
    expect(d.unknown()).toEqual([]);
  });

  it('records each whole screen even when two arrive in one read', () => {
    const d = new EpsonDecoder();
    d.feed(Buffer.concat([initDisplay(), showLines('ONE', '1'), showLines('TWO', '2')]));
    expect(d.history().slice(-2)).toEqual([
      ['ONE                 ', '1                   '],
      ['TWO                 ', '2                   '],
    ]);
  });

  it('places the cursor with US $, clears a line with CAN and the screen with CLR', () => {
    const d = new EpsonDecoder();
    d.feed(Buffer.from('1f240502' + '414243' + '1f240101' + '5859', 'hex'));
    expect(d.lines()).toEqual(['XY                  ', '    ABC             ']);
    d.feed(Buffer.from('1f240302' + '18', 'hex'));
    expect(d.lines()).toEqual(['XY                  ', ' '.repeat(20)]);
    d.feed(Buffer.from('0c' + '5a', 'hex'));
    expect(d.lines()).toEqual(['Z                   ', ' '.repeat(20)]);
  });

  it('waits for a command split across reads and reports bytes it does not know', () => {
    const d = new EpsonDecoder();
    d.feed(Buffer.from('1f24', 'hex'));
    d.feed(Buffer.from('0202' + '51', 'hex'));
    expect(d.lines()[1]).toBe(' Q                  ');
    d.feed(Buffer.from('1f99' + '1f241502', 'hex'));
    // 1F 99 is no command: skipped a byte at a time (0x99 is then no character either);
    // US $ with column 21 is dropped whole, as the display ignores it.
    expect(d.unknown().map((u) => [u.offset, hex(u.bytes)])).toEqual([
      [5, '1f99'], [6, '99'], [7, '1f241502'],
    ]);
    expect(d.lines()[1]).toBe(' Q                  ');
  });
});
