// Feed bodies: what a feed says now, put together from its scopes' stored fragments, in each encoding, and
// kept in `feed_bodies` so a poll (even the first after a restart) reads bytes instead of building them.
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants as zlib, crc32, deflateRawSync, gzipSync } from 'node:zlib';
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
  /** The plain bytes; null for a large feed, which is never put together in one buffer (its gzip decodes to them). */
  plain: Buffer | null;
  plainLength: number;
  gzip: Buffer;
  /** null for a large feed: a brotli stream cannot be put together from pieces compressed one by one. */
  br: Buffer | null;
}

/**
 * Past this size a feed counts as large (thousands of events). Its plain bytes are never put together in one
 * buffer, in memory or in the database: the gzip encoding is made piece by piece (gzipOfPieces), a client
 * that asks for no compression gets that gzip decoded as it is sent, and there is no brotli encoding (calendar
 * services ask for gzip). Buffers of many megabytes, each freed after one publication, are what grows a
 * server's memory for good (the C allocator keeps such sizes in its heap once one has been freed); the
 * largest buffer a large feed needs now is its gzip encoding.
 */
export const LARGE_FEED_BYTES = 1024 * 1024;

/** A stored body as a poll needs it (the same as a built one). */
export type StoredFeed = BuiltFeed;

/** The ETag of a body given in pieces: the same as of the pieces put together. */
export const strongEtag = (...pieces: Buffer[]): string => {
  const hash = createHash('sha256');
  for (const piece of pieces) hash.update(piece);
  return `"${hash.digest('base64url').slice(0, 32)}"`;
};

/** A small feed compressed once per change, in both encodings. */
export function compressed(plain: Buffer): { gzip: Buffer; br: Buffer } {
  return {
    gzip: gzipSync(plain, { level: 6 }),
    br: brotliCompressSync(plain, {
      params: {
        [zlib.BROTLI_PARAM_QUALITY]: 5,
        [zlib.BROTLI_PARAM_SIZE_HINT]: plain.length,
        [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
      },
    }),
  };
}

// A gzip member (RFC 1952): no name, no time, from Unix; deflate.
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
// Pieces are compressed in runs of at least this many bytes (small pieces together: they share a dictionary).
const SEGMENT_BYTES = 64 * 1024;

/**
 * One gzip member made of pieces compressed one run at a time, never putting the whole input together: each
 * run is a raw deflate segment ended by a sync flush (byte-aligned, not final), the last an empty final block,
 * then the CRC-32 of all the input (continued from piece to piece) and its length. Gzip level 1: a 7 MB feed
 * takes about 30 ms.
 */
export function gzipOfPieces(pieces: Buffer[]): Buffer {
  const out: Buffer[] = [GZIP_HEADER];
  let crc = 0;
  let length = 0;
  let run: Buffer[] = [];
  let runBytes = 0;
  const flush = () => {
    if (runBytes === 0) return;
    const input = run.length === 1 ? run[0]! : Buffer.concat(run, runBytes);
    out.push(deflateRawSync(input, { level: 1, finishFlush: zlib.Z_SYNC_FLUSH }));
    run = [];
    runBytes = 0;
  };
  for (const piece of pieces) {
    if (piece.length === 0) continue;
    crc = crc32(piece, crc);
    length += piece.length;
    // A large piece goes alone (no copy); small ones gather until the run is worth a segment.
    if (piece.length >= SEGMENT_BYTES) flush();
    run.push(piece);
    runBytes += piece.length;
    if (runBytes >= SEGMENT_BYTES) flush();
  }
  flush();
  out.push(deflateRawSync(Buffer.alloc(0)));
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(length >>> 0, 4);
  out.push(trailer);
  return Buffer.concat(out);
}

/** The length of what a gzip member decodes to (its trailer's ISIZE: feeds are far below 4 GiB). */
export const gzipDecodedLength = (gzip: Buffer): number => gzip.readUInt32LE(gzip.length - 4);

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

const EMPTY = Buffer.alloc(0);

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
    // A large feed is stored with empty plain and brotli columns; one stored before that (its plain bytes in
    // the table) is read without them: length() of a BLOB column reads no content.
    body: sqlite.prepare(
      `SELECT etag, last_modified_ms, expires_at_ms, gzip, CASE WHEN length(br) > 0 THEN br END AS br,
       length(plain) AS plain_length, CASE WHEN length(plain) BETWEEN 1 AND ${LARGE_FEED_BYTES} THEN plain END AS plain FROM feed_bodies WHERE scope = ?`,
    ),
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
    const parts = [Buffer.from(head), ...pieces.map((p) => p.text), Buffer.from(tail)];
    const plainLength = parts.reduce((sum, p) => sum + p.length, 0);
    // A feed with nothing dated in it is new as of now, not of 1970 (If-Modified-Since would answer 304).
    const validators = { scope: key, etag: strongEtag(...parts), lastModifiedMs: lastModifiedMs || now, expiresAtMs, plainLength };
    if (plainLength > LARGE_FEED_BYTES) return { ...validators, plain: null, gzip: gzipOfPieces(parts), br: null };
    const plain = Buffer.concat(parts, plainLength);
    return { ...validators, plain, ...compressed(plain) };
  }

  /** A stored body, if any (a large one with its gzip encoding only). */
  function stored(scope: string): StoredFeed | undefined {
    const r = q.body.get(scope) as Record<string, unknown> | undefined;
    if (!r) return undefined;
    const gzip = r.gzip as Buffer;
    return {
      scope,
      etag: r.etag as string,
      lastModifiedMs: r.last_modified_ms as number,
      expiresAtMs: r.expires_at_ms as number | null,
      plain: r.plain as Buffer | null,
      plainLength: (r.plain_length as number) || gzipDecodedLength(gzip),
      gzip,
      br: r.br as Buffer | null,
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
    if (previous?.etag === built.etag) {
      // The same bytes: only when the next cancelled event drops out may have moved.
      built.lastModifiedMs = previous.last_modified_ms;
      q.setExpiry.run(built.expiresAtMs, scope);
      return;
    }
    const { scope: key, etag, lastModifiedMs, expiresAtMs, gzip } = built;
    q.saveBody.run({ scope: key, etag, lastModifiedMs, expiresAtMs, gzip, plain: built.plain ?? EMPTY, br: built.br ?? EMPTY });
  }

  return { build: buildBody, buildMerged, stored, save };
}

export type FeedBodies = ReturnType<typeof feedBodies>;
