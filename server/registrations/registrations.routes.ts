import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { allows, canSeeDrafts } from '../auth/auth.plugin.js';
import { networkRead, networkWrite, resolvers } from '../auth/authorize.js';
import { forbidden, unauthorized } from '../http/errors.js';
import { pageOf } from '../http/pagination.js';
import { expectedVersions } from '../http/preconditions.js';
import { problems } from '../http/problem.js';
import { bearer, idParams, noContent } from '../http/route-kit.js';
import { meetingsRepository } from '../meetings/meetings.repository.js';
import { registrationResolver, registrationsRepository } from './registrations.repository.js';
import {
  registration,
  registrationCreate,
  registrationListQuery,
  registrationPatch,
  registrationSummary,
  registrationWithParticipant,
} from './registrations.schemas.js';

export const registrationRoutes: FastifyPluginAsyncZod = async (app) => {
  const repo = registrationsRepository(app.db, app.config.publicBaseUrl);
  const meetings = meetingsRepository(app.db, app.config.publicBaseUrl);
  const tags = ['registrations'];

  app.post('/meetings/:id/registrations', {
    preHandler: networkWrite(app.db, resolvers.meeting),
    schema: {
      tags,
      summary: 'Register a participant for a meeting (waitlisted when the meeting or the track is full)',
      description:
        'The meeting must be announced (409 `meeting-not-announced`) and registration open: until the end of the ' +
        'minute of `registrationDeadline` in the meeting’s zone, or until the meeting starts (409 `registration-closed`). ' +
        'A participant registers once per meeting (409 `already-registered`). When the meeting has tracks, `trackId` is required.',
      security: bearer,
      params: idParams,
      body: registrationCreate,
      response: { 201: registration, ...problems(400, 401, 403, 404, 409) },
    },
    handler: (req, reply) => {
      reply.code(201);
      return repo.register(req.params.id, req.body);
    },
  });

  app.get('/meetings/:id/registrations', {
    schema: {
      tags,
      summary: 'A meeting’s registrations with participants’ names, in queue order (private)',
      description: 'For tokens that may see the network’s unpublished data. Filter by status (e.g. `waitlisted` gives the waiting list in order) or track.',
      security: bearer,
      params: idParams,
      querystring: registrationListQuery,
      response: { 200: pageOf(registrationWithParticipant), ...problems(400, 401, 403, 404) },
    },
    handler: async (req) => {
      const access = canSeeDrafts(req);
      const meeting = meetings.getRow(req.params.id, access);
      if (!allows(access, meeting.networkSlug)) {
        if (!req.token) throw unauthorized('Registrations with names are visible with an API token only');
        throw forbidden(`This token may not read the registrations of network '${meeting.networkSlug}'`);
      }
      const { limit, cursor, ...filter } = req.query;
      return repo.list(meeting.id, filter, limit, cursor);
    },
  });

  app.get('/meetings/:id/registrations/summary', {
    schema: {
      tags,
      summary: 'How many places are taken and how many are waiting, per meeting and track (public; no names)',
      params: idParams,
      response: { 200: registrationSummary, ...problems(404) },
    },
    handler: async (req) => repo.summary(req.params.id, canSeeDrafts(req)),
  });

  app.get('/registrations/:id', {
    preHandler: networkRead(app.db, registrationResolver),
    schema: { tags, summary: 'Read a registration (private)', security: bearer, params: idParams, response: { 200: registration, ...problems(401, 403, 404) } },
    handler: async (req) => repo.get(req.params.id),
  });

  app.patch('/registrations/:id', {
    preHandler: networkWrite(app.db, registrationResolver),
    schema: {
      tags,
      summary: 'Move a registration to another track (waitlisted there when it is full)',
      description: 'Places freed in the old track go to its waiting list, in queue order.',
      security: bearer,
      params: idParams,
      body: registrationPatch,
      response: { 200: registration, ...problems(400, 401, 403, 404, 409, 412) },
    },
    handler: (req) => repo.changeTrack(req.params.id, req.body.trackId, expectedVersions(req)),
  });

  app.delete('/registrations/:id', {
    preHandler: networkWrite(app.db, registrationResolver),
    schema: {
      tags,
      summary: 'Cancel a registration; the waiting list moves up in order',
      security: bearer,
      params: idParams,
      response: { ...noContent, ...problems(401, 403, 404, 412) },
    },
    handler: (req, reply) => {
      repo.cancel(req.params.id, expectedVersions(req));
      reply.code(204);
      return undefined;
    },
  });
};
