import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { directoryWrite } from '../auth/authorize.js';
import { z } from 'zod';
import { pageOf, pageQuery } from '../http/pagination.js';
import { expectedVersions } from '../http/preconditions.js';
import { problems } from '../http/problem.js';
import { bearer, idParams, noContent } from '../http/route-kit.js';
import { venuesRepository } from './venues.repository.js';
import { venue, venueCreate, venuePatch } from './venues.schemas.js';

export const venueRoutes: FastifyPluginAsyncZod = async (app) => {
  const repo = venuesRepository(app.db);
  const tags = ['venues'];

  app.get('/venues', {
    schema: { tags, summary: 'List venues', querystring: z.object(pageQuery), response: { 200: pageOf(venue), ...problems(400) } },
    handler: async (req) => repo.list(req.query.limit, req.query.cursor),
  });
  app.post('/venues', {
    preHandler: directoryWrite,
    schema: { tags, summary: 'Create a venue', security: bearer, body: venueCreate, response: { 201: venue, ...problems(400, 401) } },
    handler: async (req, reply) => reply.code(201).send(repo.create(req.body)),
  });
  app.get('/venues/:id', {
    schema: { tags, summary: 'Read a venue', params: idParams, response: { 200: venue, ...problems(404) } },
    handler: async (req) => repo.get(req.params.id),
  });
  app.patch('/venues/:id', {
    preHandler: directoryWrite,
    schema: { tags, summary: 'Update a venue', security: bearer, params: idParams, body: venuePatch, response: { 200: venue, ...problems(400, 401, 404) } },
    handler: async (req) => repo.update(req.params.id, req.body, expectedVersions(req)),
  });
  app.delete('/venues/:id', {
    preHandler: directoryWrite,
    schema: { tags, summary: 'Delete a venue not used by any meeting or network', security: bearer, params: idParams, response: { ...noContent, ...problems(401, 404, 409) } },
    handler: async (req, reply) => {
      repo.remove(req.params.id, expectedVersions(req));
      return reply.code(204).send();
    },
  });
};
