import { BcdFault, decodeBcd, encodeBcd } from './bcd';
import { maxPrefixCount, type FieldSpec } from './layout';
import type { FieldValue } from './message';

/**
 * One data element to bytes and back, following its FieldSpec. Faults are thrown as
 * FieldFault with a reason only; pack and unpack add the field number, name and offset.
 */
export class FieldFault extends Error {
  /** The bytes concerned, for the masked detail of the error. */
  readonly raw: Buffer | undefined;

  constructor(reason: string, raw?: Buffer) {
    super(reason);
    this.raw = raw;
  }
}

const CHARSETS: Record<'n' | 'an' | 'ans' | 'z', RegExp> = {
  n: /^[0-9]*$/,
  // Alphanumeric fields are space-filled in practice (RRN, approval code), so space is allowed.
  an: /^[A-Za-z0-9 ]*$/,
  ans: /^[\x20-\x7E]*$/,
  z: /^[0-9=D]*$/,
};

function checkText(spec: FieldSpec, value: string): void {
  if (spec.type === 'b') return;
  if (!CHARSETS[spec.type].test(value)) {
    throw new FieldFault(`a character outside type ${spec.type}`, Buffer.from(value, 'latin1'));
  }
}

/** The fixed field's value with the layout's fill applied, or a fault if it does not fit. */
function padded(spec: FieldSpec, value: string): string {
  if (value.length === spec.length || !spec.pad || value.length > spec.length) return value;
  const fill = spec.pad.char.repeat(spec.length - value.length);
  return spec.pad.side === 'left' ? fill + value : value + fill;
}

function encodeValue(spec: FieldSpec, value: FieldValue): Buffer {
  if (spec.type === 'b') {
    if (!Buffer.isBuffer(value)) throw new FieldFault('a binary field needs a Buffer');
    if (spec.encoding === 'hex-ascii') {
      return Buffer.from(value.toString('hex').toUpperCase(), 'latin1');
    }
    return value;
  }
  if (typeof value !== 'string') throw new FieldFault(`a ${spec.type} field needs a string`);
  checkText(spec, value);
  if (spec.encoding === 'bcd') {
    try {
      return encodeBcd(value, spec.bcdPad, spec.type === 'z');
    } catch (err) {
      if (err instanceof BcdFault) throw new FieldFault(err.message);
      throw err;
    }
  }
  return Buffer.from(value, 'latin1');
}

/** The value's own length: digits or characters for text, bytes for b. */
function naturalLength(value: FieldValue): number {
  return value.length;
}

/** What the LL/LLL prefix says for this value, in the layout's unit. */
function prefixCount(spec: FieldSpec, natural: number, encoded: Buffer): number {
  if (spec.encoding === 'bcd' && spec.lengthUnit === 'bytes') return encoded.length;
  if (spec.encoding === 'hex-ascii' && spec.lengthUnit === 'chars') return encoded.length;
  return natural;
}

function encodePrefix(spec: FieldSpec, count: number): Buffer {
  const width = spec.lengthKind === 'LL' ? 2 : 3;
  if (spec.prefix === 'ascii') return Buffer.from(String(count).padStart(width, '0'), 'latin1');
  if (spec.prefix === 'bcd') return encodeBcd(String(count).padStart(width, '0'), 'left-0');
  const out = Buffer.alloc(spec.lengthKind === 'LL' ? 1 : 2);
  out.writeUIntBE(count, 0, out.length);
  return out;
}

/** Encodes one field, prefix included. */
export function encodeField(spec: FieldSpec, given: FieldValue): Buffer {
  const input = Buffer.isBuffer(given) && spec.binaryAsHex
    ? given.toString('hex').toUpperCase() : given;
  const value = typeof input === 'string' && spec.lengthKind === 'fixed'
    ? padded(spec, input) : input;
  const natural = naturalLength(value);
  const encoded = encodeValue(spec, value);
  if (spec.lengthKind === 'fixed') {
    if (natural !== spec.length) {
      throw new FieldFault(`length ${natural} where the field is fixed at ${spec.length}`);
    }
    return encoded;
  }
  if (natural > spec.length) {
    throw new FieldFault(`length ${natural} over the maximum ${spec.length}`);
  }
  return Buffer.concat([encodePrefix(spec, prefixCount(spec, natural, encoded)), encoded]);
}

/** Bytes a value of `natural` length takes on the wire. */
function wireLength(spec: FieldSpec, natural: number): number {
  if (spec.encoding === 'bcd') return Math.ceil(natural / 2);
  if (spec.encoding === 'hex-ascii') return natural * 2;
  return natural;
}

function take(data: Buffer, offset: number, count: number, what: string): Buffer {
  if (offset + count > data.length) {
    throw new FieldFault(`truncated: ${what} needs ${count} bytes, ${data.length - offset} left`);
  }
  return data.subarray(offset, offset + count);
}

function decodePrefix(spec: FieldSpec, data: Buffer, offset: number): [number, number] {
  const digits = spec.lengthKind === 'LL' ? 2 : 3;
  if (spec.prefix === 'ascii') {
    const raw = take(data, offset, digits, 'the length prefix');
    const text = raw.toString('latin1');
    if (!/^\d+$/.test(text)) throw new FieldFault('bad length prefix: not ASCII digits', raw);
    return [Number(text), digits];
  }
  const size = spec.prefix === 'bcd' ? Math.ceil(digits / 2) : digits - 1;
  const raw = take(data, offset, size, 'the length prefix');
  if (spec.prefix === 'binary') return [raw.readUIntBE(0, size), size];
  try {
    return [Number(decodeBcd(raw, undefined, 'left-0')), size];
  } catch (err) {
    if (err instanceof BcdFault) throw new FieldFault(`bad length prefix: ${err.message}`, raw);
    throw err;
  }
}

export interface Decoded {
  value: FieldValue;
  /** Offset just past the field. */
  next: number;
}

function decodeValue(spec: FieldSpec, raw: Buffer, natural: number | undefined): FieldValue {
  if (spec.type === 'b') {
    if (spec.encoding === 'binary') return Buffer.from(raw);
    const text = raw.toString('latin1');
    if (!/^([0-9A-Fa-f]{2})*$/.test(text)) throw new FieldFault('bad hex-ascii content', raw);
    return Buffer.from(text, 'hex');
  }
  if (spec.encoding === 'bcd') {
    try {
      return decodeBcd(raw, natural, spec.bcdPad, spec.type === 'z');
    } catch (err) {
      if (err instanceof BcdFault) throw new FieldFault(err.message, raw);
      throw err;
    }
  }
  const text = raw.toString('latin1');
  checkText(spec, text);
  return text;
}

/** Decodes one field starting at `offset`, prefix included. */
export function decodeField(spec: FieldSpec, data: Buffer, offset: number): Decoded {
  if (spec.lengthKind === 'fixed') {
    const raw = take(data, offset, wireLength(spec, spec.length), 'the value');
    return { value: decodeValue(spec, raw, spec.length), next: offset + raw.length };
  }
  const [count, prefixSize] = decodePrefix(spec, data, offset);
  if (count > maxPrefixCount(spec)) {
    throw new FieldFault(`bad length prefix: ${count} over the maximum ${maxPrefixCount(spec)}`);
  }
  let natural: number | undefined = count;
  let size = wireLength(spec, count);
  if (spec.encoding === 'bcd' && spec.lengthUnit === 'bytes') {
    natural = undefined;
    size = count;
  } else if (spec.encoding === 'hex-ascii' && spec.lengthUnit === 'chars') {
    if (count % 2 === 1) throw new FieldFault(`bad length prefix: odd hex length ${count}`);
    natural = count / 2;
    size = count;
  }
  const raw = take(data, offset + prefixSize, size, 'the value');
  return { value: decodeValue(spec, raw, natural), next: offset + prefixSize + size };
}
