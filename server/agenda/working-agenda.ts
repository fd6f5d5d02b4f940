// The working (editable) agenda of a meeting as one value: for the agenda view, the checks and releases.
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { type DraftAccess } from '../auth/auth.plugin.js';
import { networks, venues } from '../../db/schema.js';
import { checkAgenda, type Finding } from '../checks/agenda-checks.js';
import { itemsRepository } from '../items/items.repository.js';
import { meetingsRepository } from '../meetings/meetings.repository.js';
import { toSnapshot, type Snapshot } from '../releases/snapshot.js';
import { dayClock } from '../time/local-time.js';
import { tracksRepository } from '../tracks/tracks.repository.js';

export function workingAgenda(db: Db, baseUrl: string, meetingId: string, includeDrafts: DraftAccess = true) {
  const meeting = meetingsRepository(db, baseUrl).getRow(meetingId, includeDrafts);
  const items = itemsRepository(db, baseUrl);
  return {
    meeting,
    network: db.select().from(networks).where(eq(networks.slug, meeting.networkSlug)).get()!,
    venue: meeting.venueId ? (db.select().from(venues).where(eq(venues.id, meeting.venueId)).get() ?? null) : null,
    tracks: tracksRepository(db, baseUrl).allOf(meetingId),
    items: items.expand(items.allOf(meetingId), meeting, false),
  };
}

export type WorkingAgenda = ReturnType<typeof workingAgenda>;

export function checkWorkingAgenda(agenda: WorkingAgenda): Finding[] {
  return checkAgenda({
    meeting: agenda.meeting,
    day: dayClock(agenda.meeting.date, agenda.meeting.timeZone),
    standardMinutes: agenda.network.standardMeetingMinutes,
    tracks: agenda.tracks,
    items: agenda.items,
  });
}

export function snapshotOf(agenda: WorkingAgenda): Snapshot {
  return toSnapshot({ meeting: { ...agenda.meeting, venue: agenda.venue }, tracks: agenda.tracks, items: agenda.items });
}
