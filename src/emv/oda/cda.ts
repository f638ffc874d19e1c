import { readLength, readTag } from '../tlv';
import { OdaFailure } from './failure';
import { bodyEnd, checkFrame, checkHash, rsaRecover, sha1, type RsaPublicKey } from './rsa';

/**
 * Combined DDA / application cryptogram generation (EMV Book 2 6.6.2): the card signs, with
 * its ICC private key, ICC dynamic data that holds the cryptogram and a hash of the
 * transaction data, and returns the signature as 9F4B in the 77 answer to GENERATE AC.
 */
export interface CdaInput {
  iccKey: RsaPublicKey;
  /** The value of the 77 template the card answered GENERATE AC with, as received. */
  response: Buffer;
  /** The terminal's Unpredictable Number (9F37) sent in the CDOL data. */
  unpredictableNumber: Buffer;
  /** PDOL data sent in GET PROCESSING OPTIONS (the value of 83), when the card had a PDOL. */
  pdolData?: Buffer;
  /** CDOL1 data; for the second GENERATE AC, CDOL1 data then CDOL2 data. */
  cdolData: readonly Buffer[];
}

export interface CdaResult {
  iccDynamicNumber: Buffer;
  /** Cryptogram Information Data, as signed. */
  cid: number;
  /** The application cryptogram: with CDA it travels inside the signature. */
  cryptogram: Buffer;
  transactionDataHash: Buffer;
}

const STEP = 'signed-dynamic-data';
const SIGNED_DYNAMIC_FORMAT = 0x05;
const CRYPTOGRAM_LENGTH = 8;
const HASH_LENGTH = 20;

interface RawObject {
  tag: string;
  value: Buffer;
  /** The object as received: tag, length and value. */
  encoded: Buffer;
}

/** The objects of the 77 template, each kept as received, for the transaction data hash. */
function rawObjects(data: Buffer): RawObject[] {
  const objects: RawObject[] = [];
  let offset = 0;
  while (offset < data.length) {
    const { tag, end } = readTag(data, offset);
    const { length, end: start } = readLength(data, end, tag);
    if (start + length > data.length) throw new OdaFailure(STEP, 'length', { tag });
    const encoded = data.subarray(offset, start + length);
    objects.push({ tag, value: data.subarray(start, start + length), encoded });
    offset = start + length;
  }
  return objects;
}

/**
 * Book 2 6.6.2: recovers the Signed Dynamic Application Data, checks its frame and hash
 * (over the recovered body and the unpredictable number), that the signed CID is the one in
 * the answer, and that the transaction data hash covers PDOL data, CDOL data and every object
 * of the answer but 9F4B, in the order received.
 */
export function verifyCdaSignature(input: CdaInput): CdaResult {
  const objects = rawObjects(input.response);
  const signed = objects.find((o) => o.tag === '9F4B');
  const cidObject = objects.find((o) => o.tag === '9F27');
  if (signed === undefined || cidObject?.value.length !== 1) {
    throw new OdaFailure('generate-ac', 'missing', { tag: signed ? '9F27' : '9F4B' });
  }
  const recovered = rsaRecover(input.iccKey, signed.value, STEP);
  checkFrame(recovered, STEP, SIGNED_DYNAMIC_FORMAT, 2);
  checkHash(recovered, STEP, [input.unpredictableNumber]);

  const length = recovered[3]!;
  const dynamic = recovered.subarray(4, 4 + length);
  const numberLength = dynamic[0] ?? 0;
  const expected = 1 + numberLength + 1 + CRYPTOGRAM_LENGTH + HASH_LENGTH;
  if (4 + length > bodyEnd(recovered) || numberLength < 2 || numberLength > 8 ||
    length < expected) {
    throw new OdaFailure(STEP, 'dynamic-data', { length, numberLength });
  }
  let at = 1 + numberLength;
  const iccDynamicNumber = Buffer.from(dynamic.subarray(1, at));
  const cid = dynamic[at]!;
  const cryptogram = Buffer.from(dynamic.subarray(at + 1, at + 1 + CRYPTOGRAM_LENGTH));
  at += 1 + CRYPTOGRAM_LENGTH;
  const transactionDataHash = Buffer.from(dynamic.subarray(at, at + HASH_LENGTH));

  if (cid !== cidObject.value[0]) throw new OdaFailure(STEP, 'dynamic-data', { cid });
  const hashed = sha1(input.pdolData ?? Buffer.alloc(0), ...input.cdolData,
    ...objects.filter((o) => o.tag !== '9F4B').map((o) => o.encoded));
  if (!hashed.equals(transactionDataHash)) {
    throw new OdaFailure(STEP, 'hash', { what: 'transaction data hash' });
  }
  return { iccDynamicNumber, cid, cryptogram, transactionDataHash };
}
