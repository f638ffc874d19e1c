import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { ERROR_CATALOGUE, QuayError, RequestError } from '../errors';
import type { Journal, TransactionRow } from '../journal/journal';
import type { Logger } from '../log';
import type { PaymentTerminal } from '../terminal/payment';
import { validatePaymentRequest } from '../terminal/request';

export interface ApiParts {
  terminal: PaymentTerminal;
  journal: Journal;
  log: Logger;
}

/**
 * The counter API for desk software, first cut: take a payment, read a transaction back.
 * A payment request answers when the payment has ended (the customer inserts the card in
 * between); a second request meanwhile gets 409 TERMINAL_BUSY, never a queue.
 */
export function buildApi(parts: ApiParts): FastifyInstance {
  const app = Fastify({ loggerInstance: parts.log as FastifyBaseLogger });

  app.setErrorHandler((err, _request, reply) => {
    if (err instanceof QuayError) {
      const status = err.code === 'TERMINAL_BUSY' ? 409
        : err.code === 'AMOUNT_INVALID' || err.code === 'REQUEST_INVALID' ? 400 : 500;
      return reply.status(status).send(errorBody(err));
    }
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    const message = err instanceof Error ? err.message : String(err);
    return reply.status(status).send({ error: { code: 'REQUEST_INVALID', message } });
  });

  app.get('/v1/health', async () => ({
    status: 'ok', busy: parts.terminal.isBusy, reversals: parts.journal.reversalSummary(),
  }));

  app.post('/v1/payments', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const headerKey = request.headers['idempotency-key'];
    const input = typeof headerKey === 'string' && body.idempotencyKey === undefined
      ? { ...body, idempotencyKey: headerKey } : body;
    const payment = validatePaymentRequest(input);
    const result = await parts.terminal.pay(payment);
    return reply.status(result.replayed ? 200 : 201).send(result);
  });

  app.get('/v1/payments/:id', async (request, reply) => {
    const id = Number((request.params as { id: string }).id);
    const row = Number.isSafeInteger(id) ? parts.journal.get(id) : undefined;
    if (!row) return reply.status(404).send(errorBody(new RequestError('NOT_FOUND')));
    return publicRow(row);
  });

  return app;
}

function errorBody(err: QuayError) {
  const info = ERROR_CATALOGUE[err.code];
  return {
    error: {
      code: err.code, message: err.message, vi: info.vi, en: info.en,
      retryable: err.retryable, field: err.detail.field,
    },
  };
}

/** A journal row as desk software sees it: the masked card number only. */
function publicRow(row: TransactionRow) {
  return {
    journalId: row.id, state: row.state, amount: row.amount, currency: 'VND',
    reference: row.reference, description: row.description, payer: row.payer,
    createdAt: row.created_at, updatedAt: row.updated_at, stan: row.stan, invoice: row.invoice,
    batch: row.batch, maskedPan: row.masked_pan, application: row.app_label ?? row.aid,
    responseCode: row.response_code, authCode: row.auth_code, rrn: row.rrn,
    errorCode: row.error_code, reason: row.reason,
  };
}
