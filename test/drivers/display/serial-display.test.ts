import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openDisplaySimulator, startDisplayPty, type DisplayPty, type DisplaySimulator,
} from '../../../drivers/display/display-simulator';
import { SerialDisplay } from '../../../drivers/display/serial-display';
import { DisplayError } from '../../../src/errors';
import { displayLines, type DisplayEvent } from '../../../src/display/lines';

// Over a real pseudo-terminal pair made by socat. Without socat this file fails (it does not
// skip): startDisplayPty rejects with "socat is not installed: apt-get install socat".
describe('SerialDisplay over a socat pty pair', () => {
  let pty: DisplayPty;
  let simulator: DisplaySimulator;
  let display: SerialDisplay;

  beforeAll(async () => {
    pty = await startDisplayPty();
    simulator = await openDisplaySimulator(pty.simulatorPath);
    display = new SerialDisplay({ path: pty.devicePath, baudRate: 9600 });
  });
  afterAll(async () => {
    await display?.close();
    await simulator?.close();
    await pty?.close();
  });

  it('shows exactly the lines of each payment step, in order', async () => {
    const steps: DisplayEvent[] = [
      { kind: 'idle' },
      { kind: 'insertCard', amount: 150_000 },
      { kind: 'processing' },
      { kind: 'approved', amount: 150_000 },
      { kind: 'removeCard' },
    ];
    for (const step of steps) {
      const lines = displayLines(step);
      await display.show(...lines);
      expect(await simulator.waitFor(lines)).toEqual(lines);
    }
    const history = simulator.history().map(([a, b]) => `${a}|${b}`);
    const expected = steps.map((s) => displayLines(s).join('|'));
    expect(history.filter((h) => expected.includes(h))).toEqual(expected);
    expect(simulator.unknown()).toEqual([]);
  });

  it('rejects with DISPLAY_ERROR when the port cannot be opened', async () => {
    const missing = new SerialDisplay({ path: '/dev/quay-no-such-display' });
    await expect(missing.show('A', 'B')).rejects.toBeInstanceOf(DisplayError);
    await expect(missing.show('A', 'B')).rejects.toMatchObject({
      code: 'DISPLAY_ERROR', detail: { path: '/dev/quay-no-such-display', what: 'open' },
    });
  });
});
