import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/acquirer/simulator/random';
import { loadLayout } from '../../src/iso8583/layouts';
import { createMessage } from '../../src/iso8583/message';
import { pack, unpack } from '../../src/iso8583/pack';
import { randomMessage } from './random-message';

const layout = loadLayout('iso87-ascii');

describe('iso87-ascii fields 65 to 128 (ISO 8583:1987)', () => {
  it('defines every data element from 2 to 128', () => {
    const missing = Array.from({ length: 127 }, (_, i) => i + 2)
      .filter((id) => !layout.fields.has(id));
    expect(missing).toEqual([]);
  });

  it.each([
    [65, { type: 'b', length: 1, lengthKind: 'fixed', encoding: 'hex-ascii' }],
    [66, { type: 'n', length: 1, lengthKind: 'fixed' }],
    [70, { type: 'n', length: 3, lengthKind: 'fixed' }],
    [73, { type: 'n', length: 6, lengthKind: 'fixed' }],
    [74, { type: 'n', length: 10, pad: { side: 'left', char: '0' } }],
    [82, { type: 'n', length: 12 }],
    [86, { type: 'n', length: 16 }],
    [90, { type: 'n', length: 42, lengthKind: 'fixed' }],
    [95, { type: 'an', length: 42, lengthKind: 'fixed' }],
    [96, { type: 'b', length: 8, lengthKind: 'fixed', encoding: 'hex-ascii' }],
    [97, { type: 'an', length: 17, lengthKind: 'fixed' }],
    [98, { type: 'ans', length: 25, lengthKind: 'fixed' }],
    [99, { type: 'n', length: 11, lengthKind: 'LL', prefix: 'ascii' }],
    [102, { type: 'ans', length: 28, lengthKind: 'LL' }],
    [104, { type: 'ans', length: 100, lengthKind: 'LLL' }],
    [105, { type: 'ans', length: 999, lengthKind: 'LLL' }],
    [127, { type: 'ans', length: 999, lengthKind: 'LLL' }],
    [128, { type: 'b', length: 8, lengthKind: 'fixed', encoding: 'hex-ascii' }],
  ] as const)('field %i is %j', (id, expected) => {
    expect(layout.fields.get(id)).toMatchObject(expected);
  });

  it('packs secondary fields after the secondary bitmap, binary ones as hex text', () => {
    const message = createMessage('0800', [
      [11, '000001'], [70, '301'], [99, '97041'], [128, Buffer.from('A1C72E74EA3FA9B6', 'hex')],
    ]);
    const bytes = pack(message, layout);
    expect(bytes.toString('latin1')).toBe('0800' + '8020000000000000' + '0400000020000001'
      + '000001' + '301' + '0597041' + 'A1C72E74EA3FA9B6');
    expect(unpack(bytes, layout).fields).toEqual(message.fields);
  });

  it('carries field 90 whole: original MTI, STAN, date and time, two institution codes', () => {
    // n 42 = MTI 4 + STAN 6 + MMDDhhmmss 10 + acquirer 11 + forwarder 11, zero-filled.
    const original = '0200' + '000123' + '1203091530' + '00000970415' + '00000000000';
    const bytes = pack(createMessage('0400', [[11, '000124'], [90, original]]), layout);
    expect(bytes.toString('latin1')).toBe('0400' + '8020000000000000' + '0000004000000000'
      + '000124' + original);
    expect(() => pack(createMessage('0400', [[90, original.slice(1)]]), layout))
      .toThrow(/length 41 where the field is fixed at 42/);
  });

  it('unpacks what it packs, byte-identical on repack, for 300 random messages', () => {
    const random = seededRandom(1987);
    for (let i = 0; i < 300; i += 1) {
      const message = randomMessage(layout, random);
      const bytes = pack(message, layout);
      const back = unpack(bytes, layout);
      expect(back.fields).toEqual(message.fields);
      expect(pack(back, layout).equals(bytes)).toBe(true);
    }
  });
});
