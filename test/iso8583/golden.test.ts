import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadLayout } from '../../src/iso8583/layouts';
import { pack, unpack } from '../../src/iso8583/pack';

// Golden captures from moov-io/iso8583 (see test/fixtures/iso8583/SOURCE.md), ASCII layout.
const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../fixtures/iso8583/${name}`, import.meta.url));

const layout = loadLayout('iso87-ascii');

function decoded(name: string): { mti: string; fields: Record<string, string | Buffer> } {
  const message = unpack(fixture(name), layout);
  return { mti: message.mti, fields: Object.fromEntries(message.fields) };
}

describe('iso87-ascii golden messages', () => {
  it('reads the reversal exactly as the published decoding (MTI, fields 2..128)', () => {
    const expected = JSON.parse(fixture('iso_reversal_message.json').toString('utf8')) as {
      mti: string; elements: Record<string, string>;
    };
    const wanted = Object.fromEntries(Object.entries(expected.elements)
      .filter(([id]) => Number(id) >= 2));
    const got = decoded('iso_reversal_message.dat');
    expect(got.mti).toBe(expected.mti);
    expect(got.fields).toEqual(wanted);
    // The secondary bitmap announces field 90 only.
    expect(Object.keys(got.fields).filter((id) => Number(id) > 64)).toEqual(['90']);
  });

  it('reads the 0200 financial request', () => {
    const got = decoded('financial_transaction_message.dat');
    expect(got.mti).toBe('0200');
    expect(got.fields).toEqual({
      3: '380000', 4: '000000000000', 7: '0420050805', 11: '011392', 12: '120805',
      13: '0420', 15: '0422', 18: '5132', 32: '2000001', 37: '000000115604',
      42: '0800411        ', 48: '511463331563', 49: '360', 60: '99',
    });
  });

  it('reads the 0210 response, whose field 48 carries 163 characters', () => {
    const got = decoded('financial_transaction_message_response.dat');
    expect(got.mti).toBe('0210');
    expect(got.fields[39]).toBe('00');
    expect(got.fields[11]).toBe('011392');
    const f48 = got.fields[48] as string;
    expect(f48).toHaveLength(163);
    expect(f48.startsWith('011511463331563GBAAASDD ERRR')).toBe(true);
    expect(f48.slice(28).trim()).toBe('');
    expect(got.fields[60]).toBe('1B54391001');
  });

  it('reads the 0800/0810 network messages with fields 70 and 73 from the secondary bitmap', () => {
    const request = decoded('network_management_message.dat');
    expect(request).toEqual({
      mti: '0800',
      fields: { 7: '0420090613', 11: '900001', 12: '090613', 13: '0420', 15: '0420', 70: '001' },
    });
    const response = decoded('network_management_message_response.dat');
    expect(response.mti).toBe('0810');
    expect(response.fields).toEqual({
      7: '0420090613', 11: '900001', 12: '090613', 13: '0420', 15: '0420', 39: '00', 70: '001',
      73: '031128',
    });
  });

  it.each([
    'financial_transaction_message.dat', 'financial_transaction_message_response.dat',
    'iso_reversal_message.dat', 'network_management_message.dat',
    'network_management_message_response.dat',
  ])('repacks %s byte for byte', (name) => {
    const bytes = fixture(name);
    expect(pack(unpack(bytes, layout), layout).equals(bytes)).toBe(true);
  });
});
