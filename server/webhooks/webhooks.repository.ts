// Webhook endpoints of a network and their deliveries (rows in, rows out).
import { and, desc, eq, lt } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { outboxDeliveries, outboxMessages, webhookEndpoints, type OutboxDeliveryRow, type OutboxMessageRow, type WebhookEndpointRow } from '../../db/schema.js';
import type { Resolver } from '../auth/authorize.js';
import { conflict, notFound } from '../http/errors.js';
import { newId, nowIso } from '../http/ids.js';
import { decodeCursor, page } from '../http/pagination.js';
import { webhookPayload } from '../outbox/outbox-events.js';
import { webhookBody } from './webhook-channel.js';
import { newWebhookSecret } from './webhook-signature.js';
import type { Delivery, Webhook, WebhookCreate } from './webhooks.schemas.js';

const toWebhook = (r: WebhookEndpointRow): Webhook => ({
  id: r.id,
  networkSlug: r.networkSlug,
  url: r.url,
  events: JSON.parse(r.events) as Webhook['events'],
  status: r.status,
  disabledAt: r.disabledAt,
  disabledReason: r.disabledReason,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

const toDelivery = (d: OutboxDeliveryRow, m: OutboxMessageRow): Delivery => ({
  id: d.id,
  webhookId: d.target,
  messageId: m.id,
  type: m.type,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.status === 'pending' ? new Date(d.nextAttemptAtMs).toISOString() : null,
  lastAttemptAt: d.lastAttemptAt,
  lastStatus: d.lastStatus,
  lastError: d.lastError,
  deliveredAt: d.deliveredAt,
  createdAt: d.createdAt,
  // Parsed, so a message stored before a field was added shows it with its default (meeting.cancelled's `deleted`).
  payload: webhookPayload.parse(JSON.parse(webhookBody(m))),
});

/** Authorisation target of /webhooks/{id}: the endpoint's network. */
export const webhookResolver: Resolver = (db, p) => {
  const r = db.select({ slug: webhookEndpoints.networkSlug }).from(webhookEndpoints).where(eq(webhookEndpoints.id, p.id ?? '')).get();
  return r ? { slug: r.slug, hidden: null } : null;
};

export function webhooksRepository(db: Db) {
  const getRow = (id: string): WebhookEndpointRow => {
    const row = db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).get();
    if (!row) throw notFound('Webhook', id);
    return row;
  };
  const deliveryRow = (webhookId: string, deliveryId: string) => {
    const row = db
      .select({ d: outboxDeliveries, m: outboxMessages })
      .from(outboxDeliveries)
      .innerJoin(outboxMessages, eq(outboxDeliveries.messageId, outboxMessages.id))
      .where(and(eq(outboxDeliveries.id, deliveryId), eq(outboxDeliveries.channel, 'webhook'), eq(outboxDeliveries.target, webhookId)))
      .get();
    if (!row) throw notFound('Delivery', deliveryId);
    return row;
  };

  return {
    create(slug: string, input: WebhookCreate): Webhook & { secret: string } {
      const now = nowIso();
      const row = db
        .insert(webhookEndpoints)
        .values({ id: newId('whk'), networkSlug: slug, url: input.url, events: JSON.stringify(input.events), secret: newWebhookSecret(), createdAt: now, updatedAt: now })
        .returning()
        .get();
      return { ...toWebhook(row), secret: row.secret };
    },
    list: (slug: string): Webhook[] =>
      db.select().from(webhookEndpoints).where(eq(webhookEndpoints.networkSlug, slug)).orderBy(webhookEndpoints.id).all().map(toWebhook),
    get: (id: string): Webhook => toWebhook(getRow(id)),
    /** Removes the endpoint; its pending deliveries are skipped by the worker, its log stays readable by nobody. */
    remove(id: string): void {
      getRow(id);
      db.transaction(
        () => {
          db.delete(outboxDeliveries).where(and(eq(outboxDeliveries.channel, 'webhook'), eq(outboxDeliveries.target, id))).run();
          db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id)).run();
        },
        { behavior: 'immediate' },
      );
    },
    /** The endpoint's deliveries, newest first. */
    deliveries(id: string, limit: number, cursor?: string) {
      getRow(id);
      const key = decodeCursor(cursor, 1);
      const rows = db
        .select({ d: outboxDeliveries, m: outboxMessages })
        .from(outboxDeliveries)
        .innerJoin(outboxMessages, eq(outboxDeliveries.messageId, outboxMessages.id))
        .where(and(eq(outboxDeliveries.channel, 'webhook'), eq(outboxDeliveries.target, id), key ? lt(outboxDeliveries.id, String(key[0])) : undefined))
        .orderBy(desc(outboxDeliveries.id))
        .limit(limit + 1)
        .all();
      return page(rows, limit, (r) => [r.d.id], (r) => toDelivery(r.d, r.m));
    },
    /** Sends a delivery again from the start of the retry schedule, with the same webhook-id. */
    redeliver(id: string, deliveryId: string, nowMs: number): Delivery {
      const endpoint = getRow(id);
      if (endpoint.status !== 'active') throw conflict('webhook-disabled', `Webhook '${id}' is disabled: register the endpoint again to receive deliveries`);
      const { d } = deliveryRow(id, deliveryId);
      if (d.claimedAtMs !== null) throw conflict('delivery-in-progress', `Delivery '${deliveryId}' is being attempted right now`);
      db.update(outboxDeliveries)
        .set({ status: 'pending', attempts: 0, nextAttemptAtMs: nowMs, deliveredAt: null })
        .where(eq(outboxDeliveries.id, deliveryId))
        .run();
      const again = deliveryRow(id, deliveryId);
      return toDelivery(again.d, again.m);
    },
  };
}
