// Feeds for an audience rather than a thing: a cluster's meetings, and a participant's personal calendar at
// a secret capability URL (the secret is masked in logs; rotating it makes the old URL 404).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problems } from '../http/problem.js';
import { idParams } from '../http/route-kit.js';
import { feedCache } from './feed-cache.js';
import { isNotModified } from './feed-http.js';
import { FEED_CACHE_CONTROL } from './feeds.routes.js';
import type { FeedScope } from './feed-scopes.js';

const responses = {
  200: { description: 'An iCalendar feed (RFC 5545)', content: { 'text/calendar': { schema: z.string() } } },
  304: z.undefined().describe('Not modified since the ETag or date the client sent'),
  ...problems(404),
};

export const audienceFeedRoutes: FastifyPluginAsyncZod = async (app) => {
  const feeds = feedCache(app.db, { publicBaseUrl: app.config.publicBaseUrl, feedTtlMinutes: app.config.feedTtlMinutes, cacheControl: FEED_CACHE_CONTROL });
  const personal = feedCache(app.db, {
    publicBaseUrl: app.config.publicBaseUrl,
    feedTtlMinutes: app.config.feedTtlMinutes,
    // Personal data: no shared caches.
    cacheControl: 'private, max-age=60',
  });
  const send = (cache: typeof feeds, scope: FeedScope) => (req: { headers: Record<string, string | string[] | undefined> }, reply: import('fastify').FastifyReply) => {
    const feed = cache.get(scope);
    if (isNotModified(req.headers, feed.etag, feed.lastModifiedMs)) reply.code(304).headers(feed.notModifiedHeaders).send();
    else reply.headers(feed.headers).send(feed.body);
  };

  app.get('/feeds/clusters/:id.ics', {
    schema: { tags: ['feeds'], summary: 'The meetings of one cluster (klynge)', params: idParams, response: responses },
    handler: (req, reply) => send(feeds, { kind: 'cluster', id: req.params.id })(req, reply),
  });
  app.get('/feeds/personal/:secret.ics', {
    schema: {
      tags: ['feeds'],
      summary: 'A participant’s personal calendar: their meetings with plenary items and the tracks they chose',
      params: z.object({ secret: z.string().max(200) }),
      response: responses,
    },
    handler: (req, reply) => send(personal, { kind: 'personal', secret: req.params.secret })(req, reply),
  });
};
