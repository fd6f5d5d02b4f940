import { z } from 'zod';
import { itemKinds } from '../../db/schema.js';
import { id, moment, name, text, timeString, timestamps } from '../http/fields.js';
import { pageQuery } from '../http/pagination.js';

export const itemKind = z.enum(itemKinds);

export const itemCreate = z
  .strictObject({
    trackId: z.string().min(1).max(64).nullable().optional().describe('A track of the same meeting; null or absent = plenary'),
    startTime: timeString,
    endTime: timeString,
    title: name(300),
    kind: itemKind,
    description: text(10000).optional(),
    themes: z.array(z.string().max(100)).max(20).optional().describe('Theme keys of the meeting’s network'),
    speakerIds: z.array(z.string().min(1).max(64)).max(20).optional(),
  })
  .meta({ id: 'ItemCreate' });

export const itemPatch = itemCreate.partial().meta({ id: 'ItemPatch' });

export const itemTheme = z.object({ id: z.string(), key: z.string(), name: z.string() }).meta({ id: 'ItemTheme' });

export const itemSpeaker = z
  .object({
    id: z.string(),
    name: z.string(),
    title: z.string(),
    organisation: z.string(),
    email: z.string().nullable().optional().describe('Only for token holders reading the working agenda'),
  })
  .meta({ id: 'ItemSpeaker' });

export const item = z
  .object({
    id,
    meetingId: z.string(),
    trackId: z.string().nullable(),
    startTime: z.string(),
    endTime: z.string(),
    start: moment,
    end: moment,
    title: z.string(),
    kind: itemKind,
    description: z.string(),
    themes: z.array(itemTheme),
    speakers: z.array(itemSpeaker),
    createdAt: timestamps.createdAt.optional().describe('Working agenda only'),
    updatedAt: timestamps.updatedAt.optional().describe('Working agenda only'),
  })
  .meta({ id: 'AgendaItem' });

export const agendaVersion = z
  .enum(['released', 'working'])
  .optional()
  .describe('`released`: the latest release, what the public sees (default without a token); `working`: the editable agenda (needs a token; default with one)');

export const itemListQuery = z.object({
  version: agendaVersion,
  track: z.string().max(64).optional().describe('A track id, or `plenary` for items for everyone'),
  theme: z.string().max(100).optional().describe('A theme key'),
  kind: itemKind.optional(),
  ...pageQuery,
});

export type ItemCreate = z.infer<typeof itemCreate>;
export type ItemPatch = z.infer<typeof itemPatch>;
export type Item = z.infer<typeof item>;
