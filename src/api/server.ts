import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { Gate } from './auth';
import type { ApiContext, ApiParts } from './context';
import { installErrorHandler } from './errors';
import { openApiDocument } from './openapi';
import { batchRoutes } from './routes/batch';
import { healthRoutes } from './routes/health';
import { pageRoutes } from './routes/page';
import { paymentRoutes } from './routes/payments';
import { qrRoutes } from './routes/qr';
import { sessionRoutes } from './routes/sessions';
import { transactionRoutes } from './routes/transactions';

export type { ApiParts } from './context';

/** Requests are small JSON objects; anything bigger is refused before it is parsed. */
const BODY_LIMIT = 16 * 1024;

const registered = new WeakMap<FastifyInstance, { method: string; url: string }[]>();

/** The routes an API instance serves, for the test that holds them to the OpenAPI document. */
export function routesOf(app: FastifyInstance): readonly { method: string; url: string }[] {
  return registered.get(app) ?? [];
}

/**
 * The counter API for desk software and the clerk page. A payment request answers when the
 * payment has ended (the customer inserts the card in between), or at once when asked to;
 * a second request meanwhile gets 409 TERMINAL_BUSY, never a queue.
 */
export function buildApi(parts: ApiParts): FastifyInstance {
  const app = Fastify({ loggerInstance: parts.log as FastifyBaseLogger, bodyLimit: BODY_LIMIT });
  const routes: { method: string; url: string }[] = [];
  registered.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routes.push({ method: method.toLowerCase(), url: route.url });
    }
  });
  const ctx: ApiContext = { ...parts, gate: new Gate(parts.security ?? { users: [] }) };
  // The API speaks JSON alone: Fastify's built-in text/plain parser would let a form-like
  // body reach the handlers, where it should be refused as 415.
  app.removeContentTypeParser('text/plain');
  installErrorHandler(app, parts.log);
  healthRoutes(app, ctx);
  sessionRoutes(app, ctx);
  paymentRoutes(app, ctx);
  transactionRoutes(app, ctx);
  batchRoutes(app, ctx);
  pageRoutes(app, ctx);
  qrRoutes(app, ctx);
  app.get('/v1/openapi.json', async () => openApiDocument());
  return app;
}
