/**
 * ATRs for virtual cards, shaped as EMV Book 1 8.3 asks. pcscd reads the protocol from them:
 * the T=0 one makes pcscd pick T=0 (and the driver meet 61xx / 6Cxx), the T=1 one T=1.
 */

/**
 * TS 3B (direct convention), T0 60 (TB1 and TC1 follow, no historical bytes), TB1 00 (no
 * programming voltage), TC1 00 (no extra guard time). T=0 is implied when no TD1 follows.
 */
export const T0_ATR = Buffer.from('3B600000', 'hex');

/**
 * TS 3B, T0 E0 (TB1 TC1 TD1, no historical bytes), TB1 00, TC1 00, TD1 81 (TD2 follows, T=1),
 * TD2 31 (TA3 TB3 follow, T=1), TA3 FE (IFSC 254), TB3 45 (BWI 4, CWI 5), then TCK: the XOR of
 * T0 to TB3, present because T=1 is offered.
 */
export const T1_ATR = Buffer.from('3BE000008131FE45EB', 'hex');

/**
 * The protocol a reader would pick from an ATR (ISO 7816-3 8.2): the first protocol TD1
 * names, T=0 when there is no TD1.
 */
export function atrProtocol(atr: Buffer): 'T0' | 'T1' {
  const t0 = atr[1];
  if (t0 === undefined || (t0 & 0x80) === 0) return 'T0';
  // TD1 follows TA1, TB1, TC1 when they are present (T0 bits b5, b6, b7).
  const offset = 2 + [0x10, 0x20, 0x40].filter((bit) => (t0 & bit) !== 0).length;
  const td1 = atr[offset];
  return td1 !== undefined && (td1 & 0x0f) === 1 ? 'T1' : 'T0';
}
