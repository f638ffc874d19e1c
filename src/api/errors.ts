import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ERROR_CATALOGUE, QuayError, RequestError, type ErrorCode } from '../errors';
import type { Logger } from '../log';

/** The HTTP status of each error a request can meet; anything else is the terminal's fault. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  AMOUNT_INVALID: 400,
  REQUEST_INVALID: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  TERMINAL_BUSY: 409,
  ABORT_TOO_LATE: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  NOT_VOIDABLE: 409,
  NOT_REFUNDABLE: 409,
  REVERSAL_PENDING: 409,
  QR_REFUND_BY_TRANSFER: 409,
  SETTLEMENT_BLOCKED: 409,
  SETTLEMENT_REFUSED: 502,
  OPERATION_UNAVAILABLE: 501,
};

export function statusOf(err: QuayError): number {
  return STATUS[err.code] ?? 500;
}

export function errorBody(err: QuayError) {
  const info = ERROR_CATALOGUE[err.code];
  const field = typeof err.detail.field === 'string' ? err.detail.field : undefined;
  return {
    error: {
      code: err.code, message: err.message, vi: info.vi, en: info.en, retryable: err.retryable,
      ...(field === undefined ? {} : { field }),
    },
  };
}

/**
 * Parses `input` with `schema`; the first problem becomes a typed RequestError naming the
 * field, with AMOUNT_INVALID for the amount so desk software can tell it apart.
 */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown,
  prefix = ''): z.output<S> {
  // An absent body or query is empty; a JSON `null` is a body, and not an object.
  const parsed = schema.safeParse(input === undefined ? {} : input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.code === 'unrecognized_keys' ? issue.keys[0]! : issue.path.join('.');
  const named = prefix && field ? `${prefix}.${field}` : prefix || field;
  const message = issue.code === 'unrecognized_keys' ? `unknown field ${named}`
    : `${named || 'body'}: ${issue.message}`;
  const code: ErrorCode = field === 'amount' && issue.code !== 'unrecognized_keys'
    ? 'AMOUNT_INVALID' : 'REQUEST_INVALID';
  throw new RequestError(code, message, { detail: { field: named || undefined } });
}

/** Fastify's own refusals (malformed JSON, oversized body, wrong media type) in our shape. */
export function installErrorHandler(app: {
  setErrorHandler(fn: (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => unknown):
    unknown;
}, log: Logger): void {
  app.setErrorHandler((err, _request, reply) => {
    if (err instanceof QuayError) {
      const status = statusOf(err);
      if (status >= 500) log.error({ err: err.code, message: err.message }, 'request failed');
      return reply.status(status).send(errorBody(err));
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500
      ? err.statusCode : 500;
    if (status === 500) log.error({ err }, 'request failed');
    const wrapped = new RequestError(status === 500 ? 'JOURNAL_ERROR' : 'REQUEST_INVALID',
      status === 500 ? 'internal error' : err.message);
    return reply.status(status).send(errorBody(wrapped));
  });
}
