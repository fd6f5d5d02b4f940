// The feed publisher: turns queued changes (written by triggers in the writing transaction, see migration
// 0007) into stored feed state. Per meeting it re-publishes the meeting's events (SEQUENCE, rendered VEVENT
// fragments), updates which feeds (scopes) hold each event, and rebuilds the bodies of exactly the feeds
// that changed (feed-bodies.ts). Polls only read what this wrote.
// Each queue entry is one short transaction, so a network-wide change never holds the write lock for long;
// a crash between entries loses nothing (the entry stays queued until its work is committed).
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { placeholders, setPlaceholders } from '../../db/placeholders.js';
import { feedEvents, feedScopeEvents, type FeedEventRow, type FeedScopeEventRow } from '../../db/schema.js';
import { AppError } from '../http/errors.js';
import { nowIso } from '../http/ids.js';
import { publishedAgenda } from '../releases/published.js';
import { desiredEvents, type DesiredEvent } from './feed-content.js';
import type { BuiltFeed, FeedBodies } from './feed-bodies.js';
import { contentOf, planSync, themeKeysOf } from './feed-events.js';
import { eventTzid, renderFragment, type RenderOptions } from './feed-render.js';
import { scopesOfEvent, type MeetingContext } from './feed-scopes.js';
import { planScopes } from './scope-plan.js';

/** Bump when the fragment or body format changes: stored fragments are then rendered again at start-up. */
// 2: every event's URL is its meeting page (was the JSON agenda).
const RENDER_VERSION = 2;

export interface PublisherOptions extends RenderOptions {
  clock?: () => number;
  /** Told of every feed body written or removed (null), so caches can follow. */
  onBody?: (scope: string, built: BuiltFeed | null) => void;
}

const sortKey = (d: { kind: string; uid: string }, c: { date: string; startTime: string }) =>
  `${c.date}T${c.startTime}|${d.kind === 'meeting' ? 0 : 1}|${d.uid}`;

const PRIORITY = `CASE kind WHEN 'meeting' THEN 0 WHEN 'personal' THEN 1 WHEN 'network' THEN 2 ELSE 3 END`;

export function feedPublisher(db: Db, bodies: FeedBodies, options: PublisherOptions) {
  const sqlite = db.$client;
  const clock = options.clock ?? Date.now;
  const nowString = () => (options.clock ? new Date(clock()).toISOString() : nowIso());

  const q = {
    pending: sqlite.prepare('SELECT EXISTS (SELECT 1 FROM feed_queue)').pluck(),
    hasBodies: sqlite.prepare('SELECT EXISTS (SELECT 1 FROM feed_bodies)').pluck(),
    next: sqlite.prepare(`SELECT kind, key FROM feed_queue ORDER BY ${PRIORITY}, key LIMIT ?`),
    done: sqlite.prepare('DELETE FROM feed_queue WHERE kind = ? AND key = ?'),
    enqueue: sqlite.prepare('INSERT OR IGNORE INTO feed_queue (kind, key) VALUES (?, ?)'),
    updateScope: sqlite.prepare('UPDATE feed_scope_events SET sequence = ?, present = ?, changed_at = ? WHERE scope = ? AND uid = ?'),
    meeting: sqlite.prepare('SELECT cluster_id AS clusterId FROM meetings WHERE id = ?'),
    registered: sqlite.prepare(
      "SELECT participant_id AS participantId, track_id AS trackId FROM registrations WHERE meeting_id = ? AND status = 'registered' ORDER BY participant_id",
    ),
    registration: sqlite.prepare(
      "SELECT track_id AS trackId FROM registrations WHERE meeting_id = ? AND participant_id = ? AND status = 'registered'",
    ),
    setCancelledForm: sqlite.prepare('UPDATE feed_events SET ics_cancelled = ? WHERE uid = ?'),
    expired: sqlite.prepare('SELECT scope FROM feed_bodies WHERE expires_at_ms <= ?').pluck(),
    networkScopes: sqlite.prepare(
      `SELECT 'network:' || @slug UNION SELECT 'theme:' || network_slug || '/' || key FROM themes WHERE network_slug = @slug
       UNION SELECT DISTINCT scope FROM feed_scope_events WHERE scope >= 'theme:' || @slug || '/' AND scope < 'theme:' || @slug || '0'
       UNION SELECT 'cluster:' || id FROM clusters WHERE network_slug = @slug`,
    ).pluck(),
    meta: sqlite.prepare('SELECT value FROM feed_meta WHERE key = ?').pluck(),
    setMeta: sqlite.prepare('INSERT INTO feed_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
  };

  const immediate = <T>(fn: () => T): T => sqlite.transaction(fn).immediate();
  // Prepared once: these run per event, thousands of times in a large release.
  const prepared = {
    insertEvent: db.insert(feedEvents).values(placeholders(feedEvents)).prepare(),
    updateEvent: db.update(feedEvents).set(setPlaceholders(feedEvents)).where(eq(feedEvents.uid, sql.placeholder('uid'))).prepare(),
    insertScopeEvent: db.insert(feedScopeEvents).values(placeholders(feedScopeEvents)).prepare(),
    eventsOfMeeting: db.select().from(feedEvents).where(eq(feedEvents.meetingId, sql.placeholder('meetingId'))).prepare(),
    scopeEventsOfMeeting: db.select().from(feedScopeEvents).where(eq(feedScopeEvents.meetingId, sql.placeholder('meetingId'))).prepare(),
  };

  /** Renders an event's live fragment (and its feed order and TZID); the cancelled form is rendered when a feed needs it. */
  function render(row: FeedEventRow): FeedEventRow {
    const content = contentOf(row);
    const input = { uid: row.uid, createdAt: row.createdAt, content };
    return { ...row, sortKey: sortKey(row, content), tzid: eventTzid(content), icsLive: renderFragment(input, row.cancelledAt !== null, options), icsCancelled: null };
  }

  /** The event as a cancellation, for the feeds it has left (the live form already is one for a cancelled event). */
  function cancelledForm(row: FeedEventRow): string {
    if (row.cancelledAt !== null && row.icsLive !== null) return row.icsLive;
    return renderFragment({ uid: row.uid, createdAt: row.createdAt, content: contentOf(row) }, true, options);
  }

  const eventsOfMeeting = (meetingId: string): FeedEventRow[] => prepared.eventsOfMeeting.all({ meetingId });

  function writeEvent(row: FeedEventRow, insert: boolean): void {
    if (insert) prepared.insertEvent.run(row);
    else prepared.updateEvent.run(row);
  }

  function applyScopeChanges(changes: ReturnType<typeof planScopes>, touched: Set<string>): void {
    for (const c of changes) {
      if ('insert' in c) {
        prepared.insertScopeEvent.run(c.insert);
        touched.add(c.insert.scope);
      } else {
        q.updateScope.run(c.set.sequence, c.set.present, c.set.changedAt, c.update.scope, c.update.uid);
        touched.add(c.update.scope);
      }
    }
  }

  /** Publishes one meeting again: its events, their fragments and the feeds holding them. Returns the feeds changed. */
  function syncMeeting(meetingId: string, now: string): Set<string> {
    const touched = new Set<string>();
    const published = publishedAgenda(db, meetingId);
    const desired: DesiredEvent[] = published ? desiredEvents(published) : [];
    const before = new Map(eventsOfMeeting(meetingId).map((r) => [r.uid, r]));
    const after = new Map(before);
    for (const c of planSync([...before.values()], desired, now)) {
      if ('insert' in c) after.set(c.insert.uid, { ...c.insert });
      else after.set(c.update, { ...after.get(c.update)!, ...c.set });
    }
    const live = published ? (q.meeting.get(meetingId) as { clusterId: string | null } | undefined) : undefined;
    const meetingRow = [...after.values()].find((r) => r.kind === 'meeting');
    const context: MeetingContext = {
      clusterId: live?.clusterId ?? null,
      trackIds: published ? published.tracks.map((t) => t.id) : meetingRow ? contentOf(meetingRow).tracks.map((t) => t.id) : [],
      registrations: published ? (q.registered.all(meetingId) as MeetingContext['registrations']) : [],
    };
    const desiredByUid = new Map(desired.map((d) => [d.uid, d]));
    const scopeRows = new Map<string, FeedScopeEventRow[]>();
    for (const row of prepared.scopeEventsOfMeeting.all({ meetingId })) {
      scopeRows.set(row.uid, [...(scopeRows.get(row.uid) ?? []), row]);
    }

    for (const [uid, row] of after) {
      const old = before.get(uid);
      const changed = !old || old.sequence !== row.sequence || old.cancelledAt !== row.cancelledAt;
      let next = changed || row.icsLive === null ? render(row) : row;
      if (next.scoped === 0) next = { ...next, scoped: 1 };
      const placement = { uid, kind: row.kind, networkSlug: row.networkSlug, meetingId, trackId: row.trackId, themeKeys: themeKeysOf(row) };
      let existing = scopeRows.get(uid) ?? [];
      if (old && old.scoped === 0 && existing.length === 0) {
        // A row from before per-feed history: the feeds it was in follow from where it sat.
        const wasShown = old.cancelledAt === null || desiredByUid.get(uid)?.cancelled === true;
        const seeded = scopesOfEvent({ ...placement, trackId: old.trackId, themeKeys: themeKeysOf(old) }, context).map(
          (scope): FeedScopeEventRow => ({ scope, uid, meetingId, sequence: old.sequence, present: wasShown ? 1 : 0, changedAt: old.lastModified }),
        );
        if (seeded.length > 0) db.insert(feedScopeEvents).values(seeded).run();
        existing = seeded;
      }
      const scopes = desiredByUid.has(uid) ? scopesOfEvent(placement, context) : [];
      const changes = planScopes({ uid, meetingId, sequence: row.sequence, changed }, existing, scopes, now);
      applyScopeChanges(changes, touched);
      // Shown as cancelled somewhere (it left a feed): the cancelled form must exist.
      const present = new Map(existing.map((r) => [r.scope, r.present]));
      for (const c of changes) if ('update' in c) present.set(c.update.scope, c.set.present);
      if (next.icsCancelled === null && [...present.values()].includes(0)) next = { ...next, icsCancelled: cancelledForm(next) };
      if (!old || next !== old) {
        writeEvent(next, !old);
        // A fragment rendered again (a change, other settings) changes every feed showing it.
        for (const r of existing) touched.add(r.scope);
      }
    }
    // The meeting event names its track feeds: a change to it changes their headers.
    if (meetingRow && before.get(meetingRow.uid)?.sequence !== meetingRow.sequence) {
      for (const t of context.trackIds) touched.add(`track:${t}`);
    }
    return touched;
  }

  /** A registration changed: the participant's feed takes in or lets go of the meeting's events. */
  function syncPersonal(meetingId: string, participantId: string, now: string): Set<string> {
    const touched = new Set<string>();
    const scope = `personal:${participantId}`;
    const reg = q.registration.get(meetingId, participantId) as { trackId: string | null } | undefined;
    const existing = new Map<string, FeedScopeEventRow[]>();
    const rows = db.select().from(feedScopeEvents).where(and(eq(feedScopeEvents.meetingId, meetingId), eq(feedScopeEvents.scope, scope))).all();
    for (const r of rows) existing.set(r.uid, [r]);
    for (const row of eventsOfMeeting(meetingId)) {
      const wanted = row.published === 1 && reg !== undefined && (row.kind === 'meeting' || row.trackId === null || row.trackId === reg.trackId);
      const changes = planScopes({ uid: row.uid, meetingId, sequence: row.sequence, changed: false }, existing.get(row.uid) ?? [], wanted ? [scope] : [], now);
      applyScopeChanges(changes, touched);
      if (row.icsCancelled === null && changes.some((c) => 'update' in c && c.set.present === 0)) q.setCancelledForm.run(cancelledForm(row), row.uid);
    }
    touched.add(scope);
    return touched;
  }

  /** Builds and stores one scope's body (or removes it when the feed is gone). */
  function publishBody(scope: string): void {
    const built = immediate(() => {
      const body = bodies.build(scope, { keep: true });
      bodies.save(scope, body);
      q.done.run('body', scope);
      return body;
    });
    options.onBody?.(scope, built instanceof AppError ? null : built);
  }

  function processEntry(kind: string, key: string): void {
    if (kind === 'body') return publishBody(key);
    immediate(() => {
      const now = nowString();
      let touched: Set<string>;
      if (kind === 'meeting') touched = syncMeeting(key, now);
      else if (kind === 'personal') {
        const [meetingId, participantId] = key.split(' ') as [string, string];
        touched = syncPersonal(meetingId, participantId, now);
      } else if (kind === 'network') touched = new Set(q.networkScopes.all({ slug: key }) as string[]);
      else touched = new Set();
      for (const scope of touched) q.enqueue.run('body', scope);
      q.done.run(kind, key);
    });
  }

  return {
    /** Whether work is queued (one cheap query). */
    pending: (): boolean => q.pending.get() === 1,
    /** Whether any feed has been built (false on a new or just-upgraded database). */
    hasBodies: (): boolean => q.hasBodies.get() === 1,
    /**
     * Works through the queue until it is empty or `budgetMs` has passed; returns whether work is left.
     * Every entry is its own transaction.
     */
    drain(budgetMs = Infinity): boolean {
      const until = budgetMs === Infinity ? Infinity : performance.now() + budgetMs;
      for (;;) {
        const batch = q.next.all(64) as { kind: string; key: string }[];
        if (batch.length === 0) return false;
        for (const e of batch) {
          processEntry(e.kind, e.key);
          if (performance.now() >= until) return q.pending.get() === 1;
        }
      }
    },
    /** Queues the feeds whose cancelled events have dropped out since they were built. */
    queueExpired(): number {
      const scopes = q.expired.all(clock()) as string[];
      if (scopes.length === 0) return 0;
      immediate(() => {
        for (const s of scopes) q.enqueue.run('body', s);
      });
      return scopes.length;
    },
    /**
     * Start-up: fragments rendered with other settings (base URL, renderer) are rendered again, and bodies
     * built with another TTL are rebuilt. Only queues the work.
     */
    checkSettings(): void {
      const fragments = JSON.stringify([RENDER_VERSION, options.publicBaseUrl]);
      const bodies = JSON.stringify([RENDER_VERSION, options.publicBaseUrl, options.feedTtlMinutes]);
      immediate(() => {
        if (q.meta.get('fragments') !== fragments) {
          sqlite.prepare('UPDATE feed_events SET ics_live = NULL, ics_cancelled = NULL').run();
          sqlite.prepare("INSERT OR IGNORE INTO feed_queue (kind, key) SELECT DISTINCT 'meeting', meeting_id FROM feed_events").run();
          q.setMeta.run('fragments', fragments);
        }
        if (q.meta.get('bodies') !== bodies) {
          sqlite.prepare("INSERT OR IGNORE INTO feed_queue (kind, key) SELECT DISTINCT 'body', scope FROM feed_scope_events").run();
          sqlite.prepare("INSERT OR IGNORE INTO feed_queue (kind, key) SELECT 'body', scope FROM feed_bodies").run();
          q.setMeta.run('bodies', bodies);
        }
      });
    },
  };
}

export type FeedPublisher = ReturnType<typeof feedPublisher>;
