import { describe, expect, it } from 'vitest';
import { loggableFields } from '../../src/iso8583/loggable';
import { createMessage } from '../../src/iso8583/message';

describe('loggableFields', () => {
  it('masks card and PIN fields and leaves the others readable', () => {
    const message = createMessage('0200', [
      [2, '4761739001010119'], [4, '000000450000'],
      [35, '4761739001010119D25122011234567890'],
      [52, Buffer.from('1B9C1845EB993A7A', 'hex')], [55, Buffer.from('9F2608AABBCCDD', 'hex')],
      [64, Buffer.from('A1C72E74EA3FA9B6', 'hex')],
    ]);
    const shown = loggableFields(message);
    expect(shown).toMatchObject({
      2: '**** **** **** 0119', 4: '000000450000', 52: '1B9C…3A7A (8 bytes)',
      55: '9F26…CCDD (7 bytes)', 64: 'A1C72E74EA3FA9B6',
    });
    expect(shown[35]).toMatch(/^\*+$|…/);
    expect(JSON.stringify(shown)).not.toContain('73900101');
  });
});
