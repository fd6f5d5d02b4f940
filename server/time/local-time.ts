// Wall-clock time in a named zone: the way meetings are stored (date + HH:MM + IANA zone), and how
// those become UTC instants. Nothing here depends on the process's TZ.
import { TZDate, tzOffset } from '@date-fns/tz';

export const DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
export const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;

export function isValidDate(date: string): boolean {
  if (!DATE_RE.test(date)) return false;
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const probe = new Date(Date.UTC(y, m - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
}

export function isValidTimeZone(zone: string): boolean {
  if (!zone.includes('/') && zone !== 'UTC') return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Minutes since midnight for an `HH:MM` string. */
export function toMinutes(time: string): number {
  const [h, m] = time.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

export function fromMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * The instant of a wall time in a zone, computed from the zone's offsets only (TZDate's own constructor
 * consults the process's zone and resolves autumn's repeated hour differently under different TZs).
 * As RFC 5545 says: a time that occurs twice is its first occurrence; a time skipped by a jump is read
 * with the offset before the jump (02:30 becomes 03:30 summer time).
 */
function zoned(date: string, time: string, zone: string): TZDate {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const before = tzOffset(zone, new Date(wall - DAY_MS));
  const after = tzOffset(zone, new Date(wall + DAY_MS));
  const candidates = [wall - before * MINUTE_MS, wall - after * MINUTE_MS].filter(
    (instant) => tzOffset(zone, new Date(instant)) * MINUTE_MS === wall - instant,
  );
  const instant = candidates.length > 0 ? Math.min(...candidates) : wall - before * MINUTE_MS;
  return new TZDate(instant, zone);
}

/** The UTC instant of a wall-clock time in a zone. */
export function toInstant(date: string, time: string, zone: string): Date {
  return new Date(zoned(date, time, zone).getTime());
}

/** False for wall times skipped by a daylight-saving jump (e.g. 02:30 on the last Sunday of March in Denmark). */
export function existsLocally(date: string, time: string, zone: string): boolean {
  const z = zoned(date, time, zone);
  return z.getHours() * 60 + z.getMinutes() === toMinutes(time);
}

/** `2019-09-11T08:00:00Z`: seconds precision, as calendar clients and integrators expect. */
export function toUtcString(instant: Date): string {
  return instant.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A local time with its offset, e.g. `2019-09-11T10:00:00+02:00`. */
export function toOffsetString(date: string, time: string, zone: string): string {
  return zoned(date, time, zone).toISOString().replace(/\.\d{3}/, '');
}

/** The same instant as a TZDate in the zone: what ical-generator needs to write wall time correctly. */
export function zonedInstant(date: string, time: string, zone: string): TZDate {
  return zoned(date, time, zone);
}
