import { OdaFailure } from './failure';
import { bodyEnd, checkFrame, checkHash, rsaRecover, type RsaPublicKey } from './rsa';

/**
 * The card's signatures: Signed Static Application Data (93) for SDA, EMV Book 2 5.4, and
 * Signed Dynamic Application Data (9F4B) for DDA, Book 2 6.5.2.
 */
export interface StaticDataResult {
  /** Data Authentication Code (9F45), 2 bytes chosen by the issuer. */
  dataAuthenticationCode: Buffer;
}

export interface DynamicDataResult {
  /** ICC Dynamic Data: its first byte is the length of the ICC Dynamic Number. */
  iccDynamicData: Buffer;
  /** ICC Dynamic Number (9F4C), 2..8 bytes. */
  iccDynamicNumber: Buffer;
}

const SIGNED_STATIC_FORMAT = 0x03;
const SIGNED_DYNAMIC_FORMAT = 0x05;

/** Book 2 5.4: format 03, hash over the recovered body followed by the static data. */
export function verifySignedStaticData(
  issuerKey: RsaPublicKey, signed: Buffer, staticData: Buffer,
): StaticDataResult {
  const step = 'signed-static-data';
  const recovered = rsaRecover(issuerKey, signed, step);
  checkFrame(recovered, step, SIGNED_STATIC_FORMAT, 2);
  checkHash(recovered, step, [staticData]);
  return { dataAuthenticationCode: Buffer.from(recovered.subarray(3, 5)) };
}

/** Book 2 6.5.2: format 05, hash over the recovered body followed by the DDOL data. */
export function verifySignedDynamicData(
  iccKey: RsaPublicKey, signed: Buffer, ddolData: Buffer,
): DynamicDataResult {
  const step = 'signed-dynamic-data';
  const recovered = rsaRecover(iccKey, signed, step);
  checkFrame(recovered, step, SIGNED_DYNAMIC_FORMAT, 2);
  const length = recovered[3]!;
  if (4 + length > bodyEnd(recovered)) {
    throw new OdaFailure(step, 'dynamic-data', { length });
  }
  checkHash(recovered, step, [ddolData]);
  const iccDynamicData = Buffer.from(recovered.subarray(4, 4 + length));
  const numberLength = iccDynamicData[0] ?? 0;
  if (numberLength < 2 || numberLength > 8 || numberLength + 1 > iccDynamicData.length) {
    throw new OdaFailure(step, 'dynamic-data', { numberLength });
  }
  return { iccDynamicData, iccDynamicNumber: iccDynamicData.subarray(1, 1 + numberLength) };
}
