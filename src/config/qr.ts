import { z } from 'zod';
import { isQuayError } from '../errors';
import { buildVietQr, SERVICE_CODES } from '../qr/vietqr';

/**
 * The `qr` section: the account VietQR codes pay into and how quay learns a code was paid.
 * Absent: no QR payments. Polling the gateway is the default way to learn it, since a
 * terminal behind a hospital's network cannot be reached from the bank; a notification
 * endpoint is an option, on an interface the technician names. Both check the same HMAC
 * secret.
 */

const ascii = (max: number) => z.string().min(1).max(max)
  .regex(/^[\x20-\x7E]+$/, 'printable ASCII only: write Vietnamese without marks');

export const qrSection = z.strictObject({
  merchant: z.strictObject({
    /** The beneficiary bank's BIN (NAPAS acquirer ID, 38.01.00). */
    bin: z.string().regex(/^\d{6}$/, 'the bank BIN is 6 digits'),
    /** Account number (QRIBFTTA), card number (QRIBFTTC) or merchant ID (QRPUSH). */
    account: z.string().regex(/^[0-9A-Za-z]{1,19}$/, '1 to 19 letters or digits'),
    service: z.enum(SERVICE_CODES).default('QRIBFTTA'),
    name: ascii(25).optional(),
    city: ascii(15).optional(),
    mcc: z.string().regex(/^\d{4}$/, 'the merchant category code is 4 digits').optional(),
  }),
  /** 62.07, e.g. the terminal ID, so the bank's statement shows which counter took it. */
  terminalLabel: ascii(25).optional(),
  /** How long a payer has to pay. */
  timeoutMs: z.number().int().min(10_000).default(300_000),
  /** What is printed: the code slip when a code is made (off), the receipt once paid (on). */
  print: z.strictObject({
    slip: z.boolean().default(false),
    receipt: z.boolean().default(true),
  }).prefault({}),
  /** How codes read back are checked: a bank profile may allow outer lengths only. */
  lengths: z.enum(['strict', 'outer-only']).default('strict'),
  /** The shared HMAC-SHA256 secret the gateway's answers and notifications are signed with. */
  secret: z.string().min(16),
  gateway: z.strictObject({
    url: z.url(),
    token: z.string().min(16).optional(),
    pollIntervalMs: z.number().int().min(250).default(2_000),
    /** After a wait ended unpaid, how long late transfers are still looked for; 0: not. */
    lateWatchMs: z.number().int().min(0).default(600_000),
    lateWatchIntervalMs: z.number().int().min(1_000).default(15_000),
    requestTimeoutMs: z.number().int().positive().default(5_000),
  }).optional(),
  notifications: z.strictObject({
    /** The interface to listen on; required, so that it is never all of them by accident. */
    host: z.string().min(1),
    port: z.number().int().min(1).max(65_535),
    path: z.string().regex(/^\/[A-Za-z0-9/_.-]*$/).default('/v1/qr/notifications'),
  }).optional(),
}).superRefine(checkQrSection);

type QrSectionInput = Pick<z.output<typeof qrSection>, 'merchant' | 'terminalLabel'> & {
  gateway?: unknown;
  notifications?: unknown;
};

/**
 * A way to learn of transfers, and a merchant account the builder accepts: a sample code is
 * built at start, so a missing MCC, name or city of a QRPUSH merchant is named now rather
 * than at the first payment.
 */
function checkQrSection(qr: QrSectionInput, ctx: z.RefinementCtx): void {
  if (qr.gateway === undefined && qr.notifications === undefined) {
    ctx.addIssue({ code: 'custom', path: ['gateway'],
      message: 'QR payments need a gateway to poll, or notifications, or both' });
  }
  // A text its own check refused is named already; the sample would only repeat it.
  const texts = [qr.merchant.name, qr.merchant.city, qr.terminalLabel];
  if (texts.some((t) => t !== undefined && !/^[\x20-\x7E]+$/.test(t))) return;
  try {
    buildVietQr({ initiation: 'dynamic', bin: qr.merchant.bin, account: qr.merchant.account,
      service: qr.merchant.service, merchantCategoryCode: qr.merchant.mcc,
      merchantName: qr.merchant.name, merchantCity: qr.merchant.city, amount: 1,
      terminalLabel: qr.terminalLabel, purpose: 'QY00000000' });
  } catch (err) {
    if (!isQuayError(err)) throw err;
    ctx.addIssue({ code: 'custom', path: ['merchant'], message: err.message });
  }
}

export type QrConfig = z.output<typeof qrSection>;
