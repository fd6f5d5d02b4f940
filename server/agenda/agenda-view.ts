// Which agenda a reader sees: anonymous readers the latest release; token holders the working agenda by
// default, or the release with `?version=released`. Both are shaped the same way.
import type { FastifyRequest } from 'fastify';
import type { Db } from '../../db/client.js';
import type { MeetingRow } from '../../db/schema.js';
import { feedLinks } from '../feeds/feed-links.js';
import { allows, canSeeDrafts } from '../auth/auth.plugin.js';
import { forbidden, unauthorized } from '../http/errors.js';
import type { Item } from '../items/items.schemas.js';
import { publishedAgenda } from '../releases/published.js';
import type { SnapshotItem, SnapshotTrack } from '../releases/snapshot.js';
import { moment } from '../time/moment.js';
import type { Track } from '../tracks/tracks.schemas.js';

export type AgendaVersion = 'released' | 'working';

/** Which agenda of a meeting in network `slug` the caller reads. */
export function resolveVersion(request: FastifyRequest, requested: AgendaVersion | undefined, slug: string): AgendaVersion {
  const mayWork = allows(canSeeDrafts(request), slug);
  if (requested === 'working' && !mayWork) {
    if (!request.token) throw unauthorized('The working agenda is visible with an API token only');
    throw forbidden(`This token may not read the working agenda of network '${slug}'`);
  }
  return requested ?? (mayWork ? 'working' : 'released');
}

export const releasedTrack = (t: SnapshotTrack, meetingId: string, baseUrl: string): Track => ({
  ...t,
  meetingId,
  feeds: { track: feedLinks(baseUrl, `/feeds/tracks/${t.id}.ics`) },
});

/** A released item, timed on the meeting's current date and zone. */
export const releasedItem = (i: SnapshotItem, meeting: MeetingRow): Item => ({
  ...i,
  meetingId: meeting.id,
  start: moment(meeting.date, i.startTime, meeting.timeZone),
  end: moment(meeting.date, i.endTime, meeting.timeZone),
});

/** The released agenda of a visible meeting; empty lists when nothing is released. */
export function releasedAgenda(db: Db, baseUrl: string, meetingId: string) {
  const published = publishedAgenda(db, meetingId);
  if (!published) return null;
  return {
    release: published.release,
    meeting: published.meeting,
    tracks: published.tracks.map((t) => releasedTrack(t, meetingId, baseUrl)),
    items: published.items.map((i) => releasedItem(i, published.meeting)),
  };
}
