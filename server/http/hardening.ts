// Protection for a service on the public internet: security headers, CORS only for configured origins,
// rate limits on the API and on failed authentication (429 + Retry-After), and load shedding (503)
// when the event loop is saturated.
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from './errors.js';
import { problemBody, sendProblem } from './problem.js';

export interface Limits {
  /** API requests per client IP per minute. */
  apiPerMinute: number;
  /** Failed authentications per client IP per 15 minutes before 429. */
  authFailures: number;
  /** Event-loop delay (ms) above which requests get 503. */
  maxEventLoopDelay: number;
}

const AUTH_WINDOW_MS = 15 * 60_000;

/** Counts failed authentications per IP in a fixed window. */
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

export const hardeningPlugin = fp(async (app: FastifyInstance, opts: { limits: Limits; corsOrigins: string[] }) => {
  await app.register(helmet, {
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
  if (opts.corsOrigins.length > 0) {
    await app.register(cors, { origin: opts.corsOrigins, exposedHeaders: ['ETag', 'Location', 'Retry-After'] });
  }
  await app.register(rateLimit, {
    max: opts.limits.apiPerMinute,
    timeWindow: 60_000,
    // Feeds are served from cache at constant cost; the API is what needs the limit.
    allowList: (request) => !request.url.startsWith('/api/'),
    errorResponseBuilder: (_request, context) =>
      new AppError(429, 'rate-limited', 'Too many requests', `Limit of ${context.max} requests per minute reached; retry in ${context.after}`),
  });
  await app.register(underPressure, {
    maxEventLoopDelay: opts.limits.maxEventLoopDelay,
    retryAfter: 10,
    pressureHandler: (_request, reply) => {
      reply.header('retry-after', '10');
      sendProblem(reply, problemBody(503, 'overloaded', 'Service unavailable', 'The service is overloaded; retry shortly'));
    },
  });
});
