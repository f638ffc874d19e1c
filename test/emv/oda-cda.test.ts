import {
  constants, createHash, generateKeyPairSync, privateEncrypt, type KeyObject,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyCdaSignature, type CdaInput } from '../../src/emv/oda/cda';
import { OdaFailure } from '../../src/emv/oda/failure';
import { encodeTlv } from '../../src/emv/tlv';
import { hex } from './support/scripted-card';

/**
 * CDA signature checks (Book 2 6.6.2) with an ICC key made here (1024 bits, exponent 3): the
 * test plays the card, signing ICC dynamic data that holds the CID, the ARQC and the hash of
 * PDOL data, CDOL1 data and the answer's other objects.
 */
const { publicKey, privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 1024, publicExponent: 3,
});
const jwk = publicKey.export({ format: 'jwk' });
const ICC_KEY = {
  modulus: Buffer.from(jwk.n!, 'base64url'), exponent: Buffer.from(jwk.e!, 'base64url'),
};

const sha1 = (...parts: Buffer[]) => createHash('sha1').update(Buffer.concat(parts)).digest();
const sign = (key: KeyObject, message: Buffer) =>
  privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, message);

const UN = hex('A1B2C3D4');
const PDOL_DATA = hex('00000000 000000450000 0704 0704 260315 00 A1B2C3D4');
const CDOL1_DATA = hex('000000450000 000000000000 0704 0000000000 0704 260315 00 A1B2C3D4');
const ARQC = hex('29CCA15AE665FA2E');
const NUMBER = hex('1A2B3C4D');

function answer(options: { signedCid?: number; hashedCdol?: Buffer } = {}): Buffer {
  const others = [
    encodeTlv('9F27', hex('80')), encodeTlv('9F36', hex('001C')),
    encodeTlv('9F10', hex('06010A03A00000')),
  ];
  const txHash = sha1(PDOL_DATA, options.hashedCdol ?? CDOL1_DATA, ...others);
  const dynamic = Buffer.concat([
    Buffer.from([NUMBER.length]), NUMBER, Buffer.from([options.signedCid ?? 0x80]), ARQC, txHash,
  ]);
  const pad = Buffer.alloc(ICC_KEY.modulus.length - dynamic.length - 25, 0xbb);
  const body = Buffer.concat([hex('05 01'), Buffer.from([dynamic.length]), dynamic, pad]);
  const signature = sign(privateKey, Buffer.concat([hex('6A'), body, sha1(body, UN), hex('BC')]));
  const [cid, atc, iad] = others;
  return Buffer.concat([cid!, atc!, encodeTlv('9F4B', signature), iad!]);
}

const input = (response: Buffer, extra: Partial<CdaInput> = {}): CdaInput => ({
  iccKey: ICC_KEY, response, unpredictableNumber: UN, pdolData: PDOL_DATA,
  cdolData: [CDOL1_DATA], ...extra,
});

function failure(fn: () => unknown): OdaFailure {
  try {
    fn();
  } catch (err) {
    if (err instanceof OdaFailure) return err;
    throw err;
  }
  throw new Error('expected an OdaFailure');
}

describe('verifyCdaSignature', () => {
  it('recovers the cryptogram and the ICC dynamic number from the signature', () => {
    const result = verifyCdaSignature(input(answer()));
    expect(result.cid).toBe(0x80);
    expect(result.cryptogram).toEqual(ARQC);
    expect(result.iccDynamicNumber).toEqual(NUMBER);
  });

  it('fails on another unpredictable number, CDOL data, CID or a changed signature', () => {
    const otherUn = input(answer(), { unpredictableNumber: hex('A1B2C3D5') });
    expect(failure(() => verifyCdaSignature(otherUn)).reason).toBe('hash');
    const txHash = failure(() => verifyCdaSignature(input(answer({ hashedCdol: PDOL_DATA }))));
    expect(txHash.detail).toEqual({ what: 'transaction data hash' });
    expect(failure(() => verifyCdaSignature(input(answer({ signedCid: 0x40 })))).reason)
      .toBe('dynamic-data');
    const changed = answer();
    changed[30] = changed[30]! ^ 0x01; // inside 9F4B
    expect(failure(() => verifyCdaSignature(input(changed))).step).toBe('signed-dynamic-data');
    const noPdol = failure(() => verifyCdaSignature(input(answer(), { pdolData: undefined })));
    expect(noPdol.reason).toBe('hash');
  });

  it('names a missing signature', () => {
    const plain = Buffer.concat([encodeTlv('9F27', hex('80')), encodeTlv('9F26', ARQC)]);
    expect(failure(() => verifyCdaSignature(input(plain))))
      .toMatchObject({ step: 'generate-ac', reason: 'missing', detail: { tag: '9F4B' } });
  });
});
