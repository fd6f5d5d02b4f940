import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problems } from '../http/problem.js';
import { municipalitiesRepository } from './municipalities.repository.js';
import { municipality, municipalityListQuery, municipalityParams } from './municipalities.schemas.js';

export const municipalityRoutes: FastifyPluginAsyncZod = async (app) => {
  const repo = municipalitiesRepository(app.db);
  const tags = ['municipalities'];

  app.get('/municipalities', {
    schema: {
      tags,
      summary: 'List Denmark’s 98 municipalities by code (not paginated)',
      querystring: municipalityListQuery,
      response: { 200: z.object({ data: z.array(municipality) }), ...problems(400) },
    },
    handler: async (req) => ({ data: repo.list(req.query.region) }),
  });
  app.get('/municipalities/:code', {
    schema: { tags, summary: 'Read a municipality by its code', params: municipalityParams, response: { 200: municipality, ...problems(400, 404) } },
    handler: async (req) => repo.get(req.params.code),
  });
};
