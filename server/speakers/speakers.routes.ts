import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { directoryWrite } from '../auth/authorize.js';
import { z } from 'zod';
import { canSeePrivate } from '../auth/auth.plugin.js';
import { pageOf, pageQuery } from '../http/pagination.js';
import { expectedVersions } from '../http/preconditions.js';
import { problems } from '../http/problem.js';
import { bearer, idParams, noContent } from '../http/route-kit.js';
import { speakersRepository } from './speakers.repository.js';
import { speaker, speakerCreate, speakerPatch } from './speakers.schemas.js';

export const speakerRoutes: FastifyPluginAsyncZod = async (app) => {
  const repo = speakersRepository(app.db);
  const tags = ['speakers'];

  app.get('/speakers', {
    schema: { tags, summary: 'List speakers (emails only with a token)', querystring: z.object(pageQuery), response: { 200: pageOf(speaker), ...problems(400) } },
    handler: async (req) => repo.list(canSeePrivate(req), req.query.limit, req.query.cursor),
  });
  app.post('/speakers', {
    preHandler: directoryWrite,
    schema: { tags, summary: 'Create a speaker', security: bearer, body: speakerCreate, response: { 201: speaker, ...problems(400, 401) } },
    handler: async (req, reply) => reply.code(201).send(repo.create(req.body)),
  });
  app.get('/speakers/:id', {
    schema: { tags, summary: 'Read a speaker', params: idParams, response: { 200: speaker, ...problems(404) } },
    handler: async (req) => repo.get(req.params.id, canSeePrivate(req)),
  });
  app.patch('/speakers/:id', {
    preHandler: directoryWrite,
    schema: { tags, summary: 'Update a speaker', security: bearer, params: idParams, body: speakerPatch, response: { 200: speaker, ...problems(400, 401, 404) } },
    handler: async (req) => repo.update(req.params.id, req.body, expectedVersions(req)),
  });
  app.delete('/speakers/:id', {
    preHandler: directoryWrite,
    schema: { tags, summary: 'Delete a speaker who is on no agenda item', security: bearer, params: idParams, response: { ...noContent, ...problems(401, 404, 409) } },
    handler: async (req, reply) => {
      repo.remove(req.params.id, expectedVersions(req));
      return reply.code(204).send();
    },
  });
};
