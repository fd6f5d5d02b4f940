// Departures and returns in every feed kind (issue 10). An event that leaves a feed stays in THAT feed as
// STATUS:CANCELLED with the same UID, a SEQUENCE above the one that feed last showed for it and "AFLYST: "
// before its summary; an event that comes back is CONFIRMED with a higher SEQUENCE again. Each case builds
// its own network and acts as a subscriber: it polls every feed before and after each change, remembers the
// SEQUENCE each feed last showed for each UID, and checks with ical.js status, sequence, summary and the
// exact UTC instants (meetings in Europe/Copenhagen, two of them on the days the clocks change).
// Also: a write in one network leaves another network's feeds byte for byte.
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import ICAL from 'ical.js';
import t, { type Test } from 'tap';
import { makeApp, type TestApp } from './helpers.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SLUG = 'afgange';
const ZONE = 'Europe/Copenhagen';

/**
 * Copenhagen's UTC offset (hours) on the meeting dates used here, written out rather than computed so the
 * test does not share the code under test's time arithmetic. 2099-03-29 and 2099-10-25 are the last Sundays
 * of March and October: the clocks change at 02:00/03:00 that night, so daytime hours have the new offset.
 */
const OFFSET_HOURS: Record<string, number> = {
  '2099-03-29': 2, // spring change: the day begins in CET (+1), meeting hours are CEST (+2)
  '2099-06-11': 2, // summer
  '2099-10-25': 1, // autumn change: the day begins in CEST (+2), meeting hours are CET (+1)
};

/** The UTC instant of a Copenhagen wall time on one of the dates above, as ical.js reports it. */
function instant(date: string, time: string): string {
  const offset = OFFSET_HOURS[date];
  if (offset === undefined) throw new Error(`no offset written down for ${date}`);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [h, min] = time.split(':').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1, d, h - offset, min)).toISOString();
}

// ---------------------------------------------------------------------------------------------------
// The world every case starts from: one announced meeting in a cluster, two tracks, six released items on
// two themes, and two participants registered on track A and track B.

type FeedKey =
  | 'network'
  | 'meeting'
  | 'meetingItems'
  | 'trackA'
  | 'trackB'
  | 'themeLaering'
  | 'themeTrivsel'
  | 'cluster'
  | 'personalA'
  | 'personalB';

/** What an event must show: its title and local times (the instants follow from OFFSET_HOURS). */
interface Planned {
  label: string;
  title: string;
  date: string;
  start: string;
  end: string;
}

type EventKey = 'meeting' | 'welcome' | 'play' | 'reading' | 'lunch' | 'transitions' | 'sparring';

interface World {
  a: TestApp;
  date: string;
  meeting: Json;
  trackA: Json;
  trackB: Json;
  cluster: Json;
  anne: Json;
  bo: Json;
  registration: { anne: Json; bo: Json };
  ids: Record<EventKey, string>;
  planned: Map<string, Planned>;
  urls: Record<FeedKey, string>;
}

async function call(t: Test, a: TestApp, opts: InjectOptions, status: number): Promise<Json> {
  const res = await a.as(opts);
  t.equal(res.statusCode, status, `${opts.method ?? 'GET'} ${opts.url}: ${status}`, { body: res.body.slice(0, 500) });
  if (res.statusCode !== status) throw new Error(`${opts.method ?? 'GET'} ${opts.url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return res.body ? (res.json() as Json) : {};
}

const path = (https: string) => {
  const u = new URL(https);
  return u.pathname + u.search;
};

async function buildNetwork(t: Test, a: TestApp, slug: string, name: string): Promise<void> {
  await call(t, a, { method: 'POST', url: '/api/v1/networks', payload: { slug, name, timeZone: ZONE } }, 201);
  await call(t, a, { method: 'POST', url: `/api/v1/networks/${slug}/themes`, payload: { key: 'laering', name: 'Læring' } }, 201);
  await call(t, a, { method: 'POST', url: `/api/v1/networks/${slug}/themes`, payload: { key: 'trivsel', name: 'Trivsel' } }, 201);
}

async function world(t: Test, date: string): Promise<World> {
  const a = await makeApp(t, { seed: true });
  await buildNetwork(t, a, SLUG, 'Netværk for afgange');
  // A cluster needs a member municipality; the network has no size bounds, so one is enough.
  await call(t, a, { method: 'POST', url: `/api/v1/networks/${SLUG}/members?override=true`, payload: { municipalityCode: 101, contact: { name: 'Kontakt', email: 'k101@kommune.dk' } } }, 201);
  await call(t, a, { method: 'PUT', url: `/api/v1/networks/${SLUG}/clusters`, payload: { clusters: [{ name: 'Klynge Hovedstaden', municipalityCodes: [101] }] } }, 200);
  const cluster = (await call(t, a, { url: `/api/v1/networks/${SLUG}/clusters` }, 200)).data[0] as Json;

  const title = 'Netværksmøde om overgange';
  const meeting = await call(t, a, { method: 'POST', url: `/api/v1/networks/${SLUG}/meetings`, payload: { title, date, startTime: '10:00', endTime: '16:00', status: 'announced', clusterId: cluster.id } }, 201);
  const trackA = await call(t, a, { method: 'POST', url: `/api/v1/meetings/${meeting.id}/tracks`, payload: { name: 'Spor A: dagtilbud', sortOrder: 1 } }, 201);
  const trackB = await call(t, a, { method: 'POST', url: `/api/v1/meetings/${meeting.id}/tracks`, payload: { name: 'Spor B: skole', sortOrder: 2 } }, 201);
  const planned = new Map<string, Planned>();
  planned.set(`${meeting.id}@netagenda`, { label: 'the meeting', title, date, start: '10:00', end: '16:00' });
  const item = async (label: string, payload: Json) => {
    const created = await call(t, a, { method: 'POST', url: `/api/v1/meetings/${meeting.id}/items`, payload }, 201);
    planned.set(`${created.id}@netagenda`, { label, title: payload.title, date, start: payload.startTime, end: payload.endTime });
    return created.id as string;
  };
  const ids: Record<EventKey, string> = {
    meeting: meeting.id,
    welcome: await item('plenary "Velkomst"', { startTime: '10:00', endTime: '10:30', title: 'Velkomst', kind: 'welcome', themes: ['trivsel'] }),
    play: await item('track A "Leg og læring"', { trackId: trackA.id, startTime: '10:30', endTime: '12:00', title: 'Leg og læring', kind: 'workshop', themes: ['laering'] }),
    reading: await item('track B "Læsning"', { trackId: trackB.id, startTime: '10:30', endTime: '11:15', title: 'Læsning i indskolingen', kind: 'presentation', themes: ['laering', 'trivsel'] }),
    lunch: await item('plenary "Frokost"', { startTime: '12:00', endTime: '12:45', title: 'Frokost', kind: 'lunch' }),
    transitions: await item('track A "Overgange"', { trackId: trackA.id, startTime: '12:45', endTime: '14:00', title: 'Overgange fra dagtilbud til skole', kind: 'discussion', themes: ['trivsel'] }),
    sparring: await item('plenary "Sparring"', { startTime: '14:00', endTime: '16:00', title: 'Sparring i grupper', kind: 'peer-sparring', themes: ['trivsel'] }),
  };
  await call(t, a, { method: 'POST', url: `/api/v1/meetings/${meeting.id}/releases`, payload: {} }, 201);

  const person = (name: string, email: string) => call(t, a, { method: 'POST', url: `/api/v1/networks/${SLUG}/participants`, payload: { name, email } }, 201);
  const anne = await person('Anne Andersen', 'anne@example.dk');
  const bo = await person('Bo Bertelsen', 'bo@example.dk');
  const register = (p: Json, trackId: string) =>
    call(t, a, { method: 'POST', url: `/api/v1/meetings/${meeting.id}/registrations`, payload: { participantId: p.id, trackId } }, 201);
  const registration = { anne: await register(anne, trackA.id), bo: await register(bo, trackB.id) };

  const urls: Record<FeedKey, string> = {
    network: `/feeds/networks/${SLUG}.ics`,
    meeting: `/feeds/meetings/${meeting.id}.ics`,
    meetingItems: `/feeds/meetings/${meeting.id}.ics?items=1`,
    trackA: `/feeds/tracks/${trackA.id}.ics`,
    trackB: `/feeds/tracks/${trackB.id}.ics`,
    themeLaering: `/feeds/networks/${SLUG}/themes/laering.ics`,
    themeTrivsel: `/feeds/networks/${SLUG}/themes/trivsel.ics`,
    cluster: path(cluster.feeds.meetings.https),
    personalA: path(anne.feed.https),
    personalB: path(bo.feed.https),
  };
  return { a, date, meeting, trackA, trackB, cluster, anne, bo, registration, ids, planned, urls };
}

// ---------------------------------------------------------------------------------------------------
// Reading feeds as a subscriber.

interface Shown {
  uid: string;
  summary: string;
  status: string;
  sequence: number;
  start: string;
  end: string;
}

/** The feed's events by UID (undefined when it does not answer 200); a UID twice is a failure. */
function parse(t: Test, res: LightMyRequestResponse, label: string): Map<string, Shown> | undefined {
  if (res.statusCode !== 200) return undefined;
  t.equal(res.headers['content-type'], 'text/calendar; charset=utf-8', `${label}: text/calendar`);
  const cal = new ICAL.Component(ICAL.parse(res.body));
  const out = new Map<string, Shown>();
  for (const ve of cal.getAllSubcomponents('vevent')) {
    const ev = new ICAL.Event(ve);
    if (out.has(ev.uid)) t.fail(`${label}: UID ${ev.uid} twice`);
    out.set(ev.uid, {
      uid: ev.uid,
      summary: ev.summary,
      status: String(ve.getFirstPropertyValue('status') ?? '(none)'),
      sequence: ev.sequence,
      start: ev.startDate.toJSDate().toISOString(),
      end: ev.endDate.toJSDate().toISOString(),
    });
  }
  return out;
}

type Seen = Map<FeedKey, Map<string, number>>;

/** Polls every feed of the world; remembers the SEQUENCE each feed showed for each UID it holds. */
async function pollAll(t: Test, w: World, seen: Seen): Promise<Map<FeedKey, { status: number; events: Map<string, Shown> | undefined }>> {
  const polled = new Map<FeedKey, { status: number; events: Map<string, Shown> | undefined }>();
  for (const [key, url] of Object.entries(w.urls) as [FeedKey, string][]) {
    const res = await w.a.app.inject({ url });
    const events = parse(t, res, key);
    polled.set(key, { status: res.statusCode, events });
    if (!events) continue;
    const memory = seen.get(key) ?? new Map<string, number>();
    for (const e of events.values()) memory.set(e.uid, e.sequence);
    seen.set(key, memory);
  }
  return polled;
}

// ---------------------------------------------------------------------------------------------------
// The cases: a change, then what each feed it touches must show.

interface Expectation {
  feeds: FeedKey[];
  events: EventKey[];
  state: 'CANCELLED' | 'CONFIRMED';
  /**
   * higher: above what that feed last showed for the UID (which it must have shown); any: no claim (an
   * event new to that feed, or one that only changed elsewhere). Default: higher when CANCELLED, any otherwise.
   */
  sequence?: 'higher' | 'any';
}

interface Step {
  name: string;
  change: (t: Test, w: World) => Promise<unknown>;
  expect: Expectation[];
}

interface Case {
  name: string;
  date: string;
  steps: Step[];
}

const ALL_ITEMS: EventKey[] = ['welcome', 'play', 'reading', 'lunch', 'transitions', 'sparring'];
const TRACK_A: EventKey[] = ['welcome', 'play', 'lunch', 'transitions', 'sparring'];
const TRACK_B: EventKey[] = ['welcome', 'reading', 'lunch', 'sparring'];
/** Every feed and the events it shows in the starting world. */
const EVERYTHING: [FeedKey[], EventKey[]][] = [
  [['network', 'meeting', 'cluster'], ['meeting']],
  [['meetingItems'], ['meeting', ...ALL_ITEMS]],
  [['trackA'], TRACK_A],
  [['trackB'], TRACK_B],
  [['themeLaering'], ['play', 'reading']],
  [['themeTrivsel'], ['welcome', 'reading', 'transitions', 'sparring']],
  [['personalA'], ['meeting', ...TRACK_A]],
  [['personalB'], ['meeting', ...TRACK_B]],
];
const everything = (state: Expectation['state'], sequence?: Expectation['sequence']): Expectation[] =>
  EVERYTHING.map(([feeds, events]) => ({ feeds, events, state, ...(sequence ? { sequence } : {}) }));

const patchItem = (t: Test, w: World, item: EventKey, payload: Json) => call(t, w.a, { method: 'PATCH', url: `/api/v1/items/${w.ids[item]}`, payload }, 200);
const release = (t: Test, w: World) => call(t, w.a, { method: 'POST', url: `/api/v1/meetings/${w.meeting.id}/releases`, payload: {} }, 201);
const patchMeeting = (t: Test, w: World, payload: Json) => call(t, w.a, { method: 'PATCH', url: `/api/v1/meetings/${w.meeting.id}`, payload }, 200);

const CASES: Case[] = [
  {
    name: 'an item moved to another track, then back',
    date: '2099-10-25',
    steps: [
      {
        name: 'track A → track B, released',
        change: async (t, w) => {
          await patchItem(t, w, 'transitions', { trackId: w.trackB.id });
          await release(t, w);
        },
        expect: [
          { feeds: ['trackA', 'personalA'], events: ['transitions'], state: 'CANCELLED' },
          { feeds: ['trackB', 'personalB'], events: ['transitions'], state: 'CONFIRMED' },
          { feeds: ['meetingItems'], events: ['transitions'], state: 'CONFIRMED', sequence: 'higher' },
        ],
      },
      {
        name: 'track B → track A, released',
        change: async (t, w) => {
          await patchItem(t, w, 'transitions', { trackId: w.trackA.id });
          await release(t, w);
        },
        expect: [
          { feeds: ['trackA', 'personalA', 'meetingItems'], events: ['transitions'], state: 'CONFIRMED', sequence: 'higher' },
          { feeds: ['trackB', 'personalB'], events: ['transitions'], state: 'CANCELLED' },
        ],
      },
    ],
  },
  {
    name: 'an item loses a theme, then gets it back',
    date: '2099-03-29',
    steps: [
      {
        name: 'theme trivsel removed, released',
        change: async (t, w) => {
          await patchItem(t, w, 'reading', { themes: ['laering'] });
          await release(t, w);
        },
        expect: [
          { feeds: ['themeTrivsel'], events: ['reading'], state: 'CANCELLED' },
          { feeds: ['themeLaering', 'trackB', 'personalB', 'meetingItems'], events: ['reading'], state: 'CONFIRMED' },
        ],
      },
      {
        name: 'theme trivsel given back, released',
        change: async (t, w) => {
          await patchItem(t, w, 'reading', { themes: ['laering', 'trivsel'] });
          await release(t, w);
        },
        expect: [{ feeds: ['themeTrivsel'], events: ['reading'], state: 'CONFIRMED', sequence: 'higher' }],
      },
    ],
  },
  {
    name: 'an item removed from the release',
    date: '2099-06-11',
    steps: [
      {
        name: 'deleted, released',
        change: async (t, w) => {
          await call(t, w.a, { method: 'DELETE', url: `/api/v1/items/${w.ids.play}` }, 204);
          await release(t, w);
        },
        expect: [{ feeds: ['meetingItems', 'trackA', 'themeLaering', 'personalA'], events: ['play'], state: 'CANCELLED' }],
      },
    ],
  },
  {
    name: 'a meeting deleted',
    date: '2099-10-25',
    steps: [
      {
        name: 'DELETE the meeting',
        change: (t, w) => call(t, w.a, { method: 'DELETE', url: `/api/v1/meetings/${w.meeting.id}?confirm=true` }, 204),
        expect: everything('CANCELLED'),
      },
    ],
  },
  {
    name: 'a meeting set back to draft, then announced again',
    date: '2099-03-29',
    steps: [
      { name: 'status draft', change: (t, w) => patchMeeting(t, w, { status: 'draft' }), expect: everything('CANCELLED') },
      { name: 'status announced', change: (t, w) => patchMeeting(t, w, { status: 'announced' }), expect: everything('CONFIRMED', 'higher') },
    ],
  },
  {
    name: 'a meeting cancelled, then announced again',
    date: '2099-06-11',
    steps: [
      { name: 'status cancelled', change: (t, w) => patchMeeting(t, w, { status: 'cancelled' }), expect: everything('CANCELLED') },
      { name: 'status announced', change: (t, w) => patchMeeting(t, w, { status: 'announced' }), expect: everything('CONFIRMED', 'higher') },
    ],
  },
  {
    name: 'a registration cancelled, then registered again',
    date: '2099-10-25',
    steps: [
      {
        name: 'registration cancelled',
        change: (t, w) => call(t, w.a, { method: 'DELETE', url: `/api/v1/registrations/${w.registration.anne.id}` }, 204),
        expect: [
          { feeds: ['personalA'], events: ['meeting', ...TRACK_A], state: 'CANCELLED' },
          { feeds: ['personalB'], events: ['meeting', ...TRACK_B], state: 'CONFIRMED' },
        ],
      },
      {
        name: 'registered again on the same track',
        change: (t, w) =>
          call(t, w.a, { method: 'POST', url: `/api/v1/meetings/${w.meeting.id}/registrations`, payload: { participantId: w.anne.id, trackId: w.trackA.id } }, 201),
        expect: [{ feeds: ['personalA'], events: ['meeting', ...TRACK_A], state: 'CONFIRMED', sequence: 'higher' }],
      },
    ],
  },
  {
    name: 'a participant switches track, then back',
    date: '2099-03-29',
    steps: [
      {
        name: 'track A → track B',
        change: (t, w) => call(t, w.a, { method: 'PATCH', url: `/api/v1/registrations/${w.registration.anne.id}`, payload: { trackId: w.trackB.id } }, 200),
        expect: [
          { feeds: ['personalA'], events: ['play', 'transitions'], state: 'CANCELLED' },
          { feeds: ['personalA'], events: ['meeting', 'welcome', 'reading', 'lunch', 'sparring'], state: 'CONFIRMED' },
        ],
      },
      {
        name: 'track B → track A',
        change: (t, w) => call(t, w.a, { method: 'PATCH', url: `/api/v1/registrations/${w.registration.anne.id}`, payload: { trackId: w.trackA.id } }, 200),
        expect: [
          { feeds: ['personalA'], events: ['play', 'transitions'], state: 'CONFIRMED', sequence: 'higher' },
          { feeds: ['personalA'], events: ['reading'], state: 'CANCELLED' },
        ],
      },
    ],
  },
  {
    name: 'a track deleted',
    date: '2099-06-11',
    steps: [
      {
        name: 'DELETE track A, released',
        change: async (t, w) => {
          await call(t, w.a, { method: 'DELETE', url: `/api/v1/tracks/${w.trackA.id}?confirm=true` }, 204);
          await release(t, w);
        },
        expect: [
          { feeds: ['trackA', 'personalA', 'meetingItems'], events: ['play', 'transitions'], state: 'CANCELLED' },
          { feeds: ['themeLaering'], events: ['play'], state: 'CANCELLED' },
          { feeds: ['themeTrivsel'], events: ['transitions'], state: 'CANCELLED' },
          // The registration stays (its track is cleared): the meeting and its plenary items remain.
          { feeds: ['personalA'], events: ['meeting', 'welcome', 'lunch', 'sparring'], state: 'CONFIRMED' },
        ],
      },
    ],
  },
  {
    name: 'a meeting leaves its cluster, then joins again',
    date: '2099-10-25',
    steps: [
      {
        name: 'clusterId null',
        change: (t, w) => patchMeeting(t, w, { clusterId: null }),
        expect: [
          { feeds: ['cluster'], events: ['meeting'], state: 'CANCELLED' },
          { feeds: ['network', 'meeting', 'personalA'], events: ['meeting'], state: 'CONFIRMED' },
        ],
      },
      {
        name: 'clusterId given back',
        change: (t, w) => patchMeeting(t, w, { clusterId: w.cluster.id }),
        expect: [{ feeds: ['cluster'], events: ['meeting'], state: 'CONFIRMED', sequence: 'higher' }],
      },
    ],
  },
];

/** One expectation on one feed, event by event. */
function check(t: Test, w: World, feed: FeedKey, shown: Map<string, Shown> | undefined, before: Map<string, number> | undefined, e: Expectation) {
  if (!shown) {
    t.fail(`${feed}: the feed answers 200`);
    return;
  }
  const sequence = e.sequence ?? (e.state === 'CANCELLED' ? 'higher' : 'any');
  for (const key of e.events) {
    const uid = `${w.ids[key]}@netagenda`;
    const plan = w.planned.get(uid)!;
    const what = `${feed}: ${plan.label}`;
    const ev = shown.get(uid);
    if (!ev) {
      t.fail(`${what} is in the feed (${e.state})`);
      continue;
    }
    t.equal(ev.status, e.state, `${what}: STATUS:${e.state}`);
    t.equal(ev.summary, e.state === 'CANCELLED' ? `AFLYST: ${plan.title}` : plan.title, `${what}: SUMMARY`);
    t.equal(ev.start, instant(plan.date, plan.start), `${what}: DTSTART ${plan.date} ${plan.start} ${ZONE}`);
    t.equal(ev.end, instant(plan.date, plan.end), `${what}: DTEND ${plan.date} ${plan.end} ${ZONE}`);
    if (sequence === 'higher') {
      const last = before?.get(uid);
      if (last === undefined) t.fail(`${what}: the feed showed it before (setup)`);
      else t.ok(ev.sequence > last, `${what}: SEQUENCE ${ev.sequence} > ${last}, the last this feed showed`);
    }
  }
}

for (const c of CASES) {
  t.test(c.name, async (t) => {
    const w = await world(t, c.date);
    const seen: Seen = new Map();
    // The subscriber's first look: every event of the world where it belongs, confirmed, at its instants.
    const first = await pollAll(t, w, seen);
    for (const e of everything('CONFIRMED')) for (const f of e.feeds) check(t, w, f, first.get(f)!.events, undefined, e);
    for (const step of c.steps) {
      await t.test(step.name, async (t) => {
        const before = new Map([...seen].map(([k, v]) => [k, new Map(v)] as const));
        await step.change(t, w);
        const after = await pollAll(t, w, seen);
        for (const e of step.expect) {
          for (const f of e.feeds) check(t, w, f, after.get(f)!.events, before.get(f), e);
        }
      });
    }
  });
}

// ---------------------------------------------------------------------------------------------------

t.test('a write in one network leaves another network’s feeds byte for byte', async (t) => {
  const w = await world(t, '2099-06-11');
  const { a } = w;
  const other = 'andet-netvaerk';
  await buildNetwork(t, a, other, 'Andet netværk');
  const m = await call(t, a, { method: 'POST', url: `/api/v1/networks/${other}/meetings`, payload: { title: 'Møde i det andet netværk', date: '2099-10-25', startTime: '09:00', endTime: '15:00', status: 'announced' } }, 201);
  await call(t, a, { method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { startTime: '09:00', endTime: '10:00', title: 'Trivsel i praksis', kind: 'presentation', themes: ['trivsel'] } }, 201);
  await call(t, a, { method: 'POST', url: `/api/v1/meetings/${m.id}/releases`, payload: {} }, 201);
  const otherFeeds = [`/feeds/networks/${other}.ics`, `/feeds/meetings/${m.id}.ics?items=1`, `/feeds/networks/${other}/themes/trivsel.ics`];
  const before = new Map<string, LightMyRequestResponse>();
  for (const url of otherFeeds) {
    const res = await a.app.inject({ url });
    t.equal(res.statusCode, 200, `${url} answers`);
    before.set(url, res);
  }
  const mine = await a.app.inject({ url: w.urls.network });

  // Writes in the first network that change its feeds.
  await patchItem(t, w, 'play', { title: 'Leg, læring og trivsel', themes: ['laering', 'trivsel'] });
  await release(t, w);
  await patchMeeting(t, w, { title: 'Netværksmøde om overgange og trivsel' });
  await call(t, a, { method: 'DELETE', url: `/api/v1/registrations/${w.registration.anne.id}` }, 204);
  await patchMeeting(t, w, { clusterId: null });
  t.not((await a.app.inject({ url: w.urls.network })).headers.etag, mine.headers.etag, 'the written network’s feed changed');

  for (const url of otherFeeds) {
    const was = before.get(url)!;
    const now = await a.app.inject({ url });
    t.equal(now.statusCode, 200, `${url} answers`);
    t.equal(now.headers.etag, was.headers.etag, `${url}: same ETag`);
    t.equal(now.headers['last-modified'], was.headers['last-modified'], `${url}: same Last-Modified`);
    t.ok(now.rawPayload.equals(was.rawPayload), `${url}: same bytes`);
    const revalidated = await a.app.inject({ url, headers: { 'if-none-match': String(was.headers.etag) } });
    t.equal(revalidated.statusCode, 304, `${url}: 304 to its old ETag`);
  }
});
