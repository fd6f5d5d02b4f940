// Agenda items of a meeting, with their themes and speakers.
import { and, asc, eq, exists, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { allows, type DraftAccess } from '../auth/auth.plugin.js';
import {
  agendaItems,
  itemSpeakers,
  itemThemes,
  speakers,
  themes,
  tracks,
  networks,
  type ItemRow,
  type MeetingRow,
} from '../../db/schema.js';
import { badRequest, conflict, notFound } from '../http/errors.js';
import { assertVersion, guardedUpdate, type Expected } from '../http/preconditions.js';
import { newId, nowIso } from '../http/ids.js';
import { after, decodeCursor, page } from '../http/pagination.js';
import { meetingsRepository } from '../meetings/meetings.repository.js';
import { speakersRepository, toSpeaker } from '../speakers/speakers.repository.js';
import { themesRepository } from '../themes/themes.repository.js';
import { moment } from '../time/moment.js';
import { checkAgenda, errorsOnly, type Finding } from '../checks/agenda-checks.js';
import { checkItemTimes } from './item-rules.js';
import type { ItemKind } from '../../db/schema.js';
import type { Item, ItemCreate, ItemPatch } from './items.schemas.js';

export interface ItemFilter {
  track?: string | undefined;
  theme?: string | undefined;
  kind?: ItemKind | undefined;
}

export function itemsRepository(db: Db, baseUrl: string) {
  const meetingRepo = meetingsRepository(db, baseUrl);
  const themeRepo = themesRepository(db, baseUrl);
  const speakerRepo = speakersRepository(db);

  /** Items with their themes and speakers, loaded in two queries for the whole batch. */
  function expand(rows: ItemRow[], meeting: MeetingRow, showPrivate: boolean): Item[] {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const themeLinks = db
      .select({ itemId: itemThemes.itemId, id: themes.id, key: themes.key, name: themes.name })
      .from(itemThemes)
      .innerJoin(themes, eq(itemThemes.themeId, themes.id))
      .where(inArray(itemThemes.itemId, ids))
      .orderBy(asc(themes.key))
      .all();
    const speakerLinks = db
      .select({ itemId: itemSpeakers.itemId, speaker: speakers })
      .from(itemSpeakers)
      .innerJoin(speakers, eq(itemSpeakers.speakerId, speakers.id))
      .where(inArray(itemSpeakers.itemId, ids))
      .orderBy(asc(itemSpeakers.position))
      .all();
    return rows.map((r) => ({
      ...r,
      start: moment(meeting.date, r.startTime, meeting.timeZone),
      end: moment(meeting.date, r.endTime, meeting.timeZone),
      themes: themeLinks.filter((t) => t.itemId === r.id).map(({ itemId: _, ...t }) => t),
      speakers: speakerLinks.filter((s) => s.itemId === r.id).map((s) => toSpeaker(s.speaker, showPrivate)),
    }));
  }

  const getRow = (id: string, includeDrafts: DraftAccess = true): { row: ItemRow; meeting: MeetingRow } => {
    const row = db.select().from(agendaItems).where(eq(agendaItems.id, id)).get();
    if (!row) throw notFound('Agenda item', id);
    try {
      return { row, meeting: meetingRepo.getRow(row.meetingId, includeDrafts) };
    } catch {
      throw notFound('Agenda item', id);
    }
  };

  function assertTrackInMeeting(trackId: string, meetingId: string) {
    const track = db.select({ meetingId: tracks.meetingId }).from(tracks).where(eq(tracks.id, trackId)).get();
    if (!track || track.meetingId !== meetingId) {
      throw badRequest('track-not-in-meeting', `Track '${trackId}' is not a track of meeting '${meetingId}'`, [
        { path: 'body.trackId', message: 'must be a track of the same meeting' },
      ]);
    }
  }

  /** Replaces an item's theme and speaker links (resolved before any write). */
  function writeLinks(itemId: string, themeIds: string[] | undefined, speakerIds: string[] | undefined) {
    if (themeIds) {
      db.delete(itemThemes).where(eq(itemThemes.itemId, itemId)).run();
      for (const themeId of new Set(themeIds)) db.insert(itemThemes).values({ itemId, themeId }).run();
    }
    if (speakerIds) {
      db.delete(itemSpeakers).where(eq(itemSpeakers.itemId, itemId)).run();
      [...new Set(speakerIds)].forEach((speakerId, position) =>
        db.insert(itemSpeakers).values({ itemId, speakerId, position }).run(),
      );
    }
  }

  function allOf(meetingId: string): ItemRow[] {
    return db
      .select({ item: agendaItems })
      .from(agendaItems)
      .leftJoin(tracks, eq(agendaItems.trackId, tracks.id))
      .where(eq(agendaItems.meetingId, meetingId))
      .orderBy(asc(agendaItems.startTime), asc(tracks.sortOrder), asc(agendaItems.endTime), asc(agendaItems.id))
      .all()
      .map((r) => r.item);
  }

  function agendaErrors(meeting: MeetingRow): Finding[] {
    const network = db.select().from(networks).where(eq(networks.slug, meeting.networkSlug)).get()!;
    return errorsOnly(
      checkAgenda({
        meeting,
        standardMinutes: network.standardMeetingMinutes,
        tracks: db.select().from(tracks).where(eq(tracks.meetingId, meeting.id)).all(),
        items: expand(allOf(meeting.id), meeting, false),
      }),
    );
  }

  /** Runs inside the write's transaction: a write that adds an error finding is rolled back with 409. */
  function refuseNewErrors(meeting: MeetingRow, before: Finding[]) {
    const key = (f: Finding) => `${f.code}:${[...f.items].sort().join(',')}`;
    const known = new Set(before.map(key));
    const added = agendaErrors(meeting).filter((f) => !known.has(key(f)));
    if (added.length > 0) {
      throw conflict('agenda-conflict', added.map((f) => f.message).join('; '), { findings: added });
    }
  }

  const get = (id: string, includeDrafts: DraftAccess = true, showPrivate = true): Item => {
    const { row, meeting } = getRow(id, includeDrafts);
    return expand([row], meeting, showPrivate)[0]!;
  };

  return {
    get,
    expand,
    /** Every item of a meeting in time order (plenary before tracks at the same time). */
    allOf,
    meetingIdOf: (id: string): string | undefined =>
      db.select({ meetingId: agendaItems.meetingId }).from(agendaItems).where(eq(agendaItems.id, id)).get()?.meetingId,
    list(meetingId: string, filter: ItemFilter, includeDrafts: DraftAccess, limit: number, cursor?: string) {
      const meeting = meetingRepo.getRow(meetingId, includeDrafts);
      const key = decodeCursor(cursor, 2);
      const rows = db
        .select()
        .from(agendaItems)
        .where(
          and(
            eq(agendaItems.meetingId, meetingId),
            filter.track === 'plenary' ? isNull(agendaItems.trackId) : filter.track ? eq(agendaItems.trackId, filter.track) : undefined,
            filter.kind ? eq(agendaItems.kind, filter.kind) : undefined,
            filter.theme
              ? exists(
                  db
                    .select({ one: itemThemes.itemId })
                    .from(itemThemes)
                    .innerJoin(themes, eq(itemThemes.themeId, themes.id))
                    .where(and(eq(itemThemes.itemId, agendaItems.id), eq(themes.key, filter.theme))),
                )
              : undefined,
            key ? after([agendaItems.startTime, agendaItems.id], key) : undefined,
          ),
        )
        .orderBy(asc(agendaItems.startTime), asc(agendaItems.id))
        .limit(limit + 1)
        .all();
      const result = page(rows, limit, (r) => [r.startTime, r.id], (r) => r);
      return { data: expand(result.data, meeting, allows(includeDrafts, meeting.networkSlug)), nextCursor: result.nextCursor };
    },
    create(meetingId: string, input: ItemCreate): Item {
      const id = db.transaction(
        () => {
          const meeting = meetingRepo.getRow(meetingId);
          checkItemTimes(meeting, input);
          const before = agendaErrors(meeting);
          if (input.trackId) assertTrackInMeeting(input.trackId, meetingId);
          const themeRows = themeRepo.resolveKeys(meeting.networkSlug, input.themes ?? [], 'body.themes');
          speakerRepo.resolveIds(meeting.networkSlug, input.speakerIds ?? [], 'body.speakerIds');
          const { themes: _t, speakerIds, ...fields } = input;
          const now = nowIso();
          const row = db
            .insert(agendaItems)
            .values({ ...fields, id: newId('itm'), meetingId, createdAt: now, updatedAt: now })
            .returning()
            .get();
          writeLinks(row.id, themeRows.map((t) => t.id), speakerIds);
          refuseNewErrors(meeting, before);
          return row.id;
        },
        { behavior: 'immediate' },
      );
      return get(id);
    },
    update(id: string, patch: ItemPatch, expected?: Expected): Item {
      db.transaction(
        () => {
          const { row, meeting } = getRow(id);
          const next = { ...row, ...patch };
          checkItemTimes(meeting, next);
          const before = agendaErrors(meeting);
          if (patch.trackId) assertTrackInMeeting(patch.trackId, meeting.id);
          const themeRows =
            patch.themes === undefined ? undefined : themeRepo.resolveKeys(meeting.networkSlug, patch.themes, 'body.themes');
          if (patch.speakerIds) speakerRepo.resolveIds(meeting.networkSlug, patch.speakerIds, 'body.speakerIds');
          const { themes: _t, speakerIds, ...fields } = patch;
          guardedUpdate(db, agendaItems, agendaItems.id, id, expected, { ...fields, updatedAt: nowIso() });
          writeLinks(id, themeRows?.map((t) => t.id), speakerIds);
          refuseNewErrors(meeting, before);
        },
        { behavior: 'immediate' },
      );
      return get(id);
    },
    remove(id: string, expected?: Expected): void {
      db.transaction(
        (tx) => {
          getRow(id);
          assertVersion(db, agendaItems, agendaItems.id, id, expected);
          tx.delete(agendaItems).where(eq(agendaItems.id, id)).run();
        },
        { behavior: 'immediate' },
      );
    },
  };
}
