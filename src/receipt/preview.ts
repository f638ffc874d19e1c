import { pageToPng, renderPage } from '../../drivers/printer/page-render';
import { parseEscPos } from './escpos-parse';
import { renderReceipt, renderReport } from './render';
import { sampleBatchTotals, sampleReceiptData, type ReceiptKind } from './samples';
import { PROFILE_58MM, type BatchTotals, type PrinterProfile, type ReceiptData } from './types';

export interface PreviewOptions {
  /** 58 mm raster when absent. */
  profile?: PrinterProfile;
  language?: 'vi' | 'en';
  /** Data to show instead of the sample of the kind. */
  data?: ReceiptData | BatchTotals;
}

/**
 * A receipt or report of one kind as the printer would get it (escpos) and as quay's own
 * decoder draws those bytes on paper (png): what `quay receipt preview` shows a technician.
 */
export function previewReceipt(kind: ReceiptKind, options: PreviewOptions = {}):
  { png: Buffer; escpos: Buffer } {
  const profile = options.profile ?? PROFILE_58MM;
  const language = options.language ?? 'vi';
  let escpos: Buffer;
  if (kind === 'x-report' || kind === 'z-report') {
    const totals = (options.data as BatchTotals | undefined)
      ?? sampleBatchTotals(kind === 'x-report' ? 'X' : 'Z', language);
    escpos = renderReport(totals, profile).escpos;
  } else {
    const data = (options.data as ReceiptData | undefined) ?? sampleReceiptData(kind, language);
    escpos = renderReceipt(data, profile).escpos;
  }
  const page = renderPage(parseEscPos(escpos), profile.widthDots);
  return { png: pageToPng(page), escpos };
}
