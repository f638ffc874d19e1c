import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RequestError } from '../../errors';
import type { TransactionRow } from '../../journal/journal';
import type { TransactionState } from '../../journal/states';
import type { ApiContext } from '../context';
import { parseWith } from '../errors';
import { idempotencyKey, idParam, keyParam, paymentRequest, refundRequest, voidRequest }
  from '../schemas';
import { publicResult, publicTransaction, RUNNING_STATES, statusOf } from '../views';

/** How often the event stream looks at the journal, and how often it says it is alive. */
const STREAM_POLL_MS = 100;
const STREAM_HEARTBEAT_MS = 15_000;

/**
 * Payments: one at a time. A request answers when the payment has ended, or at once with 202
 * when it carries `Prefer: respond-async`; progress is then followed on the event stream or by
 * asking for the status, by journal ID or by idempotency key.
 */
export function paymentRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const mustRow = (request: FastifyRequest): TransactionRow => {
    const { id } = parseWith(idParam, request.params);
    const row = ctx.journal.get(Number(id));
    if (!row) throw new RequestError('NOT_FOUND', `no payment ${id}`);
    return row;
  };

  app.post('/v1/payments', async (request, reply) => {
    const caller = ctx.gate.requireCaller(request);
    const header = request.headers['idempotency-key'];
    const headerKey = header === undefined ? undefined
      : parseWith(idempotencyKey, header, 'idempotency-key');
    const body = parseWith(paymentRequest, request.body);
    if (headerKey && body.idempotencyKey && headerKey !== body.idempotencyKey) {
      throw new RequestError('REQUEST_INVALID', 'two different idempotency keys',
        { detail: { field: 'idempotencyKey' } });
    }
    const key = body.idempotencyKey ?? headerKey;
    // A repeated key answers with the first payment even while another one runs.
    const seen = key === undefined ? undefined : ctx.journal.byIdempotencyKey(key);
    if (seen) {
      sameRequest(seen, key!, { kind: 'purchase', amount: body.amount,
        reference: body.reference }, body.idempotencyKey ? 'idempotencyKey' : 'idempotency-key');
      return reply.status(200).send({ ...publicTransaction(seen), replayed: true,
        receipt: null });
    }
    const payment = { ...body, idempotencyKey: key,
      operator: body.operator ?? (caller.kind === 'user' ? caller.name : undefined) };
    if (!/respond-async/i.test(String(request.headers.prefer ?? ''))) {
      const result = await ctx.terminal.pay(payment);
      const row = ctx.journal.get(result.journalId)!;
      return reply.status(result.replayed ? 200 : 201).send(publicResult(row, result));
    }
    if (ctx.terminal.isBusy) throw new RequestError('TERMINAL_BUSY');
    const running = ctx.terminal.pay(payment);
    running.catch((err: unknown) => ctx.log.error({ err }, 'payment failed'));
    // The terminal writes its journal row before its first wait, so the row is there now.
    const row = key !== undefined ? ctx.journal.byIdempotencyKey(key)
      : ctx.journal.search({ limit: 1, offset: 0 }).rows[0];
    if (!row) throw new RequestError('NOT_FOUND', 'the payment was not recorded');
    return reply.status(202).header('location', `/v1/payments/${row.id}`)
      .send(publicTransaction(row));
  });

  app.get('/v1/payments/:id', async (request) => {
    ctx.gate.requireCaller(request);
    return publicTransaction(mustRow(request));
  });

  app.get('/v1/payments/by-key/:key', async (request) => {
    ctx.gate.requireCaller(request);
    const { key } = parseWith(keyParam, request.params);
    const row = ctx.journal.byIdempotencyKey(key);
    if (!row) throw new RequestError('NOT_FOUND', `no payment with idempotency key ${key}`);
    return publicTransaction(row);
  });

  app.get('/v1/payments/:id/events', async (request, reply) => {
    ctx.gate.requireCaller(request);
    const row = mustRow(request);
    streamEvents(ctx, row.id, request, reply);
  });

  app.post('/v1/payments/:id/abort', async (request, reply) => {
    ctx.gate.requireCaller(request);
    const row = mustRow(request);
    const outcome = RUNNING_STATES.includes(row.state) ? ctx.terminal.abort(row.id) : undefined;
    if (!outcome) {
      throw new RequestError('ABORT_TOO_LATE', `payment ${row.id} is ${row.state}`);
    }
    ctx.log.info({ journalId: row.id, outcome }, 'payment cancelled by the clerk');
    return reply.status(202).send({ journalId: row.id, outcome });
  });

  app.post('/v1/payments/:id/void', async (request) => {
    const body = parseWith(voidRequest, request.body ?? {});
    const supervisor = await ctx.gate.requireSupervisor(request, body.supervisor);
    const row = mustRow(request);
    const key = repeatable(ctx, request, { kind: 'void', originalId: row.id });
    ctx.log.info({ journalId: row.id, supervisor }, 'void requested');
    return ctx.terminal.voidPayment(row.id, { operator: supervisor, idempotencyKey: key });
  });

  app.post('/v1/payments/:id/refund', async (request) => {
    const body = parseWith(refundRequest, request.body);
    const supervisor = await ctx.gate.requireSupervisor(request, body.supervisor);
    const row = mustRow(request);
    if (row.kind === 'qr') throw new RequestError('QR_REFUND_BY_TRANSFER');
    if (body.amount > row.amount) {
      throw new RequestError('AMOUNT_INVALID',
        `a refund is at most the original ${row.amount} dong`, { detail: { field: 'amount' } });
    }
    const key = repeatable(ctx, request, { kind: 'refund', originalId: row.id,
      amount: body.amount });
    ctx.log.info({ journalId: row.id, supervisor, amount: body.amount }, 'refund requested');
    return ctx.terminal.refundPayment(row.id, { amount: body.amount, operator: supervisor,
      idempotencyKey: key });
  });

  app.post('/v1/payments/:id/reprint', async (request) => {
    ctx.gate.requireCaller(request);
    const row = mustRow(request);
    if (row.receipt_bytes_path === null) {
      throw new RequestError('NOT_FOUND', `payment ${row.id} has no receipt kept`);
    }
    if (!ctx.receipts) throw new RequestError('OPERATION_UNAVAILABLE', 'no printer configured');
    const outcome = await ctx.receipts.reprint(row);
    return { journalId: row.id, printed: outcome?.printed ?? false,
      error: outcome?.error ?? null };
  });
}

/** The Idempotency-Key header, checked; undefined when absent. */
function headerKey(request: FastifyRequest): string | undefined {
  const header = request.headers['idempotency-key'];
  return header === undefined ? undefined : parseWith(idempotencyKey, header, 'idempotency-key');
}

/** What a request names: a repeat must name the same, or it is not a repeat. */
interface Intent {
  kind: 'purchase' | 'void' | 'refund';
  originalId?: number;
  amount?: number;
  reference?: string;
}

/**
 * Refuses a key that already names another transaction. The terminal answers a known key
 * with the row it names; without this check, a void sent with its sale's key would come back
 * as an approved void while the sale still stands, and a payment for another amount would be
 * answered with the first one's approval. Compared are the facts that move money.
 */
function sameRequest(row: TransactionRow, key: string, intent: Intent,
  field = 'idempotency-key'): void {
  // As publicTransaction reads it: any row that is not a void or a refund is a sale.
  const kind = row.kind === 'void' || row.kind === 'refund' ? row.kind : 'purchase';
  const same = kind === intent.kind
    && (intent.originalId === undefined || row.original_id === intent.originalId)
    && (intent.amount === undefined || row.amount === intent.amount)
    && (intent.reference === undefined || row.reference === intent.reference);
  if (!same) {
    throw new RequestError('IDEMPOTENCY_KEY_REUSED',
      `idempotency key ${key} names ${kind} #${row.id}, not this request`,
      { detail: { field, journalId: row.id } });
  }
}

/** The request's Idempotency-Key, once checked against what it may already name. */
function repeatable(ctx: ApiContext, request: FastifyRequest, intent: Intent):
  string | undefined {
  const key = headerKey(request);
  const seen = key === undefined ? undefined : ctx.journal.byIdempotencyKey(key);
  if (seen) sameRequest(seen, key!, intent);
  return key;
}

/**
 * Server-sent events: one `state` event per journal step of the payment (ids count the steps,
 * so a client reconnecting with Last-Event-ID gets only what it missed), then `end` with the
 * transaction once the terminal is done with it (a reversal left owed ends the stream too; its
 * outcome is read later by status).
 */
function streamEvents(ctx: ApiContext, id: number, request: FastifyRequest,
  reply: FastifyReply): void {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store', connection: 'keep-alive' });
  const last = Number(request.headers['last-event-id']);
  let sent = Number.isSafeInteger(last) && last > 0 ? last : 0;
  let beat = Date.now();
  const push = () => {
    const events = ctx.journal.events(id);
    for (; sent < events.length; sent++) {
      const event = events[sent]!;
      raw.write(`id: ${sent + 1}\nevent: state\ndata: ${JSON.stringify({
        journalId: id, state: event.state,
        status: statusOf(event.state as TransactionState), at: event.at,
      })}\n\n`);
    }
    const row = ctx.journal.get(id)!;
    const ended = !RUNNING_STATES.includes(row.state)
      && (row.state !== 'reversal_pending' || !ctx.terminal.isBusy);
    if (ended) {
      raw.end(`event: end\ndata: ${JSON.stringify(publicTransaction(row))}\n\n`);
      stop();
    } else if (Date.now() - beat >= STREAM_HEARTBEAT_MS) {
      raw.write(': alive\n\n');
      beat = Date.now();
    }
  };
  const timer = setInterval(push, STREAM_POLL_MS);
  const stop = () => clearInterval(timer);
  raw.on('close', stop);
  push();
}
