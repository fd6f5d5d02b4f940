// Idempotency-Key on POST: the first response to a key (per token) is stored, and a retry with the same
// key and body gets that response again instead of creating anything new; the same key with another
// body is refused (422). Keys are kept for 24 hours. Only successful responses are kept, so a refused
// request can be retried with the key.
// The response is stored in the transaction that writes the object (http/group-commit.plugin.ts runs
// `request.inWrite` with the handler): both are committed or neither is. After a crash a retry replays
// what was committed, or runs again when nothing was. Two requests with the same key at once: the second
// to reach the transaction finds the first's response there and gets it.
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

  type Stored = typeof idempotencyKeys.$inferSelect;
  const find = (tokenId: string, key: string): Stored | undefined =>
    db.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.tokenId, tokenId), eq(idempotencyKeys.key, key))).get();

  /**
   * What a stored response means for a request with the same key: a 422 or 409 problem, or the response
   * to replay. A row without a status was left by an earlier version of the service (it claimed keys in a
   * transaction of their own): nothing is known to have committed with it, so the request runs.
   */
  function judge(stored: Stored | undefined, hash: string): AppError | Stored | undefined {
    if (!stored || stored.status === null) return undefined;
    if (stored.bodyHash !== hash) {
      return new AppError(422, 'idempotency-key-reused', 'Unprocessable', 'This Idempotency-Key was used with a different request');
    }
    if (stored.response?.startsWith(SECRET_MARK)) {
      const { id } = JSON.parse(stored.response) as { id?: string };
      return new AppError(409, 'idempotent-secret-withheld', 'Conflict', 'This request already succeeded; its secret was shown once and is not stored', { id });
    }
    return stored;
  }

  /** Sets the reply up to replay a stored response; the stored JSON text is sent as it is. */
  function replay(reply: FastifyReply, stored: Stored): string {
    reply
      .code(stored.status!)
      .header('idempotent-replayed', 'true')
      .type('application/json; charset=utf-8')
      .serializer((p: unknown) => p as string);
    return stored.response!;
  }

  function prepare(request: FastifyRequest, reply: FastifyReply, key: string | string[]): void {
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
    // Already answered (the usual retry): no transaction needed to say so.
    const known = judge(find(tokenId, key), hash);
    if (known instanceof AppError) throw known;
    if (known) {
      reply.send(replay(reply, known));
      return;
    }
    request.idempotencyKey = { tokenId, key };
    request.inWrite = {
      // In the write's transaction: a request with the same key may have committed since.
      before: () => {
        const now = judge(find(tokenId, key), hash);
        if (now instanceof AppError) throw now;
        return now ? replay(reply, now) : undefined;
      },
      after: (result) => {
        if (reply.statusCode >= 300) return;
        const payload = String(reply.serialize(result));
        const response = request.routeOptions.config.secretResponse
          ? `${SECRET_MARK}"id":${JSON.stringify((JSON.parse(payload) as { id?: string }).id ?? null)}}`
          : payload;
        const createdAt = new Date().toISOString();
        db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, new Date(Date.now() - TTL_MS).toISOString())).run();
        db.insert(idempotencyKeys)
          .values({ tokenId, key, method: request.method, path: request.url, bodyHash: hash, status: reply.statusCode, response, createdAt })
          .onConflictDoUpdate({
            target: [idempotencyKeys.tokenId, idempotencyKeys.key],
            set: { method: request.method, path: request.url, bodyHash: hash, status: reply.statusCode, response, createdAt },
          })
          .run();
      },
    };
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
      prepare(request, reply, key);
    } catch (err) {
      done(err as Error);
      return;
    }
    if (!reply.sent) done();
  });
});
