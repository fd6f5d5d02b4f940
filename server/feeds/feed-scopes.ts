// The kinds of feed (scopes), their keys and paths, which scopes an event belongs to, and each feed's
// calendar name. A scope's events are kept per scope in `feed_scope_events` (see feed-publisher.ts).
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { clusters, feedEvents, feedScopeEvents, networks, themes } from '../../db/schema.js';
import { notFound, type AppError } from '../http/errors.js';
import { contentOf } from './feed-events.js';

export type FeedScope =
  | { kind: 'network'; slug: string }
  | { kind: 'meeting'; id: string; items: boolean }
  | { kind: 'track'; id: string }
  | { kind: 'theme'; slug: string; key: string }
  /** The meetings of one cluster (klynge) of a network. */
  | { kind: 'cluster'; id: string }
  /** One participant record's calendar: their meetings, plenary items and chosen tracks. */
  | { kind: 'personal'; participantId: string };

/** The key a scope's events and body are stored under, e.g. `network:kl-…`, `theme:kl-…/aktuelt`. */
export function scopeKey(scope: FeedScope): string {
  switch (scope.kind) {
    case 'network':
      return `network:${scope.slug}`;
    case 'meeting':
      return `${scope.items ? 'meeting-items' : 'meeting'}:${scope.id}`;
    case 'track':
      return `track:${scope.id}`;
    case 'theme':
      return `theme:${scope.slug}/${scope.key}`;
    case 'cluster':
      return `cluster:${scope.id}`;
    case 'personal':
      return `personal:${scope.participantId}`;
  }
}

/** The scope a key names (the inverse of scopeKey). */
export function scopeOfKey(key: string): FeedScope {
  const at = key.indexOf(':');
  const kind = key.slice(0, at);
  const rest = key.slice(at + 1);
  switch (kind) {
    case 'network':
      return { kind: 'network', slug: rest };
    case 'meeting':
    case 'meeting-items':
      return { kind: 'meeting', id: rest, items: kind === 'meeting-items' };
    case 'track':
      return { kind: 'track', id: rest };
    case 'theme': {
      const slash = rest.indexOf('/');
      return { kind: 'theme', slug: rest.slice(0, slash), key: rest.slice(slash + 1) };
    }
    case 'cluster':
      return { kind: 'cluster', id: rest };
    case 'personal':
      return { kind: 'personal', participantId: rest };
    default:
      throw new Error(`unknown feed scope key ${key}`);
  }
}

/** The feed's own path (personal feeds live at their secret, which is not stored). */
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
      return '/feeds/personal/';
  }
}

/** Where an event sits: what decides the scopes it belongs to. */
export interface EventPlacement {
  uid: string;
  kind: 'meeting' | 'item';
  networkSlug: string;
  meetingId: string;
  trackId: string | null;
  themeKeys: string[];
}

/** What the meeting around an event says about its scopes. */
export interface MeetingContext {
  clusterId: string | null;
  /** The meeting's released tracks: plenary items are in each track's feed. */
  trackIds: string[];
  /** Registered places (not waiting lists): the personal feeds the meeting is in. */
  registrations: { participantId: string; trackId: string | null }[];
}

/** Every scope an event of a published meeting belongs to. Pure. */
export function scopesOfEvent(e: EventPlacement, m: MeetingContext): string[] {
  if (e.kind === 'meeting') {
    return [
      `network:${e.networkSlug}`,
      `meeting:${e.meetingId}`,
      `meeting-items:${e.meetingId}`,
      ...(m.clusterId ? [`cluster:${m.clusterId}`] : []),
      ...m.registrations.map((r) => `personal:${r.participantId}`),
    ];
  }
  return [
    `meeting-items:${e.meetingId}`,
    ...(e.trackId ? [`track:${e.trackId}`] : m.trackIds.map((t) => `track:${t}`)),
    ...e.themeKeys.map((k) => `theme:${e.networkSlug}/${k}`),
    ...m.registrations.filter((r) => e.trackId === null || r.trackId === e.trackId).map((r) => `personal:${r.participantId}`),
  ];
}

export interface ScopeHeader {
  name: string;
  description: string;
  /** Times the header's sources last changed (ISO), for Last-Modified. */
  changedAt: (string | undefined)[];
}

const holdsEvents = (db: Db, key: string): boolean =>
  db.select({ one: sql`1` }).from(feedScopeEvents).where(eq(feedScopeEvents.scope, key)).limit(1).get() !== undefined;

/** The meeting event as last published, with its released tracks. */
function meetingEvent(db: Db, meetingId: string) {
  const row = db
    .select()
    .from(feedEvents)
    .where(and(eq(feedEvents.meetingId, meetingId), eq(feedEvents.kind, 'meeting')))
    .get();
  return row ? { row, content: contentOf(row) } : undefined;
}

/**
 * A feed's name and description, or the 404 it answers: a feed exists while what it is about exists or
 * while it still holds events (cancelled ones included) to announce.
 */
export function scopeHeader(db: Db, scope: FeedScope): ScopeHeader | AppError {
  const key = scopeKey(scope);
  switch (scope.kind) {
    case 'network': {
      const network = db.select().from(networks).where(eq(networks.slug, scope.slug)).get();
      if (!network && !holdsEvents(db, key)) return notFound('Network', scope.slug);
      const name = network?.name ?? scope.slug;
      const description = network ? network.description.trim() || `Møder i ${network.name}` : `Møder i ${scope.slug}`;
      return { name, description, changedAt: [network?.updatedAt] };
    }
    case 'meeting': {
      // No stored meeting event: never published (a draft) or unknown.
      const meeting = meetingEvent(db, scope.id);
      if (!meeting) return notFound('Meeting', scope.id);
      const title = meeting.content.title;
      return scope.items
        ? { name: `${title} – program`, description: `${title}: mødet og hvert punkt på programmet`, changedAt: [meeting.row.lastModified] }
        : { name: title, description: title, changedAt: [meeting.row.lastModified] };
    }
    case 'track': {
      const inScope = db
        .select({ meetingId: feedScopeEvents.meetingId })
        .from(feedScopeEvents)
        .where(eq(feedScopeEvents.scope, key))
        .limit(1)
        .get();
      const meeting = inScope ? meetingEvent(db, inScope.meetingId) : undefined;
      const released = meeting?.content.tracks.find((t) => t.id === scope.id);
      const remembered = released
        ? undefined
        : db
            .select()
            .from(feedEvents)
            .where(eq(feedEvents.trackId, scope.id))
            .limit(1)
            .all()
            .map((r) => contentOf(r).track)
            .find((t) => t !== null);
      // A track is public once released; after that its cancelled items keep its feed alive.
      if (!meeting || (!released && !remembered)) return notFound('Track', scope.id);
      const trackName = released?.name ?? remembered!.name;
      return {
        name: `${meeting.content.meeting.title} – ${trackName}`,
        description: released?.description.trim() || `${trackName}: fælles programpunkter og sporets egne`,
        // The name comes from the meeting's event: its changes are this feed's changes too.
        changedAt: [meeting.row.lastModified],
      };
    }
    case 'theme': {
      const network = db.select().from(networks).where(eq(networks.slug, scope.slug)).get();
      const theme = db
        .select()
        .from(themes)
        .where(and(eq(themes.networkSlug, scope.slug), eq(themes.key, scope.key)))
        .get();
      if (!theme && !holdsEvents(db, key)) return notFound('Theme', `${scope.slug}/${scope.key}`);
      const themeName = theme?.name ?? scope.key;
      return {
        name: `${network?.name ?? scope.slug} – ${themeName}`,
        description: theme?.description.trim() || themeName,
        changedAt: [network?.updatedAt, theme?.updatedAt],
      };
    }
    case 'cluster': {
      const cluster = db.select().from(clusters).where(eq(clusters.id, scope.id)).get();
      if (!cluster) return notFound('Cluster', scope.id);
      const network = db.select().from(networks).where(eq(networks.slug, cluster.networkSlug)).get();
      return {
        name: `${network?.name ?? cluster.networkSlug} – ${cluster.name}`,
        description: `Møder i ${cluster.name}`,
        changedAt: [cluster.updatedAt, network?.updatedAt],
      };
    }
    case 'personal':
      return {
        name: 'Mine netværksmøder',
        description: 'Mine møder med fælles programpunkter og de spor, jeg har valgt',
        changedAt: [],
      };
  }
}
