import { expect } from 'vitest';
import {
  computeArpc, computeCryptogram, deriveIccMasterKey, issuerAuthenticationData,
} from '../../../src/emv/cryptogram';
import type { FirstAcOutcome } from '../../../src/emv/kernel';
import { parseTlv } from '../../../src/emv/tlv';
import { hex } from './scripted-card';

/** The published test issuer master key for AC the project's CVN 10 cards are made with. */
export const TEST_IMK_AC = hex('0123456789ABCDEF FEDCBA9876543210');

/**
 * The issuer's side of an approval: checks the ARQC over field 55 (CVN 10) and answers with
 * the Issuer Authentication Data (tag 91) of an ARPC for ARC 00.
 */
export function issuerApproves(first: FirstAcOutcome, imk = TEST_IMK_AC): Buffer {
  const tags = Object.fromEntries(parseTlv(first.iccData).map((n) => [n.tag, n.value]));
  const mk = deriveIccMasterKey(imk, first.pan, first.panSequence ?? '00');
  expect(computeCryptogram(10, mk, tags)).toEqual(first.cryptogram);
  const arc = Buffer.from('00', 'latin1');
  return issuerAuthenticationData(10, computeArpc(10, mk, first.cryptogram, tags, { arc }),
    { arc });
}
