import type { Logger } from '../log';
import type { AcResponse, CryptogramType } from './generate-ac';
import { verifyCdaSignature } from './oda/cda';
import { OdaFailure } from './oda/failure';
import type { OdaOutcome } from './oda/perform';
import { TVR, type BitField } from './tvr';

/**
 * CDA around the first GENERATE AC (EMV Book 2 6.6, Book 3 10.3 and 10.8): the terminal asks
 * for the signature (P1 b5) when CDA was selected, the ICC key was recovered and it asks for a
 * TC or an ARQC (never for an AAC); the signature in the answer is then checked here.
 */
export function requestsCda(oda: OdaOutcome | undefined, requested: CryptogramType): boolean {
  return oda?.method === 'CDA' && oda.passed && oda.iccKey !== undefined && requested !== 'AAC';
}

export interface CdaCheck {
  passed: boolean;
  failure?: OdaFailure;
}

/**
 * Verifies the answer's signature; on success the recovered cryptogram becomes the
 * answer's. On failure TVR byte 1 b3 "CDA failed" is set (Book 2 6.6.2) and the caller
 * declines. An answer that is an AAC carries no signature to check.
 */
export function checkCdaAnswer(input: {
  oda: OdaOutcome; answer: AcResponse; unpredictableNumber: Buffer; pdolData?: Buffer;
  cdolData: Buffer; tvr: BitField; log: Logger;
}): CdaCheck {
  const { oda, answer } = input;
  if (answer.type === 'AAC' && answer.signed === undefined) return { passed: true };
  try {
    if (answer.signed === undefined) {
      throw new OdaFailure('generate-ac', 'missing', { tag: '9F4B' });
    }
    const result = verifyCdaSignature({
      iccKey: oda.iccKey!, response: answer.signed, unpredictableNumber: input.unpredictableNumber,
      pdolData: input.pdolData, cdolData: [input.cdolData],
    });
    answer.cryptogram = result.cryptogram;
    answer.tags['9F26'] = result.cryptogram;
    answer.tags['9F4C'] = result.iccDynamicNumber;
    return { passed: true };
  } catch (err) {
    if (!(err instanceof OdaFailure)) throw err;
    input.tvr.set(TVR.CDA_FAILED);
    oda.passed = false;
    oda.failure = err;
    input.log.info({ step: err.step, reason: err.reason, detail: err.detail },
      'CDA signature failed');
    return { passed: false, failure: err };
  }
}
