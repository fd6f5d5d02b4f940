// What the outbox carries: one schema per event type (the webhook payload's `data`), and the envelope every
// webhook POST and delivery log shows. The one source of these shapes: writers, the worker and the OpenAPI
// document all use them.
import { z } from 'zod';
import { webhookEventTypes } from '../../db/schema.js';
import { changelogSchema } from '../releases/release-diff.js';

const meetingRef = {
  meetingId: z.string(),
  title: z.string(),
  date: z.string().describe('Local date YYYY-MM-DD'),
  startTime: z.string().describe('Local wall time HH:MM'),
  endTime: z.string(),
  timeZone: z.string(),
};

export const meetingChange = z.object({ field: z.string(), from: z.string().nullable(), to: z.string().nullable() });

const registrationData = z.object({
  registrationId: z.string(),
  meetingId: z.string(),
  participantId: z.string(),
  trackId: z.string().nullable(),
  status: z.enum(['registered', 'waitlisted', 'cancelled']),
});
const memberData = z.object({ memberId: z.string(), municipalityCode: z.number().int(), status: z.enum(['active', 'withdrawn']) });

/** The `data` of each event type. */
export const eventData = {
  'release.published': z.object({ ...meetingRef, releaseNumber: z.number().int(), note: z.string(), changelog: changelogSchema }),
  'meeting.cancelled': z.object({
    ...meetingRef,
    // Messages written before this field existed were all cancellations by status: false.
    deleted: z.boolean().default(false).describe('true when the meeting was deleted (its URLs now answer 404), false when its status became cancelled'),
  }),
  'meeting.changed': z.object({ ...meetingRef, changes: z.array(meetingChange).describe('date, startTime, endTime, timeZone, venue: from → to') }),
  'registration.confirmed': registrationData,
  'registration.waitlisted': registrationData,
  'registration.promoted': registrationData,
  'registration.cancelled': registrationData,
  'member.signed-up': memberData,
  'member.withdrawn': memberData,
  'proposal.accepted': z.object({ proposalId: z.string(), title: z.string(), meetingId: z.string().nullable(), themeId: z.string().nullable(), itemId: z.string().nullable() }),
} satisfies Record<(typeof webhookEventTypes)[number], z.ZodType>;

export type EventType = keyof typeof eventData;
export type EventData<T extends EventType> = z.infer<(typeof eventData)[T]>;

const envelopeOf = <T extends EventType>(type: T) =>
  z.object({
    type: z.literal(type),
    timestamp: z.string().describe('When the change was made (ISO 8601 UTC)'),
    networkSlug: z.string(),
    data: eventData[type],
  });

/** The JSON body of every webhook POST (Standard Webhooks: `type`, `timestamp`, `data`). */
export const webhookPayload = z
  .discriminatedUnion('type', webhookEventTypes.map(envelopeOf) as unknown as [ReturnType<typeof envelopeOf<'release.published'>>, ...ReturnType<typeof envelopeOf<EventType>>[]])
  .meta({
    id: 'WebhookPayload',
    description:
      'The body of a webhook POST. Headers: `webhook-id` (the message id: the same on every retry, deduplicate on it), `webhook-timestamp` (Unix seconds of the attempt), ' +
      '`webhook-signature` (`v1,` + base64 HMAC-SHA256, keyed with the base64-decoded part of the secret after `whsec_`, of `{webhook-id}.{webhook-timestamp}.{body}`).',
  });

export type WebhookPayload = z.infer<typeof webhookPayload>;

/** Event types that e-mail participants: receipts (always sent) and changes (unless they opted out). */
export const RECEIPT_TYPES: ReadonlySet<EventType> = new Set(['registration.confirmed', 'registration.promoted']);
export const CHANGE_TYPES: ReadonlySet<EventType> = new Set(['release.published', 'meeting.changed', 'meeting.cancelled']);
