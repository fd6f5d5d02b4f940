import { and, desc, eq, gte, lt, lte } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditLog } from '../../db/schema.js';
import { adminOnly } from '../auth/authorize.js';
import { decodeCursor, page, pageOf, pageQuery } from '../http/pagination.js';
import { problems } from '../http/problem.js';
import { bearer } from '../http/route-kit.js';
import { changedFields } from './audit-changes.js';

const entry = z
  .object({
    id: z.number().int(),
    at: z.string(),
    actor: z.string().describe('Name of the token that wrote, or "system"'),
    tokenId: z.string().nullable(),
    action: z.enum(['create', 'update', 'delete']),
    entity: z.string(),
    entityId: z.string(),
    networkSlug: z.string().nullable(),
    changes: z
      .record(z.string(), z.object({ before: z.unknown(), after: z.unknown() }))
      .describe('Changed fields; a deletion lists every field of the row as it was (`after` null), rows deleted with it (cascades) have entries of their own'),
  })
  .meta({ id: 'AuditEntry' });

const query = z.object({
  network: z.string().max(100).optional(),
  entity: z.string().max(40).optional().describe('network, venue, meeting, track, theme, speaker, item, item-theme, item-speaker, release, registration, participant, member, cluster, proposal, vote, token, token-network'),
  entityId: z.string().max(200).optional(),
  token: z.string().max(64).optional().describe('A token id'),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  ...pageQuery,
});

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/audit', {
    preHandler: adminOnly,
    schema: {
      tags: ['audit'],
      summary: 'The audit trail, newest first: who changed what, when, with the fields before and after',
      security: bearer,
      querystring: query,
      response: { 200: pageOf(entry), ...problems(400, 401, 403) },
    },
    handler: async (req) => {
      const q = req.query;
      const key = decodeCursor(q.cursor, 1);
      const rows = app.db
        .select()
        .from(auditLog)
        .where(
          and(
            q.network ? eq(auditLog.networkSlug, q.network) : undefined,
            q.entity ? eq(auditLog.entity, q.entity) : undefined,
            q.entityId ? eq(auditLog.entityId, q.entityId) : undefined,
            q.token ? eq(auditLog.tokenId, q.token) : undefined,
            q.from ? gte(auditLog.at, new Date(q.from).toISOString()) : undefined,
            q.to ? lte(auditLog.at, new Date(q.to).toISOString()) : undefined,
            key ? lt(auditLog.id, Number(key[0])) : undefined,
          ),
        )
        .orderBy(desc(auditLog.id))
        .limit(q.limit + 1)
        .all();
      return page(rows, q.limit, (r) => [r.id], ({ before, after, ...r }) => ({ ...r, changes: changedFields(before, after) }));
    },
  });
};
