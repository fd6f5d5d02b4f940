// Feed bodies in pieces (feed_scope_chunks): a change to one meeting re-assembles that meeting's piece in
// each feed and nothing else, the body put together from kept pieces is byte for byte the body assembled
// from scratch, and a poll that has to build a body keeps nothing.
import { gunzipSync } from 'node:zlib';
import t from 'tap';
import { SEED_SLUG } from '../db/seed-data.js';
import { feedBodies } from '../server/feeds/feed-bodies.js';
import { makeApp, ok, type TestApp } from './helpers.js';

interface ChunkRow {
  scope: string;
  meeting_id: string;
  text: Buffer;
  rowid: number;
}

const chunksOf = (a: TestApp, scope: string) =>
  a.app.db.$client.prepare('SELECT rowid, scope, meeting_id, text FROM feed_scope_chunks WHERE scope = ? ORDER BY meeting_id').all(scope) as ChunkRow[];

/** The body of a scope assembled from nothing but stored fragments (no kept pieces), read-only. */
function fromScratch(a: TestApp, scope: string): Buffer {
  const sql = a.app.db.$client;
  const bodies = feedBodies(a.app.db, { publicBaseUrl: a.app.config.publicBaseUrl, feedTtlMinutes: a.app.config.feedTtlMinutes });
  sql.exec('SAVEPOINT scratch');
  try {
    sql.prepare('DELETE FROM feed_scope_chunks WHERE scope = ?').run(scope);
    const built = bodies.build(scope);
    if (!('plain' in built)) throw new Error(`no body for ${scope}`);
    t.equal(chunksOf(a, scope).length, 0, `${scope}: building without keeping stores no piece`);
    return built.plain ?? gunzipSync(built.gzip);
  } finally {
    sql.exec('ROLLBACK TO scratch; RELEASE scratch');
  }
}

/** A network with a theme and three announced, released days, each with two items on the theme. */
async function days(a: TestApp) {
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'stykker', name: 'Netværk i stykker' } }), 201);
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/stykker/themes', payload: { key: 'aktuelt', name: 'Aktuelt' } }), 201);
  const meetings: string[] = [];
  for (const date of ['2030-09-11', '2031-01-16', '2031-06-03']) {
    const m = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/stykker/meetings', payload: { title: `Møde ${date}`, date, startTime: '10:00', endTime: '16:00', status: 'announced' } }), 201);
    for (const [start, end] of [['10:00', '11:00'], ['13:00', '14:00']]) {
      ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { startTime: start, endTime: end, title: `Oplæg ${start} – æøå`, kind: 'presentation', themes: ['aktuelt'] } }), 201);
    }
    ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/releases`, payload: { note: 'første' } }), 201);
    meetings.push(m.id);
  }
  return meetings;
}

t.test('one meeting changes: its piece is assembled again, the others are kept, the body is as if built anew', async (t) => {
  const a = await makeApp(t);
  const meetings = await days(a);
  const themeScope = 'theme:stykker/aktuelt';
  const themeUrl = '/feeds/networks/stykker/themes/aktuelt.ics';
  const networkScope = 'network:stykker';
  const networkUrl = '/feeds/networks/stykker.ics';

  const before = chunksOf(a, themeScope);
  t.equal(before.length, 3, 'the theme feed is in three pieces, one per meeting');
  t.same((await a.app.inject({ url: themeUrl })).rawPayload, fromScratch(a, themeScope), 'theme feed: kept pieces = from scratch');
  t.same((await a.app.inject({ url: networkUrl })).rawPayload, fromScratch(a, networkScope), 'network feed: kept pieces = from scratch');

  // An item on the theme in one meeting gets a new title, and the meeting is released.
  const changed = before[0]!.meeting_id;
  const items = ok(t, await a.as({ url: `/api/v1/meetings/${changed}/items?theme=aktuelt&limit=1` })).data as { id: string }[];
  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/items/${items[0]!.id}`, payload: { title: 'Nyt om økonomiaftalen – Ærø' } }));
  ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${changed}/releases`, payload: { note: 'ændring' } }), 201);

  const after = chunksOf(a, themeScope);
  t.equal(after.length, before.length);
  for (const piece of after) {
    const old = before.find((b) => b.meeting_id === piece.meeting_id)!;
    if (piece.meeting_id === changed) {
      t.match(piece.text.toString('utf8'), /Nyt om økonomiaftalen – Ærø/, 'the changed meeting’s piece holds the new title');
      t.notSame(piece.text, old.text);
    } else {
      t.equal(piece.rowid, old.rowid, `${piece.meeting_id}: piece kept, not written again`);
      t.same(piece.text, old.text);
    }
  }
  const body = (await a.app.inject({ url: themeUrl })).rawPayload;
  t.match(body.toString('utf8'), /Nyt om økonomiaftalen – Ærø/);
  t.same(body, fromScratch(a, themeScope), 'after the change too: kept pieces = from scratch');
  t.equal(meetings.length, 3);
});

t.test('a meeting cancelled: its piece carries the cancellation and when it drops out', async (t) => {
  const a = await makeApp(t, { seed: true });
  const networkScope = `network:${SEED_SLUG}`;
  const before = chunksOf(a, networkScope);
  const target = before[0]!.meeting_id;
  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/meetings/${target}`, payload: { status: 'cancelled' } }));
  const row = a.app.db.$client
    .prepare('SELECT text, expires_at_ms FROM feed_scope_chunks WHERE scope = ? AND meeting_id = ?')
    .get(networkScope, target) as { text: Buffer; expires_at_ms: number | null };
  t.match(row.text.toString('utf8'), /STATUS:CANCELLED/);
  t.ok(row.expires_at_ms !== null && row.expires_at_ms > Date.now() + 29 * 86_400_000, 'drops out in 30 days');
  t.same((await a.app.inject({ url: `/feeds/networks/${SEED_SLUG}.ics` })).rawPayload, fromScratch(a, networkScope));
});
