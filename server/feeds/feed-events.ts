// The published calendar events, kept in `feed_events` with their SEQUENCE. A sync compares what a meeting
// publishes now with what the feeds said last time: a change a subscriber would see bumps SEQUENCE and
// LAST-MODIFIED; an event that is gone (item removed from the release, meeting deleted or back to draft)
// stays as cancelled, so calendars that already hold it learn that it is off.
import { createHash } from 'node:crypto';
import type { FeedEventRow } from '../../db/schema.js';
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
      published: 1,
    };
    if (!row) {
      const cancelledAt = d.cancelled ? now : null;
      changes.push({
        insert: {
          uid: d.uid,
          ...placement,
          sequence: 0,
          fingerprint: fp,
          content: JSON.stringify(d.content),
          createdAt: now,
          lastModified: now,
          cancelledAt,
          scoped: 1,
          sortKey: '',
          tzid: null,
          icsLive: null,
          icsCancelled: null,
        },
      });
    } else if (row.fingerprint !== fp || row.published !== 1) {
      // Also when it comes back after being cancelled: same UID, higher SEQUENCE, no longer cancelled.
      changes.push({
        update: d.uid,
        set: {
          ...placement,
          sequence: row.fingerprint === fp ? row.sequence : row.sequence + 1,
          fingerprint: fp,
          content: JSON.stringify(d.content),
          lastModified: row.fingerprint === fp ? row.lastModified : now,
          cancelledAt: d.cancelled ? (row.cancelledAt ?? now) : null,
        },
      });
    }
  }
  for (const row of stored.values()) {
    if (row.cancelledAt !== null) {
      // Already cancelled (with its meeting): nothing a subscriber sees changes, but it left every feed.
      if (row.published !== 0) changes.push({ update: row.uid, set: { published: 0 } });
      continue;
    }
    // Gone from what is published: it stays, cancelled, so subscribers' calendars drop it too.
    const vanished = { ...visibleOf(row), cancelled: true };
    changes.push({
      update: row.uid,
      set: { sequence: row.sequence + 1, fingerprint: fingerprint(vanished), lastModified: now, cancelledAt: now, published: 0 },
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
