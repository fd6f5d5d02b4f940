// Whole-agenda operations a coordinator uses to plan a day: apply a template, copy another meeting's
// agenda, shift later items. Each runs in one immediate transaction and is rolled back when it would
// leave the agenda with error findings.
import { and, asc, count, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { agendaItems, itemSpeakers, itemThemes, registrations, themes, tracks, type MeetingRow, type ThemeRow } from '../../db/schema.js';
import { checkWorkingAgenda, workingAgenda } from '../agenda/working-agenda.js';
import { errorsOnly, type Finding } from '../checks/agenda-checks.js';
import { badRequest, conflict } from '../http/errors.js';
import { newId, nowIso } from '../http/ids.js';
import { meetingsRepository } from '../meetings/meetings.repository.js';
import { layOut, type Template } from '../templates/templates.js';
import { fromMinutes, toMinutes } from '../time/local-time.js';
import type { ProblemCode } from '../http/problem-codes.js';

export type Mode = 'replace' | 'append';

/** What a `replace` took away before laying out the new agenda (nothing for `append`). */
export interface Removed {
  tracks: { id: string; name: string }[];
  items: { id: string; title: string; startTime: string; endTime: string; trackId: string | null }[];
  /** Registrations that had chosen a removed track: still registered for the meeting, now without a track. */
  clearedTrackChoices: number;
}

const nothingRemoved = (): Removed => ({ tracks: [], items: [], clearedTrackChoices: 0 });

interface NewItem {
  trackId: string | null;
  startTime: string;
  endTime: string;
  title: string;
  kind: (typeof agendaItems.$inferInsert)['kind'];
  description: string;
  themeIds: string[];
  speakerIds: string[];
}

interface ThemeDefinition {
  key: string;
  name: string;
  description: string;
}

export function agendaOperations(db: Db, baseUrl: string) {
  const meetings = meetingsRepository(db, baseUrl);

  /** Runs `fn` in a transaction, then refuses (rolls back) if the agenda ends with errors. */
  function planned<T>(meetingId: string, fn: (meeting: MeetingRow) => T): { findings: Finding[]; outcome: T } {
    return db.transaction(
      () => {
        const meeting = meetings.getRow(meetingId);
        const outcome = fn(meeting);
        const findings = checkWorkingAgenda(workingAgenda(db, baseUrl, meetingId));
        const errors = errorsOnly(findings);
        if (errors.length > 0) {
          throw conflict('agenda-conflict', 'The result would have errors: ' + errors.map((e) => e.message).join('; '), { findings: errors });
        }
        return { findings, outcome };
      },
      { behavior: 'immediate' },
    );
  }

  /** Deletes the meeting's items and tracks (the audit trail keeps every row) and says what went. */
  function clear(meetingId: string): Removed {
    const goneTracks = db
      .select({ id: tracks.id, name: tracks.name })
      .from(tracks)
      .where(eq(tracks.meetingId, meetingId))
      .orderBy(asc(tracks.sortOrder), asc(tracks.id))
      .all();
    const goneItems = db
      .select({ id: agendaItems.id, title: agendaItems.title, startTime: agendaItems.startTime, endTime: agendaItems.endTime, trackId: agendaItems.trackId })
      .from(agendaItems)
      .where(eq(agendaItems.meetingId, meetingId))
      .orderBy(asc(agendaItems.startTime), asc(agendaItems.id))
      .all();
    const trackIds = goneTracks.map((t) => t.id);
    const clearedTrackChoices =
      trackIds.length > 0 ? db.select({ n: count() }).from(registrations).where(inArray(registrations.trackId, trackIds)).get()!.n : 0;
    db.delete(agendaItems).where(eq(agendaItems.meetingId, meetingId)).run();
    db.delete(tracks).where(eq(tracks.meetingId, meetingId)).run();
    return { tracks: goneTracks, items: goneItems, clearedTrackChoices };
  }

  /** Maps theme keys to the network's themes; creates missing ones from `definitions` only when allowed. */
  function mapThemes(slug: string, definitions: ThemeDefinition[], createMissing: boolean): Map<string, ThemeRow> {
    const existing = db.select().from(themes).where(eq(themes.networkSlug, slug)).all();
    const byKey = new Map(existing.map((t) => [t.key, t]));
    const missing = definitions.filter((d) => !byKey.has(d.key));
    if (missing.length > 0 && !createMissing) {
      throw conflict(
        'missing-themes',
        `Network '${slug}' has no theme ${missing.map((m) => `'${m.key}'`).join(', ')}; pass "createMissingThemes": true to create them`,
        { themes: missing.map((m) => m.key) },
      );
    }
    const now = nowIso();
    for (const d of missing) {
      const row = db
        .insert(themes)
        .values({ id: newId('thm'), networkSlug: slug, key: d.key, name: d.name, description: d.description, createdAt: now, updatedAt: now })
        .returning()
        .get();
      byKey.set(row.key, row);
    }
    return byKey;
  }

  /** Existing tracks are reused by name in append mode, so a template can be applied onto a started plan. */
  function ensureTracks(meetingId: string, wanted: { key: string; name: string; description: string; audience: string; room?: string | null }[]) {
    const existing = db.select().from(tracks).where(eq(tracks.meetingId, meetingId)).all();
    const now = nowIso();
    let order = existing.reduce((max, t) => Math.max(max, t.sortOrder + 1), 0);
    const ids = new Map<string, string>();
    for (const w of wanted) {
      const same = existing.find((t) => t.name.toLocaleLowerCase('da') === w.name.toLocaleLowerCase('da'));
      if (same) {
        ids.set(w.key, same.id);
        continue;
      }
      const id = newId('trk');
      db.insert(tracks)
        .values({ id, meetingId, name: w.name, description: w.description, audience: w.audience, room: w.room ?? null, sortOrder: order++, createdAt: now, updatedAt: now })
        .run();
      ids.set(w.key, id);
    }
    return ids;
  }

  function insertItems(meetingId: string, items: NewItem[]) {
    const now = nowIso();
    for (const i of items) {
      const id = newId('itm');
      db.insert(agendaItems)
        .values({ id, meetingId, trackId: i.trackId, startTime: i.startTime, endTime: i.endTime, title: i.title, kind: i.kind, description: i.description, createdAt: now, updatedAt: now })
        .run();
      for (const themeId of new Set(i.themeIds)) db.insert(itemThemes).values({ itemId: id, themeId }).run();
      i.speakerIds.forEach((speakerId, position) => db.insert(itemSpeakers).values({ itemId: id, speakerId, position }).run());
    }
  }

  function assertFits(meeting: MeetingRow, items: { startTime: string; endTime: string }[], code: ProblemCode, what: string) {
    const outside = items.filter((i) => i.startTime < meeting.startTime || i.endTime > meeting.endTime);
    if (outside.length > 0) {
      throw conflict(code, `${what} would place items outside the meeting's hours (${meeting.startTime}–${meeting.endTime})`);
    }
  }

  return {
    applyTemplate(meetingId: string, template: Template, mode: Mode, createMissingThemes: boolean) {
      return planned(meetingId, (meeting) => {
        let laid;
        try {
          laid = layOut(template, meeting.startTime);
        } catch {
          throw conflict('template-does-not-fit', `Template '${template.key}' does not fit a meeting starting at ${meeting.startTime}`);
        }
        assertFits(meeting, laid.items, 'template-does-not-fit', `Template '${template.key}' (${template.lengthMinutes} minutes)`);
        const themeMap = mapThemes(meeting.networkSlug, template.themes, createMissingThemes);
        const removed = mode === 'replace' ? clear(meetingId) : nothingRemoved();
        const trackIds = ensureTracks(meetingId, laid.tracks);
        insertItems(
          meetingId,
          laid.items.map((i) => ({
            ...i,
            trackId: i.trackKey ? trackIds.get(i.trackKey)! : null,
            themeIds: i.themeKeys.map((k) => themeMap.get(k)!.id),
            speakerIds: [],
          })),
        );
        return removed;
      });
    },

    /** Copies tracks and items of another meeting, at the same offsets from the start of the day. */
    copyAgenda(meetingId: string, sourceId: string, mode: Mode, createMissingThemes: boolean) {
      if (meetingId === sourceId) throw badRequest('same-meeting', 'A meeting cannot copy its own agenda');
      return planned(meetingId, (meeting) => {
        const source = workingAgenda(db, baseUrl, sourceId);
        const offset = toMinutes(meeting.startTime) - toMinutes(source.meeting.startTime);
        const moved = (t: string) => {
          const m = toMinutes(t) + offset;
          if (m < 0 || m >= 24 * 60) throw conflict('agenda-does-not-fit', 'The copied agenda would pass midnight');
          return fromMinutes(m);
        };
        const items = source.items.map((i) => ({ ...i, startTime: moved(i.startTime), endTime: moved(i.endTime) }));
        assertFits(meeting, items, 'agenda-does-not-fit', `The agenda of meeting '${sourceId}'`);
        const definitions = new Map<string, ThemeDefinition>();
        for (const i of source.items) for (const t of i.themes) definitions.set(t.key, { key: t.key, name: t.name, description: '' });
        const themeMap = mapThemes(meeting.networkSlug, [...definitions.values()], createMissingThemes);
        const removed = mode === 'replace' ? clear(meetingId) : nothingRemoved();
        const trackIds = ensureTracks(meetingId, source.tracks.map((t) => ({ ...t, key: t.id })));
        insertItems(
          meetingId,
          items.map((i) => ({
            ...i,
            trackId: i.trackId ? trackIds.get(i.trackId)! : null,
            themeIds: i.themes.map((t) => themeMap.get(t.key)!.id),
            // Speakers belong to their network: a copy from another network's meeting leaves them out.
            speakerIds: source.meeting.networkSlug === meeting.networkSlug ? i.speakers.map((s) => s.id) : [],
          })),
        );
        return removed;
      });
    },

    /** Moves every item starting at or after `after` (in one track, or all) by `minutes`. */
    shift(meetingId: string, after: string, minutes: number, trackId: string | undefined): Finding[] {
      return planned(meetingId, (meeting) => {
        if (trackId) {
          const track = db.select().from(tracks).where(eq(tracks.id, trackId)).get();
          if (!track || track.meetingId !== meetingId) {
            throw badRequest('track-not-in-meeting', `Track '${trackId}' is not a track of meeting '${meetingId}'`, [
              { path: 'body.track', message: 'must be a track of this meeting' },
            ]);
          }
        }
        const rows = db
          .select()
          .from(agendaItems)
          .where(and(eq(agendaItems.meetingId, meetingId), gte(agendaItems.startTime, after), trackId ? eq(agendaItems.trackId, trackId) : undefined))
          .all();
        const moved = rows.map((r) => {
          const s = toMinutes(r.startTime) + minutes;
          const e = toMinutes(r.endTime) + minutes;
          if (s < 0 || e >= 24 * 60) throw conflict('shift-out-of-meeting', 'The shift would move items past midnight');
          return { id: r.id, startTime: fromMinutes(s), endTime: fromMinutes(e) };
        });
        assertFits(meeting, moved, 'shift-out-of-meeting', `Shifting by ${minutes} minutes`);
        const now = nowIso();
        for (const m of moved) {
          db.update(agendaItems)
            .set({ startTime: m.startTime, endTime: m.endTime, updatedAt: now, version: sql`${agendaItems.version} + 1` })
            .where(eq(agendaItems.id, m.id))
            .run();
        }
      }).findings;
    },
  };
}
