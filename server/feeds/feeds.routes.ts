// Public iCalendar feeds, at the root (not under /api/v1): a network's meetings, one meeting (optionally
// with its agenda items), one track, one theme, one cluster, and a participant's personal feed at a secret
// address. Registered outside the API's plugin context, so a poll runs none of the API's hooks (rate limit,
// auth, idempotency, ETag of JSON): it is a cache lookup, a header comparison and prebuilt bytes, gzip or
// brotli when the client accepts them. HEAD comes with every GET route.
import { createGunzip } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, notFound } from '../http/errors.js';
import { problems } from '../http/problem.js';
import { idParams } from '../http/route-kit.js';
import { slugParams } from '../networks/networks.schemas.js';
import { hashFeedSecret } from '../participants/feed-secrets.js';
import { participantsByFeedSecret } from '../participants/participants.repository.js';
import { themeParams } from '../themes/themes.schemas.js';
import { chooseEncoding, servedFeed, type FeedCache, type ServedFeed } from './feed-cache.js';
import { isNotModified } from './feed-http.js';
import type { Db } from '../../db/client.js';
import { strongEtag, type FeedBodies } from './feed-bodies.js';
import { networksRepository } from '../networks/networks.repository.js';
import { networkReleases } from '../releases/published.js';
import { atomUpdated, releasesAtom } from './releases-atom.js';

/** Shared caches may keep a feed for a minute; after that they revalidate (a cheap 304). */
export const FEED_CACHE_CONTROL = 'public, max-age=60';
/** Personal feeds hold personal data: shared caches keep out. */
export const PERSONAL_CACHE_CONTROL = 'private, max-age=60';

const tags = ['feeds'];
/** Documented responses of every feed route. */
export const feedResponses = {
  200: { description: 'An iCalendar feed (RFC 5545), gzip or brotli when accepted', content: { 'text/calendar': { schema: z.string() } } },
  304: z.undefined().describe('Not modified since the ETag or date the client sent'),
  // 414: a path segment over the router's limit (frameworkErrors). Unknown query parameters are ignored, not
  // refused: calendar apps and CDNs append cache-busting ones, and a poll is a cache lookup.
  ...problems(400, 404, 414),
};
const atomResponses = {
  ...feedResponses,
  200: { description: 'An Atom feed (RFC 4287)', content: { 'application/atom+xml': { schema: z.string() } } },
};
const meetingQuery = z.object({
  items: z.enum(['0', '1', 'false', 'true']).optional().describe('`1`: each released agenda item as its own event'),
});
const secretParams = z.object({ secret: z.string().max(200) });

export interface FeedRouteOptions {
  db: Db;
  /** The service's public URL, for the links in Atom feeds. */
  baseUrl: string;
  bodies: FeedBodies;
  cache: FeedCache;
  corsOrigins: string[];
}

export const feedRoutes: FastifyPluginAsyncZod<FeedRouteOptions> = async (app, { db, baseUrl, bodies, cache, corsOrigins }) => {
  const allowed = new Set(corsOrigins);
  const networks = networksRepository(db, baseUrl);

  /** The CORS headers for a request from an allowed origin (with the response's Vary), or undefined. */
  function corsHeaders(request: FastifyRequest, vary: string): Record<string, string> | undefined {
    const origin = request.headers.origin;
    if (origin === undefined || !allowed.has(origin)) return undefined;
    return { 'access-control-allow-origin': origin, 'access-control-expose-headers': 'ETag, Location, Retry-After', vary };
  }

  /**
   * The feed's prebuilt bytes with their precomputed headers, written straight to the response: a feed
   * needs none of Fastify's reply pipeline (no hooks, no serialization, headers known in advance).
   */
  function send(request: FastifyRequest, reply: FastifyReply, feed: ServedFeed): void {
    const variant = feed.variants[chooseEncoding(request.headers['accept-encoding'], feed.variants.br !== undefined)]!;
    const notModified = isNotModified(request.headers, feed.etags, feed.lastModifiedMs);
    let headers = notModified ? variant.notModifiedHeaders : variant.headers;
    const cors = corsHeaders(request, 'Origin, Accept-Encoding');
    if (cors) headers = { ...headers, ...cors };
    reply.hijack();
    reply.raw.writeHead(notModified ? 304 : 200, headers);
    if (notModified || request.method === 'HEAD') reply.raw.end();
    else if (variant.body !== null) reply.raw.end(variant.body);
    else {
      // A large feed to a client that asks for no compression: its gzip encoding, decoded as it is sent (in
      // 16 KB pieces: the plain feed is never whole in memory).
      const gunzip = createGunzip();
      gunzip.on('error', (err) => {
        request.log.error({ err, scope: feed.scope }, 'feed: decoding the stored gzip failed');
        reply.raw.destroy(err);
      });
      gunzip.pipe(reply.raw);
      gunzip.end(feed.variants.gzip.body);
    }
  }

  /** Serves a scope's feed (the 404 when there is none). */
  function serve(request: FastifyRequest, reply: FastifyReply, scope: string): void {
    const found = cache.get(scope);
    if (found instanceof AppError) throw found;
    send(request, reply, found);
  }

  app.get('/feeds/networks/:slug.ics', {
    schema: { tags, summary: 'Every announced or cancelled meeting of a network', params: slugParams, response: feedResponses },
    handler: (req, reply) => serve(req, reply, `network:${req.params.slug}`),
  });
  app.get('/feeds/meetings/:id.ics', {
    schema: { tags, summary: 'One meeting, optionally with each released agenda item', params: idParams, querystring: meetingQuery, response: feedResponses },
    handler: (req, reply) => {
      const items = req.query.items === '1' || req.query.items === 'true';
      serve(req, reply, `${items ? 'meeting-items' : 'meeting'}:${req.params.id}`);
    },
  });
  app.get('/feeds/tracks/:id.ics', {
    schema: { tags, summary: 'A track: the meeting’s plenary items and the track’s own', params: idParams, response: feedResponses },
    handler: (req, reply) => serve(req, reply, `track:${req.params.id}`),
  });
  app.get('/feeds/clusters/:id.ics', {
    schema: { tags, summary: 'The meetings of one cluster (klynge)', params: idParams, response: feedResponses },
    handler: (req, reply) => serve(req, reply, `cluster:${req.params.id}`),
  });
  app.get('/feeds/networks/:slug/themes/:key.ics', {
    schema: { tags, summary: 'Every released item on a theme across the network’s meetings', params: themeParams, response: feedResponses },
    handler: (req, reply) => serve(req, reply, `theme:${req.params.slug}/${req.params.key}`),
  });
  // Releases are rare and a network has few: the feed is built per request from the release rows (one
  // query); its ETag is a hash of the bytes, so a poll that changes nothing still gets its 304.
  app.get('/feeds/networks/:slug/releases.atom', {
    schema: { tags, summary: 'A network’s published releases (Atom), each entry with its changelog', params: slugParams, response: atomResponses },
    handler: (req, reply) => {
      const network = networks.getRow(req.params.slug);
      const releases = networkReleases(db, network.slug);
      const body = releasesAtom(network, releases, baseUrl);
      const etag = strongEtag(Buffer.from(body, 'utf8'));
      const lastModifiedMs = Date.parse(atomUpdated(network, releases));
      reply.header('etag', etag).header('last-modified', new Date(lastModifiedMs).toUTCString()).header('cache-control', FEED_CACHE_CONTROL);
      const cors = corsHeaders(req, 'Origin');
      if (cors) reply.headers(cors);
      if (isNotModified(req.headers, etag, lastModifiedMs)) reply.code(304).send();
      else reply.type('application/atom+xml; charset=utf-8').send(body);
    },
  });
  // A participant's personal calendar at a secret capability URL: the secret is masked in logs (by this
  // route's `secretParams`, http/request-log.ts), rotating it makes the old URL 404, and shared caches keep
  // out (personal data).
  app.get('/feeds/personal/:secret.ics', {
    config: { secretParams: ['secret'] },
    schema: {
      tags,
      summary: 'A participant’s personal calendar: their meetings with plenary items and the tracks they chose',
      params: secretParams,
      response: feedResponses,
    },
    handler: (req, reply) => {
      const { secret } = req.params;
      const records = participantsByFeedSecret(db, secret);
      if (records.length === 0) throw notFound('Feed', 'personal');
      if (records.length === 1) return serve(req, reply, `personal:${records[0]!.id}`);
      // One person's records in several networks (split by an upgrade) share the secret: one feed of them all.
      const built = bodies.buildMerged(`personal-secret:${hashFeedSecret(secret)}`, records.map((r) => `personal:${r.id}`));
      send(req, reply, servedFeed(built, PERSONAL_CACHE_CONTROL));
    },
  });
};
