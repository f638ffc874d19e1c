import { crcHex } from './crc16';
import { QrError } from './errors';

/**
 * EMVCo QR Code Specification for Payment Systems, Merchant-Presented Mode (QRCPS-MPM v1.1):
 * the payload is a string of data objects, each a 2-digit ID, a 2-digit length (01-99) and a
 * value of that many characters. Some IDs are templates whose value is itself a string of data
 * objects. The last object is the CRC (ID 63, length 04), computed over the whole payload up to
 * and including "6304".
 */

export interface MpmField {
  id: string;
  /** The value as written in the payload; for a template, the children's encoding. */
  value: string;
  /** A template's data objects, when the field was read (or is built) as one. */
  children?: MpmField[];
}

/**
 * How lengths nested in templates are read. `strict` (the default): a child running past its
 * template's end, or characters left after its last child, refuse the payload. `outer-only`
 * (a bank profile's choice, for banks whose codes have such a mistake): a template's outer
 * length alone decides where it ends; a child running past it is cut there, left-over
 * characters are dropped, and a nested template whose own length is wrong (NAPAS 38.01) is
 * read by its fields. Each repair is reported as a warning naming the field.
 */
export type LengthPolicy = 'strict' | 'outer-only';

export interface CrcCheck {
  /** The CRC written in the payload, upper-cased (a lower-case CRC is accepted). */
  given: string;
  computed: string;
  ok: boolean;
}

export interface DecodedMpm {
  /** The root data objects in payload order, the CRC (63) included; templates not read. */
  fields: MpmField[];
  crc: CrcCheck;
}

/** Templates at the root (QRCPS-MPM): merchant accounts 26-51, 62, 64, and 80-99. */
export function isRootTemplate(id: string): boolean {
  const n = Number(id);
  return (n >= 26 && n <= 51) || n === 62 || n === 64 || (n >= 80 && n <= 99);
}

const ID_LENGTH = /^\d{4}$/;

/** One data object at `at` in `text`, or an error naming where the structure breaks. */
function readObject(text: string, at: number, where: string): { id: string; length: number } {
  const head = text.slice(at, at + 4);
  if (!ID_LENGTH.test(head)) {
    throw new QrError('QR_MALFORMED',
      `${where}: expected a 2-digit ID and 2-digit length at position ${at}, found "${head}"`,
      { detail: { field: where, position: at } });
  }
  const id = head.slice(0, 2);
  const length = Number(head.slice(2));
  if (length === 0) {
    throw new QrError('QR_MALFORMED',
      `${label(where, id)}: length 00 (a value has 1-99 characters)`,
      { detail: { field: label(where, id), position: at } });
  }
  return { id, length };
}

function label(parent: string, id: string): string {
  return parent === 'payload' ? id : `${parent}.${id}`;
}

/** The root data objects, each by its own length. */
function readRoot(payload: string): MpmField[] {
  const fields: MpmField[] = [];
  const seen = new Set<string>();
  let at = 0;
  while (at < payload.length) {
    const { id, length } = readObject(payload, at, 'payload');
    const end = at + 4 + length;
    if (end > payload.length) {
      throw new QrError('QR_MALFORMED',
        `${id}: length ${length} runs past the end of the payload ` +
        `(${payload.length - at - 4} left)`,
        { detail: { field: id, position: at } });
    }
    if (seen.has(id)) {
      throw new QrError('QR_MALFORMED', `${id}: appears twice`, { detail: { field: id } });
    }
    seen.add(id);
    fields.push({ id, value: payload.slice(at + 4, end) });
    at = end;
  }
  return fields;
}

/** One child read from a template value: the field, and where the next one starts. */
export interface ChildRead {
  field: MpmField;
  next: number;
}

/**
 * The child at `at` in a template `value`, or undefined when the rest is too short or not a
 * field header. A child running past the end refuses the payload (`strict`) or is cut at the
 * end with a warning (`outer-only`).
 */
export function readChild(value: string, at: number, path: string, policy: LengthPolicy,
  warnings: string[]): ChildRead | undefined {
  if (value.length - at < 5 || !ID_LENGTH.test(value.slice(at, at + 4))) return undefined;
  const { id, length } = readObject(value, at, path);
  const end = at + 4 + length;
  if (end > value.length) {
    const room = value.length - at - 4;
    if (policy === 'strict') {
      throw new QrError('QR_LENGTH_MISMATCH',
        `${label(path, id)}: length ${length} runs past the end of template ${path} ` +
        `(${room} left)`, { detail: { field: label(path, id), position: at } });
    }
    warnings.push(`${label(path, id)}: length ${length} cut to ${room} at the end of ${path}`);
  }
  return { field: { id, value: value.slice(at + 4, Math.min(end, value.length)) }, next: end };
}

/** What is left in a template after its last child: refused (`strict`) or dropped. */
export function leftOver(value: string, at: number, path: string, policy: LengthPolicy,
  warnings: string[]): void {
  const left = value.length - at;
  if (policy === 'strict') {
    throw new QrError('QR_LENGTH_MISMATCH',
      `${path}: ${left} characters after its last field do not form a field ` +
      `("${value.slice(at)}"): the template's length disagrees with its fields`,
      { detail: { field: path, position: at } });
  }
  warnings.push(`${path}: ${left} characters past its last field dropped`);
}

/**
 * The data objects of a template value. `path` names the template ("38", "62") for errors;
 * `warnings` collects what the `outer-only` policy repaired.
 */
export function readTemplate(value: string, path: string, policy: LengthPolicy,
  warnings: string[] = []): MpmField[] {
  const children: MpmField[] = [];
  let at = 0;
  while (at < value.length) {
    const read = readChild(value, at, path, policy, warnings);
    if (!read) {
      leftOver(value, at, path, policy, warnings);
      break;
    }
    children.push(read.field);
    at = read.next;
  }
  return children;
}

/**
 * Reads a payload's root objects (QR_MALFORMED) and its CRC, which is reported, not enforced:
 * `parseMpm` refuses a wrong CRC, a decoding tool shows it. The root has no outer length, so
 * its lengths are always read strictly; templates are read by `readTemplate`.
 */
export function decodeMpm(payload: string): DecodedMpm {
  const fields = readRoot(payload);
  const last = fields[fields.length - 1];
  if (!last || last.id !== '63') {
    throw new QrError('QR_MALFORMED', '63: the payload does not end with its CRC (ID 63)',
      { detail: { field: '63' } });
  }
  if (last.value.length !== 4 || !/^[0-9A-Fa-f]{4}$/.test(last.value)) {
    throw new QrError('QR_MALFORMED', `63: the CRC must be 4 hex digits, found "${last.value}"`,
      { detail: { field: '63' } });
  }
  const given = last.value.toUpperCase();
  const computed = crcHex(payload.slice(0, -4));
  return { fields, crc: { given, computed, ok: given === computed } };
}

/**
 * Every root template read as one level of data objects, as EMVCo defines them; a scheme's
 * own nesting (NAPAS 38.01) is read by its layer (vietqr.ts).
 */
export function readRootTemplates(fields: readonly MpmField[], policy: LengthPolicy,
  warnings: string[] = []): MpmField[] {
  return fields.map((field) => (isRootTemplate(field.id)
    ? { ...field, children: readTemplate(field.value, field.id, policy, warnings) } : field));
}

/** `decodeMpm`, refusing a payload whose CRC does not hold (QR_CRC_MISMATCH). */
export function parseMpm(payload: string): DecodedMpm {
  const decoded = decodeMpm(payload);
  if (!decoded.crc.ok) {
    throw new QrError('QR_CRC_MISMATCH',
      `63: CRC ${decoded.crc.given} written, ${decoded.crc.computed} computed`,
      { detail: { field: '63', given: decoded.crc.given, computed: decoded.crc.computed } });
  }
  return decoded;
}

/** One data object: ID, length, value; a template's value is encoded from its children. */
export function encodeField(field: MpmField, parent = 'payload'): string {
  const path = label(parent, field.id);
  const value = field.children
    ? field.children.map((child) => encodeField(child, path)).join('') : field.value;
  if (!/^\d{2}$/.test(field.id)) {
    throw new QrError('QR_FIELD_INVALID', `${path}: an ID is two digits`,
      { detail: { field: path } });
  }
  if (value.length < 1 || value.length > 99) {
    throw new QrError('QR_FIELD_INVALID',
      `${path}: a value has 1 to 99 characters, this one ${value.length}`,
      { detail: { field: path, length: value.length } });
  }
  return `${field.id}${String(value.length).padStart(2, '0')}${value}`;
}

/** The payload of these root fields (without 63), with its CRC appended. */
export function encodeMpm(fields: readonly MpmField[]): string {
  if (fields.some((f) => f.id === '63')) {
    throw new QrError('QR_FIELD_INVALID', '63: the CRC is computed, not given',
      { detail: { field: '63' } });
  }
  const body = `${fields.map((f) => encodeField(f)).join('')}6304`;
  return `${body}${crcHex(body)}`;
}
