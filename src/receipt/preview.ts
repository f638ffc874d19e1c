import { pageToPng, renderPage } from '../../drivers/printer/page-render';
import { parseEscPos } from './escpos-parse';
import { renderQrReceipt, renderQrSlip, renderReceipt, renderReport } from './render';
import {
  sampleBatchTotals, sampleQrReceiptData, sampleQrSlipData, sampleReceiptData,
  type QrReceiptKind, type ReceiptKind,
} from './samples';
import {
  PROFILE_58MM, type BatchTotals, type PrinterProfile, type QrReceiptData, type QrSlipData,
  type ReceiptData,
} from './types';

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

/** The QR code slip or paid receipt as the printer would get it and as the paper would look. */
export function previewQrReceipt(kind: QrReceiptKind,
  options: { profile?: PrinterProfile; language?: 'vi' | 'en';
    data?: QrSlipData | QrReceiptData } = {}): { png: Buffer; escpos: Buffer } {
  const profile = options.profile ?? PROFILE_58MM;
  const language = options.language ?? 'vi';
  const { escpos } = kind === 'qr-slip'
    ? renderQrSlip((options.data as QrSlipData | undefined) ?? sampleQrSlipData(language),
      profile)
    : renderQrReceipt((options.data as QrReceiptData | undefined)
      ?? sampleQrReceiptData(language), profile);
  const page = renderPage(parseEscPos(escpos), profile.widthDots);
  return { png: pageToPng(page), escpos };
}
