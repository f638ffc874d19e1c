import { TlvError } from '../errors';
import { maskBytes } from '../mask';

/**
 * BER-TLV as EMV uses it (EMV Book 3 Annex B, ISO/IEC 8825-1 subset): tags of one or more
 * bytes, definite lengths of at most three bytes, and '00' or 'FF' filler between objects.
 * Tags are upper-case hex strings ('9F02', '70', 'BF0C').
 */
export interface TlvNode {
  tag: string;
  value: Buffer;
  /** Present when the tag is constructed (bit 6 of its first byte): the parsed value. */
  children?: TlvNode[];
}

/** No EMV tag is longer than three bytes; four leaves room and stops runaway tags. */
const MAX_TAG_BYTES = 4;

/** A tag read from a buffer: its hex form and the offset just after it. */
export interface TagRead {
  tag: string;
  end: number;
}

/** A length read from a buffer: the value length and the offset just after the length. */
export interface LengthRead {
  length: number;
  end: number;
}

function malformed(reason: string, detail: Record<string, unknown>): TlvError {
  return new TlvError('TLV_MALFORMED', `Malformed BER-TLV: ${reason}`, { detail });
}

/** True when the tag's first byte says the object is constructed (b6 = 1). */
export function isConstructed(tag: string): boolean {
  return (parseInt(tag.slice(0, 2), 16) & 0x20) !== 0;
}

/**
 * Reads a tag at `offset`. A first byte with b5..b1 all set announces subsequent bytes, each
 * followed by another while its b8 is set.
 */
export function readTag(data: Buffer, offset: number): TagRead {
  const first = data[offset];
  if (first === undefined) throw malformed('tag missing', { offset });
  let end = offset + 1;
  if ((first & 0x1f) === 0x1f) {
    for (;;) {
      const next = data[end];
      if (next === undefined) throw malformed('tag truncated', { offset });
      end += 1;
      if ((next & 0x80) === 0) break;
      if (end - offset >= MAX_TAG_BYTES) throw malformed('tag too long', { offset });
    }
  }
  return { tag: data.subarray(offset, end).toString('hex').toUpperCase(), end };
}

/** Reads a definite length: one byte up to 7F, or 81 xx, or 82 xx xx. */
export function readLength(data: Buffer, offset: number, tag: string): LengthRead {
  const first = data[offset];
  if (first === undefined) throw malformed('length missing', { offset, tag });
  if (first < 0x80) return { length: first, end: offset + 1 };
  if (first === 0x80) throw malformed('indefinite length', { offset, tag });
  const count = first & 0x7f;
  if (count > 2) throw malformed(`length of ${count} bytes`, { offset, tag });
  if (offset + 1 + count > data.length) throw malformed('length truncated', { offset, tag });
  return { length: data.readUIntBE(offset + 1, count), end: offset + 1 + count };
}

function parseAt(data: Buffer, base: number): TlvNode[] {
  const nodes: TlvNode[] = [];
  let offset = 0;
  while (offset < data.length) {
    const byte = data[offset]!;
    // Filler left where objects were erased, or at the end of a record (Book 3 Annex B).
    if (byte === 0x00 || byte === 0xff) {
      offset += 1;
      continue;
    }
    const { tag, end: afterTag } = withBase(() => readTag(data, offset), base);
    const { length, end: start } = withBase(() => readLength(data, afterTag, tag), base);
    if (start + length > data.length) {
      throw malformed('value overruns the data', {
        offset: base + offset, tag, length, available: data.length - start,
        data: maskBytes(data),
      });
    }
    const value = data.subarray(start, start + length);
    const node: TlvNode = { tag, value };
    if (isConstructed(tag)) node.children = parseAt(value, base + start);
    nodes.push(node);
    offset = start + length;
  }
  return nodes;
}

/** Re-raises an error of a nested read with its offset made absolute. */
function withBase<T>(read: () => T, base: number): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof TlvError && typeof err.detail.offset === 'number' && base > 0) {
      err.detail.offset = err.detail.offset + base;
    }
    throw err;
  }
}

/** Parses a sequence of BER-TLV objects, constructed ones recursively. */
export function parseTlv(data: Buffer): TlvNode[] {
  return parseAt(data, 0);
}

/**
 * Parses data received in answer to a command; a TlvError gets `context` (the command, the
 * record...) added to its detail, so the error says where the bad data came from.
 */
export function parseTlvFrom(data: Buffer, context: Record<string, unknown>): TlvNode[] {
  try {
    return parseTlv(data);
  } catch (err) {
    if (err instanceof TlvError) Object.assign(err.detail, context);
    throw err;
  }
}

/** The first node with `tag`, depth-first (a node before its children, children in order). */
export function findTag(nodes: TlvNode[], tag: string): TlvNode | undefined {
  const wanted = tag.toUpperCase();
  for (const node of nodes) {
    if (node.tag === wanted) return node;
    if (node.children !== undefined) {
      const found = findTag(node.children, wanted);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The bytes of a tag given as hex, checked against the BER tag rules. */
export function tagBytes(tag: string): Buffer {
  if (!/^([0-9A-Fa-f]{2})+$/.test(tag)) throw malformed('tag is not hex', { tag });
  const bytes = Buffer.from(tag, 'hex');
  const read = readTag(bytes, 0);
  if (read.end !== bytes.length) throw malformed('tag has extra bytes', { tag });
  return bytes;
}

/** The BER length field for `length` (at most 65535: three length bytes). */
export function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  if (length <= 0xff) return Buffer.from([0x81, length]);
  if (length <= 0xffff) return Buffer.from([0x82, length >> 8, length & 0xff]);
  throw malformed('value too long to encode', { length });
}

/** One TLV object; a Buffer[] value is the already-encoded children, concatenated. */
export function encodeTlv(tag: string, value: Buffer | Buffer[]): Buffer {
  const body = Array.isArray(value) ? Buffer.concat(value) : value;
  return Buffer.concat([tagBytes(tag), encodeLength(body.length), body]);
}

/** Encodes a node tree back to bytes (children re-encoded when present). */
export function encodeNodes(nodes: TlvNode[]): Buffer {
  return Buffer.concat(nodes.map((node) =>
    encodeTlv(node.tag, node.children === undefined ? node.value : [encodeNodes(node.children)]),
  ));
}
