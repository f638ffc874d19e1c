import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../../errors';

/**
 * Settings of the acquirer host simulator (config/acquirer-sim.yaml): the issuers it knows,
 * how it numbers approvals and RRNs, which amounts give which answer (for rehearsal), and the
 * faults it plays. Unknown keys are refused.
 */

export const FAULT_MODES = [
  'none', 'no-answer', 'garbled', 'close', 'duplicate', 'wrong-stan', 'stray-first',
] as const;
/**
 * none: answer normally. no-answer: read the request, answer nothing (the terminal times out).
 * garbled: answer with a frame whose message is cut in half (it does not unpack).
 * close: close the connection instead of answering. duplicate: send the answer twice.
 * wrong-stan: answer with STAN + 1 only (the terminal drops it and times out).
 * stray-first: send a wrong-STAN answer, then the right one.
 */
export type FaultMode = typeof FAULT_MODES[number];

const responseCode = z.string().regex(/^[0-9A-Z]{2}$/, 'two digits or capitals');
const hex16 = z.string().regex(/^[0-9A-Fa-f]{32}$/, '16 bytes in hex');

const issuerSchema = z.strictObject({
  name: z.string().min(1),
  /** The longest matching prefix wins. */
  panPrefix: z.string().regex(/^\d{1,12}$/),
  /** Issuer master key for application cryptograms (test keys only). */
  imk: hex16,
  /** The cryptogram version its cards use; absent: read from each request's IAD (9F10). */
  cvn: z.union([z.literal(10), z.literal(18)]).optional(),
});

export const faultSettingsSchema = z.strictObject({
  mode: z.enum(FAULT_MODES).default('none'),
  /** Share of requests the mode applies to, 0..1, drawn from the seeded generator. */
  rate: z.number().min(0).max(1).default(1),
  delayMs: z.number().int().min(0).default(0),
  /** A random extra delay up to this many ms. */
  delayJitterMs: z.number().int().min(0).default(0),
});

const ruleSchema = z.strictObject({
  /** Matched against the 12 digits of field 4. */
  amountEndsWith: z.string().regex(/^\d{1,12}$/),
  responseCode: responseCode.optional(),
  fault: z.enum(FAULT_MODES).optional(),
}).refine((rule) => rule.responseCode !== undefined || rule.fault !== undefined,
  'a rule needs a responseCode or a fault');

export const simulatorConfigSchema = z.strictObject({
  layout: z.string().default('pos-bcd'),
  /** Whether each frame carries a 5-byte TPDU after the length header. */
  tpdu: z.boolean().default(true),
  issuers: z.array(issuerSchema).min(1),
  responseCodes: z.strictObject({
    /** The ARQC does not verify. Issuers differ; 05 (do not honour) is the common answer. */
    badCryptogram: responseCode.default('05'),
    /** No issuer for the PAN's prefix: 15 (no such issuer). */
    unknownIssuer: responseCode.default('15'),
    /** Field 55, the PAN or cryptogram data missing or malformed: 30 (format error). */
    formatError: responseCode.default('30'),
  }).prefault({}),
  /** First approval code (six digits, counting up) and first RRN sequence number. */
  approvalCodeStart: z.number().int().min(0).max(999_999).default(1),
  rrnStart: z.number().int().min(0).max(999_999).default(1),
  rules: z.array(ruleSchema).default([]),
  faults: faultSettingsSchema.prefault({}),
  /** Seed for the delay jitter and the fault rate, so a rehearsal can be repeated. */
  seed: z.number().int().default(1),
});

export type SimulatorConfig = z.output<typeof simulatorConfigSchema>;
export type SimulatorConfigInput = z.input<typeof simulatorConfigSchema>;
export type FaultSettings = z.output<typeof faultSettingsSchema>;
export type IssuerConfig = z.output<typeof issuerSchema>;

export const DEFAULT_SIMULATOR_CONFIG = fileURLToPath(
  new URL('../../../config/acquirer-sim.yaml', import.meta.url));

export function parseSimulatorConfig(raw: unknown, source = 'acquirer simulator config'):
  SimulatorConfig {
  const parsed = simulatorConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError('CONFIG_INVALID', `${source}: ${issues.join('; ')}`, {
      detail: { source, issues },
    });
  }
  return parsed.data;
}

export function loadSimulatorConfig(path = DEFAULT_SIMULATOR_CONFIG): SimulatorConfig {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError('CONFIG_INVALID', `cannot read ${path}`, {
      cause: err, detail: { path },
    });
  }
  return parseSimulatorConfig(raw, path);
}
