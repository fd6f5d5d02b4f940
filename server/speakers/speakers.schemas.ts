import { z } from 'zod';
import { email, id, name, text, timestamps } from '../http/fields.js';
import { pageQuery } from '../http/pagination.js';

export const speakerCreate = z
  .strictObject({
    name: name(200),
    title: text(200).optional(),
    organisation: text(200).optional(),
    email: email.nullable().optional().describe('Never shown publicly; visible only to tokens of the speaker’s network'),
  })
  .meta({ id: 'SpeakerCreate' });

export const speakerPatch = speakerCreate.partial().meta({ id: 'SpeakerPatch' });

export const speaker = z
  .object({
    id,
    networkSlug: z.string().nullable().describe('The network the speaker belongs to (null: unassigned, from before speakers belonged to networks; admins only)'),
    name: z.string(),
    title: z.string(),
    organisation: z.string(),
    email: z.string().nullable().optional().describe('Present only for tokens of the speaker’s network'),
    ...timestamps,
  })
  .meta({ id: 'Speaker' });

export const speakerListQuery = z.object({
  network: z.string().max(100).optional().describe('Only the speakers of this network (slug)'),
  ...pageQuery,
});

export type SpeakerCreate = z.infer<typeof speakerCreate>;
export type SpeakerPatch = z.infer<typeof speakerPatch>;
export type Speaker = z.infer<typeof speaker>;
