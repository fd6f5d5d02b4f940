import { z } from 'zod';
import { feedLinks, id, name, text, timestamps } from '../http/fields.js';

export const trackCreate = z
  .strictObject({
    name: name(200),
    description: text(5000).optional(),
    audience: text(500).optional().describe('Who the track is for, e.g. "Konsulenter på dagtilbudsområdet"'),
    room: text(200).nullable().optional(),
    sortOrder: z.number().int().min(0).max(10000).optional(),
    capacity: z.number().int().min(1).max(100000).nullable().optional().describe('Places in this track'),
  })
  .meta({ id: 'TrackCreate' });

export const trackPatch = trackCreate.partial().meta({ id: 'TrackPatch' });

export const track = z
  .object({
    id,
    meetingId: z.string(),
    name: z.string(),
    description: z.string(),
    audience: z.string(),
    room: z.string().nullable(),
    sortOrder: z.number().int(),
    capacity: z.number().int().nullable().optional(),
    feeds: z.object({ track: feedLinks }),
    createdAt: timestamps.createdAt.optional().describe('Working agenda only'),
    updatedAt: timestamps.updatedAt.optional().describe('Working agenda only'),
  })
  .meta({ id: 'Track' });

export type TrackCreate = z.infer<typeof trackCreate>;
export type TrackPatch = z.infer<typeof trackPatch>;
export type Track = z.infer<typeof track>;
