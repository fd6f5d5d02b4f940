// What each calendar event of a published meeting should say, as plain data: one event for the meeting,
// one per released agenda item. Pure functions of `PublishedAgenda`; the sync (feed-events.ts) stores
// the result and bumps SEQUENCE when it changes.
import { z } from 'zod';
import type { PublishedAgenda } from '../releases/published.js';
import type { SnapshotItem, SnapshotTrack } from '../releases/snapshot.js';
import { venueAddress } from '../venues/venues.schemas.js';

/** Everything a subscriber sees of one event (except SEQUENCE, timestamps and the feed URL). */
export const eventContent = z.object({
  title: z.string(),
  date: z.string(),
  startTime: z.string(),
  endTime: z.string(),
  timeZone: z.string(),
  location: z.string(),
  geo: z.object({ lat: z.number(), lon: z.number() }).nullable().default(null),
  description: z.string().default(''),
  organizer: z.object({ name: z.string(), email: z.string().nullable() }),
  categories: z.array(z.string()).default([]),
  meeting: z.object({ id: z.string(), title: z.string() }),
  /** For an item: its track (null = plenary). */
  track: z.object({ id: z.string(), name: z.string(), room: z.string().nullable() }).nullable().default(null),
  /** For a meeting: its released tracks, so a track feed can be named even after the track is gone. */
  tracks: z.array(z.object({ id: z.string(), name: z.string(), description: z.string() })).default([]),
});
export type EventContent = z.infer<typeof eventContent>;

export interface DesiredEvent {
  uid: string;
  kind: 'meeting' | 'item';
  networkSlug: string;
  meetingId: string;
  itemId: string | null;
  trackId: string | null;
  themeKeys: string[];
  /** The meeting is cancelled (an item of a cancelled meeting is cancelled with it). */
  cancelled: boolean;
  content: EventContent;
}

export const UNKNOWN_PLACE = 'Sted ikke fastlagt';

/** UIDs live as long as the meeting or item: its id, which never changes, in our own namespace. */
export const eventUid = (id: string): string => `${id}@netagenda`;

const byTime = (tracks: Map<string, SnapshotTrack>) => (a: SnapshotItem, b: SnapshotItem) =>
  a.startTime.localeCompare(b.startTime) ||
  (a.trackId ? (tracks.get(a.trackId)?.sortOrder ?? 0) + 1 : 0) - (b.trackId ? (tracks.get(b.trackId)?.sortOrder ?? 0) + 1 : 0) ||
  a.endTime.localeCompare(b.endTime) ||
  a.title.localeCompare(b.title) ||
  a.id.localeCompare(b.id);

const trackLabel = (t: SnapshotTrack) => (t.room ? `${t.name}, ${t.room}` : t.name);

/** The released agenda as text lines, in time order; parallel items are labelled with their track. */
export function agendaLines(tracks: SnapshotTrack[], items: SnapshotItem[]): string[] {
  const byId = new Map(tracks.map((t) => [t.id, t]));
  return [...items].sort(byTime(byId)).map((i) => {
    const track = i.trackId ? byId.get(i.trackId) : undefined;
    return `${i.startTime}–${i.endTime} ${track ? `[${trackLabel(track)}] ` : ''}${i.title}`;
  });
}

function meetingDescription(p: PublishedAgenda): string {
  const parts = [p.meeting.description.trim()];
  if (p.items.length > 0) parts.push(['Program:', ...agendaLines(p.tracks, p.items)].join('\n'));
  else parts.push('Programmet er ikke offentliggjort endnu.');
  return parts.filter(Boolean).join('\n\n');
}

function itemDescription(item: SnapshotItem, track: SnapshotTrack | undefined, meetingTitle: string): string {
  const facts = [
    item.speakers.length > 0 &&
      `Oplægsholdere: ${item.speakers.map((s) => [s.name, s.title, s.organisation].filter(Boolean).join(', ')).join('; ')}`,
    item.themes.length > 0 && `Temaer: ${item.themes.map((t) => t.name).join(', ')}`,
    `Spor: ${track ? trackLabel(track) : 'Fælles program'}`,
    `Møde: ${meetingTitle}`,
  ].filter((f): f is string => typeof f === 'string');
  return [item.description.trim(), facts.join('\n')].filter(Boolean).join('\n\n');
}

/** The events one published meeting should have in the feeds. */
export function desiredEvents(p: PublishedAgenda): DesiredEvent[] {
  const { meeting, network, venue } = p;
  const cancelled = meeting.status === 'cancelled';
  const place = venue ? venueAddress(venue) || UNKNOWN_PLACE : UNKNOWN_PLACE;
  const geo = venue && venue.latitude !== null && venue.longitude !== null ? { lat: venue.latitude, lon: venue.longitude } : null;
  const shared = {
    date: meeting.date,
    timeZone: meeting.timeZone,
    geo,
    organizer: { name: network.organiserName.trim() || network.name, email: network.organiserEmail },
    meeting: { id: meeting.id, title: meeting.title },
  };
  const tracks = new Map(p.tracks.map((t) => [t.id, t]));
  const base = { networkSlug: network.slug, meetingId: meeting.id, cancelled };

  const meetingEvent: DesiredEvent = {
    ...base,
    uid: eventUid(meeting.id),
    kind: 'meeting',
    itemId: null,
    trackId: null,
    themeKeys: [],
    content: {
      ...shared,
      title: meeting.title,
      startTime: meeting.startTime,
      endTime: meeting.endTime,
      location: place,
      description: meetingDescription(p),
      categories: [],
      track: null,
      tracks: p.tracks.map((t) => ({ id: t.id, name: t.name, description: t.description })),
    },
  };
  const itemEvents = p.items.map((item): DesiredEvent => {
    const track = item.trackId ? tracks.get(item.trackId) : undefined;
    return {
      ...base,
      uid: eventUid(item.id),
      kind: 'item',
      itemId: item.id,
      trackId: item.trackId,
      themeKeys: item.themes.map((t) => t.key),
      content: {
        ...shared,
        title: item.title,
        startTime: item.startTime,
        endTime: item.endTime,
        location: track?.room ? `${track.room}, ${place}` : place,
        description: itemDescription(item, track, meeting.title),
        categories: item.themes.map((t) => t.name),
        track: track ? { id: track.id, name: track.name, room: track.room } : null,
        tracks: [],
      },
    };
  });
  return [meetingEvent, ...itemEvents];
}
