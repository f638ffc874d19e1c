/**
 * Why offline data authentication failed. A failure is not an error of the transaction: the
 * kernel records it in the TVR (EMV Book 3 10.3) and goes on, and terminal action analysis
 * decides what it means. It never leaves src/emv as an exception.
 */
export type OdaStep =
  | 'data' | 'ca-key' | 'issuer-certificate' | 'icc-certificate' | 'signed-static-data'
  | 'internal-authenticate' | 'signed-dynamic-data' | 'generate-ac';

export type OdaReason =
  | 'missing' | 'length' | 'recovery' | 'trailer' | 'header' | 'format' | 'hash-algorithm'
  | 'key-algorithm' | 'hash' | 'issuer-identifier' | 'pan' | 'expired' | 'revoked'
  | 'sda-tag-list' | 'ddol' | 'status' | 'dynamic-data';

export class OdaFailure extends Error {
  constructor(
    readonly step: OdaStep,
    readonly reason: OdaReason,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(`offline data authentication failed: ${step} ${reason}`);
    this.name = 'OdaFailure';
  }

  /** Card data the ODA needs is absent: Book 3 10.3 sets "ICC data missing" as well. */
  get iccDataMissing(): boolean {
    return this.reason === 'missing' && this.step !== 'ca-key';
  }
}
