// Feed bodies: what a feed says now, put together from its scopes' stored fragments, in each encoding, and
// kept in `feed_bodies` so a poll (even the first after a restart) reads bytes instead of building them.
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { Db } from '../../db/client.js';
import { AppError, notFound } from '../http/errors.js';
import { CANCELLED_KEEP_MS } from './feed-events.js';
import { calendarFrame, type RenderOptions } from './feed-render.js';
import { feedPath, scopeHeader, scopeOfKey, type ScopeHeader } from './feed-scopes.js';

/** A feed ready to serve: its bytes in each encoding and its validators. */
export interface BuiltFeed {
  scope: string;
  etag: string;
  lastModifiedMs: number;
  /** When the next cancelled event drops out (ms); null when none will. */
  expiresAtMs: number | null;
  plain: Buffer;
  gzip: Buffer;
  br: Buffer;
}

export const strongEtag = (body: Buffer): string => `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;

// The events a feed shows now: live ones, and cancelled ones (left the feed, or cancelled outright) for 30
// days after their change; dropping out is a change too (Last-Modified). Fragments start `BEGIN:VEVENT`,
// CRLF, `UID:…`, CRLF (20 characters and the UID): the feed's own lines go right after. One person's records
// in several networks (a personal feed of several scopes) hold different meetings; GROUP BY keeps each UID once.
const SHOWN = `WITH rows AS (
    SELECT fe.uid, fe.sort_key, max(se.sequence) AS sequence, se.present, fe.cancelled_at, fe.tzid,
           CASE WHEN se.present = 1 THEN fe.ics_live ELSE fe.ics_cancelled END AS frag,
           max(se.changed_at, fe.last_modified) AS stamp
    FROM feed_scope_events se JOIN feed_events fe ON fe.uid = se.uid
    WHERE se.scope IN (SELECT value FROM json_each(@scopes))
    GROUP BY fe.uid
  ), timed AS (
    SELECT *, CAST(round(unixepoch(stamp, 'subsec') * 1000) AS INTEGER) AS stamp_ms, (present = 1 AND cancelled_at IS NULL) AS live
    FROM rows WHERE frag IS NOT NULL
  ), judged AS (
    SELECT *, (live OR stamp_ms + @keep > @now) AS shown, strftime('%Y%m%dT%H%M%SZ', stamp) AS ics_stamp FROM timed
  )`;

export function feedBodies(db: Db, options: RenderOptions & { clock?: () => number }) {
  const sqlite = db.$client;
  const clock = options.clock ?? Date.now;
  const q = {
    participantExists: sqlite.prepare('SELECT EXISTS (SELECT 1 FROM participants WHERE id = ?)').pluck(),
    shownFacts: sqlite.prepare(
      `${SHOWN} SELECT max(CASE WHEN shown THEN stamp_ms ELSE stamp_ms + @keep END) AS last_modified_ms,
         min(CASE WHEN shown AND NOT live THEN stamp_ms + @keep END) AS expires_at_ms,
         group_concat(DISTINCT CASE WHEN shown THEN tzid END) AS tzids
       FROM judged`,
    ),
    assemble: sqlite.prepare(
      `${SHOWN} SELECT CAST(@head || coalesce(group_concat(CASE WHEN shown THEN
           substr(frag, 1, 20 + length(uid)) || 'SEQUENCE:' || sequence || char(13, 10) || 'DTSTAMP:' || ics_stamp || char(13, 10)
           || 'LAST-MODIFIED:' || ics_stamp || char(13, 10) || substr(frag, 21 + length(uid)) END, '' ORDER BY sort_key), '') || @tail AS BLOB)
       FROM judged`,
    ).pluck(),
    body: sqlite.prepare('SELECT * FROM feed_bodies WHERE scope = ?'),
    validators: sqlite.prepare('SELECT etag, last_modified_ms FROM feed_bodies WHERE scope = ?'),
    saveBody: sqlite.prepare(
      `INSERT INTO feed_bodies (scope, etag, last_modified_ms, expires_at_ms, plain, gzip, br) VALUES (@scope, @etag, @lastModifiedMs, @expiresAtMs, @plain, @gzip, @br)
       ON CONFLICT (scope) DO UPDATE SET etag = excluded.etag, last_modified_ms = excluded.last_modified_ms, expires_at_ms = excluded.expires_at_ms,
       plain = excluded.plain, gzip = excluded.gzip, br = excluded.br`,
    ),
    dropBody: sqlite.prepare('DELETE FROM feed_bodies WHERE scope = ?'),
    dropScope: sqlite.prepare('DELETE FROM feed_scope_events WHERE scope = ?'),
  };

  /** The feed of a scope as it should be served now, built from stored fragments; the 404 when it is gone. Reads only. */
  function buildBody(scopeKeyString: string): BuiltFeed | AppError {
    const scope = scopeOfKey(scopeKeyString);
    if (scope.kind === 'personal' && !q.participantExists.get(scope.participantId)) return notFound('Feed', 'personal');
    const header = scopeHeader(db, scope);
    if (header instanceof AppError) return header;
    return assemble(scopeKeyString, { ...header, path: scope.kind === 'personal' ? null : feedPath(scope) }, [scopeKeyString]);
  }

  /** One feed of several personal scopes (one person's records in several networks). Reads only. */
  function buildMerged(key: string, scopes: string[]): BuiltFeed {
    return assemble(key, { ...(scopeHeader(db, { kind: 'personal', participantId: '' }) as ScopeHeader), path: null }, scopes);
  }

  /**
   * A feed body from its scopes' stored fragments, put together by SQLite: the calendar's frame around each
   * shown event's fragment with its SEQUENCE and change time for this feed, in feed order, straight into one
   * buffer (no per-event JavaScript strings: a 10,000-event feed costs one allocation).
   */
  function assemble(key: string, header: ScopeHeader & { path: string | null }, scopes: string[]): BuiltFeed {
    const now = clock();
    const params = { scopes: JSON.stringify(scopes), now, keep: CANCELLED_KEEP_MS };
    const facts = q.shownFacts.get(params) as { last_modified_ms: number | null; expires_at_ms: number | null; tzids: string | null };
    let lastModifiedMs = facts.last_modified_ms ?? 0;
    for (const at of header.changedAt) if (at) lastModifiedMs = Math.max(lastModifiedMs, Date.parse(at));
    const [head, tail] = calendarFrame(header, facts.tzids ? facts.tzids.split(',') : [], options);
    const plain = q.assemble.get({ ...params, head, tail }) as Buffer;
    return {
      scope: key,
      etag: strongEtag(plain),
      // A feed with nothing dated in it is new as of now, not of 1970 (If-Modified-Since would answer 304).
      lastModifiedMs: lastModifiedMs || now,
      expiresAtMs: facts.expires_at_ms,
      plain,
      gzip: gzipSync(plain, { level: 6 }),
      br: brotliCompressSync(plain, {
        params: { [zlib.BROTLI_PARAM_QUALITY]: 5, [zlib.BROTLI_PARAM_SIZE_HINT]: plain.length, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT },
      }),
    };
  }

  /** A stored body, if any. */
  function stored(scope: string): BuiltFeed | undefined {
    const r = q.body.get(scope) as Record<string, unknown> | undefined;
    if (!r) return undefined;
    return {
      scope,
      etag: r.etag as string,
      lastModifiedMs: r.last_modified_ms as number,
      expiresAtMs: r.expires_at_ms as number | null,
      plain: r.plain as Buffer,
      gzip: r.gzip as Buffer,
      br: r.br as Buffer,
    };
  }

  /** Stores a scope's new body, or removes it (and a gone participant's feed) when the feed answers 404. */
  function save(scope: string, built: BuiltFeed | AppError): void {
    if (built instanceof AppError) {
      q.dropBody.run(scope);
      if (scope.startsWith('personal:')) q.dropScope.run(scope);
      return;
    }
    const previous = q.validators.get(scope) as { etag: string; last_modified_ms: number } | undefined;
    // Last-Modified only moves forward: a new body never claims to be older than the one it replaces.
    if (previous && previous.etag !== built.etag && built.lastModifiedMs <= previous.last_modified_ms) {
      built.lastModifiedMs = Math.max(clock(), previous.last_modified_ms + 1000);
    }
    if (previous?.etag === built.etag) built.lastModifiedMs = previous.last_modified_ms;
    q.saveBody.run(built);
  }

  return { build: buildBody, buildMerged, stored, save };
}

export type FeedBodies = ReturnType<typeof feedBodies>;
