import type { AflEntry } from '../gpo';
import type { RecordRead } from '../records';
import { parseTlv } from '../tlv';
import { OdaFailure } from './failure';

/**
 * The static data to be authenticated (EMV Book 3 10.3): the records the AFL flags for
 * offline data authentication, as read (records.ts keeps them so), followed by the values
 * of the tags in the Static Data Authentication Tag List (9F4A). Book 3 allows only the AIP
 * (82) in that list; any other tag fails the authentication.
 */
export function staticDataToAuthenticate(
  odaRecords: readonly Buffer[], tagList: Buffer | undefined, aip: Buffer,
): Buffer {
  if (tagList === undefined || tagList.length === 0) return Buffer.concat(odaRecords);
  if (tagList.length !== 1 || tagList[0] !== 0x82) {
    throw new OdaFailure('data', 'sda-tag-list', { tagList: tagList.toString('hex') });
  }
  return Buffer.concat([...odaRecords, aip]);
}

/** SFIs 11..30 hold the issuer's own files; their signed records are hashed whole. */
const FIRST_PROPRIETARY_SFI = 11;

/** The records the AFL flags for offline data authentication, in reading order. */
export function signedRecords(
  afl: readonly AflEntry[], records: readonly RecordRead[],
): RecordRead[] {
  return records.filter((r) => afl.some((e) =>
    e.sfi === r.sfi && r.record >= e.first && r.record < e.first + e.odaCount));
}

/**
 * Book 3 10.3: a signed record that is not one 70 template makes the authentication fail
 * (not the transaction). Records of SFI 1..10 are checked when read (records.ts); this
 * checks those of SFI 11..30.
 */
export function checkSignedRecords(records: readonly RecordRead[]): void {
  for (const { sfi, record, data } of records) {
    if (sfi < FIRST_PROPRIETARY_SFI || isOneTemplate(data)) continue;
    throw new OdaFailure('data', 'format', { sfi, record });
  }
}

function isOneTemplate(data: Buffer): boolean {
  try {
    const nodes = parseTlv(data);
    return nodes.length === 1 && nodes[0]?.tag === '70';
  } catch {
    return false;
  }
}
