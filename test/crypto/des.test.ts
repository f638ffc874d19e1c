import { describe, expect, it } from 'vitest';
import {
  desDecryptEcb, desEncryptEcb, tdesDecryptEcb, tdesEncryptEcb, withOddParity,
} from '../../src/crypto/des';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');

// FIPS 81 appendix B, ECB example: key 0123456789ABCDEF, "Now is the time for all ".
const FIPS81_KEY = hex('0123456789ABCDEF');
const FIPS81_PLAIN = Buffer.from('Now is the time for all ', 'latin1');
const FIPS81_CIPHER = hex('3FA40E8A984D4815 6A271787AB8883F9 893D51EC4B563B53');

describe('single DES', () => {
  it('gives the FIPS 81 ECB example', () => {
    expect(desEncryptEcb(FIPS81_KEY, FIPS81_PLAIN)).toEqual(FIPS81_CIPHER);
    expect(desDecryptEcb(FIPS81_KEY, FIPS81_CIPHER)).toEqual(FIPS81_PLAIN);
  });

  it('refuses keys that are not 8 bytes', () => {
    expect(() => desEncryptEcb(hex('0123456789ABCD'), Buffer.alloc(8))).toThrow(RangeError);
  });
});

describe('triple DES', () => {
  it('with K1 = K2 (= K3) is single DES', () => {
    const doubled = Buffer.concat([FIPS81_KEY, FIPS81_KEY]);
    const tripled = Buffer.concat([FIPS81_KEY, FIPS81_KEY, FIPS81_KEY]);
    expect(tdesEncryptEcb(doubled, FIPS81_PLAIN)).toEqual(FIPS81_CIPHER);
    expect(tdesEncryptEcb(tripled, FIPS81_PLAIN)).toEqual(FIPS81_CIPHER);
  });

  it('with a double-length key is the triple-length key K1|K2|K1', () => {
    const k = hex('0123456789ABCDEF FEDCBA9876543210');
    const k3 = Buffer.concat([k, k.subarray(0, 8)]);
    const plain = hex('0123456789ABCDE7 0000000000000000');
    const cipher = tdesEncryptEcb(k, plain);
    expect(cipher).toEqual(tdesEncryptEcb(k3, plain));
    expect(cipher).not.toEqual(desEncryptEcb(k.subarray(0, 8), plain));
    expect(tdesDecryptEcb(k, cipher)).toEqual(plain);
  });

  it('refuses bad key lengths and partial blocks', () => {
    expect(() => tdesEncryptEcb(Buffer.alloc(8), Buffer.alloc(8))).toThrow(RangeError);
    expect(() => tdesEncryptEcb(Buffer.alloc(16), Buffer.alloc(7))).toThrow(RangeError);
    expect(() => tdesDecryptEcb(Buffer.alloc(24), Buffer.alloc(9))).toThrow(RangeError);
  });
});

describe('withOddParity', () => {
  it('sets the low bit so each byte has an odd number of ones', () => {
    expect(withOddParity(hex('00 01 FE FF 80 7F'))).toEqual(hex('01 01 FE FE 80 7F'));
  });
});
