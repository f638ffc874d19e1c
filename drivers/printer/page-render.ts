import { createCanvas } from '@napi-rs/canvas';
import { PNG } from 'pngjs';
import { decodeCodePage } from '../../src/receipt/code-pages';
import type { EscPosCommand } from '../../src/receipt/escpos-parse';
import { receiptFont } from '../../src/receipt/font';
import { qrMatrix, QR_QUIET_MODULES, type QrLevel } from '../../src/receipt/qr';

/**
 * Lays out what a printer would put on paper for a decoded ESC/POS job: raster images as
 * sent, text in a 12×24-dot cell per character (font A) at the paper width, with the
 * justification, emphasis and size in force, and QR codes stored and printed by GS ( k.
 * Text is decoded with the code page in force when each byte arrived, so a TCVN-3 line may
 * switch between tables 30 and 31. One byte per dot, 1 = black.
 */
export interface RenderedPage {
  width: number;
  height: number;
  /** Dots, row by row, 1 = black. */
  dots: Uint8Array;
  /** Text lines printed, decoded with the code page in force. */
  text: string[];
  /** What the page could not show as the printer would (unknown code page, image too wide). */
  problems: string[];
}

/** Font A: 12 dots wide, 24 high, printed 30 dots apart (the default 1/6-inch spacing). */
const CELL_WIDTH = 12;
const CELL_HEIGHT = 24;
const LINE_SPACING = 30;
/**
 * Grey level below which a dot prints. At mid-grey the antialiased marks over capitals
 * (the acute of Ố, the grave of Ề) vanish from the drawing; 190 keeps them, as in raster.ts.
 */
const INK_THRESHOLD = 190;

interface TextState {
  codePage: number;
  align: 'left' | 'center' | 'right';
  bold: boolean;
  width: number;
  height: number;
}

interface Block {
  width: number;
  height: number;
  dots: Uint8Array;
}

function blank(width: number, height: number): Block {
  return { width, height, dots: new Uint8Array(width * height) };
}

function rasterBlock(cmd: Extract<EscPosCommand, { op: 'raster' }>): Block {
  const xScale = cmd.mode & 1 ? 2 : 1;
  const yScale = cmd.mode & 2 ? 2 : 1;
  const width = cmd.bytesPerRow * 8 * xScale;
  const block = blank(width, cmd.rows * yScale);
  for (let y = 0; y < block.height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = Math.floor(x / xScale);
      const byte = cmd.data[Math.floor(y / yScale) * cmd.bytesPerRow + (sx >> 3)] ?? 0;
      block.dots[y * width + x] = (byte >> (7 - (sx & 7))) & 1;
    }
  }
  return block;
}

function textBlock(line: string, state: TextState, pageWidth: number): Block {
  const cellW = CELL_WIDTH * state.width;
  const height = Math.max(LINE_SPACING, CELL_HEIGHT * state.height + LINE_SPACING - CELL_HEIGHT);
  const chars = [...line];
  const lineWidth = chars.length * cellW;
  const left = state.align === 'left' ? 0
    : state.align === 'right' ? pageWidth - lineWidth : Math.floor((pageWidth - lineWidth) / 2);
  const canvas = createCanvas(pageWidth, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, pageWidth, height);
  ctx.fillStyle = '#000';
  ctx.font = receiptFont(20 * state.height, state.bold);
  // Capitals with two marks (Ề, Ố) reach 1.2 em above the baseline and descenders 0.25 em
  // below: the baseline sits 5 dots a height multiple above the block's foot so both fit.
  const baseline = height - 5 * state.height;
  chars.forEach((ch, i) => {
    // Stretch by the width multiple, narrowing glyphs wider than their cell.
    const glyph = Math.max(ctx.measureText(ch).width, 1);
    const scaleX = Math.min(state.width, cellW / glyph);
    ctx.save();
    const x = left + i * cellW + (cellW - glyph * scaleX) / 2;
    ctx.translate(x, baseline);
    ctx.scale(scaleX, 1);
    ctx.fillText(ch, 0, 0);
    ctx.restore();
  });
  const rgba = ctx.getImageData(0, 0, pageWidth, height).data;
  const block = blank(pageWidth, height);
  for (let i = 0; i < block.dots.length; i++) {
    block.dots[i] = (rgba[i * 4] ?? 255) < INK_THRESHOLD ? 1 : 0;
  }
  return block;
}

/** GS ( k function 169 values 48–51. */
const QR_LEVELS: QrLevel[] = ['L', 'M', 'Q', 'H'];

interface QrState {
  moduleDots: number;
  level: QrLevel;
  data?: Buffer;
}

/** A stored QR symbol drawn as a printer does at function 181, aligned by ESC a. */
function qrBlock(qr: QrState & { data: Buffer }, align: TextState['align'],
  pageWidth: number): Block {
  const matrix = qrMatrix(qr.data, qr.level);
  const side = matrix.size * qr.moduleDots;
  const quiet = QR_QUIET_MODULES * qr.moduleDots;
  const block = blank(pageWidth, side + 2 * quiet);
  const left = align === 'left' ? 0
    : align === 'right' ? pageWidth - side : Math.floor((pageWidth - side) / 2);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const px = left + x;
      if (px < 0 || px >= pageWidth) continue;
      const dark = matrix.dark(Math.floor(y / qr.moduleDots), Math.floor(x / qr.moduleDots));
      if (dark) block.dots[(quiet + y) * pageWidth + px] = 1;
    }
  }
  return block;
}

class PageBuilder {
  readonly blocks: Block[] = [];
  readonly text: string[] = [];
  readonly problems: string[] = [];
  private state: TextState = { codePage: 0, align: 'left', bold: false, width: 1, height: 1 };
  private qr: QrState = { moduleDots: 3, level: 'L' };
  /** Text of the line being received, decoded piece by piece. */
  private line: string[] = [];

  constructor(private readonly width: number) {}

  apply(cmd: EscPosCommand): void {
    switch (cmd.op) {
      case 'init':
        this.flushText(false);
        this.state = { codePage: 0, align: 'left', bold: false, width: 1, height: 1 };
        this.qr = { moduleDots: 3, level: 'L' };
        return;
      case 'codePage': this.state.codePage = cmd.n; return;
      case 'align': this.state.align = cmd.align; return;
      case 'bold': this.state.bold = cmd.on; return;
      case 'size': Object.assign(this.state, { width: cmd.width, height: cmd.height }); return;
      case 'printMode': Object.assign(this.state, { bold: cmd.bold, width: cmd.width,
        height: cmd.height }); return;
      case 'text': this.line.push(this.decode(cmd.bytes)); return;
      case 'qr': this.applyQr(cmd); return;
      case 'lineFeed': this.flushText(true); return;
      case 'feedLines':
        this.flushText(false);
        this.feed(cmd.lines * LINE_SPACING);
        return;
      case 'feedDots': this.flushText(false); this.feed(cmd.dots); return;
      case 'raster': this.flushText(false); this.addRaster(cmd); return;
      case 'cut': this.flushText(false); return;
      default: return;
    }
  }

  finish(): void {
    this.flushText(false);
  }

  private decode(bytes: Buffer): string {
    const decoded = decodeCodePage(bytes, this.state.codePage);
    if (decoded !== undefined) return decoded;
    this.problems.push(`code page ${this.state.codePage} is not known to the simulator`);
    return bytes.toString('latin1');
  }

  /** GS ( k cn 49: 67 module size, 69 error correction, 80 store, 81 print (65 model). */
  private applyQr(cmd: Extract<EscPosCommand, { op: 'qr' }>): void {
    const n = cmd.params[0];
    if (cmd.fn === 0x43 && n !== undefined && n >= 1 && n <= 16) this.qr.moduleDots = n;
    else if (cmd.fn === 0x45 && n !== undefined && n >= 48 && n <= 51) {
      this.qr.level = QR_LEVELS[n - 48]!;
    } else if (cmd.fn === 0x50) this.qr.data = Buffer.from(cmd.params.subarray(1));
    else if (cmd.fn === 0x51) {
      this.flushText(false);
      const { data } = this.qr;
      if (!data || data.length === 0) {
        this.problems.push('QR code printed with no data stored');
        return;
      }
      this.blocks.push(qrBlock({ ...this.qr, data }, this.state.align, this.width));
    } else if (cmd.fn === 0x41 && n !== 0x32) {
      this.problems.push(`QR model ${n} is not drawn (model 2 only)`);
    }
  }

  private feed(dots: number): void {
    if (dots > 0) this.blocks.push(blank(this.width, dots));
  }

  private addRaster(cmd: Extract<EscPosCommand, { op: 'raster' }>): void {
    const block = rasterBlock(cmd);
    if (block.width > this.width) {
      this.problems.push(`raster image ${block.width} dots wide on ${this.width}-dot paper`);
    }
    const fitted = blank(this.width, block.height);
    const copy = Math.min(block.width, this.width);
    for (let y = 0; y < block.height; y++) {
      fitted.dots.set(block.dots.subarray(y * block.width, y * block.width + copy), y * this.width);
    }
    this.blocks.push(fitted);
  }

  /** Prints the pending text, wrapping at the paper width as a printer does. */
  private flushText(emptyLineFeeds: boolean): void {
    const decoded = this.line.join('').normalize('NFC');
    this.line = [];
    if (decoded.length === 0) {
      if (emptyLineFeeds) this.feed(LINE_SPACING * this.state.height);
      return;
    }
    const perLine = Math.max(1, Math.floor(this.width / (CELL_WIDTH * this.state.width)));
    const chars = [...decoded];
    for (let i = 0; i < chars.length; i += perLine) {
      const piece = chars.slice(i, i + perLine).join('');
      this.text.push(piece);
      this.blocks.push(textBlock(piece, this.state, this.width));
    }
  }
}

/** Renders the commands of one job onto paper widthDots wide. */
export function renderPage(commands: EscPosCommand[], widthDots: number): RenderedPage {
  const page = new PageBuilder(widthDots);
  for (const cmd of commands) page.apply(cmd);
  page.finish();
  const height = Math.max(1, page.blocks.reduce((sum, b) => sum + b.height, 0));
  const dots = new Uint8Array(widthDots * height);
  let top = 0;
  for (const block of page.blocks) {
    dots.set(block.dots, top * widthDots);
    top += block.height;
  }
  return { width: widthDots, height, dots, text: page.text, problems: page.problems };
}

/** The page as a greyscale PNG: black dots on white paper. */
export function pageToPng(page: RenderedPage): Buffer {
  const png = new PNG({ width: page.width, height: page.height });
  page.dots.forEach((dot, i) => {
    const v = dot ? 0 : 255;
    png.data[i * 4] = v;
    png.data[i * 4 + 1] = v;
    png.data[i * 4 + 2] = v;
    png.data[i * 4 + 3] = 255;
  });
  return PNG.sync.write(png, { colorType: 0 });
}
