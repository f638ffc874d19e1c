import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context';
import { parseWith } from '../errors';
import { credentials } from '../schemas';

/** Clerks sign in with their own name and PIN or password; the answer is a bearer token. */
export function sessionRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post('/v1/sessions', async (request, reply) => {
    const { name, secret } = parseWith(credentials, request.body);
    let session;
    try {
      session = await ctx.gate.login(name, secret);
    } catch (err) {
      // The name tried is kept (an unknown one too): repeated failures are what to look for.
      ctx.journal.audit({ action: 'sign-in', actor: name, outcome: 'refused' });
      throw err;
    }
    ctx.journal.audit({ action: 'sign-in', actor: session.name, outcome: 'ok',
      detail: { role: session.role } });
    ctx.log.info({ user: session.name, role: session.role }, 'signed in');
    return reply.status(201).send(session);
  });

  app.delete('/v1/sessions/current', async (request, reply) => {
    const caller = ctx.gate.requireCaller(request);
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (caller.kind === 'user' && token) {
      ctx.gate.logout(token);
      ctx.journal.audit({ action: 'sign-out', actor: caller.name, outcome: 'ok' });
    }
    return reply.status(204).send();
  });
}
