/**
 * Terminal Verification Results (tag 95, 5 bytes) and Transaction Status Information (tag 9B,
 * 2 bytes), EMV Book 3 annex C5 and C6. Each bit is named as [byte index, mask].
 */
export type Bit = readonly [byte: number, mask: number];

export const TVR = {
  ODA_NOT_PERFORMED: [0, 0x80],
  SDA_FAILED: [0, 0x40],
  ICC_DATA_MISSING: [0, 0x20],
  CARD_ON_EXCEPTION_FILE: [0, 0x10],
  DDA_FAILED: [0, 0x08],
  CDA_FAILED: [0, 0x04],
  SDA_SELECTED: [0, 0x02],
  DIFFERENT_APPLICATION_VERSIONS: [1, 0x80],
  EXPIRED_APPLICATION: [1, 0x40],
  APPLICATION_NOT_YET_EFFECTIVE: [1, 0x20],
  SERVICE_NOT_ALLOWED: [1, 0x10],
  NEW_CARD: [1, 0x08],
  CARDHOLDER_VERIFICATION_FAILED: [2, 0x80],
  UNRECOGNISED_CVM: [2, 0x40],
  PIN_TRY_LIMIT_EXCEEDED: [2, 0x20],
  PIN_PAD_MISSING: [2, 0x10],
  PIN_NOT_ENTERED: [2, 0x08],
  ONLINE_PIN_ENTERED: [2, 0x04],
  FLOOR_LIMIT_EXCEEDED: [3, 0x80],
  LOWER_OFFLINE_LIMIT_EXCEEDED: [3, 0x40],
  UPPER_OFFLINE_LIMIT_EXCEEDED: [3, 0x20],
  RANDOMLY_SELECTED_ONLINE: [3, 0x10],
  MERCHANT_FORCED_ONLINE: [3, 0x08],
  DEFAULT_TDOL_USED: [4, 0x80],
  ISSUER_AUTHENTICATION_FAILED: [4, 0x40],
  SCRIPT_FAILED_BEFORE_FINAL_AC: [4, 0x20],
  SCRIPT_FAILED_AFTER_FINAL_AC: [4, 0x10],
} as const satisfies Record<string, Bit>;

export const TSI = {
  ODA_PERFORMED: [0, 0x80],
  CARDHOLDER_VERIFICATION_PERFORMED: [0, 0x40],
  CARD_RISK_MANAGEMENT_PERFORMED: [0, 0x20],
  ISSUER_AUTHENTICATION_PERFORMED: [0, 0x10],
  TERMINAL_RISK_MANAGEMENT_PERFORMED: [0, 0x08],
  SCRIPT_PROCESSING_PERFORMED: [0, 0x04],
} as const satisfies Record<string, Bit>;

/** A fixed-size bit field such as the TVR or the TSI. */
export class BitField {
  private readonly bytes: Buffer;

  constructor(size: number) {
    this.bytes = Buffer.alloc(size);
  }

  set([byte, mask]: Bit): void {
    this.bytes[byte] = this.bytes[byte]! | mask;
  }

  has([byte, mask]: Bit): boolean {
    return (this.bytes[byte]! & mask) !== 0;
  }

  /** A copy of the current value. */
  value(): Buffer {
    return Buffer.from(this.bytes);
  }
}

export function newTvr(): BitField {
  return new BitField(5);
}

export function newTsi(): BitField {
  return new BitField(2);
}
