import { ESC, US } from './epson';
import { ScreenDecoder, type Step } from './screen-decoder';

/** US commands that only change settings: second byte → total length. */
const US_SETTINGS: Record<number, number> = {
  0x01: 2, 0x02: 2, 0x03: 2, // MD1 overwrite, MD2 vertical scroll, MD3 horizontal scroll
  0x43: 3, 0x58: 3, 0x45: 3, 0x72: 3, // cursor on/off, brightness, blink, reverse
  0x2e: 3, 0x2c: 3, 0x3b: 3, 0x23: 4, // period, comma, semicolon, annunciator
};

/** ESC commands that only change settings: second byte → total length. */
const ESC_SETTINGS: Record<number, number> = {
  0x3d: 3, 0x74: 3, 0x52: 3, 0x25: 3, 0x3f: 3, // device, code table, country, user chars
};

/**
 * The display side of the Epson ESC/POS display command set (see epson.ts and
 * ScreenDecoder): a screen is whole when the last column of the lower line was written, or
 * when the received bytes paused on a whole command.
 */
export class EpsonDecoder extends ScreenDecoder {
  /** Brightness set by US X (1..4); 4 at power-on. */
  brightness = 4;

  protected step(buf: Buffer, pos: number): Step {
    const b = buf[pos]!;
    if (b >= 0x20 && b <= 0x7e) {
      const lastCell = this.row === 1 && this.col === this.columns - 1;
      this.put(String.fromCharCode(b));
      if (lastCell) this.record();
      return { length: 1 };
    }
    if (b === ESC) return this.escape(buf, pos);
    if (b === US) return this.unitSeparator(buf, pos);
    return this.control(b) ? { length: 1 } : this.reportUnknown(buf, pos, 1);
  }

  private escape(buf: Buffer, pos: number): Step {
    const code = buf[pos + 1];
    if (code === undefined) return 'more';
    if (code === 0x40) {
      this.clear();
      this.brightness = 4;
      return { length: 2 };
    }
    const length = ESC_SETTINGS[code];
    if (length === undefined) return this.reportUnknown(buf, pos, 2);
    return pos + length > buf.length ? 'more' : { length };
  }

  private unitSeparator(buf: Buffer, pos: number): Step {
    const code = buf[pos + 1];
    if (code === undefined) return 'more';
    if (code === 0x24) {
      if (pos + 4 > buf.length) return 'more';
      const x = buf[pos + 2]!;
      const y = buf[pos + 3]!;
      // Out of range, the display ignores the whole command, parameters included.
      if (x < 1 || x > this.columns || (y !== 1 && y !== 2)) {
        this.reportUnknown(buf, pos, 4);
        return { length: 4 };
      }
      this.col = x - 1;
      this.row = y - 1;
      return { length: 4 };
    }
    if (code === 0x42) {
      this.row = 1;
      this.col = 0;
      return { length: 2 };
    }
    if (code === 0x0d) {
      this.col = this.columns - 1;
      return { length: 2 };
    }
    if (code === 0x0a) {
      this.row = 0;
      return { length: 2 };
    }
    const length = US_SETTINGS[code];
    if (length === undefined) return this.reportUnknown(buf, pos, 2);
    if (pos + length > buf.length) return 'more';
    if (code === 0x58) this.brightness = buf[pos + 2]!;
    return { length };
  }
}
