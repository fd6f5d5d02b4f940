import { z } from 'zod';
import { proposalStatuses, registrationStatuses } from '../../db/schema.js';
import { email, feedLinks, id, name, text, timestamps, decimalInt } from '../http/fields.js';
import { pageQuery } from '../http/pagination.js';

export const municipalityCode = z.number().int().min(100).max(999).describe('A Danish municipality code, e.g. 461 (Odense)');

export const participantCreate = z
  .strictObject({
    name: name(200),
    email,
    role: text(200).optional().describe('Job title or role, e.g. "Pædagogisk konsulent"'),
    municipalityCode: municipalityCode.nullable().optional(),
    language: z.enum(['da', 'en']).optional().describe('The language of the e-mails the participant gets (default `da`)'),
    changeEmails: z.boolean().optional().describe('`false`: no e-mails about changes to their meetings (receipts are always sent). Default `true`'),
  })
  .meta({ id: 'ParticipantCreate' });

export const participantPatch = participantCreate.partial().meta({ id: 'ParticipantPatch' });

export const participant = z
  .object({
    id,
    networkSlug: z.string().nullable().describe('The network the participant belongs to (null: unassigned, from before participants belonged to networks; admins only)'),
    name: z.string(),
    email: z.string(),
    role: z.string(),
    municipalityCode: z.number().int().nullable(),
    municipality: z.object({ code: z.number().int(), name: z.string() }).nullable(),
    language: z.enum(['da', 'en']).describe('The language of their e-mails'),
    changeEmails: z.boolean().describe('Whether they get e-mails about changes to their meetings'),
    ...timestamps,
  })
  .meta({ id: 'Participant', description: 'A person taking part in a network’s meetings: personal data, shown only to the network’s tokens' });

export const participantWithFeed = participant
  .extend({
    feed: feedLinks.describe('The personal calendar feed: a secret URL shown only now; store it, or rotate it later'),
  })
  .meta({ id: 'ParticipantWithFeed' });

export const feedTokenRotate = z.strictObject({}).meta({ id: 'FeedTokenRotate', description: 'No fields: send nothing or {}' });

export const personalFeed = z
  .object({ participantId: z.string(), feed: feedLinks })
  .meta({ id: 'PersonalFeed', description: 'A new personal feed URL (shown once); the previous one no longer works' });

export const participantListQuery = z.object({
  network: z.string().max(100).optional().describe('Only participants of this network (slug)'),
  municipality: decimalInt(100, 999, { description: 'Only participants from this municipality (code)' }).optional(),
  email: z.string().max(254).normalize('NFC').optional().describe('Only participants with this e-mail address (case-insensitive, æøå and other non-ASCII letters included)'),
  ...pageQuery,
});

export const participantNetworkListQuery = participantListQuery.omit({ network: true });

/** Everything stored about a participant (GDPR art. 15): profile, registrations, proposals and votes. */
export const participantExport = z
  .object({
    participant,
    records: z
      .array(participant)
      .describe('The records this export covers: for a network’s token the participant’s record in that network; for an admin the person’s records in every network (same e-mail address)'),
    registrations: z.array(
      z.object({
        id: z.string(),
        meeting: z.object({ id: z.string(), networkSlug: z.string(), title: z.string(), date: z.string(), startTime: z.string(), timeZone: z.string() }),
        track: z.object({ id: z.string(), name: z.string() }).nullable(),
        status: z.enum(registrationStatuses),
        queuedAt: z.number().int(),
        ...timestamps,
      }),
    ),
    proposals: z.array(
      z.object({
        id: z.string(),
        networkSlug: z.string(),
        meetingId: z.string().nullable(),
        title: z.string(),
        description: z.string(),
        status: z.enum(proposalStatuses),
        ...timestamps,
      }),
    ),
    votes: z.array(z.object({ proposalId: z.string(), networkSlug: z.string(), title: z.string(), createdAt: z.string() })),
  })
  .meta({ id: 'ParticipantExport' });

export type ParticipantCreate = z.infer<typeof participantCreate>;
export type ParticipantPatch = z.infer<typeof participantPatch>;
export type Participant = z.infer<typeof participant>;
export type ParticipantExport = z.infer<typeof participantExport>;
