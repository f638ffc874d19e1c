import QRCode from 'qrcode';

/**
 * The code as a PNG for the customer screen and the receipt. Error correction M (15 %) keeps
 * a VietQR payload (125-165 characters measured) at version 5-6, so modules stay large on a
 * 58 mm roll while a crease is survived; the quiet zone is the 4 modules ISO/IEC 18004 asks.
 */
export interface QrImageOptions {
  /** Pixels per module. */
  scale?: number;
}

export function renderQrPng(payload: string, options: QrImageOptions = {}): Promise<Buffer> {
  return QRCode.toBuffer(payload, {
    type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: options.scale ?? 6,
  });
}
