export interface ReceiptMerchant {
  name: string;
  address: string;
  /** Mã số thuế. */
  taxCode?: string;
  merchantId: string;
  terminalId: string;
}

/** What a receipt says about one card payment. Card data arrives masked: no PAN, no expiry. */
export interface ReceiptData {
  merchant: ReceiptMerchant;
  copy: 'customer' | 'merchant';
  reprint?: boolean;
  batch: number;
  invoice: number;
  stan: number;
  rrn?: string;
  dateTime: Date;
  application: { label?: string; aid: string };
  scheme?: string;
  /** Already masked by the caller; printed re-masked to the last four digits in any case. */
  maskedPan: string;
  entryMode: 'chip';
  /** Hex. */
  tvr?: string;
  /** Hex. */
  tsi?: string;
  /** Hex: the TC of an approval, the AAC of a decline. */
  cryptogram?: string;
  cvm: 'pin' | 'signature' | 'none';
  /** Whole VND. */
  amount: number;
  reference: string;
  description?: string;
  payer?: string;
  authCode?: string;
  result: 'approved' | 'declined';
  responseCode?: string;
  reason?: { vi: string; en: string };
  language?: 'vi' | 'en';
}

export type Align = 'left' | 'center' | 'right';

/**
 * One line of a receipt layout, independent of how it is printed (raster image now, printer
 * fonts and code pages later). The layout guarantees that each line fits the column count it
 * was made for: a 'text' line holds at most `columns` characters (half as many when its size
 * is 'double'), a 'pair' fits label, one space and value.
 */
export type ReceiptLine =
  | { kind: 'text'; text: string; align: Align; bold?: boolean; size?: 'normal' | 'double' }
  | { kind: 'pair'; label: string; value: string; bold?: boolean }
  | { kind: 'rule'; style: 'single' | 'double' | 'dotted' }
  | { kind: 'space'; lines: number };

/**
 * The printer a receipt is rendered for. widthDots is the printable width of the head:
 * 384 dots on 58 mm paper, 576 dots on 80 mm paper (203 dpi). columns is the layout width in
 * characters: 32 and 48 for the printers' 12×24 font A.
 */
export interface PrinterProfile {
  widthDots: 384 | 576;
  columns: number;
  cutter: boolean;
  /** ESC t n sent after ESC @. Default 0 (PC437): raster receipts print no text bytes. */
  codePage?: number;
}

export const PROFILE_58MM: PrinterProfile = { widthDots: 384, columns: 32, cutter: false };
export const PROFILE_80MM: PrinterProfile = { widthDots: 576, columns: 48, cutter: true };
