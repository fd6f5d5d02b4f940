import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { apiTokens, networks, tokenNetworks, tokenRoles, type TokenRow } from '../../db/schema.js';
import { badRequest, conflict, notFound } from '../http/errors.js';
import { name } from '../http/fields.js';
import { nowIso } from '../http/ids.js';
import { decodeCursor, encodeCursor, pageOf, pageQuery } from '../http/pagination.js';
import { problems } from '../http/problem.js';
import { bearer, idParams, noContent } from '../http/route-kit.js';
import { adminOnly } from './authorize.js';
import { createToken } from './tokens.js';

const tokenCreate = z
  .strictObject({
    name: name(100),
    role: z.enum(tokenRoles),
    networks: z.array(z.string().max(100)).max(100).default([]).describe('Networks a coordinator or reader may act in'),
    expiresAt: z.iso.datetime({ offset: true }).nullable().default(null),
  })
  .meta({ id: 'TokenCreate' });

const token = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(tokenRoles),
    networks: z.array(z.string()),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    active: z.boolean(),
  })
  .meta({ id: 'Token', description: 'An API token, never with its secret' });

const createdToken = token.extend({ secret: z.string().describe('The raw token: shown once, store it now') }).meta({ id: 'CreatedToken' });

/** The 409 of revoking the last admin token, documented with its code. */
const lastAdminProblem = Object.fromEntries(
  Object.entries(problems(409)).map(([status, r]) => [status, { ...r, description: 'The token is the last active admin token (`last-admin-token`): nothing was changed' }]),
) as ReturnType<typeof problems>;

/** Not revoked and not expired. */
const isLive = (row: TokenRow, now = Date.now()) => !row.revokedAt && (!row.expiresAt || Date.parse(row.expiresAt) > now);

/** How many admin tokens work now. */
const liveAdmins = (db: Db) =>
  db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.role, 'admin'), isNull(apiTokens.revokedAt)))
    .all()
    .filter((r) => isLive(r)).length;

function toToken(db: Db, row: TokenRow) {
  const scope = db.select().from(tokenNetworks).where(eq(tokenNetworks.tokenId, row.id)).all();
  const active = isLive(row);
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    networks: scope.map((s) => s.networkSlug).sort(),
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    active,
  };
}

export const tokenRoutes: FastifyPluginAsyncZod = async (app) => {
  const db = app.db;
  const tags = ['tokens'];
  const getRow = (id: string) => {
    const row = db.select().from(apiTokens).where(eq(apiTokens.id, id)).get();
    if (!row) throw notFound('Token', id);
    return row;
  };

  app.post('/tokens', {
    // The response holds a secret shown once: a retry with the same Idempotency-Key is not given it again.
    config: { secretResponse: true },
    preHandler: adminOnly,
    schema: { tags, summary: 'Create a token (the secret is shown once)', security: bearer, body: tokenCreate, response: { 201: createdToken, ...problems(400, 401, 403) } },
    handler: (req, reply) => {
      const { networks: slugs, ...input } = req.body;
      if (input.role === 'admin' && slugs.length > 0) {
        throw badRequest('invalid-scope', 'Admin tokens act in every network; give no networks', [{ path: 'body.networks', message: 'must be empty for admin' }]);
      }
      if (input.expiresAt && Date.parse(input.expiresAt) <= Date.now()) {
        throw badRequest('invalid-expiry', 'expiresAt is in the past', [{ path: 'body.expiresAt', message: 'must be in the future' }]);
      }
      const created = db.transaction(
        () => {
          for (const slug of slugs) {
            if (!db.select({ slug: networks.slug }).from(networks).where(eq(networks.slug, slug)).get()) {
              throw badRequest('unknown-network', `No network '${slug}'`, [{ path: 'body.networks', message: `unknown network ${slug}` }]);
            }
          }
          const result = createToken(db, { ...input, expiresAt: input.expiresAt ? new Date(input.expiresAt).toISOString() : null });
          for (const slug of new Set(slugs)) db.insert(tokenNetworks).values({ tokenId: result.token.id, networkSlug: slug }).run();
          return result;
        },
        { behavior: 'immediate' },
      );
      reply.code(201);
      return { ...toToken(db, created.token), secret: created.raw };
    },
  });
  app.get('/tokens', {
    preHandler: adminOnly,
    schema: { tags, summary: 'List tokens (never their secrets)', security: bearer, querystring: z.object({ ...pageQuery, active: z.enum(['true', 'false']).optional() }), response: { 200: pageOf(token), ...problems(400, 401, 403) } },
    handler: async (req) => {
      const key = decodeCursor(req.query.cursor, 1);
      const rows = db
        .select()
        .from(apiTokens)
        .where(and(key ? gt(apiTokens.id, String(key[0])) : undefined, req.query.active === 'true' ? isNull(apiTokens.revokedAt) : undefined))
        .orderBy(asc(apiTokens.id))
        .limit(req.query.limit + 1)
        .all();
      const more = rows.length > req.query.limit;
      const kept = rows.slice(0, req.query.limit).map((r) => toToken(db, r));
      const data = req.query.active ? kept.filter((t) => t.active === (req.query.active === 'true')) : kept;
      return { data, nextCursor: more ? encodeCursor([kept.at(-1)!.id]) : null };
    },
  });
  app.get('/tokens/:id', {
    preHandler: adminOnly,
    schema: { tags, summary: 'Read a token (never its secret)', security: bearer, params: idParams, response: { 200: token, ...problems(401, 403, 404) } },
    handler: async (req) => toToken(db, getRow(req.params.id)),
  });
  app.delete('/tokens/:id', {
    preHandler: adminOnly,
    schema: {
      tags,
      summary: 'Revoke a token (it stops working at once; the record stays for the audit trail)',
      description: 'The last active admin token cannot be revoked (409 `last-admin-token`): create another admin token first.',
      security: bearer,
      params: idParams,
      response: {
        ...noContent,
        ...problems(401, 403, 404),
        ...lastAdminProblem,
      },
    },
    handler: (req, reply) => {
      db.transaction(
        () => {
          const row = getRow(req.params.id);
          if (row.revokedAt) return;
          if (row.role === 'admin' && isLive(row) && liveAdmins(db) <= 1) {
            throw conflict('last-admin-token', `Token '${row.id}' is the last active admin token: revoking it would leave nobody able to administer the service. Create another admin token first.`);
          }
          db.update(apiTokens).set({ revokedAt: nowIso() }).where(eq(apiTokens.id, row.id)).run();
        },
        { behavior: 'immediate' },
      );
      reply.code(204);
      return undefined;
    },
  });
};
