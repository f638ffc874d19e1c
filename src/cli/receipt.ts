import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  previewQrReceipt, previewReceipt, PROFILE_58MM, PROFILE_80MM, QR_RECEIPT_KINDS, RECEIPT_KINDS,
  type PrinterProfile, type QrReceiptKind, type ReceiptKind,
} from '../receipt';

/** Card receipts and reports, then the VietQR code slip and paid receipt. */
const KINDS: readonly string[] = [...RECEIPT_KINDS, ...QR_RECEIPT_KINDS];
type Kind = ReceiptKind | QrReceiptKind;

/**
 * `quay receipt preview KIND`: draws a sample receipt of that kind as the printer would print
 * it, from the same ESC/POS bytes quay sends (decoded back and drawn), so that a technician
 * can see a printer profile's layout and code page without paper.
 */
export function addReceiptCommands(program: Command): void {
  program.command('receipt')
    .description('receipts / hóa đơn')
    .command('preview')
    .description('write a sample receipt as PNG (and the ESC/POS bytes) / xem trước hóa đơn')
    .argument('<kind>', `one of ${KINDS.join(', ')}`, (value: string) => {
      if (!KINDS.includes(value)) {
        throw new InvalidArgumentError(`not a receipt kind: ${KINDS.join(', ')}`);
      }
      return value as Kind;
    })
    .requiredOption('--out <file.png>', 'where to write the PNG')
    .option('--escpos <file.bin>', 'also write the ESC/POS bytes')
    .addOption(new Option('--width <mm>', 'paper width').choices(['58', '80']).default('58'))
    .addOption(new Option('--mode <mode>', 'raster, or text in a Vietnamese code page')
      .choices(['raster', 'text-wpc1258', 'text-tcvn3']).default('raster'))
    .addOption(new Option('--lang <lang>', 'language').choices(['vi', 'en']).default('vi'))
    .action((kind: Kind, opts: { out: string; escpos?: string; width: string;
      mode: string; lang: 'vi' | 'en' }) => {
      const base = opts.width === '80' ? PROFILE_80MM : PROFILE_58MM;
      const profile: PrinterProfile = opts.mode === 'raster' ? base
        : { ...base, mode: 'text', codePage: opts.mode === 'text-tcvn3' ? 30 : 52 };
      const { png, escpos } = (QR_RECEIPT_KINDS as readonly string[]).includes(kind)
        ? previewQrReceipt(kind as QrReceiptKind, { profile, language: opts.lang })
        : previewReceipt(kind as ReceiptKind, { profile, language: opts.lang });
      writeFileSync(opts.out, png);
      if (opts.escpos) writeFileSync(opts.escpos, escpos);
      process.stdout.write(`${kind}: ${opts.out} (${png.length} bytes PNG, ${escpos.length} `
        + 'bytes ESC/POS)\n');
    });
}
