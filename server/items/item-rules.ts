// Basic integrity of an agenda item, as plain functions: end after start, inside the meeting's hours.
import type { MeetingRow } from '../../db/schema.js';
import { badRequest, conflict } from '../http/errors.js';

export function checkItemTimes(meeting: Pick<MeetingRow, 'startTime' | 'endTime'>, item: { startTime: string; endTime: string }) {
  if (item.endTime <= item.startTime) {
    throw badRequest('invalid-time-range', 'An agenda item must end after it starts', [
      { path: 'body.endTime', message: 'must be after startTime' },
    ]);
  }
  if (item.startTime < meeting.startTime || item.endTime > meeting.endTime) {
    throw conflict(
      'item-outside-meeting',
      `The item (${item.startTime}–${item.endTime}) must lie within the meeting's hours (${meeting.startTime}–${meeting.endTime})`,
    );
  }
}
