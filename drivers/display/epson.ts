/**
 * The Epson ESC/POS customer display command set (DM-D series, and the many 2×20 VFDs that
 * offer it beside CD5220), from Epson's DM-D command list:
 *   ESC @        1B 40        initialise: settings to their power-on values, screen cleared,
 *                             cursor home
 *   ESC = n      1B 3D n      select the peripheral that takes the data: n = 2 the display,
 *                             n = 1 the printer (a display wired through a printer's port)
 *   CLR          0C           clear the screen, cursor home
 *   CAN          18           clear the cursor's line, cursor to its left end
 *   HOM          0B           cursor home (upper line, column 1)
 *   US $ x y     1F 24 x y    cursor to column x (1..20), line y (1..2)
 *   US MD1       1F 01        overwrite mode: after the last column of the lower line the
 *                             cursor wraps home, nothing scrolls
 *   US C n       1F 43 n      cursor shown (n = 1) or hidden (n = 0)
 *   US X n       1F 58 n      brightness, n = 1 (dimmest) .. 4 (brightest)
 * quay places the cursor with US $ at the start of each line and writes the line whole, so a
 * screen never depends on where the previous one left the cursor.
 */
export const ESC = 0x1b;
export const US = 0x1f;
export const CLR = 0x0c;
export const CAN = 0x18;
export const HOM = 0x0b;

/** US X n: 1..4. */
export type Brightness = 1 | 2 | 3 | 4;

/** ESC = 2: route what follows to the display (only for a display behind a printer). */
export function selectDisplay(): Buffer {
  return Buffer.from([ESC, 0x3d, 0x02]);
}

/** ESC @, overwrite mode, cursor hidden, brightness, CLR: a known state whatever came before. */
export function initDisplay(brightness: Brightness = 4): Buffer {
  return Buffer.from([ESC, 0x40, US, 0x01, US, 0x43, 0x00, US, 0x58, brightness, CLR]);
}

export function setBrightness(brightness: Brightness): Buffer {
  return Buffer.from([US, 0x58, brightness]);
}

/** US $ x y, both counted from 1. */
export function moveCursor(column: number, line: 1 | 2): Buffer {
  return Buffer.from([US, 0x24, column, line]);
}

/** The line as display bytes: exactly `columns` printable ASCII characters, space padded. */
export function lineBytes(text: string, columns: number): Buffer {
  const ascii = text.replace(/[^\x20-\x7e]/g, '?').slice(0, columns).padEnd(columns);
  return Buffer.from(ascii, 'latin1');
}

/** Both lines, each from its first column: no clear between screens, so no flicker. */
export function showLines(first: string, second: string, columns = 20): Buffer {
  return Buffer.concat([
    moveCursor(1, 1), lineBytes(first, columns),
    moveCursor(1, 2), lineBytes(second, columns),
  ]);
}
