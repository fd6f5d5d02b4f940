// The feed modules' plain functions: text safety, the sync plan (SEQUENCE rules), conditional requests,
// rendering corner cases, the revision counter and the cache.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import ICAL from 'ical.js';
import t from 'tap';
import { closeDatabase, openDatabase } from '../db/client.js';
import { seedIfEmpty } from '../db/seed.js';
import { SEED_SLUG } from '../db/seed-data.js';
import { feedEvents, meetings, type FeedEventRow } from '../db/schema.js';
import { feedCache } from '../server/feeds/feed-cache.js';
import type { DesiredEvent, EventContent } from '../server/feeds/feed-content.js';
import { CANCELLED_KEEP_MS, fingerprint, planSync, syncNetwork, type SyncChange } from '../server/feeds/feed-events.js';
import { etagMatches, isNotModified } from '../server/feeds/feed-http.js';
import { calendarPropertiesFirst, feedTzid, organizerEmail, renderFeed } from '../server/feeds/feed-render.js';
import { revisionCounter } from '../server/feeds/feed-revision.js';
import { feedModel, feedPath } from '../server/feeds/feed-scopes.js';
import { cleanText, escapeText, oneLine, paramText } from '../server/feeds/feed-text.js';

const content = (over: Partial<EventContent> = {}): EventContent => ({
  title: 'Møde',
  date: '2019-09-11',
  startTime: '10:00',
  endTime: '16:00',
  timeZone: 'Europe/Copenhagen',
  location: 'Odense',
  geo: null,
  description: '',
  organizer: { name: 'KL', email: 'mfs@kl.dk' },
  categories: [],
  meeting: { id: 'mtg_1', title: 'Møde' },
  track: null,
  tracks: [],
  ...over,
});

const desired = (uid: string, over: Partial<DesiredEvent> = {}): DesiredEvent => ({
  uid,
  kind: 'meeting',
  networkSlug: 'net',
  meetingId: 'mtg_1',
  itemId: null,
  trackId: null,
  themeKeys: [],
  cancelled: false,
  content: content(),
  ...over,
});

/** Applies a plan to rows in memory, as syncNetwork does in SQL. */
function apply(rows: FeedEventRow[], changes: SyncChange[]): FeedEventRow[] {
  const byUid = new Map(rows.map((r) => [r.uid, r]));
  for (const c of changes) {
    if ('insert' in c) byUid.set(c.insert.uid, c.insert);
    else byUid.set(c.update, { ...byUid.get(c.update)!, ...c.set });
  }
  return [...byUid.values()];
}

t.test('text: control characters, line breaks and escaping', async (t) => {
  t.equal(cleanText('a\r\nb\rc\nd\u2028e\u2029f'), 'a\nb\nc\nd\ne\nf');
  t.equal(cleanText('tab\there'), 'tab here');
  t.equal(cleanText('nul\u0000 bell\u0007 esc\u001b del\u007f c1\u0085\u009f ok'), 'nul bell esc del c1 ok');
  t.equal(cleanText('lone \ud800 low \udc00 pair 🎉'), 'lone \ufffd low \ufffd pair 🎉');
  t.equal(oneLine('  a \r\n  b\n\nc  '), 'a b c');
  t.equal(paramText('KL "Kommunernes" \\ Landsforening\r\nX'), 'KL Kommunernes  Landsforening X');
  t.equal(escapeText('a;b,c\\d\r\nBEGIN:VEVENT'), 'a\\;b\\,c\\\\d\\nBEGIN:VEVENT');
});

t.test('sync plan: SEQUENCE rules', async (t) => {
  const t0 = '2024-01-01T00:00:00.000Z';
  const t1 = '2024-01-02T00:00:00.000Z';
  const t2 = '2024-01-03T00:00:00.000Z';
  let rows = apply([], planSync([], [desired('m@x'), desired('i@x', { kind: 'item', themeKeys: ['a'] })], t0));
  t.match(rows, [
    { uid: 'm@x', sequence: 0, createdAt: t0, lastModified: t0, cancelledAt: null },
    { uid: 'i@x', sequence: 0, themeKeys: '["a"]' },
  ]);

  t.same(planSync(rows, [desired('m@x'), desired('i@x', { kind: 'item', themeKeys: ['a'] })], t1), [], 'same content: nothing to write');

  rows = apply(rows, planSync(rows, [desired('m@x', { content: content({ title: 'Nyt' }) }), desired('i@x', { kind: 'item', themeKeys: ['a'] })], t1));
  t.match(rows.find((r) => r.uid === 'm@x'), { sequence: 1, lastModified: t1, createdAt: t0 });
  t.match(rows.find((r) => r.uid === 'i@x'), { sequence: 0, lastModified: t0 });

  // The item is gone: cancelled with a higher SEQUENCE, its content kept.
  rows = apply(rows, planSync(rows, [desired('m@x', { content: content({ title: 'Nyt' }) })], t2));
  const gone = rows.find((r) => r.uid === 'i@x')!;
  t.match(gone, { sequence: 1, cancelledAt: t2, lastModified: t2 });
  t.equal(JSON.parse(gone.content).title, 'Møde');
  t.same(planSync(rows, [desired('m@x', { content: content({ title: 'Nyt' }) })], t2), [], 'already cancelled: left alone');

  // It comes back: same UID, higher SEQUENCE, live again.
  rows = apply(rows, planSync(rows, [desired('m@x', { content: content({ title: 'Nyt' }) }), desired('i@x', { kind: 'item', themeKeys: ['a'] })], t2));
  t.match(rows.find((r) => r.uid === 'i@x'), { sequence: 2, cancelledAt: null });

  // A cancelled meeting: its cancellation time is kept while it stays cancelled and changes.
  rows = apply(rows, planSync(rows, [desired('m@x', { cancelled: true, content: content({ title: 'Nyt' }) })], t1));
  t.match(rows.find((r) => r.uid === 'm@x'), { sequence: 2, cancelledAt: t1 });
  rows = apply(rows, planSync(rows, [desired('m@x', { cancelled: true, content: content({ title: 'Nyere' }) })], t2));
  t.match(rows.find((r) => r.uid === 'm@x'), { sequence: 3, cancelledAt: t1, lastModified: t2 });

  const fresh = apply([], planSync([], [desired('c@x', { cancelled: true })], t0));
  t.match(fresh[0], { sequence: 0, cancelledAt: t0 });

  t.not(fingerprint(desired('a')), fingerprint(desired('a', { trackId: 'trk' })), 'moving track counts');
  t.equal(fingerprint(desired('a')), fingerprint(desired('b')), 'UID is not content');
});

t.test('conditional request helpers', async (t) => {
  const etag = '"abc"';
  t.ok(etagMatches('"abc"', etag));
  t.ok(etagMatches('W/"abc"', etag));
  t.ok(etagMatches('"x", "abc"', etag));
  t.ok(etagMatches(' * ', etag));
  t.notOk(etagMatches('"abcd"', etag));
  t.notOk(etagMatches('', etag));
  const lm = Date.parse('2024-05-01T10:00:00.900Z');
  t.ok(isNotModified({ 'if-modified-since': 'Wed, 01 May 2024 10:00:00 GMT' }, etag, lm), 'same second');
  t.notOk(isNotModified({ 'if-modified-since': 'Wed, 01 May 2024 09:59:59 GMT' }, etag, lm));
  t.notOk(isNotModified({ 'if-modified-since': 'nonsense' }, etag, lm));
  t.notOk(isNotModified({}, etag, lm));
  t.notOk(isNotModified({ 'if-none-match': '"old"', 'if-modified-since': 'Wed, 01 May 2030 10:00:00 GMT' }, etag, lm), 'If-None-Match wins');
});

t.test('rendering corner cases', async (t) => {
  t.equal(organizerEmail('a@b.dk', 'http://127.0.0.1:3000'), 'a@b.dk');
  t.equal(organizerEmail(null, 'https://netagenda.example.dk'), 'noreply@netagenda.example.dk');
  t.equal(organizerEmail(null, 'http://127.0.0.1:3000'), 'noreply@netagenda.invalid');
  t.equal(organizerEmail(null, 'http://localhost:3000'), 'noreply@netagenda.invalid');
  t.equal(organizerEmail(null, 'http://[::1]:3000'), 'noreply@netagenda.invalid');

  t.equal(feedTzid('Europe/Copenhagen'), 'Europe/Copenhagen');
  t.equal(feedTzid('Atlantic/Faeroe'), 'Atlantic/Faroe', 'an old name gets the current one');
  t.equal(feedTzid('UTC'), null);
  t.equal(feedTzid('Mars/Olympus_Mons'), null);

  const row = (uid: string, c: EventContent, over: Partial<FeedEventRow> = {}): FeedEventRow => ({
    uid,
    kind: 'meeting',
    networkSlug: 'net',
    meetingId: 'mtg_1',
    itemId: null,
    trackId: null,
    themeKeys: '[]',
    sequence: 0,
    fingerprint: 'x',
    content: JSON.stringify(c),
    createdAt: '2024-01-01T00:00:00.000Z',
    lastModified: '2024-01-01T00:00:00.000Z',
    cancelledAt: null,
    ...over,
  });
  const rows = [
    row('utc@x', content({ timeZone: 'UTC', title: 'I UTC' })),
    row('faroe@x', content({ timeZone: 'Atlantic/Faeroe', date: '2024-07-01', title: 'Tórshavn' })),
    row('ctl@x', content({ title: 'Styre\u0000tegn\u001b', description: 'a\u0007b', categories: ['x\u0001y'], geo: { lat: 55.4, lon: 10.4 } })),
  ];
  const now = Date.parse('2024-01-02T00:00:00.000Z');
  const model = feedModel('/feeds/test.ics', { name: 'Test', description: 'Beskrivelse', changedAt: [] }, rows, now);
  const text = renderFeed(model, { publicBaseUrl: 'http://127.0.0.1:3000', feedTtlMinutes: 90 });
  t.notMatch(text, /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/, 'no control characters');
  t.match(text, /\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H30M\r\nX-PUBLISHED-TTL:PT1H30M\r\nBEGIN:VTIMEZONE\r\n/);
  t.match(text, /\r\nDTSTART:20190911T100000Z\r\n/, 'a UTC meeting is written in UTC');
  t.match(text, /\r\nDTSTART;TZID=Atlantic\/Faroe:20240701T100000\r\n/);
  t.match(text, /\r\nTZID:Atlantic\/Faroe\r\n/);
  const cal = new ICAL.Component(ICAL.parse(text));
  const events = cal.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
  t.equal(events.find((e) => e.uid === 'faroe@x')!.startDate.toJSDate().toISOString(), '2024-07-01T09:00:00.000Z');
  t.equal(events.find((e) => e.uid === 'ctl@x')!.summary, 'Styretegn');

  // An empty feed is still a valid calendar, calendar properties first.
  const empty = renderFeed(feedModel('/feeds/empty.ics', { name: 'Tom', description: 'Tom', changedAt: ['2024-01-01T00:00:00.000Z'] }, [], now), {
    publicBaseUrl: 'http://127.0.0.1:3000',
    feedTtlMinutes: 60,
  });
  t.match(empty, /\r\nX-PUBLISHED-TTL:PT1H\r\nEND:VCALENDAR\r\n$/);
  t.equal(calendarPropertiesFirst('BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n'), 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n');
});

t.test('feed model: cancelled events leave after 30 days, and that counts as a change', async (t) => {
  const base = Date.parse('2024-03-01T00:00:00.000Z');
  const iso = (ms: number) => new Date(ms).toISOString();
  const mk = (uid: string, lastModified: number, cancelled: boolean): FeedEventRow => ({
    uid,
    kind: 'meeting',
    networkSlug: 'net',
    meetingId: 'm',
    itemId: null,
    trackId: null,
    themeKeys: '[]',
    sequence: 1,
    fingerprint: 'x',
    content: JSON.stringify(content()),
    createdAt: iso(base),
    lastModified: iso(lastModified),
    cancelledAt: cancelled ? iso(lastModified) : null,
  });
  const day = 24 * 3600 * 1000;
  const rows = [mk('live', base, false), mk('recent', base + day, true), mk('old', base - 31 * day, true)];
  const m = feedModel('/p', { name: 'n', description: 'd', changedAt: [undefined] }, rows, base + 2 * day);
  t.same(m.events.map((e) => e.row.uid).sort(), ['live', 'recent']);
  t.equal(m.expiresAt, base + day + CANCELLED_KEEP_MS);
  t.equal(m.lastModifiedMs, base + day, 'newest change');
  const later = feedModel('/p', { name: 'n', description: 'd', changedAt: [] }, rows, base + 32 * day);
  t.same(later.events.map((e) => e.row.uid), ['live']);
  t.equal(later.lastModifiedMs, base + day + CANCELLED_KEEP_MS, 'dropping out is the latest change');
  t.equal(later.expiresAt, Infinity);
  t.equal(feedPath({ kind: 'meeting', id: 'x', items: false }), '/feeds/meetings/x.ics');
});

t.test('revision counter: own writes at once, other processes within a second', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'feeds-rev-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'rev.db');
  const a = new Database(file);
  a.pragma('journal_mode = WAL');
  a.exec('CREATE TABLE x (v)');
  const b = new Database(file);
  t.teardown(() => {
    a.close();
    b.close();
  });
  let now = 0;
  const revision = revisionCounter(a, () => now);
  const r0 = revision();
  t.equal(revision(), r0, 'stable while nothing changes');
  a.prepare('INSERT INTO x VALUES (1)').run();
  const r1 = revision();
  t.ok(r1 > r0, 'own write');
  b.prepare('INSERT INTO x VALUES (2)').run();
  now = 500;
  t.equal(revision(), r1, 'another connection’s write is seen within a second, not at once');
  now = 1000;
  t.ok(revision() > r1, 'seen after a second');
});

t.test('feed cache: renders once per change, serves hits, rebuilds when a cancellation expires', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => closeDatabase(db));
  seedIfEmpty(db);
  let now = Date.now();
  const cache = feedCache(db, { publicBaseUrl: 'http://x.test', feedTtlMinutes: 60, cacheControl: 'no-cache', clock: () => now, maxEntries: 2 });
  const net = { kind: 'network', slug: SEED_SLUG } as const;
  const first = cache.get(net);
  t.equal(cache.get(net), first);
  t.match(cache.stats, { renders: 1, hits: 1, syncs: 1 });

  // A write that changes nothing visible: checked, not re-rendered.
  db.update(meetings).set({ updatedAt: new Date().toISOString() }).run();
  t.equal(cache.get(net), first);
  t.match(cache.stats, { renders: 1, syncs: 2 });

  // A meeting is deleted: cancelled, re-rendered; a month later it is gone.
  const gone = db.select().from(meetings).limit(1).get()!;
  db.delete(meetings).where(eq(meetings.id, gone.id)).run();
  const cancelled = cache.get(net);
  t.not(cancelled.etag, first.etag);
  t.match(cancelled.body.toString(), /SUMMARY:AFLYST: /);
  t.ok(cancelled.expiresAt < Infinity);
  now += CANCELLED_KEEP_MS + 1000;
  const pruned = cache.get(net);
  t.notMatch(pruned.body.toString(), /AFLYST/);
  t.ok(pruned.lastModifiedMs > cancelled.lastModifiedMs, 'Last-Modified moves forward');
  t.equal(cache.stats.renders, 3);

  // A bounded number of entries: the oldest goes first.
  const theme = { kind: 'theme', slug: SEED_SLUG, key: 'aktuelt' } as const;
  const meeting = { kind: 'meeting', id: db.select().from(meetings).limit(1).get()!.id, items: false } as const;
  cache.get(theme);
  cache.get(meeting);
  const renders = cache.stats.renders;
  cache.get(net);
  t.equal(cache.stats.renders, renders + 1, 'evicted, so rendered again');
  t.throws(() => cache.get({ kind: 'network', slug: 'nope' }), { message: "Network 'nope' does not exist" });
  t.equal(syncNetwork(db, SEED_SLUG), 0, 'a second sync with no changes writes nothing');
  t.ok(db.select().from(feedEvents).all().length >= 3);
  cache.clear();
  t.not(cache.get(net), pruned, 'cleared');
});
