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
  /** 'sale' when absent. A void cancels a sale of the open batch; a refund returns money. */
  transaction?: 'sale' | 'void' | 'refund';
  /** The sale a void or refund undoes. */
  original?: { invoice: number; stan: number };
  /** Approved offline by the card, the advice not yet sent to the bank. */
  offline?: boolean;
  /** Số hồ sơ: the administrative dossier the fee belongs to. */
  dossier?: string;
  /** Printed as a QR code under the result (a link to look the payment up, for instance). */
  qr?: string;
}

/** A count of transactions and their sum in whole VND. */
export interface TotalsEntry {
  count: number;
  amount: number;
}

/**
 * One card scheme's part of a batch. Sales count every approved sale, voided or not; the
 * net is sales − voids − refunds.
 */
export interface SchemeTotals {
  scheme: string;
  sales: TotalsEntry;
  voids: TotalsEntry;
  refunds: TotalsEntry;
}

/**
 * What an end-of-day report prints. An X report shows the open batch and leaves it open; a Z
 * report is printed when the batch is closed (settled), and names the batch that follows.
 */
export interface BatchTotals {
  report: 'X' | 'Z';
  merchant: ReceiptMerchant;
  batch: number;
  openedAt: Date;
  printedAt: Date;
  schemes: SchemeTotals[];
  /** Net count and amount by tender: card payments and QR bank transfers. */
  tenders: { card: TotalsEntry; qr: TotalsEntry };
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
  | { kind: 'space'; lines: number }
  /** A QR code, centred; data is sent as its UTF-8 bytes. */
  | { kind: 'qr'; data: string; level?: 'L' | 'M' | 'Q' | 'H' };

/**
 * The printer a receipt is rendered for. widthDots is the printable width of the head:
 * 384 dots on 58 mm paper, 576 dots on 80 mm paper (203 dpi). columns is the layout width in
 * characters: 32 and 48 for the printers' 12×24 font A.
 */
export interface PrinterProfile {
  widthDots: 384 | 576;
  columns: number;
  cutter: boolean;
  /**
   * ESC t n sent after ESC @. Raster mode: default 0 (PC437), no text bytes are printed.
   * Text mode: 52 (Windows-1258, default) or 30 (TCVN-3, with 31 for capitals).
   */
  codePage?: number;
  /**
   * 'raster' (default) draws every line with a bundled font and works on any printer; 'text'
   * sends the characters in the code page, for printers that have a Vietnamese table.
   */
  mode?: 'raster' | 'text';
  /** The printer has Epson's GS ( k QR functions; else QR codes are sent as an image. */
  qrCommand?: boolean;
}

export const PROFILE_58MM: PrinterProfile = { widthDots: 384, columns: 32, cutter: false };
export const PROFILE_80MM: PrinterProfile = { widthDots: 576, columns: 48, cutter: true };

/**
 * The code slip of a QR payment: what the payer scans when the counter prints the code rather
 * than (or beside) showing it on the customer screen. Printed before any money moves.
 */
export interface QrSlipData {
  merchant: ReceiptMerchant;
  /** Whole VND, the amount the code carries (54). */
  amount: number;
  /** The fee's reference at the counter. */
  reference: string;
  dossier?: string;
  description?: string;
  payer?: string;
  /** The VietQR string, printed as the QR code exactly as the API gave it. */
  payload: string;
  /** The short reference in the transfer content (62.08), which the bank matches on. */
  qrReference: string;
  /** When the wait ends unless the transfer came. */
  validUntil?: Date;
  language?: 'vi' | 'en';
}

/**
 * The receipt of a QR payment the bank confirmed: the header and amount of a card receipt,
 * the tender VietQR and the bank's transfer reference; no card lines, no batch, no STAN.
 */
export interface QrReceiptData {
  merchant: ReceiptMerchant;
  copy: 'customer' | 'merchant';
  reprint?: boolean;
  /** When the transfer was made, as the bank reported it. */
  dateTime: Date;
  amount: number;
  reference: string;
  dossier?: string;
  description?: string;
  payer?: string;
  qrReference: string;
  /** The bank's transaction ID of the transfer (qr_transfers.transfer_id). */
  bankReference: string;
  language?: 'vi' | 'en';
}
