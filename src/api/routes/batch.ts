import type { FastifyInstance, FastifyRequest } from 'fastify';
import { openBatchReport, type BatchReport, type SettlementResult }
  from '../../acquirer/settlement';
import { RequestError } from '../../errors';
import { tenderTotals } from '../../terminal/qr-payment';
import type { ApiContext } from '../context';
import { parseWith } from '../errors';
import { auditQuery, voidRequest } from '../schemas';

/**
 * The batch and its reports: the X report (the open batch's totals, nothing closed), the
 * settlement that closes the batch with the bank (its totals are the Z report), and the audit
 * log. Cards only: a QR transfer is settled by the bank outside the card batch.
 */
export function batchRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/v1/reports/x', async (request) => {
    ctx.gate.requireCaller(request);
    return { ...reportView('X', openBatchReport(ctx.journal)),
      byTender: tenderTotals(ctx.journal) };
  });

  app.post('/v1/reports/x/print', async (request) => {
    ctx.gate.requireCaller(request);
    const outcome = await ctx.terminal.printXReport();
    if (!outcome) throw new RequestError('OPERATION_UNAVAILABLE', 'no printer configured');
    return { report: 'X', batch: ctx.journal.counter('batch'), printed: outcome.printed,
      queued: outcome.queued ?? false, error: outcome.error ?? null };
  });

  app.post('/v1/settlement', async (request) => {
    const body = parseWith(voidRequest, request.body ?? {});
    const supervisor = await ctx.gate.requireSupervisor(request, body.supervisor);
    const settlement = ctx.settlement;
    if (!settlement) throw new RequestError('OPERATION_UNAVAILABLE', 'no settlement configured');
    const result = await ctx.terminal.settle(settlement, supervisor);
    return settledView(result);
  });

  app.get('/v1/audit', async (request: FastifyRequest) => {
    const caller = ctx.gate.requireCaller(request);
    if (caller.kind !== 'user' || caller.role === 'clerk') {
      throw new RequestError('FORBIDDEN', 'the audit log is for supervisors and technicians');
    }
    const { limit } = parseWith(auditQuery, request.query);
    return { items: ctx.journal.auditLog(limit) };
  });
}

function reportView(kind: 'X' | 'Z', report: BatchReport) {
  const { totals } = report;
  return {
    kind, batch: report.batch,
    sales: { count: totals.saleCount, amount: totals.saleAmount },
    refunds: { count: totals.refundCount, amount: totals.refundAmount },
    voids: { count: report.voidCount, amount: report.voidAmount },
    net: totals.saleAmount - totals.refundAmount,
  };
}

function settledView(result: SettlementResult) {
  return { ...reportView('Z', result), nextBatch: result.nextBatch,
    responseCode: result.responseCode, uploaded: result.uploaded,
    uploadCount: result.uploadCount };
}
