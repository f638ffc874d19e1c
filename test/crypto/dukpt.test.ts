import { describe, expect, it } from 'vitest';
import {
  aesDerivationKey, aesInitialKey, decryptPinDukpt, deriveIpek, encryptPinBlock,
  encryptPinDukpt, format0PinBlock, isUsableCounter, ksnCounter, ksnWithCounter, pinFromFormat0,
  pinKeyFromBdk, pinVariant, transactionKey,
} from '../../src/crypto/dukpt';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');

// ANSI X9.24-1:2009 annex A.4 and X9.24-3:2017 values as published in github.com/openemv/dukpt
// (test/dukpt_tdes_test.c, test/dukpt_aes128_test.c); see ../shared/testdata/vectors/README.md.
const BDK = hex('0123456789ABCDEFFEDCBA9876543210');
const KSN0 = hex('FFFF9876543210E00000');
const KSN1 = hex('FFFF9876543210E00001');

describe('TDES DUKPT', () => {
  it('derives the published initial key from BDK and KSN, whatever the counter', () => {
    expect(deriveIpek(BDK, KSN0)).toEqual(hex('6AC292FAA1315B4D858AB3A3D7D5933A'));
    expect(deriveIpek(BDK, KSN1)).toEqual(hex('6AC292FAA1315B4D858AB3A3D7D5933A'));
  });

  it('derives the published transaction key and PIN variant for counter 1', () => {
    const key = transactionKey(deriveIpek(BDK, KSN0), KSN1);
    expect(key).toEqual(hex('042666B49184CFA368DE9628D0397BC9'));
    expect(pinVariant(key)).toEqual(hex('042666B49184CF5C68DE9628D0397B36'));
    expect(pinKeyFromBdk(BDK, KSN1)).toEqual(hex('042666B49184CF5C68DE9628D0397B36'));
  });

  it('encrypts the published format 0 PIN block to the published value', () => {
    const clear = format0PinBlock('1234', '4012345678909');
    expect(clear).toEqual(hex('041274EDCBA9876F'));
    const key = pinVariant(transactionKey(deriveIpek(BDK, KSN0), KSN1));
    expect(encryptPinBlock(key, clear)).toEqual(hex('1B9C1845EB993A7A'));
    expect(encryptPinDukpt(deriveIpek(BDK, KSN0), KSN1, '1234', '4012345678909'))
      .toEqual(hex('1B9C1845EB993A7A'));
  });

  it('recovers the PIN on the bank side and refuses another PAN or key', () => {
    const block = hex('1B9C1845EB993A7A');
    expect(decryptPinDukpt(BDK, KSN1, block, '4012345678909')).toBe('1234');
    expect(decryptPinDukpt(BDK, ksnWithCounter(KSN1, 2), block, '4012345678909')).toBeNull();
  });

  it('gives a different key for each counter and round-trips PINs at higher counters', () => {
    const ipek = deriveIpek(BDK, KSN0);
    const k2 = transactionKey(ipek, ksnWithCounter(KSN0, 2));
    const k3 = transactionKey(ipek, ksnWithCounter(KSN0, 3));
    expect(k2.equals(k3)).toBe(false);
    const ksn = ksnWithCounter(KSN0, 0x1ff800);
    const block = encryptPinDukpt(ipek, ksn, '987654', '4111111111111111');
    expect(decryptPinDukpt(BDK, ksn, block, '4111111111111111')).toBe('987654');
  });

  it('reads and writes the 21-bit counter without touching the key set bits', () => {
    expect(ksnCounter(KSN1)).toBe(1);
    expect(ksnWithCounter(KSN0, 0x1fffff).toString('hex').toUpperCase())
      .toBe('FFFF9876543210FFFFFF');
    expect(ksnWithCounter(hex('FFFF9876543210FFFFFF'), 5).toString('hex').toUpperCase())
      .toBe('FFFF9876543210E00005');
    expect(isUsableCounter(0x3ff)).toBe(true);
    expect(isUsableCounter(0x7ff)).toBe(false);
    expect(() => ksnWithCounter(KSN0, 0x200000)).toThrow(RangeError);
  });
});

describe('ISO 9564 format 0', () => {
  it('reads back the PIN, binds it to the PAN and refuses blocks that are not format 0', () => {
    expect(pinFromFormat0(hex('041274EDCBA9876F'), '4012345678909')).toBe('1234');
    expect(pinFromFormat0(hex('141274EDCBA9876F'), '4012345678909')).toBeNull();
    expect(pinFromFormat0(hex('041274EDCBA9876F'), '4012345678901')).toBe('1234');
    // Another PAN still gives a well-formed block, but with other digits: the PIN check fails.
    expect(pinFromFormat0(hex('041274EDCBA9876F'), '5012345678909')).toBe('1224');
    expect(pinFromFormat0(hex('041234FFFFFFFFFF'), '4012345678909')).toBeNull();
  });
});

describe('AES DUKPT', () => {
  const AES_BDK = hex('FEDCBA9876543210F1F1F1F1F1F1F1F1');
  const IKID = hex('1234567890123456');

  it('derives the published initial key and derivation key for counter 1', () => {
    const initial = aesInitialKey(AES_BDK, IKID);
    expect(initial).toEqual(hex('1273671EA26AC29AFA4D1084127652A1'));
    expect(aesDerivationKey(initial, IKID, 1)).toEqual(hex('4F21B565BAD9835E112B6465635EAE44'));
  });
});
