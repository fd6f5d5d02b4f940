// Rendered pages, kept per (language, path) until something they show changes. What changed is read from
// the audit trail (every write to every table a page shows leaves a row there, with its network, written by
// triggers in the writing transaction, migrations/0003): after each write the rows since the last look name
// the networks whose pages are dropped. A page of network B is never dropped for a write in network A; the
// front page (every network) is dropped for any. Writes from outside this process (the CLI, another
// instance) are noticed within a second: a look at the trail at most once a second, on a lookup.
// A page that shows something time-dependent (a sign-up window that opens or closes) expires then.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '../../db/client.js';
import { compressed, strongEtag } from '../feeds/feed-bodies.js';
import { chooseEncoding } from '../feeds/feed-cache.js';
import { etagMatches } from '../feeds/feed-http.js';
import { PAGE_HEADERS, queryLang, urlPath } from './page-http.js';
import { pickLang, type Lang } from './i18n.js';

/** Pages are revalidated on every use (a cheap 304): a change must show at once. */
export const PAGE_CACHE_CONTROL = 'public, no-cache';

/** What a page depends on: one network's data, or every network's (the front page). */
export type PageScope = { network: string } | 'all';

interface Variant {
  body: Buffer;
  headers: Record<string, string | number>;
}

export interface CachedPage {
  scope: PageScope;
  /** The weak ETag sent (the same for every encoding of the same page). */
  etag: string;
  /** Its opaque part, for comparisons. */
  tag: string;
  variants: { identity: Variant; gzip: Variant; br: Variant };
  notModifiedHeaders: Record<string, string>;
  /** When the page stops being true by itself (ms), or null. */
  expiresAtMs: number | null;
}

export interface PageCacheOptions {
  clock?: () => number;
  /** How often a lookup looks at the audit trail for writes made elsewhere (ms). */
  recheckMs?: number;
}

/** The key a page is kept under: its language and its canonical path (`/meetings/<id, percent-encoded>`). */
export const pageKeyOf = (lang: Lang, path: string): string => `${lang} ${path}`;

const langs = new Map<string, Lang>();
/** The language of a request (`?lang=`, then Accept-Language), remembered per header value on the light path. */
function requestLangOf(url: string, acceptLanguage: string | undefined): Lang {
  const query = queryLang(url);
  if (query !== undefined || acceptLanguage === undefined) return pickLang(query, acceptLanguage);
  let lang = langs.get(acceptLanguage);
  if (lang === undefined) {
    lang = pickLang(undefined, acceptLanguage);
    if (langs.size < 1000) langs.set(acceptLanguage, lang);
  }
  return lang;
}

/**
 * The key a request would find its page under: its path as sent. A page is kept under its canonical path
 * only (pages.routes.ts), so another spelling of the same URL (percent-encoded, a trailing slash) is not
 * found here and goes to the router, which answers it from the canonical entry: however many spellings
 * are tried, a page is kept once per language.
 */
export function pageKey(url: string, acceptLanguage: string | undefined): string {
  return pageKeyOf(requestLangOf(url, acceptLanguage), urlPath(url));
}

export function pageCache(db: Db, options: PageCacheOptions = {}) {
  const clock = options.clock ?? Date.now;
  const recheckMs = options.recheckMs ?? 1000;
  const sqlite = db.$client;
  const q = {
    lastId: sqlite.prepare('SELECT coalesce(max(id), 0) FROM audit_log').pluck(),
    since: sqlite.prepare("SELECT DISTINCT network_slug AS slug, entity = 'token' AS token FROM audit_log WHERE id > ?"),
  };
  const entries = new Map<string, CachedPage>();
  let seen = q.lastId.get() as number;
  let lookedAt = clock();
  const stats = { renders: 0, dropped: 0 };

  function drop(test: (page: CachedPage) => boolean): void {
    for (const [key, page] of entries) {
      if (test(page)) {
        entries.delete(key);
        stats.dropped++;
      }
    }
  }

  /** Reads the audit trail since the last look and drops the pages of the networks written to. */
  function refresh(): void {
    // Inside a transaction (a write in progress) the trail may hold rows that are rolled back yet: the next
    // lookup looks again.
    if (sqlite.inTransaction) return;
    lookedAt = clock();
    const last = q.lastId.get() as number;
    if (last === seen) return;
    const rows = q.since.all(seen) as { slug: string | null; token: number }[];
    seen = last;
    // A row without a network (other than a token's) cannot be placed: every page goes.
    if (rows.some((r) => r.slug === null && r.token === 0)) return drop(() => true);
    const slugs = new Set(rows.map((r) => r.slug).filter((s): s is string => s !== null));
    if (slugs.size > 0) drop((p) => p.scope === 'all' || slugs.has(p.scope.network));
  }

  function lookup(key: string): CachedPage | undefined {
    if (clock() - lookedAt >= recheckMs) refresh();
    const page = entries.get(key);
    if (page && page.expiresAtMs !== null && clock() >= page.expiresAtMs) {
      entries.delete(key);
      return undefined;
    }
    return page;
  }

  function store(key: string, document: string, scope: PageScope, expiresAtMs: number | null): CachedPage {
    stats.renders++;
    const plain = Buffer.from(document, 'utf8');
    const tag = strongEtag(plain);
    const etag = `W/${tag}`;
    const { gzip, br } = compressed(plain);
    const base = { ...PAGE_HEADERS, etag, 'cache-control': PAGE_CACHE_CONTROL, vary: 'Accept-Encoding, Accept-Language' };
    const page: CachedPage = {
      scope,
      etag,
      tag,
      variants: {
        identity: { body: plain, headers: { ...base, 'content-length': plain.length } },
        gzip: { body: gzip, headers: { ...base, 'content-encoding': 'gzip', 'content-length': gzip.length } },
        br: { body: br, headers: { ...base, 'content-encoding': 'br', 'content-length': br.length } },
      },
      notModifiedHeaders: { etag, 'cache-control': PAGE_CACHE_CONTROL, vary: base.vary },
      expiresAtMs,
    };
    // Rendered inside a write's transaction, the page may show what is rolled back: sent, not kept.
    if (!sqlite.inTransaction) entries.set(key, page);
    return page;
  }

  return {
    stats,
    refresh,
    lookup,
    store,
    /** Pages kept now. */
    size: () => entries.size,
  };
}

export type PageCache = ReturnType<typeof pageCache>;

/** Writes a kept page (or its 304) straight to the response; HEAD gets the headers only. */
export function sendCachedPage(req: IncomingMessage, res: ServerResponse, page: CachedPage): void {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined && (inm === page.etag || etagMatches(inm, page.tag))) {
    res.writeHead(304, page.notModifiedHeaders);
    res.end();
    return;
  }
  const variant = page.variants[chooseEncoding(req.headers['accept-encoding'])];
  res.writeHead(200, variant.headers);
  if (req.method === 'HEAD') res.end();
  else res.end(variant.body);
}

/**
 * The light path for page requests (http/http-server.ts): a GET or HEAD of a kept page is answered here,
 * before the service's router, hooks and request log; anything else returns false and goes on to the service.
 */
export function pageFastPath(cache: PageCache) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.url === undefined) return false;
    const page = cache.lookup(pageKey(req.url, req.headers['accept-language']));
    if (page === undefined) return false;
    sendCachedPage(req, res, page);
    return true;
  };
}
