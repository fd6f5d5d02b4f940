// The frozen form of an agenda, as stored in a release: everything a participant may see, nothing private.
import { z } from 'zod';
import { itemKinds, meetingStatuses } from '../../db/schema.js';

const venueSnapshot = z.object({
  id: z.string(),
  name: z.string(),
  streetAddress: z.string(),
  postalCode: z.string(),
  city: z.string(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
});

export const snapshotTrack = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    audience: z.string(),
    room: z.string().nullable(),
    sortOrder: z.number().int(),
  })
  .meta({ id: 'ReleasedTrack' });

export const snapshotItem = z
  .object({
    id: z.string(),
    trackId: z.string().nullable(),
    startTime: z.string(),
    endTime: z.string(),
    title: z.string(),
    kind: z.enum(itemKinds),
    description: z.string(),
    themes: z.array(z.object({ id: z.string(), key: z.string(), name: z.string() })),
    speakers: z.array(z.object({ id: z.string(), name: z.string(), title: z.string(), organisation: z.string() })),
  })
  .meta({ id: 'ReleasedItem' });

export const snapshotMeeting = z
  .object({
    title: z.string(),
    date: z.string(),
    startTime: z.string(),
    endTime: z.string(),
    timeZone: z.string(),
    status: z.enum(meetingStatuses),
    description: z.string(),
    venue: venueSnapshot.nullable(),
  })
  .meta({ id: 'ReleasedMeeting' });

export const snapshotSchema = z
  .object({ meeting: snapshotMeeting, tracks: z.array(snapshotTrack), items: z.array(snapshotItem) })
  .meta({ id: 'AgendaSnapshot' });

export type Snapshot = z.infer<typeof snapshotSchema>;
export type SnapshotItem = z.infer<typeof snapshotItem>;
export type SnapshotTrack = z.infer<typeof snapshotTrack>;
export type SnapshotMeeting = z.infer<typeof snapshotMeeting>;

/** Keeps exactly the snapshot's fields (drops private data such as speaker emails). */
export const toSnapshot = (value: unknown): Snapshot => snapshotSchema.parse(value);
