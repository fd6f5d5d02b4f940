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

/**
 * Past this size a feed counts as large: it is compressed with the faster settings, and its plain bytes stay
 * in the database instead of in memory (calendar services ask for gzip or brotli; a client that does not
 * gets the plain bytes read from `feed_bodies`).
 */
export const LARGE_FEED_BYTES = 1024 * 1024;

/** A stored body as a poll needs it: the plain bytes only when the feed is not large. */
export interface StoredFeed extends Omit<BuiltFeed, 'plain'> {
  plain: Buffer | null;
  plainLength: number;
}

export const strongEtag = (body: Buffer): string => `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;

// The events a feed shows now: live ones, and cancelled ones (left the feed, or cancelled outright) for 30
// days after their change; dropping out is a change too (Last-Modified). `rows` picks a feed's events with
// their fragment for it and their change time in it.
const judged = (rows: string) => `WITH rows AS (${rows}), timed AS (
    SELECT *, CAST(round(unixepoch(stamp, 'subsec') * 1000) AS INTEGER) AS stamp_ms, (present = 1 AND cancelled_at IS NULL) AS live
    FROM rows WHERE frag IS NOT NULL
  ), judged AS (
    SELECT *, (live OR stamp_ms + @keep > @now) AS shown, strftime('%Y%m%dT%H%M%SZ', stamp) AS ics_stamp FROM timed
  )`;
const EVENT_COLUMNS = `fe.uid, se.meeting_id, fe.sort_key, se.present, fe.cancelled_at, fe.tzid,
    CASE WHEN se.present = 1 THEN fe.ics_live ELSE fe.ics_cancelled END AS frag, max(se.changed_at, fe.last_modified) AS stamp`;
/** Some meetings' events in one scope. */
const ONE_SCOPE = judged(`SELECT ${EVENT_COLUMNS}, se.sequence FROM feed_scope_events se JOIN feed_events fe ON fe.uid = se.uid
    WHERE se.scope = @scope AND se.meeting_id IN (SELECT value FROM json_each(@meetings))`);
/** The events of several scopes: one person's records in several networks hold different meetings; GROUP BY keeps each UID once. */
const SCOPES = judged(`SELECT ${EVENT_COLUMNS}, max(se.sequence) AS sequence FROM feed_scope_events se JOIN feed_events fe ON fe.uid = se.uid
    WHERE se.scope IN (SELECT value FROM json_each(@scopes)) GROUP BY fe.uid`);
// Fragments start `BEGIN:VEVENT`, CRLF, `UID:…`, CRLF (20 characters and the UID): the feed's own lines go
// right after. Shown events in feed order, straight into one buffer (no per-event JavaScript strings).
const FRAMED = `CAST(coalesce(group_concat(CASE WHEN shown THEN
    substr(frag, 1, 20 + length(uid)) || 'SEQUENCE:' || sequence || char(13, 10) || 'DTSTAMP:' || ics_stamp || char(13, 10)
    || 'LAST-MODIFIED:' || ics_stamp || char(13, 10) || substr(frag, 21 + length(uid)) END, '' ORDER BY sort_key), '') AS BLOB)`;
const FACTS = `max(CASE WHEN shown THEN stamp_ms ELSE stamp_ms + @keep END) AS last_modified_ms,
    min(CASE WHEN shown AND NOT live THEN stamp_ms + @keep END) AS expires_at_ms,
    group_concat(DISTINCT CASE WHEN shown THEN tzid END) AS tzids`;

/** A feed's events, framed, with what the feed's validators need to know of them. */
interface Piece {
  text: Buffer;
  last_modified_ms: number | null;
  expires_at_ms: number | null;
  tzids: string | null;
}
interface Chunk extends Piece {
  meeting_id: string;
  first_key: string;
}

/**
 * A feed compressed once per change. Past 1 MiB (thousands of events) the faster settings: a 7 MB feed takes
 * 30 ms instead of 85 ms (gzip 1 and brotli 3 instead of 6 and 5) and comes out 12-17% larger.
 */
export function compressed(plain: Buffer): { gzip: Buffer; br: Buffer } {
  const large = plain.length > LARGE_FEED_BYTES;
  return {
    gzip: gzipSync(plain, { level: large ? 1 : 6 }),
    br: brotliCompressSync(plain, {
      params: {
        [zlib.BROTLI_PARAM_QUALITY]: large ? 3 : 5,
        [zlib.BROTLI_PARAM_SIZE_HINT]: plain.length,
        [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
      },
    }),
  };
}

const byFeedOrder = (a: Chunk, b: Chunk) =>
  a.first_key < b.first_key ? -1 : a.first_key > b.first_key ? 1 : a.meeting_id < b.meeting_id ? -1 : a.meeting_id > b.meeting_id ? 1 : 0;

export function feedBodies(db: Db, options: RenderOptions & { clock?: () => number }) {
  const sqlite = db.$client;
  const clock = options.clock ?? Date.now;
  const q = {
    participantExists: sqlite.prepare('SELECT EXISTS (SELECT 1 FROM participants WHERE id = ?)').pluck(),
    /** The pieces (one per meeting) of one scope's feed, assembled and kept in `feed_scope_chunks`. */
    chunks: sqlite.prepare(
      `SELECT meeting_id, first_key, text, last_modified_ms, expires_at_ms, tzids FROM feed_scope_chunks
       WHERE scope = @scope AND (expires_at_ms IS NULL OR expires_at_ms > @now)`,
    ),
    scopeMeetings: sqlite.prepare('SELECT DISTINCT meeting_id FROM feed_scope_events WHERE scope = ?').pluck(),
    assembleChunks: sqlite.prepare(`${ONE_SCOPE} SELECT meeting_id, min(sort_key) AS first_key, ${FRAMED} AS text, ${FACTS} FROM judged GROUP BY meeting_id`),
    saveChunk: sqlite.prepare(
      `INSERT OR REPLACE INTO feed_scope_chunks (scope, meeting_id, first_key, text, last_modified_ms, expires_at_ms, tzids)
       VALUES (@scope, @meeting_id, @first_key, @text, @last_modified_ms, @expires_at_ms, @tzids)`,
    ),
    assembleScopes: sqlite.prepare(`${SCOPES} SELECT ${FRAMED} AS text, ${FACTS} FROM judged`),
    // length() of a BLOB column reads no content: a large feed's plain bytes stay on disk.
    body: sqlite.prepare(
      `SELECT etag, last_modified_ms, expires_at_ms, gzip, br, length(plain) AS plain_length,
       CASE WHEN length(plain) <= ${LARGE_FEED_BYTES} THEN plain END AS plain FROM feed_bodies WHERE scope = ?`,
    ),
    plain: sqlite.prepare('SELECT plain FROM feed_bodies WHERE scope = ? AND etag = ?').pluck(),
    validators: sqlite.prepare('SELECT etag, last_modified_ms FROM feed_bodies WHERE scope = ?'),
    saveBody: sqlite.prepare(
      `INSERT INTO feed_bodies (scope, etag, last_modified_ms, expires_at_ms, plain, gzip, br) VALUES (@scope, @etag, @lastModifiedMs, @expiresAtMs, @plain, @gzip, @br)
       ON CONFLICT (scope) DO UPDATE SET etag = excluded.etag, last_modified_ms = excluded.last_modified_ms, expires_at_ms = excluded.expires_at_ms,
       plain = excluded.plain, gzip = excluded.gzip, br = excluded.br`,
    ),
    setExpiry: sqlite.prepare('UPDATE feed_bodies SET expires_at_ms = ? WHERE scope = ?'),
    dropBody: sqlite.prepare('DELETE FROM feed_bodies WHERE scope = ?'),
    dropScope: sqlite.prepare('DELETE FROM feed_scope_events WHERE scope = ?'),
  };

  /**
   * The feed of a scope as it should be served now, from its pieces: those kept that are still current, the
   * others assembled from stored fragments (and kept when `keep` is set: the publisher's transaction; a poll
   * writes nothing). The 404 when the feed is gone.
   */
  function buildBody(scopeKeyString: string, { keep = false } = {}): BuiltFeed | AppError {
    const scope = scopeOfKey(scopeKeyString);
    if (scope.kind === 'personal' && !q.participantExists.get(scope.participantId)) return notFound('Feed', 'personal');
    const header = scopeHeader(db, scope);
    if (header instanceof AppError) return header;
    const now = clock();
    const chunks = q.chunks.all({ scope: scopeKeyString, now }) as Chunk[];
    const current = new Set(chunks.map((c) => c.meeting_id));
    const missing = (q.scopeMeetings.all(scopeKeyString) as string[]).filter((m) => !current.has(m));
    if (missing.length > 0) {
      const made = q.assembleChunks.all({ scope: scopeKeyString, meetings: JSON.stringify(missing), now, keep: CANCELLED_KEEP_MS }) as Chunk[];
      if (keep) for (const c of made) q.saveChunk.run({ scope: scopeKeyString, ...c });
      chunks.push(...made);
    }
    return frame(scopeKeyString, { ...header, path: scope.kind === 'personal' ? null : feedPath(scope) }, chunks.sort(byFeedOrder), now);
  }

  /** One feed of several personal scopes (one person's records in several networks). Reads only. */
  function buildMerged(key: string, scopes: string[]): BuiltFeed {
    const now = clock();
    const piece = q.assembleScopes.get({ scopes: JSON.stringify(scopes), now, keep: CANCELLED_KEEP_MS }) as Piece;
    return frame(key, { ...(scopeHeader(db, { kind: 'personal', participantId: '' }) as ScopeHeader), path: null }, [piece], now);
  }

  /** The calendar around the feed's events, its validators, and its encodings. */
  function frame(key: string, header: ScopeHeader & { path: string | null }, pieces: Piece[], now: number): BuiltFeed {
    let lastModifiedMs = 0;
    let expiresAtMs: number | null = null;
    const tzids: string[] = [];
    for (const p of pieces) {
      if (p.last_modified_ms !== null) lastModifiedMs = Math.max(lastModifiedMs, p.last_modified_ms);
      if (p.expires_at_ms !== null) expiresAtMs = Math.min(expiresAtMs ?? Infinity, p.expires_at_ms);
      if (p.tzids) tzids.push(...p.tzids.split(','));
    }
    for (const at of header.changedAt) if (at) lastModifiedMs = Math.max(lastModifiedMs, Date.parse(at));
    const [head, tail] = calendarFrame(header, tzids, options);
    const plain = Buffer.concat([Buffer.from(head), ...pieces.map((p) => p.text), Buffer.from(tail)]);
    return {
      scope: key,
      etag: strongEtag(plain),
      // A feed with nothing dated in it is new as of now, not of 1970 (If-Modified-Since would answer 304).
      lastModifiedMs: lastModifiedMs || now,
      expiresAtMs,
      plain,
      ...compressed(plain),
    };
  }

  /** A stored body, if any (a large one without its plain bytes). */
  function stored(scope: string): StoredFeed | undefined {
    const r = q.body.get(scope) as Record<string, unknown> | undefined;
    if (!r) return undefined;
    return {
      scope,
      etag: r.etag as string,
      lastModifiedMs: r.last_modified_ms as number,
      expiresAtMs: r.expires_at_ms as number | null,
      plain: r.plain as Buffer | null,
      plainLength: r.plain_length as number,
      gzip: r.gzip as Buffer,
      br: r.br as Buffer,
    };
  }

  /** The plain bytes of a stored body, if it is still the one with this ETag. */
  function storedPlain(scope: string, etag: string): Buffer | undefined {
    return q.plain.get(scope, etag) as Buffer | undefined;
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
    if (previous?.etag === built.etag) {
      // The same bytes: only when the next cancelled event drops out may have moved.
      built.lastModifiedMs = previous.last_modified_ms;
      q.setExpiry.run(built.expiresAtMs, scope);
      return;
    }
    q.saveBody.run(built);
  }

  return { build: buildBody, buildMerged, stored, storedPlain, save };
}

export type FeedBodies = ReturnType<typeof feedBodies>;
