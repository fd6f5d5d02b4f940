// How an event's rows in the feeds (scopes) change when it is published again. Pure: the publisher reads
// the rows, this decides, the publisher writes.
import type { FeedScopeEventRow } from '../../db/schema.js';

export type ScopeChange =
  | { insert: FeedScopeEventRow }
  | { update: { scope: string; uid: string }; set: Pick<FeedScopeEventRow, 'sequence' | 'present' | 'changedAt'> };

export interface EventState {
  uid: string;
  meetingId: string;
  /** The event's own SEQUENCE now. */
  sequence: number;
  /** Whether what a subscriber sees of the event changed in this publication. */
  changed: boolean;
}

/**
 * The writes that bring one event's scope rows in line with the scopes it belongs to now (`desired`).
 * - new in a scope: inserted with the event's SEQUENCE;
 * - still there and changed, or back after leaving: a higher SEQUENCE than the scope last showed;
 * - gone from a scope it was in: kept as left (`present` 0), with a higher SEQUENCE, so the feed announces
 *   it as cancelled;
 * - left earlier and still out: untouched (its cancellation stands).
 */
export function planScopes(event: EventState, existing: FeedScopeEventRow[], desired: Iterable<string>, now: string): ScopeChange[] {
  const want = new Set(desired);
  const changes: ScopeChange[] = [];
  const next = (row: FeedScopeEventRow) => Math.max(row.sequence + 1, event.sequence);
  for (const row of existing) {
    const key = { scope: row.scope, uid: row.uid };
    if (want.delete(row.scope)) {
      if (row.present === 0 || event.changed) changes.push({ update: key, set: { sequence: next(row), present: 1, changedAt: now } });
    } else if (row.present === 1) {
      changes.push({ update: key, set: { sequence: next(row), present: 0, changedAt: now } });
    }
  }
  for (const scope of want) {
    changes.push({ insert: { scope, uid: event.uid, meetingId: event.meetingId, sequence: event.sequence, present: 1, changedAt: now } });
  }
  return changes;
}
