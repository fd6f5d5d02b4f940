// Rules for a meeting's hours, as plain functions.
import { badRequest } from '../http/errors.js';
import { existsLocally, fromMinutes, toMinutes } from '../time/local-time.js';

export function defaultEndTime(startTime: string, standardMinutes: number): string {
  const end = toMinutes(startTime) + standardMinutes;
  if (end >= 24 * 60) {
    throw badRequest('invalid-time-range', 'The standard meeting length runs past midnight; give endTime', [
      { path: 'body.endTime', message: 'required when start plus the standard length passes midnight' },
    ]);
  }
  return fromMinutes(end);
}

/** End after start, and both times exist on that date in that zone (not skipped by a DST jump). */
export function checkMeetingHours(date: string, startTime: string, endTime: string, zone: string): void {
  if (toMinutes(endTime) <= toMinutes(startTime)) {
    throw badRequest('invalid-time-range', 'The meeting must end after it starts', [
      { path: 'body.endTime', message: 'must be after startTime' },
    ]);
  }
  for (const [field, time] of [['startTime', startTime], ['endTime', endTime]] as const) {
    if (!existsLocally(date, time, zone)) {
      throw badRequest('nonexistent-local-time', `${date} ${time} does not exist in ${zone} (daylight-saving change)`, [
        { path: `body.${field}`, message: 'skipped by a daylight-saving change' },
      ]);
    }
  }
}
