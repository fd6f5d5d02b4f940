// Conditional GET for feeds (RFC 9110 13.1): If-None-Match wins over If-Modified-Since; calendar clients
// send either, and a match costs a 304 with no body.
import type { IncomingHttpHeaders } from 'node:http';

/** If-None-Match uses the weak comparison: `W/"x"` matches `"x"`; `*` matches any current feed. */
export function etagMatches(header: string, etag: string): boolean {
  if (header === etag) return true;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || (t.startsWith('W/') ? t.slice(2) : t) === etag;
  });
}

/** `etag`: the feed's current ETag, or all of them (one per content coding of the same content). */
export function isNotModified(headers: IncomingHttpHeaders, etag: string | string[], lastModifiedMs: number): boolean {
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    if (typeof etag === 'string') return etagMatches(ifNoneMatch, etag);
    // The usual revalidation sends back exactly one of our ETags: no parsing for it.
    return etag.includes(ifNoneMatch) || etag.some((e) => etagMatches(ifNoneMatch, e));
  }
  const ifModifiedSince = headers['if-modified-since'];
  if (ifModifiedSince === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  // HTTP dates have whole seconds: compare at that precision.
  return !Number.isNaN(since) && Math.floor(lastModifiedMs / 1000) * 1000 <= since;
}
