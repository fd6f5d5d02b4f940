// The four kinds of feed and what each shows: which stored events, under which calendar name. Feeds are
// built from `feed_events` only (synced first), so a meeting or item that is gone can still be announced
// as cancelled. Unknown network, meeting, track or theme: 404.
import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { clusters, feedEvents, meetings, networks, themes, tracks, type FeedEventRow } from '../../db/schema.js';
import { participantsByFeedSecret } from '../participants/participants.repository.js';
import { registrationsForFeed } from '../registrations/registrations.repository.js';
import { notFound } from '../http/errors.js';
import type { EventContent } from './feed-content.js';
import { CANCELLED_KEEP_MS, contentOf, isShown } from './feed-events.js';

export type FeedScope =
  | { kind: 'network'; slug: string }
  | { kind: 'meeting'; id: string; items: boolean }
  | { kind: 'track'; id: string }
  | { kind: 'theme'; slug: string; key: string }
  /** The meetings of one cluster (klynge) of a network. */
  | { kind: 'cluster'; id: string }
  /** A participant's own calendar, at a secret capability URL: their meetings, plenary items and chosen tracks. */
  | { kind: 'personal'; secret: string };

export interface FeedEvent {
  row: FeedEventRow;
  content: EventContent;
}

export interface FeedModel {
  /** The feed's own path, e.g. `/feeds/networks/x.ics`. */
  path: string;
  name: string;
  description: string;
  events: FeedEvent[];
  /** When anything shown last changed (ms): the newest event change, header change or expiry. */
  lastModifiedMs: number;
  /** When the next cancelled event drops out (ms), Infinity when none will. */
  expiresAt: number;
  /** Identifies the rendered body: equal keys give equal bodies. */
  renderKey: string;
}

export function feedPath(scope: FeedScope): string {
  switch (scope.kind) {
    case 'network':
      return `/feeds/networks/${scope.slug}.ics`;
    case 'meeting':
      return `/feeds/meetings/${scope.id}.ics${scope.items ? '?items=1' : ''}`;
    case 'track':
      return `/feeds/tracks/${scope.id}.ics`;
    case 'theme':
      return `/feeds/networks/${scope.slug}/themes/${scope.key}.ics`;
    case 'cluster':
      return `/feeds/clusters/${scope.id}.ics`;
    case 'personal':
      return `/feeds/personal/${scope.secret}.ics`;
  }
}

/** The meetings a participant's personal feed shows, with the track they chose (registered places only). */
function personalMeetings(db: Db, secret: string): { meetingId: string; trackId: string | null }[] | undefined {
  const records = participantsByFeedSecret(db, secret);
  if (records.length === 0) return undefined;
  return records.flatMap((p) => registrationsForFeed(db, p.id)).filter((r) => r.status === 'registered');
}

const rowsWhere = (db: Db, where: ReturnType<typeof and>) => db.select().from(feedEvents).where(where).all();

const distinct = (values: (string | null | undefined)[]): string[] =>
  [...new Set(values.filter((v): v is string => typeof v === 'string'))];

function networkSlugsOfMeeting(db: Db, meetingId: string): string[] {
  const live = db.select({ slug: meetings.networkSlug }).from(meetings).where(eq(meetings.id, meetingId)).get();
  const stored = db
    .selectDistinct({ slug: feedEvents.networkSlug })
    .from(feedEvents)
    .where(eq(feedEvents.meetingId, meetingId))
    .all();
  return distinct([live?.slug, ...stored.map((s) => s.slug)]);
}

/** The meeting a track belongs to: live, or as remembered by its items or by its meeting's released tracks. */
function meetingOfTrack(db: Db, trackId: string): string | undefined {
  const live = db.select({ meetingId: tracks.meetingId }).from(tracks).where(eq(tracks.id, trackId)).get();
  if (live) return live.meetingId;
  const stored = db
    .select({ meetingId: feedEvents.meetingId })
    .from(feedEvents)
    .where(
      or(
        eq(feedEvents.trackId, trackId),
        and(
          eq(feedEvents.kind, 'meeting'),
          sql`exists (select 1 from json_each(${feedEvents.content}, '$.tracks') where json_extract(value, '$.id') = ${trackId})`,
        ),
      ),
    )
    .limit(1)
    .get();
  return stored?.meetingId;
}

/** The networks whose events a feed shows: they are synced before the feed is read. */
export function networksOfScope(db: Db, scope: FeedScope): string[] {
  switch (scope.kind) {
    case 'network':
    case 'theme': {
      // Only networks that exist or once published: a request for any other slug syncs (and remembers) nothing.
      const live = db.select({ slug: networks.slug }).from(networks).where(eq(networks.slug, scope.slug)).get();
      const stored = live ?? db.select({ slug: feedEvents.networkSlug }).from(feedEvents).where(eq(feedEvents.networkSlug, scope.slug)).limit(1).get();
      return stored ? [scope.slug] : [];
    }
    case 'meeting':
      return networkSlugsOfMeeting(db, scope.id);
    case 'track': {
      const meetingId = meetingOfTrack(db, scope.id);
      return meetingId ? networkSlugsOfMeeting(db, meetingId) : [];
    }
    case 'cluster': {
      const cluster = db.select({ slug: clusters.networkSlug }).from(clusters).where(eq(clusters.id, scope.id)).get();
      return cluster ? [cluster.slug] : [];
    }
    case 'personal':
      return distinct((personalMeetings(db, scope.secret) ?? []).flatMap((r) => networkSlugsOfMeeting(db, r.meetingId)));
  }
}

const byStart = (a: FeedEvent, b: FeedEvent) =>
  a.content.date.localeCompare(b.content.date) ||
  a.content.startTime.localeCompare(b.content.startTime) ||
  (a.row.kind === b.row.kind ? 0 : a.row.kind === 'meeting' ? -1 : 1) ||
  a.row.uid.localeCompare(b.row.uid);

/** The feed's shown events and validators, from its stored rows and the times its header last changed. */
export function feedModel(
  path: string,
  header: { name: string; description: string; changedAt: (string | undefined)[] },
  rows: FeedEventRow[],
  nowMs: number,
): FeedModel {
  let lastModifiedMs = 0;
  let expiresAt = Infinity;
  const events: FeedEvent[] = [];
  for (const row of rows) {
    const changed = Date.parse(row.lastModified);
    if (isShown(row, nowMs)) {
      events.push({ row, content: contentOf(row) });
      lastModifiedMs = Math.max(lastModifiedMs, changed);
      if (row.cancelledAt !== null) expiresAt = Math.min(expiresAt, changed + CANCELLED_KEEP_MS);
    } else {
      // Dropping out of the feed is a change too: If-Modified-Since must not answer 304 across it.
      lastModifiedMs = Math.max(lastModifiedMs, changed + CANCELLED_KEEP_MS);
    }
  }
  for (const at of header.changedAt) if (at) lastModifiedMs = Math.max(lastModifiedMs, Date.parse(at));
  events.sort(byStart);
  const renderKey = JSON.stringify([path, header.name, header.description, events.map((e) => `${e.row.uid}:${e.row.sequence}`)]);
  return { path, name: header.name, description: header.description, events, lastModifiedMs, expiresAt, renderKey };
}

/** The model of a feed, or a 404 AppError when the network, meeting, track or theme is unknown. */
export function selectFeed(db: Db, scope: FeedScope, nowMs: number): FeedModel {
  const path = feedPath(scope);
  switch (scope.kind) {
    case 'network': {
      const network = db.select().from(networks).where(eq(networks.slug, scope.slug)).get();
      const rows = rowsWhere(db, and(eq(feedEvents.networkSlug, scope.slug), eq(feedEvents.kind, 'meeting')));
      if (!network && rows.length === 0) throw notFound('Network', scope.slug);
      const name = network?.name ?? scope.slug;
      const description = network ? network.description.trim() || `Møder i ${network.name}` : `Møder i ${scope.slug}`;
      return feedModel(path, { name, description, changedAt: [network?.updatedAt] }, rows, nowMs);
    }
    case 'meeting': {
      const rows = rowsWhere(
        db,
        and(eq(feedEvents.meetingId, scope.id), scope.items ? undefined : eq(feedEvents.kind, 'meeting')),
      );
      const meetingRow = rows.find((r) => r.kind === 'meeting');
      // No stored meeting event: never published (a draft) or unknown.
      if (!meetingRow) throw notFound('Meeting', scope.id);
      const meeting = contentOf(meetingRow);
      const name = scope.items ? `${meeting.title} – program` : meeting.title;
      const description = scope.items ? `${meeting.title}: mødet og hvert punkt på programmet` : meeting.title;
      return feedModel(path, { name, description, changedAt: [] }, rows, nowMs);
    }
    case 'track': {
      const meetingId = meetingOfTrack(db, scope.id);
      const rows = meetingId
        ? rowsWhere(db, and(eq(feedEvents.meetingId, meetingId), or(eq(feedEvents.trackId, scope.id), isNull(feedEvents.trackId))))
        : [];
      const meetingRow = rows.find((r) => r.kind === 'meeting');
      const meeting = meetingRow ? contentOf(meetingRow) : undefined;
      const released = meeting?.tracks.find((t) => t.id === scope.id);
      const remembered = rows.map((r) => (r.trackId === scope.id ? contentOf(r) : undefined)).find((c) => c?.track)?.track;
      // A track is public once released; after that its cancelled items keep its feed alive.
      if (!meeting || (!released && !remembered)) throw notFound('Track', scope.id);
      const trackName = released?.name ?? remembered!.name;
      const name = `${meeting.meeting.title} – ${trackName}`;
      const description = released?.description.trim() || `${trackName}: fælles programpunkter og sporets egne`;
      // The name comes from the meeting's event: its changes are this feed's changes too.
      return feedModel(path, { name, description, changedAt: [meetingRow!.lastModified] }, rows.filter((r) => r.kind === 'item'), nowMs);
    }
    case 'theme': {
      const network = db.select().from(networks).where(eq(networks.slug, scope.slug)).get();
      const theme = db
        .select()
        .from(themes)
        .where(and(eq(themes.networkSlug, scope.slug), eq(themes.key, scope.key)))
        .get();
      const rows = rowsWhere(
        db,
        and(
          eq(feedEvents.networkSlug, scope.slug),
          eq(feedEvents.kind, 'item'),
          sql`exists (select 1 from json_each(${feedEvents.themeKeys}) where value = ${scope.key})`,
        ),
      );
      if (!theme && rows.length === 0) throw notFound('Theme', `${scope.slug}/${scope.key}`);
      const themeName = theme?.name ?? scope.key;
      const name = `${network?.name ?? scope.slug} – ${themeName}`;
      const description = theme?.description.trim() || themeName;
      return feedModel(path, { name, description, changedAt: [network?.updatedAt, theme?.updatedAt] }, rows, nowMs);
    }
    case 'cluster': {
      const cluster = db.select().from(clusters).where(eq(clusters.id, scope.id)).get();
      if (!cluster) throw notFound('Cluster', scope.id);
      const network = db.select().from(networks).where(eq(networks.slug, cluster.networkSlug)).get();
      const rows = rowsWhere(
        db,
        and(
          eq(feedEvents.kind, 'meeting'),
          inArray(feedEvents.meetingId, db.select({ id: meetings.id }).from(meetings).where(eq(meetings.clusterId, cluster.id))),
        ),
      );
      const name = `${network?.name ?? cluster.networkSlug} – ${cluster.name}`;
      return feedModel(path, { name, description: `Møder i ${cluster.name}`, changedAt: [cluster.updatedAt, network?.updatedAt] }, rows, nowMs);
    }
    case 'personal': {
      const chosen = personalMeetings(db, scope.secret);
      if (!chosen) throw notFound('Feed', 'personal');
      const rows = chosen.flatMap((r) =>
        rowsWhere(
          db,
          and(
            eq(feedEvents.meetingId, r.meetingId),
            or(eq(feedEvents.kind, 'meeting'), isNull(feedEvents.trackId), r.trackId ? eq(feedEvents.trackId, r.trackId) : undefined),
          ),
        ),
      );
      // Registration changes (a new track, a cancellation) change which rows are shown, and so the feed.
      return feedModel(path, { name: 'Mine netværksmøder', description: 'Mine møder med fælles programpunkter og de spor, jeg har valgt', changedAt: [] }, rows, nowMs);
    }
  }
}
