// The changelog between two frozen agendas, as a plain function: what a participant would notice.
import { z } from 'zod';
import { venueAddress } from '../venues/venues.schemas.js';
import type { Snapshot, SnapshotItem } from './snapshot.js';

const placement = z.object({ startTime: z.string(), endTime: z.string(), trackId: z.string().nullable() });
const itemRef = placement.extend({ id: z.string(), title: z.string() });

export const changelogSchema = z
  .object({
    meeting: z
      .array(z.object({ field: z.string(), from: z.string().nullable(), to: z.string().nullable() }))
      .describe('Meeting-level changes: title, date, startTime, endTime, timeZone, venue, status, description'),
    tracks: z.object({
      added: z.array(z.object({ id: z.string(), name: z.string() })),
      removed: z.array(z.object({ id: z.string(), name: z.string() })),
      changed: z.array(z.object({ id: z.string(), name: z.string(), fields: z.array(z.string()) })),
    }),
    items: z.object({
      added: z.array(itemRef),
      removed: z.array(itemRef),
      moved: z.array(z.object({ id: z.string(), title: z.string(), from: placement, to: placement })).describe('Time or track changed'),
      retitled: z.array(z.object({ id: z.string(), from: z.string(), to: z.string() })),
      changed: z
        .array(z.object({ id: z.string(), title: z.string(), fields: z.array(z.string()) }))
        .describe('Other visible changes: kind, description, themes, speakers'),
    }),
    empty: z.boolean().describe('True when nothing changed'),
  })
  .meta({ id: 'Changelog' });

export type Changelog = z.infer<typeof changelogSchema>;

const emptySnapshot: Snapshot = {
  meeting: { title: '', date: '', startTime: '', endTime: '', timeZone: '', status: 'draft', description: '', venue: null },
  tracks: [],
  items: [],
};

const ref = (i: SnapshotItem) => ({ id: i.id, title: i.title, startTime: i.startTime, endTime: i.endTime, trackId: i.trackId });
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Changes from `before` (null: nothing was released yet) to `after`. */
export function diffSnapshots(before: Snapshot | null, after: Snapshot): Changelog {
  const prev = before ?? emptySnapshot;
  const meeting: Changelog['meeting'] = [];
  if (before) {
    const fields = ['title', 'date', 'startTime', 'endTime', 'timeZone', 'status', 'description'] as const;
    for (const f of fields) {
      if (prev.meeting[f] !== after.meeting[f]) meeting.push({ field: f, from: prev.meeting[f], to: after.meeting[f] });
    }
    const venueOf = (s: Snapshot) => (s.meeting.venue ? venueAddress(s.meeting.venue) : null);
    if (!same(prev.meeting.venue, after.meeting.venue)) meeting.push({ field: 'venue', from: venueOf(prev), to: venueOf(after) });
  }

  const tracksBefore = new Map(prev.tracks.map((t) => [t.id, t]));
  const tracksAfter = new Map(after.tracks.map((t) => [t.id, t]));
  const tracks: Changelog['tracks'] = {
    added: after.tracks.filter((t) => !tracksBefore.has(t.id)).map((t) => ({ id: t.id, name: t.name })),
    removed: prev.tracks.filter((t) => !tracksAfter.has(t.id)).map((t) => ({ id: t.id, name: t.name })),
    changed: [],
  };
  for (const t of after.tracks) {
    const old = tracksBefore.get(t.id);
    if (!old) continue;
    const fields = (Object.keys(t) as (keyof typeof t)[]).filter((k) => !same(old[k], t[k]));
    if (fields.length > 0) tracks.changed.push({ id: t.id, name: t.name, fields });
  }

  const itemsBefore = new Map(prev.items.map((i) => [i.id, i]));
  const itemsAfter = new Map(after.items.map((i) => [i.id, i]));
  const items: Changelog['items'] = {
    added: after.items.filter((i) => !itemsBefore.has(i.id)).map(ref),
    removed: prev.items.filter((i) => !itemsAfter.has(i.id)).map(ref),
    moved: [],
    retitled: [],
    changed: [],
  };
  for (const i of after.items) {
    const old = itemsBefore.get(i.id);
    if (!old) continue;
    if (old.startTime !== i.startTime || old.endTime !== i.endTime || old.trackId !== i.trackId) {
      const { id, title, ...from } = ref(old);
      const { id: _i, title: _t, ...to } = ref(i);
      items.moved.push({ id, title: i.title, from, to });
    }
    if (old.title !== i.title) items.retitled.push({ id: i.id, from: old.title, to: i.title });
    const other = (['kind', 'description', 'themes', 'speakers'] as const).filter((k) => !same(old[k], i[k]));
    if (other.length > 0) items.changed.push({ id: i.id, title: i.title, fields: [...other] });
  }

  const empty =
    meeting.length === 0 &&
    Object.values(tracks).every((l) => l.length === 0) &&
    Object.values(items).every((l) => l.length === 0);
  return { meeting, tracks, items, empty };
}
