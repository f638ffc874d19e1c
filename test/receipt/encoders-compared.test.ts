import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { renderPage } from '../../drivers/printer/page-render';
import { encodeWindows1258 } from '../../src/receipt/code-pages';
import { parseEscPos } from '../../src/receipt/escpos-parse';

/**
 * The facts behind the README's "Receipts: escpos compared": npm escpos 2.5.2 and
 * @point-of-sale/receipt-printer-encoder 3.0.3 given the same Vietnamese line and QR code,
 * their bytes decoded by quay's own decoder.
 */
/** 40 characters: one line on both libraries' 42 columns and on 80 mm paper. */
const LINE = 'SỐ TIỀN: 150.000 ₫ Nguyễn Văn Ấn, lệ phí';

/** The parts of the two libraries used here; both ship without TypeScript types. */
interface EscposPrinter {
  encoding: string;
  getStatus?: unknown;
  text(t: string): EscposPrinter;
  qrcode(code: string): EscposPrinter;
  flush(): void;
}
interface Encoder {
  initialize(): Encoder;
  codepage(name: string): Encoder;
  line(text: string): Encoder;
  qrcode(data: string): Encoder;
  encode(): Uint8Array;
}

const require = createRequire(import.meta.url);
const escpos = require('escpos') as {
  Printer: new (device: object, options?: { encoding: string }) => EscposPrinter;
};
const ReceiptPrinterEncoder = require('@point-of-sale/receipt-printer-encoder') as
  new (options: object) => Encoder;

function escposBytes(encoding?: string,
  build: (p: EscposPrinter) => void = (p) => p.text(LINE)): Buffer {
  const written: Buffer[] = [];
  const device = {
    write: (d: Buffer, done?: () => void) => {
      written.push(Buffer.from(d));
      done?.();
    },
  };
  const printer = new escpos.Printer(device, encoding ? { encoding } : undefined);
  build(printer);
  printer.flush();
  return Buffer.concat(written);
}

function rpeBytes(codepage: string): Buffer {
  const encoder = new ReceiptPrinterEncoder({ language: 'esc-pos', codepageMapping: 'epson' });
  return Buffer.from(encoder.initialize().codepage(codepage).line(LINE).encode());
}

/** Text as quay's printer simulator reads it, lines joined by a space. */
function decoded(bytes: Buffer, codePage?: number): string {
  const prefix = codePage === undefined ? []
    : [{ offset: 0, op: 'codePage' as const, n: codePage }];
  return renderPage([...prefix, ...parseEscPos(bytes)], 576).text.join(' ');
}

describe('npm escpos 2.5.2', () => {
  it('defaults to GB18030 and sends no ESC t, so Vietnamese prints as Chinese bytes', () => {
    expect(new escpos.Printer({}).encoding).toBe('GB18030');
    const bytes = escposBytes();
    expect(parseEscPos(bytes).some((c) => c.op === 'codePage')).toBe(false);
    expect(bytes.includes(Buffer.from([0x81, 0x36]))).toBe(true);
  });

  it('loses five letters even told to use windows1258 (iconv-lite does not decompose)', () => {
    const text = decoded(escposBytes('windows1258'), 52);
    expect(text).toBe('S? TI?N: 150.000 ₫ Nguy?n Văn ?n, l? phí');
  });

  it('sends QR codes as GS Z, not GS ( k, and has no status query', () => {
    const bytes = escposBytes(undefined, (p) => p.qrcode('HELLO'));
    expect(bytes.subarray(0, 3).toString('hex')).toBe('1d5a02');
    expect(new escpos.Printer({}).getStatus).toBeUndefined();
  });
});

describe('@point-of-sale/receipt-printer-encoder 3.0.3', () => {
  it('defaults to cp437, where a Vietnamese letter is "?"', () => {
    const encoder = new ReceiptPrinterEncoder({ language: 'esc-pos' });
    expect(Buffer.from(encoder.initialize().line('ấ').encode()).toString('hex'))
      .toBe('1b401c2e1b4d001b74003f0a0d');
  });

  it('prints Vietnamese right only in auto mode, by switching tables 30, 31, 52 and 0', () => {
    const bytes = rpeBytes('auto');
    expect(decoded(bytes)).toBe(LINE);
    const pages = parseEscPos(bytes).filter((c) => c.op === 'codePage').map((c) => c.n);
    expect(new Set(pages)).toEqual(new Set([0, 30, 31, 52]));
    expect(pages).toEqual([0, 31, 52, 30, 31, 30]);
  });

  it('loses letters on one table: windows1258 precomposed only, tcvn3 without capitals', () => {
    expect(decoded(rpeBytes('windows1258'))).toBe(
      'S? TI?N: 150.000 ₫ Nguy?n Văn ?n, l? phí');
    expect(decoded(rpeBytes('tcvn3')))
      .toBe('S? TI?N: 150.000 ? Nguyễn Văn ?n, lệ phí');
  });

  it('sends QR codes with GS ( k', () => {
    const encoder = new ReceiptPrinterEncoder({ language: 'esc-pos' });
    const bytes = Buffer.from(encoder.qrcode('HELLO').encode());
    expect(parseEscPos(bytes).filter((c) => c.op === 'qr').map((c) => c.op === 'qr' && c.fn))
      .toEqual([0x41, 0x43, 0x45, 0x50, 0x51]);
  });
});

describe('quay', () => {
  it('prints the line whole on one table (52), decomposing where 1258 needs it', () => {
    expect(decoded(encodeWindows1258(LINE).bytes, 52)).toBe(LINE);
  });
});
