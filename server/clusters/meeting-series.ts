// The dates and hosts of a cluster's facilitated meeting series (faciliteret møderække). Pure: calendar
// arithmetic on `YYYY-MM-DD` strings (no process time zone involved) and a holiday calendar passed in.
//
// Meeting n (0-based) is planned `everyWeeks` weeks after the previous one, counted from `from`; a planned
// day that is a weekend day, a Danish public holiday or in ISO week 7 or 42 (the winter and autumn school
// holidays) moves to the next day that is none of these. The cadence is kept: each meeting is planned from
// `from`, not from where the previous one had to move. Hosts take turns in the order given.
import { createRequire } from 'node:module';
import type HolidaysClass from 'date-holidays';

/** ISO weeks of the school holidays in which no series meeting is held: winter (7) and autumn (42). */
export const SCHOOL_HOLIDAY_WEEKS = [7, 42];

// Observances that Danish municipalities close for (by agreement) although the calendar does not count them
// as public holidays: Constitution Day and Christmas Eve.
const CLOSED_OBSERVANCES = new Set(['Grundlovsdag', 'Juleaftensdag']);

// Loaded on first use, not at start-up: the package holds every country's calendar (about 5 MB of heap once
// parsed) and only series planning needs it. Kept out of the server bundle (scripts/bundle-server.ts).
const requireAtRunTime = createRequire(import.meta.url);
let dk: HolidaysClass | undefined;
const danishCalendar = (): HolidaysClass => (dk ??= new (requireAtRunTime('date-holidays') as typeof HolidaysClass)('DK'));
const byYear = new Map<number, Map<string, string>>();

/** Danish public holidays (and the closed observances) of a year: date → name. From `date-holidays`. */
export function danishHolidays(year: number): Map<string, string> {
  let days = byYear.get(year);
  if (!days) {
    days = new Map(
      danishCalendar()
        .getHolidays(year)
        .filter((h) => h.type === 'public' || CLOSED_OBSERVANCES.has(h.name))
        .map((h) => [h.date.slice(0, 10), h.name]),
    );
    byYear.set(year, days);
  }
  return days;
}

export const holidayName = (date: string): string | null => danishHolidays(Number(date.slice(0, 4))).get(date) ?? null;

const DAY_MS = 86_400_000;
/** Days since 1970-01-01 (UTC) of a date; setUTCFullYear, as Date.UTC would read years 0–99 as 1900–1999. */
const utcDays = (year: number, month: number, day: number) => {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime() / DAY_MS;
};
const toDays = (date: string) => utcDays(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10)));
const fromDays = (days: number) => new Date(days * DAY_MS).toISOString().slice(0, 10);
/** 1 = Monday … 7 = Sunday. */
const weekday = (date: string) => ((new Date(toDays(date) * DAY_MS).getUTCDay() + 6) % 7) + 1;

export const addDays = (date: string, n: number) => fromDays(toDays(date) + n);

/** The ISO 8601 week number of a date. */
export function isoWeek(date: string): number {
  // The Thursday of the date's week decides the week's year; week 1 holds that year's first Thursday.
  const thursday = toDays(date) - weekday(date) + 4;
  const year = new Date(thursday * DAY_MS).getUTCFullYear();
  return Math.floor((thursday - utcDays(year, 1, 1)) / 7) + 1;
}

/** Why no series meeting can be held on a date, or null. */
export function whyNot(date: string): string | null {
  const d = weekday(date);
  if (d >= 6) return d === 6 ? 'Saturday' : 'Sunday';
  const holiday = holidayName(date);
  if (holiday) return holiday;
  const week = isoWeek(date);
  if (SCHOOL_HOLIDAY_WEEKS.includes(week)) return `school holiday (week ${week})`;
  return null;
}

/** The year of the last day a series could reach (its last planned day, plus room to move off holidays). */
export function lastYear(input: { count: number; from: string; everyWeeks: number }): number {
  return new Date((toDays(input.from) + (input.count - 1) * input.everyWeeks * 7 + 31) * DAY_MS).getUTCFullYear();
}

export interface SeriesSlot<H> {
  /** 1-based place in the series. */
  number: number;
  date: string;
  /** The day first planned, when the meeting had to move, and why. */
  moved: { from: string; reason: string } | null;
  host: H;
}

export function planSeries<H>(input: { count: number; from: string; everyWeeks: number }, hosts: readonly H[]): SeriesSlot<H>[] {
  if (hosts.length === 0) throw new RangeError('a series needs at least one host');
  const slots: SeriesSlot<H>[] = [];
  let last = '';
  for (let i = 0; i < input.count; i++) {
    const planned = addDays(input.from, i * input.everyWeeks * 7);
    let date = planned;
    // Never on or before the previous meeting (a long move could otherwise overtake the cadence).
    if (last && date <= last) date = addDays(last, 1);
    let reason = whyNot(date);
    const first = reason;
    while (reason) {
      date = addDays(date, 1);
      reason = whyNot(date);
    }
    slots.push({ number: i + 1, date, moved: date === planned ? null : { from: planned, reason: first ?? 'after the previous meeting' }, host: hosts[i % hosts.length]! });
    last = date;
  }
  return slots;
}
