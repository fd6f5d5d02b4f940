// Tracks: parallel programmes within a meeting.
import { and, asc, count, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { type DraftAccess } from '../auth/auth.plugin.js';
import { agendaItems, registrations, tracks, type TrackRow } from '../../db/schema.js';
import { feedLinks } from '../feeds/feed-links.js';
import { confirmationRequired, countList, notFound } from '../http/errors.js';
import { assertVersion, guardedUpdate, type Expected } from '../http/preconditions.js';
import { newId, nowIso } from '../http/ids.js';
import { after, decodeCursor, page } from '../http/pagination.js';
import { meetingsRepository } from '../meetings/meetings.repository.js';
import type { Track, TrackCreate, TrackPatch } from './tracks.schemas.js';

export const toTrack = (row: TrackRow, baseUrl: string): Track => ({
  ...row,
  feeds: { track: feedLinks(baseUrl, `/feeds/tracks/${row.id}.ics`) },
});

export function tracksRepository(db: Db, baseUrl: string) {
  const meetingRepo = meetingsRepository(db, baseUrl);
  /** The track, or 404 also when its meeting is a draft the caller may not see. */
  const getRow = (id: string, includeDrafts: DraftAccess = true): TrackRow => {
    const row = db.select().from(tracks).where(eq(tracks.id, id)).get();
    if (!row) throw notFound('Track', id);
    try {
      meetingRepo.getRow(row.meetingId, includeDrafts);
    } catch {
      throw notFound('Track', id);
    }
    return row;
  };
  const map = (row: TrackRow) => toTrack(row, baseUrl);
  return {
    getRow,
    get: (id: string, includeDrafts: DraftAccess = true) => map(getRow(id, includeDrafts)),
    meetingIdOf: (id: string): string | undefined =>
      db.select({ meetingId: tracks.meetingId }).from(tracks).where(eq(tracks.id, id)).get()?.meetingId,
    /** All tracks of a meeting in display order. */
    allOf: (meetingId: string): TrackRow[] =>
      db.select().from(tracks).where(eq(tracks.meetingId, meetingId)).orderBy(asc(tracks.sortOrder), asc(tracks.id)).all(),
    list(meetingId: string, includeDrafts: DraftAccess, limit: number, cursor?: string) {
      meetingRepo.getRow(meetingId, includeDrafts);
      const key = decodeCursor(cursor, 2);
      const rows = db
        .select()
        .from(tracks)
        .where(and(eq(tracks.meetingId, meetingId), key ? after([tracks.sortOrder, tracks.id], key) : undefined))
        .orderBy(asc(tracks.sortOrder), asc(tracks.id))
        .limit(limit + 1)
        .all();
      return page(rows, limit, (r) => [r.sortOrder, r.id], map);
    },
    create(meetingId: string, input: TrackCreate): Track {
      meetingRepo.getRow(meetingId);
      const now = nowIso();
      const row = db
        .insert(tracks)
        .values({ ...input, id: newId('trk'), meetingId, createdAt: now, updatedAt: now })
        .returning()
        .get();
      return map(row);
    },
    update(id: string, patch: TrackPatch, expected?: Expected): Track {
      getRow(id);
      guardedUpdate(db, tracks, tracks.id, id, expected, { ...patch, updatedAt: nowIso() });
      return map(getRow(id));
    },
    /**
     * Removes the track and its items (foreign keys cascade). A track that registrations chose goes only when
     * `confirmed` (otherwise 409 `confirmation-required`, nothing changed); they stay registered without a track.
     */
    remove(id: string, expected?: Expected, confirmed = false): void {
      db.transaction(
        (tx) => {
          const row = getRow(id);
          assertVersion(db, tracks, tracks.id, id, expected);
          const lose = {
            registrations: db
              .select({ n: count() })
              .from(registrations)
              .where(and(eq(registrations.meetingId, row.meetingId), eq(registrations.trackId, id)))
              .get()!.n,
            items: db.select({ n: count() }).from(agendaItems).where(eq(agendaItems.trackId, id)).get()!.n,
          };
          if (!confirmed && lose.registrations > 0) {
            const items = lose.items > 0 ? ` and delete ${countList([[lose.items, 'agenda item', 'agenda items']])}` : '';
            throw confirmationRequired(
              `Deleting track '${row.name}' (${id}) would clear the track choice of ${countList([[lose.registrations, 'registration', 'registrations']])} ` +
                `(the participants stay registered for the meeting)${items}. Repeat the request with ?confirm=true to delete it.`,
              lose,
            );
          }
          tx.delete(tracks).where(eq(tracks.id, id)).run();
        },
        { behavior: 'immediate' },
      );
    },
  };
}
