import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/acquirer/simulator/random';
import { loadLayout } from '../../src/iso8583/layouts';
import { createMessage } from '../../src/iso8583/message';
import { pack, unpack } from '../../src/iso8583/pack';
import { randomMessage } from './random-message';

const layout = loadLayout('pos-bcd');
const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('pos-bcd layout', () => {
  it('has the fields a bank POS purchase needs', () => {
    for (const id of [2, 3, 4, 11, 12, 13, 14, 22, 23, 24, 25, 35, 37, 38, 39, 41, 42, 49, 52,
      55, 60, 62, 63, 64]) {
      expect(layout.fields.has(id), `field ${id}`).toBe(true);
    }
  });

  it('packs a message to the bytes the format prescribes', () => {
    const message = createMessage('0200', [
      [3, '000000'],
      [4, '450000'], // filled to 12 digits by the layout
      [11, '000123'],
      [22, '051'],
      [35, '4761739001010119D2212201175892888'],
      [41, 'QUAY0001'],
      [55, hex('9F26 08 0102030405060708')],
    ]);
    const expected = hex([
      '0200', // MTI in BCD
      '3020040020800200', // bits 3 4 11 22 35 41 55
      '000000', '000000450000', '000123',
      '0051', // n3 left-padded with a 0 nibble
      '33', '4761739001010119D2212201175892888F', // LL = 33 digits, D separator, F filler
      '5155415930303031', // 'QUAY0001' in ASCII
      '0011', '9F26080102030405060708', // LLL in BCD = 11 bytes
    ].join(''));
    expect(pack(message, layout).toString('hex')).toBe(expected.toString('hex'));
    const back = unpack(expected, layout);
    expect(back.mti).toBe('0200');
    expect(back.fields.get(4)).toBe('000000450000');
    expect(back.fields.get(22)).toBe('051');
    expect(back.fields.get(35)).toBe('4761739001010119D2212201175892888');
    expect(back.fields.get(55)).toEqual(hex('9F26080102030405060708'));
  });

  it('writes a 19-digit PAN right-padded with 0 and a secondary-less bitmap', () => {
    const packed = pack(createMessage('0100', [[2, '4761739001010119012']]), layout);
    expect(packed.toString('hex').toUpperCase()).toBe(
      '0100' + '4000000000000000' + '19' + '47617390010101190120');
  });

  it('turns = in track 2 into the D nibble', () => {
    const packed = pack(createMessage('0200', [[35, '4761739001010119=2212']]), layout);
    expect(unpack(packed, layout).fields.get(35)).toBe('4761739001010119D2212');
  });
});

describe('pos-bcd round trip', () => {
  it('unpacks what it packs, byte-identical on repack, for 500 random messages', () => {
    const random = seededRandom(8583);
    for (let i = 0; i < 500; i += 1) {
      const message = randomMessage(layout, random);
      const bytes = pack(message, layout);
      const back = unpack(bytes, layout);
      expect(back.mti).toBe(message.mti);
      expect(back.fields).toEqual(message.fields);
      expect(pack(back, layout).equals(bytes)).toBe(true);
    }
  });
});
