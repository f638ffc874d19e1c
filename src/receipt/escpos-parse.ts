/**
 * An incremental ESC/POS parser: bytes in, commands out, in stream order. The printer
 * simulator and the tests share it. Commands it acts on are decoded; other commands whose
 * length is known from Epson's reference are skipped whole (so their parameters are not
 * taken for text); a byte that starts nothing known is reported as unknown and skipped alone.
 */
export type EscPosCommand = { offset: number } & (
  | { op: 'init' }
  | { op: 'codePage'; n: number }
  | { op: 'align'; align: 'left' | 'center' | 'right' }
  | { op: 'bold'; on: boolean }
  | { op: 'size'; width: number; height: number }
  /** ESC ! n: bit 3 emphasis, bit 4 double height, bit 5 double width. */
  | { op: 'printMode'; bold: boolean; width: number; height: number }
  | { op: 'text'; bytes: Buffer }
  | { op: 'lineFeed' }
  | { op: 'feedLines'; lines: number }
  | { op: 'feedDots'; dots: number }
  | { op: 'raster'; mode: number; bytesPerRow: number; rows: number; data: Buffer }
  | { op: 'cut'; partial: boolean; feed?: number }
  /** GS ( k with cn = 49 (QR code): fn is the function byte (65 model … 81 print). */
  | { op: 'qr'; fn: number; params: Buffer }
  | { op: 'status'; n: number }
  | { op: 'skipped'; name: string; bytes: Buffer }
  | { op: 'unknown'; bytes: Buffer; reason: string }
);

type Parsed = { command: EscPosCommand; length: number } | 'more';

const ESC = 0x1b;
const GS = 0x1d;
const DLE = 0x10;
const FS = 0x1c;

/** Fixed-length commands we skip: second byte → total length including the prefix. */
const ESC_FIXED: Record<number, [string, number]> = {
  0x20: ['ESC SP', 3], 0x24: ['ESC $', 4], 0x25: ['ESC %', 3], 0x2d: ['ESC -', 3],
  0x32: ['ESC 2', 2], 0x33: ['ESC 3', 3], 0x3d: ['ESC =', 3], 0x3f: ['ESC ?', 3],
  0x47: ['ESC G', 3], 0x4c: ['ESC L', 2], 0x4d: ['ESC M', 3], 0x52: ['ESC R', 3],
  0x53: ['ESC S', 2], 0x54: ['ESC T', 3], 0x55: ['ESC U', 3], 0x56: ['ESC V', 3],
  0x5c: ['ESC \\', 4], 0x63: ['ESC c', 4], 0x69: ['ESC i', 2], 0x6d: ['ESC m', 2],
  0x70: ['ESC p', 5], 0x72: ['ESC r', 3], 0x7b: ['ESC {', 3],
};
const GS_FIXED: Record<number, [string, number]> = {
  0x24: ['GS $', 4], 0x2f: ['GS /', 3], 0x3a: ['GS :', 2], 0x42: ['GS B', 3],
  0x48: ['GS H', 3], 0x49: ['GS I', 3], 0x4c: ['GS L', 4], 0x50: ['GS P', 4],
  0x5c: ['GS \\', 4], 0x61: ['GS a', 3], 0x62: ['GS b', 3], 0x66: ['GS f', 3],
  0x68: ['GS h', 3], 0x72: ['GS r', 3], 0x77: ['GS w', 3], 0x57: ['GS W', 4],
};
const FS_FIXED: Record<number, [string, number]> = {
  0x21: ['FS !', 3], 0x26: ['FS &', 2], 0x2d: ['FS -', 3], 0x2e: ['FS .', 2],
  0x43: ['FS C', 3], 0x53: ['FS S', 4], 0x57: ['FS W', 3], 0x70: ['FS p', 4],
};

function done(command: EscPosCommand, length: number): Parsed {
  return { command, length };
}

function skipped(buf: Buffer, pos: number, name: string, length: number): Parsed {
  if (pos + length > buf.length) return 'more';
  return done({ offset: pos, op: 'skipped', name, bytes: buf.subarray(pos, pos + length) }, length);
}

function unknown(buf: Buffer, pos: number, reason: string): Parsed {
  const bytes = buf.subarray(pos, Math.min(pos + 2, buf.length));
  return done({ offset: pos, op: 'unknown', bytes, reason }, 1);
}

/** Reads a parameter byte; undefined when the stream has not brought it yet. */
function at(buf: Buffer, i: number): number | undefined {
  return i < buf.length ? buf[i] : undefined;
}

const ALIGNS = ['left', 'center', 'right'] as const;

function parseEsc(buf: Buffer, pos: number): Parsed {
  const code = at(buf, pos + 1);
  if (code === undefined) return 'more';
  if (code === 0x40) return done({ offset: pos, op: 'init' }, 2);
  const n = at(buf, pos + 2);
  const fixed = ESC_FIXED[code];
  if (fixed) return skipped(buf, pos, ...fixed);
  if (code === 0x2a) return parseEscBitImage(buf, pos);
  if (code === 0x44) return parseTerminated(buf, pos, 'ESC D');
  if (![0x74, 0x61, 0x45, 0x64, 0x4a, 0x21].includes(code)) {
    return unknown(buf, pos, `ESC ${hex(code)}`);
  }
  if (n === undefined) return 'more';
  switch (code) {
    case 0x74: return done({ offset: pos, op: 'codePage', n }, 3);
    case 0x61: return done({ offset: pos, op: 'align', align: ALIGNS[n % 48] ?? 'left' }, 3);
    case 0x45: return done({ offset: pos, op: 'bold', on: (n & 1) === 1 }, 3);
    case 0x64: return done({ offset: pos, op: 'feedLines', lines: n }, 3);
    case 0x4a: return done({ offset: pos, op: 'feedDots', dots: n }, 3);
    default: {
      const mode = { bold: (n & 0x08) !== 0, height: n & 0x10 ? 2 : 1, width: n & 0x20 ? 2 : 1 };
      return done({ offset: pos, op: 'printMode', ...mode }, 3);
    }
  }
}

/** ESC * m nL nH d: k = nL + nH×256 columns, 1 byte each for m = 0, 1 and 3 for m = 32, 33. */
function parseEscBitImage(buf: Buffer, pos: number): Parsed {
  const m = at(buf, pos + 2);
  const nL = at(buf, pos + 3);
  const nH = at(buf, pos + 4);
  if (m === undefined || nL === undefined || nH === undefined) return 'more';
  const columns = nL + nH * 256;
  return skipped(buf, pos, 'ESC *', 5 + columns * (m >= 32 ? 3 : 1));
}

/** Commands whose data ends with a NUL byte. */
function parseTerminated(buf: Buffer, pos: number, name: string, start = 2): Parsed {
  const end = buf.indexOf(0, pos + start);
  if (end < 0) return 'more';
  return skipped(buf, pos, name, end - pos + 1);
}

function parseGs(buf: Buffer, pos: number): Parsed {
  const code = at(buf, pos + 1);
  if (code === undefined) return 'more';
  const fixed = GS_FIXED[code];
  if (fixed) return skipped(buf, pos, ...fixed);
  switch (code) {
    case 0x21: {
      const n = at(buf, pos + 2);
      if (n === undefined) return 'more';
      return done({ offset: pos, op: 'size', width: (n >> 4) + 1, height: (n & 7) + 1 }, 3);
    }
    case 0x56: return parseCut(buf, pos);
    case 0x76: return parseRaster(buf, pos);
    case 0x6b: return parseBarcode(buf, pos);
    case 0x28: return parseGsParen(buf, pos);
    case 0x38: return parseLargeLengthPrefixed(buf, pos);
    case 0x2a: {
      const x = at(buf, pos + 2);
      const y = at(buf, pos + 3);
      if (x === undefined || y === undefined) return 'more';
      return skipped(buf, pos, 'GS *', 4 + x * y * 8);
    }
    default: return unknown(buf, pos, `GS ${hex(code)}`);
  }
}

/** GS V m (m = 0, 1, 48, 49) or GS V m n (m = 65, 66, 97, 98, 103, 104). */
function parseCut(buf: Buffer, pos: number): Parsed {
  const m = at(buf, pos + 2);
  if (m === undefined) return 'more';
  if ([0, 1, 48, 49].includes(m)) {
    return done({ offset: pos, op: 'cut', partial: m % 48 === 1 }, 3);
  }
  if (![65, 66, 97, 98, 103, 104].includes(m)) return unknown(buf, pos, `GS V ${hex(m)}`);
  const n = at(buf, pos + 3);
  if (n === undefined) return 'more';
  return done({ offset: pos, op: 'cut', partial: m % 2 === 0, feed: n }, 4);
}

/** GS v 0 m xL xH yL yH d1…dk with k = (xL + xH×256) × (yL + yH×256). */
function parseRaster(buf: Buffer, pos: number): Parsed {
  if (pos + 8 > buf.length) return 'more';
  if (buf[pos + 2] !== 0x30) return unknown(buf, pos, 'GS v without 0');
  const mode = buf[pos + 3]! % 48;
  const bytesPerRow = buf[pos + 4]! + buf[pos + 5]! * 256;
  const rows = buf[pos + 6]! + buf[pos + 7]! * 256;
  const end = pos + 8 + bytesPerRow * rows;
  if (end > buf.length) return 'more';
  const data = Buffer.from(buf.subarray(pos + 8, end));
  return done({ offset: pos, op: 'raster', mode, bytesPerRow, rows, data }, end - pos);
}

/** GS k m: m 0–6 data ends with NUL; m 65–79 has a length byte n then n bytes. */
function parseBarcode(buf: Buffer, pos: number): Parsed {
  const m = at(buf, pos + 2);
  if (m === undefined) return 'more';
  if (m <= 6) return parseTerminated(buf, pos, 'GS k', 3);
  const n = at(buf, pos + 3);
  if (n === undefined) return 'more';
  return skipped(buf, pos, 'GS k', 4 + n);
}

/** GS ( x pL pH …, FS ( x pL pH …: pL + pH×256 bytes follow (QR codes, NV images …). */
function parseLengthPrefixed(buf: Buffer, pos: number, name: string): Parsed {
  if (pos + 5 > buf.length) return 'more';
  const length = buf[pos + 3]! + buf[pos + 4]! * 256;
  return skipped(buf, pos, `${name}${String.fromCharCode(buf[pos + 2]!)}`, 5 + length);
}

/** GS ( k pL pH cn fn …: a QR code function when cn = 49, else skipped like any GS ( x. */
function parseGsParen(buf: Buffer, pos: number): Parsed {
  const parsed = parseLengthPrefixed(buf, pos, 'GS (');
  if (parsed === 'more' || buf[pos + 2] !== 0x6b) return parsed;
  const length = parsed.length - 5;
  if (length < 2 || buf[pos + 5] !== 0x31) return parsed;
  const params = Buffer.from(buf.subarray(pos + 7, pos + 5 + length));
  return done({ offset: pos, op: 'qr', fn: buf[pos + 6]!, params }, parsed.length);
}

/** GS 8 L p1 p2 p3 p4 …: a 32-bit little-endian length. */
function parseLargeLengthPrefixed(buf: Buffer, pos: number): Parsed {
  if (pos + 7 > buf.length) return 'more';
  if (buf[pos + 2] !== 0x4c) return unknown(buf, pos, 'GS 8 without L');
  return skipped(buf, pos, 'GS 8 L', 7 + buf.readUInt32LE(pos + 3));
}

function parseDle(buf: Buffer, pos: number): Parsed {
  const code = at(buf, pos + 1);
  if (code === undefined) return 'more';
  const n = at(buf, pos + 2);
  if (code === 0x04) {
    if (n === undefined) return 'more';
    return done({ offset: pos, op: 'status', n }, 3);
  }
  if (code === 0x05) return skipped(buf, pos, 'DLE ENQ', 3);
  if (code === 0x14) return skipped(buf, pos, 'DLE DC4', 5);
  return unknown(buf, pos, `DLE ${hex(code)}`);
}

function parseFs(buf: Buffer, pos: number): Parsed {
  const code = at(buf, pos + 1);
  if (code === undefined) return 'more';
  const fixed = FS_FIXED[code];
  if (fixed) return skipped(buf, pos, ...fixed);
  if (code === 0x28) return parseLengthPrefixed(buf, pos, 'FS (');
  return unknown(buf, pos, `FS ${hex(code)}`);
}

function parseText(buf: Buffer, pos: number): Parsed {
  let end = pos;
  while (end < buf.length && buf[end]! >= 0x20) end++;
  return done({ offset: pos, op: 'text', bytes: Buffer.from(buf.subarray(pos, end)) }, end - pos);
}

function parseOne(buf: Buffer, pos: number): Parsed {
  const b = buf[pos]!;
  if (b >= 0x20) return parseText(buf, pos);
  switch (b) {
    case 0x0a: return done({ offset: pos, op: 'lineFeed' }, 1);
    case 0x0d: return skipped(buf, pos, 'CR', 1);
    case 0x09: return skipped(buf, pos, 'HT', 1);
    case 0x0c: return skipped(buf, pos, 'FF', 1);
    case 0x18: return skipped(buf, pos, 'CAN', 1);
    case ESC: return parseEsc(buf, pos);
    case GS: return parseGs(buf, pos);
    case DLE: return parseDle(buf, pos);
    case FS: return parseFs(buf, pos);
    default: return unknown(buf, pos, `control ${hex(b)}`);
  }
}

function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

export class EscPosParser {
  private pending = Buffer.alloc(0);
  /** Stream offset of pending[0]. */
  private base = 0;

  /** Feeds received bytes; returns the commands they complete. */
  push(chunk: Buffer): EscPosCommand[] {
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const commands: EscPosCommand[] = [];
    let pos = 0;
    while (pos < buf.length) {
      const parsed = parseOne(buf, pos);
      if (parsed === 'more') break;
      const { command, length } = parsed;
      commands.push({ ...command, offset: this.base + pos });
      pos += length;
    }
    this.pending = Buffer.from(buf.subarray(pos));
    this.base += pos;
    return commands;
  }

  /** Ends the stream: a command still incomplete is reported as unknown (truncated). */
  end(): EscPosCommand[] {
    if (this.pending.length === 0) return [];
    const bytes = this.pending;
    const offset = this.base;
    this.base += bytes.length;
    this.pending = Buffer.alloc(0);
    return [{ offset, op: 'unknown', bytes, reason: 'truncated command' }];
  }
}

/** Parses a complete stream. */
export function parseEscPos(bytes: Buffer): EscPosCommand[] {
  const parser = new EscPosParser();
  return [...parser.push(bytes), ...parser.end()];
}
