export type { Align, PrinterProfile, ReceiptData, ReceiptLine, ReceiptMerchant } from './types';
export { PROFILE_58MM, PROFILE_80MM } from './types';
export { receiptLines, textLength, wrapText } from './layout';
export { renderReceipt, rasterJob, bandRows } from './render';
export { rasterizeLines } from './raster';
export { amountInWords, vietnameseNumberWords, englishNumberWords } from './amount-words';
export { formatVnd, formatDateTime, groupThousands, printablePan } from './format';
