import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CATALOGUE, isQuayError, RequestError, type ErrorCode } from '../../errors';
import type { TransactionRow } from '../../journal/journal';
import type { QrTransferRow } from '../../journal/qr-payments';
import type { QrCounter, ShownQrPayment } from '../../terminal/qr-payment';
import type { ApiContext } from '../context';
import { errorBody, parseWith } from '../errors';
import { idempotencyKey, idParam, qrPaymentRequest } from '../schemas';

/**
 * QR payments through the counter API. Creating one answers as soon as its code can be shown
 * (201, with the payload and the PNG); the desk software then follows it by status. The
 * terminal is taken while the code waits, as for a card payment: a second payment of either
 * kind meanwhile gets 409 TERMINAL_BUSY. A QR payment is a bank transfer the card host never
 * held, so it has no void or refund here: the refund route says so.
 */

/** Statuses of the QR errors a request can meet, beside the catalogue's common ones. */
const QR_STATUS: Partial<Record<ErrorCode, number>> = {
  QR_REFUND_BY_TRANSFER: 409,
  QR_FIELD_INVALID: 400,
  QR_GATEWAY_UNREACHABLE: 502,
  QR_MALFORMED: 502,
  QR_SIGNATURE_INVALID: 502,
};

export function qrRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const counter = (): QrCounter => {
    if (!ctx.qr) throw new RequestError('OPERATION_UNAVAILABLE', 'no qr section configured');
    return ctx.qr;
  };
  const mustRow = (request: FastifyRequest): TransactionRow => {
    const { id } = parseWith(idParam, request.params);
    const row = ctx.journal.get(Number(id));
    if (!row || row.kind !== 'qr') throw new RequestError('NOT_FOUND', `no QR payment ${id}`);
    return row;
  };
  const view = (row: TransactionRow) => qrPaymentView(row, counter().store.transfersOf(row.id));

  app.post('/v1/qr-payments', async (request, reply) => answering(reply, async () => {
    const caller = ctx.gate.requireCaller(request);
    const body = parseWith(qrPaymentRequest, request.body);
    const header = request.headers['idempotency-key'];
    const headerKey = header === undefined ? undefined
      : parseWith(idempotencyKey, header, 'idempotency-key');
    if (headerKey && body.idempotencyKey && headerKey !== body.idempotencyKey) {
      throw new RequestError('REQUEST_INVALID', 'two different idempotency keys',
        { detail: { field: 'idempotencyKey' } });
    }
    const operator = body.operator ?? (caller.kind === 'user' ? caller.name : undefined);
    const shown = await counter().start({ ...body,
      idempotencyKey: body.idempotencyKey ?? headerKey, operator });
    return reply.status(shown.replayed ? 200 : 201)
      .header('location', `/v1/qr-payments/${shown.row.id}`).send(shownView(shown, view));
  }));

  app.get('/v1/qr-payments/:id', async (request) => {
    ctx.gate.requireCaller(request);
    return view(mustRow(request));
  });

  app.post('/v1/qr-payments/:id/cancel', async (request) => {
    ctx.gate.requireCaller(request);
    const row = mustRow(request);
    ctx.log.info({ journalId: row.id }, 'QR payment cancelled by the clerk');
    return view(await counter().cancel(row.id));
  });

  app.post('/v1/qr-payments/:id/print', async (request) => {
    ctx.gate.requireCaller(request);
    const row = mustRow(request);
    const outcome = await counter().printSlip(row.id);
    ctx.log.info({ journalId: row.id, printed: outcome?.printed ?? false }, 'QR code slip');
    return { journalId: row.id, printed: outcome?.printed ?? false,
      error: outcome?.error ?? null };
  });

  app.post('/v1/qr-payments/:id/refund', async (request, reply) => answering(reply, async () => {
    ctx.gate.requireCaller(request);
    const row = mustRow(request);
    throw new RequestError('QR_REFUND_BY_TRANSFER',
      `QR payment ${row.id} was a bank transfer of ${row.amount} dong: return it by transfer`,
      { detail: { id: row.id } });
  }));

  app.get('/v1/qr-transfers/flagged', async (request) => {
    const caller = ctx.gate.requireCaller(request);
    if (caller.kind !== 'user' || caller.role === 'clerk') {
      throw new RequestError('FORBIDDEN', 'flagged transfers are for supervisors and technicians');
    }
    return { items: counter().store.flagged().map(transferView) };
  });
}

/** Runs a handler, answering the QR errors with their own status (others go on as thrown). */
async function answering(reply: FastifyReply, work: () => Promise<unknown>): Promise<unknown> {
  try {
    return await work();
  } catch (err) {
    const status = isQuayError(err) ? QR_STATUS[err.code] : undefined;
    if (status === undefined || !isQuayError(err)) throw err;
    return reply.status(status).send(errorBody(err));
  }
}

/** What desk software sees of a QR payment's state (journal/states.ts). */
function qrStatus(row: TransactionRow) {
  switch (row.state) {
    case 'approved': return 'approved' as const;
    case 'qr_expired': return 'declined' as const;
    case 'qr_flagged': return 'flagged' as const;
    case 'failed': return 'failed' as const;
    default: return 'waiting' as const;
  }
}

function transferView(t: QrTransferRow) {
  return { transferId: t.transfer_id, journalId: t.transaction_id, amount: t.amount,
    content: t.content, paidAt: t.paid_at, receivedAt: t.received_at,
    disposition: t.disposition, reviewed: t.reviewed_at !== null };
}

export function qrPaymentView(row: TransactionRow, transfers: QrTransferRow[]) {
  const deciding = transfers.find((t) => t.disposition !== 'extra');
  const info = row.error_code !== null && row.error_code in ERROR_CATALOGUE
    ? ERROR_CATALOGUE[row.error_code as ErrorCode] : undefined;
  return {
    journalId: row.id, kind: 'qr' as const, status: qrStatus(row), state: row.state,
    amount: row.amount, currency: 'VND' as const, reference: row.reference,
    qrReference: row.qr_reference ?? '', description: row.description, payer: row.payer,
    operator: row.operator, idempotencyKey: row.idempotency_key, createdAt: row.created_at,
    updatedAt: row.updated_at, bankTransferId: deciding?.transfer_id ?? null,
    transfers: transfers.map(transferView),
    reason: info && row.state !== 'approved'
      ? { code: row.error_code!, vi: info.vi, en: info.en } : null,
  };
}

function shownView(shown: ShownQrPayment, view: (row: TransactionRow) => object) {
  return { ...view(shown.row), content: shown.content, payload: shown.payload,
    png: `data:image/png;base64,${shown.png.toString('base64')}`, expiresAt: shown.expiresAt,
    replayed: shown.replayed };
}
