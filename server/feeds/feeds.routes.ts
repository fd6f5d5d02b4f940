// Public iCalendar feeds, at the root (not under /api/v1): a network's meetings, one meeting (optionally
// with its agenda items), one track, one theme, one cluster. Served from the feed cache with ETag/Last-Modified;
// HEAD comes with every GET route.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problems } from '../http/problem.js';
import { idParams } from '../http/route-kit.js';
import { slugParams } from '../networks/networks.schemas.js';
import { themeParams } from '../themes/themes.schemas.js';
import { feedCache, type FeedCache } from './feed-cache.js';
import { isNotModified } from './feed-http.js';
import type { FeedScope } from './feed-scopes.js';

/** Shared caches may keep a feed for a minute; after that they revalidate (a cheap 304). */
export const FEED_CACHE_CONTROL = 'public, max-age=60';

const tags = ['feeds'];
/** Documented responses of every feed route. */
export const feedResponses = {
  200: { description: 'An iCalendar feed (RFC 5545)', content: { 'text/calendar': { schema: z.string() } } },
  304: z.undefined().describe('Not modified since the ETag or date the client sent'),
  ...problems(404),
};
const meetingQuery = z.object({
  items: z.enum(['0', '1', 'false', 'true']).optional().describe('`1`: each released agenda item as its own event'),
});

// Handlers are synchronous: a poll is a map lookup and a header check, and skipping the promise
// round-trip of an async handler is measurable at feed-poll rates.
export function sendFeed(feeds: FeedCache, request: FastifyRequest, reply: FastifyReply, scope: FeedScope): void {
  const feed = feeds.get(scope);
  if (isNotModified(request.headers, feed.etag, feed.lastModifiedMs)) reply.code(304).headers(feed.notModifiedHeaders).send();
  else reply.headers(feed.headers).send(feed.body);
}

export const feedRoutes: FastifyPluginAsyncZod = async (app) => {
  const feeds = feedCache(app.db, {
    publicBaseUrl: app.config.publicBaseUrl,
    feedTtlMinutes: app.config.feedTtlMinutes,
    cacheControl: FEED_CACHE_CONTROL,
  });

  app.get('/feeds/networks/:slug.ics', {
    schema: { tags, summary: 'Every announced or cancelled meeting of a network', params: slugParams, response: feedResponses },
    handler: (req, reply) => sendFeed(feeds, req, reply, { kind: 'network', slug: req.params.slug }),
  });
  app.get('/feeds/meetings/:id.ics', {
    schema: { tags, summary: 'One meeting, optionally with each released agenda item', params: idParams, querystring: meetingQuery, response: feedResponses },
    handler: (req, reply) => {
      const items = req.query.items === '1' || req.query.items === 'true';
      return sendFeed(feeds, req, reply, { kind: 'meeting', id: req.params.id, items });
    },
  });
  app.get('/feeds/tracks/:id.ics', {
    schema: { tags, summary: 'A track: the meeting’s plenary items and the track’s own', params: idParams, response: feedResponses },
    handler: (req, reply) => sendFeed(feeds, req, reply, { kind: 'track', id: req.params.id }),
  });
  app.get('/feeds/clusters/:id.ics', {
    schema: { tags, summary: 'The meetings of one cluster (klynge)', params: idParams, response: feedResponses },
    handler: (req, reply) => sendFeed(feeds, req, reply, { kind: 'cluster', id: req.params.id }),
  });
  app.get('/feeds/networks/:slug/themes/:key.ics', {
    schema: { tags, summary: 'Every released item on a theme across the network’s meetings', params: themeParams, response: feedResponses },
    handler: (req, reply) => sendFeed(feeds, req, reply, { kind: 'theme', slug: req.params.slug, key: req.params.key }),
  });
};
