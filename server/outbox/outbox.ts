// Writing to the outbox: called inside the transaction of the change itself, so a change and the message
// about it are committed together or not at all. Delivery is the worker's (outbox-worker.ts).
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { outboxMessages, registrations, type MeetingRow } from '../../db/schema.js';
import { newId, nowIso } from '../http/ids.js';
import type { EventData, EventType } from './outbox-events.js';

export interface Enqueue<T extends EventType> {
  type: T;
  networkSlug: string;
  data: EventData<T>;
  /** Participants to e-mail about it (ids), decided now. */
  recipients?: string[];
}

/** Writes one outbox message; returns its id. Call inside the change's transaction. */
export function enqueue<T extends EventType>(db: Db, message: Enqueue<T>): string {
  const id = newId('msg');
  db.insert(outboxMessages)
    .values({
      id,
      networkSlug: message.networkSlug,
      type: message.type,
      payload: JSON.stringify(message.data),
      recipients: JSON.stringify(message.recipients ?? []),
      createdAt: nowIso(),
    })
    .run();
  return id;
}

/** The participants holding a place at a meeting now (the ones a change to it concerns). */
export function registeredParticipants(db: Db, meetingId: string): string[] {
  return db
    .select({ id: registrations.participantId })
    .from(registrations)
    .where(and(eq(registrations.meetingId, meetingId), eq(registrations.status, 'registered')))
    .all()
    .map((r) => r.id);
}

export const meetingRef = (m: MeetingRow) => ({
  meetingId: m.id,
  title: m.title,
  date: m.date,
  startTime: m.startTime,
  endTime: m.endTime,
  timeZone: m.timeZone,
});

/** Outbox depth for /healthz: deliveries not yet done (plus messages not yet fanned out) and the oldest one's age. */
export function outboxDepth(db: Db, nowMs: number): { depth: number; oldestUndeliveredAgeSeconds: number | null } {
  const row = db.$client
    .prepare(
      `SELECT
         (SELECT count(*) FROM outbox_messages WHERE fanned_out_at IS NULL) +
         (SELECT count(*) FROM outbox_deliveries WHERE status = 'pending') AS depth,
         min(
           coalesce((SELECT min(created_at) FROM outbox_messages WHERE fanned_out_at IS NULL), '9999'),
           coalesce((SELECT min(m.created_at) FROM outbox_deliveries d JOIN outbox_messages m ON m.id = d.message_id WHERE d.status = 'pending'), '9999')
         ) AS oldest`,
    )
    .get() as { depth: number; oldest: string };
  const oldest = row.oldest === '9999' ? null : Math.max(0, Math.round((nowMs - Date.parse(row.oldest)) / 1000));
  return { depth: row.depth, oldestUndeliveredAgeSeconds: oldest };
}
