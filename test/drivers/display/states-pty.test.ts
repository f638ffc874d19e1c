import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DisplayCommandSetName } from '../../../drivers/display/command-set';
import {
  openDisplaySimulator, type DisplaySimulator,
} from '../../../drivers/display/display-simulator';
import { startPtyPair, type PtyPair } from '../../../drivers/display/pty-pair';
import { SerialDisplay } from '../../../drivers/display/serial-display';
import { showEvent } from '../../../src/display/show';
import { STATE_SCREENS } from './states';

// Over a socat pty pair, once per command set: the display driver on one end, the display
// simulator decoding that command set on the other.
describe.each(['cd5220', 'epson'] as DisplayCommandSetName[])(
  'the display simulator on a pty (%s)', (set) => {
    let pty: PtyPair;
    let simulator: DisplaySimulator;
    let display: SerialDisplay;

    beforeAll(async () => {
      pty = await startPtyPair();
      simulator = await openDisplaySimulator(pty.simulatorPath, { commandSet: set });
      display = new SerialDisplay({ path: pty.devicePath, commandSet: set, brightness: 3 });
    });
    afterAll(async () => {
      await display?.close();
      await simulator?.close();
      await pty?.close();
    });

    it('shows the expected two lines for each state, in order', async () => {
      for (const [name, event, lines] of STATE_SCREENS) {
        await showEvent(display, event);
        expect(await simulator.waitFor(lines), name).toEqual(lines);
      }
      const wanted = STATE_SCREENS.map(([, , lines]) => lines.join('|'));
      const shown = simulator.history().map((s) => s.join('|'));
      expect(shown.filter((s) => wanted.includes(s))).toEqual(wanted);
      expect(simulator.unknown()).toEqual([]);
    });
  });
