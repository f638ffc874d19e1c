import type { FastifyInstance } from 'fastify';
import type { TransactionState } from '../../journal/states';
import type { ApiContext } from '../context';
import { parseWith } from '../errors';
import { transactionQuery } from '../schemas';
import { publicTransaction, statesOf } from '../views';

/** The transaction list: search by reference, date range and state, newest first. */
export function transactionRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/v1/transactions', async (request) => {
    ctx.gate.requireCaller(request);
    const q = parseWith(transactionQuery, request.query);
    const states: TransactionState[] | undefined = q.state ? statesOf(q.state) : undefined;
    const { rows, total } = ctx.journal.search({
      reference: q.reference, states,
      from: q.from ? new Date(q.from).toISOString() : undefined,
      to: q.to ? new Date(q.to).toISOString() : undefined,
      limit: q.limit, offset: q.offset,
    });
    return { items: rows.map(publicTransaction), total, limit: q.limit, offset: q.offset };
  });
}
