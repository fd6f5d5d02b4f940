import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { canSeeDrafts } from '../auth/auth.plugin.js';
import { pageOf, pageQuery } from '../http/pagination.js';
import { problems } from '../http/problem.js';
import { bearer, idParams, noContent, secured } from '../http/route-kit.js';
import { tracksRepository } from './tracks.repository.js';
import { track, trackCreate, trackPatch } from './tracks.schemas.js';

export const trackRoutes: FastifyPluginAsyncZod = async (app) => {
  const repo = tracksRepository(app.db, app.config.publicBaseUrl);
  const tags = ['tracks'];

  app.get('/meetings/:id/tracks', {
    schema: { tags, summary: 'List a meeting’s parallel tracks', params: idParams, querystring: z.object(pageQuery), response: { 200: pageOf(track), ...problems(400, 404) } },
    handler: async (req) => repo.list(req.params.id, canSeeDrafts(req), req.query.limit, req.query.cursor),
  });
  app.post('/meetings/:id/tracks', {
    ...secured,
    schema: { tags, summary: 'Add a parallel track to a meeting', security: bearer, params: idParams, body: trackCreate, response: { 201: track, ...problems(400, 401, 404) } },
    handler: async (req, reply) => reply.code(201).send(repo.create(req.params.id, req.body)),
  });
  app.get('/tracks/:id', {
    schema: { tags, summary: 'Read a track', params: idParams, response: { 200: track, ...problems(404) } },
    handler: async (req) => repo.get(req.params.id, canSeeDrafts(req)),
  });
  app.patch('/tracks/:id', {
    ...secured,
    schema: { tags, summary: 'Update a track', security: bearer, params: idParams, body: trackPatch, response: { 200: track, ...problems(400, 401, 404) } },
    handler: async (req) => repo.update(req.params.id, req.body),
  });
  app.delete('/tracks/:id', {
    ...secured,
    schema: { tags, summary: 'Delete a track and its items', security: bearer, params: idParams, response: { ...noContent, ...problems(401, 404) } },
    handler: async (req, reply) => {
      repo.remove(req.params.id);
      return reply.code(204).send();
    },
  });
};
