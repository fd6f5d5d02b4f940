// Speakers: listed publicly (emails only to tokens of the speaker's network); created, changed and deleted
// by the tokens of the network they belong to.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { actsIn, networkWrite, resolvers } from '../auth/authorize.js';
import { pageOf, pageQuery } from '../http/pagination.js';
import { expectedVersions } from '../http/preconditions.js';
import { problems } from '../http/problem.js';
import { bearer, idParams, noContent } from '../http/route-kit.js';
import { networksRepository } from '../networks/networks.repository.js';
import { slugParams } from '../networks/networks.schemas.js';
import { speakersRepository } from './speakers.repository.js';
import { speaker, speakerCreate, speakerListQuery, speakerPatch } from './speakers.schemas.js';

/** Speaker emails: for the tokens of the speaker's own network (and admins). */
const privateFor = (req: FastifyRequest) => (slug: string | null) => actsIn(req, slug);

export const speakerRoutes: FastifyPluginAsyncZod = async (app) => {
  const repo = speakersRepository(app.db);
  const networks = networksRepository(app.db, app.config.publicBaseUrl);
  const tags = ['speakers'];

  app.get('/speakers', {
    schema: {
      tags,
      summary: 'List speakers (of every network, or of one with ?network=); emails only for tokens of their network',
      querystring: speakerListQuery,
      response: { 200: pageOf(speaker), ...problems(400) },
    },
    handler: async (req) => {
      const { limit, cursor, ...filter } = req.query;
      return repo.list(filter, privateFor(req), limit, cursor);
    },
  });
  app.get('/networks/:slug/speakers', {
    schema: {
      tags,
      summary: 'List a network’s speakers (emails only for the network’s tokens)',
      params: slugParams,
      querystring: z.object(pageQuery),
      response: { 200: pageOf(speaker), ...problems(400, 404) },
    },
    handler: async (req) => {
      networks.getRow(req.params.slug);
      return repo.list({ network: req.params.slug }, privateFor(req), req.query.limit, req.query.cursor);
    },
  });
  app.post('/networks/:slug/speakers', {
    preHandler: networkWrite(app.db, resolvers.network),
    schema: {
      tags,
      summary: 'Create a speaker of the network (its agenda items can then name them)',
      security: bearer,
      params: slugParams,
      body: speakerCreate,
      response: { 201: speaker, ...problems(400, 401, 403, 404) },
    },
    handler: (req, reply) => {
      networks.getRow(req.params.slug);
      reply.code(201);
      return repo.create(req.params.slug, req.body);
    },
  });
  app.get('/speakers/:id', {
    schema: { tags, summary: 'Read a speaker (email only for tokens of their network)', params: idParams, response: { 200: speaker, ...problems(404) } },
    handler: async (req) => repo.get(req.params.id, privateFor(req)),
  });
  app.patch('/speakers/:id', {
    preHandler: networkWrite(app.db, resolvers.speaker),
    schema: { tags, summary: 'Update a speaker (their network’s tokens)', security: bearer, params: idParams, body: speakerPatch, response: { 200: speaker, ...problems(400, 401, 403, 404, 412) } },
    handler: (req) => repo.update(req.params.id, req.body, expectedVersions(req)),
  });
  app.delete('/speakers/:id', {
    preHandler: networkWrite(app.db, resolvers.speaker),
    schema: {
      tags,
      summary: 'Delete a speaker who is on no agenda item (their network’s tokens)',
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
