import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';
import { RequestError } from '../errors';

/** An answer checked: its value, or what is wrong with it in both languages. */
export type Checked<T> = { value: T } | { problem: string };

export interface Question<T> {
  label: string;
  /** Taken when the answer is empty; shown in brackets unless secret. */
  fallback?: string;
  /** A key or component: not echoed on a terminal, its default never shown. */
  secret?: boolean;
  check(answer: string): Checked<T>;
}

/**
 * Questions on a text stream with Node's readline, as a technician answers them: a default
 * in brackets taken by Enter, a wrong answer named and asked again. Lines are read through
 * readline's iterator, so answers typed (or piped) ahead of their question are kept.
 */
export class Prompter {
  private readonly rl: Interface;
  private readonly lines: AsyncIterator<string>;
  private readonly echo: MutableOutput;

  constructor(input: NodeJS.ReadableStream, private readonly output: NodeJS.WritableStream) {
    const tty = (input as { isTTY?: boolean }).isTTY === true;
    this.echo = new MutableOutput(output);
    this.rl = createInterface({ input, output: this.echo, terminal: tty });
    this.lines = this.rl[Symbol.asyncIterator]();
  }

  async ask<T>(question: Question<T>): Promise<T> {
    for (;;) {
      const shown = question.fallback && !question.secret ? ` [${question.fallback}]` : '';
      this.output.write(`${question.label}${shown}: `);
      this.echo.muted = question.secret === true;
      const next = await this.lines.next();
      this.echo.muted = false;
      if (question.secret) this.output.write('\n');
      if (next.done) {
        throw new RequestError('REQUEST_INVALID', `the input ended before "${question.label}" `
          + 'was answered');
      }
      const typed = String(next.value).trim();
      const checked = question.check(typed === '' ? question.fallback ?? '' : typed);
      if ('value' in checked) return checked.value;
      this.output.write(`  ${checked.problem}\n`);
    }
  }

  /** Writes a line between questions (headings, what was checked). */
  say(line: string): void {
    this.output.write(`${line}\n`);
  }

  close(): void {
    this.rl.close();
  }
}

/** The terminal echo of readline, silenced while a secret is typed. */
class MutableOutput extends Writable {
  muted = false;

  constructor(private readonly target: NodeJS.WritableStream) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    if (!this.muted) this.target.write(chunk);
    done();
  }
}

/** A check from a pattern and the sentence shown when it does not match. */
export function matching(pattern: RegExp, problem: string): (a: string) => Checked<string> {
  return (answer) => (pattern.test(answer) ? { value: answer } : { problem });
}
