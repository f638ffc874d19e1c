import { z } from 'zod';
import { ERROR_CATALOGUE, type ErrorCode } from '../errors';
import { STATES } from '../journal/states';
import { MAX_AMOUNT } from '../terminal/request';

/**
 * The request and response shapes of the counter API. Requests are checked with these
 * schemas, and the OpenAPI document is generated from the same ones, so the two cannot drift.
 */

/** The named components of the OpenAPI document. */
export const apiRegistry = z.registry<{ id: string }>();

// Control characters would corrupt receipts and the customer display: refused, not stripped.
const printable = (max: number) => z.string().trim().min(1).max(max)
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'printable characters only');

/** Chosen by the desk software, often its dossier or bill number with a suffix. */
export const idempotencyKey = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/,
  'letters, digits and . _ : - only, at most 64');

/** Whole dong (VND has no minor unit), as a JSON number or a string of digits. */
export const amountInput = z.union([
  z.int().min(1).max(MAX_AMOUNT),
  z.string().regex(/^[1-9][0-9]{0,11}$/, 'a whole number of dong'),
]).transform((v) => Number(v));

export const paymentRequest = z.strictObject({
  amount: amountInput,
  reference: printable(40),
  description: printable(120).optional(),
  payer: printable(80).optional(),
  /** Số hồ sơ: the dossier number the fee belongs to, printed on the receipt. */
  dossier: printable(40).optional(),
  operator: printable(40).optional(),
  idempotencyKey: idempotencyKey.optional(),
}).register(apiRegistry, { id: 'PaymentRequest' });

export const publicStatus = z.enum(['in_progress', 'outcome_unknown', 'approved',
  'approved_offline', 'advice_declined', 'declined', 'not_accepted', 'failed',
  'reversal_pending', 'reversed', 'voided',
  // A QR payment whose transfer did not match (amount, late, after a cancel): a supervisor
  // settles it with the payer; see /v1/qr-transfers/flagged.
  'flagged']);

const reason = z.object({ code: z.string(), vi: z.string(), en: z.string() }).nullable();

export const transaction = z.object({
  journalId: z.int(),
  /** A sale, or the void or refund of the sale named by originalId. */
  kind: z.enum(['purchase', 'void', 'refund', 'qr']),
  originalId: z.int().nullable(),
  status: publicStatus,
  state: z.enum(STATES),
  amount: z.int(),
  currency: z.literal('VND'),
  reference: z.string(),
  description: z.string().nullable(),
  payer: z.string().nullable(),
  operator: z.string().nullable(),
  idempotencyKey: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  stan: z.int().nullable(),
  invoice: z.int().nullable(),
  batch: z.int().nullable(),
  maskedPan: z.string().nullable(),
  application: z.string().nullable(),
  responseCode: z.string().nullable(),
  authCode: z.string().nullable(),
  rrn: z.string().nullable(),
  reason,
  receiptKept: z.boolean(),
}).register(apiRegistry, { id: 'Transaction' });

export const paymentResult = transaction.extend({
  replayed: z.boolean(),
  /** Offline approvals still to forward to the bank, this one included: when approved offline. */
  toForward: z.object({ pending: z.int(), total: z.int() }).optional(),
  receipt: z.object({
    printed: z.boolean(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
  }).nullable(),
}).register(apiRegistry, { id: 'PaymentResult' });

export const transactionPage = z.object({
  items: z.array(transaction),
  total: z.int(),
  limit: z.int(),
  offset: z.int(),
}).register(apiRegistry, { id: 'TransactionPage' });

const isoInstant = z.iso.datetime({ offset: true });

export const transactionQuery = z.strictObject({
  reference: printable(40).optional(),
  state: z.union([z.enum(STATES), publicStatus]).optional(),
  from: isoInstant.optional(),
  to: isoInstant.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const idParam = z.strictObject({ id: z.string().regex(/^[1-9][0-9]{0,15}$/) });
export const keyParam = z.strictObject({ key: idempotencyKey });

export const credentials = z.strictObject({
  name: z.string().min(1).max(32),
  secret: z.string().min(4).max(128),
}).register(apiRegistry, { id: 'Credentials' });

export const session = z.object({
  token: z.string(),
  name: z.string(),
  role: z.enum(['clerk', 'supervisor', 'technician']),
  expiresAt: z.string(),
}).register(apiRegistry, { id: 'Session' });

/** Void and refund carry a supervisor's confirmation unless a supervisor is signed in. */
export const voidRequest = z.strictObject({
  supervisor: credentials.optional(),
}).register(apiRegistry, { id: 'VoidRequest' });

export const refundRequest = z.strictObject({
  amount: amountInput,
  supervisor: credentials.optional(),
}).register(apiRegistry, { id: 'RefundRequest' });

export const adjustmentResult = z.object({
  kind: z.enum(['void', 'refund']),
  status: z.enum(['approved', 'declined', 'reversal_pending', 'reversed']),
  journalId: z.int(),
  originalId: z.int(),
  amount: z.int(),
  stan: z.int().nullable(),
  responseCode: z.string().nullable(),
  authCode: z.string().nullable(),
  rrn: z.string().nullable(),
  reason: z.string().nullable(),
  replayed: z.boolean(),
}).register(apiRegistry, { id: 'AdjustmentResult' });

const countAmount = z.object({ count: z.int(), amount: z.int() });

/** Payments by tender: card sales of the open batch, QR payments since the last settlement. */
export const tenderTotals = z.object({
  card: countAmount,
  qr: countAmount,
}).register(apiRegistry, { id: 'TenderTotals' });

export const batchReport = z.object({
  kind: z.enum(['X', 'Z']),
  batch: z.int(),
  sales: countAmount,
  refunds: countAmount,
  voids: countAmount,
  /** Sales less refunds, whole dong. */
  net: z.int(),
  /** The X report only: cards and QR apart (a QR transfer is not in the card batch). */
  byTender: tenderTotals.optional(),
}).register(apiRegistry, { id: 'BatchReport' });

export const settlementResult = batchReport.extend({
  nextBatch: z.int(),
  responseCode: z.string(),
  uploaded: z.boolean(),
  uploadCount: z.int(),
}).register(apiRegistry, { id: 'SettlementResult' });

export const auditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const auditPage = z.object({
  items: z.array(z.object({
    id: z.int(), at: z.string(), actor: z.string().nullable(),
    action: z.enum(['sign-in', 'sign-out', 'void', 'refund', 'settlement', 'config-change']),
    target: z.string().nullable(), outcome: z.string(),
    detail: z.record(z.string(), z.unknown()).nullable(),
  })),
}).register(apiRegistry, { id: 'AuditPage' });

export const abortResult = z.object({
  journalId: z.int(),
  outcome: z.enum(['before-sending', 'reversal']),
}).register(apiRegistry, { id: 'AbortResult' });

export const reprintResult = z.object({
  journalId: z.int(),
  printed: z.boolean(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
}).register(apiRegistry, { id: 'ReprintResult' });

export const reportPrintResult = z.object({
  report: z.literal('X'),
  batch: z.int(),
  printed: z.boolean(),
  queued: z.boolean(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
}).register(apiRegistry, { id: 'ReportPrintResult' });

export const health = z.object({
  status: z.literal('ok'),
  busy: z.boolean(),
  reversals: z.object({ pending: z.int(), held: z.int(), oldest: z.string().nullable() }),
}).register(apiRegistry, { id: 'Health' });

export const devices = z.object({
  terminal: z.object({ busy: z.boolean() }),
  reversals: z.object({ pending: z.int(), held: z.int(), oldest: z.string().nullable() }),
  notifications: z.object({ configured: z.boolean(), pending: z.int() }),
}).register(apiRegistry, { id: 'Devices' });

const codes = Object.keys(ERROR_CATALOGUE) as [ErrorCode, ...ErrorCode[]];

export const errorBody = z.object({
  error: z.object({
    code: z.enum(codes),
    message: z.string(),
    vi: z.string(),
    en: z.string(),
    retryable: z.boolean(),
    field: z.string().optional(),
  }),
}).register(apiRegistry, { id: 'Error' });

export type PublicTransaction = z.infer<typeof transaction>;
export type PublicStatus = z.infer<typeof publicStatus>;

/**
 * A QR payment: the payer scans the code and transfers from a banking app. `note` follows
 * the short reference in the transfer content, folded to ASCII (the bank matches on it).
 */
export const qrPaymentRequest = z.strictObject({
  amount: amountInput,
  reference: printable(40),
  description: printable(120).optional(),
  payer: printable(80).optional(),
  operator: printable(40).optional(),
  idempotencyKey: idempotencyKey.optional(),
  note: printable(40).optional(),
  /** Print the code slip for a payer who scans from paper (default: qr.print.slip). */
  printSlip: z.boolean().optional(),
}).register(apiRegistry, { id: 'QrPaymentRequest' });

/** A transfer the bank reported, kept under the bank's own transaction ID. */
export const qrTransfer = z.object({
  transferId: z.string(),
  journalId: z.int().nullable(),
  amount: z.int(),
  content: z.string(),
  paidAt: z.string(),
  receivedAt: z.string(),
  /** What it did: paid its payment, or flagged for the supervisor (the other values). */
  disposition: z.enum(['paid', 'amount-mismatch', 'late', 'extra', 'unknown']),
  reviewed: z.boolean(),
}).register(apiRegistry, { id: 'QrTransfer' });

export const qrPayment = z.object({
  journalId: z.int(),
  kind: z.literal('qr'),
  /** declined: the wait timed out or was cancelled; flagged: for the supervisor. */
  status: z.enum(['waiting', 'approved', 'declined', 'flagged', 'failed']),
  state: z.enum(STATES),
  amount: z.int(),
  currency: z.literal('VND'),
  reference: z.string(),
  /** The short reference in the transfer content. */
  qrReference: z.string(),
  description: z.string().nullable(),
  payer: z.string().nullable(),
  operator: z.string().nullable(),
  idempotencyKey: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** The bank's transaction ID of the transfer that paid or flagged it. */
  bankTransferId: z.string().nullable(),
  transfers: z.array(qrTransfer),
  reason,
}).register(apiRegistry, { id: 'QrPayment' });

export const qrPaymentShown = qrPayment.extend({
  content: z.string(),
  /** The EMVCo payload, and the code as a PNG data URL for the customer screen. */
  payload: z.string(),
  png: z.string(),
  expiresAt: z.string().nullable(),
  replayed: z.boolean(),
}).register(apiRegistry, { id: 'QrPaymentShown' });

export const qrTransferPage = z.object({
  items: z.array(qrTransfer),
}).register(apiRegistry, { id: 'QrTransferPage' });

