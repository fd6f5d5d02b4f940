// Protection for a service on the public internet: security headers, CORS only for configured origins,
// load shedding (503) when the event loop is saturated, the API's request budgets and the limit on failed
// authentication (429 + Retry-After).
//
// Budgets are keyed by who is asking: a request with a valid token spends its token's budget, any other
// request its client address's (request.ip: the peer, or behind a proxy listed in TRUST_PROXY the address
// that proxy names). They are applied by the routes a request matches, not by the spelling of its URL:
// `apiRateLimitPlugin` is registered in the /api/v1 plugin context and attaches its hook to every route
// registered there, so `/%61pi/v1/…` or an absolute-form target (`GET http://host/api/v1/…`), which Fastify
// routes to the same route, spend the same budget. Spellings Fastify does not route (`//api/v1/…`) get the
// 404 problem and reach nothing.
import cors from '@fastify/cors';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet from 'helmet';
import { AppError } from './errors.js';
import { problemBody, problems, sendProblem } from './problem.js';

export interface Limits {
  /** API requests per minute: each token's budget, and each client address's for requests without one. */
  apiPerMinute: number;
  /** Failed authentications per client address per 15 minutes before further failures get 429. */
  authFailures: number;
  /** Self-service form submissions (POST) per client address and form route per minute (default 20). */
  formPostsPerMinute?: number;
  /** Event-loop delay (ms) above which requests get 503. */
  maxEventLoopDelay: number;
}

const AUTH_WINDOW_MS = 15 * 60_000;

/**
 * The key of a client address in the limits: IPv4 as is, IPv6 by its /64 (one host usually holds a whole
 * /64, so a single address would let it count itself as millions of clients).
 */
export const addressKey = (ip: string): string => normalizeIP(ip);

/** Counts failed authentications per address (see addressKey) in a fixed window. */
export function authFailureLimiter(max: number, now: () => number = Date.now) {
  const seen = new Map<string, { count: number; until: number }>();
  return {
    /** Seconds to wait, or 0 when the IP may try again. */
    blockedFor(ip: string): number {
      const e = seen.get(ip);
      if (!e || e.until <= now()) return 0;
      return e.count >= max ? Math.ceil((e.until - now()) / 1000) : 0;
    },
    fail(ip: string): void {
      const t = now();
      const e = seen.get(ip);
      if (!e || e.until <= t) seen.set(ip, { count: 1, until: t + AUTH_WINDOW_MS });
      else e.count += 1;
      if (seen.size > 100_000) for (const [k, v] of seen) if (v.until <= t) seen.delete(k);
    },
  };
}

/** What a browser app on an allowed origin may send and read (CORS). */
export const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
export const CORS_REQUEST_HEADERS = ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Idempotency-Key'];
export const CORS_EXPOSED_HEADERS = [
  'ETag',
  'Location',
  'Retry-After',
  'Idempotent-Replayed',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
];

export const hardeningPlugin = fp(async (app: FastifyInstance, opts: { limits: Limits; corsOrigins: string[]; hsts: boolean }) => {
  // Security headers from helmet, built once. (@fastify/helmet builds helmet's middleware anew on every request:
  // in the bench's scale run that was a tenth of what API writes allocated.)
  const securityHeaders = helmet({
    // Strict-Transport-Security means something only over HTTPS: sent when the public address is https.
    strictTransportSecurity: opts.hsts,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  });
  app.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, () => done()));
  if (opts.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: opts.corsOrigins,
      methods: CORS_METHODS,
      allowedHeaders: CORS_REQUEST_HEADERS,
      exposedHeaders: CORS_EXPOSED_HEADERS,
      // Preflights are cached by the browser for 10 minutes.
      maxAge: 600,
    });
  }
  await app.register(underPressure, {
    maxEventLoopDelay: opts.limits.maxEventLoopDelay,
    retryAfter: 10,
    pressureHandler: (_request, reply) => {
      reply.header('retry-after', '10');
      sendProblem(reply, problemBody(503, 'overloaded', 'Service unavailable', 'The service is overloaded; retry shortly'));
    },
  });
});

/**
 * The API's request budgets, for every route registered after it in the plugin context it is registered
 * in (the /api/v1 routes; feeds, documentation and the health check are not limited). Its hook runs after
 * the context's own onRequest hooks, so the auth plugin has already decided whose request it is.
 */
export const apiRateLimitPlugin = fp(async (app: FastifyInstance, opts: { perMinute: number }) => {
  await app.register(rateLimit, {
    max: opts.perMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => (request.token ? `token:${request.token.id}` : `address:${addressKey(request.ip)}`),
    errorResponseBuilder: (_request, context) =>
      new AppError(429, 'rate-limited', 'Too many requests', `Limit of ${context.max} requests per minute reached; retry in ${context.after}`),
  });
  // Every limited route may answer 429: say so in its documentation.
  app.addHook('onRoute', (route) => {
    if (route.schema?.response) route.schema.response = { ...(route.schema.response as object), ...problems(429) };
  });
});
