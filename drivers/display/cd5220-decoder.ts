import { CAN, CLR, CR, ESC } from './cd5220';

export type Screen = [string, string];

export interface UnknownDisplayBytes {
  offset: number;
  bytes: Buffer;
}

type Step = { length: number } | 'more';

/** Parameter-taking ESC commands that only change settings: second byte → total length. */
const ESC_SETTINGS: Record<number, number> = {
  0x11: 2, 0x12: 2, 0x13: 2, // overwrite, vertical scroll, horizontal scroll mode
  0x2a: 3, 0x5f: 3, 0x3d: 3, 0x66: 3, 0x63: 3, // brightness, cursor, device, font set
  0x25: 3, 0x3f: 3, 0x73: 3, 0x64: 3, // download characters on/off, delete, store, load
  0x57: 6, // ESC W s x1 x2 y: horizontal scroll window
};

/**
 * The display side of CD5220: keeps a two-line screen as the characters shown, and the
 * screens as they stood whenever the lower line was written whole (ESC Q B) or the received
 * bytes paused on a whole command (one entry per distinct screen). The first rule keeps
 * screens that arrive in one read, as a fast sender's do through a pty. Unknown bytes are
 * kept for the tests and skipped one at a time.
 */
export class Cd5220Decoder {
  private rows: string[][];
  private row = 0;
  private col = 0;
  private pending = Buffer.alloc(0);
  private base = 0;
  private readonly screens: Screen[] = [];
  private readonly unknownBytes: UnknownDisplayBytes[] = [];
  private readonly listeners = new Set<(screen: Screen) => void>();

  constructor(readonly columns = 20) {
    this.rows = [this.blankRow(), this.blankRow()];
  }

  lines(): Screen {
    return [this.rows[0]!.join(''), this.rows[1]!.join('')];
  }

  history(): Screen[] {
    return this.screens.map(([a, b]) => [a, b]);
  }

  unknown(): UnknownDisplayBytes[] {
    return [...this.unknownBytes];
  }

  /** Called with the screen each time a new one is recorded in the history. */
  onScreen(listener: (screen: Screen) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  feed(chunk: Buffer): void {
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let pos = 0;
    while (pos < buf.length) {
      const step = this.step(buf, pos);
      if (step === 'more') break;
      pos += step.length;
    }
    this.pending = Buffer.from(buf.subarray(pos));
    this.base += pos;
    if (this.pending.length === 0) this.record();
  }

  private record(): void {
    const screen = this.lines();
    const last = this.screens[this.screens.length - 1];
    if (last && last[0] === screen[0] && last[1] === screen[1]) return;
    this.screens.push(screen);
    for (const listener of this.listeners) listener(screen);
  }

  private blankRow(): string[] {
    return Array.from({ length: this.columns }, () => ' ');
  }

  private step(buf: Buffer, pos: number): Step {
    const b = buf[pos]!;
    if (b >= 0x20 && b <= 0x7e) {
      this.put(String.fromCharCode(b));
      return { length: 1 };
    }
    switch (b) {
      case ESC: return this.escape(buf, pos);
      case CLR: this.clear(); return { length: 1 };
      case CAN: this.rows[this.row] = this.blankRow(); this.col = 0; return { length: 1 };
      case CR: this.col = 0; return { length: 1 };
      case 0x0a: this.row = 1; return { length: 1 };
      case 0x0b: this.home(); return { length: 1 };
      case 0x08: this.col = Math.max(0, this.col - 1); return { length: 1 };
      case 0x09: this.advance(); return { length: 1 };
      default: return this.reportUnknown(buf, pos, 1);
    }
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

  private put(ch: string): void {
    this.rows[this.row]![this.col] = ch;
    this.advance();
  }

  /** Overwrite mode: past the last column the cursor goes to the next line, then home. */
  private advance(): void {
    this.col++;
    if (this.col < this.columns) return;
    this.col = 0;
    this.row = this.row === 0 ? 1 : 0;
  }

  private home(): void {
    this.row = 0;
    this.col = 0;
  }

  private clear(): void {
    this.rows = [this.blankRow(), this.blankRow()];
    this.home();
  }

  private reportUnknown(buf: Buffer, pos: number, length: number): Step {
    const bytes = Buffer.from(buf.subarray(pos, Math.min(pos + length, buf.length)));
    this.unknownBytes.push({ offset: this.base + pos, bytes });
    return { length: 1 };
  }
}
