import type { Writable } from 'node:stream';
import { DisplayError } from '../../src/errors';
import type { CustomerDisplay } from './types';

export interface ConsoleDisplayOptions {
  stream?: Writable;
  columns?: number;
}

/**
 * The customer display of the embedded default (no hardware): each screen is written to a
 * stream as one line, "[display] |QUAY THU PHI        |XIN CHAO            |", so that it
 * reads well between log lines and can be grepped.
 */
export class ConsoleDisplay implements CustomerDisplay {
  readonly columns: number;
  private readonly stream: Writable;

  constructor(options: ConsoleDisplayOptions = {}) {
    this.columns = options.columns ?? 20;
    this.stream = options.stream ?? process.stdout;
  }

  show(line1: string, line2: string): Promise<void> {
    const fit = (s: string): string => s.slice(0, this.columns).padEnd(this.columns);
    const text = `[display] |${fit(line1)}|${fit(line2)}|\n`;
    return new Promise<void>((resolve, reject) => {
      this.stream.write(text, (err) => {
        if (!err) return resolve();
        reject(new DisplayError('DISPLAY_ERROR', undefined, { cause: err }));
      });
    });
  }

  async close(): Promise<void> {
    // The stream belongs to the caller (stdout by default): it is left open.
  }
}
