// Reads `Authorization: Bearer …` on every request. A request with no header is anonymous; one with a
// header that is not a live token is refused outright, so a typo never silently downgrades to public.
// Failed attempts are counted per client address: past AUTH_FAILURE_LIMIT in 15 minutes that address's
// failed attempts get 429 instead of 401 (a valid token is still let in: tokens carry 256 random bits, so
// the limit is about noise and load, not about guessing).
// Each write then runs as the token's holder for the audit triggers (http/group-commit.plugin.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest, RequestPayload } from 'fastify';
import fp from 'fastify-plugin';
import type { TokenRow } from '../../db/schema.js';
import { AppError, unauthorized } from '../http/errors.js';
import { addressKey, authFailureLimiter } from '../http/hardening.js';
import { findActiveToken, tokenScope } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    token: TokenRow | null;
    /** The networks the token may act in; null = all (admin) or no token. */
    scope: ReadonlySet<string> | null;
  }
}

export const authPlugin = fp(async (app: FastifyInstance, opts: { authFailures: number }) => {
  const failures = authFailureLimiter(opts.authFailures);
  app.decorateRequest('token', null);
  app.decorateRequest('scope', null);
  // Synchronous (callback) hooks: they run on every API request, and a promise each is measurable.
  app.addHook('onRequest', (request, reply, done) => {
    const header = request.headers.authorization;
    if (header === undefined) {
      done();
      return;
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const token = match ? findActiveToken(app.db, match[1]!) : undefined;
    if (token) {
      // A valid token always gets in, whatever else its address sent: the failure limit is for guessers.
      request.token = token;
      if (token.role !== 'admin') request.scope = tokenScope(app.db, token.id);
      done();
      return;
    }
    const address = addressKey(request.ip);
    const wait = failures.blockedFor(address);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      done(new AppError(429, 'too-many-auth-failures', 'Too many requests', `Too many failed authentications; retry in ${wait} s`));
      return;
    }
    failures.fail(address);
    done(unauthorized('The bearer token is missing, malformed, unknown, revoked or expired'));
  });
  // Authentication comes before the body: a route that needs a token answers a request without one 401
  // before its body is parsed or anything of it validated (no field list, no hint whether an id exists).
  // preParsing runs after every onRequest hook, so the request still spends its budget (rate limit) first.
  app.addHook('onRoute', (route) => {
    const security = (route.schema as { security?: unknown[] } | undefined)?.security;
    if (!Array.isArray(security) || security.length === 0) return;
    const existing = route.preParsing === undefined ? [] : Array.isArray(route.preParsing) ? route.preParsing : [route.preParsing];
    route.preParsing = [tokenFirst, ...existing];
  });
});

/** preParsing of every route that needs a token (synchronous: no promise per request). */
function tokenFirst(request: FastifyRequest, _reply: FastifyReply, payload: RequestPayload, done: (err: Error | null, payload?: RequestPayload) => void): void {
  if (request.token) done(null, payload);
  else done(unauthorized('This request needs an API token: Authorization: Bearer <token>'));
}

/** Whether unpublished data (drafts, working agendas) of a network is visible: true, false, or per network. */
export type DraftAccess = boolean | ((networkSlug: string) => boolean);

export const allows = (access: DraftAccess, slug: string): boolean => (typeof access === 'function' ? access(slug) : access);

/** Admins see every network's drafts; coordinators and readers those of their networks; anonymous none. */
export function canSeeDrafts(request: FastifyRequest): DraftAccess {
  const { token, scope } = request;
  if (!token) return false;
  if (token.role === 'admin' || scope === null) return true;
  return (slug: string) => scope.has(slug);
}

/** preHandler: a token is needed. */
export async function requireToken(request: FastifyRequest): Promise<void> {
  if (!request.token) throw unauthorized('This request needs an API token: Authorization: Bearer <token>');
}
