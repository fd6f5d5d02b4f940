// Feeds as served: prebuilt bodies (plain, gzip, brotli) with their headers precomputed, in memory in an
// LRU bounded in bytes. A poll is a map lookup and a header comparison; a miss reads the stored body
// (written by the publisher when the feed changed). Nothing here writes to the database.
import { gunzipSync } from 'node:zlib';
import type { AppError } from '../http/errors.js';
import type { BuiltFeed, FeedBodies } from './feed-bodies.js';

export type Encoding = 'identity' | 'gzip' | 'br';

export interface Variant {
  /** null: a large feed's plain bytes, decoded from its gzip encoding as they are sent. */
  body: Buffer | null;
  etag: string;
  /** Headers of a 200 (Content-Length included) and of a 304 (the validators only). */
  headers: Record<string, string>;
  notModifiedHeaders: Record<string, string>;
}

export interface ServedFeed {
  scope: string;
  lastModifiedMs: number;
  expiresAtMs: number;
  /** Every ETag this feed answers to (one per encoding). */
  etags: string[];
  /** A large feed has no brotli encoding. */
  variants: { identity: Variant; gzip: Variant; br?: Variant };
  bytes: number;
  /** When the cache last served it (a counter, not a time): the least recently used goes first. */
  used: number;
}

export interface FeedCacheOptions {
  /** Upper bound of the bytes held (plain + gzip + brotli of every feed kept). */
  maxBytes: number;
  /** Cache-Control per scope key. */
  cacheControl: (scope: string) => string;
  clock?: () => number;
}

const ENCODED_ETAG: Record<Encoding, (etag: string) => string> = {
  identity: (e) => e,
  gzip: (e) => `${e.slice(0, -1)}-gz"`,
  br: (e) => `${e.slice(0, -1)}-br"`,
};

/** A body with its headers. A large feed comes without its plain bytes and without brotli (feed-bodies.ts). */
export function servedFeed(built: BuiltFeed, cacheControl: string): ServedFeed {
  const { plain, plainLength } = built;
  const lastModified = new Date(built.lastModifiedMs).toUTCString();
  const variant = (encoding: Encoding, body: Buffer | null, length = body!.length): Variant => {
    const etag = ENCODED_ETAG[encoding](built.etag);
    const validators = { etag, 'last-modified': lastModified, 'cache-control': cacheControl, vary: 'Accept-Encoding', 'x-content-type-options': 'nosniff' };
    return {
      body,
      etag,
      headers: {
        'content-type': 'text/calendar; charset=utf-8',
        ...(encoding === 'identity' ? {} : { 'content-encoding': encoding }),
        ...validators,
        'content-length': String(length),
      },
      notModifiedHeaders: validators,
    };
  };
  const variants = {
    identity: variant('identity', plain, plainLength),
    gzip: variant('gzip', built.gzip),
    ...(built.br ? { br: variant('br', built.br) } : {}),
  };
  return {
    scope: built.scope,
    lastModifiedMs: built.lastModifiedMs,
    expiresAtMs: built.expiresAtMs ?? Infinity,
    etags: Object.values(variants).map((v) => v.etag),
    variants,
    bytes: (plain?.length ?? 0) + built.gzip.length + (built.br?.length ?? 0),
    used: 0,
  };
}

export function feedCache(bodies: FeedBodies, options: FeedCacheOptions) {
  const clock = options.clock ?? Date.now;
  const entries = new Map<string, ServedFeed>();
  let bytes = 0;
  // A hit only stamps its entry (no reordering on the hot path); eviction looks for the oldest stamp.
  let tick = 0;
  const stats = { hits: 0, loads: 0, builds: 0, evictions: 0 };

  function remove(scope: string): void {
    const e = entries.get(scope);
    if (!e) return;
    entries.delete(scope);
    bytes -= e.bytes;
  }

  function put(feed: ServedFeed): ServedFeed {
    remove(feed.scope);
    // A feed larger than the whole budget is served but not kept.
    if (feed.bytes > options.maxBytes) return feed;
    while (bytes + feed.bytes > options.maxBytes) {
      let oldest: ServedFeed | undefined;
      for (const e of entries.values()) if (oldest === undefined || e.used < oldest.used) oldest = e;
      remove(oldest!.scope);
      stats.evictions++;
    }
    feed.used = ++tick;
    entries.set(feed.scope, feed);
    bytes += feed.bytes;
    return feed;
  }

  return {
    stats,
    bytes: () => bytes,
    /** The feed of a scope, or the 404 it answers. */
    get(scope: string): ServedFeed | AppError {
      const hit = entries.get(scope);
      // Most feeds never expire (no cancelled event to drop out): no clock read for them.
      if (hit !== undefined && (hit.expiresAtMs === Infinity || clock() < hit.expiresAtMs)) {
        stats.hits++;
        hit.used = ++tick;
        return hit;
      }
      const now = clock();
      const stored = bodies.stored(scope);
      if (stored && (stored.expiresAtMs === null || now < stored.expiresAtMs)) {
        stats.loads++;
        return put(servedFeed(stored, options.cacheControl(scope)));
      }
      // Never built, or a cancelled event has dropped out since: build it here, in memory only (the
      // publisher stores it on its next round).
      const built = bodies.build(scope);
      if (!('plain' in built)) return built;
      stats.builds++;
      return put(servedFeed(built, options.cacheControl(scope)));
    },
    /** The publisher wrote (or removed) a body: serve the new one from now on. */
    update(scope: string, built: BuiltFeed | null): void {
      if (built === null) remove(scope);
      else if (entries.has(scope)) put(servedFeed(built, options.cacheControl(scope)));
    },
    /** The plain bytes of a feed (a large one's decoded from its gzip encoding). */
    plain(feed: ServedFeed): Buffer {
      return feed.variants.identity.body ?? gunzipSync(feed.variants.gzip.body!);
    },
    clear(): void {
      entries.clear();
      bytes = 0;
    },
  };
}

export type FeedCache = ReturnType<typeof feedCache>;

const preferences = new Map<string, Encoding>();
/**
 * The encoding to send for an Accept-Encoding header: brotli (where the feed has it), then gzip, by the
 * client's q-values (`q=0` refuses). Headers repeat from client to client, so each distinct one is parsed once.
 */
export function chooseEncoding(header: string | undefined, brotli = true): Encoding {
  if (header === undefined || header === '') return 'identity';
  const key = brotli ? header : `-br ${header}`;
  let chosen = preferences.get(key);
  if (chosen !== undefined) return chosen;
  const q: Record<string, number> = {};
  for (const part of header.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    if (name) q[name.trim()] = Number.isFinite(value) ? value : 0;
  }
  const weight = (name: string) => q[name] ?? q['*'] ?? 0;
  const br = brotli ? weight('br') : 0;
  const gzip = Math.max(weight('gzip'), q['x-gzip'] ?? 0);
  chosen = br > 0 && br >= gzip ? 'br' : gzip > 0 ? 'gzip' : 'identity';
  if (preferences.size < 1000) preferences.set(key, chosen);
  return chosen;
}
