import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context';
import { publicTransaction } from '../views';

/** The page's files, read once: they ship beside this module and never change at run time. */
const FILES: Record<string, string> = {
  '/': 'clerk.html',
  '/customer': 'customer.html',
  '/page/clerk.js': 'clerk.js',
  '/page/customer.js': 'customer.js',
  '/page/words.js': 'words.js',
  '/page/page.css': 'page.css',
};

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/**
 * The clerk page, the customer's second screen, and the three small reads they need beyond
 * the counter API: the fee catalogue, the state the customer should see, and the offline
 * approvals still owed to the bank. Everything is served from here; the page loads nothing
 * from elsewhere, so it works on a counter with no internet.
 */
export function pageRoutes(app: FastifyInstance, ctx: ApiContext): void {
  for (const [url, file] of Object.entries(FILES)) {
    const body = readFileSync(new URL(`../page/${file}`, import.meta.url), 'utf8');
    const type = TYPES[file.slice(file.lastIndexOf('.') + 1)]!;
    app.get(url, async (_request, reply) => reply.type(type)
      // The page has no inline script or style, so the policy can forbid both.
      .header('content-security-policy', "default-src 'self'; img-src 'self' data:")
      .header('cache-control', 'no-cache').send(body));
  }

  app.get('/v1/fees', async (request) => {
    ctx.gate.requireCaller(request);
    return { items: ctx.fees ?? [] };
  });

  // Open like /v1/health: the second screen is a browser at the counter that nobody signs in
  // to, and what it reads is what the customer already sees (amount and result, no card data).
  app.get('/v1/customer-screen', async () => {
    const row = ctx.journal.search({ limit: 1, offset: 0 }).rows[0];
    if (!row) return { payment: null };
    const t = publicTransaction(row);
    return { payment: { journalId: t.journalId, kind: t.kind, amount: t.amount,
      status: t.status, state: t.state, reason: t.reason, updatedAt: t.updatedAt } };
  });

  app.get('/v1/offline', async (request) => {
    ctx.gate.requireCaller(request);
    return { toForward: ctx.journal.advicesOwed() };
  });
}
