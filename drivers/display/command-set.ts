import * as cd5220 from './cd5220';
import * as epson from './epson';

/** The two command sets 2×20 pole displays speak; most take either, set by DIP switch. */
export type DisplayCommandSetName = 'cd5220' | 'epson';

/** The bytes of the few things quay asks of a display, in one command set. */
export interface DisplayCommandSet {
  readonly name: DisplayCommandSetName;
  /** Sent once after the port opens: a known, cleared screen. */
  init(brightness?: epson.Brightness): Buffer;
  show(first: string, second: string, columns: number): Buffer;
}

const CD5220: DisplayCommandSet = {
  name: 'cd5220',
  // ESC * n (1B 2A n), n = 1..4, sets the CD5220 brightness after the reset.
  init: (brightness = 4) => Buffer.concat([cd5220.initDisplay(),
    Buffer.from([cd5220.ESC, 0x2a, brightness])]),
  show: (first, second, columns) => cd5220.showLines(first, second, columns),
};

const EPSON: DisplayCommandSet = {
  name: 'epson',
  init: (brightness) => epson.initDisplay(brightness),
  show: (first, second, columns) => epson.showLines(first, second, columns),
};

export function commandSet(name: DisplayCommandSetName = 'cd5220'): DisplayCommandSet {
  return name === 'epson' ? EPSON : CD5220;
}
