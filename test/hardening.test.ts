// Hardening: security headers, CORS, rate limits, body limits, prototype keys, mass assignment, logs.
import { PassThrough } from 'node:stream';
import t from 'tap';
import { buildApp } from '../server/app.js';
import { createToken } from '../server/auth/tokens.js';
import { testConfig } from '../server/config.js';
import { makeApp } from './helpers.js';

const SLUG = 'kl-konsulentnetvaerk-2019-2020';

t.test('security headers; CORS off unless origins are configured', async (t) => {
  const { app } = await makeApp(t, { seed: true });
  const res = await app.inject({ url: `/api/v1/networks/${SLUG}`, headers: { origin: 'https://evil.example' } });
  t.equal(res.headers['x-content-type-options'], 'nosniff');
  t.ok(res.headers['content-security-policy']);
  t.equal(res.headers['x-frame-options'], 'SAMEORIGIN');
  t.notOk(res.headers['access-control-allow-origin'], 'no CORS by default');
  // Problems outside the API's plugin context (unknown paths, feeds) are never sniffed either.
  for (const url of ['/nope', '/api/v1/nope', '/feeds/networks/nope.ics']) {
    const missing = await app.inject({ url });
    t.equal(missing.statusCode, 404, url);
    t.equal(missing.headers['x-content-type-options'], 'nosniff', url);
  }

  const withCors = await buildApp(testConfig({ corsOrigins: ['https://intranet.kl.dk'] }));
  t.teardown(() => withCors.close());
  const allowed = await withCors.inject({ url: '/api/v1/networks', headers: { origin: 'https://intranet.kl.dk' } });
  t.equal(allowed.headers['access-control-allow-origin'], 'https://intranet.kl.dk');
  const denied = await withCors.inject({ url: '/api/v1/networks', headers: { origin: 'https://evil.example' } });
  t.notOk(denied.headers['access-control-allow-origin']);
  const docs = await app.inject({ url: '/docs/' });
  t.ok(docs.statusCode === 200 || docs.statusCode === 302);
});

t.test('API rate limit: 429 problem+json with Retry-After', async (t) => {
  const app = await buildApp(testConfig({ limits: { apiPerMinute: 5, authFailures: 1000, maxEventLoopDelay: 0 } }));
  t.teardown(() => app.close());
  const codes: number[] = [];
  let last;
  for (let i = 0; i < 7; i++) {
    last = await app.inject({ url: '/api/v1/networks' });
    codes.push(last.statusCode);
  }
  t.same(codes, [200, 200, 200, 200, 200, 429, 429]);
  t.match(last!.headers['content-type'], /^application\/problem\+json/);
  t.equal(last!.json().code, 'rate-limited');
  t.ok(Number(last!.headers['retry-after']) > 0);
  t.equal((await app.inject({ url: '/healthz' })).statusCode, 200, 'health checks are not limited');
});

t.test('failed authentication is limited per address', async (t) => {
  const app = await buildApp(testConfig({ limits: { apiPerMinute: 1000, authFailures: 3, maxEventLoopDelay: 0 } }));
  t.teardown(() => app.close());
  const good = createToken(app.db, { name: 'ok', role: 'admin' }).raw;
  for (let i = 0; i < 3; i++) {
    t.equal((await app.inject({ url: '/api/v1/networks', headers: { authorization: `Bearer na_guess${i}` } })).statusCode, 401);
  }
  const blocked = await app.inject({ url: '/api/v1/networks', headers: { authorization: 'Bearer na_guess9' } });
  t.equal(blocked.statusCode, 429);
  t.equal(blocked.json().code, 'too-many-auth-failures');
  t.ok(Number(blocked.headers['retry-after']) > 0);
  const evenGood = await app.inject({ url: '/api/v1/networks', headers: { authorization: `Bearer ${good}` } });
  t.equal(evenGood.statusCode, 429, 'an address that guessed too often waits, whatever it sends');
  t.equal((await app.inject({ url: '/api/v1/networks' })).statusCode, 200, 'anonymous reads go on');
});

t.test('bodies: size limit, prototype keys, unknown and server-owned fields', async (t) => {
  const { app, as } = await makeApp(t, { seed: true });
  const count = () => (app.db.$client.prepare('SELECT count(*) AS n FROM venues').get() as { n: number }).n;
  const before = count();
  const venues = `/api/v1/networks/${SLUG}/venues`;
  const big = await as({ method: 'POST', url: venues, payload: { name: 'x'.repeat(70 * 1024) } });
  t.equal(big.statusCode, 413);
  t.equal(big.json().code, 'payload-too-large');
  for (const raw of ['{"name":"A","__proto__":{"admin":true}}', '{"name":"A","constructor":{"prototype":{"x":1}}}']) {
    const res = await as({ method: 'POST', url: venues, payload: raw, headers: { 'content-type': 'application/json' } });
    t.equal(res.statusCode, 400, raw);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
  }
  // The network a venue belongs to is the one in the URL, not a body field.
  for (const field of ['id', 'createdAt', 'updatedAt', 'version', 'networkSlug']) {
    const res = await as({ method: 'POST', url: venues, payload: { name: 'A', [field]: field === 'version' ? 99 : 'x' } });
    t.equal(res.statusCode, 400, `${field} cannot be assigned`);
    t.ok(res.json().errors.some((e: { path: string }) => e.path === `body.${field}`));
  }
  const m = (await as({ url: `/api/v1/networks/${SLUG}/meetings` })).json().data[0];
  const rel = await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/releases`, payload: { number: 42 } });
  t.equal(rel.statusCode, 400, 'release numbers are the server’s');
  const patchId = await as({ method: 'PATCH', url: `/api/v1/meetings/${m.id}`, payload: { id: 'mtg_mine', networkSlug: 'other' } });
  t.equal(patchId.statusCode, 400);
  t.equal(count(), before, 'nothing was stored');
});

t.test('logs never contain Authorization headers or raw tokens', async (t) => {
  const stream = new PassThrough();
  let logged = '';
  stream.on('data', (c: Buffer) => (logged += c.toString()));
  const app = await buildApp(testConfig({ logLevel: 'info' }), { logStream: stream });
  t.teardown(() => app.close());
  const raw = createToken(app.db, { name: 'log', role: 'admin' }).raw;
  const net = await app.inject({ method: 'POST', url: '/api/v1/networks', headers: { authorization: `Bearer ${raw}` }, payload: { slug: 'log', name: 'Log' } });
  t.equal(net.statusCode, 201, net.body);
  const venue = await app.inject({ method: 'POST', url: '/api/v1/networks/log/venues', headers: { authorization: `Bearer ${raw}` }, payload: { name: 'Log' } });
  t.equal(venue.statusCode, 201, venue.body);
  await app.inject({ url: '/api/v1/networks', headers: { authorization: `Bearer ${raw}x` } });
  await app.inject({ url: '/feeds/personal/abcdefsecret123.ics' });
  t.ok(logged.includes('incoming request'), 'requests are logged');
  t.notOk(logged.includes(raw), 'no raw token');
  t.notOk(/bearer/i.test(logged), 'no Authorization header');
  t.notOk(logged.includes('abcdefsecret123'), 'no secret from a capability URL');
  t.notOk(logged.includes('/feeds/'), 'feed polls are not access-logged at info');

  // At debug level feed polls are logged too, with the secret masked.
  const debugStream = new PassThrough();
  let debugLogged = '';
  debugStream.on('data', (c: Buffer) => (debugLogged += c.toString()));
  const debugApp = await buildApp(testConfig({ logLevel: 'debug' }), { logStream: debugStream });
  t.teardown(() => debugApp.close());
  await debugApp.inject({ url: '/feeds/personal/abcdefsecret123.ics' });
  t.ok(debugLogged.includes('/feeds/personal/[redacted]'), 'the poll is logged');
  t.notOk(debugLogged.includes('abcdefsecret123'), 'without its secret');
});
