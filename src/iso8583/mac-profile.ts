import { z } from 'zod';

/**
 * How a host wants its messages MACed: which field carries the MAC, the algorithm, the
 * padding, and exactly which bytes the MAC covers. Banks differ on every one of these, so
 * it is data: a layout file may carry a `mac` block (the usual setting for that format) and
 * a bank profile may name its own.
 *
 * ISO 8583:1987 puts the MAC in the last field of the message: 64 when there is no
 * secondary bitmap, 128 when there is one. quay keeps that rule: no field may follow the
 * MAC field, and the bitmap already announces the MAC field in the bytes the MAC covers.
 */

/** ISO/IEC 9797-1 MAC algorithm 1 (CBC-MAC, every block under the whole key) or
 * algorithm 3 (the ANSI X9.19 retail MAC: single DES chain, 3DES on the last block). */
export const MAC_ALGORITHMS = ['iso9797-1-alg1', 'iso9797-1-alg3'] as const;
export type MacAlgorithm = (typeof MAC_ALGORITHMS)[number];

/**
 * The bytes the MAC covers, always ending just before the MAC field's own bytes:
 * - `mti-to-before-mac`: the packed message from its MTI (no length header, no TPDU);
 * - `tpdu-to-before-mac`: the 5-byte TPDU, then the packed message;
 * - `header-to-before-mac`: the 2-byte length header (which counts TPDU, message and MAC),
 *   the TPDU when the link sends one, then the packed message.
 */
export const MAC_COVERAGE = ['mti-to-before-mac', 'tpdu-to-before-mac',
  'header-to-before-mac'] as const;
export type MacCoverage = (typeof MAC_COVERAGE)[number];

export const macProfileSchema = z.strictObject({
  field: z.union([z.literal(64), z.literal(128)]),
  algorithm: z.enum(MAC_ALGORITHMS),
  /** ISO/IEC 9797-1 padding method 1 (zeros, none when aligned) or 2 (80 then zeros). */
  padding: z.enum(['zero', 'iso2']).default('zero'),
  covers: z.enum(MAC_COVERAGE).default('mti-to-before-mac'),
});

export type MacProfile = z.output<typeof macProfileSchema>;
export type MacProfileInput = z.input<typeof macProfileSchema>;

/** Size of a MAC result and of the MAC fields (b 64 in ISO 8583:1987: 64 bits). */
export const MAC_BYTES = 8;

/** The layout facts a MAC profile is checked against (a MessageLayout has them). */
interface MacFieldSpecs {
  fields: ReadonlyMap<number, { type: string; lengthKind: string; length: number }>;
}

/**
 * One sentence per reason the profile cannot work with this layout and framing; empty when
 * it can. The MAC field must be 8 bytes of type b, fixed; a coverage that starts at the TPDU
 * needs a link that sends one.
 */
export function macProfileProblems(profile: MacProfile, layout: MacFieldSpecs,
  framing: { tpdu: boolean }): string[] {
  const problems: string[] = [];
  const spec = layout.fields.get(profile.field);
  if (!spec) {
    problems.push(`the layout has no field ${profile.field} for the MAC`);
  } else if (spec.type !== 'b' || spec.lengthKind !== 'fixed' || spec.length !== MAC_BYTES) {
    problems.push(`field ${profile.field} of the layout is not b, fixed, ${MAC_BYTES} bytes`);
  }
  if (profile.covers === 'tpdu-to-before-mac' && !framing.tpdu) {
    problems.push('the MAC covers the TPDU but no tpdu is set');
  }
  return problems;
}
