// A large feed (over LARGE_FEED_BYTES) keeps only its compressed bytes in memory; its plain bytes stay in
// the database and go out, byte for byte the same, to a client that asks for no compression.
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import t from 'tap';
import { LARGE_FEED_BYTES } from '../server/feeds/feed-bodies.js';
import type { ServedFeed } from '../server/feeds/feed-cache.js';
import { makeApp, ok } from './helpers.js';

t.test('a large feed: compressed bytes in memory, the plain bytes from the database', async (t) => {
  const a = await makeApp(t);
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'stor', name: 'Stort netværk' } }), 201);
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/stor/themes', payload: { key: 'aktuelt', name: 'Aktuelt' } }), 201);
  // Three days of 20 quarter-hour items, each with a 10,000-character Danish description (2 bytes a letter).
  const description = 'Økonomiaftalen for kommunerne på Ærø og i Århus: '.padEnd(10_000, 'æøå ');
  for (const date of ['2030-09-11', '2031-01-16', '2031-06-03']) {
    const m = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/stor/meetings', payload: { title: `Møde ${date}`, date, startTime: '10:00', endTime: '16:00', status: 'announced' } }), 201);
    for (let i = 0; i < 20; i++) {
      const start = 10 * 60 + i * 15;
      const hhmm = (min: number) => `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
      const payload = { startTime: hhmm(start), endTime: hhmm(start + 15), title: `Punkt ${i + 1} – æøå`, description, kind: 'discussion', themes: ['aktuelt'] };
      ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload }), 201);
    }
    ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/releases`, payload: { note: 'udgivet' } }), 201);
  }

  const url = '/feeds/networks/stor/themes/aktuelt.ics';
  const plain = await a.app.inject({ url });
  t.equal(plain.statusCode, 200);
  t.equal(plain.headers['content-encoding'], undefined, 'no coding asked for, none used');
  t.ok(plain.rawPayload.length > LARGE_FEED_BYTES, `the feed is large (${plain.rawPayload.length} bytes)`);
  t.equal(Number(plain.headers['content-length']), plain.rawPayload.length);
  t.equal((plain.payload.match(/^BEGIN:VEVENT/gm) ?? []).length, 60);
  t.match(plain.payload, /Økonomiaftalen for kommunerne på Ærø og i Århus/);

  const entry = a.app.feeds.cache.get('theme:stor/aktuelt') as ServedFeed;
  t.equal(entry.variants.identity.body, null, 'the plain bytes are not held in memory');
  t.equal(entry.bytes, entry.variants.gzip.body!.length + entry.variants.br.body!.length, 'the cache counts what it holds');
  t.equal(entry.variants.identity.headers['content-length'], String(plain.rawPayload.length));

  const br = await a.app.inject({ url, headers: { 'accept-encoding': 'gzip, br' } });
  t.equal(br.headers['content-encoding'], 'br');
  t.same(brotliDecompressSync(br.rawPayload), plain.rawPayload, 'brotli decodes to the plain bytes');
  const gz = await a.app.inject({ url, headers: { 'accept-encoding': 'gzip' } });
  t.same(gunzipSync(gz.rawPayload), plain.rawPayload, 'gzip decodes to the plain bytes');

  const head = await a.app.inject({ method: 'HEAD', url });
  t.equal(head.statusCode, 200);
  t.equal(head.headers['content-length'], String(plain.rawPayload.length));
  t.equal(head.rawPayload.length, 0);
  const revalidated = await a.app.inject({ url, headers: { 'if-none-match': String(plain.headers.etag) } });
  t.equal(revalidated.statusCode, 304);

  // A change: the new plain bytes (from the database again) carry it, under a new ETag.
  const someItem = ok(t, await a.as({ url: '/api/v1/networks/stor/meetings?limit=1' })).data as { id: string }[];
  const items = ok(t, await a.as({ url: `/api/v1/meetings/${someItem[0]!.id}/items?limit=1` })).data as { id: string }[];
  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/items/${items[0]!.id}`, payload: { title: 'Ny titel – Ærø' } }));
  ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${someItem[0]!.id}/releases`, payload: { note: 'ændret' } }), 201);
  const changed = await a.app.inject({ url, headers: { 'if-none-match': String(plain.headers.etag) } });
  t.equal(changed.statusCode, 200);
  t.not(changed.headers.etag, plain.headers.etag);
  t.match(changed.payload, /Ny titel – Ærø/);
  t.equal(Number(changed.headers['content-length']), changed.rawPayload.length);
});
