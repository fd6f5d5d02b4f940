import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { resolveVersion } from '../agenda/agenda-view.js';
import { canSeeDrafts } from '../auth/auth.plugin.js';
import { networkWrite, resolvers } from '../auth/authorize.js';
import { pageOf } from '../http/pagination.js';
import { problems } from '../http/problem.js';
import { bearer, idParams, noContent } from '../http/route-kit.js';
import { slugParams } from '../networks/networks.schemas.js';
import { proposalResolver, proposalsRepository } from './proposals.repository.js';
import {
  coverageQuery,
  proposal,
  proposalAccept,
  proposalCreate,
  proposalDecline,
  proposalListQuery,
  themeCoverage as themeCoverageSchema,
  vote,
  voteCreate,
  voteParams,
} from './proposals.schemas.js';
import { themeCoverage } from './theme-coverage.js';

export const proposalRoutes: FastifyPluginAsyncZod = async (app) => {
  const baseUrl = app.config.publicBaseUrl;
  const repo = proposalsRepository(app.db, baseUrl);
  const tags = ['proposals'];
  const writeProposal = networkWrite(app.db, proposalResolver);

  app.get('/networks/:slug/proposals', {
    schema: {
      tags,
      summary: 'A network’s theme proposals, most votes first (never who proposed or voted, unless the token may see the network’s private data)',
      params: slugParams,
      querystring: proposalListQuery,
      response: { 200: pageOf(proposal), ...problems(400, 404) },
    },
    handler: async (req) => {
      const { limit, cursor, ...filter } = req.query;
      return repo.list(req.params.slug, filter, canSeeDrafts(req), limit, cursor);
    },
  });
  app.post('/networks/:slug/proposals', {
    preHandler: networkWrite(app.db, resolvers.network),
    schema: {
      tags,
      summary: 'Propose a theme or question on behalf of a participant',
      security: bearer,
      params: slugParams,
      body: proposalCreate,
      response: { 201: proposal, ...problems(400, 401, 403, 404) },
    },
    handler: (req, reply) => {
      reply.code(201);
      return repo.create(req.params.slug, req.body, canSeeDrafts(req));
    },
  });
  app.get('/proposals/:id', {
    schema: { tags, summary: 'Read a proposal', params: idParams, response: { 200: proposal, ...problems(404) } },
    handler: async (req) => repo.get(req.params.id, canSeeDrafts(req)),
  });
  app.post('/proposals/:id/votes', {
    preHandler: writeProposal,
    schema: {
      tags,
      summary: 'Vote for a proposal on behalf of a participant (once per participant)',
      security: bearer,
      params: idParams,
      body: voteCreate,
      response: { 201: vote, ...problems(400, 401, 403, 404, 409) },
    },
    handler: (req, reply) => {
      reply.code(201);
      return repo.vote(req.params.id, req.body.participantId);
    },
  });
  app.delete('/proposals/:id/votes/:participantId', {
    preHandler: writeProposal,
    schema: { tags, summary: 'Withdraw a participant’s vote', security: bearer, params: voteParams, response: { ...noContent, ...problems(401, 403, 404) } },
    handler: (req, reply) => {
      repo.withdrawVote(req.params.id, req.params.participantId);
      reply.code(204);
      return undefined;
    },
  });
  app.post('/proposals/:id/accept', {
    preHandler: writeProposal,
    schema: {
      tags,
      summary: 'Take a proposal up: link it to a theme and/or an agenda item of the network',
      security: bearer,
      params: idParams,
      body: proposalAccept,
      response: { 200: proposal, ...problems(400, 401, 403, 404) },
    },
    handler: (req) => repo.accept(req.params.id, req.body, canSeeDrafts(req)),
  });
  app.post('/proposals/:id/decline', {
    preHandler: writeProposal,
    // The note is optional: an absent body counts as an empty one.
    preValidation: async (req) => {
      if (req.body === undefined || req.body === null) req.body = {};
    },
    schema: {
      tags,
      summary: 'Decline a proposal',
      security: bearer,
      params: idParams,
      body: proposalDecline,
      response: { 200: proposal, ...problems(400, 401, 403, 404) },
    },
    handler: (req) => repo.decline(req.params.id, req.body.note, canSeeDrafts(req)),
  });

  app.get('/networks/:slug/theme-coverage', {
    schema: {
      tags,
      summary: 'Season report: the themes each meeting covers, the meetings that covered each theme, the proposals taken up',
      description:
        'Without a token (or with `version=released`): the latest releases of announced meetings. With a token that may see the network’s drafts: the working agendas, drafts included.',
      params: slugParams,
      querystring: coverageQuery,
      response: { 200: themeCoverageSchema, ...problems(400, 401, 403, 404) },
    },
    handler: async (req) => {
      const version = resolveVersion(req, req.query.version, req.params.slug);
      return themeCoverage(app.db, baseUrl, req.params.slug, version, req.query);
    },
  });
};
