import { CR, ESC } from './cd5220';
import { ScreenDecoder, type Step } from './screen-decoder';

export type { Screen, UnknownDisplayBytes } from './screen-decoder';

/** Parameter-taking ESC commands that only change settings: second byte → total length. */
const ESC_SETTINGS: Record<number, number> = {
  0x11: 2, 0x12: 2, 0x13: 2, // overwrite, vertical scroll, horizontal scroll mode
  0x2a: 3, 0x5f: 3, 0x3d: 3, 0x66: 3, 0x63: 3, // brightness, cursor, device, font set
  0x25: 3, 0x3f: 3, 0x73: 3, 0x64: 3, // download characters on/off, delete, store, load
  0x57: 6, // ESC W s x1 x2 y: horizontal scroll window
};

/**
 * The display side of CD5220 (see ScreenDecoder): a screen is whole when the lower line was
 * written whole (ESC Q B) or the received bytes paused on a whole command.
 */
export class Cd5220Decoder extends ScreenDecoder {
  protected step(buf: Buffer, pos: number): Step {
    const b = buf[pos]!;
    if (b >= 0x20 && b <= 0x7e) {
      this.put(String.fromCharCode(b));
      return { length: 1 };
    }
    if (b === ESC) return this.escape(buf, pos);
    return this.control(b) ? { length: 1 } : this.reportUnknown(buf, pos, 1);
  }

  private escape(buf: Buffer, pos: number): Step {
    const code = buf[pos + 1];
    if (code === undefined) return 'more';
    if (code === 0x40) {
      this.clear();
      return { length: 2 };
    }
    if (code === 0x51) return this.stringLine(buf, pos);
    if (code === 0x5b) return this.cursorCommand(buf, pos);
    if (code === 0x6c) {
      if (pos + 4 > buf.length) return 'more';
      this.col = Math.min(Math.max(buf[pos + 2]! - 1, 0), this.columns - 1);
      this.row = buf[pos + 3] === 2 ? 1 : 0;
      return { length: 4 };
    }
    const length = ESC_SETTINGS[code];
    if (length === undefined) return this.reportUnknown(buf, pos, 2);
    return pos + length > buf.length ? 'more' : { length };
  }

  /** ESC Q A|B|D text CR: the line is replaced by the text, padded or cut to the width. */
  private stringLine(buf: Buffer, pos: number): Step {
    const which = buf[pos + 2];
    if (which === undefined) return 'more';
    if (which !== 0x41 && which !== 0x42 && which !== 0x44) return this.reportUnknown(buf, pos, 3);
    const end = buf.indexOf(CR, pos + 3);
    if (end < 0) return 'more';
    const text = buf.subarray(pos + 3, end).toString('latin1');
    const row = which === 0x42 ? 1 : 0;
    this.rows[row] = [...text.slice(0, this.columns).padEnd(this.columns)];
    if (row === 1) this.record();
    return { length: end - pos + 1 };
  }

  private cursorCommand(buf: Buffer, pos: number): Step {
    const code = buf[pos + 2];
    if (code === undefined) return 'more';
    const moves: Record<number, () => void> = {
      0x44: () => { this.col = Math.max(0, this.col - 1); },
      0x43: () => this.advance(),
      0x41: () => { this.row = 0; },
      0x42: () => { this.row = 1; },
      0x48: () => this.home(),
      0x4c: () => { this.col = 0; },
      0x52: () => { this.col = this.columns - 1; },
      0x4b: () => { this.row = 1; },
    };
    const move = moves[code];
    if (!move) return this.reportUnknown(buf, pos, 3);
    move();
    return { length: 3 };
  }
}
