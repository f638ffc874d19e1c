import Fastify, { type FastifyInstance } from 'fastify';
import { isQuayError } from '../errors';
import { silentLogger, type Logger } from '../log';
import type { QrMatcher } from './matcher';
import { bankTransferSchema, SIGNATURE_HEADER, verifiedBody } from './transfer';

/**
 * The optional inbound endpoint where a bank or gateway posts a notification of a transfer.
 * It listens on the interface the technician names (never all interfaces by default). A
 * notification is believed only with a valid HMAC signature over the exact body; a refused one
 * is logged and changes nothing. A repeated one is acknowledged (so the sender stops
 * retrying) and ignored by the matcher.
 */

export interface NotificationListenerOptions {
  host?: string;
  /** 0 lets the OS choose. */
  port?: number;
  path?: string;
  secret: string;
  matcher: QrMatcher;
  log?: Logger;
}

export interface NotificationListener {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Notifications are one transfer each: anything larger is refused unread. */
const BODY_LIMIT = 8 * 1024;

export function buildNotificationRoutes(options: NotificationListenerOptions): FastifyInstance {
  const log = options.log ?? silentLogger;
  const app = Fastify({ bodyLimit: BODY_LIMIT });
  // The signature covers the bytes as sent, so the body is kept as text, parsed only after.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' },
    (_request, body, done) => done(null, body));
  app.post(options.path ?? '/v1/qr/notifications', async (request, reply) => {
    const header = request.headers[SIGNATURE_HEADER];
    const body = typeof request.body === 'string' ? request.body : '';
    try {
      const transfer = verifiedBody(body, typeof header === 'string' ? header : undefined,
        options.secret, bankTransferSchema);
      const result = options.matcher.offer(transfer);
      return reply.code(200).send({ result });
    } catch (err) {
      if (!isQuayError(err)) throw err;
      log.warn({ code: err.code, remote: request.ip, bytes: body.length, err: err.message },
        'qr: notification refused');
      const status = err.code === 'QR_SIGNATURE_INVALID' ? 401 : 400;
      return reply.code(status).send({ code: err.code, message: err.message });
    }
  });
  return app;
}

export async function startNotificationListener(
  options: NotificationListenerOptions): Promise<NotificationListener> {
  const app = buildNotificationRoutes(options);
  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host}:${port}${options.path ?? '/v1/qr/notifications'}`,
    port,
    close: () => app.close(),
  };
}
