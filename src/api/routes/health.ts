import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context';

/** Liveness for monitoring (open to all) and device and queue status (callers known). */
export function healthRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/v1/health', async () => ({
    status: 'ok' as const, busy: ctx.terminal.isBusy, reversals: ctx.journal.reversalSummary(),
  }));

  app.get('/v1/devices', async (request) => {
    ctx.gate.requireCaller(request);
    return {
      terminal: { busy: ctx.terminal.isBusy },
      reversals: ctx.journal.reversalSummary(),
      notifications: { configured: ctx.outbox !== undefined,
        pending: ctx.outbox?.pendingCount() ?? 0 },
    };
  });
}
