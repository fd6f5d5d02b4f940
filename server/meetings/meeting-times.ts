// Rules for a meeting's hours, as plain functions.
import { badRequest } from '../http/errors.js';
import { dayClock, elapsedMinutes, existsLocally, fromMinutes, plainDay, toMinutes, type DayClock } from '../time/local-time.js';

/**
 * Start plus the standard length in real minutes: across a daylight-saving change the wall end moves by
 * the change (00:00 plus six hours is 05:00 on the autumn night, 07:00 on the spring one). When that
 * instant has no wall time of its own (the second pass of a repeated hour), the wall arithmetic is kept.
 */
export function defaultEndTime(startTime: string, standardMinutes: number, clock: DayClock = plainDay): string {
  const start = toMinutes(startTime);
  let end = start + standardMinutes;
  for (let i = 0; i < 2; i++) {
    const off = standardMinutes - elapsedMinutes(clock, start, end);
    if (off === 0) break;
    end += off;
  }
  if (elapsedMinutes(clock, start, end) !== standardMinutes) end = start + standardMinutes;
  // A skipped wall time is read with the offset before the jump: name the same instant as the clocks show it.
  for (const [from, to] of clock.skipped) if (from <= end && end < to) end += to - from;
  if (end >= 24 * 60) {
    throw badRequest('invalid-time-range', 'The standard meeting length runs past midnight; give endTime', [
      { path: 'body.endTime', message: 'required when start plus the standard length passes midnight' },
    ]);
  }
  return fromMinutes(end);
}

/** The default end of a meeting on `date` in `zone` (see `defaultEndTime`). */
export function defaultEndOn(date: string, startTime: string, standardMinutes: number, zone: string): string {
  return defaultEndTime(startTime, standardMinutes, dayClock(date, zone));
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
