import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../../errors';
import { macProfileSchema } from '../../iso8583/mac-profile';

/**
 * Settings of the acquirer host simulator (config/acquirer-sim.yaml): the issuers it knows,
 * how it numbers approvals and RRNs, which amounts give which answer (for rehearsal), and the
 * faults it plays. Unknown keys are refused.
 */

export const FAULT_MODES = [
  'none', 'no-answer', 'garbled', 'close', 'duplicate', 'wrong-stan', 'stray-first',
  'late', 'wrong-mac', 'short-frame', 'bad-length', 'bad-bitmap', 'unknown-field',
] as const;
/**
 * none: answer normally. no-answer: read the request, answer nothing (the terminal times out).
 * garbled: answer with a frame whose message is cut in half (it does not unpack).
 * close: close the connection instead of answering. duplicate: send the answer twice.
 * wrong-stan: answer with STAN + 1 only (the terminal drops it and times out).
 * stray-first: send a wrong-STAN answer, then the right one.
 * late: answer after faults.lateMs (beyond the terminal's timeout: the answer comes too late).
 * wrong-mac: answer with the last byte of the MAC (field 64 or 128) changed; without a MAC
 * field in the answer it goes out unchanged.
 * short-frame: a frame too short for its TPDU (or, without one, for the MTI).
 * bad-length: the length header says 65 535, more than any message.
 * bad-bitmap: bit 1 set in the primary bitmap, announcing a secondary bitmap that is not there.
 * unknown-field: the bitmap announces a field the layout does not define.
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

const terminalSchema = z.strictObject({
  terminalId: z.string().regex(/^[\x20-\x7E]{1,8}$/),
  /** Terminal master key (test keys only): key exchanges send the MAC key under it. */
  tmk: hex16,
  /** The MAC key the terminal starts with; absent: none until its first key exchange. */
  macKey: hex16.optional(),
});

export const faultSettingsSchema = z.strictObject({
  mode: z.enum(FAULT_MODES).default('none'),
  /** Share of requests the mode applies to, 0..1, drawn from the seeded generator. */
  rate: z.number().min(0).max(1).default(1),
  delayMs: z.number().int().min(0).default(0),
  /** A random extra delay up to this many ms. */
  delayJitterMs: z.number().int().min(0).default(0),
  /** How long a 'late' answer waits. */
  lateMs: z.number().int().min(0).default(60_000),
});

/** Faults and declines for one card, whatever the amount (checked before the amount rules). */
const cardRuleSchema = z.strictObject({
  pan: z.string().regex(/^\d{12,19}$/, '12 to 19 digits'),
  responseCode: responseCode.optional(),
  fault: z.enum(FAULT_MODES).optional(),
}).refine((rule) => rule.responseCode !== undefined || rule.fault !== undefined,
  'a card rule needs a responseCode or a fault');

/** PIN verification: the BDK of the PIN pads' DUKPT keys and where the KSN travels. */
const pinSchema = z.strictObject({
  bdk: hex16,
  /** The field holding the 10-byte KSN (binary, or 20 hex digits). */
  ksnField: z.number().int().min(2).max(128).default(53),
  /** Card profiles (config/cards/*.yaml) whose testPin the simulator checks. */
  cardProfiles: z.array(z.string().min(1)).default([]),
  /** Test PINs by PAN, besides those of the card profiles (these win). */
  testPins: z.array(z.strictObject({
    pan: z.string().regex(/^\d{12,19}$/, '12 to 19 digits'),
    pin: z.string().regex(/^\d{4,12}$/, '4 to 12 digits'),
  })).default([]),
  /** Answer when the PIN is wrong: 55 (incorrect PIN). */
  wrongPinCode: responseCode.default('55'),
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
    /** A request whose MAC is missing or wrong: 63 (security violation, ISO 8583:1987). */
    securityViolation: responseCode.default('63'),
  }).prefault({}),
  /** Terminals whose requests must carry a valid MAC (all but 08xx); others are not checked. */
  terminals: z.array(terminalSchema).default([]),
  /** The MAC as this bank wants it; absent: the layout file's `mac` block. */
  mac: macProfileSchema.optional(),
  /**
   * Where the terminals' MAC keys are kept after each key exchange (JSON, 0600), so that the
   * bank keeps them across its restarts like a real host; absent: in memory only.
   */
  keyFile: z.string().min(1).optional(),
  /** First approval code (six digits, counting up) and first RRN sequence number. */
  approvalCodeStart: z.number().int().min(0).max(999_999).default(1),
  rrnStart: z.number().int().min(0).max(999_999).default(1),
  rules: z.array(ruleSchema).default([]),
  faults: faultSettingsSchema.prefault({}),
  cardRules: z.array(cardRuleSchema).default([]),
  pin: pinSchema.optional(),
  /** The ledger file (SQLite); absent: the ledger is kept in memory. */
  ledger: z.string().min(1).optional(),
  /**
   * A retransmission is the same message class, terminal and STAN (and field 7 when sent)
   * with the same amount and card, within this many seconds; it gets the first answer again.
   */
  duplicateWindowS: z.number().int().min(0).default(86_400),
  /** Loopback TCP port of the control channel (JSON lines); absent: none. 0: any port. */
  controlPort: z.number().int().min(0).max(65_535).optional(),
  /** Seed for the delay jitter and the fault rate, so a rehearsal can be repeated. */
  seed: z.number().int().default(1),
});

export type SimulatorConfig = z.output<typeof simulatorConfigSchema>;
export type SimulatorConfigInput = z.input<typeof simulatorConfigSchema>;
export type FaultSettings = z.output<typeof faultSettingsSchema>;
export type IssuerConfig = z.output<typeof issuerSchema>;
export type TerminalKeyConfig = z.output<typeof terminalSchema>;
export type CardRule = z.output<typeof cardRuleSchema>;

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
  return withPathsFrom(parseSimulatorConfig(raw, path), dirname(path));
}

/** The ledger and card profile paths of a config file, relative to that file's folder. */
function withPathsFrom(config: SimulatorConfig, folder: string): SimulatorConfig {
  const from = (file: string): string => resolve(folder, file);
  const out = { ...config };
  if (config.ledger !== undefined) out.ledger = from(config.ledger);
  if (config.keyFile !== undefined) out.keyFile = from(config.keyFile);
  if (config.pin) out.pin = { ...config.pin, cardProfiles: config.pin.cardProfiles.map(from) };
  return out;
}
