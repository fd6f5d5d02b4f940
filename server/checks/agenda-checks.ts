// Checks of a whole meeting day, as plain functions: no Fastify, no database. Errors are agendas that
// cannot be held as written (overlaps, items outside the day); warnings are things a planner should
// look at (gaps, missing lunch, items without a theme, times a daylight-saving change repeats). Times are
// plain numbers (minutes of the day); the day's clock changes come in as numbers too, so a check never
// consults a time zone.
import { z } from 'zod';
import type { itemKinds } from '../../db/schema.js';
import { elapsedMinutes, fromMinutes, isRepeated, plainDay, toMinutes, type DayClock } from '../time/local-time.js';

export type ItemKind = (typeof itemKinds)[number];

export const findingCodes = [
  // errors
  'invalid-time-range',
  'item-outside-meeting',
  'plenary-overlap',
  'speaker-double-booked',
  'track-overlap',
  // warnings
  'ambiguous-local-time',
  'empty-track',
  'item-without-theme',
  'no-lunch-break',
  'nonstandard-length',
  'track-gap',
] as const;

export type FindingCode = (typeof findingCodes)[number];
export type Severity = 'error' | 'warning';

/** The severity each code always has. */
export const findingSeverity: Readonly<Record<FindingCode, Severity>> = {
  'invalid-time-range': 'error',
  'item-outside-meeting': 'error',
  'plenary-overlap': 'error',
  'speaker-double-booked': 'error',
  'track-overlap': 'error',
  'ambiguous-local-time': 'warning',
  'empty-track': 'warning',
  'item-without-theme': 'warning',
  'no-lunch-break': 'warning',
  'nonstandard-length': 'warning',
  'track-gap': 'warning',
};

export interface CheckItem {
  id: string;
  trackId: string | null;
  startTime: string;
  endTime: string;
  title: string;
  kind: ItemKind;
  themes: unknown[];
  speakers: { id: string; name?: string }[];
}

export interface CheckInput {
  /** `HH:MM` local wall time. */
  meeting: { startTime: string; endTime: string };
  /** The meeting day's daylight-saving changes (`dayClock(date, zone)`); an ordinary day when absent. */
  day?: DayClock;
  /** The network's standard meeting length in minutes. */
  standardMinutes: number;
  tracks: { id: string; name: string }[];
  items: CheckItem[];
}

export interface Finding {
  severity: Severity;
  code: FindingCode;
  message: string;
  /** Ids of the items involved, in time order; empty for findings about the whole meeting. */
  items: string[];
  /** Ids of the tracks involved, when the finding concerns a track. */
  tracks?: string[];
}

export const findingSchema = z
  .object({
    severity: z.enum(['error', 'warning']).describe('`error`: the agenda cannot be held as written; `warning`: worth a look'),
    code: z.enum(findingCodes).describe('Stable machine-readable code'),
    message: z.string().describe('English, naming titles and times'),
    items: z.array(z.string()).describe('Ids of the agenda items involved, in time order'),
    tracks: z.array(z.string()).optional().describe('Ids of the tracks involved'),
  })
  .meta({ id: 'Finding', description: 'One problem found in a meeting’s agenda' });

/** Kinds that need no theme: they carry no content. */
const THEMELESS_KINDS: ReadonlySet<ItemKind> = new Set<ItemKind>(['welcome', 'break', 'lunch']);
/** A meeting at least this long should have a lunch break. */
const LUNCH_THRESHOLD_MINUTES = 300;

interface Timed {
  item: CheckItem;
  start: number;
  end: number;
}

interface Draft extends Finding {
  /** Sort key: minutes of the first item (or the gap) concerned; -1 for whole-meeting findings. */
  at: number;
}

const span = (t: Timed) => `${t.item.startTime}–${t.item.endTime}`;
const label = (t: Timed) => `"${t.item.title}" (${span(t)})`;
const compareStrings = (a: string, b: string) => Number(a > b) - Number(a < b);
/** Malformed times (NaN minutes) sort last. */
const sortable = (minutes: number) => (Number.isNaN(minutes) ? Infinity : minutes);
const overlaps = (a: Timed, b: Timed) => a.start < b.end && b.start < a.end;

/** Every finding of a day: errors first, then by code and time. */
export function checkAgenda(input: CheckInput): Finding[] {
  return collect(input, true);
}

/** Only the error findings (what blocks a write), without the cost of the warnings. */
export function agendaErrors(input: CheckInput): Finding[] {
  return collect(input, false);
}

function collect(input: CheckInput, withWarnings: boolean): Finding[] {
  const { meeting } = input;
  const day = input.day ?? plainDay;
  const out: Draft[] = [];
  const add = (code: FindingCode, message: string, involved: Timed[], at: number, tracks?: string[]) => {
    const f: Draft = { severity: findingSeverity[code], code, message, items: involved.map((t) => t.item.id), at };
    if (tracks) f.tracks = tracks;
    out.push(f);
  };
  const trackName = new Map(input.tracks.map((t) => [t.id, t.name]));
  const nameOf = (trackId: string) => trackName.get(trackId) ?? trackId;

  const all: Timed[] = input.items
    .map((item) => ({ item, start: toMinutes(item.startTime), end: toMinutes(item.endTime) }))
    .sort((a, b) => a.start - b.start || a.end - b.end || compareStrings(a.item.id, b.item.id));

  // Items with a usable time range take part in the time-based checks; the others only get reported.
  const timed: Timed[] = [];
  for (const t of all) {
    if (t.end > t.start) timed.push(t);
    else add('invalid-time-range', `${label(t)} must end after it starts`, [t], sortable(t.start));
  }

  const mStart = toMinutes(meeting.startTime);
  const mEnd = toMinutes(meeting.endTime);
  const meetingOk = mEnd > mStart;
  const meetingSpan = `${meeting.startTime}–${meeting.endTime}`;

  if (!meetingOk) {
    add('invalid-time-range', `The meeting must end after it starts (${meetingSpan})`, [], -1);
  } else {
    for (const t of timed) {
      if (t.start < mStart || t.end > mEnd) {
        add('item-outside-meeting', `${label(t)} lies outside the meeting’s hours (${meetingSpan})`, [t], t.start);
      }
    }
  }

  // Overlaps, pair by pair: `timed` is sorted by start, so the pairs of an item end at the first later
  // item that starts when it has ended.
  for (let i = 0; i < timed.length; i++) {
    const a = timed[i]!;
    for (let j = i + 1; j < timed.length; j++) {
      const b = timed[j]!;
      if (b.start >= a.end) break;
      if (!overlaps(a, b)) continue;
      const at = a.start;
      const ta = a.item.trackId;
      const tb = b.item.trackId;
      if (ta === null && tb === null) {
        add('track-overlap', `Plenary items ${label(a)} and ${label(b)} overlap`, [a, b], at);
      } else if (ta === null || tb === null) {
        const [p, t] = ta === null ? [a, b] : [b, a];
        const trackId = t.item.trackId!;
        add(
          'plenary-overlap',
          `Plenary item ${label(p)} overlaps ${label(t)} in track "${nameOf(trackId)}"`,
          [a, b],
          at,
          [trackId],
        );
      } else if (ta === tb) {
        add('track-overlap', `${label(a)} and ${label(b)} overlap in track "${nameOf(ta)}"`, [a, b], at, [ta]);
      }
      const seen = new Set<string>();
      for (const s of a.item.speakers) {
        if (seen.has(s.id) || !b.item.speakers.some((o) => o.id === s.id)) continue;
        seen.add(s.id);
        add('speaker-double-booked', `${s.name ?? s.id} is booked for both ${label(a)} and ${label(b)}`, [a, b], at);
      }
    }
  }

  if (withWarnings) {
    warnings(input, day, all, timed, { start: mStart, end: mEnd, ok: meetingOk, span: meetingSpan }, add);
  }

  const rank = (f: Draft) => (f.severity === 'error' ? 0 : 1);
  return out
    .sort((a, b) => rank(a) - rank(b) || compareStrings(a.code, b.code) || a.at - b.at)
    .map(({ at: _at, ...f }) => f);
}

type Add = (code: FindingCode, message: string, involved: Timed[], at: number, tracks?: string[]) => void;

function warnings(
  input: CheckInput,
  day: DayClock,
  all: Timed[],
  timed: Timed[],
  meeting: { start: number; end: number; ok: boolean; span: string },
  add: Add,
) {
  const { start: mStart, end: mEnd, span: meetingSpan } = meeting;
  if (meeting.ok) {
    // Real minutes: a day across a daylight-saving change is an hour longer or shorter than its wall times say.
    const length = elapsedMinutes(day, mStart, mEnd);
    if (length !== input.standardMinutes) {
      add(
        'nonstandard-length',
        `The meeting lasts ${length} minutes (${meetingSpan}); the network’s standard is ${input.standardMinutes} minutes`,
        [],
        -1,
      );
    }
    if (length >= LUNCH_THRESHOLD_MINUTES && !input.items.some((i) => i.kind === 'lunch')) {
      add('no-lunch-break', `The meeting lasts ${length} minutes (${meetingSpan}) but has no lunch break`, [], -1);
    }

    // Gaps: what a participant following one track (plus everything plenary) experiences.
    const plenary = timed.filter((t) => t.item.trackId === null);
    const usedTracks = input.tracks.filter((tr) => timed.some((t) => t.item.trackId === tr.id));
    if (usedTracks.length === 0) {
      if (plenary.length > 0) {
        for (const g of gaps(plenary, mStart, mEnd)) {
          add('track-gap', `Nothing is scheduled ${g.span} in the plenary programme`, g.around, g.start);
        }
      }
    } else {
      for (const tr of usedTracks) {
        const line = timed.filter((t) => t.item.trackId === null || t.item.trackId === tr.id);
        for (const g of gaps(line, mStart, mEnd)) {
          add('track-gap', `Nothing is scheduled ${g.span} for track "${tr.name}"`, g.around, g.start, [tr.id]);
        }
      }
    }
  }

  for (const tr of input.tracks) {
    if (!input.items.some((i) => i.trackId === tr.id)) {
      add('empty-track', `Track "${tr.name}" has no items`, [], -1, [tr.id]);
    }
  }

  for (const t of all) {
    if (t.item.themes.length === 0 && !THEMELESS_KINDS.has(t.item.kind)) {
      add('item-without-theme', `${label(t)} has no theme`, [t], sortable(t.start));
    }
  }

  // Times the clocks pass twice: accepted as their first occurrence, but a reader may mean the second.
  if (day.repeated.length > 0) {
    const twice = (times: [string, number][]) => times.filter(([, minutes]) => isRepeated(day, minutes)).map(([time]) => time);
    const say = (times: string[]) =>
      `${times.join(' and ')} ${times.length > 1 ? 'occur' : 'occurs'} twice on this day (the clocks go back); ` +
      `the first occurrence is meant`;
    const meetingTimes = twice([[input.meeting.startTime, mStart], [input.meeting.endTime, mEnd]]);
    if (meetingTimes.length > 0) add('ambiguous-local-time', `The meeting (${meetingSpan}): ${say(meetingTimes)}`, [], -1);
    for (const t of all) {
      const times = twice([[t.item.startTime, t.start], [t.item.endTime, t.end]]);
      if (times.length > 0) add('ambiguous-local-time', `${label(t)}: ${say(times)}`, [t], sortable(t.start));
    }
  }
}

interface Gap {
  start: number;
  end: number;
  span: string;
  /** The items just before and just after the gap. */
  around: Timed[];
}

/** Stretches of [from, to) covered by no item of the timeline. */
function gaps(line: Timed[], from: number, to: number): Gap[] {
  const clipped = line
    .map((t) => ({ t, start: Math.max(t.start, from), end: Math.min(t.end, to) }))
    .filter((c) => c.end > c.start)
    .sort((a, b) => a.start - b.start);
  const found: Gap[] = [];
  const push = (start: number, end: number) => {
    const around = [
      ...clipped.filter((c) => c.end === start).map((c) => c.t),
      ...clipped.filter((c) => c.start === end).map((c) => c.t),
    ];
    found.push({ start, end, span: `${fromMinutes(start)}–${fromMinutes(end)}`, around });
  };
  let cursor = from;
  for (const c of clipped) {
    if (c.start > cursor) push(cursor, c.start);
    cursor = Math.max(cursor, c.end);
  }
  if (cursor < to) push(cursor, to);
  return found;
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

export function errorsOnly(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.severity === 'error');
}
