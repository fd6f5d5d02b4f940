// Every write of the API (POST, PUT, PATCH, DELETE) runs its handler in the service's group commit
// (db/group-commit.ts): writes that arrive together share one durable commit. A response waits for that
// commit before its first byte is written, so nothing is acknowledged that a crash could still take back;
// when the commit fails, a success becomes a 503 the client can retry.
// Write handlers are synchronous (an `await` would let the write escape the shared transaction): a route
// with an async write handler is refused when it is registered. What else must commit with the write (an
// Idempotency-Key's stored response) runs in the same transaction through `request.inWrite`.
import type { FastifyInstance, FastifyRequest, RouteHandlerMethod } from 'fastify';
import fp from 'fastify-plugin';
import { auditContext, type Actor } from '../../db/audit-context.js';
import { groupCommit } from '../../db/group-commit.js';
import { AppError } from './errors.js';

/** Work that commits together with a request's write. */
export interface InWrite {
  /** Before the handler: a value here is the answer, and the handler does not run. */
  before(): unknown;
  /** After the handler answered `result` (it did not throw). */
  after(result: unknown): void;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The commit holding this request's writes, while its response waits for it. */
    committed: Promise<void> | null;
    inWrite: InWrite | null;
  }
}

const ANONYMOUS: Actor = { name: 'anonymous', tokenId: null };
/** Who the audit trail names for a request's write: its token's holder, or anonymous. */
const actorOf = (request: FastifyRequest): Actor => (request.token ? { name: request.token.name, tokenId: request.token.id } : ANONYMOUS);

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const notSaved = () =>
  new AppError(503, 'write-not-saved', 'Service unavailable', 'The change could not be saved; nothing of it was kept. Try again.');

export const groupCommitPlugin = fp(async (app: FastifyInstance) => {
  const writes = groupCommit(app.db.$client);
  // The handler and the work that commits with it, all or nothing (a savepoint in the shared transaction).
  const together = app.db.$client.transaction((run: () => unknown) => run());
  app.decorateRequest('committed', null);
  app.decorateRequest('inWrite', null);

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.some((m) => WRITES.has(m))) return;
    const handler = route.handler as RouteHandlerMethod;
    if (handler.constructor.name === 'AsyncFunction') {
      throw new Error(`${methods.join(',')} ${route.url}: a write handler must be synchronous (it runs inside the shared transaction)`);
    }
    route.handler = function batchedHandler(request, reply) {
      const { value, committed } = writes.run(() =>
        auditContext.run(actorOf(request), () => {
          const extra = request.inWrite;
          if (extra === null) return handler.call(this, request, reply);
          return together(() => {
            const early = extra.before();
            if (early !== undefined) return early;
            const result = handler.call(this, request, reply);
            extra.after(result);
            return result;
          });
        }),
      );
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
