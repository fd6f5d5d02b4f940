// Participants belong to a network: its tokens create, read, correct and erase them; to any other network's
// token a participant does not exist (404, as for a missing id). Admins act in every network, and their
// export and erasure cover the person everywhere.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireToken } from '../auth/auth.plugin.js';
import { actsIn, networkRead, networkWrite, resolvers } from '../auth/authorize.js';
import { forbidden } from '../http/errors.js';
import { pageOf } from '../http/pagination.js';
import { expectedVersions } from '../http/preconditions.js';
import { problems } from '../http/problem.js';
import { bearer, idParams, noContent } from '../http/route-kit.js';
import { networksRepository } from '../networks/networks.repository.js';
import { slugParams } from '../networks/networks.schemas.js';
import { participantsRepository } from './participants.repository.js';
import {
  participant,
  participantCreate,
  participantExport,
  participantListQuery,
  participantNetworkListQuery,
  participantPatch,
  participantWithFeed,
  feedTokenRotate,
  personalFeed,
} from './participants.schemas.js';

export const participantRoutes: FastifyPluginAsyncZod = async (app) => {
  const repo = participantsRepository(app.db, app.config.publicBaseUrl, app.linkKey);
  const networks = networksRepository(app.db, app.config.publicBaseUrl);
  const tags = ['participants'];
  const isAdmin = (req: { token: { role: string } | null }) => req.token?.role === 'admin';

  app.get('/participants', {
    preHandler: requireToken,
    schema: {
      tags,
      summary: 'List participants by name: of the networks the token acts in (admins: all)',
      security: bearer,
      querystring: participantListQuery,
      response: { 200: pageOf(participant), ...problems(400, 401) },
    },
    handler: async (req) => {
      const { limit, cursor, ...filter } = req.query;
      return repo.list({ ...filter, within: isAdmin(req) ? null : (req.scope ?? new Set()) }, limit, cursor);
    },
  });
  app.get('/networks/:slug/participants', {
    preHandler: async (req) => {
      await requireToken(req);
      const { slug } = networks.getRow((req.params as { slug: string }).slug);
      if (!actsIn(req, slug)) throw forbidden(`Participants of network '${slug}' are visible only to its tokens`);
    },
    schema: {
      tags,
      summary: 'List the network’s participants by name (the network’s tokens)',
      security: bearer,
      params: slugParams,
      querystring: participantNetworkListQuery,
      response: { 200: pageOf(participant), ...problems(400, 401, 403, 404) },
    },
    handler: async (req) => {
      const { limit, cursor, ...filter } = req.query;
      return repo.list({ ...filter, network: req.params.slug, within: null }, limit, cursor);
    },
  });
  app.post('/networks/:slug/participants', {
    // The response holds a secret shown once: a retry with the same Idempotency-Key is not given it again.
    config: { secretResponse: true },
    preHandler: networkWrite(app.db, resolvers.network),
    schema: {
      tags,
      summary: 'Add a participant to the network; the answer carries their personal feed URL, shown only this once',
      security: bearer,
      params: slugParams,
      body: participantCreate,
      response: { 201: participantWithFeed, ...problems(400, 401, 403, 404) },
    },
    handler: (req, reply) => {
      networks.getRow(req.params.slug);
      reply.code(201);
      return repo.create(req.params.slug, req.body);
    },
  });
  app.get('/participants/:id', {
    preHandler: networkRead(app.db, resolvers.participant),
    schema: {
      tags,
      summary: 'Everything stored about a participant: profile, registrations, proposals, votes (GDPR access)',
      description: 'For the network’s tokens, the participant’s record in that network; for admins, the person’s records in every network (same e-mail address).',
      security: bearer,
      params: idParams,
      response: { 200: participantExport, ...problems(401, 403, 404) },
    },
    handler: async (req) => repo.exportData(req.params.id, isAdmin(req)),
  });
  app.patch('/participants/:id', {
    preHandler: networkWrite(app.db, resolvers.participant),
    schema: { tags, summary: 'Correct a participant’s data', security: bearer, params: idParams, body: participantPatch, response: { 200: participant, ...problems(400, 401, 403, 404, 412) } },
    handler: (req) => repo.update(req.params.id, req.body, expectedVersions(req)),
  });
  app.post('/participants/:id/feed-token', {
    // The response holds a secret shown once: a retry with the same Idempotency-Key is not given it again.
    config: { secretResponse: true },
    preHandler: networkWrite(app.db, resolvers.participant),
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
    handler: (req) => repo.rotateFeed(req.params.id),
  });
  app.delete('/participants/:id', {
    preHandler: networkWrite(app.db, resolvers.participant),
    schema: {
      tags,
      summary: 'Erase a participant (GDPR): registrations and votes go, waiting lists move up, proposals stay anonymous',
      description: 'A network’s token erases the participant’s record in that network; an admin erases the person everywhere (every record with the same e-mail address).',
      security: bearer,
      params: idParams,
      response: { ...noContent, ...problems(401, 403, 404, 412) },
    },
    handler: (req, reply) => {
      repo.erase(req.params.id, expectedVersions(req), isAdmin(req));
      reply.code(204);
      return undefined;
    },
  });
};
