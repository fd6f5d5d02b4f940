import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { networkWrite, resolvers } from '../auth/authorize.js';
import { z } from 'zod';
import { releasedAgenda, resolveVersion } from '../agenda/agenda-view.js';
import { notFound } from '../http/errors.js';
import { decodeCursor, page, pageOf, pageQuery } from '../http/pagination.js';
import { agendaVersion } from '../items/items.schemas.js';
import { expectedVersions } from '../http/preconditions.js';
import { confirmationProblem, problems } from '../http/problem.js';
import { bearer, confirmQuery, idParams, noContent } from '../http/route-kit.js';
import { canSeeDrafts } from '../auth/auth.plugin.js';
import { meetingsRepository } from '../meetings/meetings.repository.js';
import { settleWaitlist } from '../registrations/registrations.repository.js';
import { tracksRepository } from './tracks.repository.js';
import { track, trackCreate, trackPatch } from './tracks.schemas.js';

export const trackRoutes: FastifyPluginAsyncZod = async (app) => {
  const baseUrl = app.config.publicBaseUrl;
  const repo = tracksRepository(app.db, baseUrl);
  const meetings = meetingsRepository(app.db, baseUrl);
  const tags = ['tracks'];

  app.get('/meetings/:id/tracks', {
    schema: {
      tags,
      summary: 'List a meeting’s parallel tracks',
      params: idParams,
      querystring: z.object({ version: agendaVersion, ...pageQuery }),
      response: { 200: pageOf(track), ...problems(400, 401, 403, 404) },
    },
    handler: async (req) => {
      const meeting = meetings.getRow(req.params.id, canSeeDrafts(req));
      if (resolveVersion(req, req.query.version, meeting.networkSlug) === 'working') {
        return repo.list(meeting.id, true, req.query.limit, req.query.cursor);
      }
      const released = releasedAgenda(app.db, baseUrl, meeting.id);
      if (!released) throw notFound('Meeting', req.params.id);
      const key = decodeCursor(req.query.cursor, 2);
      const rows = released.tracks.filter(
        (t) => !key || t.sortOrder > Number(key[0]) || (t.sortOrder === Number(key[0]) && t.id > String(key[1])),
      );
      return page(rows.slice(0, req.query.limit + 1), req.query.limit, (r) => [r.sortOrder, r.id], (r) => r);
    },
  });
  app.post('/meetings/:id/tracks', {
    preHandler: networkWrite(app.db, resolvers.meeting),
    schema: { tags, summary: 'Add a parallel track to a meeting', security: bearer, params: idParams, body: trackCreate, response: { 201: track, ...problems(400, 401, 404) } },
    handler: (req, reply) => {
      reply.code(201);
      return repo.create(req.params.id, req.body);
    },
  });
  app.get('/tracks/:id', {
    schema: { tags, summary: 'Read a track', params: idParams, querystring: z.object({ version: agendaVersion }), response: { 200: track, ...problems(401, 403, 404) } },
    handler: async (req) => {
      const meetingId = repo.meetingIdOf(req.params.id);
      const meeting = meetingId ? meetings.getRow(meetingId, true) : null;
      if (resolveVersion(req, req.query.version, meeting?.networkSlug ?? '') === 'working') return repo.get(req.params.id, canSeeDrafts(req));
      const found = meetingId ? releasedAgenda(app.db, baseUrl, meetingId)?.tracks.find((t) => t.id === req.params.id) : undefined;
      if (!found) throw notFound('Track', req.params.id);
      return found;
    },
  });
  app.patch('/tracks/:id', {
    preHandler: networkWrite(app.db, resolvers.track),
    schema: { tags, summary: 'Update a track', security: bearer, params: idParams, body: trackPatch, response: { 200: track, ...problems(400, 401, 404, 412) } },
    handler: (req) => {
      const updated = repo.update(req.params.id, req.body, expectedVersions(req));
      if (req.body.capacity !== undefined) settleWaitlist(app.db, updated.meetingId);
      return updated;
    },
  });
  app.delete('/tracks/:id', {
    preHandler: networkWrite(app.db, resolvers.track),
    schema: {
      tags,
      summary: 'Delete a track and its items',
      description:
        'Registrations that chose the track stay registered for the meeting without a track. A track chosen by registrations is ' +
        'deleted only with `?confirm=true`; without it the answer is 409 `confirmation-required` counting what would go (`wouldLose`), and nothing changes.',
      security: bearer,
      params: idParams,
      querystring: confirmQuery,
      response: { ...noContent, ...problems(400, 401, 404, 412), ...confirmationProblem },
    },
    handler: (req, reply) => {
      repo.remove(req.params.id, expectedVersions(req), req.query.confirm === 'true');
      reply.code(204);
      return undefined;
    },
  });
};
