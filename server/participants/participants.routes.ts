import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireToken } from '../auth/auth.plugin.js';
import { directoryWrite } from '../auth/authorize.js';
import { pageOf } from '../http/pagination.js';
import { expectedVersions } from '../http/preconditions.js';
import { problems } from '../http/problem.js';
import { bearer, idParams, noContent } from '../http/route-kit.js';
import { participantsRepository } from './participants.repository.js';
import {
  participant,
  participantCreate,
  participantExport,
  participantListQuery,
  participantPatch,
  participantWithFeed,
  feedTokenRotate,
  personalFeed,
} from './participants.schemas.js';

export const participantRoutes: FastifyPluginAsyncZod = async (app) => {
  const repo = participantsRepository(app.db, app.config.publicBaseUrl);
  const tags = ['participants'];

  app.get('/participants', {
    preHandler: requireToken,
    schema: {
      tags,
      summary: 'List participants by name (token holders only)',
      security: bearer,
      querystring: participantListQuery,
      response: { 200: pageOf(participant), ...problems(400, 401) },
    },
    handler: async (req) => {
      const { limit, cursor, ...filter } = req.query;
      return repo.list(filter, limit, cursor);
    },
  });
  app.post('/participants', {
    // The response holds a secret shown once: a retry with the same Idempotency-Key is not given it again.
    config: { secretResponse: true },
    preHandler: directoryWrite,
    schema: {
      tags,
      summary: 'Add a participant; the answer carries their personal feed URL, shown only this once',
      security: bearer,
      body: participantCreate,
      response: { 201: participantWithFeed, ...problems(400, 401, 403) },
    },
    handler: async (req, reply) => reply.code(201).send(repo.create(req.body)),
  });
  app.get('/participants/:id', {
    preHandler: requireToken,
    schema: {
      tags,
      summary: 'Everything stored about a participant: profile, registrations, proposals, votes (GDPR access)',
      security: bearer,
      params: idParams,
      response: { 200: participantExport, ...problems(401, 404) },
    },
    handler: async (req) => repo.exportData(req.params.id),
  });
  app.patch('/participants/:id', {
    preHandler: directoryWrite,
    schema: { tags, summary: 'Correct a participant’s data', security: bearer, params: idParams, body: participantPatch, response: { 200: participant, ...problems(400, 401, 403, 404, 412) } },
    handler: async (req) => repo.update(req.params.id, req.body, expectedVersions(req)),
  });
  app.post('/participants/:id/feed-token', {
    // The response holds a secret shown once: a retry with the same Idempotency-Key is not given it again.
    config: { secretResponse: true },
    preHandler: directoryWrite,
    // Nothing to send: an absent body counts as an empty one.
    preValidation: async (req) => {
      if (req.body === undefined || req.body === null) req.body = {};
    },
    schema: {
      tags,
      summary: 'Issue a new personal feed URL (shown once); the old one stops working',
      security: bearer,
      params: idParams,
      body: feedTokenRotate,
      response: { 200: personalFeed, ...problems(401, 403, 404) },
    },
    handler: async (req) => repo.rotateFeed(req.params.id),
  });
  app.delete('/participants/:id', {
    preHandler: directoryWrite,
    schema: {
      tags,
      summary: 'Erase a participant (GDPR): registrations and votes go, waiting lists move up, proposals stay anonymous',
      security: bearer,
      params: idParams,
      response: { ...noContent, ...problems(401, 403, 404, 412) },
    },
    handler: async (req, reply) => {
      repo.erase(req.params.id, expectedVersions(req));
      return reply.code(204).send();
    },
  });
};
