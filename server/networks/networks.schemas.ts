import { z } from 'zod';
import { dateString, email, feedLinks, localDateTime, name, text, timeZone, timestamps } from '../http/fields.js';

export const SLUG_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const organiserInput = z.strictObject({
  name: text(200).optional(),
  email: email.nullable().optional(),
  phone: text(50).nullable().optional(),
  address: text(300).nullable().optional(),
});

const networkFields = z.strictObject({
  slug: z.string().min(3).max(100).regex(SLUG_RE, 'lowercase letters, digits and single hyphens, e.g. kl-netvaerk-2019'),
  name: name(200),
  description: text(5000).optional(),
  purpose: text(5000).optional(),
  organiser: organiserInput.optional(),
  seasonStart: dateString.nullable().optional(),
  seasonEnd: dateString.nullable().optional(),
  timeZone: timeZone.optional().describe('IANA zone for the network’s meetings (default Europe/Copenhagen)'),
  standardMeetingMinutes: z.number().int().min(15).max(24 * 60).optional(),
  defaultVenueId: z.string().min(1).max(64).nullable().optional().describe('One of the network’s own venues (create it under the network first)'),
  signupOpens: localDateTime.nullable().optional().describe('Sign-up opens (local time in the network’s zone)'),
  signupDeadline: localDateTime.nullable().optional().describe('Last moment to sign up (inclusive, local time in the network’s zone)'),
  targetGroup: text(2000).optional(),
  clusterMinSize: z.number().int().min(2).max(100).nullable().optional(),
  clusterMaxSize: z.number().int().min(2).max(100).nullable().optional(),
  defaultTemplate: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, 'must be an agenda template key')
    .nullable()
    .optional()
    .describe('Key of an agenda template (GET /agenda-templates) that a cluster’s meeting series starts from; 400 `unknown-template` if none has it'),
});

/** A new network has no venues yet: its default venue is set with a PATCH once it has one. */
export const networkCreate = networkFields.omit({ defaultVenueId: true }).meta({ id: 'NetworkCreate' });

export const networkPatch = networkFields.omit({ slug: true }).partial().meta({ id: 'NetworkPatch' });

export const network = z
  .object({
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    purpose: z.string(),
    organiser: z.object({
      name: z.string(),
      email: z.string().nullable(),
      phone: z.string().nullable(),
      address: z.string().nullable(),
    }),
    seasonStart: z.string().nullable(),
    seasonEnd: z.string().nullable(),
    timeZone: z.string(),
    standardMeetingMinutes: z.number().int(),
    defaultVenueId: z.string().nullable(),
    signupOpens: z.string().nullable(),
    signupDeadline: z.string().nullable(),
    targetGroup: z.string(),
    clusterMinSize: z.number().int().nullable(),
    clusterMaxSize: z.number().int().nullable(),
    defaultTemplate: z.string().nullable(),
    feeds: z.object({ meetings: feedLinks }),
    ...timestamps,
  })
  .meta({ id: 'Network' });

export const slugParams = z.object({ slug: z.string().max(100) });

export type NetworkCreate = z.infer<typeof networkCreate>;
export type NetworkPatch = z.infer<typeof networkPatch>;
export type Network = z.infer<typeof network>;
