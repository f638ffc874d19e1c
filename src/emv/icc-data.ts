import type { TagValues } from './cryptogram';
import { encodeTlv } from './tlv';

/**
 * The chip data sent to the acquirer in ISO 8583 field 55: the objects an issuer needs to
 * check the cryptogram and the terminal's view of the transaction, in this order.
 */
export const ICC_DATA_TAGS = [
  '82', '84', '95', '9A', '9C', '5F2A', '5F34', '9F02', '9F03', '9F10', '9F1A', '9F26',
  '9F27', '9F33', '9F34', '9F35', '9F36', '9F37', '9F09', '9F1E', '9F41',
] as const;

/** TLVs of the listed tags that have a value, in list order. */
export function buildIccData(tags: TagValues, list: readonly string[] = ICC_DATA_TAGS): Buffer {
  const parts: Buffer[] = [];
  for (const tag of list) {
    const value = tags[tag];
    if (value !== undefined) parts.push(encodeTlv(tag, value));
  }
  return Buffer.concat(parts);
}
