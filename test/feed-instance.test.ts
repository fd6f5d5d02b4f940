// Feed polls over a real socket reach the feeds' own Fastify instance (server/feeds/feed-instance.ts), not
// the service's routes that `app.inject` uses: both must answer alike, byte for byte. And the service's HTTP
// server (server/http/http-server.ts): Connection: close on feeds once shutdown begins, inactive
// connections closed by its sweep while active ones stay.
import { request } from 'node:http';
import net from 'node:net';
import t from 'tap';
import { SEED_SLUG } from '../db/seed-data.js';
import { serviceServer } from '../server/http/http-server.js';
import { makeApp } from './helpers.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The headers both paths must agree on (Date, Connection and Keep-Alive belong to the socket). */
const comparable = (h: Record<string, unknown>) => {
  const { date, connection, 'keep-alive': _k, 'transfer-encoding': _t, ...rest } = h;
  void date;
  void connection;
  return rest;
};

t.test('a real socket and app.inject answer feed requests alike: 200, encodings, 304, HEAD, 404s and 400s', async (t) => {
  const ctx = await makeApp(t, { seed: true, corsOrigins: ['https://kalender.example'] });
  const { app, as } = ctx;
  const participant = (
    await as({ method: 'POST', url: `/api/v1/networks/${SEED_SLUG}/participants`, payload: { name: 'Søren Ødegård', email: 'soeren@example.dk', municipalityCode: 461 } })
  ).json();
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as net.AddressInfo;

  const network = `/feeds/networks/${SEED_SLUG}.ics`;
  const full = await get(port, network, { 'accept-encoding': 'gzip, deflate, br' });
  const etag = String(full.headers.etag);
  const cases: [string, string, Record<string, string>, string?][] = [
    ['network feed, identity', network, {}],
    ['network feed, br', network, { 'accept-encoding': 'gzip, deflate, br' }],
    ['network feed, gzip', network, { 'accept-encoding': 'gzip' }],
    ['network feed, 304 by ETag', network, { 'accept-encoding': 'gzip, deflate, br', 'if-none-match': etag }],
    ['network feed, 304 by date', network, { 'if-modified-since': String(full.headers['last-modified']) }],
    ['network feed, HEAD', network, {}, 'HEAD'],
    ['network feed, trailing slash', `${network}/`, {}],
    ['network feed, CORS origin', network, { origin: 'https://kalender.example' }],
    ['personal feed', new URL(participant.feed.https).pathname, {}],
    ['unknown personal secret: 404', '/feeds/personal/ikke-en-hemmelighed.ics', {}],
    ['unknown network: 404', '/feeds/networks/findes-ikke.ics', {}],
    ['unknown feed route: 404', '/feeds/kommuner/492.ics', {}],
    ['slug too long: 400', `/feeds/networks/${'a'.repeat(150)}.ics`, {}],
    ['malformed percent-encoding: 400', '/feeds/networks/%E0%A4%A.ics', {}],
    ['meeting feed with a bad query: 400', '/feeds/meetings/mtg_x.ics?items=maybe', {}],
  ];
  for (const [name, path, headers, method = 'GET'] of cases) {
    const real = await get(port, path, headers, method);
    const injected = await app.inject({ method: method as 'GET' | 'HEAD', url: path, headers });
    t.equal(real.status, injected.statusCode, `${name}: status`);
    t.same(comparable(real.headers), comparable(injected.headers), `${name}: headers`);
    t.ok(real.body.equals(injected.rawPayload), `${name}: the same bytes`);
  }
  t.equal(full.status, 200);
  t.equal(full.headers['content-encoding'], 'br');
  t.equal(full.headers['x-content-type-options'], 'nosniff');

  // The service's own routes are still the service's.
  const health = await get(port, '/healthz');
  t.equal(health.status, 200);
  t.equal(JSON.parse(health.body.toString('utf8')).status, 'ok');
});

t.test('feed polls on a real socket are logged at debug, not at info; feed errors still reach the log', async (t) => {
  for (const [level, expectPollLine] of [
    ['info', false],
    ['debug', true],
  ] as const) {
    const lines: string[] = [];
    const { buildApp } = await import('../server/app.js');
    const { testConfig } = await import('../server/config.js');
    const { Writable } = await import('node:stream');
    const logStream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const app = await buildApp(testConfig({ seed: true, logLevel: level }), { logStream });
    t.teardown(() => app.close());
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as net.AddressInfo;
    const before = lines.length;
    t.equal((await get(port, `/feeds/networks/${SEED_SLUG}.ics`)).status, 200);
    const logged = lines.slice(before).some((l) => l.includes('/feeds/networks/'));
    t.equal(logged, expectPollLine, `LOG_LEVEL=${level}: ${expectPollLine ? 'a line per poll' : 'no line per poll'}`);
  }
});

t.test('the service server: feeds get Connection: close once shutdown begins; inactive sockets are closed', async (t) => {
  const server = serviceServer({ inactivityMs: 60, requestTimeoutMs: 5_000, keepAliveTimeoutMs: 5_000, closingGraceMs: 200 });
  const http = server.serverFactory((_req, res) => res.end('service'));
  server.useFeeds((_req, res) => res.end('feeds'));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => http.close(() => resolve())));
  const { port } = http.address() as net.AddressInfo;

  const feed = await get(port, '/feeds/networks/x.ics', { connection: 'keep-alive' });
  t.equal(feed.body.toString(), 'feeds', 'feed requests go to the feeds');
  t.equal(feed.headers.connection, 'keep-alive');
  t.equal((await get(port, '/api/v1/networks')).body.toString(), 'service', 'the rest to the service');
  t.equal((await get(port, '/xfeeds/networks/x.ics')).body.toString(), 'service');

  // A client that connects and sends nothing is cut off after the inactivity limit…
  const idle = net.connect(port, '127.0.0.1');
  const started = Date.now();
  await new Promise<void>((resolve) => idle.on('close', () => resolve()));
  t.ok(Date.now() - started >= 60, 'not before the limit');
  // …one that keeps sending (a slow request) is not.
  const slow = net.connect(port, '127.0.0.1');
  let closedEarly = false;
  slow.on('close', () => (closedEarly = true));
  const line = 'GET /api/v1/networks HTTP/1.1\r\nHost: x\r\n';
  for (const ch of line) {
    slow.write(ch);
    await new Promise((r) => setTimeout(r, 8));
  }
  t.equal(closedEarly, false, 'a connection that keeps sending stays open');
  const answer = new Promise<string>((resolve) => slow.once('data', (d: Buffer) => resolve(d.toString())));
  slow.write('\r\n');
  t.match(await answer, /^HTTP\/1\.1 200/);
  slow.destroy();

  server.beginClosing();
  const closing = await get(port, '/feeds/networks/x.ics', { connection: 'keep-alive' });
  t.equal(closing.headers.connection, 'close', 'once closing, feed answers tell the client to go');
});
