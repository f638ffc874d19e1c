export type Screen = [string, string];

export interface UnknownDisplayBytes {
  offset: number;
  bytes: Buffer;
}

export type Step = { length: number } | 'more';

/**
 * The display side of a 2-line command set: the screen as the characters shown, and the
 * screens as they stood at the moments a command set marks as whole (its own rule, see
 * each decoder) or when the received bytes paused on a whole command, one entry per distinct
 * screen. The first rule keeps screens that arrive in one read, as a fast sender's do through
 * a pty. Unknown bytes are kept for the tests and skipped one at a time.
 */
export abstract class ScreenDecoder {
  protected rows: string[][];
  protected row = 0;
  protected col = 0;
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

  /** Decodes one command at pos: its length, or 'more' when it is not all there yet. */
  protected abstract step(buf: Buffer, pos: number): Step;

  protected record(): void {
    const screen = this.lines();
    const last = this.screens[this.screens.length - 1];
    if (last && last[0] === screen[0] && last[1] === screen[1]) return;
    this.screens.push(screen);
    for (const listener of this.listeners) listener(screen);
  }

  protected blankRow(): string[] {
    return Array.from({ length: this.columns }, () => ' ');
  }

  protected put(ch: string): void {
    this.rows[this.row]![this.col] = ch;
    this.advance();
  }

  /** Overwrite mode: past the last column the cursor goes to the next line, then home. */
  /**
   * The control codes both command sets give the same meaning (CD5220 and Epson's display
   * set: CLR 0C, CAN 18, HOM 0B, CR, LF, BS, HT); true when `b` was one.
   */
  protected control(b: number): boolean {
    switch (b) {
      case 0x0c: this.clear(); return true;
      case 0x18: this.clearLine(); return true;
      case 0x0b: this.home(); return true;
      case 0x0d: this.col = 0; return true;
      case 0x0a: this.row = 1; return true;
      case 0x08: this.col = Math.max(0, this.col - 1); return true;
      case 0x09: this.advance(); return true;
      default: return false;
    }
  }

  protected advance(): void {
    this.col++;
    if (this.col < this.columns) return;
    this.col = 0;
    this.row = this.row === 0 ? 1 : 0;
  }

  protected home(): void {
    this.row = 0;
    this.col = 0;
  }

  protected clear(): void {
    this.rows = [this.blankRow(), this.blankRow()];
    this.home();
  }

  protected clearLine(): void {
    this.rows[this.row] = this.blankRow();
    this.col = 0;
  }

  protected reportUnknown(buf: Buffer, pos: number, length: number): Step {
    const bytes = Buffer.from(buf.subarray(pos, Math.min(pos + length, buf.length)));
    this.unknownBytes.push({ offset: this.base + pos, bytes });
    return { length: 1 };
  }
}
