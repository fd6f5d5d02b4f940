// The short human summary of what changed for one participant ("Starter nu kl. 10:30", "Lokale flyttet
// til …"), in Danish or English, from a message's changelog and the participant's changed events. Pure.
import type { Changelog } from '../releases/release-diff.js';

export type Language = 'da' | 'en';

export interface ChangedEvent {
  kind: 'meeting' | 'item';
  itemId: string | null;
  title: string;
  /** The track's room, when the item is in a track that has one. */
  room: string | null;
  trackName: string | null;
  cancelled: boolean;
}

type MeetingChange = { field: string; from: string | null; to: string | null };

const DA = {
  date: (to: string) => `Mødet er flyttet til ${to}`,
  startTime: (to: string) => `Starter nu kl. ${to}`,
  endTime: (to: string) => `Slutter nu kl. ${to}`,
  venue: (to: string) => `Sted flyttet til ${to}`,
  title: (to: string) => `Mødet hedder nu «${to}»`,
  cancelled: () => 'Mødet er aflyst',
  itemStarts: (t: string, to: string) => `«${t}» starter nu kl. ${to}`,
  itemEnds: (t: string, to: string) => `«${t}» slutter nu kl. ${to}`,
  itemTrack: (t: string, track: string) => `«${t}» er flyttet til sporet «${track}»`,
  removed: (t: string) => `«${t}» er taget af programmet`,
  added: (t: string, at: string) => `Nyt på programmet: «${t}» kl. ${at}`,
  retitled: (from: string, to: string) => `«${from}» hedder nu «${to}»`,
  changed: (t: string) => `«${t}» er ændret`,
  room: (room: string, track: string) => `Lokale flyttet til ${room} («${track}»)`,
  gone: (t: string) => `«${t}» er ikke længere på dit program`,
};
const EN: typeof DA = {
  date: (to) => `The meeting has moved to ${to}`,
  startTime: (to) => `Now starts at ${to}`,
  endTime: (to) => `Now ends at ${to}`,
  venue: (to) => `Venue moved to ${to}`,
  title: (to) => `The meeting is now called “${to}”`,
  cancelled: () => 'The meeting is cancelled',
  itemStarts: (t, to) => `“${t}” now starts at ${to}`,
  itemEnds: (t, to) => `“${t}” now ends at ${to}`,
  itemTrack: (t, track) => `“${t}” has moved to the track “${track}”`,
  removed: (t) => `“${t}” was taken off the programme`,
  added: (t, at) => `New on the programme: “${t}” at ${at}`,
  retitled: (from, to) => `“${from}” is now called “${to}”`,
  changed: (t) => `“${t}” has changed`,
  room: (room, track) => `Room moved to ${room} (“${track}”)`,
  gone: (t) => `“${t}” is no longer on your programme`,
};

/** A local date YYYY-MM-DD as words ("tirsdag den 5. maj 2026" / "Tuesday 5 May 2026"), whatever the machine's zone. */
export function longDate(date: string, lang: Language): string {
  const d = new Date(`${date}T12:00:00Z`);
  return new Intl.DateTimeFormat(lang === 'da' ? 'da-DK' : 'en-GB', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(d);
}

export function meetingLines(changes: readonly MeetingChange[], lang: Language): string[] {
  const w = lang === 'da' ? DA : EN;
  const lines: string[] = [];
  for (const c of changes) {
    if (c.field === 'status' && c.to === 'cancelled') lines.push(w.cancelled());
    else if (c.to === null) continue;
    else if (c.field === 'date') lines.push(w.date(longDate(c.to, lang)));
    else if (c.field === 'startTime') lines.push(w.startTime(c.to));
    else if (c.field === 'endTime') lines.push(w.endTime(c.to));
    else if (c.field === 'venue') lines.push(w.venue(c.to));
    else if (c.field === 'title') lines.push(w.title(c.to));
  }
  return lines;
}

/** The lines for a release: the meeting's own changes, then the participant's changed items. */
export function releaseLines(changelog: Changelog, events: readonly ChangedEvent[], lang: Language): string[] {
  const w = lang === 'da' ? DA : EN;
  const mine = new Map(events.filter((e) => e.itemId !== null).map((e) => [e.itemId!, e]));
  const lines = events.some((e) => e.kind === 'meeting') ? meetingLines(changelog.meeting, lang) : [];
  const told = new Set<string>();
  for (const m of changelog.items.moved) {
    const e = mine.get(m.id);
    if (!e) continue;
    told.add(m.id);
    if (m.from.startTime !== m.to.startTime) lines.push(w.itemStarts(m.title, m.to.startTime));
    else if (m.from.endTime !== m.to.endTime) lines.push(w.itemEnds(m.title, m.to.endTime));
    if (m.from.trackId !== m.to.trackId && e.trackName && !e.cancelled) lines.push(w.itemTrack(m.title, e.trackName));
    if (m.from.trackId !== m.to.trackId && e.cancelled) lines.push(w.gone(m.title));
  }
  for (const r of changelog.items.retitled) if (mine.has(r.id)) (told.add(r.id), lines.push(w.retitled(r.from, r.to)));
  for (const r of changelog.items.removed) if (mine.has(r.id)) (told.add(r.id), lines.push(w.removed(r.title)));
  for (const r of changelog.items.added) if (mine.has(r.id)) (told.add(r.id), lines.push(w.added(r.title, r.startTime)));
  for (const c of changelog.items.changed) if (mine.has(c.id) && !told.has(c.id)) (told.add(c.id), lines.push(w.changed(c.title)));
  const rooms = new Set<string>();
  for (const t of changelog.tracks.changed) {
    if (!t.fields.includes('room')) continue;
    const e = events.find((x) => x.trackName === t.name && x.room);
    if (e && !rooms.has(t.id)) {
      rooms.add(t.id);
      lines.push(w.room(e.room!, t.name));
    }
  }
  for (const e of events) {
    if (e.kind === 'item' && !told.has(e.itemId!) && rooms.size === 0) lines.push(e.cancelled ? w.gone(e.title) : w.changed(e.title));
  }
  return lines;
}
