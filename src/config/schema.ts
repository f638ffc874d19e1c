import { z } from 'zod';

const hex = (bytes?: number) =>
  z.string().regex(/^([0-9A-Fa-f]{2})+$/, 'hex bytes').refine(
    (s) => bytes === undefined || s.length === bytes * 2,
    { message: `${bytes ?? 0} bytes of hex` },
  ).transform((s) => s.toUpperCase());

const port = z.number().int().min(1).max(65_535);

const aid = z.strictObject({
  aid: hex().refine((s) => s.length >= 10 && s.length <= 32, 'an AID is 5 to 16 bytes'),
  partialMatch: z.boolean().default(true),
  label: z.string().optional(),
});

const emv = z.strictObject({
  aids: z.array(aid).min(1),
  countryCode: hex(2).default('0704'),
  currencyCode: hex(2).default('0704'),
  currencyExponent: z.number().int().min(0).max(3).default(0),
  terminalType: hex(1).default('22'),
  capabilities: hex(3).default('E0F8C8'),
  additionalCapabilities: hex(5).default('6000F0A001'),
  merchantCategoryCode: z.string().regex(/^\d{4}$/).default('9399'),
  /** CA public keys for offline data authentication; test keys only where allowed. */
  caKeys: z.strictObject({
    dir: z.string().default('capk'),
    allowTest: z.boolean().default(false),
  }).prefault({}),
  /** Used when a card asks for DDA but has no DDOL (9F49): usually 9F37 04. */
  defaultDdol: hex().default('9F3704'),
});

const cardReader = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('in-process'),
    /** The virtual card inserted for every payment: a card profile or a trace file. */
    card: z.string(),
  }),
  z.strictObject({
    kind: z.literal('pcsc'),
    /** Part of the reader name; the first reader when absent. */
    reader: z.string().optional(),
  }),
]);

const host = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('embedded-simulator'),
    /** Simulator settings (issuers, faults); the bundled file when absent. */
    simulatorConfig: z.string().optional(),
    layout: z.string().default('pos-bcd'),
    tpdu: hex(5).optional(),
    nii: z.string().regex(/^\d{3}$/).default('001'),
    connectTimeoutMs: z.number().int().positive().default(5_000),
    responseTimeoutMs: z.number().int().positive().default(30_000),
    reversalTimeoutMs: z.number().int().positive().default(5_000),
  }),
  z.strictObject({
    kind: z.literal('tcp'),
    host: z.string().min(1),
    port,
    layout: z.string().default('pos-bcd'),
    tpdu: hex(5).optional(),
    nii: z.string().regex(/^\d{3}$/).default('001'),
    connectTimeoutMs: z.number().int().positive().default(5_000),
    responseTimeoutMs: z.number().int().positive().default(30_000),
    reversalTimeoutMs: z.number().int().positive().default(5_000),
  }),
]);

const printerProfile = z.strictObject({
  widthDots: z.union([z.literal(384), z.literal(576)]).default(384),
  columns: z.number().int().min(24).max(64).default(32),
  cutter: z.boolean().default(false),
});

const printer = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('embedded-simulator'), profile: printerProfile.prefault({}) }),
  z.strictObject({
    kind: z.literal('tcp'),
    host: z.string().min(1),
    port: port.default(9100),
    profile: printerProfile.prefault({}),
  }),
  z.strictObject({ kind: z.literal('none') }),
]);

const display = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('console') }),
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({
    kind: z.literal('serial'),
    path: z.string().min(1),
    baudRate: z.number().int().positive().default(9600),
  }),
]);

export const configSchema = z.strictObject({
  terminal: z.strictObject({
    terminalId: z.string().regex(/^[0-9A-Za-z]{8}$/, 'terminal ID is 8 letters or digits'),
    merchantId: z.string().regex(/^[0-9A-Za-z ]{15}$/, 'merchant ID is 15 characters'),
    merchant: z.strictObject({
      name: z.string().min(1),
      address: z.string().min(1),
      taxCode: z.string().optional(),
    }),
    language: z.enum(['vi', 'en']).default('vi'),
  }),
  emv,
  cardReader,
  cardWaitMs: z.number().int().positive().default(60_000),
  host,
  printer,
  display,
  /** Folder for the journal and receipt copies; relative to the config file's folder. */
  dataDir: z.string().default('../var'),
  api: z.strictObject({
    host: z.string().default('127.0.0.1'),
    port: port.default(8089),
  }).prefault({}),
});

export type QuayConfig = z.infer<typeof configSchema>;
export type HostConfig = QuayConfig['host'];
export type PrinterConfig = QuayConfig['printer'];
export type DisplayConfig = QuayConfig['display'];
