/**
 * Receipts in raster and text mode on 58 and 80 mm paper: how long quay takes to render each
 * (layout, drawing or encoding, ESC/POS), how many bytes it sends, and how long those bytes
 * take on a serial line at 115 200 baud, 8N1: ten bits a byte (start, eight data, stop), so
 * bytes × 10 / 115 200 seconds, before the printer's own paper feed. Text mode is measured
 * beside raster mode in the same run; the ratio is what a site gains by a Vietnamese code page.
 */
import { renderReceipt, renderReport } from '../src/receipt/render';
import { sampleBatchTotals, sampleReceiptData } from '../src/receipt/samples';
import { PROFILE_58MM, PROFILE_80MM, type PrinterProfile } from '../src/receipt/types';

const BAUD = 115_200;
const BITS_PER_BYTE = 10;

interface Sample {
  name: string;
  render(profile: PrinterProfile): Buffer;
}

const SAMPLES: Sample[] = [
  { name: 'approved, QR', render: (p) => renderReceipt(sampleReceiptData('approved'), p).escpos },
  { name: 'merchant, sign', render: (p) =>
    renderReceipt(sampleReceiptData('merchant-signature'), p).escpos },
  { name: 'void', render: (p) => renderReceipt(sampleReceiptData('void'), p).escpos },
  { name: 'Z report', render: (p) => renderReport(sampleBatchTotals('Z'), p).escpos },
];

interface Measured {
  msPerRender: number;
  bytes: number;
  sendMs: number;
}

/** Mean milliseconds a call over about `ms` milliseconds, after an untimed warm-up. */
function meanMs(fn: () => unknown, ms: number): number {
  const warm = performance.now() + ms / 10;
  while (performance.now() < warm) fn();
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < ms || count < 5) {
    fn();
    count++;
  }
  return (performance.now() - start) / count;
}

function measureOne(sample: Sample, profile: PrinterProfile, ms: number): Measured {
  const bytes = sample.render(profile).length;
  return { msPerRender: meanMs(() => sample.render(profile), ms), bytes,
    sendMs: (bytes * BITS_PER_BYTE * 1000) / BAUD };
}

function row(label: string, m: Measured): string {
  return `  ${label.padEnd(30)} ${m.msPerRender.toFixed(2).padStart(8)} ms ` +
    `${String(m.bytes).padStart(7)} B ${m.sendMs.toFixed(0).padStart(6)} ms at 115200`;
}

/** Prints the table; `ms` is the time given to each render measurement. */
export function receiptModes(ms = 400): void {
  console.log('receipts: render time, bytes, and time to send at 115 200 baud (8N1)');
  const widths: [string, PrinterProfile][] = [['58 mm', PROFILE_58MM], ['80 mm', PROFILE_80MM]];
  for (const [width, base] of widths) {
    const text: PrinterProfile = { ...base, mode: 'text', codePage: 52 };
    for (const sample of SAMPLES) {
      const raster = measureOne(sample, base, ms);
      const encoded = measureOne(sample, text, ms);
      console.log(row(`${width} ${sample.name}, raster`, raster));
      console.log(row(`${width} ${sample.name}, text 1258`, encoded));
      console.log(`    text / raster: render ${(encoded.msPerRender / raster.msPerRender)
        .toFixed(3)}, bytes and send time ${(encoded.bytes / raster.bytes).toFixed(3)}`);
      if (sample.name.includes('QR')) {
        // Without GS ( k the QR code goes as an image in text mode too: most of its bytes.
        const native = measureOne(sample, { ...text, qrCommand: true }, ms);
        console.log(row(`${width} ${sample.name}, text + GS(k`, native));
        console.log(`    text with GS ( k / raster: bytes and send time ${(native.bytes
          / raster.bytes).toFixed(3)}`);
      }
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) receiptModes();
