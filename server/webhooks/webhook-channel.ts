// The outbox's webhook channel: one signed POST per delivery attempt (Standard Webhooks), the body the same
// bytes on every attempt, the timestamp and signature those of the attempt.
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { webhookEndpoints, type OutboxMessageRow } from '../../db/schema.js';
import type { Channel } from '../outbox/outbox-worker.js';
import { postWebhook } from './webhook-sender.js';
import { webhookHeaders } from './webhook-signature.js';

/** The JSON body of a message's webhook POST. */
export function webhookBody(m: OutboxMessageRow): string {
  return JSON.stringify({ type: m.type, timestamp: m.createdAt, networkSlug: m.networkSlug, data: JSON.parse(m.payload) as unknown });
}

export function webhookChannel(db: Db, options: { allowPrivate: boolean; timeoutMs?: number; clock?: () => number }): Channel {
  const clock = options.clock ?? Date.now;
  return {
    async deliver(message, delivery, signal) {
      const endpoint = db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, delivery.target)).get();
      if (!endpoint) return { skip: 'endpoint deleted' };
      if (endpoint.status !== 'active') return { ok: false, error: 'endpoint disabled', permanent: true };
      const body = webhookBody(message);
      const headers = webhookHeaders(endpoint.secret, message.id, Math.floor(clock() / 1000), body);
      const result = await postWebhook(endpoint.url, headers, body, { timeoutMs: options.timeoutMs ?? 15_000, allowPrivate: options.allowPrivate, signal });
      if ('error' in result) return { ok: false, error: result.error };
      if (result.status >= 200 && result.status < 300) return { ok: true, status: result.status };
      return { ok: false, status: result.status, error: `HTTP ${result.status}` };
    },
  };
}
