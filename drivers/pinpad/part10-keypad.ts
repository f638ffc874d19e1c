import { RequestError } from '../../src/errors';
import type { CardholderEntry } from './emv-pinpad-simulator';

/**
 * The keypad of a PIN-pad card reader, played in software: what such a reader does with a
 * PC/SC part 10 VERIFY_PIN_DIRECT (v2.02.09 2.5.2). It reads the PIN_VERIFY_STRUCTURE,
 * takes the cardholder's entry, writes the PIN and its length into the APDU template where
 * the structure says, sends the APDU to the card and answers with the card's response; or
 * answers with the reader's own status words (6400 no entry in time, 6401 cancel key, 6403
 * a PIN outside the allowed length, 6B80 a structure it cannot use). The in-process reader
 * holds one; the PIN stays inside this file and the virtual card.
 *
 * It handles the layouts an EMV terminal asks for: BCD digits, left-justified, the length
 * in whole nibbles, positions in bits or bytes. Anything else it refuses with 6B80, as a
 * reader does with a structure outside what it supports.
 */

const HEADER_LENGTH = 19;
const APDU_HEADER = 5;
const SW_TIMEOUT = Buffer.from([0x64, 0x00]);
const SW_CANCELLED = Buffer.from([0x64, 0x01]);
const SW_LENGTH = Buffer.from([0x64, 0x03]);
const SW_BAD_STRUCTURE = Buffer.from([0x6b, 0x80]);

interface Layout {
  /** Nibble offsets inside the APDU's data field. */
  pinNibble: number;
  lengthNibble: number;
  minDigits: number;
  maxDigits: number;
  apdu: Buffer;
}

/** The structure's fields this keypad uses; undefined when it cannot follow them. */
export function readPinVerifyStructure(structure: Buffer): Layout | undefined {
  if (structure.length < HEADER_LENGTH) return undefined;
  const format = structure[2]!;
  const block = structure[3]!;
  const lengthFormat = structure[4]!;
  const dataLength = structure.readUInt32LE(15);
  const apdu = structure.subarray(HEADER_LENGTH);
  if (apdu.length !== dataLength || apdu.length !== APDU_HEADER + apdu[4]!) return undefined;
  // BCD (01), left-justified (b2 0), a 4-bit length (bmPINBlockString b7-4).
  if ((format & 0x07) !== 0x01 || block >> 4 !== 4) return undefined;
  const pinBits = ((format >> 3) & 0x0f) * ((format & 0x80) !== 0 ? 8 : 1);
  const lengthBits = (lengthFormat & 0x0f) * ((lengthFormat & 0x10) !== 0 ? 8 : 1);
  if (pinBits % 4 !== 0 || lengthBits % 4 !== 0) return undefined;
  const extra = structure.readUInt16LE(5);
  const layout = { pinNibble: pinBits / 4, lengthNibble: lengthBits / 4, minDigits: extra >> 8,
    maxDigits: extra & 0xff, apdu: Buffer.from(apdu) };
  const nibbles = (apdu.length - APDU_HEADER) * 2;
  if (layout.pinNibble + layout.maxDigits > nibbles || layout.lengthNibble >= nibbles) {
    return undefined;
  }
  return layout;
}

function writeNibble(data: Buffer, nibble: number, value: number): void {
  const at = nibble >> 1;
  if (at >= data.length) throw new RangeError('The PIN does not fit the template');
  data[at] = nibble % 2 === 0 ? (data[at]! & 0x0f) | (value << 4) : (data[at]! & 0xf0) | value;
}

/** The template with the PIN written in: the command the reader sends to the card. */
export function fillTemplate(layout: Layout, pin: string): Buffer {
  const command = Buffer.from(layout.apdu);
  const data = command.subarray(APDU_HEADER);
  writeNibble(data, layout.lengthNibble, pin.length);
  [...pin].forEach((digit, i) => writeNibble(data, layout.pinNibble + i, Number(digit)));
  return command;
}

export class Part10Keypad {
  private readonly script: CardholderEntry[];
  /** The commands it sent to the card, as counts only: never the PIN block. */
  verifies = 0;

  constructor(script: CardholderEntry[] = []) {
    this.script = [...script];
  }

  /** The cardholder's next entries at the reader's keypad. */
  enter(...entries: CardholderEntry[]): void {
    for (const entry of entries) {
      if (typeof entry === 'string' && !/^\d+$/.test(entry)) {
        throw new RequestError('REQUEST_INVALID', 'a keypad takes digits only');
      }
      this.script.push(entry);
    }
  }

  /**
   * One VERIFY_PIN_DIRECT: the answer the reader gives. `send` hands the filled command to
   * the card. An unscripted prompt counts as no entry in time.
   */
  async verify(structure: Buffer, send: (command: Buffer) => Promise<Buffer>): Promise<Buffer> {
    const layout = readPinVerifyStructure(structure);
    if (layout === undefined) return Buffer.from(SW_BAD_STRUCTURE);
    const entry = this.script.shift() ?? { timeout: true };
    if (typeof entry !== 'string') {
      if ('cancel' in entry) return Buffer.from(SW_CANCELLED);
      // A bypass at such a reader is OK with no digits: too short for the structure.
      return Buffer.from('timeout' in entry ? SW_TIMEOUT : SW_LENGTH);
    }
    if (entry.length < layout.minDigits || entry.length > layout.maxDigits) {
      return Buffer.from(SW_LENGTH);
    }
    this.verifies += 1;
    return send(fillTemplate(layout, entry));
  }
}
