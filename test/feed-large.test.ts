// A large feed (over LARGE_FEED_BYTES) is never put together in one buffer: its gzip encoding is made piece by
// piece and is all that is kept, in memory and in the database; a client that asks for no compression gets it
// decoded as it is sent, byte for byte the feed. The gzip member is checked by an independent decoder too
// (the gzip program, where the machine has it).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { gunzipSync, inflateRawSync } from 'node:zlib';
import t from 'tap';
import { gzipDecodedLength, gzipOfPieces, LARGE_FEED_BYTES, strongEtag } from '../server/feeds/feed-bodies.js';
import { chooseEncoding, type ServedFeed } from '../server/feeds/feed-cache.js';
import { makeApp, ok } from './helpers.js';

const gzipProgram = ['/usr/bin/gzip', '/bin/gzip'].find((p) => existsSync(p));

t.test('gzipOfPieces: one gzip member that decodes to the pieces put together', async (t) => {
  const text = (n: number, seed: string) => Buffer.from(`${seed} æøå ÆØÅ – `.repeat(Math.ceil(n / 20)).slice(0, n), 'utf8');
  const cases: [string, Buffer[]][] = [
    ['nothing', []],
    ['empty pieces only', [Buffer.alloc(0), Buffer.alloc(0)]],
    ['one small piece', [text(100, 'a')]],
    ['many small pieces (gathered in runs)', Array.from({ length: 500 }, (_, i) => text(300 + (i % 7), `møde ${i}`))],
    ['a large piece between small ones', [text(50, 'x'), text(300_000, 'stor'), Buffer.alloc(0), text(70_000, 'y'), text(10, 'z')]],
    ['incompressible bytes', [randomBytes(100_000), randomBytes(65_536), randomBytes(3)]],
  ];
  for (const [name, pieces] of cases) {
    const whole = Buffer.concat(pieces);
    const gz = gzipOfPieces(pieces);
    t.same(gunzipSync(gz), whole, `${name}: Node's gunzip`);
    // A single member: the raw deflate stream between header and trailer ends where the trailer begins.
    t.same(inflateRawSync(gz.subarray(10, gz.length - 8)), whole, `${name}: one deflate stream`);
    t.equal(gzipDecodedLength(gz), whole.length, `${name}: ISIZE`);
    t.equal(strongEtag(...pieces), strongEtag(whole), `${name}: the ETag of the pieces is the ETag of the whole`);
    if (gzipProgram) t.same(execFileSync(gzipProgram, ['-dc'], { input: gz, maxBuffer: 64 * 1024 * 1024 }), whole, `${name}: the gzip program`);
  }
  t.ok(gzipOfPieces([text(1_000_000, 'gentaget')]).length < 100_000, 'repetitive text still compresses');
});

t.test('chooseEncoding without brotli: gzip where accepted, else none', async (t) => {
  t.equal(chooseEncoding('gzip, br', false), 'gzip');
  t.equal(chooseEncoding('br;q=1, gzip;q=0.5', false), 'gzip');
  t.equal(chooseEncoding('br', false), 'identity', 'brotli only: plain, never an encoding the client refused');
  t.equal(chooseEncoding('br', true), 'br');
  t.equal(chooseEncoding('gzip, br', true), 'br');
});

t.test('a large feed: gzip only, plain decoded as it is sent', async (t) => {
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
  t.equal(Number(plain.headers['content-length']), plain.rawPayload.length, 'Content-Length is what was sent');
  t.equal((plain.payload.match(/^BEGIN:VEVENT/gm) ?? []).length, 60);
  t.match(plain.payload, /^BEGIN:VCALENDAR\r\n/);
  t.match(plain.payload, /END:VCALENDAR\r\n$/);
  t.match(plain.payload, /Økonomiaftalen for kommunerne på Ærø og i Århus/);
  t.equal(plain.headers.etag, strongEtag(plain.rawPayload), 'the ETag is the plain bytes’ own');

  const entry = a.app.feeds.cache.get('theme:stor/aktuelt') as ServedFeed;
  t.equal(entry.variants.identity.body, null, 'the plain bytes are not held in memory');
  t.equal(entry.variants.br, undefined, 'no brotli for a large feed');
  t.equal(entry.bytes, entry.variants.gzip.body!.length, 'the cache counts what it holds: the gzip bytes');
  t.equal(entry.etags.length, 2, 'two encodings, two ETags');
  const row = a.app.db.$client.prepare('SELECT length(plain) AS plain, length(gzip) AS gzip, length(br) AS br FROM feed_bodies WHERE scope = ?').get('theme:stor/aktuelt') as Record<string, number>;
  t.same({ plain: row.plain, br: row.br }, { plain: 0, br: 0 }, 'the database holds the gzip bytes only');
  t.equal(row.gzip, entry.variants.gzip.body!.length);

  const gz = await a.app.inject({ url, headers: { 'accept-encoding': 'gzip, br' } });
  t.equal(gz.headers['content-encoding'], 'gzip', 'a client that prefers brotli gets gzip');
  t.same(gunzipSync(gz.rawPayload), plain.rawPayload, 'gzip decodes to the plain bytes');
  if (gzipProgram) t.same(execFileSync(gzipProgram, ['-dc'], { input: gz.rawPayload, maxBuffer: 64 * 1024 * 1024 }), plain.rawPayload, 'and so says the gzip program');
  const brOnly = await a.app.inject({ url, headers: { 'accept-encoding': 'br' } });
  t.equal(brOnly.headers['content-encoding'], undefined, 'brotli only: plain');
  t.same(brOnly.rawPayload, plain.rawPayload);

  const head = await a.app.inject({ method: 'HEAD', url });
  t.equal(head.statusCode, 200);
  t.equal(head.headers['content-length'], String(plain.rawPayload.length));
  t.equal(head.rawPayload.length, 0);
  const revalidated = await a.app.inject({ url, headers: { 'if-none-match': String(plain.headers.etag) } });
  t.equal(revalidated.statusCode, 304);

  // After a restart the stored gzip bytes are served as they were (same ETag, same bytes).
  a.app.feeds.cache.clear();
  const reloaded = await a.app.inject({ url, headers: { 'accept-encoding': 'gzip' } });
  t.equal(reloaded.headers.etag, gz.headers.etag);
  t.same(reloaded.rawPayload, gz.rawPayload);
  a.app.feeds.cache.clear();
  const reloadedPlain = await a.app.inject({ url });
  t.equal(reloadedPlain.headers['content-length'], String(plain.rawPayload.length), 'the plain length from the stored gzip');
  t.same(reloadedPlain.rawPayload, plain.rawPayload);

  // A change: a new ETag and the new text, in both encodings.
  const someItem = ok(t, await a.as({ url: '/api/v1/networks/stor/meetings?limit=1' })).data as { id: string }[];
  const items = ok(t, await a.as({ url: `/api/v1/meetings/${someItem[0]!.id}/items?limit=1` })).data as { id: string }[];
  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/items/${items[0]!.id}`, payload: { title: 'Ny titel – Ærø' } }));
  ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${someItem[0]!.id}/releases`, payload: { note: 'ændret' } }), 201);
  const changed = await a.app.inject({ url, headers: { 'if-none-match': String(plain.headers.etag) } });
  t.equal(changed.statusCode, 200);
  t.not(changed.headers.etag, plain.headers.etag);
  t.match(changed.payload, /Ny titel – Ærø/);
  t.equal(Number(changed.headers['content-length']), changed.rawPayload.length);
  const changedGz = await a.app.inject({ url, headers: { 'accept-encoding': 'gzip' } });
  t.same(gunzipSync(changedGz.rawPayload), changed.rawPayload);
});

t.test('a large feed stored before this change (plain and brotli in the table) is still served', async (t) => {
  const a = await makeApp(t);
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'gammel', name: 'Gammelt netværk' } }), 201);
  const scope = 'network:gammel';
  const built = a.app.feeds.cache.get(scope) as ServedFeed;
  // What the previous version stored for a large feed: every encoding, the plain bytes in the table.
  const big = Buffer.concat([Buffer.from('BEGIN:VCALENDAR\r\n'), Buffer.alloc(LARGE_FEED_BYTES + 10, 'X'), Buffer.from('END:VCALENDAR\r\n')]);
  const { gzipSync, brotliCompressSync } = await import('node:zlib');
  a.app.db.$client
    .prepare('UPDATE feed_bodies SET etag = ?, plain = ?, gzip = ?, br = ? WHERE scope = ?')
    .run(strongEtag(big), big, gzipSync(big), brotliCompressSync(big), scope);
  t.ok(built);
  a.app.feeds.cache.clear();
  const plain = await a.app.inject({ url: '/feeds/networks/gammel.ics' });
  t.equal(plain.headers['content-length'], String(big.length));
  t.same(plain.rawPayload, big);
  const br = await a.app.inject({ url: '/feeds/networks/gammel.ics', headers: { 'accept-encoding': 'br' } });
  t.equal(br.headers['content-encoding'], 'br', 'its brotli bytes are still served');
});
