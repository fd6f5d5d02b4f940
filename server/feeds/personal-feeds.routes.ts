// A participant's personal calendar at a secret capability URL: the secret is masked in logs, rotating it
// makes the old URL 404, and its cache tells shared caches to keep out (personal data).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { feedCache } from './feed-cache.js';
import { feedResponses, sendFeed } from './feeds.routes.js';

export const personalFeedRoutes: FastifyPluginAsyncZod = async (app) => {
  const personal = feedCache(app.db, {
    publicBaseUrl: app.config.publicBaseUrl,
    feedTtlMinutes: app.config.feedTtlMinutes,
    cacheControl: 'private, max-age=60',
  });
  app.get('/feeds/personal/:secret.ics', {
    schema: {
      tags: ['feeds'],
      summary: 'A participant’s personal calendar: their meetings with plenary items and the tracks they chose',
      params: z.object({ secret: z.string().max(200) }),
      response: feedResponses,
    },
    handler: (req, reply) => sendFeed(personal, req, reply, { kind: 'personal', secret: req.params.secret }),
  });
};
