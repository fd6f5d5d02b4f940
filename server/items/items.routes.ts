import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { canSeeDrafts } from '../auth/auth.plugin.js';
import { pageOf } from '../http/pagination.js';
import { problems } from '../http/problem.js';
import { bearer, idParams, noContent, secured } from '../http/route-kit.js';
import { itemsRepository } from './items.repository.js';
import { item, itemCreate, itemListQuery, itemPatch } from './items.schemas.js';

export const itemRoutes: FastifyPluginAsyncZod = async (app) => {
  const repo = itemsRepository(app.db, app.config.publicBaseUrl);
  const tags = ['agenda items'];

  app.get('/meetings/:id/items', {
    schema: {
      tags,
      summary: 'List a meeting’s agenda items in time order',
      params: idParams,
      querystring: itemListQuery,
      response: { 200: pageOf(item), ...problems(400, 404) },
    },
    handler: async (req) => {
      const { limit, cursor, ...filter } = req.query;
      return repo.list(req.params.id, filter, canSeeDrafts(req), limit, cursor);
    },
  });
  app.post('/meetings/:id/items', {
    ...secured,
    schema: {
      tags,
      summary: 'Add an agenda item (inside the meeting’s hours; track of the same meeting or none for plenary)',
      security: bearer,
      params: idParams,
      body: itemCreate,
      response: { 201: item, ...problems(400, 401, 404, 409) },
    },
    handler: async (req, reply) => reply.code(201).send(repo.create(req.params.id, req.body)),
  });
  app.get('/items/:id', {
    schema: { tags, summary: 'Read an agenda item', params: idParams, response: { 200: item, ...problems(404) } },
    handler: async (req) => repo.get(req.params.id, canSeeDrafts(req), canSeeDrafts(req)),
  });
  app.patch('/items/:id', {
    ...secured,
    schema: { tags, summary: 'Update an agenda item', security: bearer, params: idParams, body: itemPatch, response: { 200: item, ...problems(400, 401, 404, 409) } },
    handler: async (req) => repo.update(req.params.id, req.body),
  });
  app.delete('/items/:id', {
    ...secured,
    schema: { tags, summary: 'Delete an agenda item', security: bearer, params: idParams, response: { ...noContent, ...problems(401, 404) } },
    handler: async (req, reply) => {
      repo.remove(req.params.id);
      return reply.code(204).send();
    },
  });
};
