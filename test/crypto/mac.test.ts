import { describe, expect, it } from 'vitest';
import { padForMac, retailMac } from '../../src/crypto/mac';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');

// ISO/IEC 9797-1 MAC algorithm 3 vectors from github.com/openemv/crypto
// (test/crypto_tdes2_retail_mac_test.c), see ../shared/testdata/vectors/README.md.
const KEY = hex('0123456789ABCDEF FEDCBA9876543210');

describe('retailMac', () => {
  it('gives the published value for whole blocks', () => {
    const data = Buffer.from('Now is the time for all ', 'latin1');
    expect(retailMac(KEY, data, 'zero')).toEqual(hex('A1C72E74EA3FA9B6'));
  });

  it('gives the published value for data zero-padded to a block', () => {
    const data = Buffer.from('Now is the time for it', 'latin1');
    expect(retailMac(KEY, data, 'zero')).toEqual(hex('2E2B1428CC78254F'));
  });

  it('with ISO padding 2 is the zero-padding MAC of data || 80', () => {
    const data = Buffer.from('Now is the time for it', 'latin1');
    const explicit = Buffer.concat([data, hex('80')]);
    expect(retailMac(KEY, data, 'iso2')).toEqual(retailMac(KEY, explicit, 'zero'));
    expect(retailMac(KEY, data, 'iso2')).not.toEqual(retailMac(KEY, data, 'zero'));
  });

  it('refuses a key that is not double length', () => {
    expect(() => retailMac(Buffer.alloc(24), Buffer.alloc(8), 'zero')).toThrow(RangeError);
  });
});

describe('padForMac', () => {
  it('method 1 adds nothing to whole blocks and pads empty data to one block', () => {
    expect(padForMac(hex('0102030405060708'), 'zero')).toEqual(hex('0102030405060708'));
    expect(padForMac(Buffer.alloc(0), 'zero')).toEqual(Buffer.alloc(8));
    expect(padForMac(hex('01'), 'zero')).toEqual(hex('0100000000000000'));
  });

  it('method 2 always adds 80, a whole block when aligned', () => {
    expect(padForMac(hex('0102030405060708'), 'iso2'))
      .toEqual(hex('0102030405060708 8000000000000000'));
    expect(padForMac(hex('0102'), 'iso2')).toEqual(hex('0102800000000000'));
  });
});
