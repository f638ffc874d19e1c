/**
 * The CD5220 command set, spoken by most 2×20 VFD pole displays (and by displays that
 * emulate it, often the factory default). From the CD5220 standard-mode command list:
 *   ESC @        1B 40             initialise the display (clears it, cursor home)
 *   CLR          0C                clear the screen and leave string mode
 *   CAN          18                clear the cursor's line and leave string mode
 *   ESC Q A … CR 1B 51 41 [n]×20 0D write a string to the upper line (string display mode)
 *   ESC Q B … CR 1B 51 42 [n]×20 0D write a string to the lower line
 *   ESC Q D … CR 1B 51 44 [n]×m 0D  scroll a message (m < 40) on the upper line
 *   HOM          0B                cursor home; ESC [ H (1B 5B 48) does the same
 *   ESC l x y    1B 6C x y         cursor to column x (1..20), line y (1..2)
 * While in string mode the display takes only ESC Q A / ESC Q B, CLR and CAN, so quay
 * writes whole lines with ESC Q A and ESC Q B and nothing else after initialising.
 */
export const ESC = 0x1b;
export const CLR = 0x0c;
export const CAN = 0x18;
export const CR = 0x0d;

/** ESC @ then CLR: a known state whatever the display was doing. */
export function initDisplay(): Buffer {
  return Buffer.from([ESC, 0x40, CLR]);
}

/** The line as display bytes: exactly `columns` printable ASCII characters, space padded. */
export function lineBytes(text: string, columns: number): Buffer {
  const ascii = text.replace(/[^\x20-\x7e]/g, '?').slice(0, columns).padEnd(columns);
  return Buffer.from(ascii, 'latin1');
}

/** ESC Q A (upper, line 1) or ESC Q B (lower, line 2), the string, CR. */
export function writeLine(line: 1 | 2, text: string, columns = 20): Buffer {
  return Buffer.concat([
    Buffer.from([ESC, 0x51, line === 1 ? 0x41 : 0x42]),
    lineBytes(text, columns),
    Buffer.from([CR]),
  ]);
}

/** Both lines; each is written whole, so no clear (and no flicker) is needed between screens. */
export function showLines(first: string, second: string, columns = 20): Buffer {
  return Buffer.concat([writeLine(1, first, columns), writeLine(2, second, columns)]);
}
