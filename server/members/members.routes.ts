import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { allows, canSeeDrafts } from '../auth/auth.plugin.js';
import { networkWrite, resolvers } from '../auth/authorize.js';
import { forbidden } from '../http/errors.js';
import { pageOf } from '../http/pagination.js';
import { expectedVersions } from '../http/preconditions.js';
import { problems } from '../http/problem.js';
import { bearer, noContent } from '../http/route-kit.js';
import { slugParams } from '../networks/networks.schemas.js';
import { membersRepository } from './members.repository.js';
import { member, memberCreate, memberListQuery, memberParams, memberPublic, signup, signupQuery } from './members.schemas.js';

/** A member as the caller may see it: with contact person, or (public) without. */
const memberView = z.union([member, memberPublic]);

export const memberRoutes: FastifyPluginAsyncZod = async (app) => {
  const repo = membersRepository(app.db, app.config.publicBaseUrl);
  const tags = ['members'];

  app.get('/networks/:slug/signup', {
    schema: { tags, summary: 'Whether sign-up is open now, the window and the target group', params: slugParams, response: { 200: signup, ...problems(404) } },
    handler: async (req) => repo.signupInfo(req.params.slug),
  });
  app.get('/networks/:slug/members', {
    schema: {
      tags,
      summary: 'List a network’s member municipalities by code (contact persons only for tokens of the network)',
      params: slugParams,
      querystring: memberListQuery,
      response: { 200: pageOf(memberView), ...problems(400, 404) },
    },
    handler: async (req) => {
      const { limit, cursor, ...filter } = req.query;
      return repo.list(req.params.slug, filter, allows(canSeeDrafts(req), req.params.slug), limit, cursor);
    },
  });
  app.post('/networks/:slug/members', {
    preHandler: networkWrite(app.db, resolvers.network),
    schema: {
      tags,
      summary: 'Sign a municipality up (within the sign-up window unless an admin overrides it)',
      description:
        'Refused with 409 `signup-not-open` before the window opens and `signup-closed` after the deadline minute, ' +
        '`already-member` for an active member. A withdrawn municipality is signed up again. `?override=true` (admin tokens only) ignores the window.',
      security: bearer,
      params: slugParams,
      querystring: signupQuery,
      body: memberCreate,
      response: { 201: member, ...problems(400, 401, 403, 404, 409) },
    },
    handler: (req, reply) => {
      if (req.query.override && req.token?.role !== 'admin') throw forbidden('Only admin tokens may sign up outside the sign-up window');
      reply.code(201);
      return repo.signUp(req.params.slug, req.body, { override: req.query.override });
    },
  });
  app.get('/networks/:slug/members/:code', {
    schema: { tags, summary: 'Read a membership (contact person only for tokens of the network)', params: memberParams, response: { 200: memberView, ...problems(400, 404) } },
    handler: async (req) => repo.get(req.params.slug, req.params.code, allows(canSeeDrafts(req), req.params.slug)),
  });
  app.delete('/networks/:slug/members/:code', {
    preHandler: networkWrite(app.db, resolvers.network),
    schema: { tags, summary: 'Withdraw an active member (it also leaves its cluster)', security: bearer, params: memberParams, response: { ...noContent, ...problems(400, 401, 403, 404, 412) } },
    handler: (req, reply) => {
      repo.withdraw(req.params.slug, req.params.code, expectedVersions(req));
      reply.code(204);
      return undefined;
    },
  });
};
