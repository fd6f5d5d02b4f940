// How feeds are published: on write, before the write is answered (small changes) or entry by entry right
// after (a network-wide change); a poll writes nothing; work queued before a crash is done at the next start;
// bodies go out gzip- or brotli-compressed with an ETag per coding.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import ICAL from 'ical.js';
import t from 'tap';
import { SEED_SLUG } from '../db/seed-data.js';
import { buildApp } from '../server/app.js';
import { createToken } from '../server/auth/tokens.js';
import { testConfig } from '../server/config.js';
import { makeApp, ok } from './helpers.js';

const NET = `/feeds/networks/${SEED_SLUG}.ics`;

const organizers = (body: string) =>
  new ICAL.Component(ICAL.parse(body)).getAllSubcomponents('vevent').map((v) => ({
    uid: String(v.getFirstPropertyValue('uid')),
    sequence: Number(v.getFirstPropertyValue('sequence')),
    organizer: v.getFirstProperty('organizer')?.getParameter('cn'),
  }));

t.test('a poll writes nothing; a write publishes before it is answered', async (t) => {
  const a = await makeApp(t, { seed: true });
  const sql = a.app.db.$client;
  const changes = () => sql.prepare('SELECT total_changes()').pluck().get() as number;
  await a.app.inject({ url: NET });
  const before = changes();
  for (const url of [NET, `${NET}?x=1`, `/feeds/networks/${SEED_SLUG}/themes/aktuelt.ics`, '/feeds/networks/nope.ics']) {
    await a.app.inject({ url });
    await a.app.inject({ method: 'HEAD', url });
  }
  t.equal(changes(), before, 'polls (hits, misses, 404s, HEAD) write nothing');

  const meeting = ok(t, await a.as({ url: `/api/v1/networks/${SEED_SLUG}/meetings?limit=1` })).data[0];
  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/meetings/${meeting.id}`, payload: { title: 'Netværksmøde i Odense' } }));
  t.equal(sql.prepare('SELECT count(*) FROM feed_queue').pluck().get(), 0, 'nothing left queued once the write is answered');
  t.match((await a.app.inject({ url: NET })).body, /SUMMARY:Netværksmøde i Odense/);
});

t.test('a network-wide change (a new organiser) is published meeting by meeting', async (t) => {
  const a = await makeApp(t, { seed: true });
  const before = organizers((await a.app.inject({ url: NET })).body);
  t.equal(before.length, 3);
  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/networks/${SEED_SLUG}`, payload: { organiser: { name: 'KL Børn og Unge' } } }));
  a.app.feeds.publisher.drain();
  const after = organizers((await a.app.inject({ url: NET })).body);
  t.same(after.map((e) => e.organizer), ['KL Børn og Unge', 'KL Børn og Unge', 'KL Børn og Unge']);
  for (const e of after) t.equal(e.sequence, before.find((b) => b.uid === e.uid)!.sequence + 1, `${e.uid}: a higher SEQUENCE`);
});

t.test('work queued before a stop is done at the next start', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netagenda-queue-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const databasePath = join(dir, 'db.sqlite');
  const first = await buildApp(testConfig({ databasePath, seed: true }));
  const original = (await first.inject({ url: NET })).body;
  // A write whose publication did not happen (the process stopped between commit and drain).
  first.db.$client.prepare(`UPDATE meetings SET title = 'Flyttet møde' WHERE id = (SELECT id FROM meetings WHERE network_slug = ? ORDER BY date LIMIT 1)`).run(SEED_SLUG);
  t.equal(first.db.$client.prepare('SELECT count(*) FROM feed_queue').pluck().get(), 1, 'the trigger queued it with the write');
  first.feeds.publisher.pending = () => false; // the drain after the write never runs
  await first.close();

  const second = await buildApp(testConfig({ databasePath }));
  t.teardown(() => second.close());
  await new Promise((resolve) => setTimeout(resolve, 50)); // the background drain at start
  const now = (await second.inject({ url: NET })).body;
  t.not(now, original);
  t.match(now, /SUMMARY:Flyttet møde/);
  t.equal(second.db.$client.prepare('SELECT count(*) FROM feed_queue').pluck().get(), 0);
});

t.test('compressed once per change: gzip and brotli with their own ETags, 304 for each', async (t) => {
  const a = await makeApp(t, { seed: true });
  const plain = await a.app.inject({ url: NET });
  t.equal(plain.headers['content-encoding'], undefined);
  t.equal(plain.headers.vary, 'Accept-Encoding');
  for (const [accept, coding, decode] of [
    ['gzip', 'gzip', gunzipSync],
    ['gzip, deflate, br', 'br', brotliDecompressSync],
    ['br;q=0.5, gzip;q=1', 'gzip', gunzipSync],
  ] as const) {
    const res = await a.app.inject({ url: NET, headers: { 'accept-encoding': accept } });
    t.equal(res.headers['content-encoding'], coding, accept);
    t.equal(decode(res.rawPayload).toString('utf8'), plain.body, `${coding}: the same calendar`);
    t.not(res.headers.etag, plain.headers.etag, 'an ETag of its own');
    t.equal(res.headers['last-modified'], plain.headers['last-modified']);
    const again = await a.app.inject({ url: NET, headers: { 'accept-encoding': accept, 'if-none-match': String(res.headers.etag) } });
    t.equal(again.statusCode, 304);
    t.equal(again.headers.etag, res.headers.etag);
    t.equal(again.headers['x-content-type-options'], 'nosniff');
  }
  // An ETag of another coding of the same content still means "not modified".
  const cross = await a.app.inject({ url: NET, headers: { 'accept-encoding': 'br', 'if-none-match': String(plain.headers.etag) } });
  t.equal(cross.statusCode, 304);
});

t.test('CORS on feeds follows CORS_ORIGINS', async (t) => {
  const app = await buildApp(testConfig({ seed: true, corsOrigins: ['https://intra.kommune.dk'] }));
  t.teardown(() => app.close());
  createToken(app.db, { name: 'x', role: 'admin' });
  const allowed = await app.inject({ url: NET, headers: { origin: 'https://intra.kommune.dk' } });
  t.equal(allowed.headers['access-control-allow-origin'], 'https://intra.kommune.dk');
  t.equal(allowed.headers.vary, 'Origin, Accept-Encoding');
  const other = await app.inject({ url: NET, headers: { origin: 'https://evil.example' } });
  t.equal(other.headers['access-control-allow-origin'], undefined);
});
