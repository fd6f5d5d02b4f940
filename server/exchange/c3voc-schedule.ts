// The c3voc schedule format (frab, pretalx, Giggity, EventFahrplan…) made from released agendas, as plain
// functions: `scheduleOf` gives the JSON document (valid against the c3voc JSON Schema), `scheduleXml`
// the same content as XML (valid against its XSD). Rooms come from tracks (a track's room, else its name);
// plenary items are in a room named after the venue. Each meeting is a day (meetings on the same date share
// one). Identifiers are derived from the feed UIDs, so they never change: the event's guid is a UUIDv5 of
// the item's feed UID, its numeric id a number taken from that guid.
// A cancelled meeting keeps its day with no events (apps drop the events, as calendars do the feeds'
// cancelled ones) and its conference description says it is cancelled.
import { create } from 'xmlbuilder2';
import { z } from 'zod';
import { eventUid } from '../feeds/feed-content.js';
import type { PublishedAgenda } from '../releases/published.js';
import type { SnapshotItem, SnapshotTrack } from '../releases/snapshot.js';
import { toInstant, toMinutes, toOffsetString } from '../time/local-time.js';
import { stableUuid } from './stable-uuid.js';

// ---------------------------------------------------------------- the document's shape (one source)

const person = z.object({ name: z.string(), guid: z.string(), biography: z.string().nullable() });

export const scheduleEvent = z.object({
  guid: z.string().describe('UUIDv5 of the item’s feed UID: never changes'),
  id: z.number().int().min(1).describe('Legacy numeric id, derived from the guid'),
  date: z.string().describe('Start, local time with offset'),
  start: z.string().describe('Local start HH:MM'),
  duration: z.string().describe('HH:MM'),
  room: z.string(),
  slug: z.string(),
  url: z.string().describe('The JSON agenda of the meeting'),
  title: z.string(),
  subtitle: z.string().nullable(),
  track: z.string().nullable().describe('The track’s name; the plenary items: “Fælles program”'),
  type: z.string().describe('The item’s kind'),
  language: z.string().nullable(),
  abstract: z.string().nullable(),
  description: z.string().nullable(),
  persons: z.array(person),
  links: z.array(z.object({ url: z.string(), title: z.string() })),
});

const scheduleDay = z.object({
  index: z.number().int().min(1),
  date: z.string(),
  day_start: z.string(),
  day_end: z.string(),
  rooms: z.record(z.string(), z.array(scheduleEvent)),
});

export const scheduleSchema = z
  .object({
    generator: z.object({ name: z.string(), version: z.string() }),
    schedule: z.object({
      version: z.string().describe('The release numbers the schedule shows'),
      base_url: z.string(),
      conference: z.object({
        acronym: z.string(),
        title: z.string(),
        description: z.string(),
        start: z.string(),
        end: z.string(),
        daysCount: z.number().int(),
        timeslot_duration: z.string(),
        time_zone_name: z.string(),
        url: z.string(),
        keywords: z.array(z.string()).describe('The themes of the released items'),
        tracks: z.array(z.object({ name: z.string() })),
        rooms: z.array(z.object({ name: z.string(), guid: z.string() })),
        days: z.array(scheduleDay),
      }),
    }),
  })
  .meta({ id: 'C3vocSchedule', description: 'The c3voc schedule format (frab, pretalx): the released agenda only' });

export type Schedule = z.infer<typeof scheduleSchema>;
type ScheduleEvent = z.infer<typeof scheduleEvent>;

// ---------------------------------------------------------------- identifiers and small conversions

export const guidOf = stableUuid;
/**
 * The format's deprecated numeric `id` (both schemas still require it): a positive 31-bit integer from the
 * guid, since some apps keep it in a 32-bit int.
 */
export const idOfGuid = (guid: string): number => (Number.parseInt(guid.replace(/-/g, '').slice(0, 8), 16) % 0x7fffffff) + 1;

const TRANSLIT: Record<string, string> = { æ: 'ae', ø: 'oe', å: 'aa', ß: 'ss' };
/** Lower-case ASCII letters, digits and `sep`: æ ø å written out as Danes do when they must. */
export function asciiSlug(text: string, sep = '-'): string {
  return text
    .toLowerCase()
    .replace(/[\u00e6\u00f8\u00e5\u00df]/g, (c) => TRANSLIT[c]!)
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^a-z0-9]+/g, sep)
    .split(sep)
    .filter(Boolean)
    .join(sep);
}

/** Acronyms match `[a-z0-9_]{4,}` in both schemas: underscores only, padded when short. */
export const acronymOf = (text: string): string => asciiSlug(text, '_').padEnd(4, '_');

const pad2 = (n: number) => String(n).padStart(2, '0');
/** Minutes as `HH:MM`. */
export const hhmm = (minutes: number): string => `${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;

export const PLENARY_TRACK = 'Fælles program';
const PLENARY_ROOM = 'Plenum';

/** The room an item is in: its track's room or name; plenary items in the venue's (or “Plenum”). */
export function roomOf(track: SnapshotTrack | undefined, venueName: string | null): string {
  if (track) return track.room?.trim() || track.name;
  return venueName?.trim() || PLENARY_ROOM;
}

// ---------------------------------------------------------------- the document

export interface ScheduleScope {
  /** The conference: a network or one meeting. */
  title: string;
  acronym: string;
  description: string;
  url: string;
}

function eventOf(p: PublishedAgenda, item: SnapshotItem, track: SnapshotTrack | undefined, acronym: string, agendaUrl: string): ScheduleEvent {
  const guid = guidOf(eventUid(item.id));
  const id = idOfGuid(guid);
  const { meeting } = p;
  const themes = item.themes.map((t) => t.name);
  const description = [item.description.trim(), themes.length > 0 ? `Temaer: ${themes.join(', ')}` : '']
    .filter(Boolean)
    .join('\n\n');
  return {
    guid,
    id,
    date: toOffsetString(meeting.date, item.startTime, meeting.timeZone),
    start: item.startTime,
    duration: hhmm(Math.max(0, toMinutes(item.endTime) - toMinutes(item.startTime))),
    room: roomOf(track, p.venue?.name ?? null),
    slug: `${acronym}-${id}-${asciiSlug(item.title) || 'punkt'}`,
    url: agendaUrl,
    title: item.title,
    subtitle: null,
    track: track ? track.name : PLENARY_TRACK,
    type: item.kind,
    language: 'da',
    abstract: item.description.trim() || null,
    description: description || null,
    persons: item.speakers.map((s) => ({
      name: s.name,
      guid: guidOf(`speaker:${s.id}@netagenda`),
      biography: [s.title, s.organisation].filter(Boolean).join(', ') || null,
    })),
    links: [],
  };
}

const byStart = (a: SnapshotItem, b: SnapshotItem) => a.startTime.localeCompare(b.startTime) || a.endTime.localeCompare(b.endTime) || a.id.localeCompare(b.id);

/**
 * The schedule of published (non-draft) meetings, in date order; `baseUrl` the service's public URL.
 * Needs at least one meeting (the XSD requires a day).
 */
export function scheduleOf(scope: ScheduleScope, published: PublishedAgenda[], baseUrl: string): Schedule {
  if (published.length === 0) throw new Error('scheduleOf: a schedule needs at least one meeting');
  const agendas = [...published].sort((a, b) => a.meeting.date.localeCompare(b.meeting.date) || a.meeting.startTime.localeCompare(b.meeting.startTime));
  const days: Schedule['schedule']['conference']['days'] = [];
  const rooms = new Map<string, string>();
  const tracks = new Set<string>();
  const keywords = new Set<string>();
  for (const p of agendas) {
    const { meeting } = p;
    const start = toOffsetString(meeting.date, meeting.startTime, meeting.timeZone);
    const end = toOffsetString(meeting.date, meeting.endTime, meeting.timeZone);
    let day = days.find((d) => d.date === meeting.date);
    if (!day) {
      day = { index: days.length + 1, date: meeting.date, day_start: start, day_end: end, rooms: {} };
      days.push(day);
    } else {
      if (toInstant(meeting.date, meeting.startTime, meeting.timeZone) < new Date(day.day_start)) day.day_start = start;
      if (toInstant(meeting.date, meeting.endTime, meeting.timeZone) > new Date(day.day_end)) day.day_end = end;
    }
    if (meeting.status === 'cancelled') continue;
    const trackById = new Map(p.tracks.map((t) => [t.id, t]));
    const agendaUrl = `${baseUrl}/api/v1/meetings/${meeting.id}/agenda`;
    for (const item of [...p.items].sort(byStart)) {
      const track = item.trackId ? trackById.get(item.trackId) : undefined;
      const event = eventOf(p, item, track, scope.acronym, agendaUrl);
      (day.rooms[event.room] ??= []).push(event);
      if (!rooms.has(event.room)) rooms.set(event.room, guidOf(`room:${event.room}@netagenda`));
      tracks.add(event.track!);
      for (const t of item.themes) keywords.add(t.name);
    }
  }
  const first = agendas[0]!.meeting;
  const cancelledAll = agendas.every((p) => p.meeting.status === 'cancelled');
  return {
    generator: { name: 'netagenda', version: '0.1.0' },
    schedule: {
      version: agendas.map((p) => `${p.meeting.id}:${p.release?.number ?? 0}`).join(' '),
      base_url: `${baseUrl}/`,
      conference: {
        acronym: scope.acronym,
        title: scope.title,
        description: [cancelledAll ? 'Mødet er aflyst.' : '', scope.description.trim()].filter(Boolean).join('\n\n'),
        start: first.date,
        end: agendas[agendas.length - 1]!.meeting.date,
        daysCount: days.length,
        timeslot_duration: '00:15',
        time_zone_name: first.timeZone,
        url: scope.url,
        keywords: [...keywords],
        tracks: [...tracks].map((name) => ({ name })),
        rooms: [...rooms].map(([name, guid]) => ({ name, guid })),
        days,
      },
    },
  };
}

// ---------------------------------------------------------------- XML

/** The schedule as c3voc XML (schedule.xml.xsd), built by xmlbuilder2 (it escapes every text and attribute). */
export function scheduleXml(s: Schedule): string {
  const c = s.schedule.conference;
  const doc = create({ version: '1.0', encoding: 'UTF-8' }).ele('schedule');
  doc.ele('generator', { name: s.generator.name, version: s.generator.version });
  doc.ele('version').txt(s.schedule.version);
  const conf = doc.ele('conference');
  conf.ele('title').txt(c.title);
  conf.ele('acronym').txt(c.acronym);
  conf.ele('start').txt(c.start);
  conf.ele('end').txt(c.end);
  conf.ele('days').txt(String(c.daysCount));
  conf.ele('timeslot_duration').txt(c.timeslot_duration);
  conf.ele('base_url').txt(s.schedule.base_url);
  conf.ele('url').txt(c.url);
  conf.ele('time_zone_name').txt(c.time_zone_name);
  for (const t of c.tracks) conf.ele('track', { name: t.name }).txt(t.name);
  const roomGuid = new Map(c.rooms.map((r) => [r.name, r.guid]));
  for (const d of c.days) {
    const day = doc.ele('day', { index: d.index, date: d.date, start: d.day_start, end: d.day_end });
    for (const [name, events] of Object.entries(d.rooms)) {
      const room = day.ele('room', { name, guid: roomGuid.get(name)! });
      for (const e of events) {
        const ev = room.ele('event', { id: e.id, guid: e.guid });
        ev.ele('room').txt(e.room);
        ev.ele('title').txt(e.title);
        ev.ele('type').txt(e.type);
        ev.ele('date').txt(e.date);
        ev.ele('start').txt(e.start);
        ev.ele('duration').txt(e.duration);
        ev.ele('abstract').txt(e.abstract ?? '');
        ev.ele('slug').txt(e.slug);
        ev.ele('track').txt(e.track ?? '');
        const persons = ev.ele('persons');
        for (const p of e.persons) persons.ele('person', { guid: p.guid }).txt(p.name);
        if (e.language) ev.ele('language').txt(e.language);
        ev.ele('description').txt(e.description ?? '');
        ev.ele('links');
        ev.ele('url').txt(e.url);
      }
    }
  }
  return doc.end({ prettyPrint: true });
}
