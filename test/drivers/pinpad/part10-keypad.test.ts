import { describe, expect, it } from 'vitest';
import { pinVerifyStructure } from '../../../drivers/card/pinpad-reader';
import {
  fillTemplate, Part10Keypad, readPinVerifyStructure,
} from '../../../drivers/pinpad/part10-keypad';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const upper = (b: Buffer) => b.toString('hex').toUpperCase();

describe('PIN-pad reader keypad (PC/SC part 10 VERIFY_PIN_DIRECT)', () => {
  it('reads the EMV structure: PIN from nibble 2, length in nibble 1, 4 to 12 digits', () => {
    const layout = readPinVerifyStructure(pinVerifyStructure())!;
    expect(layout).toMatchObject({ pinNibble: 2, lengthNibble: 1, minDigits: 4,
      maxDigits: 12 });
    expect(upper(layout.apdu)).toBe('00200080082FFFFFFFFFFFFFFF');
  });

  it('writes the PIN into the template as a format 2 block', () => {
    const layout = readPinVerifyStructure(pinVerifyStructure())!;
    expect(upper(fillTemplate(layout, '1234'))).toBe('0020008008241234FFFFFFFFFF');
    expect(upper(fillTemplate(layout, '12345'))).toBe('00200080082512345FFFFFFFFF');
    expect(upper(fillTemplate(layout, '123456789012'))).toBe('00200080082C123456789012FF');
  });

  it('reads the same layout with positions in bytes instead of bits', () => {
    const structure = pinVerifyStructure();
    structure[2] = 0x80 | (1 << 3) | 0x01; // PIN at byte 1
    expect(readPinVerifyStructure(structure)).toMatchObject({ pinNibble: 2, lengthNibble: 1 });
  });

  it('refuses what it cannot follow: ASCII, a wrong data length, a PIN past the block', () => {
    const ascii = pinVerifyStructure();
    ascii[2] = 0x42;
    expect(readPinVerifyStructure(ascii)).toBeUndefined();
    const short = pinVerifyStructure();
    short.writeUInt32LE(12, 15);
    expect(readPinVerifyStructure(short)).toBeUndefined();
    const long = pinVerifyStructure();
    long.writeUInt16LE(0x0410, 5); // max 16 digits in an 8-byte block from nibble 2
    expect(readPinVerifyStructure(long)).toBeUndefined();
    expect(readPinVerifyStructure(hex('1E1E'))).toBeUndefined();
  });

  it('sends the filled VERIFY to the card and answers with the card\'s response', async () => {
    const sent: string[] = [];
    const keypad = new Part10Keypad(['1234']);
    const answer = await keypad.verify(pinVerifyStructure(), async (command) => {
      sent.push(upper(command));
      return hex('63C2');
    });
    expect(upper(answer)).toBe('63C2');
    expect(sent).toEqual(['0020008008241234FFFFFFFFFF']);
    expect(keypad.verifies).toBe(1);
  });

  it('answers 6400, 6401, 6403 and 6B80 itself, sending nothing to the card', async () => {
    const keypad = new Part10Keypad([{ timeout: true }, { cancel: true }, { bypass: true },
      '123', '1234567890123']);
    const send = async (): Promise<Buffer> => {
      throw new Error('nothing should reach the card');
    };
    const answers: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      answers.push(upper(await keypad.verify(pinVerifyStructure(), send)));
    }
    answers.push(upper(await keypad.verify(hex('00'), send)));
    expect(answers).toEqual(['6400', '6401', '6403', '6403', '6403', '6B80']);
    // The script has run out: nobody types in time.
    expect(upper(await keypad.verify(pinVerifyStructure(), send))).toBe('6400');
    expect(keypad.verifies).toBe(0);
  });
});
