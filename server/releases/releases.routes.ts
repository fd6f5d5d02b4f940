import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { networkWrite, resolvers } from '../auth/authorize.js';
import { z } from 'zod';
import { canSeeDrafts } from '../auth/auth.plugin.js';
import { pageOf, pageQuery } from '../http/pagination.js';
import { problems } from '../http/problem.js';
import { bearer, idParams } from '../http/route-kit.js';
import { releasesRepository } from './releases.repository.js';
import { diffQuery, release, releaseCreate, releaseDiff, releaseParams, releaseSummary } from './releases.schemas.js';

export const releaseRoutes: FastifyPluginAsyncZod = async (app) => {
  const repo = releasesRepository(app.db, app.config.publicBaseUrl);
  const tags = ['releases'];

  app.post('/meetings/:id/releases', {
    preHandler: networkWrite(app.db, resolvers.meeting),
    // A release needs no body; an empty one means "no note".
    preValidation: async (req) => {
      if (req.body === undefined || req.body === null) req.body = {};
    },
    schema: {
      tags,
      summary: 'Release the working agenda as the next numbered version (refused while it has error findings)',
      security: bearer,
      params: idParams,
      body: releaseCreate,
      response: { 201: release, ...problems(400, 401, 404, 409) },
    },
    handler: (req, reply) => {
      reply.code(201);
      return repo.create(req.params.id, req.body.note ?? '', req.token!.name);
    },
  });
  app.get('/meetings/:id/releases', {
    schema: { tags, summary: 'List a meeting’s releases with their changelogs', params: idParams, querystring: z.object(pageQuery), response: { 200: pageOf(releaseSummary), ...problems(400, 404) } },
    handler: async (req) => repo.list(req.params.id, canSeeDrafts(req), req.query.limit, req.query.cursor),
  });
  app.get('/meetings/:id/releases/:n', {
    schema: { tags, summary: 'One release: the frozen agenda and its changelog', params: releaseParams, response: { 200: release, ...problems(400, 404) } },
    handler: async (req) => repo.get(req.params.id, req.params.n, canSeeDrafts(req)),
  });
  app.get('/meetings/:id/releases/:n/diff', {
    schema: {
      tags,
      summary: 'Changes between release `from` and release `n`',
      params: releaseParams,
      querystring: diffQuery,
      response: { 200: releaseDiff, ...problems(400, 404) },
    },
    handler: async (req) => repo.diff(req.params.id, req.params.n, req.query.from, canSeeDrafts(req)),
  });
};
