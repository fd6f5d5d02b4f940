import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { networkWrite, resolvers } from '../auth/authorize.js';
import { z } from 'zod';
import { releasedAgenda, resolveVersion } from '../agenda/agenda-view.js';
import { canSeeDrafts } from '../auth/auth.plugin.js';
import { notFound } from '../http/errors.js';
import { decodeCursor, page, pageOf } from '../http/pagination.js';
import { expectedVersions } from '../http/preconditions.js';
import { problems } from '../http/problem.js';
import { bearer, idParams, noContent } from '../http/route-kit.js';
import { meetingsRepository } from '../meetings/meetings.repository.js';
import { itemsRepository } from './items.repository.js';
import { agendaVersion, item, itemCreate, itemListQuery, itemPatch, type Item } from './items.schemas.js';

type Filter = { track?: string | undefined; theme?: string | undefined; kind?: string | undefined };

/** The released items of a meeting, filtered and paged in memory (a day has dozens of items, not thousands). */
function releasedPage(items: Item[], filter: Filter, limit: number, cursor?: string) {
  const key = decodeCursor(cursor, 2);
  const rows = items
    .filter((i) => (filter.track === 'plenary' ? i.trackId === null : !filter.track || i.trackId === filter.track))
    .filter((i) => !filter.theme || i.themes.some((t) => t.key === filter.theme))
    .filter((i) => !filter.kind || i.kind === filter.kind)
    .sort((a, b) => (a.startTime === b.startTime ? (a.id < b.id ? -1 : 1) : a.startTime < b.startTime ? -1 : 1))
    .filter((i) => !key || i.startTime > String(key[0]) || (i.startTime === key[0] && i.id > String(key[1])));
  return page(rows.slice(0, limit + 1), limit, (r) => [r.startTime, r.id], (r) => r);
}

export const itemRoutes: FastifyPluginAsyncZod = async (app) => {
  const repo = itemsRepository(app.db, app.config.publicBaseUrl);
  const baseUrl = app.config.publicBaseUrl;
  const meetings = meetingsRepository(app.db, baseUrl);
  const tags = ['agenda items'];

  app.get('/meetings/:id/items', {
    schema: {
      tags,
      summary: 'List a meeting’s agenda items in time order',
      params: idParams,
      querystring: itemListQuery,
      response: { 200: pageOf(item), ...problems(400, 401, 403, 404) },
    },
    handler: async (req) => {
      const { limit, cursor, version, ...filter } = req.query;
      const meeting = meetings.getRow(req.params.id, canSeeDrafts(req));
      if (resolveVersion(req, version, meeting.networkSlug) === 'released') {
        const released = releasedAgenda(app.db, baseUrl, meeting.id);
        if (!released) throw notFound('Meeting', req.params.id);
        return releasedPage(released.items, filter, limit, cursor);
      }
      return repo.list(meeting.id, filter, true, limit, cursor);
    },
  });
  app.post('/meetings/:id/items', {
    preHandler: networkWrite(app.db, resolvers.meeting),
    schema: {
      tags,
      summary: 'Add an agenda item (inside the meeting’s hours; track of the same meeting or none for plenary)',
      security: bearer,
      params: idParams,
      body: itemCreate,
      response: { 201: item, ...problems(400, 401, 404, 409) },
    },
    handler: (req, reply) => {
      reply.code(201);
      return repo.create(req.params.id, req.body);
    },
  });
  app.get('/items/:id', {
    schema: {
      tags,
      summary: 'Read an agenda item',
      params: idParams,
      querystring: z.object({ version: agendaVersion }),
      response: { 200: item, ...problems(401, 403, 404) },
    },
    handler: async (req) => {
      const meetingId = repo.meetingIdOf(req.params.id);
      const meeting = meetingId ? meetings.getRow(meetingId, true) : null;
      const version = resolveVersion(req, req.query.version, meeting?.networkSlug ?? '');
      if (version === 'working') return repo.get(req.params.id, canSeeDrafts(req), true);
      const released = meetingId ? releasedAgenda(app.db, baseUrl, meetingId) : null;
      const found = released?.items.find((i) => i.id === req.params.id);
      if (!found) throw notFound('Agenda item', req.params.id);
      return found;
    },
  });
  app.patch('/items/:id', {
    preHandler: networkWrite(app.db, resolvers.item),
    schema: { tags, summary: 'Update an agenda item', security: bearer, params: idParams, body: itemPatch, response: { 200: item, ...problems(400, 401, 404, 409, 412) } },
    handler: (req) => repo.update(req.params.id, req.body, expectedVersions(req)),
  });
  app.delete('/items/:id', {
    preHandler: networkWrite(app.db, resolvers.item),
    schema: { tags, summary: 'Delete an agenda item', security: bearer, params: idParams, response: { ...noContent, ...problems(401, 404, 412) } },
    handler: (req, reply) => {
      repo.remove(req.params.id, expectedVersions(req));
      reply.code(204);
      return undefined;
    },
  });
};
