import { expect } from 'vitest';

/** Hex with spaces allowed. */
export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** A command (hex) the card must receive and the response (hex) it gives. */
export type ScriptStep = readonly [command: string, response: string];

/**
 * A card channel that expects exactly the given commands, in order, and answers each with the
 * canned response. A command that differs from the script fails the test at once.
 */
export class ScriptedCard {
  private position = 0;
  readonly sent: Buffer[] = [];

  constructor(private readonly script: readonly ScriptStep[]) {}

  async transmit(command: Buffer): Promise<Buffer> {
    const step = this.script[this.position];
    this.sent.push(Buffer.from(command));
    if (step === undefined) throw new Error(`unexpected command ${command.toString('hex')}`);
    expect(command.toString('hex').toUpperCase(), `command ${this.position + 1}`)
      .toBe(step[0].replace(/\s+/g, '').toUpperCase());
    this.position += 1;
    return hex(step[1]);
  }

  /** True when every scripted command was sent. */
  get done(): boolean {
    return this.position === this.script.length;
  }
}
