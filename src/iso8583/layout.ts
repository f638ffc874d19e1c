import { z } from 'zod';
import { ConfigError } from '../errors';
import { MAC_BYTES, macProfileSchema, type MacProfile, type MacProfileInput }
  from './mac-profile';

/**
 * A message layout is data: for every field its type, length rule and encodings. Host profiles
 * in config/hosts/ are JSON in the shape of `layoutFileSchema`; `defineLayout` checks one
 * (types, then combinations) and returns the frozen form pack and unpack use.
 */

/** ISO 8583 data types: n numeric, an alphanumeric (and space), ans printable, b binary,
 * z track 2/3 data (digits with the 'D' or '=' separator). */
export type FieldType = 'n' | 'an' | 'ans' | 'b' | 'z';
export type LengthKind = 'fixed' | 'LL' | 'LLL';
/** How an LL/LLL prefix is written: ASCII digits, BCD digits (LL 1 byte, LLL 2 bytes) or an
 * unsigned big-endian binary count (LL 1 byte, LLL 2 bytes). */
export type PrefixEncoding = 'ascii' | 'bcd' | 'binary';
export type ValueEncoding = 'ascii' | 'bcd' | 'binary' | 'hex-ascii';
/**
 * What a length prefix counts. digits/chars: the value's own length (digits for n and z,
 * characters for an and ans). bytes: bytes on the wire for BCD values, the value's bytes for
 * b. chars for a hex-ascii b field: hex characters on the wire (two per byte).
 */
export type LengthUnit = 'digits' | 'chars' | 'bytes';
export type BcdPad = 'left-0' | 'left-F' | 'right-0' | 'right-F';

export interface FieldSpec {
  description: string;
  type: FieldType;
  /** Fixed length, or the maximum for LL/LLL: digits (n, z), characters (an, ans), bytes (b). */
  length: number;
  lengthKind: LengthKind;
  prefix: PrefixEncoding;
  lengthUnit: LengthUnit;
  encoding: ValueEncoding;
  /** Where the filler nibble goes when a BCD value has an odd number of digits. */
  bcdPad: BcdPad;
  /** Fill for a fixed field given a shorter value, on pack; unpack keeps the field as sent. */
  pad?: { side: 'left' | 'right'; char: string };
  /**
   * A text field that also takes binary data, written as its hex digits in upper case: how
   * ASCII hosts carry the ICC data of field 55. Unpack keeps the text as sent.
   */
  binaryAsHex?: boolean;
}

export interface MessageLayout {
  name: string;
  description: string;
  mti: 'ascii' | 'bcd';
  /** binary: 8 bytes per bitmap; hex-ascii: 16 characters per bitmap. */
  bitmap: 'binary' | 'hex-ascii';
  fields: ReadonlyMap<number, Readonly<FieldSpec>>;
  /** The usual MAC setting for this format, when the layout file names one. */
  mac?: Readonly<MacProfile>;
}

/**
 * Fields that carry card data or PIN data: their values never appear in clear in an error or
 * a log line (PAN, extended PAN, track 2, track 3, track 1, PIN block, ICC data).
 */
export const SENSITIVE_FIELDS: ReadonlySet<number> = new Set([2, 34, 35, 36, 45, 52, 55]);

export const LAYOUT_FORMAT = 'quay-iso8583-layout/1';

export const fieldSpecSchema = z.strictObject({
  description: z.string().min(1),
  type: z.enum(['n', 'an', 'ans', 'b', 'z']),
  length: z.number().int().positive(),
  lengthKind: z.enum(['fixed', 'LL', 'LLL']).default('fixed'),
  prefix: z.enum(['ascii', 'bcd', 'binary']).optional(),
  lengthUnit: z.enum(['digits', 'chars', 'bytes']).optional(),
  encoding: z.enum(['ascii', 'bcd', 'binary', 'hex-ascii']).optional(),
  bcdPad: z.enum(['left-0', 'left-F', 'right-0', 'right-F']).default('left-0'),
  pad: z.strictObject({
    side: z.enum(['left', 'right']),
    char: z.string().length(1),
  }).optional(),
  binaryAsHex: z.boolean().optional(),
});

export type FieldSpecInput = z.input<typeof fieldSpecSchema>;

export const layoutFileSchema = z.strictObject({
  format: z.literal(LAYOUT_FORMAT),
  name: z.string().min(1),
  description: z.string().default(''),
  /** A moov-io/iso8583 JSON spec, relative to this file, whose fields come first. */
  base: z.strictObject({ moov: z.string().min(1) }).optional(),
  mti: z.enum(['ascii', 'bcd']).optional(),
  bitmap: z.enum(['binary', 'hex-ascii']).optional(),
  fields: z.record(z.string().regex(/^\d{1,3}$/), fieldSpecSchema).default({}),
  mac: macProfileSchema.optional(),
});

export type LayoutFile = z.output<typeof layoutFileSchema>;

/** The default encoding and prefix unit for a type, when the layout names none. */
function completeSpec(raw: z.output<typeof fieldSpecSchema>): FieldSpec {
  const encoding = raw.encoding ?? (raw.type === 'b' ? 'binary' : 'ascii');
  const naturalUnit = raw.type === 'b' ? 'bytes' : raw.type === 'n' || raw.type === 'z'
    ? 'digits' : 'chars';
  const spec: FieldSpec = {
    description: raw.description,
    type: raw.type,
    length: raw.length,
    lengthKind: raw.lengthKind,
    prefix: raw.prefix ?? 'ascii',
    lengthUnit: raw.lengthUnit ?? naturalUnit,
    encoding,
    bcdPad: raw.bcdPad,
  };
  if (raw.pad) spec.pad = { ...raw.pad };
  if (raw.binaryAsHex) spec.binaryAsHex = true;
  return spec;
}

/** One sentence per broken combination rule; empty when the spec is coherent. */
export function specProblems(spec: FieldSpec): string[] {
  const problems: string[] = [];
  const { type, encoding, lengthUnit } = spec;
  if (type === 'b' && encoding !== 'binary' && encoding !== 'hex-ascii') {
    problems.push(`type b needs encoding binary or hex-ascii, not ${encoding}`);
  }
  if ((type === 'n' || type === 'z') && encoding !== 'ascii' && encoding !== 'bcd') {
    problems.push(`type ${type} needs encoding ascii or bcd, not ${encoding}`);
  }
  if ((type === 'an' || type === 'ans') && encoding !== 'ascii') {
    problems.push(`type ${type} needs encoding ascii, not ${encoding}`);
  }
  if (lengthUnit === 'digits' && type !== 'n' && type !== 'z') {
    problems.push(`a prefix counted in digits needs type n or z, not ${type}`);
  }
  if (lengthUnit === 'chars' && type === 'b' && encoding !== 'hex-ascii') {
    problems.push('a binary field counted in chars must be hex-ascii');
  }
  if (spec.pad && spec.lengthKind !== 'fixed') problems.push('pad applies to fixed fields only');
  if (spec.pad && type === 'b') problems.push('pad does not apply to type b');
  if (spec.binaryAsHex && type !== 'an' && type !== 'ans') {
    problems.push(`binaryAsHex applies to text fields (an, ans), not ${type}`);
  }
  const capacity = prefixCapacity(spec);
  if (spec.lengthKind !== 'fixed' && maxPrefixCount(spec) > capacity) {
    problems.push(`maximum ${maxPrefixCount(spec)} does not fit a ${spec.lengthKind} `
      + `${spec.prefix} prefix (at most ${capacity})`);
  }
  return problems;
}

/** The largest count an LL/LLL prefix can hold in its encoding. */
export function prefixCapacity(spec: FieldSpec): number {
  if (spec.prefix === 'binary') return spec.lengthKind === 'LL' ? 0xff : 0xffff;
  return spec.lengthKind === 'LL' ? 99 : 999;
}

/** The largest prefix value the field's maximum length allows, in the prefix's unit. */
export function maxPrefixCount(spec: FieldSpec): number {
  if (spec.encoding === 'bcd' && spec.lengthUnit === 'bytes') return Math.ceil(spec.length / 2);
  if (spec.encoding === 'hex-ascii' && spec.lengthUnit === 'chars') return spec.length * 2;
  return spec.length;
}

function invalid(layout: string, message: string, detail: Record<string, unknown>): ConfigError {
  return new ConfigError('CONFIG_INVALID', `layout ${layout}: ${message}`, {
    detail: { layout, ...detail },
  });
}

export interface LayoutParts {
  name: string;
  description: string;
  mti: 'ascii' | 'bcd';
  bitmap: 'binary' | 'hex-ascii';
  fields: Record<string, FieldSpecInput | FieldSpec>;
  mac?: MacProfileInput;
}

/** Checks field specs (types, then combinations) and returns the frozen layout. */
export function defineLayout(parts: LayoutParts): MessageLayout {
  const fields = new Map<number, Readonly<FieldSpec>>();
  for (const [key, raw] of Object.entries(parts.fields)) {
    const id = Number(key);
    if (!Number.isInteger(id) || id < 2 || id > 128) {
      throw invalid(parts.name, `field ${key} is not a data element number (2..128)`,
        { field: key });
    }
    const parsed = fieldSpecSchema.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
      throw invalid(parts.name, `field ${id}: ${issues.join('; ')}`, { field: id, issues });
    }
    const spec = completeSpec(parsed.data);
    const problems = specProblems(spec);
    if (problems.length > 0) {
      throw invalid(parts.name, `field ${id} (${spec.description}): ${problems.join('; ')}`,
        { field: id, issues: problems });
    }
    fields.set(id, Object.freeze(spec));
  }
  const sorted = new Map([...fields].sort((a, b) => a[0] - b[0]));
  const layout: MessageLayout = {
    name: parts.name, description: parts.description, mti: parts.mti, bitmap: parts.bitmap,
    fields: sorted,
  };
  if (parts.mac) layout.mac = Object.freeze(checkedMac(parts.name, parts.mac, sorted));
  return Object.freeze(layout);
}

/** The MAC block of a layout: its field must be in the layout as a fixed 8-byte b field. */
function checkedMac(name: string, raw: MacProfileInput,
  fields: ReadonlyMap<number, FieldSpec>): MacProfile {
  const parsed = macProfileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw invalid(name, `mac: ${issues.join('; ')}`, { issues });
  }
  const spec = fields.get(parsed.data.field);
  if (!spec || spec.type !== 'b' || spec.lengthKind !== 'fixed' || spec.length !== MAC_BYTES) {
    throw invalid(name, `mac: field ${parsed.data.field} must be in the layout as type b, `
      + `fixed length ${MAC_BYTES}`, { field: parsed.data.field });
  }
  return parsed.data;
}
