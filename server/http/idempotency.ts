// Idempotency-Key on POST: the first response to a key (per token) is stored, and a retry with the same
// key and body gets that response again instead of creating anything new; the same key with another
// body is refused (422). While the first request is still running, a second one gets 409. Keys are kept
// for 24 hours. Only successful responses are kept, so a refused request can be retried with the key.
import { createHash } from 'node:crypto';
import { and, eq, lt } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { idempotencyKeys } from '../../db/schema.js';
import { AppError } from './errors.js';

const KEY_RE = /^[\x21-\x7e]{1,200}$/;
const TTL_MS = 24 * 60 * 60 * 1000;

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyKey: { tokenId: string; key: string } | null;
  }
  interface FastifyContextConfig {
    /** The response carries a secret shown once (a token, a feed URL): never stored, never replayed. */
    secretResponse?: boolean;
  }
}

/** What is kept of a response that holds a secret: only the id of what was created. */
const SECRET_MARK = '{"secretWithheld":true,';

const fingerprint = (request: FastifyRequest) =>
  createHash('sha256')
    .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
    .digest('hex');

export const idempotencyPlugin = fp(async (app: FastifyInstance) => {
  const db = app.db;
  app.decorateRequest('idempotencyKey', null);

  /** Claims the key for this request, or answers with the stored response (then the reply is sent). */
  function claim(request: FastifyRequest, reply: FastifyReply, key: string | string[]): void {
    if (typeof key !== 'string' || !KEY_RE.test(key)) {
      throw new AppError(400, 'invalid-idempotency-key', 'Bad request', 'Idempotency-Key must be 1–200 visible ASCII characters');
    }
    const tokenId = request.token!.id;
    let hash: string;
    try {
      hash = fingerprint(request);
    } catch {
      // A body too deeply nested to serialise is no body any route accepts.
      throw new AppError(400, 'invalid-body', 'Bad request', 'The body is nested too deeply');
    }
    const stored = db.transaction(
      () => {
        db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, new Date(Date.now() - TTL_MS).toISOString())).run();
        const row = db.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.tokenId, tokenId), eq(idempotencyKeys.key, key))).get();
        if (!row) {
          db.insert(idempotencyKeys)
            .values({ tokenId, key, method: request.method, path: request.url, bodyHash: hash, status: null, response: null, createdAt: new Date().toISOString() })
            .run();
        }
        return row;
      },
      { behavior: 'immediate' },
    );
    if (!stored) {
      request.idempotencyKey = { tokenId, key };
      return;
    }
    if (stored.bodyHash !== hash) {
      throw new AppError(422, 'idempotency-key-reused', 'Unprocessable', 'This Idempotency-Key was used with a different request');
    }
    if (stored.status === null) {
      throw new AppError(409, 'idempotency-key-in-use', 'Conflict', 'A request with this Idempotency-Key is still being processed');
    }
    if (stored.response?.startsWith(SECRET_MARK)) {
      const { id } = JSON.parse(stored.response) as { id?: string };
      throw new AppError(409, 'idempotent-secret-withheld', 'Conflict', 'This request already succeeded; its secret was shown once and is not stored', { id });
    }
    reply
      .code(stored.status)
      .header('idempotent-replayed', 'true')
      .type('application/json; charset=utf-8')
      .serializer((p: unknown) => p as string)
      .send(stored.response);
  }

  // A synchronous hook: it runs on every API request, and most carry no key (a promise each is measurable).
  app.addHook('preHandler', (request, reply, done) => {
    const key = request.headers['idempotency-key'];
    // Only real routes: a request no route matched gets its 404 and leaves nothing behind.
    if (request.method !== 'POST' || key === undefined || !request.token || !request.routeOptions.url) {
      done();
      return;
    }
    try {
      claim(request, reply, key);
    } catch (err) {
      done(err as Error);
      return;
    }
    if (!reply.sent) done();
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    const k = request.idempotencyKey;
    if (!k) {
      done(null, payload);
      return;
    }
    request.idempotencyKey = null;
    const where = and(eq(idempotencyKeys.tokenId, k.tokenId), eq(idempotencyKeys.key, k.key));
    if (reply.statusCode < 300 && typeof payload === 'string') {
      const response = request.routeOptions.config.secretResponse
        ? `${SECRET_MARK}"id":${JSON.stringify((JSON.parse(payload) as { id?: string }).id ?? null)}}`
        : payload;
      db.update(idempotencyKeys).set({ status: reply.statusCode, response }).where(where).run();
    } else {
      db.delete(idempotencyKeys).where(where).run();
    }
    done(null, payload);
  });
});
