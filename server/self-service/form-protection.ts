// What protects the public forms, for the routes registered after it in the self-service plugin context:
// urlencoded bodies (@fastify/formbody), CSRF tokens (@fastify/csrf-protection: double submit, the secret in
// a signed, HttpOnly, SameSite=Strict cookie, the token in a hidden form field `_csrf`) and a budget of form
// submissions per client address and form route (@fastify/rate-limit, keyed like the API's: IPv6 by its /64;
// its local store counts each route apart).
// The cookie signing key is derived from the service's link key, so no new setting is needed.
import { createHmac } from 'node:crypto';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { addressKey } from '../http/hardening.js';

export const CSRF_FIELD = '_csrf';
export const CSRF_COOKIE = 'netagenda_csrf';

export interface FormProtectionOptions {
  linkKey: Buffer;
  /** Cookies only over HTTPS when the service's public address is https. */
  secure: boolean;
  postsPerMinute: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Route config for a form POST: the per-address budget. */
    formPostLimit: { max: number; timeWindow: number };
  }
}

export const formProtection = fp(async (app: FastifyInstance, opts: FormProtectionOptions) => {
  // Small forms: a proposal's description is the longest field (2,000 characters).
  await app.register(formbody, { bodyLimit: 16 * 1024 });
  await app.register(cookie, { secret: createHmac('sha256', opts.linkKey).update('self-service-csrf-cookie').digest('base64url') });
  await app.register(csrf, {
    cookieKey: CSRF_COOKIE,
    cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true, secure: opts.secure, signed: true },
    getToken: (request: FastifyRequest) => {
      const body = request.body as Record<string, unknown> | undefined;
      const token = body?.[CSRF_FIELD];
      return typeof token === 'string' ? token : undefined;
    },
  });
  await app.register(rateLimit, {
    global: false,
    keyGenerator: (request) => `form:${addressKey(request.ip)}`,
  });
  app.decorate('formPostLimit', { max: opts.postsPerMinute, timeWindow: 60_000 });
});
