export type {
  Align, BatchTotals, PrinterProfile, QrReceiptData, QrSlipData, ReceiptData, ReceiptLine,
  ReceiptMerchant, SchemeTotals, TotalsEntry,
} from './types';
export { PROFILE_58MM, PROFILE_80MM } from './types';
export { receiptLines, textLength, wrapText } from './layout';
export { reportLines } from './report';
export {
  renderReceipt, renderReport, renderLines, renderQrReceipt, renderQrSlip, rasterJob, bandRows,
} from './render';
export { qrReceiptLines, qrSlipLines } from './qr-layout';
export { rasterizeLines } from './raster';
export { textJob } from './text-mode';
export {
  CODE_PAGES, decodeCodePage, encodeTcvn3, encodeWindows1258, vietnameseLetters,
} from './code-pages';
export { qrMatrix } from './qr';
export { previewQrReceipt, previewReceipt, type PreviewOptions } from './preview';
export {
  QR_RECEIPT_KINDS, RECEIPT_KINDS, sampleBatchTotals, sampleQrReceiptData, sampleQrSlipData,
  sampleReceiptData, type QrReceiptKind, type ReceiptKind,
} from './samples';
export { amountInWords, vietnameseNumberWords, englishNumberWords } from './amount-words';
export { formatVnd, formatDateTime, groupThousands, printablePan } from './format';
export { EscPosParser, parseEscPos } from './escpos-parse';
export type { EscPosCommand } from './escpos-parse';
export type { MonoBitmap } from './escpos';
