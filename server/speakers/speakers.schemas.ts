import { z } from 'zod';
import { email, id, name, text, timestamps } from '../http/fields.js';

export const speakerCreate = z
  .strictObject({
    name: name(200),
    title: text(200).optional(),
    organisation: text(200).optional(),
    email: email.nullable().optional().describe('Never shown publicly; visible only with a token'),
  })
  .meta({ id: 'SpeakerCreate' });

export const speakerPatch = speakerCreate.partial().meta({ id: 'SpeakerPatch' });

export const speaker = z
  .object({
    id,
    name: z.string(),
    title: z.string(),
    organisation: z.string(),
    email: z.string().nullable().optional().describe('Present only for token holders'),
    ...timestamps,
  })
  .meta({ id: 'Speaker' });

export type SpeakerCreate = z.infer<typeof speakerCreate>;
export type SpeakerPatch = z.infer<typeof speakerPatch>;
export type Speaker = z.infer<typeof speaker>;
