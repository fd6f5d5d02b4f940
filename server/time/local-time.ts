// Wall-clock time in a named zone: the way meetings are stored (date + HH:MM + IANA zone), and how
// those become UTC instants. Nothing here depends on the process's TZ.
//
// A zone's offsets around a date are looked up once (through `Intl`, which is slow) and kept: every wall
// time of that date then becomes an instant by plain arithmetic. Writes check and shape dozens of times
// of the same day, so this is what keeps them cheap.
import { TZDate, tzOffset } from '@date-fns/tz';

export const DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
export const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;

export function isValidDate(date: string): boolean {
  if (!DATE_RE.test(date)) return false;
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const probe = new Date(Date.UTC(y, m - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
}

/** Zones found valid (only valid ones are kept: there are a few hundred, but invalid input is unbounded). */
const validZones = new Set<string>(['UTC']);

export function isValidTimeZone(zone: string): boolean {
  if (validZones.has(zone)) return true;
  if (!zone.includes('/')) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    return false;
  }
  validZones.add(zone);
  return true;
}

/** The digit at position i, or NaN. */
const digit = (s: string, i: number) => {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : NaN;
};

/** Minutes since midnight for an `HH:MM` string (NaN for a malformed one). */
export function toMinutes(time: string): number {
  if (time.length === 5 && time.charCodeAt(2) === 58) {
    const minutes = (digit(time, 0) * 10 + digit(time, 1)) * 60 + digit(time, 3) * 10 + digit(time, 4);
    if (!Number.isNaN(minutes)) return minutes;
  }
  const [h, m] = time.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

export function fromMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

const SECOND_MS = 1000;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Wall minutes `[from, to)` of a day, counted from its midnight (a range may start before 0 or end after 1440). */
export type MinuteRange = readonly [from: number, to: number];

/** How a local day runs on the clock, as plain numbers: the stretches a daylight-saving change repeats or skips. */
export interface DayClock {
  /** Wall times that occur twice (the clocks go back): such a time means its first occurrence. */
  readonly repeated: readonly MinuteRange[];
  /** Wall times that do not occur (the clocks jump forward). */
  readonly skipped: readonly MinuteRange[];
}

/** An ordinary day: every wall time occurs once. */
export const plainDay: DayClock = { repeated: [], skipped: [] };

/** From `at` (UTC ms) on, the zone is `after` minutes ahead of UTC instead of `before`. */
interface Transition {
  at: number;
  before: number;
  after: number;
}

/** A zone's offsets around one local date. */
interface ZoneDay {
  /** The date's wall midnight, read as if it were UTC. */
  midnight: number;
  /** The offset at the start of the window, then its changes in order. */
  first: number;
  transitions: Transition[];
  clock: DayClock;
}

// Every instant a wall time of the date can have (offsets are within ±15 h), plus the day either side
// that the reading rule below looks at.
const WINDOW_BEFORE_MS = 2 * DAY_MS;
const WINDOW_AFTER_MS = 3 * DAY_MS;
/** Offsets are sampled this far apart; zones never change twice within it. */
const SAMPLE_MS = 3 * HOUR_MS;
/** Bounds the memo (one entry per zone and date in use; a year of dates in 50 zones fits). */
const MAX_DAYS = 20_000;

const zoneDays = new Map<string, ZoneDay>();

/** The first instant (to the second) in (lo, hi] with another offset than `lo`'s. */
function findTransition(zone: string, lo: number, hi: number, before: number): number {
  while (hi - lo > SECOND_MS) {
    const mid = lo + Math.floor((hi - lo) / 2 / SECOND_MS) * SECOND_MS;
    if (tzOffset(zone, new Date(mid)) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

function loadZoneDay(date: string, zone: string): ZoneDay {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const midnight = Date.UTC(y, mo - 1, d);
  const start = midnight - WINDOW_BEFORE_MS;
  const first = tzOffset(zone, new Date(start));
  const transitions: Transition[] = [];
  // An unknown zone (validated away before it gets here) has no offsets to search.
  if (Number.isNaN(first)) return { midnight, first, transitions, clock: plainDay };
  let at = start;
  let offset = first;
  while (at < midnight + WINDOW_AFTER_MS) {
    const next = at + SAMPLE_MS;
    const nextOffset = tzOffset(zone, new Date(next));
    if (nextOffset !== offset) {
      transitions.push({ at: findTransition(zone, at, next, offset), before: offset, after: nextOffset });
    }
    at = next;
    offset = nextOffset;
  }
  const repeated: MinuteRange[] = [];
  const skipped: MinuteRange[] = [];
  for (const t of transitions) {
    // The wall time the change happens at, read with the old and the new offset.
    const oldWall = (t.at + t.before * MINUTE_MS - midnight) / MINUTE_MS;
    const newWall = (t.at + t.after * MINUTE_MS - midnight) / MINUTE_MS;
    const range: MinuteRange = t.after < t.before ? [newWall, oldWall] : [oldWall, newWall];
    if (range[1] <= 0 || range[0] >= 24 * 60) continue;
    (t.after < t.before ? repeated : skipped).push(range);
  }
  return { midnight, first, transitions, clock: { repeated, skipped } };
}

function zoneDay(date: string, zone: string): ZoneDay {
  const key = `${zone} ${date}`;
  let day = zoneDays.get(key);
  if (!day) {
    if (zoneDays.size >= MAX_DAYS) zoneDays.clear();
    day = loadZoneDay(date, zone);
    zoneDays.set(key, day);
  }
  return day;
}

/** The zone's offset (minutes) at an instant inside the day's window. */
function offsetAt(day: ZoneDay, instant: number): number {
  let offset = day.first;
  for (const t of day.transitions) {
    if (instant < t.at) break;
    offset = t.after;
  }
  return offset;
}

/**
 * The instant of a wall time in a zone, computed from the zone's offsets only (TZDate's own constructor
 * consults the process's zone and resolves autumn's repeated hour differently under different TZs).
 * As RFC 5545 says: a time that occurs twice is its first occurrence; a time skipped by a jump is read
 * with the offset before the jump (02:30 becomes 03:30 summer time).
 */
/** UTC ms. */
function read(day: ZoneDay, minutes: number): number {
  const wall = day.midnight + minutes * MINUTE_MS;
  const before = offsetAt(day, wall - DAY_MS);
  const after = offsetAt(day, wall + DAY_MS);
  const early = Math.round(wall - before * MINUTE_MS);
  const late = Math.round(wall - after * MINUTE_MS);
  const earlyHolds = offsetAt(day, early) === before;
  const lateHolds = offsetAt(day, late) === after;
  if (earlyHolds && lateHolds) return Math.min(early, late);
  return lateHolds ? late : early;
}

const instantMs = (date: string, time: string, zone: string): number => read(zoneDay(date, zone), toMinutes(time));

/** The UTC instant of a wall-clock time in a zone. */
export function toInstant(date: string, time: string, zone: string): Date {
  return new Date(instantMs(date, time, zone));
}

/** The local wall time an instant shows, read as if it were UTC (ms). */
function wallOf(day: ZoneDay, instant: number): number {
  // As TZDate does: historical offsets with seconds are rounded to the second.
  return instant + Math.round(offsetAt(day, instant) * 60) * SECOND_MS;
}

/** False for wall times skipped by a daylight-saving jump (e.g. 02:30 on the last Sunday of March in Denmark). */
export function existsLocally(date: string, time: string, zone: string): boolean {
  const day = zoneDay(date, zone);
  const minutes = toMinutes(time);
  return Math.floor((wallOf(day, read(day, minutes)) - day.midnight) / MINUTE_MS) === minutes;
}

/** Whether a wall time (minutes of the day) is one the clocks pass twice that day. */
export const isRepeated = (clock: DayClock, minutes: number): boolean => clock.repeated.some(([from, to]) => from <= minutes && minutes < to);

/** True for wall times that occur twice (the hour repeated when the clocks go back in autumn). */
export function isAmbiguousLocally(date: string, time: string, zone: string): boolean {
  return isRepeated(zoneDay(date, zone).clock, toMinutes(time));
}

/** The day's daylight-saving changes as wall-minute ranges, for rules that work on plain numbers. */
export function dayClock(date: string, zone: string): DayClock {
  return zoneDay(date, zone).clock;
}

/**
 * Real minutes elapsed from one wall time of a day to a later one (both as minutes of the day): a stretch
 * the clocks repeat counts twice once passed, a skipped one not at all. Times that occur twice mean their
 * first occurrence, so 00:00–06:00 across the autumn change is 420 minutes.
 */
export function elapsedMinutes(clock: DayClock, from: number, to: number): number {
  let minutes = to - from;
  for (const [start, end] of clock.repeated) if (from < end && end <= to) minutes += end - start;
  for (const [start, end] of clock.skipped) if (from < end && end <= to) minutes -= end - start;
  return minutes;
}

/** Real minutes from one wall time to a later one on the same date in a zone. */
export function elapsedBetween(date: string, from: string, to: string, zone: string): number {
  const day = zoneDay(date, zone);
  return Math.round((read(day, toMinutes(to)) - read(day, toMinutes(from))) / MINUTE_MS);
}

/** `2019-09-11T08:00:00Z`: seconds precision, as calendar clients and integrators expect. */
export function toUtcString(instant: Date): string {
  return instant.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** A local time with its offset, e.g. `2019-09-11T10:00:00+02:00`. */
export function toOffsetString(date: string, time: string, zone: string): string {
  const day = zoneDay(date, zone);
  const instant = read(day, toMinutes(time));
  const wall = new Date(wallOf(day, instant)).toISOString().slice(0, 19);
  // As TZDate writes it: whole minutes, truncated towards zero.
  const offset = Math.trunc(offsetAt(day, instant));
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${wall}${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/** The same instant as a TZDate in the zone: what ical-generator needs to write wall time correctly. */
export function zonedInstant(date: string, time: string, zone: string): TZDate {
  return new TZDate(instantMs(date, time, zone), zone);
}
