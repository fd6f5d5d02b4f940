// Exchange formats (issue 13): the c3voc schedule (JSON against the format's JSON Schema, XML against its
// XSD) per meeting and per network, the Atom feed of a network's releases, and the registrations CSV.
// The fixture has Danish text, two tracks (one with a room), a plenary item in the venue's room, a speaker,
// a theme, a draft meeting and an unreleased change: neither of the last two may appear anywhere.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { parse as parseCsv } from 'csv-parse/sync';
import { XMLParser } from 'fast-xml-parser';
import t from 'tap';
import { validateXML } from 'xmllint-wasm';
import { eq } from 'drizzle-orm';
import { releases as releasesTable, tokenNetworks } from '../db/schema.js';
import { createToken } from '../server/auth/tokens.js';
import type { Config } from '../server/config.js';
import { acronymOf, asciiSlug, hhmm, idOfGuid, roomOf, scheduleOf } from '../server/exchange/c3voc-schedule.js';
import { CSV_HEADER, guardFormula } from '../server/exchange/registrations-csv.js';
import { stableUuid } from '../server/exchange/stable-uuid.js';
import { eventUid } from '../server/feeds/feed-content.js';
import { changelogLines, releaseEntryId } from '../server/feeds/releases-atom.js';
import { diffSnapshots } from '../server/releases/release-diff.js';
import type { Snapshot } from '../server/releases/snapshot.js';
import { futureDate, makeApp, problem, type TestApp } from './helpers.js';

t.setTimeout(180_000);
const SLUG = 'kl-konsulentnetvaerk-2019-2020';
// The schemas as copied into ../shared (README there: unchanged from voc/schedule).
const dir = new URL('../../shared/schemas/c3voc-schedule/', import.meta.url).pathname;

// The c3voc JSON Schema is draft-06 (Ajv's default class handles draft-06 with its meta-schema added). It
// uses the non-standard format `color` and the annotation keywords `$oneOf`, `$todo`, `deprecated`.
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addMetaSchema(JSON.parse(readFileSync(new URL('../node_modules/ajv/dist/refs/json-schema-draft-06.json', import.meta.url), 'utf8')));
addFormats.default(ajv);
ajv.addFormat('color', /^#[0-9a-fA-F]{6}$/);
const validateSchedule = ajv.compile(JSON.parse(readFileSync(`${dir}schema.json`, 'utf8')));
const xsd = readFileSync(`${dir}schedule.xml.xsd`, 'utf8');

async function xsdErrors(xml: string): Promise<string[]> {
  const result = await validateXML({ xml: [{ fileName: 'schedule.xml', contents: xml }], schema: [xsd] });
  return result.errors.map((e) => e.message);
}

const LISTS = new Set(['schedule.day', 'schedule.day.room', 'schedule.day.room.event', 'schedule.day.room.event.persons.person', 'feed.entry', 'feed.entry.content.div.ul.li']);
const xmlParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (_name, jpath) => LISTS.has(String(jpath)) });

interface Fixture {
  ctx: TestApp;
  meetingId: string;
  venueName: string;
  plenary: { id: string };
  dagtilbud: { id: string };
  skole: { id: string };
  oplaeg: { id: string };
  sparring: { id: string };
  unreleased: { id: string };
  draftMeetingId: string;
  speakerId: string;
}

async function fixture(t: { teardown: (fn: () => unknown) => void }, config: Partial<Config> = {}): Promise<Fixture> {
  const ctx = await makeApp(t, { seed: true, ...config });
  const { as } = ctx;
  const post = async (url: string, payload: Record<string, unknown>) => {
    const res = await as({ method: 'POST', url, payload });
    if (res.statusCode !== 201) throw new Error(`${url}: ${res.body}`);
    return res.json();
  };
  const m = (await as({ url: `/api/v1/networks/${SLUG}/meetings` })).json().data[0];
  const speaker = await post(`/api/v1/networks/${SLUG}/speakers`, { name: 'Søren Ærø-Åberg', title: 'Chefkonsulent', organisation: 'Børne- og Ungeforvaltningen' });
  const dagtilbud = await post(`/api/v1/meetings/${m.id}/tracks`, { name: 'Dagtilbud', room: 'Lokale 1.12 (Æblehaven)' });
  const skole = await post(`/api/v1/meetings/${m.id}/tracks`, { name: 'Skole og fritid', sortOrder: 1 });
  const item = (payload: Record<string, unknown>) => post(`/api/v1/meetings/${m.id}/items`, payload);
  const plenary = await item({ title: 'Velkomst og nyt fra KL', kind: 'welcome', startTime: '10:00', endTime: '10:30', description: 'Dagens program gennemgås.', speakerIds: [speaker.id] });
  const oplaeg = await item({ title: 'Oplæg om trivsel i dagplejen', kind: 'presentation', startTime: '10:30', endTime: '12:00', trackId: dagtilbud.id, themes: ['ny-viden'] });
  const sparring = await item({ title: 'Sparring på tværs af skoler', kind: 'peer-sparring', startTime: '10:30', endTime: '12:00', trackId: skole.id });
  await post(`/api/v1/meetings/${m.id}/releases`, { note: 'Første udgave – med æ, ø og å' });
  // Unreleased changes: a new item and a retitled one. The public formats show release 1 only.
  const unreleased = await item({ title: 'Hemmeligt udkast', kind: 'discussion', startTime: '13:00', endTime: '14:00' });
  const patched = await as({ method: 'PATCH', url: `/api/v1/items/${oplaeg.id}`, payload: { title: 'Ikke udgivet titel' } });
  if (patched.statusCode !== 200) throw new Error(patched.body);
  // A draft meeting with a released agenda: never shown.
  const draft = await post(`/api/v1/networks/${SLUG}/meetings`, { title: 'Kladdemøde', date: futureDate(), startTime: '09:00', endTime: '15:00' });
  await post(`/api/v1/meetings/${draft.id}/items`, { title: 'Kladdepunkt', kind: 'presentation', startTime: '09:00', endTime: '10:00' });
  await post(`/api/v1/meetings/${draft.id}/releases`, { note: 'Kladdeudgave' });
  return {
    ctx,
    meetingId: m.id,
    venueName: m.venue.name,
    plenary,
    dagtilbud,
    skole,
    oplaeg,
    sparring,
    unreleased,
    draftMeetingId: draft.id,
    speakerId: speaker.id,
  };
}

type Event = Record<string, unknown> & { guid: string; title: string; room: string; track: string };
const eventsOf = (schedule: { schedule: { conference: { days: { rooms: Record<string, Event[]> }[] } } }): Event[] =>
  schedule.schedule.conference.days.flatMap((d) => Object.values(d.rooms).flat());

t.test('pure parts: slugs, acronyms, durations, rooms, ids, formula guard, changelog lines', async (t) => {
  t.equal(asciiSlug('Oplæg om trivsel på Ærø – 2. del'), 'oplaeg-om-trivsel-paa-aeroe-2-del');
  t.equal(asciiSlug('Café Ünïcødé'), 'cafe-unicoede', 'accents dropped, ø written out');
  t.equal(asciiSlug('!!!'), '');
  t.equal(acronymOf('kl-konsulentnetvaerk-2019-2020'), 'kl_konsulentnetvaerk_2019_2020');
  t.equal(acronymOf('ab'), 'ab__', 'padded to the four characters both schemas want');
  t.match(acronymOf('Å-ø'), /^[a-z0-9_]{4,}$/);
  t.equal(hhmm(90), '01:30');
  t.equal(hhmm(5), '00:05');
  const track = { id: 't', name: 'Dagtilbud', description: '', audience: '', room: null, sortOrder: 0 };
  t.equal(roomOf(track, 'Odense'), 'Dagtilbud', 'a track without a room: its name');
  t.equal(roomOf({ ...track, room: 'Lokale 2' }, 'Odense'), 'Lokale 2');
  t.equal(roomOf(undefined, 'Odense'), 'Odense', 'plenary: the venue');
  t.equal(roomOf(undefined, null), 'Plenum', 'plenary without a venue');
  const guid = stableUuid('x@netagenda');
  t.equal(stableUuid('x@netagenda'), guid, 'UUIDv5: the same name, the same UUID');
  t.match(guid, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.ok(idOfGuid(guid) >= 1 && idOfGuid(guid) <= 0x7fffffff, 'a positive 31-bit id');
  t.equal(idOfGuid('00000000-0000-5000-8000-000000000000'), 1);
  t.equal(idOfGuid('ffffffff-0000-5000-8000-000000000000'), 2, 'wraps below 2^31');
  for (const cell of ['=SUM(A1)', '+45 12345678', '-1', '@cmd', '\t=1', '\r=1']) t.equal(guardFormula(cell), `'${cell}`, cell);
  for (const cell of ['Søren', '', '1+1', 'a=b']) t.equal(guardFormula(cell), cell, cell);
  t.throws(() => scheduleOf({ title: 'x', acronym: 'xxxx', description: '', url: 'http://x' }, [], 'http://x'), /at least one meeting/);

  const base: Snapshot = {
    meeting: { title: 'Møde', date: '2030-01-10', startTime: '10:00', endTime: '15:00', timeZone: 'Europe/Copenhagen', status: 'announced', description: '', venue: null },
    tracks: [track],
    items: [{ id: 'i1', trackId: 't', startTime: '10:00', endTime: '11:00', title: 'Oplæg', kind: 'presentation', description: '', themes: [], speakers: [] }],
  };
  const next: Snapshot = {
    ...base,
    meeting: { ...base.meeting, startTime: '09:30', description: 'Ny', status: 'cancelled' },
    tracks: [{ ...track, room: 'Sal A' }],
    items: [
      { ...base.items[0]!, trackId: null, startTime: '11:00', endTime: '12:00', title: 'Oplæg om æbler' },
      { ...base.items[0]!, id: 'i2', title: 'Nyt punkt', startTime: '13:00', endTime: '14:00' },
    ],
  };
  const lines = changelogLines(diffSnapshots(base, next), next.tracks);
  t.same(lines, [
    'Starter nu kl. 09:30',
    'Mødet er aflyst',
    'Mødets beskrivelse er ændret',
    'Sporet «Dagtilbud» er ændret (room)',
    'Nyt: «Nyt punkt» kl. 13:00–14:00, Dagtilbud',
    'Flyttet: «Oplæg om æbler» fra kl. 10:00–11:00 til kl. 11:00–12:00, nu i Fælles program',
    '«Oplæg» hedder nu «Oplæg om æbler»',
  ]);
  t.same(changelogLines(diffSnapshots(base, base), base.tracks), ['Ingen ændringer.']);
  const removed = changelogLines(diffSnapshots(next, { ...base, tracks: [], items: [] }), []);
  t.ok(removed.includes('Sporet «Dagtilbud» er nedlagt') && removed.includes('Udgået: «Nyt punkt» (kl. 13:00–14:00)') && removed.includes('Mødet er annonceret'), removed.join(' | '));
  t.match(releaseEntryId('rel_1'), /^urn:uuid:[0-9a-f-]{36}$/);
});

t.test('a meeting’s schedule.json: valid c3voc, the released agenda only, stable guids, ETag', async (t) => {
  const f = await fixture(t);
  const { app } = f.ctx;
  const res = await app.inject({ url: `/api/v1/meetings/${f.meetingId}/schedule.json` });
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  t.match(res.headers['content-type'], /^application\/json/);
  const body = res.json();
  t.ok(validateSchedule(body), JSON.stringify(validateSchedule.errors));

  const conf = body.schedule.conference;
  t.equal(conf.title, 'Netværksmøde 11. september 2019');
  t.equal(conf.time_zone_name, 'Europe/Copenhagen');
  t.equal(conf.start, '2019-09-11');
  t.equal(conf.daysCount, 1);
  t.same(conf.days.map((d: { date: string }) => d.date), ['2019-09-11']);
  t.equal(conf.days[0].day_start, '2019-09-11T10:00:00+02:00');
  t.same(Object.keys(conf.days[0].rooms).sort(), [f.venueName, 'Lokale 1.12 (Æblehaven)', 'Skole og fritid'].sort(), 'rooms from tracks; plenary in the venue');
  t.same(conf.rooms.map((r: { name: string }) => r.name).sort(), Object.keys(conf.days[0].rooms).sort());
  t.same(conf.tracks.map((x: { name: string }) => x.name).sort(), ['Dagtilbud', 'Fælles program', 'Skole og fritid']);
  t.same(conf.keywords, ['Ny viden fra forskning og undersøgelser']);

  const events = eventsOf(body);
  t.same(events.map((e) => e.title).sort(), ['Oplæg om trivsel i dagplejen', 'Sparring på tværs af skoler', 'Velkomst og nyt fra KL'], 'release 1 only: no unreleased item, no unreleased title');
  t.notOk(res.body.includes('Hemmeligt') || res.body.includes('Ikke udgivet') || res.body.includes('Kladde'), 'nothing unreleased or draft');
  const welcome = events.find((e) => e.title === 'Velkomst og nyt fra KL')!;
  t.match(welcome, {
    guid: stableUuid(eventUid(f.plenary.id)),
    id: idOfGuid(stableUuid(eventUid(f.plenary.id))),
    date: '2019-09-11T10:00:00+02:00',
    start: '10:00',
    duration: '00:30',
    room: f.venueName,
    track: 'Fælles program',
    type: 'welcome',
    language: 'da',
    abstract: 'Dagens program gennemgås.',
    url: `http://127.0.0.1:3000/api/v1/meetings/${f.meetingId}/agenda`,
    persons: [{ name: 'Søren Ærø-Åberg', guid: stableUuid(`speaker:${f.speakerId}@netagenda`), biography: 'Chefkonsulent, Børne- og Ungeforvaltningen' }],
  });
  const oplaeg = events.find((e) => e.guid === stableUuid(eventUid(f.oplaeg.id)))!;
  t.match(oplaeg, { room: 'Lokale 1.12 (Æblehaven)', track: 'Dagtilbud', duration: '01:30', type: 'presentation', description: 'Temaer: Ny viden fra forskning og undersøgelser' });
  t.match(events.find((e) => e.guid === stableUuid(eventUid(f.sparring.id))), { room: 'Skole og fritid', track: 'Skole og fritid' });

  // ETag and 304 like other GETs; a new release changes the document, the guids stay.
  const etag = String(res.headers.etag);
  t.match(etag, /^"h/);
  const again = await app.inject({ url: `/api/v1/meetings/${f.meetingId}/schedule.json`, headers: { 'if-none-match': etag } });
  t.equal(again.statusCode, 304);
  t.equal(again.body, '');
  t.equal((await f.ctx.as({ method: 'POST', url: `/api/v1/meetings/${f.meetingId}/releases`, payload: { note: 'Anden udgave' } })).statusCode, 201);
  const released = await app.inject({ url: `/api/v1/meetings/${f.meetingId}/schedule.json`, headers: { 'if-none-match': etag } });
  t.equal(released.statusCode, 200, 'changed after a release');
  const events2 = eventsOf(released.json());
  t.ok(validateSchedule(released.json()), JSON.stringify(validateSchedule.errors));
  t.equal(events2.find((e) => e.guid === oplaeg.guid)?.title, 'Ikke udgivet titel', 'same guid, new title');
  t.ok(events2.some((e) => e.guid === stableUuid(eventUid(f.unreleased.id))), 'the new item now released');

  // Draft meetings do not exist here, for anyone; unknown ids neither; bad ids are 400.
  problem(t, await app.inject({ url: `/api/v1/meetings/${f.draftMeetingId}/schedule.json` }), 404, 'not-found');
  problem(t, await f.ctx.as({ url: `/api/v1/meetings/${f.draftMeetingId}/schedule.json` }), 404, 'not-found');
  problem(t, await f.ctx.as({ url: `/api/v1/meetings/${f.draftMeetingId}/schedule.xml` }), 404, 'not-found');
  problem(t, await app.inject({ url: '/api/v1/meetings/mtg_nope/schedule.json' }), 404, 'not-found');
  problem(t, await app.inject({ url: `/api/v1/meetings/${f.meetingId}/schedule.json?x=1` }), 400, 'validation-failed');
});

t.test('a meeting’s schedule.xml: valid against the XSD, same content, Danish intact, ETag', async (t) => {
  const f = await fixture(t);
  const { app } = f.ctx;
  const res = await app.inject({ url: `/api/v1/meetings/${f.meetingId}/schedule.xml` });
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  t.match(res.headers['content-type'], /^application\/xml; charset=utf-8/);
  t.same(await xsdErrors(res.body), [], 'valid against schedule.xml.xsd');
  const doc = xmlParser.parse(res.body).schedule;
  t.equal(doc.conference.title, 'Netværksmøde 11. september 2019');
  const json = (await app.inject({ url: `/api/v1/meetings/${f.meetingId}/schedule.json` })).json();
  const rooms = doc.day[0].room as { '@name': string; '@guid': string; event: { '@guid': string; title: string; room: string; track: string; persons: { person?: { '#text': string }[] } | '' }[] }[];
  t.same(rooms.map((r) => r['@name']).sort(), Object.keys(json.schedule.conference.days[0].rooms).sort());
  const xmlEvents = rooms.flatMap((r) => r.event);
  t.same(xmlEvents.map((e) => e['@guid']).sort(), eventsOf(json).map((e) => e.guid).sort(), 'the same events as the JSON');
  const welcome = xmlEvents.find((e) => e['@guid'] === stableUuid(eventUid(f.plenary.id)))!;
  t.equal(welcome.track, 'Fælles program');
  t.equal(welcome.room, f.venueName);
  t.same((welcome.persons as { person: { '#text': string }[] }).person.map((p) => p['#text']), ['Søren Ærø-Åberg']);
  t.notOk(res.body.includes('Hemmeligt') || res.body.includes('Ikke udgivet'), 'nothing unreleased');
  const etag = String(res.headers.etag);
  t.equal((await app.inject({ url: `/api/v1/meetings/${f.meetingId}/schedule.xml`, headers: { 'if-none-match': etag } })).statusCode, 304);

  // Markup in text is escaped by the builder, and still valid.
  await f.ctx.as({ method: 'POST', url: `/api/v1/meetings/${f.meetingId}/items`, payload: { title: 'A & B <i>kursiv</i> "citat"', kind: 'discussion', startTime: '14:00', endTime: '15:00' } });
  await f.ctx.as({ method: 'POST', url: `/api/v1/meetings/${f.meetingId}/releases` });
  const escaped = await app.inject({ url: `/api/v1/meetings/${f.meetingId}/schedule.xml` });
  t.same(await xsdErrors(escaped.body), []);
  t.ok(escaped.body.includes('A &amp; B &lt;i&gt;kursiv&lt;/i&gt;'), 'escaped');
  t.ok(validateSchedule((await app.inject({ url: `/api/v1/meetings/${f.meetingId}/schedule.json` })).json()));
});

t.test('a network’s schedule: announced and cancelled meetings, no drafts; cancelled days are empty', async (t) => {
  const f = await fixture(t);
  const { app, as } = f.ctx;
  // A second meeting on the same date, earlier and later than the first: one day, spanning both.
  const same = await as({ method: 'POST', url: `/api/v1/networks/${SLUG}/meetings`, payload: { title: 'Formøde for styregruppen', date: '2019-09-11', startTime: '08:00', endTime: '17:00', status: 'announced' } });
  t.equal(same.statusCode, 201, same.body);
  const json = await app.inject({ url: `/api/v1/networks/${SLUG}/schedule.json` });
  t.equal(json.statusCode, 200, json.body.slice(0, 300));
  const body = json.json();
  t.ok(validateSchedule(body), JSON.stringify(validateSchedule.errors));
  const visible = (await app.inject({ url: `/api/v1/networks/${SLUG}/meetings?limit=200` })).json().data as { id: string; date: string }[];
  const dates = [...new Set(visible.map((m) => m.date))].sort();
  t.same(body.schedule.conference.days.map((d: { date: string }) => d.date), dates, 'one day per date of a visible meeting');
  t.same(body.schedule.conference.days.map((d: { index: number }) => d.index), dates.map((_, i) => i + 1));
  t.equal(body.schedule.conference.acronym, 'kl_konsulentnetvaerk_2019_2020');
  const shared = body.schedule.conference.days.find((d: { date: string }) => d.date === '2019-09-11');
  t.match(shared, { day_start: '2019-09-11T08:00:00+02:00', day_end: '2019-09-11T17:00:00+02:00' }, 'the day spans both meetings');
  t.equal(eventsOf(body).length, 3, 'the released items of the one meeting with a release');
  t.notOk(json.body.includes('Kladde'), 'the draft meeting is not there');
  const xml = await app.inject({ url: `/api/v1/networks/${SLUG}/schedule.xml` });
  t.equal(xml.statusCode, 200);
  t.same(await xsdErrors(xml.body), []);
  t.equal(xmlParser.parse(xml.body).schedule.day.length, dates.length);

  // Cancelled: the meeting keeps its day, its events are gone (apps drop them), the description says so.
  t.equal((await as({ method: 'PATCH', url: `/api/v1/meetings/${f.meetingId}`, payload: { status: 'cancelled' } })).statusCode, 200);
  const cancelled = (await app.inject({ url: `/api/v1/meetings/${f.meetingId}/schedule.json` })).json();
  t.ok(validateSchedule(cancelled), JSON.stringify(validateSchedule.errors));
  t.same(cancelled.schedule.conference.days.map((d: { rooms: object }) => d.rooms), [{}]);
  t.match(cancelled.schedule.conference.description, /^Mødet er aflyst\./);
  const cancelledXml = await app.inject({ url: `/api/v1/meetings/${f.meetingId}/schedule.xml` });
  t.same(await xsdErrors(cancelledXml.body), []);
  const net = (await app.inject({ url: `/api/v1/networks/${SLUG}/schedule.json` })).json();
  t.equal(eventsOf(net).length, 0);
  t.equal(net.schedule.conference.days.length, dates.length, 'its day is still there');

  // A network with nothing to show, and an unknown one.
  t.equal((await as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'tomt-netvaerk', name: 'Tomt netværk' } })).statusCode, 201);
  problem(t, await app.inject({ url: '/api/v1/networks/tomt-netvaerk/schedule.json' }), 404, 'not-found');
  problem(t, await app.inject({ url: '/api/v1/networks/tomt-netvaerk/schedule.xml' }), 404, 'not-found');
  problem(t, await app.inject({ url: '/api/v1/networks/findes-ikke/schedule.json' }), 404, 'not-found');
});

t.test('the Atom feed of a network’s releases: parses, one entry per published release, changelog content, ETag', async (t) => {
  const f = await fixture(t);
  const { app, as } = f.ctx;
  const url = `/feeds/networks/${SLUG}/releases.atom`;
  const res = await app.inject({ url });
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  t.match(res.headers['content-type'], /^application\/atom\+xml; charset=utf-8/);
  t.equal(res.headers['cache-control'], 'public, max-age=60');
  const feed = xmlParser.parse(res.body).feed;
  t.equal(feed['@xmlns'], 'http://www.w3.org/2005/Atom');
  t.match(feed.id, /^urn:uuid:/);
  t.equal(feed.title, 'KL’s konsulentnetværk på dagtilbuds- og folkeskoleområdet 2019-2020: nye udgaver af programmerne');
  t.ok(feed.author.name);
  const releases = (await app.inject({ url: `/api/v1/meetings/${f.meetingId}/releases` })).json().data;
  t.equal(feed.entry.length, 1, 'the draft meeting’s release is not there');
  const entry = feed.entry[0];
  const releaseRow = app.db.select().from(releasesTable).where(eq(releasesTable.meetingId, f.meetingId)).get()!;
  t.equal(entry.id, releaseEntryId(releaseRow.id), 'the entry id: UUIDv5 of the release id');
  t.match(entry.id, /^urn:uuid:[0-9a-f-]{36}$/);
  t.equal(entry.updated, releases[0].createdAt, 'updated = the release time');
  t.equal(feed.updated, releases[0].createdAt);
  t.match(entry.title, /^Netværksmøde 11\. september 2019 \(onsdag den 11\. september 2019\): udgave 1$/);
  t.equal(entry.summary, 'Første udgave – med æ, ø og å');
  const div = entry.content.div;
  t.equal(entry.content['@type'], 'xhtml');
  t.equal(div['@xmlns'], 'http://www.w3.org/1999/xhtml');
  t.same(div.ul.li, [
    'Nyt spor: «Dagtilbud»',
    'Nyt spor: «Skole og fritid»',
    'Nyt: «Velkomst og nyt fra KL» kl. 10:00–10:30, Fælles program',
    'Nyt: «Oplæg om trivsel i dagplejen» kl. 10:30–12:00, Dagtilbud',
    'Nyt: «Sparring på tværs af skoler» kl. 10:30–12:00, Skole og fritid',
  ]);
  t.notOk(res.body.includes('Kladde') || res.body.includes('Hemmeligt'), 'no draft, nothing unreleased');

  const etag = String(res.headers.etag);
  t.equal((await app.inject({ url, headers: { 'if-none-match': etag } })).statusCode, 304);
  t.equal((await app.inject({ url, headers: { 'if-modified-since': String(res.headers['last-modified']) } })).statusCode, 304);

  // A second release: a new entry first, the first entry's id unchanged.
  t.equal((await as({ method: 'POST', url: `/api/v1/meetings/${f.meetingId}/releases`, payload: { note: 'Anden udgave' } })).statusCode, 201);
  const res2 = await app.inject({ url, headers: { 'if-none-match': etag } });
  t.equal(res2.statusCode, 200);
  const feed2 = xmlParser.parse(res2.body).feed;
  t.equal(feed2.entry.length, 2);
  t.equal(feed2.entry[1].id, entry.id, 'stable entry ids');
  t.match(feed2.entry[0].title, /udgave 2$/);
  t.same(feed2.entry[0].content.div.ul.li, [
    'Nyt: «Hemmeligt udkast» kl. 13:00–14:00, Fælles program',
    '«Oplæg om trivsel i dagplejen» hedder nu «Ikke udgivet titel»',
  ]);
  t.same(feed2.entry[0].content.div.p, 'Anden udgave');

  problem(t, await app.inject({ url: '/feeds/networks/findes-ikke/releases.atom' }), 404, 'not-found');
  // A network without releases: a valid, empty feed.
  t.equal((await as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'tomt-netvaerk', name: 'Tomt netværk' } })).statusCode, 201);
  const empty = await app.inject({ url: '/feeds/networks/tomt-netvaerk/releases.atom' });
  t.equal(empty.statusCode, 200);
  const emptyFeed = xmlParser.parse(empty.body).feed;
  t.equal(emptyFeed.entry, undefined);
  t.ok(emptyFeed.updated);
});

t.test('the Atom feed over a real socket: served by the feeds’ own instance, byte for byte', async (t) => {
  const f = await fixture(t, { corsOrigins: ['https://kalender.example'] });
  const { app } = f.ctx;
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const url = `/feeds/networks/${SLUG}/releases.atom`;
  const real = await fetch(`http://127.0.0.1:${port}${url}`);
  const injected = await app.inject({ url });
  t.equal(real.status, 200);
  t.equal(await real.text(), injected.body);
  t.equal(real.headers.get('etag'), injected.headers.etag);
  t.equal((await fetch(`http://127.0.0.1:${port}${url}`, { headers: { 'if-none-match': String(injected.headers.etag) } })).status, 304);
  t.equal((await fetch(`http://127.0.0.1:${port}/feeds/networks/findes-ikke/releases.atom`)).status, 404);
  const cors = await fetch(`http://127.0.0.1:${port}${url}`, { headers: { origin: 'https://kalender.example' } });
  t.equal(cors.headers.get('access-control-allow-origin'), 'https://kalender.example', 'CORS as the other feeds');
  t.equal(cors.headers.get('access-control-expose-headers'), 'ETag, Location, Retry-After');
  const other = await fetch(`http://127.0.0.1:${port}${url}`, { headers: { origin: 'https://ondt.example' } });
  t.equal(other.headers.get('access-control-allow-origin'), null, 'an origin not allowed gets no CORS header');
});

t.test('registrations.csv: coordinators and admins only; BOM, `;`, CRLF, quoting, formula guard, æøå', async (t) => {
  const f = await fixture(t);
  const { app, as } = f.ctx;
  // A fresh announced meeting with two tracks of one place each, open for registration.
  const m = (await as({ method: 'POST', url: `/api/v1/networks/${SLUG}/meetings`, payload: { title: 'Tilmeldingsmøde', date: futureDate(), startTime: '10:00', endTime: '15:00', status: 'announced' } })).json();
  const a = (await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/tracks`, payload: { name: 'Spor Å', capacity: 1 } })).json();
  const b = (await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/tracks`, payload: { name: 'Spor "B"; bøger', capacity: 1 } })).json();
  const people = [
    { name: 'Åse Ærø-Øster', email: 'aase@kommune.dk', role: 'Pædagogisk konsulent', municipalityCode: 461 },
    { name: '=HYPERLINK("http://ondt.example","klik")', email: 'x@kommune.dk', role: '+45 11 22 33 44' },
    { name: 'Bjørn "Bamse" Ølgaard, Jr.', email: 'bjoern@kommune.dk', role: '@leder' },
  ];
  const ids: string[] = [];
  for (const p of people) ids.push((await as({ method: 'POST', url: `/api/v1/networks/${SLUG}/participants`, payload: p })).json().id);
  for (const [i, trackId] of [a.id, a.id, b.id].entries()) {
    t.equal((await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/registrations`, payload: { participantId: ids[i], trackId } })).statusCode, 201);
  }

  const url = `/api/v1/meetings/${m.id}/registrations.csv`;
  const res = await as({ url });
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  t.match(res.headers['content-type'], /^text\/csv; charset=utf-8/);
  t.match(res.headers['content-disposition'], /^attachment; filename="tilmeldinger-\d{4}-\d{2}-\d{2}-mtg_[^"]+\.csv"$/);
  const bytes = res.rawPayload;
  t.same([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
  const text = bytes.toString('utf8');
  t.ok(text.endsWith('\r\n'));
  t.equal(text.split('\r\n').length, 5, 'header, three rows, final CRLF');
  t.notOk(/[^\r]\n/.test(text), 'every line ends CRLF');
  const rows = parseCsv(bytes, { bom: true, delimiter: ';', record_delimiter: '\r\n' }) as string[][];
  t.same(rows[0], CSV_HEADER);
  t.ok(rows[0]!.includes('Plads på ventelisten'), 'æøå in the header survive');
  const byName = new Map(rows.slice(1).map((r) => [r[1]!, r]));
  const kommune = (await app.inject({ url: '/api/v1/municipalities/461' })).json().name;
  t.same(byName.get('Åse Ærø-Øster')?.slice(2, 9), ['aase@kommune.dk', 'Pædagogisk konsulent', '461', kommune, 'Spor Å', 'tilmeldt', '']);
  const evil = byName.get(`'=HYPERLINK("http://ondt.example","klik")`);
  t.ok(evil, 'the formula is made inert with an apostrophe');
  t.same(evil?.slice(3, 9), [`'+45 11 22 33 44`, '', '', 'Spor Å', 'venteliste', '1']);
  t.same(byName.get('Bjørn "Bamse" Ølgaard, Jr.')?.slice(3, 9), [`'@leder`, '', '', 'Spor "B"; bøger', 'tilmeldt', ''], 'quotes and ; inside cells survive');

  // A cancellation: the waiting list moves up, the cancelled row stays (status afmeldt).
  const regs = (await as({ url: `/api/v1/meetings/${m.id}/registrations` })).json().data as { id: string; participantId: string }[];
  t.equal((await as({ method: 'DELETE', url: `/api/v1/registrations/${regs.find((r) => r.participantId === ids[0])!.id}` })).statusCode, 204);
  const after = parseCsv((await as({ url })).rawPayload, { bom: true, delimiter: ';' }) as string[][];
  t.same(after.slice(1).map((r) => r[7]), ['afmeldt', 'tilmeldt', 'tilmeldt']);

  // ETag and 304.
  const etag = String((await as({ url })).headers.etag);
  t.equal((await as({ url, headers: { 'if-none-match': etag } })).statusCode, 304);

  // Who may: the network's coordinators and admins. Readers and others are refused as for the JSON list.
  const tok = (role: 'coordinator' | 'reader', slug: string) => {
    const made = createToken(app.db, { name: `${role}-${slug}`, role });
    app.db.insert(tokenNetworks).values({ tokenId: made.token.id, networkSlug: slug }).run();
    return { authorization: `Bearer ${made.raw}` };
  };
  t.equal((await as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'andet-netvaerk', name: 'Andet netværk' } })).statusCode, 201);
  const coordinator = await app.inject({ url, headers: tok('coordinator', SLUG) });
  t.equal(coordinator.statusCode, 200);
  t.equal(coordinator.body, (await as({ url })).body);
  problem(t, await app.inject({ url }), 401, 'unauthorized');
  problem(t, await app.inject({ url, headers: tok('reader', SLUG) }), 403, 'forbidden');
  problem(t, await app.inject({ url, headers: tok('coordinator', 'andet-netvaerk') }), 403, 'forbidden');
  problem(t, await app.inject({ url: `/api/v1/meetings/${f.draftMeetingId}/registrations.csv`, headers: tok('coordinator', 'andet-netvaerk') }), 404, 'not-found');
  t.equal((await app.inject({ url: `/api/v1/meetings/${f.draftMeetingId}/registrations.csv`, headers: tok('coordinator', SLUG) })).statusCode, 200, 'its own network’s coordinator sees a draft’s');
  problem(t, await as({ url: '/api/v1/meetings/mtg_nope/registrations.csv' }), 404, 'not-found');
  // An empty meeting: the header row only.
  const none = await as({ url: `/api/v1/meetings/${f.draftMeetingId}/registrations.csv` });
  t.same(parseCsv(none.rawPayload, { bom: true, delimiter: ';' }), [CSV_HEADER]);
});
