// The data `npm run bench` measures on, built over the HTTP API as a coordinator would: released agendas on
// the seed network, a 30-item day with two tracks, many small networks, and one large network (100 meetings
// × 100 items on one theme) whose item slots never collide (four tracks of 15-minute slots per day).
import { SEED_SLUG } from '../db/seed-data.js';
import { pool, type Api, type Json } from './lib.js';

const DAY_MS = 86_400_000;
/** `YYYY-MM-DD`, `days` after a date, computed in UTC (no dependence on the machine's zone). */
export const dateAfter = (start: string, days: number) => new Date(Date.parse(`${start}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
/** `HH:MM` at `minutes` after midnight. */
export const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

const SEED_AGENDA: [string, string, string, string, string[]][] = [
  ['10:00', '10:15', 'Velkomst og dagens program', 'welcome', []],
  ['10:15', '11:30', 'Aktuelt på dagtilbuds- og folkeskoleområdet', 'presentation', ['aktuelt']],
  ['11:30', '12:15', 'Ny lovgivning, økonomiaftaler og politiske udspil', 'presentation', ['lovgivning']],
  ['12:15', '13:00', 'Frokost', 'lunch', []],
  ['13:00', '14:30', 'Ny viden fra forskning og undersøgelser', 'discussion', ['ny-viden']],
  ['14:30', '16:00', 'Gensidig sparring på konkrete kommunale opgaver', 'peer-sparring', ['sparring']],
];

/**
 * The seed network's feed at a realistic size: meetings added until it has `total`, each announced, with a
 * six-item agenda (the feed's DESCRIPTION carries the programme) and released. Returns the feed's path.
 */
export async function seedNetworkFeed(api: Api, total: number, concurrency: number): Promise<string> {
  const existing = (await api('GET', `/networks/${SEED_SLUG}/meetings?limit=200`)).data as Json[];
  const added = Array.from({ length: Math.max(0, total - existing.length) }, (_, i) => i);
  const created = [] as Json[];
  await pool(added, concurrency, async (i) => {
    created.push(
      await api('POST', `/networks/${SEED_SLUG}/meetings`, {
        title: `Netværksmøde ${i + 4}, temadag`,
        date: dateAfter('2030-01-09', 7 * i),
        startTime: '10:00',
        endTime: '16:00',
        status: 'announced',
        description: 'Heldagsmøde i netværket: aktuelt, ny lovgivning, ny viden og gensidig sparring; frokost kl. 12.15.',
      }),
    );
  });
  await pool([...existing, ...created], concurrency, async (m) => {
    for (const [startTime, endTime, title, kind, themes] of SEED_AGENDA) {
      await api('POST', `/meetings/${m.id}/items`, { startTime, endTime, title, kind, themes, description: `${title}.` });
    }
    await api('POST', `/meetings/${m.id}/releases`, { note: 'bench' });
  });
  return `/feeds/networks/${SEED_SLUG}.ics`;
}

/** A network of its own with one theme; returns its slug. */
async function network(api: Api, slug: string, name: string, themeKey: string): Promise<string> {
  await api('POST', '/networks', { slug, name });
  await api('POST', `/networks/${slug}/themes`, { key: themeKey, name: `Tema ${themeKey}` });
  return slug;
}

async function meeting(api: Api, slug: string, title: string, date: string, startTime: string, endTime: string): Promise<Json> {
  return api('POST', `/networks/${slug}/meetings`, { title, date, startTime, endTime, status: 'announced', description: `${title}: program.` });
}

/**
 * A released 30-item day with two tracks (six plenary items 09:00–10:30, then twelve 15-minute items in
 * each track until 13:30). Returns the item ids.
 */
export async function thirtyItemDay(api: Api): Promise<string[]> {
  const slug = await network(api, 'bench-patch', 'Bench: item writes', 'tema');
  const day = await meeting(api, slug, 'Dag med to spor', '2030-03-06', '09:00', '14:00');
  const tracks = [
    await api('POST', `/meetings/${day.id}/tracks`, { name: 'Spor A, dagtilbud', sortOrder: 1 }),
    await api('POST', `/meetings/${day.id}/tracks`, { name: 'Spor B, skole', sortOrder: 2 }),
  ];
  const ids: string[] = [];
  const add = async (trackId: string | null, start: number, n: number) => {
    for (let i = 0; i < n; i++) {
      const from = start + 15 * i;
      const item = await api('POST', `/meetings/${day.id}/items`, {
        trackId,
        startTime: hhmm(from),
        endTime: hhmm(from + 15),
        title: `Punkt ${ids.length + 1}`,
        kind: 'presentation',
        themes: ['tema'],
        description: 'Oplæg og drøftelse.',
      });
      ids.push(item.id as string);
    }
  };
  await add(null, 9 * 60, 6);
  for (const t of tracks) await add(t.id as string, 10 * 60 + 30, 12);
  await api('POST', `/meetings/${day.id}/releases`, { note: 'bench' });
  return ids;
}

export interface IsolationData {
  /** Network A, where the writes go: its meetings and, per meeting, its item ids. */
  writer: { slug: string; meetings: { id: string; items: string[] }[] };
  /** Network B, whose feed is polled. */
  polled: string;
}

/** `networks` networks, each with `meetingsPer` announced meetings of five released plenary items. */
export async function manyNetworks(api: Api, networks: number, meetingsPer: number, concurrency: number): Promise<IsolationData> {
  const built: IsolationData['writer'][] = [];
  await pool(
    Array.from({ length: networks }, (_, i) => i),
    concurrency,
    async (n) => {
      const slug = await network(api, `bench-iso-${String(n).padStart(3, '0')}`, `Bench: netværk ${n}`, 'tema');
      const meetings: { id: string; items: string[] }[] = [];
      for (let k = 0; k < meetingsPer; k++) {
        const m = await meeting(api, slug, `Møde ${k + 1} i netværk ${n}`, dateAfter('2030-09-02', 14 * k), '10:00', '15:00');
        const items: string[] = [];
        for (let i = 0; i < 5; i++) {
          const from = 10 * 60 + 60 * i;
          const item = await api('POST', `/meetings/${m.id}/items`, {
            startTime: hhmm(from),
            endTime: hhmm(from + 45),
            title: `Punkt ${i + 1}`,
            kind: i === 2 ? 'lunch' : 'presentation',
            themes: i === 2 ? [] : ['tema'],
          });
          items.push(item.id as string);
        }
        await api('POST', `/meetings/${m.id}/releases`, { note: 'bench' });
        meetings.push({ id: m.id as string, items });
      }
      built[n] = { slug, meetings };
    },
  );
  return { writer: built[0]!, polled: built[1]!.slug };
}

export const SCALE_SLUG = 'bench-scale';
export const SCALE_THEME = 'skala';
export const TRACKS_PER_DAY = 4;
const SLOT_MINUTES = 15;
const DAY_START = 10 * 60;

export interface ScaleFrame {
  meetings: { id: string; tracks: string[] }[];
}

/**
 * The large network's frame: `meetings` announced days (10:00–16:15), each with four tracks, so that 100
 * items per day fit as 25 slots of 15 minutes per track.
 */
export async function scaleFrame(api: Api, meetings: number, itemsPerMeeting: number, concurrency: number): Promise<ScaleFrame> {
  await network(api, SCALE_SLUG, 'Bench: 100 møder × 100 punkter', SCALE_THEME);
  const slotsPerTrack = Math.ceil(itemsPerMeeting / TRACKS_PER_DAY);
  const end = hhmm(DAY_START + SLOT_MINUTES * slotsPerTrack);
  const frame: ScaleFrame = { meetings: [] };
  await pool(
    Array.from({ length: meetings }, (_, i) => i),
    concurrency,
    async (i) => {
      const m = await meeting(api, SCALE_SLUG, `Skalamøde ${i + 1}`, dateAfter('2031-01-06', i), hhmm(DAY_START), end);
      const tracks: string[] = [];
      for (let t = 0; t < TRACKS_PER_DAY; t++) tracks.push((await api('POST', `/meetings/${m.id}/tracks`, { name: `Spor ${t + 1}`, sortOrder: t + 1 })).id as string);
      frame.meetings[i] = { id: m.id as string, tracks };
    },
  );
  return frame;
}

/**
 * Item `n` of the large network (0 ≤ n < meetings × itemsPerMeeting): days are filled round-robin, and
 * within a day slot s goes to track s mod 4 at 10:00 + 15 min × ⌊s / 4⌋, so no two items ever overlap.
 */
export function scaleItem(frame: ScaleFrame, n: number): { meetingId: string; body: Json } {
  const days = frame.meetings.length;
  const day = frame.meetings[n % days]!;
  const slot = Math.floor(n / days);
  const from = DAY_START + SLOT_MINUTES * Math.floor(slot / TRACKS_PER_DAY);
  return {
    meetingId: day.id,
    body: {
      trackId: day.tracks[slot % TRACKS_PER_DAY],
      startTime: hhmm(from),
      endTime: hhmm(from + SLOT_MINUTES),
      title: `Punkt ${slot + 1}: oplæg og drøftelse`,
      kind: 'presentation',
      themes: [SCALE_THEME],
      description: 'Oplæg fra en kommune, derefter drøftelse i grupper; spørgsmål, erfaringer og næste skridt.',
    },
  };
}

/**
 * A six-hour day in Odense with two parallel tracks (day-care, school) between plenary items, released:
 * the meeting whose page and feed the pages section polls. Returns the meeting's id.
 */
export async function trackDayMeeting(api: Api): Promise<string> {
  const slug = await network(api, 'bench-pages', 'Bench: sider', 'sparring');
  const day = await meeting(api, slug, 'Netværksmøde i Odense: sprog og overgange', '2030-09-11', '10:00', '16:00');
  const tracks = [
    await api('POST', `/meetings/${day.id}/tracks`, { name: 'Dagtilbud', room: 'Sal A', sortOrder: 1 }),
    await api('POST', `/meetings/${day.id}/tracks`, { name: 'Skole', room: 'Sal B', sortOrder: 2 }),
  ];
  const plenary: [string, string, string][] = [
    ['10:00', '10:30', 'Velkomst og dagens program'],
    ['12:00', '12:45', 'Frokost'],
    ['14:15', '14:30', 'Kaffe'],
    ['14:30', '16:00', 'Gensidig sparring på tværs'],
  ];
  for (const [startTime, endTime, title] of plenary) await api('POST', `/meetings/${day.id}/items`, { startTime, endTime, title, kind: 'other', themes: ['sparring'] });
  for (const [i, t] of tracks.entries()) {
    for (const [startTime, endTime] of [
      ['10:30', '12:00'],
      ['12:45', '14:15'],
    ]) {
      await api('POST', `/meetings/${day.id}/items`, { trackId: t.id, startTime, endTime, title: `${t.name}: oplæg og drøftelse ${startTime}`, kind: i === 0 ? 'presentation' : 'workshop', themes: ['sparring'] });
    }
  }
  await api('POST', `/meetings/${day.id}/releases`, { note: 'bench' });
  return day.id as string;
}
