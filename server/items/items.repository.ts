// Agenda items of a meeting, with their themes and speakers. Writes are the hot path of planning a day:
// they run on statements prepared once per database and check the agenda in memory.
import { and, asc, eq, exists, gt, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { allows, type DraftAccess } from '../auth/auth.plugin.js';
import {
  agendaItems,
  itemSpeakers,
  itemThemes,
  meetings,
  speakers,
  themes,
  tracks,
  networks,
  type ItemRow,
  type MeetingRow,
  type SpeakerRow,
  type ThemeRow,
} from '../../db/schema.js';
import { badRequest, conflict, notFound } from '../http/errors.js';
import { assertVersion, preconditionFailed, type Expected } from '../http/preconditions.js';
import { newId, nowIso } from '../http/ids.js';
import { after, decodeCursor, page } from '../http/pagination.js';
import { meetingsRepository } from '../meetings/meetings.repository.js';
import { speakersRepository, toSpeaker } from '../speakers/speakers.repository.js';
import { themesRepository } from '../themes/themes.repository.js';
import { dayClock } from '../time/local-time.js';
import { moment } from '../time/moment.js';
import { agendaErrors, type CheckInput, type CheckItem, type Finding } from '../checks/agenda-checks.js';
import { checkItemTimes } from './item-rules.js';
import type { ItemKind } from '../../db/schema.js';
import type { Item, ItemCreate, ItemPatch } from './items.schemas.js';

export interface ItemFilter {
  track?: string | undefined;
  theme?: string | undefined;
  kind?: ItemKind | undefined;
}

/**
 * The statements an item write runs, prepared once per database: building a query with drizzle costs
 * about as much as running ten prepared ones.
 */
function prepare(db: Db) {
  const id = sql.placeholder('id');
  /** A placeholder where drizzle's `set()` types want SQL. */
  const param = (name: string) => sql`${sql.placeholder(name)}`;
  /** The items of meeting `id` that overlap the wall-time span [`from`, `to`). */
  const within = and(
    eq(agendaItems.meetingId, id),
    lt(agendaItems.startTime, sql.placeholder('to')),
    gt(agendaItems.endTime, sql.placeholder('from')),
  );
  // `BEGIN IMMEDIATE … COMMIT` around a synchronous function, built once (as `db.transaction(fn, { behavior:
  // 'immediate' })` does, without a new drizzle transaction object and native wrapper per write).
  const immediate = db.$client.transaction((fn: () => unknown) => fn()).immediate as <T>(fn: () => T) => T;
  return {
    immediate,
    item: db.select().from(agendaItems).where(eq(agendaItems.id, id)).prepare(),
    meeting: db.select().from(meetings).where(eq(meetings.id, id)).prepare(),
    itemWithMeeting: db
      .select({ item: agendaItems, meeting: meetings })
      .from(agendaItems)
      .innerJoin(meetings, eq(agendaItems.meetingId, meetings.id))
      .where(eq(agendaItems.id, id))
      .prepare(),
    trackMeeting: db.select({ meetingId: tracks.meetingId }).from(tracks).where(eq(tracks.id, id)).prepare(),
    themesOf: db
      .select({ id: themes.id, key: themes.key, name: themes.name })
      .from(itemThemes)
      .innerJoin(themes, eq(itemThemes.themeId, themes.id))
      .where(eq(itemThemes.itemId, id))
      .orderBy(asc(themes.key))
      .prepare(),
    speakersOf: db
      .select({ speaker: speakers })
      .from(itemSpeakers)
      .innerJoin(speakers, eq(itemSpeakers.speakerId, speakers.id))
      .where(eq(itemSpeakers.itemId, id))
      .orderBy(asc(itemSpeakers.position))
      .prepare(),
    standardMinutes: db
      .select({ standardMinutes: networks.standardMeetingMinutes })
      .from(networks)
      .where(eq(networks.slug, id))
      .prepare(),
    /** The items in a span with their speakers (one row per speaker; one scan of the meeting's items). */
    checkItems: db
      .select({
        id: agendaItems.id,
        trackId: agendaItems.trackId,
        startTime: agendaItems.startTime,
        endTime: agendaItems.endTime,
        title: agendaItems.title,
        kind: agendaItems.kind,
        speakerId: speakers.id,
        speakerName: speakers.name,
      })
      .from(agendaItems)
      .leftJoin(itemSpeakers, eq(itemSpeakers.itemId, agendaItems.id))
      .leftJoin(speakers, eq(itemSpeakers.speakerId, speakers.id))
      .where(within)
      .orderBy(asc(agendaItems.id), asc(itemSpeakers.position))
      .prepare(),
    themeByKey: db
      .select()
      .from(themes)
      .where(and(eq(themes.networkSlug, sql.placeholder('slug')), eq(themes.key, sql.placeholder('key'))))
      .prepare(),
    speakerIn: db
      .select()
      .from(speakers)
      .where(and(eq(speakers.id, id), eq(speakers.networkSlug, sql.placeholder('slug'))))
      .prepare(),
    unlinkThemes: db.delete(itemThemes).where(eq(itemThemes.itemId, id)).prepare(),
    linkTheme: db.insert(itemThemes).values({ itemId: id, themeId: sql.placeholder('themeId') }).prepare(),
    unlinkSpeakers: db.delete(itemSpeakers).where(eq(itemSpeakers.itemId, id)).prepare(),
    linkSpeaker: db
      .insert(itemSpeakers)
      .values({ itemId: id, speakerId: sql.placeholder('speakerId'), position: sql.placeholder('position') })
      .prepare(),
    checkTracks: db.select({ id: tracks.id, name: tracks.name }).from(tracks).where(eq(tracks.meetingId, id)).prepare(),
    /** All of an item's columns, bumping its version, when the version is one of `expected` (a JSON list) or that is null. */
    update: db
      .update(agendaItems)
      .set({
        trackId: param('trackId'),
        startTime: param('startTime'),
        endTime: param('endTime'),
        title: param('title'),
        kind: param('kind'),
        description: param('description'),
        updatedAt: param('now'),
        version: sql`${agendaItems.version} + 1`,
      })
      .where(
        and(
          eq(agendaItems.id, id),
          sql`(${sql.placeholder('expected')} IS NULL OR ${agendaItems.version} IN (SELECT value FROM json_each(${sql.placeholder('expected')})))`,
        ),
      )
      .prepare(),
    insert: db
      .insert(agendaItems)
      .values({
        id,
        meetingId: sql.placeholder('meetingId'),
        trackId: sql.placeholder('trackId'),
        startTime: sql.placeholder('startTime'),
        endTime: sql.placeholder('endTime'),
        title: sql.placeholder('title'),
        kind: sql.placeholder('kind'),
        description: sql.placeholder('description'),
        createdAt: sql.placeholder('now'),
        updatedAt: sql.placeholder('now'),
      })
      .prepare(),
  };
}

const prepared = new WeakMap<Db, ReturnType<typeof prepare>>();

function statementsOf(db: Db): ReturnType<typeof prepare> {
  let s = prepared.get(db);
  if (!s) {
    s = prepare(db);
    prepared.set(db, s);
  }
  return s;
}

export function itemsRepository(db: Db, baseUrl: string) {
  const q = statementsOf(db);
  const meetingRepo = meetingsRepository(db, baseUrl);
  const themeRepo = themesRepository(db, baseUrl);
  const speakerRepo = speakersRepository(db);

  /** One item with its themes and speakers. */
  const shape = (r: ItemRow, meeting: MeetingRow, showPrivate: boolean): Item => ({
    ...r,
    start: moment(meeting.date, r.startTime, meeting.timeZone),
    end: moment(meeting.date, r.endTime, meeting.timeZone),
    themes: q.themesOf.all({ id: r.id }),
    speakers: q.speakersOf.all({ id: r.id }).map((s) => toSpeaker(s.speaker, showPrivate)),
  });

  /** Items with their themes and speakers, loaded in two queries for the whole batch. */
  function expand(rows: ItemRow[], meeting: MeetingRow, showPrivate: boolean): Item[] {
    if (rows.length === 0) return [];
    if (rows.length === 1) return [shape(rows[0]!, meeting, showPrivate)];
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
    const row = q.item.get({ id });
    if (!row) throw notFound('Agenda item', id);
    try {
      return { row, meeting: meetingRepo.getRow(row.meetingId, includeDrafts) };
    } catch {
      throw notFound('Agenda item', id);
    }
  };

  /** An item and its meeting, for a write (writers see drafts: no visibility rule applies). */
  const rowsForWrite = (id: string): { row: ItemRow; meeting: MeetingRow } => {
    const found = q.itemWithMeeting.get({ id });
    if (!found) throw notFound('Agenda item', id);
    return { row: found.item, meeting: found.meeting };
  };

  /** A meeting, for a write (writers see drafts). */
  const meetingForWrite = (id: string): MeetingRow => {
    const meeting = q.meeting.get({ id });
    if (!meeting) throw notFound('Meeting', id);
    return meeting;
  };

  function assertTrackInMeeting(trackId: string, meetingId: string) {
    const track = q.trackMeeting.get({ id: trackId });
    if (!track || track.meetingId !== meetingId) {
      throw badRequest('track-not-in-meeting', `Track '${trackId}' is not a track of meeting '${meetingId}'`, [
        { path: 'body.trackId', message: 'must be a track of the same meeting' },
      ]);
    }
  }

  /** Replaces an item's theme and speaker links (resolved before any write). */
  function writeLinks(itemId: string, themeIds: string[] | undefined, speakerIds: string[] | undefined) {
    if (themeIds) {
      q.unlinkThemes.run({ id: itemId });
      for (const themeId of new Set(themeIds)) q.linkTheme.run({ id: itemId, themeId });
    }
    if (speakerIds) {
      q.unlinkSpeakers.run({ id: itemId });
      [...new Set(speakerIds)].forEach((speakerId, position) => q.linkSpeaker.run({ id: itemId, speakerId, position }));
    }
  }

  /** The network's themes by key, in the order given; an unknown key gets the themes repository's 400. */
  function themesByKey(slug: string, keys: string[]): ThemeRow[] {
    const rows = keys.map((key) => q.themeByKey.get({ slug, key }));
    if (rows.every((r) => r !== undefined)) return rows;
    return themeRepo.resolveKeys(slug, keys, 'body.themes');
  }

  /** The network's speakers by id, in the order given; an unknown id gets the speakers repository's 400. */
  function speakersById(slug: string, ids: string[]): SpeakerRow[] {
    const rows = ids.map((id) => q.speakerIn.get({ id, slug }));
    if (rows.every((r) => r !== undefined)) return rows;
    return speakerRepo.resolveIds(slug, ids, 'body.speakerIds');
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

  /**
   * What the blocking checks need to judge a change between wall times `from` and `to`: the items of the
   * meeting that overlap that span (an error that involves the changed item involves only those), as plain
   * rows and wall times: no themes (they only feed warnings) and no zoned instants.
   */
  function checkInput(meeting: MeetingRow, from: string, to: string): CheckInput {
    const byId = new Map<string, CheckItem>();
    for (const { speakerId, speakerName, ...r } of q.checkItems.all({ id: meeting.id, from, to })) {
      let item = byId.get(r.id);
      if (!item) byId.set(r.id, (item = { ...r, themes: [], speakers: [] }));
      if (speakerId !== null && speakerName !== null) item.speakers.push({ id: speakerId, name: speakerName });
    }
    const items = [...byId.values()];
    return {
      meeting,
      day: dayClock(meeting.date, meeting.timeZone),
      standardMinutes: q.standardMinutes.get({ id: meeting.networkSlug })!.standardMinutes,
      tracks: q.checkTracks.all({ id: meeting.id }),
      items,
    };
  }

  /**
   * Refuses (409) a change to one item that adds an error finding. Only findings involving that item can
   * change, so the agenda is read once and the item's old and new versions are checked in memory.
   */
  function refuseNewErrors(before: CheckInput, changed: CheckItem) {
    const after: CheckInput = { ...before, items: [...before.items.filter((i) => i.id !== changed.id), changed] };
    const key = (f: Finding) => `${f.code}:${[...f.items].sort().join(',')}`;
    const involves = (f: Finding) => f.items.includes(changed.id);
    const known = new Set(agendaErrors(before).filter(involves).map(key));
    const added = agendaErrors(after).filter((f) => involves(f) && !known.has(key(f)));
    if (added.length > 0) {
      throw conflict('agenda-conflict', added.map((f) => f.message).join('; '), { findings: added });
    }
  }

  /** Speakers as the checks name them: once each, in the order given. */
  const checkSpeakers = (rows: { id: string; name: string }[]) =>
    [...new Map(rows.map((r) => [r.id, { id: r.id, name: r.name }])).values()];

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
      return q.immediate(() => {
        const meeting = meetingForWrite(meetingId);
        checkItemTimes(meeting, input);
        if (input.trackId) assertTrackInMeeting(input.trackId, meetingId);
        const themeRows = themesByKey(meeting.networkSlug, input.themes ?? []);
        const speakerRows = speakersById(meeting.networkSlug, input.speakerIds ?? []);
        const { speakerIds } = input;
        const id = newId('itm');
        // Checked before anything is written: the new item only adds findings that involve it.
        refuseNewErrors(checkInput(meeting, input.startTime, input.endTime), {
          id,
          trackId: input.trackId ?? null,
          startTime: input.startTime,
          endTime: input.endTime,
          title: input.title,
          kind: input.kind,
          themes: [],
          speakers: checkSpeakers(speakerRows),
        });
        q.insert.run({
          id,
          meetingId,
          trackId: input.trackId ?? null,
          startTime: input.startTime,
          endTime: input.endTime,
          title: input.title,
          kind: input.kind,
          description: input.description ?? '',
          now: nowIso(),
        });
        writeLinks(id, themeRows.map((t) => t.id), speakerIds);
        return shape(q.item.get({ id })!, meeting, true);
      });
    },
    update(id: string, patch: ItemPatch, expected?: Expected): Item {
      return q.immediate(() => {
        const { row, meeting } = rowsForWrite(id);
        const next = { ...row, ...patch };
        checkItemTimes(meeting, next);
        if (patch.trackId) assertTrackInMeeting(patch.trackId, meeting.id);
        const themeRows = patch.themes === undefined ? undefined : themesByKey(meeting.networkSlug, patch.themes);
        const speakerRows = patch.speakerIds ? speakersById(meeting.networkSlug, patch.speakerIds) : undefined;
        // Error findings depend on times, track and speakers only: a new title or theme cannot add one.
        const checked =
          patch.startTime !== undefined || patch.endTime !== undefined || patch.trackId !== undefined || speakerRows !== undefined;
        const span = [row.startTime, row.endTime, next.startTime, next.endTime].sort();
        const before = checked ? checkInput(meeting, span[0]!, span[3]!) : null;
        // As `guardedUpdate`, on a statement prepared once: the row was read in this transaction, so no
        // change means another version than If-Match allows.
        const written = q.update.run({
          id,
          trackId: next.trackId,
          startTime: next.startTime,
          endTime: next.endTime,
          title: next.title,
          kind: next.kind,
          description: next.description,
          now: nowIso(),
          expected: expected === undefined ? null : JSON.stringify(expected),
        });
        if (written.changes === 0) throw preconditionFailed(row.version);
        writeLinks(id, themeRows?.map((t) => t.id), patch.speakerIds);
        if (before) {
          // (An item stored with an empty span overlaps nothing, so it is not among the rows read.)
          const old = before.items.find((i) => i.id === id) ?? { ...row, themes: [], speakers: [] };
          refuseNewErrors(before, {
            ...old,
            trackId: next.trackId,
            startTime: next.startTime,
            endTime: next.endTime,
            title: next.title,
            kind: next.kind,
            speakers: speakerRows ? checkSpeakers(speakerRows) : old.speakers,
          });
        }
        return shape(q.item.get({ id })!, meeting, true);
      });
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
