// The published calendar events of a network, kept in `feed_events` with their SEQUENCE. A sync compares
// what the network publishes now with what the feeds said last time: a change a subscriber would see
// bumps SEQUENCE and LAST-MODIFIED; an event that is gone (item removed from the release, meeting deleted
// or back to draft) stays as cancelled, so calendars that already hold it learn that it is off.
import { createHash } from 'node:crypto';
import { eq, inArray, or } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { feedEvents, type FeedEventRow } from '../../db/schema.js';
import { nowIso } from '../http/ids.js';
import { publishedNetwork } from '../releases/published.js';
import { desiredEvents, eventContent, type DesiredEvent, type EventContent } from './feed-content.js';

/** How long a cancelled event stays in the feeds after its last change. */
export const CANCELLED_KEEP_MS = 30 * 24 * 60 * 60 * 1000;

type Visible = Pick<DesiredEvent, 'cancelled' | 'content' | 'trackId' | 'themeKeys'>;

/** A hash of everything a subscriber sees of the event, and of which feeds it is in. */
export function fingerprint(e: Visible): string {
  const data = JSON.stringify([e.cancelled, e.trackId, e.themeKeys, e.content]);
  return createHash('sha256').update(data).digest('base64url');
}

export type SyncChange = { insert: FeedEventRow } | { update: string; set: Partial<FeedEventRow> };

/**
 * The writes that bring the stored events in line with the desired ones. Pure: `existing` are the
 * stored rows (of the network, and any with a desired UID), `now` the time of the change.
 */
export function planSync(existing: FeedEventRow[], desired: DesiredEvent[], now: string): SyncChange[] {
  const stored = new Map(existing.map((r) => [r.uid, r]));
  const changes: SyncChange[] = [];
  for (const d of desired) {
    const row = stored.get(d.uid);
    stored.delete(d.uid);
    const fp = fingerprint(d);
    const placement = {
      kind: d.kind,
      networkSlug: d.networkSlug,
      meetingId: d.meetingId,
      itemId: d.itemId,
      trackId: d.trackId,
      themeKeys: JSON.stringify(d.themeKeys),
    };
    if (!row) {
      const cancelledAt = d.cancelled ? now : null;
      changes.push({
        insert: { uid: d.uid, ...placement, sequence: 0, fingerprint: fp, content: JSON.stringify(d.content), createdAt: now, lastModified: now, cancelledAt },
      });
    } else if (row.fingerprint !== fp) {
      // Also when it comes back after being cancelled: same UID, higher SEQUENCE, no longer cancelled.
      changes.push({
        update: d.uid,
        set: {
          ...placement,
          sequence: row.sequence + 1,
          fingerprint: fp,
          content: JSON.stringify(d.content),
          lastModified: now,
          cancelledAt: d.cancelled ? (row.cancelledAt ?? now) : null,
        },
      });
    }
  }
  for (const row of stored.values()) {
    if (row.cancelledAt !== null) continue;
    // Gone from what is published: it stays, cancelled, so subscribers' calendars drop it too.
    const vanished = { ...visibleOf(row), cancelled: true };
    changes.push({
      update: row.uid,
      set: { sequence: row.sequence + 1, fingerprint: fingerprint(vanished), lastModified: now, cancelledAt: now },
    });
  }
  return changes;
}

function visibleOf(row: FeedEventRow): Visible {
  return {
    cancelled: row.cancelledAt !== null,
    content: contentOf(row),
    trackId: row.trackId,
    themeKeys: themeKeysOf(row),
  };
}

export const contentOf = (row: FeedEventRow): EventContent => eventContent.parse(JSON.parse(row.content));
export const themeKeysOf = (row: FeedEventRow): string[] => JSON.parse(row.themeKeys) as string[];

/**
 * Brings the network's stored events up to date with what it publishes now. One immediate transaction,
 * so the published view and the writes are consistent and two syncs never interleave.
 * Returns the number of rows written.
 */
export function syncNetwork(db: Db, slug: string, now: () => string = nowIso): number {
  return db.transaction(
    (tx) => {
      const desired = publishedNetwork(db, slug).flatMap(desiredEvents);
      const uids = desired.map((d) => d.uid);
      const existing = tx
        .select()
        .from(feedEvents)
        .where(uids.length > 0 ? or(eq(feedEvents.networkSlug, slug), inArray(feedEvents.uid, uids)) : eq(feedEvents.networkSlug, slug))
        .all();
      const changes = planSync(existing, desired, now());
      for (const c of changes) {
        if ('insert' in c) tx.insert(feedEvents).values(c.insert).run();
        else tx.update(feedEvents).set(c.set).where(eq(feedEvents.uid, c.update)).run();
      }
      return changes.length;
    },
    { behavior: 'immediate' },
  );
}

/** Still shown: live events, and cancelled ones for CANCELLED_KEEP_MS after their last change. */
export const isShown = (row: FeedEventRow, nowMs: number): boolean =>
  row.cancelledAt === null || Date.parse(row.lastModified) + CANCELLED_KEEP_MS > nowMs;
