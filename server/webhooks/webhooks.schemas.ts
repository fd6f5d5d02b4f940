// Webhook endpoints and their delivery log, as the API shows them.
import { z } from 'zod';
import { deliveryStatuses, webhookEventTypes, webhookStatuses } from '../../db/schema.js';
import { id } from '../http/fields.js';
import { pageQuery } from '../http/pagination.js';
import { webhookPayload } from '../outbox/outbox-events.js';

export const webhookCreate = z
  .strictObject({
    url: z.string().min(1).max(2000).describe('Where to POST: an http(s) URL on the public internet (private, loopback and link-local targets are refused)'),
    events: z
      .array(z.enum(webhookEventTypes))
      .min(1)
      .max(webhookEventTypes.length)
      .refine((list) => new Set(list).size === list.length, 'each event type once')
      .describe('The event types to receive'),
  })
  .meta({ id: 'WebhookCreate' });

export const webhook = z
  .object({
    id,
    networkSlug: z.string(),
    url: z.string(),
    events: z.array(z.enum(webhookEventTypes)),
    status: z.enum(webhookStatuses).describe('`disabled`: switched off after repeated failure (see disabledReason); register a new endpoint to resume'),
    disabledAt: z.string().nullable(),
    disabledReason: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Webhook' });

export const webhookWithSecret = webhook
  .extend({ secret: z.string().describe('The signing secret (`whsec_…`), shown only now: store it to verify `webhook-signature`') })
  .meta({ id: 'WebhookWithSecret' });

export const delivery = z
  .object({
    id,
    webhookId: z.string(),
    messageId: z.string().describe('The `webhook-id` header: the same on every attempt'),
    type: z.enum(webhookEventTypes),
    status: z.enum(deliveryStatuses).describe('`pending` (to be tried, again after a failure), `delivered`, `failed` (every retry used, or the endpoint disabled), `skipped`'),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable().describe('When a pending delivery is tried next'),
    lastAttemptAt: z.string().nullable(),
    lastStatus: z.number().int().nullable().describe('The HTTP status the endpoint answered last (null: no answer)'),
    lastError: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    createdAt: z.string(),
    payload: webhookPayload,
  })
  .meta({ id: 'WebhookDelivery' });

export const deliveryParams = z.object({ id, deliveryId: id });
export const deliveryListQuery = z.object({ ...pageQuery });

export type WebhookCreate = z.infer<typeof webhookCreate>;
export type Webhook = z.infer<typeof webhook>;
export type Delivery = z.infer<typeof delivery>;
