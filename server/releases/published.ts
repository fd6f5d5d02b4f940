// What the public sees of a meeting: the live meeting (date, hours, venue, status) with the agenda of its
// latest release. A meeting with no release shows no agenda; a draft shows nothing at all.
import { and, asc, desc, eq, ne } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import {
  meetings,
  networks,
  releases,
  venues,
  type MeetingRow,
  type NetworkRow,
  type ReleaseRow,
  type VenueRow,
} from '../../db/schema.js';
import { snapshotSchema, type SnapshotItem, type SnapshotTrack } from './snapshot.js';

export interface PublishedAgenda {
  network: NetworkRow;
  meeting: MeetingRow;
  venue: VenueRow | null;
  release: { number: number; note: string; createdAt: string } | null;
  tracks: SnapshotTrack[];
  items: SnapshotItem[];
}

export function latestRelease(db: Db, meetingId: string): ReleaseRow | undefined {
  return db.select().from(releases).where(eq(releases.meetingId, meetingId)).orderBy(desc(releases.number)).limit(1).get();
}

export function publishedAgenda(db: Db, meetingId: string): PublishedAgenda | null {
  const row = db
    .select({ meeting: meetings, venue: venues, network: networks })
    .from(meetings)
    .innerJoin(networks, eq(meetings.networkSlug, networks.slug))
    .leftJoin(venues, eq(meetings.venueId, venues.id))
    .where(and(eq(meetings.id, meetingId)))
    .get();
  if (!row || row.meeting.status === 'draft') return null;
  const release = latestRelease(db, meetingId);
  const snapshot = release ? snapshotSchema.parse(JSON.parse(release.snapshot)) : null;
  return {
    network: row.network,
    meeting: row.meeting,
    venue: row.venue,
    release: release ? { number: release.number, note: release.note, createdAt: release.createdAt } : null,
    tracks: snapshot?.tracks ?? [],
    items: snapshot?.items ?? [],
  };
}

/** The ids of a network's meetings the public may see (every status but draft), in date order. */
export function publishedMeetingIds(db: Db, networkSlug: string): string[] {
  return db
    .select({ id: meetings.id })
    .from(meetings)
    .where(and(eq(meetings.networkSlug, networkSlug), ne(meetings.status, 'draft')))
    .orderBy(asc(meetings.date), asc(meetings.startTime), asc(meetings.id))
    .all()
    .map((r) => r.id);
}

/** A release as a network's release feed shows it: the release row with its meeting. */
export interface NetworkRelease {
  release: ReleaseRow;
  meeting: MeetingRow;
}

/** The releases of a network's meetings the public may see (not drafts), newest first. */
export function networkReleases(db: Db, networkSlug: string): NetworkRelease[] {
  return db
    .select({ release: releases, meeting: meetings })
    .from(releases)
    .innerJoin(meetings, eq(releases.meetingId, meetings.id))
    .where(and(eq(meetings.networkSlug, networkSlug), ne(meetings.status, 'draft')))
    .orderBy(desc(releases.createdAt), desc(releases.number), asc(releases.id))
    .all();
}
