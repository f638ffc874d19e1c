import { Iso8583Error } from '../errors';
import { maskPan } from '../mask';
import type { MessageLayout } from './layout';
import { createMessage, type FieldValue, type IsoMessage } from './message';
import { unpack } from './pack';

/**
 * Reading a capture for a technician (`quay iso8583 decode`) and building a message from
 * JSON (`quay iso8583 encode`). A capture is raw bytes or hex text, optionally with the
 * 2-byte length header and a TPDU in front. Card data (PAN, tracks, PIN block, ICC data) is
 * masked unless asked for.
 */

/** Fields shown masked by default: PAN, extended PAN, tracks 2, 3 and 1, PIN block, ICC. */
export const CARD_DATA_FIELDS: ReadonlySet<number> = new Set([2, 34, 35, 36, 45, 52, 55]);
const PAN_FIELDS = new Set([2, 34]);
const TPDU_BYTES = 5;

export interface DecodedField {
  field: number;
  description: string;
  /** Text as sent; binary fields in upper-case hex. */
  value: string;
  /** Whether the value is binary shown in hex. */
  hex: boolean;
  /** Whether the value was masked (card data without --show-card-data). */
  masked: boolean;
}

export interface DecodedCapture {
  layout: string;
  /** How the file was read. */
  input: 'raw' | 'hex';
  /** The length header's value, when the capture had one. */
  header?: number;
  tpdu?: string;
  mti: string;
  fields: DecodedField[];
}

export interface DecodeOptions {
  /** raw bytes, hex text, or auto: whichever reads (hex first for binary layouts). */
  input?: 'auto' | 'raw' | 'hex';
  /** The capture starts with a 2-byte length header; auto: strip it when it matches. */
  header?: boolean | 'auto';
  /** The capture has a 5-byte TPDU before the message (after the header). */
  tpdu?: boolean;
  showCardData?: boolean;
}

interface Candidate {
  input: 'raw' | 'hex';
  bytes: Buffer;
}

function hexText(content: Buffer): Buffer | undefined {
  const text = content.toString('latin1').replace(/\s+/g, '');
  return /^([0-9A-Fa-f]{2})+$/.test(text) ? Buffer.from(text, 'hex') : undefined;
}

function candidates(content: Buffer, layout: MessageLayout, input: string): Candidate[] {
  const raw: Candidate[] = [{ input: 'raw', bytes: content }];
  const trimmed = content.subarray(0, content.length - (/\r?\n$/.exec(content.toString('latin1'))
    ?.[0].length ?? 0));
  if (layout.mti === 'ascii' && trimmed.length !== content.length) {
    raw.push({ input: 'raw', bytes: trimmed });
  }
  if (input === 'raw') return raw;
  const hex = hexText(content);
  if (input === 'hex') {
    if (!hex) throw notRead(layout, 'the file is not hex text');
    return [{ input: 'hex', bytes: hex }];
  }
  if (!hex) return raw;
  const binary = layout.mti === 'bcd' || layout.bitmap === 'binary';
  return binary ? [{ input: 'hex', bytes: hex }, ...raw] : [...raw, { input: 'hex', bytes: hex }];
}

function notRead(layout: MessageLayout, reason: string): Iso8583Error {
  return new Iso8583Error('ISO_UNPACK', `cannot read the capture: ${reason}`, {
    detail: { layout: layout.name, reason },
  });
}

interface Unframed {
  header?: number;
  tpdu?: Buffer;
  message: Buffer;
}

function unframe(bytes: Buffer, layout: MessageLayout, options: DecodeOptions): Unframed[] {
  const out: Unframed[] = [];
  const headerMatches = bytes.length >= 2 && bytes.readUInt16BE(0) === bytes.length - 2;
  const withHeader = options.header === true || (options.header !== false && headerMatches);
  if (options.header === true && !headerMatches) {
    throw notRead(layout, 'the length header does not count the bytes after it');
  }
  const body = withHeader ? bytes.subarray(2) : bytes;
  const split = (data: Buffer, header?: number): Unframed => {
    if (!options.tpdu) return { header, message: data };
    if (data.length < TPDU_BYTES) throw notRead(layout, 'too short for a TPDU');
    return { header, tpdu: data.subarray(0, TPDU_BYTES), message: data.subarray(TPDU_BYTES) };
  };
  out.push(split(body, withHeader ? bytes.readUInt16BE(0) : undefined));
  if (withHeader && options.header !== true) out.push(split(bytes));
  return out;
}

function shown(id: number, value: FieldValue, showCardData: boolean): [string, boolean] {
  const text = typeof value === 'string' ? value : value.toString('hex').toUpperCase();
  if (showCardData || !CARD_DATA_FIELDS.has(id)) return [text, false];
  if (PAN_FIELDS.has(id) && typeof value === 'string' && /^\d+$/.test(value)) {
    return [maskPan(value), true];
  }
  const unit = typeof value === 'string' ? 'characters' : 'bytes';
  return [`(masked: ${value.length} ${unit})`, true];
}

/** The fields of a message as a technician reads them. */
export function describeFields(message: IsoMessage, layout: MessageLayout,
  showCardData = false): DecodedField[] {
  return [...message.fields].sort((a, b) => a[0] - b[0]).map(([id, value]) => {
    const [text, masked] = shown(id, value, showCardData);
    return { field: id, description: layout.fields.get(id)?.description ?? '', value: text,
      hex: Buffer.isBuffer(value), masked };
  });
}

/** Reads a capture (file content) with a layout; the first reading that works wins. */
export function decodeCapture(content: Buffer, layout: MessageLayout,
  options: DecodeOptions = {}): DecodedCapture {
  let firstError: unknown;
  for (const candidate of candidates(content, layout, options.input ?? 'auto')) {
    for (const framed of unframe(candidate.bytes, layout, options)) {
      try {
        const message = unpack(framed.message, layout);
        const decoded: DecodedCapture = { layout: layout.name, input: candidate.input,
          mti: message.mti, fields: describeFields(message, layout, options.showCardData) };
        if (framed.header !== undefined) decoded.header = framed.header;
        if (framed.tpdu) decoded.tpdu = framed.tpdu.toString('hex').toUpperCase();
        return decoded;
      } catch (err) {
        if (!(err instanceof Iso8583Error)) throw err;
        firstError ??= err;
      }
    }
  }
  throw firstError ?? notRead(layout, 'the file is empty');
}

/** The capture as lines of text: MTI, then number, description and value of each field. */
export function formatCapture(decoded: DecodedCapture): string {
  const framing = [decoded.header !== undefined ? `length header ${decoded.header}` : '',
    decoded.tpdu ? `TPDU ${decoded.tpdu}` : ''].filter(Boolean).join(', ');
  const lines = [`layout ${decoded.layout}, read as ${decoded.input === 'hex' ? 'hex text'
    : 'raw bytes'}${framing ? `, ${framing}` : ''}`, `MTI  ${decoded.mti}`];
  for (const f of decoded.fields) {
    lines.push(`${String(f.field).padStart(3)}  ${f.description.padEnd(44)} ${f.value}`);
  }
  if (decoded.fields.some((f) => f.masked)) {
    lines.push('card data masked; --show-card-data shows it');
  }
  return lines.join('\n');
}

function packError(reason: string, detail: Record<string, unknown> = {}): Iso8583Error {
  return new Iso8583Error('ISO_PACK', `cannot build the message: ${reason}`, {
    detail: { reason, ...detail },
  });
}

function fieldValue(layout: MessageLayout, id: number, value: unknown): FieldValue {
  const spec = layout.fields.get(id);
  if (!spec) throw packError(`field ${id} is not in layout ${layout.name}`, { field: id });
  if (typeof value !== 'string') throw packError(`field ${id} must be a string`, { field: id });
  if (spec.type !== 'b') return value;
  const bytes = hexText(Buffer.from(value, 'latin1'));
  if (!bytes && value !== '') {
    throw packError(`field ${id} is binary: give it as hex`, { field: id });
  }
  return bytes ?? Buffer.alloc(0);
}

interface FieldEntry { field: number; value: unknown; masked?: boolean }

function entries(fields: unknown): FieldEntry[] {
  if (Array.isArray(fields)) return fields as FieldEntry[];
  if (typeof fields === 'object' && fields !== null) {
    return Object.entries(fields).map(([key, value]) => ({ field: Number(key), value }));
  }
  throw packError('"fields" must be an object (number → value) or a list of {field, value}');
}

/**
 * A message from JSON: `{ "mti": "0200", "fields": { "3": "000000", "52": "1B9C…" } }` or the
 * output of `decode --json` (fields as a list; masked values are refused), or moov-io's
 * `{ "mti", "elements" }`. Binary fields are hex; field 1 is derived and ignored.
 */
export function messageFromJson(json: unknown, layout: MessageLayout): IsoMessage {
  if (typeof json !== 'object' || json === null) throw packError('not a JSON object');
  // moov-io's decodings (iso_reversal_message.json) name the fields "elements".
  const { mti, fields, elements } = json as { mti?: unknown; fields?: unknown;
    elements?: unknown };
  if (typeof mti !== 'string' || !/^\d{4}$/.test(mti)) throw packError('"mti" must be 4 digits');
  const message = createMessage(mti);
  for (const entry of entries(fields ?? elements)) {
    const id = Number(entry.field);
    if (id === 1) continue;
    if (entry.masked) {
      throw packError(`field ${id} was masked when decoded: decode with --show-card-data`,
        { field: id });
    }
    message.fields.set(id, fieldValue(layout, id, entry.value));
  }
  return message;
}
