import { z } from 'zod';
import { ConfigError } from '../errors';
import type { FieldSpecInput } from './layout';

/**
 * Reads a layout written in the JSON notation of moov-io/iso8583 (field "0" the MTI, "1" the
 * bitmap, then one entry per field with type, length, enc, prefix and padding) and turns it
 * into our field specs. Only the notations ISO 8583 hosts commonly use are accepted; anything
 * else is refused with the field named, rather than guessed.
 */

const moovFieldSchema = z.object({
  type: z.string(),
  length: z.number().int().positive(),
  description: z.string(),
  enc: z.string(),
  prefix: z.string(),
  padding: z.object({ type: z.string(), pad: z.string().length(1) }).optional(),
});

export const moovSpecSchema = z.object({
  name: z.string().optional(),
  fields: z.record(z.string(), moovFieldSchema),
});

export type MoovSpec = z.infer<typeof moovSpecSchema>;
type MoovField = z.infer<typeof moovFieldSchema>;

export interface ConvertedMoov {
  description: string;
  mti: 'ascii' | 'bcd';
  bitmap: 'binary' | 'hex-ascii';
  fields: Record<string, FieldSpecInput>;
}

function refuse(source: string, field: string, what: string): ConfigError {
  return new ConfigError('CONFIG_INVALID', `${source}: field ${field}: ${what}`, {
    detail: { source, field },
  });
}

const PREFIX_KINDS: Record<string, { prefix: 'ascii' | 'bcd' | 'binary'; kind: 'LL' | 'LLL' }> = {
  'ASCII.LL': { prefix: 'ascii', kind: 'LL' },
  'ASCII.LLL': { prefix: 'ascii', kind: 'LLL' },
  'BCD.LL': { prefix: 'bcd', kind: 'LL' },
  'BCD.LLL': { prefix: 'bcd', kind: 'LLL' },
  'Binary.LL': { prefix: 'binary', kind: 'LL' },
  'Binary.LLL': { prefix: 'binary', kind: 'LLL' },
};

const FIXED_PREFIXES = new Set(['ASCII.Fixed', 'BCD.Fixed', 'Binary.Fixed', 'Hex.Fixed']);

function convertField(source: string, id: string, field: MoovField): FieldSpecInput {
  const spec: FieldSpecInput = {
    description: field.description, type: 'ans', length: field.length,
  };
  switch (field.enc) {
    case 'ASCII':
      spec.type = field.type === 'Numeric' ? 'n' : 'ans';
      spec.encoding = 'ascii';
      break;
    case 'BCD':
      spec.type = 'n';
      spec.encoding = 'bcd';
      break;
    case 'Binary':
      spec.type = 'b';
      spec.encoding = 'binary';
      break;
    case 'HexToASCII':
      // Bytes written as two hex characters each; the length counts bytes.
      spec.type = 'b';
      spec.encoding = 'hex-ascii';
      break;
    default:
      throw refuse(source, id, `encoding ${field.enc} is not supported`);
  }
  if (!FIXED_PREFIXES.has(field.prefix)) {
    const variable = PREFIX_KINDS[field.prefix];
    if (!variable) throw refuse(source, id, `prefix ${field.prefix} is not supported`);
    spec.lengthKind = variable.kind;
    spec.prefix = variable.prefix;
  }
  if (field.padding) {
    const side = field.padding.type.toLowerCase();
    if (side !== 'left' && side !== 'right') {
      throw refuse(source, id, `padding ${field.padding.type} is not supported`);
    }
    spec.pad = { side, char: field.padding.pad };
  }
  return spec;
}

/** Converts a moov-io spec; `source` names the file in errors. */
export function convertMoovSpec(raw: unknown, source: string): ConvertedMoov {
  const parsed = moovSpecSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError('CONFIG_INVALID', `${source}: not a moov-io/iso8583 spec`, {
      detail: { source, issues: parsed.error.issues.map((i) => i.message) },
    });
  }
  const { fields } = parsed.data;
  const mti = fields['0'];
  const bitmap = fields['1'];
  if (!mti || !bitmap) throw refuse(source, mti ? '1' : '0', 'missing');
  if (mti.enc !== 'ASCII' && mti.enc !== 'BCD') throw refuse(source, '0', `enc ${mti.enc}`);
  if (bitmap.enc !== 'HexToASCII' && bitmap.enc !== 'Binary') {
    throw refuse(source, '1', `enc ${bitmap.enc}`);
  }
  const out: ConvertedMoov = {
    description: parsed.data.name ?? '',
    mti: mti.enc === 'ASCII' ? 'ascii' : 'bcd',
    bitmap: bitmap.enc === 'Binary' ? 'binary' : 'hex-ascii',
    fields: {},
  };
  for (const [id, field] of Object.entries(fields)) {
    if (id === '0' || id === '1') continue;
    out.fields[id] = convertField(source, id, field);
  }
  return out;
}
