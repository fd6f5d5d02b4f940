// Webhook endpoints: a network's coordinators register where its changes are POSTed, read the delivery
// log and send a delivery again. Problem codes: `webhook-target-forbidden` (400: the URL is not http(s),
// carries credentials, or resolves to a private, loopback or link-local address), `webhook-disabled` and
// `delivery-in-progress` (409, redelivery).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { networkWrite, resolvers } from '../auth/authorize.js';
import { badRequest } from '../http/errors.js';
import { pageOf } from '../http/pagination.js';
import { problems } from '../http/problem.js';
import { bearer, idParams, noContent } from '../http/route-kit.js';
import { networksRepository } from '../networks/networks.repository.js';
import { slugParams } from '../networks/networks.schemas.js';
import { targetProblem } from './webhook-target.js';
import { webhookResolver, webhooksRepository } from './webhooks.repository.js';
import { delivery, deliveryListQuery, deliveryParams, webhook, webhookCreate, webhookWithSecret } from './webhooks.schemas.js';

export const webhookRoutes: FastifyPluginAsyncZod = async (app) => {
  const repo = webhooksRepository(app.db);
  const networks = networksRepository(app.db, app.config.publicBaseUrl);
  const tags = ['webhooks'];
  const ofNetwork = networkWrite(app.db, resolvers.network);
  const ofWebhook = networkWrite(app.db, webhookResolver);
  const clock = app.config.outbox?.clock ?? Date.now;

  app.post('/networks/:slug/webhooks', {
    config: { secretResponse: true },
    preHandler: [
      ofNetwork,
      // Resolving the target's name is asynchronous: done here, before the (synchronous) write.
      async (req) => {
        const problem = await targetProblem((req.body as { url: string }).url, app.config.webhookAllowPrivate);
        if (problem) throw badRequest('webhook-target-forbidden', `The webhook URL ${problem}`, [{ path: 'body.url', message: problem }]);
      },
    ],
    schema: {
      tags,
      summary: 'Register a webhook endpoint for the network’s changes; the answer carries its signing secret, shown only this once',
      description:
        'Each change is POSTed as JSON (`WebhookPayload`) with the Standard Webhooks headers `webhook-id`, `webhook-timestamp` and `webhook-signature`. ' +
        'A delivery counts when the endpoint answers 2xx; otherwise it is tried again after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (27.5 h in all). ' +
        'An endpoint whose deliveries fail after every retry three times in a row is disabled (audited). 400 `webhook-target-forbidden`: the URL is not http(s), carries credentials, or resolves to a private, loopback or link-local address.',
      security: bearer,
      params: slugParams,
      body: webhookCreate,
      response: { 201: webhookWithSecret, ...problems(400, 401, 403, 404) },
    },
    handler: (req, reply) => {
      networks.getRow(req.params.slug);
      reply.code(201);
      return repo.create(req.params.slug, req.body);
    },
  });
  app.get('/networks/:slug/webhooks', {
    preHandler: ofNetwork,
    schema: { tags, summary: 'The network’s webhook endpoints (its coordinators)', security: bearer, params: slugParams, response: { 200: z.array(webhook), ...problems(401, 403, 404) } },
    handler: async (req) => {
      networks.getRow(req.params.slug);
      return repo.list(req.params.slug);
    },
  });
  app.delete('/webhooks/:id', {
    preHandler: ofWebhook,
    schema: { tags, summary: 'Remove a webhook endpoint: nothing more is sent to it', security: bearer, params: idParams, response: { ...noContent, ...problems(401, 403, 404) } },
    handler: (req, reply) => {
      repo.remove(req.params.id);
      reply.code(204);
      return undefined;
    },
  });
  app.get('/webhooks/:id/deliveries', {
    preHandler: ofWebhook,
    schema: {
      tags,
      summary: 'The endpoint’s delivery log, newest first: each message with its attempts, last answer and payload',
      security: bearer,
      params: idParams,
      querystring: deliveryListQuery,
      response: { 200: pageOf(delivery), ...problems(401, 403, 404) },
    },
    handler: async (req) => repo.deliveries(req.params.id, req.query.limit, req.query.cursor),
  });
  app.post('/webhooks/:id/deliveries/:deliveryId/redeliver', {
    preHandler: ofWebhook,
    preValidation: async (req) => {
      if (req.body === undefined || req.body === null) req.body = {};
    },
    schema: {
      tags,
      summary: 'Send a delivery again now (same webhook-id), with a fresh retry schedule',
      description: '409 `webhook-disabled`: the endpoint is disabled; 409 `delivery-in-progress`: it is being attempted right now.',
      security: bearer,
      params: deliveryParams,
      body: z.strictObject({}).meta({ id: 'Redeliver', description: 'No fields: send nothing or {}' }),
      response: { 202: delivery, ...problems(401, 403, 404, 409) },
    },
    handler: (req, reply) => {
      reply.code(202);
      return repo.redeliver(req.params.id, req.params.deliveryId, clock());
    },
  });
};
