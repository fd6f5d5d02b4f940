// When registration for a meeting is open, as plain functions. Deadlines are wall times in the meeting's
// own zone, compared as instants, so the process's TZ never matters.
import type { MeetingRow } from '../../db/schema.js';
import { toInstant } from '../time/local-time.js';

type Timed = Pick<MeetingRow, 'date' | 'startTime' | 'timeZone' | 'registrationDeadline'>;

const MINUTE_MS = 60_000;

export const meetingStart = (m: Timed): Date => toInstant(m.date, m.startTime, m.timeZone);

/**
 * The first instant at which registration is closed. A deadline `YYYY-MM-DDTHH:MM` is inclusive: the whole
 * minute it names still counts, so registration closes at the end of that minute. Without a deadline
 * registration closes when the meeting starts.
 */
export function registrationClosesAt(m: Timed): Date {
  if (!m.registrationDeadline) return meetingStart(m);
  const [date, time] = m.registrationDeadline.split('T') as [string, string];
  return new Date(toInstant(date, time, m.timeZone).getTime() + MINUTE_MS);
}

export const registrationOpen = (m: Timed, now: Date = new Date()): boolean => now.getTime() < registrationClosesAt(m).getTime();

export const hasStarted = (m: Timed, now: Date = new Date()): boolean => now.getTime() >= meetingStart(m).getTime();
