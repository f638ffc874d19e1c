import { Iso8583Error } from '../errors';
import { maskBytes } from '../mask';
import { bitmapFields, bitmapSize, encodeBitmap, readBitmapBytes } from './bitmap';
import { BcdFault, decodeBcd, encodeBcd } from './bcd';
import { decodeField, encodeField, FieldFault } from './field-codec';
import { SENSITIVE_FIELDS, type MessageLayout } from './layout';
import type { FieldValue, IsoMessage } from './message';

/**
 * pack and unpack: MTI, bitmap(s), then the fields in number order. Every fault becomes one
 * Iso8583Error (ISO_PACK or ISO_UNPACK) whose detail names the layout, the field number and
 * description, and the byte offset; raw bytes of card and PIN fields are masked.
 */

const MTI_FIELD = 0;
const BITMAP_FIELD = 1;
const RAW_DETAIL_LIMIT = 64;

interface Where {
  layout: MessageLayout;
  field: number;
  offset: number;
}

function describe(layout: MessageLayout, field: number): string {
  if (field === MTI_FIELD) return 'Message Type Indicator';
  if (field === BITMAP_FIELD) return 'Bitmap';
  return layout.fields.get(field)?.description ?? 'not in the layout';
}

function rawDetail(field: number, raw: Buffer | undefined): string | undefined {
  if (!raw) return undefined;
  if (SENSITIVE_FIELDS.has(field)) return maskBytes(raw);
  const hex = raw.subarray(0, RAW_DETAIL_LIMIT).toString('hex').toUpperCase();
  return raw.length > RAW_DETAIL_LIMIT ? `${hex}… (${raw.length} bytes)` : hex;
}

function isoError(code: 'ISO_PACK' | 'ISO_UNPACK', where: Where, reason: string,
  raw?: Buffer, cause?: unknown): Iso8583Error {
  const description = describe(where.layout, where.field);
  const verb = code === 'ISO_PACK' ? 'cannot pack' : 'cannot unpack';
  const message = `${verb} field ${where.field} (${description}) at offset ${where.offset}: `
    + reason;
  const detail: Record<string, unknown> = {
    layout: where.layout.name, field: where.field, description, offset: where.offset, reason,
  };
  const shown = rawDetail(where.field, raw);
  if (shown !== undefined) detail.raw = shown;
  return new Iso8583Error(code, message, { detail, cause });
}

function rethrow(code: 'ISO_PACK' | 'ISO_UNPACK', where: Where, err: unknown): never {
  if (err instanceof FieldFault) throw isoError(code, where, err.message, err.raw);
  if (err instanceof BcdFault) throw isoError(code, where, err.message);
  throw err;
}

function packMti(message: IsoMessage, layout: MessageLayout): Buffer {
  const where = { layout, field: MTI_FIELD, offset: 0 };
  if (!/^\d{4}$/.test(message.mti)) throw isoError('ISO_PACK', where, 'the MTI is not 4 digits');
  return layout.mti === 'bcd' ? encodeBcd(message.mti, 'left-0')
    : Buffer.from(message.mti, 'latin1');
}

/** Encodes a message with a layout. Fields are written in number order. */
export function pack(message: IsoMessage, layout: MessageLayout): Buffer {
  const parts = [packMti(message, layout)];
  let offset = parts[0]?.length ?? 0;
  const ids = [...message.fields.keys()].sort((a, b) => a - b);
  for (const id of ids) {
    const where = { layout, field: id, offset };
    if (id === BITMAP_FIELD) throw isoError('ISO_PACK', where, 'field 1 is derived, not set');
    if (!layout.fields.has(id)) throw isoError('ISO_PACK', where, 'the layout has no such field');
  }
  const bitmap = encodeBitmap(ids, layout.bitmap);
  parts.push(bitmap);
  offset += bitmap.length;
  for (const id of ids) {
    const spec = layout.fields.get(id);
    const value = message.fields.get(id) as FieldValue;
    const where = { layout, field: id, offset };
    if (!spec) throw isoError('ISO_PACK', where, 'the layout has no such field');
    try {
      const bytes = encodeField(spec, value);
      parts.push(bytes);
      offset += bytes.length;
    } catch (err) {
      rethrow('ISO_PACK', where, err);
    }
  }
  return Buffer.concat(parts);
}

function unpackMti(data: Buffer, layout: MessageLayout): [string, number] {
  const size = layout.mti === 'bcd' ? 2 : 4;
  const where = { layout, field: MTI_FIELD, offset: 0 };
  if (data.length < size) throw isoError('ISO_UNPACK', where, 'truncated: no room for the MTI');
  const raw = data.subarray(0, size);
  const mti = layout.mti === 'bcd' ? decodeMtiBcd(raw, where) : raw.toString('latin1');
  if (!/^\d{4}$/.test(mti)) throw isoError('ISO_UNPACK', where, 'the MTI is not 4 digits', raw);
  return [mti, size];
}

function decodeMtiBcd(raw: Buffer, where: Where): string {
  try {
    return decodeBcd(raw, 4, 'left-0');
  } catch (err) {
    return rethrow('ISO_UNPACK', where, err);
  }
}

function unpackBitmaps(data: Buffer, layout: MessageLayout, start: number): [number[], number] {
  const size = bitmapSize(layout.bitmap);
  const read = (offset: number): Buffer => {
    const where = { layout, field: BITMAP_FIELD, offset };
    if (offset + size > data.length) throw isoError('ISO_UNPACK', where, 'truncated bitmap');
    const raw = data.subarray(offset, offset + size);
    const bits = readBitmapBytes(raw, layout.bitmap);
    if (!bits) throw isoError('ISO_UNPACK', where, 'the bitmap is not hex', raw);
    return bits;
  };
  const primary = read(start);
  const ids = bitmapFields(primary, 1).filter((id) => id !== BITMAP_FIELD);
  if (((primary[0] ?? 0) & 0x80) === 0) return [ids, start + size];
  const secondary = read(start + size);
  return [[...ids, ...bitmapFields(secondary, 65)], start + 2 * size];
}

/** Decodes a whole message; bytes left after the last field are an error. */
export function unpack(data: Buffer, layout: MessageLayout): IsoMessage {
  const [mti, afterMti] = unpackMti(data, layout);
  const [ids, afterBitmaps] = unpackBitmaps(data, layout, afterMti);
  const fields = new Map<number, FieldValue>();
  let offset = afterBitmaps;
  for (const id of ids) {
    const spec = layout.fields.get(id);
    const where = { layout, field: id, offset };
    if (!spec) throw isoError('ISO_UNPACK', where, 'the bitmap announces a field the layout lacks');
    try {
      const { value, next } = decodeField(spec, data, offset);
      fields.set(id, value);
      offset = next;
    } catch (err) {
      rethrow('ISO_UNPACK', where, err);
    }
  }
  if (offset !== data.length) {
    const last = ids[ids.length - 1] ?? BITMAP_FIELD;
    throw isoError('ISO_UNPACK', { layout, field: last, offset },
      `${data.length - offset} bytes left after the last field`);
  }
  return { mti, fields };
}
