import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { networkWrite, resolvers } from '../auth/authorize.js';
import { canSeeDrafts } from '../auth/auth.plugin.js';
import { pageOf } from '../http/pagination.js';
import { expectedVersions } from '../http/preconditions.js';
import { confirmationProblem, problems } from '../http/problem.js';
import { bearer, confirmQuery, idParams, noContent } from '../http/route-kit.js';
import { slugParams } from '../networks/networks.schemas.js';
import { settleWaitlist } from '../registrations/registrations.repository.js';
import { meetingsRepository } from './meetings.repository.js';
import { meeting, meetingCreate, meetingListQuery, meetingPatch } from './meetings.schemas.js';

export const meetingRoutes: FastifyPluginAsyncZod = async (app) => {
  const repo = meetingsRepository(app.db, app.config.publicBaseUrl);
  const tags = ['meetings'];

  app.get('/networks/:slug/meetings', {
    schema: {
      tags,
      summary: 'List a network’s meetings by date (drafts only with a token)',
      params: slugParams,
      querystring: meetingListQuery,
      response: { 200: pageOf(meeting), ...problems(400, 404) },
    },
    handler: async (req) => {
      const { limit, cursor, ...filter } = req.query;
      return repo.list(req.params.slug, { ...filter, includeDrafts: canSeeDrafts(req) }, limit, cursor);
    },
  });
  app.post('/networks/:slug/meetings', {
    preHandler: networkWrite(app.db, resolvers.network),
    schema: { tags, summary: 'Create a meeting', security: bearer, params: slugParams, body: meetingCreate, response: { 201: meeting, ...problems(400, 401, 404) } },
    handler: (req, reply) => {
      reply.code(201);
      return repo.create(req.params.slug, req.body);
    },
  });
  app.get('/meetings/:id', {
    schema: { tags, summary: 'Read a meeting', params: idParams, response: { 200: meeting, ...problems(404) } },
    handler: async (req) => repo.get(req.params.id, canSeeDrafts(req)),
  });
  app.patch('/meetings/:id', {
    preHandler: networkWrite(app.db, resolvers.meeting),
    schema: { tags, summary: 'Update a meeting', security: bearer, params: idParams, body: meetingPatch, response: { 200: meeting, ...problems(400, 401, 404, 409, 412) } },
    handler: (req) => {
      const updated = repo.update(req.params.id, req.body, expectedVersions(req));
      // More places (or a meeting announced again) move people up from the waiting list.
      if (req.body.capacity !== undefined || req.body.status !== undefined) settleWaitlist(app.db, updated.id);
      return updated;
    },
  });
  app.delete('/meetings/:id', {
    preHandler: networkWrite(app.db, resolvers.meeting),
    schema: {
      tags,
      summary: 'Delete a meeting with its tracks, items, registrations and releases',
      description:
        'A meeting with registrations or releases is deleted only with `?confirm=true`; without it the answer is 409 ' +
        '`confirmation-required` counting what would go (`wouldLose`), and nothing changes. Every deleted row stays in the audit trail. ' +
        'Deleting an announced meeting notifies as cancelling it does: a `meeting.cancelled` webhook event (with `deleted: true`) and a cancellation e-mail to each registered participant.',
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
