/**
 * The customer display boundary: a two-line, 20-column pole display (VFD).
 *
 * Contract:
 * - show replaces both lines. Lines are already laid out by src/display: at most `columns`
 *   characters each, in the display's character set (plain ASCII for most VFDs).
 * - show rejects with DisplayError DISPLAY_ERROR when the port is gone; the payment goes on.
 * - close releases the port.
 */
export interface CustomerDisplay {
  readonly columns: number;
  show(line1: string, line2: string): Promise<void>;
  close(): Promise<void>;
}
