// Which outbox messages a change to a meeting's own fields makes, as a plain function: a meeting people can
// see (announced) that is cancelled, or whose date, hours, zone or venue change.
import type { MeetingRow, VenueRow } from '../../db/schema.js';
import { venueAddress } from '../venues/venues.schemas.js';
import type { EventData } from './outbox-events.js';
import { meetingRef } from './outbox.js';

export type MeetingMessage = { type: 'meeting.cancelled'; data: EventData<'meeting.cancelled'> } | { type: 'meeting.changed'; data: EventData<'meeting.changed'> };

const FIELDS = ['date', 'startTime', 'endTime', 'timeZone'] as const;

export function meetingChanges(before: MeetingRow, after: MeetingRow, venue: (id: string | null) => VenueRow | null): MeetingMessage[] {
  if (before.status !== 'announced') return [];
  if (after.status === 'cancelled') return [{ type: 'meeting.cancelled', data: { ...meetingRef(after), deleted: false } }];
  if (after.status !== 'announced') return [];
  const changes: EventData<'meeting.changed'>['changes'] = FIELDS.filter((f) => before[f] !== after[f]).map((f) => ({ field: f, from: before[f], to: after[f] }));
  if (before.venueId !== after.venueId) {
    const where = (id: string | null) => {
      const v = venue(id);
      return v ? venueAddress(v) : null;
    };
    changes.push({ field: 'venue', from: where(before.venueId), to: where(after.venueId) });
  }
  return changes.length === 0 ? [] : [{ type: 'meeting.changed', data: { ...meetingRef(after), changes } }];
}
