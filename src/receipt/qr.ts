import QRCode from 'qrcode';
import type { MonoBitmap } from './escpos';

export type QrLevel = 'L' | 'M' | 'Q' | 'H';

/** A QR symbol: size × size modules, true = dark. */
export interface QrMatrix {
  size: number;
  dark(row: number, col: number): boolean;
}

/**
 * ISO/IEC 18004 asks for a quiet zone of 4 modules around the symbol; thermal paper is white
 * there already, but the space must not hold other ink.
 */
export const QR_QUIET_MODULES = 4;
/** 6 dots (0.75 mm at 203 dpi) a module: big enough for a phone camera at arm's length. */
export const QR_MODULE_DOTS = 6;

/** The matrix for data bytes, in byte mode as a printer given GS ( k data would use them. */
export function qrMatrix(data: Buffer, level: QrLevel = 'M'): QrMatrix {
  const code = QRCode.create([{ mode: 'byte', data }], { errorCorrectionLevel: level });
  const { size } = code.modules;
  return { size, dark: (row, col) => code.modules.get(row, col) === 1 };
}

/** Module size in dots: QR_MODULE_DOTS, smaller when the symbol and its quiet zone overflow. */
export function qrModuleDots(size: number, widthDots: number, wanted = QR_MODULE_DOTS): number {
  const fit = Math.floor(widthDots / (size + 2 * QR_QUIET_MODULES));
  return Math.max(1, Math.min(wanted, fit));
}

/**
 * The symbol as a 1-bit image widthDots wide, centred, with its quiet zone above and below:
 * what a raster receipt draws, and what a text-mode job sends where GS ( k is missing.
 */
export function qrBitmap(matrix: QrMatrix, widthDots: number, moduleDots: number): MonoBitmap {
  const side = matrix.size * moduleDots;
  const quiet = QR_QUIET_MODULES * moduleDots;
  const height = side + 2 * quiet;
  const bytesPerRow = Math.ceil(widthDots / 8);
  const data = Buffer.alloc(bytesPerRow * height);
  const left = Math.floor((widthDots - side) / 2);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      if (!matrix.dark(Math.floor(y / moduleDots), Math.floor(x / moduleDots))) continue;
      const px = left + x;
      data[(quiet + y) * bytesPerRow + (px >> 3)]! |= 0x80 >> (px & 7);
    }
  }
  return { width: widthDots, height, bytesPerRow, data };
}
