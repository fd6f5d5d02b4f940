// Rendered feeds, kept until the database changes. A poll with nothing changed costs a map lookup and
// one cheap SQLite call; after a write the next poll syncs the feed's network and re-renders only when
// the feed's events or header really changed (a no-op save keeps body, ETag and Last-Modified).
import { createHash } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { syncNetwork } from './feed-events.js';
import { renderFeed, type RenderOptions } from './feed-render.js';
import { feedPath, networksOfScope, selectFeed, type FeedScope } from './feed-scopes.js';
import { revisionCounter } from './feed-revision.js';

export interface CachedFeed {
  /** The database revision this entry was last checked against. */
  revision: number;
  renderKey: string;
  /** When a cancelled event drops out and the body must be rebuilt (ms). */
  expiresAt: number;
  body: Buffer;
  etag: string;
  lastModifiedMs: number;
  /** Headers of a 200 (with Content-Type) and of a 304 (without). */
  headers: Record<string, string>;
  notModifiedHeaders: Record<string, string>;
}

export interface FeedCacheOptions extends RenderOptions {
  cacheControl: string;
  maxEntries?: number;
  clock?: () => number;
}

export const strongEtag = (body: Buffer): string => `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;

export function feedCache(db: Db, options: FeedCacheOptions) {
  const clock = options.clock ?? Date.now;
  const revision = revisionCounter(db.$client, clock);
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, CachedFeed>();
  /** Network slug → revision at which its events were last synced. */
  const synced = new Map<string, number>();
  const stats = { hits: 0, checks: 0, renders: 0, syncs: 0 };

  function store(key: string, entry: CachedFeed): CachedFeed {
    entries.delete(key);
    // Oldest first out; feeds are few (one per network, meeting, track and theme), this is a backstop.
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
    entries.set(key, entry);
    return entry;
  }

  function rebuild(key: string, scope: FeedScope, previous: CachedFeed | undefined): CachedFeed {
    const before = revision();
    const stale = networksOfScope(db, scope).filter((slug) => synced.get(slug) !== before);
    for (const slug of stale) {
      syncNetwork(db, slug);
      stats.syncs++;
    }
    // Our own writes to feed_events moved the revision: record the one after them.
    const current = revision();
    for (const slug of stale) synced.set(slug, current);

    const now = clock();
    const model = selectFeed(db, scope, now);
    stats.checks++;
    if (previous && previous.renderKey === model.renderKey) {
      previous.revision = current;
      previous.expiresAt = model.expiresAt;
      return previous;
    }
    const body = Buffer.from(renderFeed(model, options), 'utf8');
    stats.renders++;
    const etag = strongEtag(body);
    // Last-Modified only moves forward while the process lives, even if the data's clock says otherwise.
    // A feed with nothing dated in it (e.g. a personal feed before any registration) is new as of now, not
    // of 1970: otherwise every If-Modified-Since would answer 304.
    let lastModifiedMs = model.lastModifiedMs || now;
    if (previous && Math.floor(lastModifiedMs / 1000) <= Math.floor(previous.lastModifiedMs / 1000)) lastModifiedMs = now;
    const validators = {
      etag,
      'last-modified': new Date(lastModifiedMs).toUTCString(),
      'cache-control': options.cacheControl,
    };
    return store(key, {
      revision: current,
      renderKey: model.renderKey,
      expiresAt: model.expiresAt,
      body,
      etag,
      lastModifiedMs,
      headers: { 'content-type': 'text/calendar; charset=utf-8', ...validators },
      notModifiedHeaders: validators,
    });
  }

  return {
    stats,
    /** The feed, rendered at most once per change; throws a 404 AppError for an unknown scope. */
    get(scope: FeedScope): CachedFeed {
      const key = feedPath(scope);
      const hit = entries.get(key);
      if (hit && hit.revision === revision() && clock() < hit.expiresAt) {
        stats.hits++;
        return hit;
      }
      try {
        return rebuild(key, scope, hit);
      } catch (err) {
        entries.delete(key);
        throw err;
      }
    },
    clear(): void {
      entries.clear();
      synced.clear();
    },
  };
}

export type FeedCache = ReturnType<typeof feedCache>;
