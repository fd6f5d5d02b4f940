// Every write of the API (POST, PUT, PATCH, DELETE) runs its handler in the service's group commit
// (db/group-commit.ts): writes that arrive together share one durable commit. A response waits for that
// commit before its first byte is written, so nothing is acknowledged that a crash could still take back;
// when the commit fails, a success becomes a 503 the client can retry.
import type { FastifyInstance, RouteHandlerMethod } from 'fastify';
import fp from 'fastify-plugin';
import { groupCommit } from '../../db/group-commit.js';
import { AppError } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The commit holding this request's writes, while its response waits for it. */
    committed: Promise<void> | null;
  }
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const notSaved = () =>
  new AppError(503, 'write-not-saved', 'Service unavailable', 'The change could not be saved; nothing of it was kept. Try again.');

export const groupCommitPlugin = fp(async (app: FastifyInstance) => {
  const writes = groupCommit(app.db.$client);
  app.decorateRequest('committed', null);

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.some((m) => WRITES.has(m))) return;
    const handler = route.handler as RouteHandlerMethod;
    route.handler = function batchedHandler(request, reply) {
      const { value, committed } = writes.run(() => handler.call(this, request, reply));
      request.committed = committed;
      return value;
    } as RouteHandlerMethod;
  });

  // The first onSend hook of the API: the ones after it (idempotency, feed publication) see committed data.
  app.addHook('onSend', (request, reply, payload, done) => {
    const committed = request.committed;
    if (!committed) {
      done(null, payload);
      return;
    }
    request.committed = null;
    committed.then(
      () => done(null, payload),
      // An error answer claims nothing was done, which is true; only a success must not go out.
      () => (reply.statusCode < 400 ? done(notSaved()) : done(null, payload)),
    );
  });
});
