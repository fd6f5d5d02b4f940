// Small pieces every route plugin uses.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { id } from './fields.js';
import { problems } from './problem.js';

export const bearer = [{ bearerAuth: [] }];

export const idParams = z.object({ id });
export const noContent = { 204: z.undefined().describe('Done') };

/** `?confirm=true` goes ahead with a deletion that takes registrations or releases with it (else 409). */
export const confirmQuery = z.object({
  confirm: z
    .enum(['true', 'false'])
    .optional()
    .describe('`true`: delete although registrations or releases go with it. Without it such a delete answers 409 `confirmation-required`, changing nothing'),
});

/**
 * The contract of every route registered after it in its plugin context (the /api/v1 routes):
 * - unknown query parameters are refused with 400 `validation-failed`, each named `querystring.<key>` with
 *   the message `unknown field`, as unknown body fields are: a route's query schema is made strict, and a
 *   route without one gets the empty strict schema (any parameter is refused);
 * - the responses a route can give whatever its own code does are documented on it (so a client, and the
 *   fuzz's documented-status check, know them): 400 (the query, a malformed URL), 401 (an invalid token,
 *   public routes too), 503 (load shedding); 414 (a path segment over the router's limit) with path
 *   parameters; 403 (the token's role or network), 413 and 415 (the body) on every method but GET and HEAD;
 *   409 and 422 (Idempotency-Key) on POST; 304 (If-None-Match) on GET; 428 (If-Match required) where 412
 *   is documented. 429 is added by the rate limit plugin (hardening.ts).
 * Feeds (/feeds/…) are not under it: calendar apps and CDNs append cache-busting parameters (feeds.routes.ts).
 */
const notModifiedResponse = z.undefined().describe('Not modified: the ETag sent in If-None-Match is still current');

export function routeContract(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!route.schema || route.schema.hide) return;
    const query = route.schema.querystring;
    if (query === undefined) route.schema.querystring = z.strictObject({});
    else if (query instanceof z.ZodObject) route.schema.querystring = query.strict();
    else throw new Error(`${route.method} ${route.url}: a query schema must be a zod object (to be made strict)`);
    if (route.schema.response) {
      const methods = [route.method].flat();
      const global = [
        400, 401, 503,
        ...(route.url.includes(':') ? [414] : []),
        // Any method but GET and HEAD may carry a body (too large, or not JSON), and is a write that a reader
        // token or another network's token may not make (auth/authorize.ts).
        ...(methods.some((m) => m !== 'GET' && m !== 'HEAD') ? [403, 413, 415] : []),
        // Idempotency-Key (http/idempotency.ts): reused with another request, or its first use still running.
        ...(methods.includes('POST') ? [409, 422] : []),
      ];
      const documented = route.schema.response as Record<number, unknown>;
      // A route that checks If-Match (412) answers 428 without it when REQUIRE_IF_MATCH is on.
      if (documented[412] !== undefined) global.push(428);
      // Every API read carries an ETag (http/etag.ts): If-None-Match with it gets 304.
      const notModified = methods.includes('GET') && documented[304] === undefined ? { 304: notModifiedResponse } : {};
      route.schema.response = { ...problems(...global.filter((s) => documented[s] === undefined)), ...notModified, ...documented };
    }
  });
}
