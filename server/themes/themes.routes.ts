import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { networkWrite, resolvers } from '../auth/authorize.js';
import { z } from 'zod';
import { pageOf, pageQuery } from '../http/pagination.js';
import { expectedVersions } from '../http/preconditions.js';
import { problems } from '../http/problem.js';
import { bearer, noContent } from '../http/route-kit.js';
import { slugParams } from '../networks/networks.schemas.js';
import { themesRepository } from './themes.repository.js';
import { theme, themeCreate, themeParams, themePatch } from './themes.schemas.js';

export const themeRoutes: FastifyPluginAsyncZod = async (app) => {
  const repo = themesRepository(app.db, app.config.publicBaseUrl);
  const tags = ['themes'];

  app.get('/networks/:slug/themes', {
    schema: { tags, summary: 'List a network’s themes', params: slugParams, querystring: z.object(pageQuery), response: { 200: pageOf(theme), ...problems(400, 404) } },
    handler: async (req) => repo.list(req.params.slug, req.query.limit, req.query.cursor),
  });
  app.post('/networks/:slug/themes', {
    preHandler: networkWrite(app.db, resolvers.network),
    schema: { tags, summary: 'Add a theme to a network', security: bearer, params: slugParams, body: themeCreate, response: { 201: theme, ...problems(400, 401, 404, 409) } },
    handler: (req, reply) => {
      reply.code(201);
      return repo.create(req.params.slug, req.body);
    },
  });
  app.get('/networks/:slug/themes/:key', {
    schema: { tags, summary: 'Read a theme', params: themeParams, response: { 200: theme, ...problems(404) } },
    handler: async (req) => repo.get(req.params.slug, req.params.key),
  });
  app.patch('/networks/:slug/themes/:key', {
    preHandler: networkWrite(app.db, resolvers.network),
    schema: { tags, summary: 'Update a theme (its key never changes)', security: bearer, params: themeParams, body: themePatch, response: { 200: theme, ...problems(400, 401, 404, 412) } },
    handler: (req) => repo.update(req.params.slug, req.params.key, req.body, expectedVersions(req)),
  });
  app.delete('/networks/:slug/themes/:key', {
    preHandler: networkWrite(app.db, resolvers.network),
    schema: { tags, summary: 'Delete a theme no agenda item uses', security: bearer, params: themeParams, response: { ...noContent, ...problems(401, 404, 409, 412) } },
    handler: (req, reply) => {
      repo.remove(req.params.slug, req.params.key, expectedVersions(req));
      reply.code(204);
      return undefined;
    },
  });
};
