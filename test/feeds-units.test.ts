// The feed modules' plain functions: text safety, the sync plan (SEQUENCE rules), conditional requests,
// rendering corner cases, the scope plan, content codings, and the publisher with its cache.
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { eq } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { foldLines as libraryFoldLines } from 'ical-generator';
import ICAL from 'ical.js';
import t from 'tap';
import { closeDatabase, openDatabase } from '../db/client.js';
import { seedIfEmpty } from '../db/seed.js';
import { SEED_SLUG } from '../db/seed-data.js';
import { feedEvents, meetings, type FeedEventRow, type FeedScopeEventRow } from '../db/schema.js';
import { chooseEncoding, feedCache, type ServedFeed } from '../server/feeds/feed-cache.js';
import type { DesiredEvent, EventContent } from '../server/feeds/feed-content.js';
import { CANCELLED_KEEP_MS, fingerprint, planSync, type SyncChange } from '../server/feeds/feed-events.js';
import { etagMatches, isNotModified } from '../server/feeds/feed-http.js';
import { feedBodies } from '../server/feeds/feed-bodies.js';
import { feedDrainer } from '../server/feeds/feed-drainer.js';
import { feedPublisher, type FeedPublisher } from '../server/feeds/feed-publisher.js';
import { calendarFrame, eventTzid, feedTzid, organizerEmail, renderFragment } from '../server/feeds/feed-render.js';
import { feedPath, scopeKey, scopeOfKey } from '../server/feeds/feed-scopes.js';
import { planScopes } from '../server/feeds/scope-plan.js';
import { cleanText, escapeText, foldLines, oneLine, paramText } from '../server/feeds/feed-text.js';

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

  const options = { publicBaseUrl: 'http://127.0.0.1:3000', feedTtlMinutes: 90 };
  const events = [
    { uid: 'utc@x', createdAt: '2024-01-01T00:00:00.000Z', content: content({ timeZone: 'UTC', title: 'I UTC' }) },
    { uid: 'faroe@x', createdAt: '2024-01-01T00:00:00.000Z', content: content({ timeZone: 'Atlantic/Faeroe', date: '2024-07-01', title: 'Tórshavn' }) },
    {
      uid: 'ctl@x',
      createdAt: '2024-01-01T00:00:00.000Z',
      content: content({ title: 'Styre\u0000tegn\u001b', description: 'a\u0007b', categories: ['x\u0001y'], geo: { lat: 55.4, lon: 10.4 } }),
    },
  ];
  // Stored fragments leave out what each feed sets (the publisher adds it after the UID line).
  const withFeedLines = (f: string, seq: number) => f.replace(/^(BEGIN:VEVENT\r\nUID:[^\r]*\r\n)/, `$1SEQUENCE:${seq}\r\nDTSTAMP:20240102T000000Z\r\n`);
  const raw = events.map((e, i) => renderFragment(e, i === 2, options));
  t.notMatch(raw[0], /^(SEQUENCE|DTSTAMP|LAST-MODIFIED):/m, 'per-feed lines are left out of the stored fragment');
  t.match(raw[1], /^BEGIN:VEVENT\r\nUID:faroe@x\r\n/, 'the UID line comes first');
  const fragments = raw.map((f, i) => withFeedLines(f, i + 1));
  const tzids = events.map((e) => eventTzid(e.content)).filter((z): z is string => z !== null);
  t.same(tzids, ['Atlantic/Faroe', 'Europe/Copenhagen']);
  const [head, tail] = calendarFrame({ path: '/feeds/test.ics', name: 'Test', description: 'Beskrivelse' }, tzids, options);
  const text = head + fragments.join('') + tail;
  t.notMatch(text, /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/, 'no control characters');
  t.match(text, /\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H30M\r\nX-PUBLISHED-TTL:PT1H30M\r\nBEGIN:VTIMEZONE\r\n/, 'calendar properties before the first component');
  t.match(text, /\r\nDTSTART:20190911T100000Z\r\n/, 'a UTC meeting is written in UTC');
  t.match(text, /\r\nDTSTART;TZID=Atlantic\/Faroe:20240701T100000\r\n/);
  t.match(text, /\r\nTZID:Atlantic\/Faroe\r\n/);
  t.match(text, /\r\nSOURCE;VALUE=URI:http:\/\/127\.0\.0\.1:3000\/feeds\/test\.ics\r\n/);
  const cal = new ICAL.Component(ICAL.parse(text));
  const parsed = cal.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
  t.equal(parsed.find((e) => e.uid === 'faroe@x')!.startDate.toJSDate().toISOString(), '2024-07-01T09:00:00.000Z');
  t.equal(parsed.find((e) => e.uid === 'ctl@x')!.summary, 'AFLYST: Styretegn');
  t.equal(parsed.find((e) => e.uid === 'ctl@x')!.component.getFirstPropertyValue('status'), 'CANCELLED');
  t.equal(parsed.find((e) => e.uid === 'ctl@x')!.sequence, 3);

  // A wall time that occurs twice (the autumn change) is written in UTC, as its first occurrence.
  const twice = content({ date: '2024-10-27', startTime: '02:30', endTime: '03:30' });
  t.equal(eventTzid(twice), null);
  t.match(renderFragment({ uid: 'dst@x', createdAt: '2024-01-01T00:00:00.000Z', content: twice }, false, options), /\r\nDTSTART:20241027T003000Z\r\nDTEND:20241027T023000Z\r\n/);

  // An empty feed is still a valid calendar; a personal feed (secret address) has no SOURCE.
  const empty = calendarFrame({ path: null, name: 'Tom', description: 'Tom' }, [], { ...options, feedTtlMinutes: 60 }).join('');
  t.match(empty, /\r\nX-PUBLISHED-TTL:PT1H\r\nEND:VCALENDAR\r\n$/);
  t.notMatch(empty, /SOURCE/);
});

t.test('scope plan: a feed keeps what leaves it as cancelled, with a SEQUENCE of its own that only grows', async (t) => {
  const now = '2024-03-01T00:00:00.000Z';
  const row = (scope: string, sequence: number, present: number): FeedScopeEventRow => ({ scope, uid: 'u', meetingId: 'm', sequence, present, changedAt: '2024-01-01T00:00:00.000Z' });
  const event = (sequence: number, changed: boolean) => ({ uid: 'u', meetingId: 'm', sequence, changed });
  t.same(planScopes(event(0, true), [], ['a', 'b'], now), [
    { insert: { scope: 'a', uid: 'u', meetingId: 'm', sequence: 0, present: 1, changedAt: now } },
    { insert: { scope: 'b', uid: 'u', meetingId: 'm', sequence: 0, present: 1, changedAt: now } },
  ]);
  t.same(planScopes(event(2, false), [row('a', 2, 1)], ['a'], now), [], 'nothing changed: nothing written');
  t.same(planScopes(event(3, true), [row('a', 2, 1)], ['a'], now), [{ update: { scope: 'a', uid: 'u' }, set: { sequence: 3, present: 1, changedAt: now } }]);
  // Left (a registration cancelled): the event did not change, the feed still announces a higher SEQUENCE.
  t.same(planScopes(event(2, false), [row('p', 2, 1)], [], now), [{ update: { scope: 'p', uid: 'u' }, set: { sequence: 3, present: 0, changedAt: now } }]);
  t.same(planScopes(event(5, true), [row('p', 3, 0)], [], now), [], 'already left: its cancellation stands');
  // Back: higher than what the feed last showed, and never below the event's own.
  t.same(planScopes(event(2, false), [row('p', 3, 0)], ['p'], now), [{ update: { scope: 'p', uid: 'u' }, set: { sequence: 4, present: 1, changedAt: now } }]);
  t.same(planScopes(event(9, true), [row('p', 3, 0)], ['p'], now), [{ update: { scope: 'p', uid: 'u' }, set: { sequence: 9, present: 1, changedAt: now } }]);
  t.same(scopeOfKey(scopeKey({ kind: 'theme', slug: 'n', key: 'k/x' })), { kind: 'theme', slug: 'n', key: 'k/x' });
  for (const scope of [{ kind: 'network', slug: 'n' }, { kind: 'meeting', id: 'm', items: true }, { kind: 'track', id: 't' }, { kind: 'cluster', id: 'c' }, { kind: 'personal', participantId: 'p' }] as const) {
    t.same(scopeOfKey(scopeKey(scope)), scope);
  }
  t.throws(() => scopeOfKey('nope:x'));
  t.equal(feedPath({ kind: 'meeting', id: 'x', items: false }), '/feeds/meetings/x.ics');
});

t.test('content codings: brotli, then gzip, by q-value', async (t) => {
  t.equal(chooseEncoding(undefined), 'identity');
  t.equal(chooseEncoding(''), 'identity');
  t.equal(chooseEncoding('gzip, deflate, br'), 'br');
  t.equal(chooseEncoding('gzip'), 'gzip');
  t.equal(chooseEncoding('br;q=0, gzip'), 'gzip');
  t.equal(chooseEncoding('gzip;q=0.5, br;q=0.4'), 'gzip');
  t.equal(chooseEncoding('*'), 'br');
  t.equal(chooseEncoding('identity'), 'identity');
  t.equal(chooseEncoding('x-gzip'), 'gzip');
  t.equal(chooseEncoding('gzip;q=0, br;q=0'), 'identity');
  t.equal(chooseEncoding('gzip;q=zz'), 'identity', 'a broken q-value refuses');
});

t.test('publisher and cache: built once per change, hits served from memory, cancellations drop after 30 days, bounded in bytes', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => closeDatabase(db));
  seedIfEmpty(db);
  let now = Date.now();
  const built: string[] = [];
  const render = { publicBaseUrl: 'http://x.test', feedTtlMinutes: 60, clock: () => now };
  const bodies = feedBodies(db, render);
  const cache = feedCache(bodies, { maxBytes: 64 * 1024, cacheControl: () => 'no-cache', clock: () => now });
  const publisher = feedPublisher(db, bodies, {
    ...render,
    onBody: (scope, b) => {
      built.push(scope);
      cache.update(scope, b);
    },
  });
  publisher.checkSettings();
  t.equal(publisher.drain(), false, 'everything published');
  t.equal(publisher.pending(), false);
  const net = `network:${SEED_SLUG}`;
  const first = cache.get(net) as ServedFeed;
  t.equal(cache.get(net), first);
  t.match(cache.stats, { loads: 1, hits: 1, builds: 0 });
  t.equal(first.variants.gzip.headers['content-encoding'], 'gzip');
  t.equal(gunzipSync(first.variants.gzip.body!).toString(), cache.plain(first).toString());
  t.equal(brotliDecompressSync(first.variants.br!.body!).toString(), cache.plain(first).toString());
  t.equal(new Set(first.etags).size, 3, 'one ETag per coding');

  // A write that changes nothing a feed shows queues nothing.
  built.length = 0;
  db.update(meetings).set({ updatedAt: new Date().toISOString() }).run();
  t.equal(publisher.pending(), false);

  // A meeting is deleted: the feeds holding it are rebuilt (only those), it is announced as cancelled.
  const gone = db.select().from(meetings).where(eq(meetings.networkSlug, SEED_SLUG)).limit(1).get()!;
  db.delete(meetings).where(eq(meetings.id, gone.id)).run();
  t.equal(publisher.pending(), true);
  publisher.drain();
  t.same(built.sort(), [`meeting-items:${gone.id}`, `meeting:${gone.id}`, net].sort());
  const cancelled = cache.get(net) as ServedFeed;
  t.not(cancelled.etags[0], first.etags[0]);
  t.match(cache.plain(cancelled).toString(), /SUMMARY:AFLYST: /);
  t.ok(cancelled.expiresAtMs < Infinity);
  // 31 days later the poll builds it without the cancellation (in memory); the publisher stores it.
  now += CANCELLED_KEEP_MS + 1000;
  const pruned = cache.get(net) as ServedFeed;
  t.notMatch(cache.plain(pruned).toString(), /AFLYST/);
  t.ok(pruned.lastModifiedMs > cancelled.lastModifiedMs, 'Last-Modified moves forward');
  t.equal(cache.stats.builds, 1);
  t.ok(publisher.queueExpired() >= 1);
  publisher.drain();
  t.equal(bodies.stored(net)!.etag, pruned.etags[0], 'stored as the poll built it');

  // Bounded in bytes: least recently used out first.
  const small = feedCache(bodies, { maxBytes: first.bytes + 10, cacheControl: () => 'no-cache', clock: () => now });
  small.get(net);
  small.get(`theme:${SEED_SLUG}/aktuelt`);
  t.ok(small.bytes() <= first.bytes + 10);
  t.equal(small.stats.evictions, 1);
  t.match(small.get('network:nope'), { status: 404, detail: "Network 'nope' does not exist" });
  t.match(cache.get('personal:nobody'), { status: 404 });
  cache.clear();
  t.equal(cache.bytes(), 0);
  t.ok(db.select().from(feedEvents).all().length >= 3);
});

t.test('drainer: a write publishes within its budget, the rest in background slices, a failure stays queued', async (t) => {
  const errors: unknown[] = [];
  const log = { error: (o: unknown) => errors.push(o) } as unknown as FastifyBaseLogger;
  let queued = 5;
  let failNext = false;
  const publisher = {
    pending: () => queued > 0,
    queueExpired: () => 0,
    // One entry per call, as if each took the whole budget.
    drain: () => {
      if (failNext) {
        failNext = false;
        throw new Error('disk full');
      }
      queued = Math.max(0, queued - 1);
      return queued > 0;
    },
  } as unknown as FeedPublisher;
  const drainer = feedDrainer(publisher, log);
  t.teardown(() => drainer.stop());
  drainer.drainNow();
  t.equal(queued, 4, 'the write published what fitted in its budget');
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.equal(queued, 0, 'the rest was published in background slices');

  queued = 2;
  failNext = true;
  drainer.drainNow();
  t.equal(errors.length, 1, 'a failed publication is logged');
  t.equal(queued, 2, '…and its work stays queued');
  drainer.drainSoon();
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.equal(queued, 0, 'and is done on the next round');
});

t.test('foldLines folds exactly as ical-generator does, at 75 octets, never inside a character', async (t) => {
  const pieces = ['a', 'æ', 'ø', 'Å', '€', '–', '中', '😀', '👩‍👩‍👧', '\ud800', '\udc00', ' ', ';', ',', '\\n', 'é'];
  // A fixed pseudo-random sequence (no Math.random: the same inputs every run).
  let seed = 20261203;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
  const inputs = [
    '',
    'x'.repeat(74),
    'x'.repeat(75),
    'x'.repeat(300),
    `SUMMARY:${'æøå'.repeat(40)}`,
    `DESCRIPTION:${'x'.repeat(73)}😀tail`,
    `LOCATION:${'x'.repeat(72)}€€`,
    'BEGIN:VEVENT\r\nUID:a\r\nEND:VEVENT',
  ];
  for (let n = 0; n < 400; n++) {
    const lines: string[] = [];
    for (let l = next() % 4; l >= 0; l--) {
      let line = 'DESCRIPTION:';
      for (let c = next() % 160; c > 0; c--) line += pieces[next() % pieces.length];
      lines.push(line);
    }
    inputs.push(lines.join('\r\n'));
  }
  let differ = 0;
  for (const input of inputs) if (foldLines(input) !== libraryFoldLines(input)) differ++;
  t.equal(differ, 0, `the same folding as ical-generator for all ${inputs.length} inputs`);
  const folded = foldLines(`SUMMARY:${'æ'.repeat(100)}`);
  for (const line of folded.split('\r\n')) t.ok(Buffer.byteLength(line) <= 75, `a folded line has at most 75 octets (${Buffer.byteLength(line)})`);
  t.equal(folded.replace(/\r\n /g, ''), `SUMMARY:${'æ'.repeat(100)}`, 'unfolding gives the line back');
});
