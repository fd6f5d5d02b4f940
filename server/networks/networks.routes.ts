import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { adminOnly, networkWrite, resolvers } from '../auth/authorize.js';
import { z } from 'zod';
import { pageOf, pageQuery } from '../http/pagination.js';
import { badRequest } from '../http/errors.js';
import { expectedVersions } from '../http/preconditions.js';
import { problems } from '../http/problem.js';
import { bearer, noContent } from '../http/route-kit.js';
import { networksRepository } from './networks.repository.js';
import { network, networkCreate, networkPatch, slugParams } from './networks.schemas.js';

export const networkRoutes: FastifyPluginAsyncZod = async (app) => {
  const repo = networksRepository(app.db, app.config.publicBaseUrl);
  const tags = ['networks'];
  /** A default template must be one of the loaded agenda templates. */
  const checkTemplate = (key: string | null | undefined) => {
    if (key && !app.templates.some((t) => t.key === key)) {
      throw badRequest('unknown-template', `No agenda template '${key}'`, [{ path: 'body.defaultTemplate', message: 'no such agenda template' }]);
    }
  };

  app.get('/networks', {
    schema: { tags, summary: 'List networks', querystring: z.object(pageQuery), response: { 200: pageOf(network), ...problems(400) } },
    handler: async (req) => repo.list(req.query.limit, req.query.cursor),
  });
  app.post('/networks', {
    preHandler: adminOnly,
    schema: { tags, summary: 'Create a network', security: bearer, body: networkCreate, response: { 201: network, ...problems(400, 401, 409) } },
    handler: (req, reply) => {
      checkTemplate(req.body.defaultTemplate);
      reply.code(201);
      return repo.create(req.body);
    },
  });
  app.get('/networks/:slug', {
    schema: { tags, summary: 'Read a network', params: slugParams, response: { 200: network, ...problems(404) } },
    handler: async (req) => repo.get(req.params.slug),
  });
  app.patch('/networks/:slug', {
    preHandler: networkWrite(app.db, resolvers.network),
    schema: { tags, summary: 'Update a network (the slug never changes)', security: bearer, params: slugParams, body: networkPatch, response: { 200: network, ...problems(400, 401, 404, 412) } },
    handler: (req) => {
      checkTemplate(req.body.defaultTemplate);
      return repo.update(req.params.slug, req.body, expectedVersions(req));
    },
  });
  app.delete('/networks/:slug', {
    preHandler: adminOnly,
    schema: { tags, summary: 'Delete a network that has no meetings or themes', security: bearer, params: slugParams, response: { ...noContent, ...problems(401, 404, 409, 412) } },
    handler: (req, reply) => {
      repo.remove(req.params.slug, expectedVersions(req));
      reply.code(204);
      return undefined;
    },
  });
};
