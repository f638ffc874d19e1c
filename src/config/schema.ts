import { z } from 'zod';
import { aidParameters, checkAidParameters } from './emv-aid';
import { checkCombinations } from './combinations';
import { checkHostMac } from './host-mac';
import { macProfileSchema } from '../iso8583/mac-profile';
import { qrSection } from './qr';

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
  ...aidParameters,
}).superRefine(checkAidParameters);

const emv = z.strictObject({
  aids: z.array(aid).min(1),
  /** PANs, or SHA-256 of PANs (64 hex digits), never accepted offline (Book 3 10.6.4). */
  exceptionFile: z.array(z.string().regex(/^(\d{12,19}|[0-9A-Fa-f]{64})$/,
    'a PAN (12 to 19 digits) or its SHA-256 (64 hex digits)')).default([]),
  /** What a purchase buys, for the card's application usage control (Book 3 10.4.2). */
  purchaseOf: z.enum(['goods', 'services']).default('services'),
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

/**
 * Who takes the PIN. 'reader': the card reader's own keypad when it has one (PC/SC part 10
 * VERIFY_PIN_DIRECT, plaintext offline PIN only); without one the card's CVM list falls back
 * (signature, no CVM). 'simulator': the EMV PIN pad simulator, for rehearsal: offline
 * plaintext and enciphered PIN, and online PIN under its DUKPT key (the one `quay provision`
 * injected, or with testKey the ANSI X9.24-1 test key the embedded bank's BDK matches); the
 * cardholder's entries are typed in turn at each prompt.
 */
const pinPad = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('reader') }),
  z.strictObject({
    kind: z.literal('simulator'),
    entries: z.array(z.string().regex(/^\d{4,12}$/, '4 to 12 digits')).min(1).default(['1234']),
    testKey: z.boolean().default(false),
  }),
]);

/**
 * The bank's MAC: field (64 or 128), algorithm, padding and the bytes covered. Absent: no MAC.
 * Present: every request but network management carries one under the working MAC key from
 * the key exchange (quay sign-on), and the bank's answers must carry a valid one.
 */
const hostMac = macProfileSchema.optional();

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
    /** Sends of one reversal (its 0400, then 0401s) before it is held for the technician. */
    reversalMaxAttempts: z.number().int().positive().default(5),
    mac: hostMac,
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
    /** Sends of one reversal (its 0400, then 0401s) before it is held for the technician. */
    reversalMaxAttempts: z.number().int().positive().default(5),
    mac: hostMac,
  }),
]).superRefine(checkHostMac);

const printerProfile = z.strictObject({
  widthDots: z.union([z.literal(384), z.literal(576)],
    { error: 'the head is 384 dots wide (58 mm paper) or 576 dots (80 mm)' }).default(384),
  columns: z.number().int().min(24).max(64).default(32),
  cutter: z.boolean().default(false),
  /**
   * raster: the text drawn with quay's font, right on any printer; text: the printer's own
   * font through a Vietnamese code page (checked with columns in combinations.ts).
   */
  mode: z.enum(['raster', 'text']).optional(),
  /** ESC t table for text mode: 52 Windows-1258, or 30 TCVN-3 (31 for its capitals). */
  codePage: z.union([z.literal(52), z.literal(30)],
    { error: 'codePage is 52 (Windows-1258) or 30 (TCVN-3)' }).optional(),
  /** The printer has GS ( k QR functions; otherwise QR codes are sent as an image. */
  qrCommand: z.boolean().optional(),
});

const printer = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('embedded-simulator'), profile: printerProfile.prefault({}) }),
  z.strictObject({
    kind: z.literal('tcp'),
    host: z.string().min(1),
    /** Required: a network printer's raw port differs by model and site (9100 on most). */
    port: z.number({ error: (issue) => (issue.input === undefined
      ? 'a TCP printer needs its port (9100 on most network printers)' : undefined) })
      .int().min(1).max(65_535),
    profile: printerProfile.prefault({}),
  }),
  z.strictObject({
    kind: z.literal('usb'),
    /** The printer's device file under the kernel's usblp driver. */
    path: z.string({ error: 'a USB printer needs its device, e.g. /dev/usb/lp0' }).min(1),
    profile: printerProfile.prefault({}),
  }),
  z.strictObject({
    kind: z.literal('serial'),
    path: z.string({ error: 'a serial printer needs its device, e.g. /dev/ttyUSB0' }).min(1),
    /** As the printer's DIP switches set it: 9600 or 115 200 on most. */
    baudRate: z.number().int().positive().default(9600),
    /** rtscts (hardware) or xonxoff (software), as the printer's DIP switches set it. */
    flowControl: z.enum(['none', 'rtscts', 'xonxoff']).default('none'),
    profile: printerProfile.prefault({}),
  }),
  z.strictObject({ kind: z.literal('none') }),
]);

/** The command set a pole display's DIP switches select, and its brightness (1 to 4). */
const displayCommands = {
  commandSet: z.enum(['cd5220', 'epson']).default('cd5220'),
  brightness: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]).default(4),
};

const display = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('console') }),
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({
    kind: z.literal('serial'),
    path: z.string({ error: 'a serial display needs its device, e.g. /dev/ttyUSB0' }).min(1),
    baudRate: z.number().int().positive().default(9600),
    ...displayCommands,
  }),
  z.strictObject({
    kind: z.literal('hid'),
    /** The hidraw device (/dev/hidraw0); without it, the first with vendorId and productId. */
    path: z.string().min(1).optional(),
    vendorId: z.number().int().min(0).max(0xffff).optional(),
    productId: z.number().int().min(0).max(0xffff).optional(),
    /** Output report ID (0: unnumbered) and data bytes per report, from the display's manual. */
    reportId: z.number().int().min(0).max(255).default(0),
    reportSize: z.number().int().min(2).max(255).default(32),
    ...displayCommands,
  }).refine((d) => d.path !== undefined || (d.vendorId !== undefined
    && d.productId !== undefined), 'a HID display needs path, or vendorId and productId'),
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
  pinPad: pinPad.prefault({ kind: 'reader' }),
  cardWaitMs: z.number().int().positive().default(60_000),
  host,
  printer,
  display,
  /** Folder for the journal and receipt copies; relative to the config file's folder. */
  dataDir: z.string().default('../var'),
  /**
   * quay's own log file (pino JSON lines, card data redacted), rotated by size: the current
   * file, then `.1` (newest) to `.keep` (oldest). Absent path: logs/quay.log in the data folder.
   */
  logs: z.strictObject({
    path: z.string().min(1).optional(),
    maxBytes: z.number().int().min(4_096).default(10 * 1024 * 1024),
    keep: z.number().int().min(1).max(50).default(5),
  }).prefault({}),
  /** What may be approved while the bank cannot be reached; off unless enabled. */
  offline: z.strictObject({
    enabled: z.boolean().default(false),
    /** Whole dong. */
    maxAmount: z.number().int().nonnegative().default(0),
    maxTotal: z.number().int().nonnegative().default(0),
    maxCount: z.number().int().nonnegative().default(0),
    maxAgeMinutes: z.number().int().positive().default(1_440),
    /** AIDs (prefix) of the card kinds that may go offline. */
    aids: z.array(hex()).default([]),
  }).prefault({}),
  /** The forwarder of reversals and advices: retry delays double from base up to max. */
  forwarder: z.strictObject({
    retryBaseMs: z.number().int().positive().default(2_000),
    retryMaxMs: z.number().int().positive().default(300_000),
    timeoutMs: z.number().int().positive().default(10_000),
    pollMs: z.number().int().positive().default(15_000),
  }).prefault({}),
  api: z.strictObject({
    host: z.string().default('127.0.0.1'),
    port: port.default(8089),
    /** Bearer token of the desk software; without one, only loopback callers are served. */
    token: z.string().min(16).optional(),
    /** Clerks, supervisors and technicians, each with a scrypt hash (`quay user hash`). */
    users: z.array(z.strictObject({
      name: z.string().regex(/^[A-Za-z0-9._-]{1,32}$/),
      role: z.enum(['clerk', 'supervisor', 'technician']),
      secret: z.string().regex(/^scrypt\$/, 'a hash made by quay user hash'),
    })).default([]),
    /** Where each final outcome is posted, signed with HMAC-SHA256 over the body. */
    notify: z.strictObject({
      url: z.url(),
      secret: z.string().min(16),
      retryBaseMs: z.number().int().positive().default(2_000),
      retryMaxMs: z.number().int().positive().default(300_000),
    }).optional(),
  }).prefault({}),
  /**
   * The catalogue of public-service fees the clerk page offers: choosing one fills the
   * description and, where the fee is fixed, the amount (whole dong).
   */
  fees: z.array(z.strictObject({
    code: z.string().regex(/^[A-Za-z0-9._-]{1,24}$/),
    vi: z.string().min(1).max(120),
    en: z.string().min(1).max(120),
    amount: z.number().int().positive().max(999_999_999_999).optional(),
  })).default([]),
  /** VietQR payments (config/qr.ts); absent: cards only. */
  qr: qrSection.optional(),
}).superRefine(checkCombinations);

export type QuayConfig = z.infer<typeof configSchema>;
export type HostConfig = QuayConfig['host'];
export type PrinterConfig = QuayConfig['printer'];
export type DisplayConfig = QuayConfig['display'];
export type FeeItem = QuayConfig['fees'][number];
