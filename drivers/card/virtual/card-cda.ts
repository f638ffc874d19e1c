import { createPrivateKey, createPublicKey } from 'node:crypto';
import { encodeTlv, parseTlv } from '../../../src/emv/tlv';
import { cdaSignature, sha1, type TestKey } from './test-ca';

/**
 * The card's half of CDA (EMV Book 2 6.6.1) for profile cards with an ICC key: the answer to
 * GENERATE AC is signed, with the cryptogram inside the signature instead of in 9F26.
 */
export function iccKeyOf(pem: string): TestKey {
  const privateKey = createPrivateKey(pem);
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return {
    modulus: Buffer.from(jwk.n!, 'base64url'), exponent: Buffer.from(jwk.e!, 'base64url'),
    privateKey,
  };
}

const CID_TYPE = 0xc0;
const AAC = 0x00;

/**
 * Turns the plain answer 77 { 9F27, 9F36, 9F26, 9F10 } into 77 { 9F27, 9F36, 9F4B, 9F10 }.
 * The transaction data hash covers PDOL data, CDOL data and the answer's objects but 9F4B,
 * in the order sent; the ICC dynamic number is 8 bytes drawn from the ATC and the terminal's
 * unpredictable number, so that each transaction has its own. An AAC stays unsigned.
 */
export function cdaAnswer(key: TestKey, plain: Buffer, input: {
  pdolData: Buffer; cdolData: Buffer; unpredictableNumber: Buffer; atc: number;
}): Buffer {
  const children = parseTlv(plain)[0]?.children ?? [];
  const value = (tag: string): Buffer => children.find((n) => n.tag === tag)!.value;
  const cid = value('9F27')[0]!;
  if ((cid & CID_TYPE) === AAC) return plain;
  const others = [
    encodeTlv('9F27', value('9F27')), encodeTlv('9F36', value('9F36')),
    encodeTlv('9F10', value('9F10')),
  ];
  const atc = Buffer.alloc(2);
  atc.writeUInt16BE(input.atc);
  const signature = cdaSignature(key, {
    iccDynamicNumber: sha1(atc, input.unpredictableNumber).subarray(0, 8), cid,
    cryptogram: value('9F26'),
    transactionDataHash: sha1(input.pdolData, input.cdolData, ...others),
    unpredictableNumber: input.unpredictableNumber,
  });
  const [cidTlv, atcTlv, iadTlv] = others;
  return encodeTlv('77', [cidTlv!, atcTlv!, encodeTlv('9F4B', signature), iadTlv!]);
}
