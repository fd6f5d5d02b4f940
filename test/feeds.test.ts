// Calendar feeds: /feeds/networks/{slug}.ics, /feeds/meetings/{id}.ics[?items=1], /feeds/tracks/{id}.ics,
// /feeds/networks/{slug}/themes/{key}.ics. Feeds are parsed with ical.js and checked at the octet level.
import { eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import ICAL from 'ical.js';
import t, { type Test } from 'tap';
import { SEED_SLUG } from '../db/seed-data.js';
import { feedEvents, feedQueue, feedScopeEvents } from '../db/schema.js';
import { makeApp, type TestApp } from './helpers.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const NET = `/feeds/networks/${SEED_SLUG}.ics`;

interface ParsedEvent {
  uid: string;
  summary: string;
  description: string;
  location: string;
  status: string;
  sequence: number;
  start: string;
  end: string;
  tzid: string | null;
  stamp: string;
  lastModified: string;
  organizer: string;
  cn: string;
  categories: string[];
  url: string;
  props: string[];
}

/** Octet-level RFC 5545 checks, then ical.js: every event with its instants in UTC. */
function parseFeed(t: Test, res: LightMyRequestResponse) {
  t.equal(res.statusCode, 200, 'feed 200', { body: res.body.slice(0, 300) });
  t.equal(res.headers['content-type'], 'text/calendar; charset=utf-8');
  const raw = res.rawPayload;
  const text = raw.toString('utf8');
  t.ok(text.endsWith('END:VCALENDAR\r\n'), 'ends with END:VCALENDAR CRLF');
  t.notOk(/[^\r]\n/.test(text), 'no bare LF');
  const lines = text.slice(0, -2).split('\r\n');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const line of lines) {
    const octets = Buffer.byteLength(line, 'utf8');
    if (octets > 75) t.fail(`line over 75 octets: ${line}`);
    t.doesNotThrow(() => decoder.decode(Buffer.from(line, 'utf8')));
  }
  // Folds must not split a UTF-8 character: every physical line decodes on its own.
  let at = 0;
  for (let i = 0; i < raw.length - 1; i++) {
    if (raw[i] === 0x0d && raw[i + 1] === 0x0a) {
      decoder.decode(raw.subarray(at, i));
      at = i + 2;
    }
  }
  const logical = lines.reduce<string[]>((acc, l) => (l.startsWith(' ') ? ((acc[acc.length - 1] += l.slice(1)), acc) : [...acc, l]), []);
  const cal = new ICAL.Component(ICAL.parse(text));
  const tzids = new Set(cal.getAllSubcomponents('vtimezone').map((z) => String(z.getFirstPropertyValue('tzid'))));
  const events: ParsedEvent[] = cal.getAllSubcomponents('vevent').map((ve) => {
    const ev = new ICAL.Event(ve);
    const dtstart = ve.getFirstProperty('dtstart')!;
    const tzid = (dtstart.getParameter('tzid') as string | undefined) ?? null;
    if (tzid) t.ok(tzids.has(tzid), `VTIMEZONE for ${tzid}`);
    const org = ve.getFirstProperty('organizer')!;
    const cats = ve.getFirstProperty('categories');
    return {
      uid: ev.uid,
      summary: ev.summary,
      description: ev.description,
      location: ev.location,
      status: String(ve.getFirstPropertyValue('status')),
      sequence: ev.sequence,
      start: ev.startDate.toJSDate().toISOString(),
      end: ev.endDate.toJSDate().toISOString(),
      tzid,
      stamp: String(ve.getFirstPropertyValue('dtstamp')),
      lastModified: String(ve.getFirstPropertyValue('last-modified')),
      organizer: String(org.getFirstValue()),
      cn: String(org.getParameter('cn')),
      categories: cats ? (cats.getValues() as string[]) : [],
      url: String(ve.getFirstPropertyValue('url')),
      props: ve.getAllProperties().map((p) => p.name),
    };
  });
  for (const line of logical.filter((l) => l.startsWith('DTSTAMP:') || l.startsWith('LAST-MODIFIED:'))) {
    t.match(line, /:\d{8}T\d{6}Z$/, `${line} in UTC`);
  }
  // ical.js leaves X- properties undecoded: unescape those per RFC 5545 3.3.11.
  const prop = (name: string) => {
    const value = String(cal.getFirstPropertyValue(name) ?? '');
    return name.startsWith('x-') ? value.replace(/\\([\\;,nN])/g, (_, c: string) => (c.toLowerCase() === 'n' ? '\n' : c)) : value;
  };
  return { text, lines, logical, cal, events, prop, byUid: (uid: string) => events.find((e) => e.uid === uid) };
}

const feed = (a: TestApp, url: string, headers: Record<string, string> = {}) => a.app.inject({ url, headers });

async function ok(t: Test, res: Promise<LightMyRequestResponse> | LightMyRequestResponse, status = 200): Promise<Json> {
  const r = await res;
  t.equal(r.statusCode, status, `status ${status}`, { body: r.body.slice(0, 500) });
  return r.body ? r.json() : {};
}

/** The seed network's meetings of 11 Sep 2019, 16 Jan 2020 and 3 Jun 2020. */
async function seedMeetings(a: TestApp): Promise<[Json, Json, Json]> {
  const list = await ok(t, a.app.inject({ url: `/api/v1/networks/${SEED_SLUG}/meetings` }));
  return list.data;
}

/** A meeting on the seed network with two parallel tracks, plenary items, themes, a speaker and a release. */
async function planned(t: Test, a: TestApp, title = 'Temadag om trivsel') {
  const m = await ok(t, a.as({ method: 'POST', url: `/api/v1/networks/${SEED_SLUG}/meetings`, payload: { title, date: '2020-03-12', startTime: '09:00', endTime: '15:00', status: 'announced' } }), 201);
  const trackA = await ok(t, a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/tracks`, payload: { name: 'Spor A: dagtilbud', room: 'Lokale 1', sortOrder: 1 } }), 201);
  const trackB = await ok(t, a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/tracks`, payload: { name: 'Spor B: skole', sortOrder: 2 } }), 201);
  const speaker = await ok(t, a.as({ method: 'POST', url: `/api/v1/networks/${SEED_SLUG}/speakers`, payload: { name: 'Åse Ørsted', title: 'Konsulent', organisation: 'KL', email: 'aase@example.dk' } }), 201);
  const item = (payload: Json) => ok(t, a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload }), 201);
  const welcome = await item({ startTime: '09:00', endTime: '09:15', title: 'Velkomst', kind: 'welcome' });
  const workshop = await item({ trackId: trackA.id, startTime: '09:15', endTime: '12:00', title: 'Workshop om overgange', kind: 'workshop', themes: ['aktuelt', 'sparring'], speakerIds: [speaker.id], description: 'Vi arbejder i grupper.' });
  const talk = await item({ trackId: trackB.id, startTime: '09:15', endTime: '12:00', title: 'Oplæg om læsning', kind: 'presentation', themes: ['ny-viden'] });
  const lunch = await item({ startTime: '12:00', endTime: '12:45', title: 'Frokost', kind: 'lunch' });
  const sparring = await item({ startTime: '12:45', endTime: '15:00', title: 'Sparring', kind: 'peer-sparring', themes: ['sparring'] });
  await release(t, a, m.id);
  return { meeting: m, trackA, trackB, speaker, welcome, workshop, talk, lunch, sparring };
}

const release = (t: Test, a: TestApp, meetingId: string) =>
  ok(t, a.as({ method: 'POST', url: `/api/v1/meetings/${meetingId}/releases`, payload: {} }), 201);

t.test('the seed network feed: one event per meeting at the right instants, with every required property', async (t) => {
  const a = await makeApp(t, { seed: true });
  const [sep, jan, jun] = await seedMeetings(a);
  const res = await feed(a, NET);
  t.match(res.headers.etag, /^"[A-Za-z0-9_-]+"$/, 'strong ETag');
  t.ok(Date.parse(String(res.headers['last-modified'])), 'Last-Modified');
  t.equal(res.headers['cache-control'], 'public, max-age=60');
  const f = parseFeed(t, res);
  t.equal(f.events.length, 3);
  t.equal(f.prop('method'), 'PUBLISH');
  t.equal(f.prop('x-wr-calname'), 'KL’s konsulentnetværk på dagtilbuds- og folkeskoleområdet 2019-2020');
  t.match(f.prop('x-wr-caldesc'), /^KL´s konsulentnetværk for kommunale konsulenter, teamledere/);
  t.ok(f.lines.includes('REFRESH-INTERVAL;VALUE=DURATION:PT1H'));
  t.ok(f.lines.includes('X-PUBLISHED-TTL:PT1H'));
  // Calendar properties come before the first component (RFC 5545 3.6).
  t.ok(f.lines.indexOf('X-PUBLISHED-TTL:PT1H') < f.lines.indexOf('BEGIN:VTIMEZONE'));
  t.equal(f.lines.filter((l) => l === 'BEGIN:VTIMEZONE').length, 1, 'one VTIMEZONE per zone');

  const e = f.byUid(`${sep.id}@netagenda`)!;
  t.match(e, {
    summary: 'Netværksmøde 11. september 2019',
    start: '2019-09-11T08:00:00.000Z',
    end: '2019-09-11T14:00:00.000Z',
    tzid: 'Europe/Copenhagen',
    status: 'CONFIRMED',
    sequence: 0,
    location: 'Odense',
    organizer: 'mailto:mfs@kl.dk',
    cn: 'KL',
    url: `http://127.0.0.1:3000/meetings/${sep.id}`,
  });
  t.match(e.description, /Programmet er ikke offentliggjort endnu\.$/);
  t.ok(f.lines.includes('DTSTART;TZID=Europe/Copenhagen:20190911T100000'));
  t.match(f.byUid(`${jan.id}@netagenda`), { start: '2020-01-16T09:00:00.000Z', end: '2020-01-16T15:00:00.000Z' });
  t.match(f.byUid(`${jun.id}@netagenda`), { start: '2020-06-03T08:00:00.000Z' });
  for (const ev of f.events) {
    for (const p of ['uid', 'dtstamp', 'dtstart', 'dtend', 'sequence', 'last-modified', 'created', 'organizer', 'location', 'url', 'status']) {
      t.ok(ev.props.includes(p), `${ev.uid} has ${p}`);
    }
  }
  // Meeting feed alone: the same event.
  const one = parseFeed(t, await feed(a, `/feeds/meetings/${sep.id}.ics`));
  t.same(one.events.map((x) => x.uid), [`${sep.id}@netagenda`]);
  t.equal(one.prop('x-wr-calname'), 'Netværksmøde 11. september 2019');
});

t.test('wall times do not depend on the process time zone', async (t) => {
  const original = process.env.TZ;
  t.teardown(() => {
    process.env.TZ = original;
  });
  for (const zone of ['UTC', 'America/New_York', 'Asia/Tokyo']) {
    process.env.TZ = zone;
    const a = await makeApp(t, { seed: true });
    const [sep, jan] = await seedMeetings(a);
    const f = parseFeed(t, await feed(a, NET));
    t.equal(f.byUid(`${sep.id}@netagenda`)?.start, '2019-09-11T08:00:00.000Z', `Sep meeting under TZ=${zone}`);
    t.equal(f.byUid(`${jan.id}@netagenda`)?.start, '2020-01-16T09:00:00.000Z', `Jan meeting under TZ=${zone}`);
    t.ok(f.lines.includes('DTSTART;TZID=Europe/Copenhagen:20200116T100000'));
    const { workshop } = await planned(t, a);
    const items = parseFeed(t, await feed(a, `/feeds/meetings/${workshop.meetingId}.ics?items=1`));
    t.match(items.byUid(`${workshop.id}@netagenda`), { start: '2020-03-12T08:15:00.000Z', end: '2020-03-12T11:00:00.000Z' });
  }
});

t.test('a meeting with its released agenda: items, tracks, themes', async (t) => {
  const a = await makeApp(t, { seed: true });
  const p = await planned(t, a);
  const id = p.meeting.id;

  const meetingOnly = parseFeed(t, await feed(a, `/feeds/meetings/${id}.ics`));
  t.equal(meetingOnly.events.length, 1);
  t.equal(
    meetingOnly.events[0]!.description,
    [
      'Program:',
      '09:00–09:15 Velkomst',
      '09:15–12:00 [Spor A: dagtilbud, Lokale 1] Workshop om overgange',
      '09:15–12:00 [Spor B: skole] Oplæg om læsning',
      '12:00–12:45 Frokost',
      '12:45–15:00 Sparring',
    ].join('\n'),
    'agenda in time order, parallel items labelled with their track',
  );

  const withItems = parseFeed(t, await feed(a, `/feeds/meetings/${id}.ics?items=1`));
  t.equal(withItems.events.length, 6);
  t.equal(withItems.prop('x-wr-calname'), 'Temadag om trivsel – program');
  t.same(parseFeed(t, await feed(a, `/feeds/meetings/${id}.ics?items=true`)).events.length, 6);
  t.same(parseFeed(t, await feed(a, `/feeds/meetings/${id}.ics?items=0`)).events.length, 1);
  const workshop = withItems.byUid(`${p.workshop.id}@netagenda`)!;
  t.match(workshop, {
    summary: 'Workshop om overgange',
    start: '2020-03-12T08:15:00.000Z',
    end: '2020-03-12T11:00:00.000Z',
    location: 'Lokale 1, Odense',
    status: 'CONFIRMED',
    categories: ['Aktuelt på områderne', 'Gensidig sparring'],
  });
  t.equal(
    workshop.description,
    'Vi arbejder i grupper.\n\nOplægsholdere: Åse Ørsted, Konsulent, KL\nTemaer: Aktuelt på områderne, Gensidig sparring\nSpor: Spor A: dagtilbud, Lokale 1\nMøde: Temadag om trivsel',
  );
  t.notMatch(withItems.text, /aase@example\.dk/, 'speaker emails stay private');

  const trackA = parseFeed(t, await feed(a, `/feeds/tracks/${p.trackA.id}.ics`));
  t.same(
    trackA.events.map((e) => e.summary),
    ['Velkomst', 'Workshop om overgange', 'Frokost', 'Sparring'],
    'plenary items and the track’s own, in time order',
  );
  t.equal(trackA.prop('x-wr-calname'), 'Temadag om trivsel – Spor A: dagtilbud');
  const trackB = parseFeed(t, await feed(a, `/feeds/tracks/${p.trackB.id}.ics`));
  t.same(trackB.events.map((e) => e.summary), ['Velkomst', 'Oplæg om læsning', 'Frokost', 'Sparring']);

  const theme = parseFeed(t, await feed(a, `/feeds/networks/${SEED_SLUG}/themes/sparring.ics`));
  t.same(theme.events.map((e) => e.summary), ['Workshop om overgange', 'Sparring']);
  t.equal(theme.prop('x-wr-calname'), 'KL’s konsulentnetværk på dagtilbuds- og folkeskoleområdet 2019-2020 – Gensidig sparring');
  t.equal(theme.prop('x-wr-caldesc'), 'Gensidig sparring på konkrete kommunale opgaver.');
  const empty = parseFeed(t, await feed(a, `/feeds/networks/${SEED_SLUG}/themes/lovgivning.ics`));
  t.equal(empty.events.length, 0, 'a theme with no released items is an empty feed');

  // The network feed has meetings only.
  const net = parseFeed(t, await feed(a, NET));
  t.equal(net.events.length, 4);
  t.notOk(net.byUid(`${p.workshop.id}@netagenda`));

  // Unreleased edits are not published.
  await ok(t, a.as({ method: 'PATCH', url: `/api/v1/items/${p.workshop.id}`, payload: { title: 'Kladde' } }));
  await ok(t, a.as({ method: 'POST', url: `/api/v1/meetings/${id}/tracks`, payload: { name: 'Spor C' } }), 201);
  const after = parseFeed(t, await feed(a, `/feeds/meetings/${id}.ics?items=1`));
  t.equal(after.byUid(`${p.workshop.id}@netagenda`)?.summary, 'Workshop om overgange', 'drafts never reach feeds');
  t.equal(after.text, withItems.text, 'body unchanged');
});

t.test('SEQUENCE rises on visible changes, not on a no-op save', async (t) => {
  const a = await makeApp(t, { seed: true });
  const [sep] = await seedMeetings(a);
  const uid = `${sep.id}@netagenda`;
  const first = await feed(a, NET);
  const before = parseFeed(t, first).byUid(uid)!;
  t.equal(before.sequence, 0);

  // A no-op PATCH (same values) changes nothing a subscriber sees.
  await ok(t, a.as({ method: 'PATCH', url: `/api/v1/meetings/${sep.id}`, payload: { title: sep.title, startTime: '10:00' } }));
  const same = await feed(a, NET);
  t.equal(same.headers.etag, first.headers.etag, 'same ETag');
  t.equal(same.headers['last-modified'], first.headers['last-modified'], 'same Last-Modified');
  t.equal(same.body, first.body);

  await new Promise((r) => setTimeout(r, 5));
  await ok(t, a.as({ method: 'PATCH', url: `/api/v1/meetings/${sep.id}`, payload: { startTime: '11:00' } }));
  const moved = await feed(a, NET);
  t.not(moved.headers.etag, first.headers.etag, 'new ETag');
  const m = parseFeed(t, moved).byUid(uid)!;
  t.equal(m.sequence, 1);
  t.equal(m.start, '2019-09-11T09:00:00.000Z');
  t.ok(m.lastModified >= before.lastModified, 'LAST-MODIFIED moves (seconds precision)');
  t.equal(m.stamp, m.lastModified, 'DTSTAMP is the last change, so bodies are stable between polls');

  for (const [payload, check] of [
    [{ title: 'Netværksmøde, flyttet' }, (e: ParsedEvent) => e.summary === 'Netværksmøde, flyttet'],
    [{ description: 'Ny beskrivelse' }, (e: ParsedEvent) => e.description.startsWith('Ny beskrivelse')],
    [{ date: '2019-09-12' }, (e: ParsedEvent) => e.start === '2019-09-12T09:00:00.000Z'],
  ] as const) {
    await ok(t, a.as({ method: 'PATCH', url: `/api/v1/meetings/${sep.id}`, payload }));
    const e = parseFeed(t, await feed(a, NET)).byUid(uid)!;
    t.ok(check(e), `shows ${JSON.stringify(payload)}`);
  }
  t.equal(parseFeed(t, await feed(a, NET)).byUid(uid)!.sequence, 4);

  // Place: a venue with a full address and coordinates.
  const venue = await ok(t, a.as({ method: 'POST', url: `/api/v1/networks/${SEED_SLUG}/venues`, payload: { name: 'Odense Congress Center', streetAddress: 'Ørbækvej 350', postalCode: '5220', city: 'Odense SØ', latitude: 55.3836, longitude: 10.4266 } }), 201);
  await ok(t, a.as({ method: 'PATCH', url: `/api/v1/meetings/${sep.id}`, payload: { venueId: venue.id } }));
  const placed = parseFeed(t, await feed(a, NET));
  t.match(placed.byUid(uid), { sequence: 5, location: 'Odense Congress Center, Ørbækvej 350, 5220 Odense SØ' });
  const geo = placed.logical.find((l) => l.startsWith('GEO:'));
  t.equal(geo, 'GEO:55.3836;10.4266');
  // The other meetings did not change.
  t.same(placed.events.filter((e) => e.uid !== uid).map((e) => e.sequence), [0, 0]);
});

t.test('cancelled and removed events stay as STATUS:CANCELLED with the same UID', async (t) => {
  const a = await makeApp(t, { seed: true });
  const [sep, jan, jun] = await seedMeetings(a);
  const p = await planned(t, a);
  const uid = (id: string) => `${id}@netagenda`;
  const meetingFeed = `/feeds/meetings/${p.meeting.id}.ics?items=1`;
  parseFeed(t, await feed(a, NET));
  parseFeed(t, await feed(a, meetingFeed));

  // An item removed in a new release.
  await ok(t, a.as({ method: 'DELETE', url: `/api/v1/items/${p.talk.id}` }), 204);
  const trackBFeed = `/feeds/tracks/${p.trackB.id}.ics`;
  t.equal(parseFeed(t, await feed(a, trackBFeed)).byUid(uid(p.talk.id))?.status, 'CONFIRMED', 'still published until released');
  await release(t, a, p.meeting.id);
  const afterRelease = parseFeed(t, await feed(a, meetingFeed));
  t.match(afterRelease.byUid(uid(p.talk.id)), { status: 'CANCELLED', summary: 'AFLYST: Oplæg om læsning', sequence: 1 });
  // Published on write: announced without a programme (0), release 1 (1), this release (2).
  t.match(afterRelease.byUid(uid(p.meeting.id)), { status: 'CONFIRMED', sequence: 2 }, 'the agenda text changed');
  t.notMatch(afterRelease.byUid(uid(p.meeting.id))!.description, /Oplæg om læsning/);
  t.match(parseFeed(t, await feed(a, trackBFeed)).byUid(uid(p.talk.id)), { status: 'CANCELLED' });
  t.match(parseFeed(t, await feed(a, `/feeds/networks/${SEED_SLUG}/themes/ny-viden.ics`)).byUid(uid(p.talk.id)), { status: 'CANCELLED' });

  // A cancelled meeting: the meeting and its items.
  await ok(t, a.as({ method: 'PATCH', url: `/api/v1/meetings/${p.meeting.id}`, payload: { status: 'cancelled' } }));
  const cancelled = parseFeed(t, await feed(a, meetingFeed));
  t.match(cancelled.byUid(uid(p.meeting.id)), { status: 'CANCELLED', summary: 'AFLYST: Temadag om trivsel', sequence: 3 });
  t.match(cancelled.byUid(uid(p.workshop.id)), { status: 'CANCELLED', summary: 'AFLYST: Workshop om overgange', sequence: 1 });
  t.match(cancelled.byUid(uid(p.talk.id)), { status: 'CANCELLED', sequence: 1 }, 'already cancelled: unchanged');
  t.match(parseFeed(t, await feed(a, NET)).byUid(uid(p.meeting.id)), { status: 'CANCELLED' });
  // Back on: same UIDs, higher SEQUENCE.
  await ok(t, a.as({ method: 'PATCH', url: `/api/v1/meetings/${p.meeting.id}`, payload: { status: 'announced' } }));
  const back = parseFeed(t, await feed(a, meetingFeed));
  t.match(back.byUid(uid(p.meeting.id)), { status: 'CONFIRMED', summary: 'Temadag om trivsel', sequence: 4 });
  t.match(back.byUid(uid(p.workshop.id)), { status: 'CONFIRMED', sequence: 2 });

  // Deleted meeting: still announced as cancelled, in the network feed and in its own feeds.
  await ok(t, a.as({ method: 'DELETE', url: `/api/v1/meetings/${sep.id}?confirm=true` }), 204);
  const net = parseFeed(t, await feed(a, NET));
  t.match(net.byUid(uid(sep.id)), { status: 'CANCELLED', summary: 'AFLYST: Netværksmøde 11. september 2019', sequence: 1 });
  t.match(parseFeed(t, await feed(a, `/feeds/meetings/${sep.id}.ics`)).byUid(uid(sep.id)), { status: 'CANCELLED' });

  // Deleted meeting with released items: the items go with it; its track feed stays readable.
  await ok(t, a.as({ method: 'DELETE', url: `/api/v1/meetings/${p.meeting.id}?confirm=true` }), 204);
  const gone = parseFeed(t, await feed(a, `/feeds/tracks/${p.trackA.id}.ics`));
  t.ok(gone.events.length === 4 && gone.events.every((e) => e.status === 'CANCELLED'), 'track feed: all cancelled');
  t.equal(gone.prop('x-wr-calname'), 'Temadag om trivsel – Spor A: dagtilbud');
  t.match(parseFeed(t, await feed(a, `/feeds/tracks/${p.trackB.id}.ics`)).byUid(uid(p.talk.id)), { status: 'CANCELLED' });

  // Back to draft: gone from public view, so cancelled in the feed.
  await ok(t, a.as({ method: 'PATCH', url: `/api/v1/meetings/${jan.id}`, payload: { status: 'draft' } }));
  t.match(parseFeed(t, await feed(a, NET)).byUid(uid(jan.id)), { status: 'CANCELLED', summary: 'AFLYST: Netværksmøde 16. januar 2020' });
  // An announced meeting stays as it was.
  t.match(parseFeed(t, await feed(a, NET)).byUid(uid(jun.id)), { status: 'CONFIRMED', sequence: 0 });

  // 30 days after the last change a cancelled event leaves the feeds.
  const before = await feed(a, NET);
  const old = new Date(Date.now() - 31 * 24 * 3600 * 1000).toISOString();
  a.app.db.update(feedEvents).set({ lastModified: old, cancelledAt: old }).where(eq(feedEvents.uid, uid(sep.id))).run();
  a.app.db.update(feedScopeEvents).set({ changedAt: old }).where(eq(feedScopeEvents.uid, uid(sep.id))).run();
  // The publisher rebuilds feeds whose cancellations ran out (once a minute); here: now.
  a.app.db.insert(feedQueue).values([{ kind: 'body', key: `network:${SEED_SLUG}` }, { kind: 'body', key: `meeting:${sep.id}` }]).run();
  a.app.feeds.publisher.drain();
  const later = await feed(a, NET);
  const pruned = parseFeed(t, later);
  t.notOk(pruned.byUid(uid(sep.id)), 'dropped after 30 days');
  t.ok(pruned.byUid(uid(jan.id)), 'recent cancellations stay');
  t.not(later.headers.etag, before.headers.etag);
  // Its meeting feed is then empty, but still answers (the meeting was public once).
  t.equal(parseFeed(t, await feed(a, `/feeds/meetings/${sep.id}.ics`)).events.length, 0);
});

t.test('conditional requests, HEAD and caching headers', async (t) => {
  const a = await makeApp(t, { seed: true });
  const first = await feed(a, NET);
  const etag = String(first.headers.etag);
  const lastModified = String(first.headers['last-modified']);

  for (const inm of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
    const r = await feed(a, NET, { 'if-none-match': inm });
    t.equal(r.statusCode, 304, `If-None-Match: ${inm}`);
    t.equal(r.body, '');
    t.equal(r.headers.etag, etag);
    t.equal(r.headers['cache-control'], 'public, max-age=60');
    t.equal(r.headers['last-modified'], lastModified);
  }
  t.equal((await feed(a, NET, { 'if-none-match': '"other"' })).statusCode, 200);
  // If-None-Match wins over If-Modified-Since.
  t.equal((await feed(a, NET, { 'if-none-match': '"other"', 'if-modified-since': lastModified })).statusCode, 200);

  t.equal((await feed(a, NET, { 'if-modified-since': lastModified })).statusCode, 304, 'IMS = Last-Modified');
  const later = new Date(Date.parse(lastModified) + 3600_000).toUTCString();
  t.equal((await feed(a, NET, { 'if-modified-since': later })).statusCode, 304);
  const earlier = new Date(Date.parse(lastModified) - 1000).toUTCString();
  t.equal((await feed(a, NET, { 'if-modified-since': earlier })).statusCode, 200, 'IMS before Last-Modified');
  t.equal((await feed(a, NET, { 'if-modified-since': 'Thu, 01 Jan 1970 00:00:00 GMT' })).statusCode, 200);
  t.equal((await feed(a, NET, { 'if-modified-since': 'garbage' })).statusCode, 200);

  const head = await a.app.inject({ method: 'HEAD', url: NET });
  t.equal(head.statusCode, 200);
  t.equal(head.body, '');
  t.equal(head.headers['content-type'], 'text/calendar; charset=utf-8');
  t.equal(head.headers['content-length'], String(first.rawPayload.length));
  t.equal(head.headers.etag, etag);
  const head304 = await a.app.inject({ method: 'HEAD', url: NET, headers: { 'if-none-match': etag } });
  t.equal(head304.statusCode, 304);

  // After a change the old validators no longer match.
  const [sep] = await seedMeetings(a);
  await ok(t, a.as({ method: 'PATCH', url: `/api/v1/meetings/${sep.id}`, payload: { title: 'Nyt navn' } }));
  const changed = await feed(a, NET, { 'if-none-match': etag });
  t.equal(changed.statusCode, 200);
  t.not(changed.headers.etag, etag);
  t.match(changed.body, /SUMMARY:Nyt navn/);
  t.ok(Date.parse(String(changed.headers['last-modified'])) >= Date.parse(lastModified));
});

t.test('every kind of edit reaches the feeds that show it', async (t) => {
  const a = await makeApp(t, { seed: true });
  const p = await planned(t, a);
  const urls = {
    network: NET,
    meeting: `/feeds/meetings/${p.meeting.id}.ics?items=1`,
    trackA: `/feeds/tracks/${p.trackA.id}.ics`,
    theme: `/feeds/networks/${SEED_SLUG}/themes/aktuelt.ics`,
  };
  type Key = keyof typeof urls;
  const etags: Record<string, string> = {};
  const snapshot = async () => {
    for (const [k, url] of Object.entries(urls)) etags[k] = String((await feed(a, url)).headers.etag);
  };
  /** Polls every feed; those in `changed` must have a new ETag, the others the old one. */
  const expect = async (what: string, changed: Key[]) => {
    for (const [k, url] of Object.entries(urls) as [Key, string][]) {
      const r = await feed(a, url, { 'if-none-match': etags[k]! });
      t.equal(r.statusCode, changed.includes(k) ? 200 : 304, `${what}: ${k} ${changed.includes(k) ? 'changed' : 'unchanged'}`);
    }
    await snapshot();
  };
  await snapshot();

  await ok(t, a.as({ method: 'PATCH', url: `/api/v1/meetings/${p.meeting.id}`, payload: { title: 'Temadag om trivsel og læring' } }));
  await expect('meeting title', ['network', 'meeting', 'trackA', 'theme']);
  t.equal(parseFeed(t, await feed(a, urls.trackA)).prop('x-wr-calname'), 'Temadag om trivsel og læring – Spor A: dagtilbud');

  const venueId = p.meeting.venueId as string;
  await ok(t, a.as({ method: 'PATCH', url: `/api/v1/venues/${venueId}`, payload: { streetAddress: 'Slotsgade 1', postalCode: '5000' } }));
  await expect('venue address', ['network', 'meeting', 'trackA', 'theme']);
  t.equal(parseFeed(t, await feed(a, NET)).events[0]!.location, 'Odense, Slotsgade 1, 5000 Odense');

  await ok(t, a.as({ method: 'PATCH', url: `/api/v1/networks/${SEED_SLUG}/themes/aktuelt`, payload: { name: 'Aktuelt nu' } }));
  await expect('theme name', ['theme']);
  t.match(parseFeed(t, await feed(a, urls.theme)).prop('x-wr-calname'), / – Aktuelt nu$/);

  await ok(t, a.as({ method: 'PATCH', url: `/api/v1/tracks/${p.trackA.id}`, payload: { name: 'Spor A: 0-6 år', room: 'Sal 2' } }));
  await expect('track edit, unreleased', []);
  await release(t, a, p.meeting.id);
  // The network feed shows the meeting, whose agenda text names the tracks.
  await expect('track edit, released', ['network', 'meeting', 'trackA', 'theme']);
  const trackFeed = parseFeed(t, await feed(a, urls.trackA));
  t.equal(trackFeed.prop('x-wr-calname'), 'Temadag om trivsel og læring – Spor A: 0-6 år');
  t.equal(trackFeed.byUid(`${p.workshop.id}@netagenda`)?.location, 'Sal 2, Odense, Slotsgade 1, 5000 Odense');

  await ok(t, a.as({ method: 'PATCH', url: `/api/v1/items/${p.workshop.id}`, payload: { startTime: '09:30', title: 'Workshop om overgange i praksis' } }));
  await expect('item edit, unreleased', []);
  await release(t, a, p.meeting.id);
  await expect('item edit, released', ['network', 'meeting', 'trackA', 'theme']);
  t.match(parseFeed(t, await feed(a, urls.theme)).events[0], { summary: 'Workshop om overgange i praksis', start: '2020-03-12T08:30:00.000Z' });

  await ok(t, a.as({ method: 'PATCH', url: `/api/v1/speakers/${p.speaker.id}`, payload: { name: 'Åse Ørsted-Hansen' } }));
  await release(t, a, p.meeting.id);
  await expect('speaker name, released', ['meeting', 'trackA', 'theme']);
  t.match(parseFeed(t, await feed(a, urls.theme)).events[0]!.description, /Oplægsholdere: Åse Ørsted-Hansen, Konsulent, KL/);

  await ok(t, a.as({ method: 'PATCH', url: `/api/v1/networks/${SEED_SLUG}`, payload: { name: 'KL-netværket', organiser: { name: 'KL Børn og Unge', email: null } } }));
  await expect('network name and organiser', ['network', 'meeting', 'trackA', 'theme']);
  const net = parseFeed(t, await feed(a, NET));
  t.equal(net.prop('x-wr-calname'), 'KL-netværket');
  t.match(net.events[0], { cn: 'KL Børn og Unge', organizer: 'mailto:noreply@netagenda.invalid' });

  // A new theme on an item only shows in that theme's feed once released.
  await ok(t, a.as({ method: 'PATCH', url: `/api/v1/items/${p.sparring.id}`, payload: { themes: ['aktuelt'] } }));
  await expect('item themes, unreleased', []);
  await release(t, a, p.meeting.id);
  await expect('item themes, released', ['meeting', 'trackA', 'theme']);
  t.same(parseFeed(t, await feed(a, urls.theme)).events.map((e) => e.summary), ['Workshop om overgange i praksis', 'Sparring']);
});

t.test('unknown networks, meetings, tracks and themes are 404 problems', async (t) => {
  const a = await makeApp(t, { seed: true });
  const draft = await ok(t, a.as({ method: 'POST', url: `/api/v1/networks/${SEED_SLUG}/meetings`, payload: { title: 'Kladde', date: '2020-02-02', startTime: '10:00' } }), 201);
  const draftTrack = await ok(t, a.as({ method: 'POST', url: `/api/v1/meetings/${draft.id}/tracks`, payload: { name: 'Spor' } }), 201);
  const [sep] = await seedMeetings(a);
  const unreleased = await ok(t, a.as({ method: 'POST', url: `/api/v1/meetings/${sep.id}/tracks`, payload: { name: 'Spor' } }), 201);
  const cases: [string, string][] = [
    ['/feeds/networks/nope.ics', "Network 'nope' does not exist"],
    ['/feeds/networks/.ics', "Network '' does not exist"],
    ['/feeds/meetings/mtg_nope.ics', "Meeting 'mtg_nope' does not exist"],
    [`/feeds/meetings/${draft.id}.ics`, `Meeting '${draft.id}' does not exist`],
    [`/feeds/meetings/${draft.id}.ics?items=1`, `Meeting '${draft.id}' does not exist`],
    ['/feeds/tracks/trk_nope.ics', "Track 'trk_nope' does not exist"],
    [`/feeds/tracks/${draftTrack.id}.ics`, `Track '${draftTrack.id}' does not exist`],
    [`/feeds/tracks/${unreleased.id}.ics`, `Track '${unreleased.id}' does not exist`],
    [`/feeds/networks/${SEED_SLUG}/themes/nope.ics`, `Theme '${SEED_SLUG}/nope' does not exist`],
    ['/feeds/networks/nope/themes/aktuelt.ics', "Theme 'nope/aktuelt' does not exist"],
  ];
  for (const [url, detail] of cases) {
    const r = await feed(a, url);
    t.equal(r.statusCode, 404, url);
    t.match(r.headers['content-type'], /^application\/problem\+json/);
    t.match(r.json(), { code: 'not-found', status: 404, detail });
    t.equal((await a.app.inject({ method: 'HEAD', url })).statusCode, 404, `HEAD ${url}`);
  }
  const route = await feed(a, `/feeds/networks/${SEED_SLUG}`);
  t.match(route.json(), { status: 404, code: 'route-not-found' });
  const bad = await feed(a, `/feeds/meetings/${sep.id}.ics?items=maybe`);
  t.match(bad.json(), { status: 400, code: 'validation-failed' });
  // Extra query parameters (cache busters) are ignored.
  t.equal((await feed(a, `${NET}?t=123`)).statusCode, 200);
  // The feed links the API hands out work.
  const network = await ok(t, a.app.inject({ url: `/api/v1/networks/${SEED_SLUG}` }));
  t.equal(network.feeds.meetings.https, `http://127.0.0.1:3000${NET}`);
  t.equal((await feed(a, new URL(network.feeds.meetings.https).pathname)).statusCode, 200);
  const meetingLinks = sep.feeds as Json;
  const withItems = new URL(meetingLinks.meetingWithItems.https);
  t.equal((await feed(a, withItems.pathname + withItems.search)).statusCode, 200);
});

t.test('user text cannot break out of its property', async (t) => {
  const a = await makeApp(t, { seed: true });
  const evil = (label: string) => `${label}; "citat", C:\\sti\\ æøå 🎉\r\nBEGIN:VEVENT\r\nX-INJ:1\nUID:evil\rDTSTART:19700101T000000Z`;
  const normalised = (s: string) => s.replace(/\r\n?/g, '\n');
  const long = `${'Lang tekst med æøå og emoji 🎉 og kombinerende tegn e\u0301 '.repeat(8)}slut`;

  const venue = await ok(t, a.as({ method: 'POST', url: `/api/v1/networks/${SEED_SLUG}/venues`, payload: { name: evil('Sted'), streetAddress: 'Gade 1, 2. sal; th.', city: 'Århus' } }), 201);
  await ok(t, a.as({ method: 'PATCH', url: `/api/v1/networks/${SEED_SLUG}`, payload: { name: evil('Netværk'), description: evil('Om'), organiser: { name: 'KL "Kommunernes" \\ Landsforening\r\nX-INJ:1', email: 'kl@kl.dk' } } }));
  await ok(t, a.as({ method: 'PATCH', url: `/api/v1/networks/${SEED_SLUG}/themes/aktuelt`, payload: { name: evil('Tema'), description: evil('Temabeskrivelse') } }));
  const m = await ok(t, a.as({ method: 'POST', url: `/api/v1/networks/${SEED_SLUG}/meetings`, payload: { title: evil('Møde'), description: `${evil('Beskrivelse')}\n${long}`, date: '2020-03-12', startTime: '09:00', endTime: '15:00', status: 'announced', venueId: venue.id } }), 201);
  const track = await ok(t, a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/tracks`, payload: { name: evil('Spor'), room: evil('Lokale') } }), 201);
  const speaker = await ok(t, a.as({ method: 'POST', url: `/api/v1/networks/${SEED_SLUG}/speakers`, payload: { name: evil('Taler'), organisation: 'A, B; C' } }), 201);
  const item = await ok(t, a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { trackId: track.id, startTime: '09:00', endTime: '10:00', title: evil('Punkt'), description: long, kind: 'presentation', themes: ['aktuelt'], speakerIds: [speaker.id] } }), 201);
  await release(t, a, m.id);

  for (const url of [NET, `/feeds/meetings/${m.id}.ics?items=1`, `/feeds/tracks/${track.id}.ics`, `/feeds/networks/${SEED_SLUG}/themes/aktuelt.ics`]) {
    const f = parseFeed(t, await feed(a, url));
    t.notOk(f.lines.some((l) => /^(X-INJ|UID:evil|DTSTART:19700101T000000Z)/.test(l)), `${url}: no injected line`);
    t.notOk(f.logical.some((l) => /^(X-INJ|UID:evil|DTSTART:19700101T000000Z)/.test(l)), `${url}: no injected property`);
    t.equal(f.lines.filter((l) => l === 'BEGIN:VEVENT').length, f.events.length, 'only our events');
    t.notOk(f.events.some((e) => e.uid === 'evil' || e.props.includes('x-inj')));
    t.equal(f.cal.getAllProperties('x-inj').length, 0);
    if (url === NET) {
      t.equal(f.prop('x-wr-calname'), normalised(evil('Netværk')), 'calendar name round-trips');
      t.equal(f.prop('x-wr-caldesc'), normalised(evil('Om')), 'calendar description round-trips');
      const e = f.byUid(`${m.id}@netagenda`)!;
      t.equal(e.summary, normalised(evil('Møde')), 'summary round-trips');
      t.equal(e.location, normalised(`${evil('Sted')}, Gade 1, 2. sal; th., Århus`), 'location round-trips');
      t.ok(e.description.startsWith(normalised(`${evil('Beskrivelse')}\n${long}`)), 'description round-trips');
      t.equal(e.cn, 'KL Kommunernes  Landsforening X-INJ:1', 'quotes and breaks cannot leave the CN parameter');
      t.equal(e.organizer, 'mailto:kl@kl.dk');
    }
    if (url.includes('items=1')) {
      const e = f.byUid(`${item.id}@netagenda`)!;
      t.equal(e.summary, normalised(evil('Punkt')));
      t.equal(e.location, normalised(`${evil('Lokale')}, ${evil('Sted')}, Gade 1, 2. sal; th., Århus`));
      t.same(e.categories, [normalised(evil('Tema'))], 'a category with commas stays one category');
      t.match(e.description, `Oplægsholdere: ${normalised(evil('Taler'))}, A, B; C`);
    }
    if (url.includes('/themes/')) t.match(f.prop('x-wr-calname'), normalised(evil('Tema')));
  }
});
