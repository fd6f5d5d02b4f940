// Venues: listed publicly; created, changed and deleted by the tokens of the network they belong to.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { networkWrite, resolvers } from '../auth/authorize.js';
import { pageOf, pageQuery } from '../http/pagination.js';
import { expectedVersions } from '../http/preconditions.js';
import { problems } from '../http/problem.js';
import { bearer, idParams, noContent } from '../http/route-kit.js';
import { slugParams } from '../networks/networks.schemas.js';
import { networksRepository } from '../networks/networks.repository.js';
import { venuesRepository } from './venues.repository.js';
import { venue, venueCreate, venueListQuery, venuePatch } from './venues.schemas.js';

export const venueRoutes: FastifyPluginAsyncZod = async (app) => {
  const repo = venuesRepository(app.db);
  const networks = networksRepository(app.db, app.config.publicBaseUrl);
  const tags = ['venues'];

  app.get('/venues', {
    schema: { tags, summary: 'List venues (of every network, or of one with ?network=)', querystring: venueListQuery, response: { 200: pageOf(venue), ...problems(400) } },
    handler: async (req) => {
      const { limit, cursor, ...filter } = req.query;
      return repo.list(filter, limit, cursor);
    },
  });
  app.get('/networks/:slug/venues', {
    schema: { tags, summary: 'List a network’s venues', params: slugParams, querystring: z.object(pageQuery), response: { 200: pageOf(venue), ...problems(400, 404) } },
    handler: async (req) => {
      networks.getRow(req.params.slug);
      return repo.list({ network: req.params.slug }, req.query.limit, req.query.cursor);
    },
  });
  app.post('/networks/:slug/venues', {
    preHandler: networkWrite(app.db, resolvers.network),
    schema: {
      tags,
      summary: 'Create a venue of the network (its meetings can then use it)',
      security: bearer,
      params: slugParams,
      body: venueCreate,
      response: { 201: venue, ...problems(400, 401, 403, 404) },
    },
    handler: (req, reply) => {
      networks.getRow(req.params.slug);
      reply.code(201);
      return repo.create(req.params.slug, req.body);
    },
  });
  app.get('/venues/:id', {
    schema: { tags, summary: 'Read a venue', params: idParams, response: { 200: venue, ...problems(404) } },
    handler: async (req) => repo.get(req.params.id),
  });
  app.patch('/venues/:id', {
    preHandler: networkWrite(app.db, resolvers.venue),
    schema: { tags, summary: 'Update a venue (its network’s tokens)', security: bearer, params: idParams, body: venuePatch, response: { 200: venue, ...problems(400, 401, 403, 404, 412) } },
    handler: (req) => repo.update(req.params.id, req.body, expectedVersions(req)),
  });
  app.delete('/venues/:id', {
    preHandler: networkWrite(app.db, resolvers.venue),
    schema: {
      tags,
      summary: 'Delete a venue not used by any meeting or network (its network’s tokens)',
      security: bearer,
      params: idParams,
      response: { ...noContent, ...problems(401, 403, 404, 409, 412) },
    },
    handler: (req, reply) => {
      repo.remove(req.params.id, expectedVersions(req));
      reply.code(204);
      return undefined;
    },
  });
};
