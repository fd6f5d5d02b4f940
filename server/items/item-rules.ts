// Basic integrity of an agenda item, as plain functions: end after start, inside the meeting's hours.
import type { MeetingRow } from '../../db/schema.js';
import { badRequest, conflict } from '../http/errors.js';
import { existsLocally } from '../time/local-time.js';

export function checkItemTimes(
  meeting: Pick<MeetingRow, 'date' | 'timeZone' | 'startTime' | 'endTime'>,
  item: { startTime: string; endTime: string },
) {
  if (item.endTime <= item.startTime) {
    throw badRequest('invalid-time-range', 'An agenda item must end after it starts', [
      { path: 'body.endTime', message: 'must be after startTime' },
    ]);
  }
  for (const [field, time] of [['startTime', item.startTime], ['endTime', item.endTime]] as const) {
    if (!existsLocally(meeting.date, time, meeting.timeZone)) {
      throw badRequest('nonexistent-local-time', `${meeting.date} ${time} does not exist in ${meeting.timeZone} (daylight-saving change)`, [
        { path: `body.${field}`, message: 'skipped by a daylight-saving change' },
      ]);
    }
  }
  if (item.startTime < meeting.startTime || item.endTime > meeting.endTime) {
    throw conflict(
      'item-outside-meeting',
      `The item (${item.startTime}–${item.endTime}) must lie within the meeting's hours (${meeting.startTime}–${meeting.endTime})`,
    );
  }
}
