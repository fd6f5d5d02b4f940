// Hardening: security headers, CORS, rate limits, body limits, prototype keys, mass assignment, logs.
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { buildApp } from '../server/app.js';
import { createToken } from '../server/auth/tokens.js';
import { testConfig } from '../server/config.js';
import { makeApp } from './helpers.js';
import { rawStatus } from './server-process.js';

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

const limited = (limits: { apiPerMinute?: number; authFailures?: number }, trustProxy: string[] = []) =>
  buildApp(testConfig({ trustProxy, limits: { apiPerMinute: 1000, authFailures: 1000, maxEventLoopDelay: 0, ...limits } }));

t.test('failed authentication slows down that address’s failed attempts, never a valid token', async (t) => {
  const app = await limited({ authFailures: 3 });
  t.teardown(() => app.close());
  const good = createToken(app.db, { name: 'ok', role: 'admin' }).raw;
  const guess = (i: number, remoteAddress = '127.0.0.1') =>
    app.inject({ url: '/api/v1/networks', remoteAddress, headers: { authorization: `Bearer na_guess${i}` } });
  for (let i = 0; i < 3; i++) t.equal((await guess(i)).statusCode, 401);
  const blocked = await guess(9);
  t.equal(blocked.statusCode, 429);
  t.equal(blocked.json().code, 'too-many-auth-failures');
  t.ok(Number(blocked.headers['retry-after']) > 0);
  for (let i = 0; i < 30; i++) await guess(100 + i);
  for (let i = 0; i < 5; i++) {
    const evenNow = await app.inject({ url: '/api/v1/networks', headers: { authorization: `Bearer ${good}` } });
    t.equal(evenNow.statusCode, 200, 'a valid token from the same address is never refused');
  }
  const write = await app.inject({ method: 'POST', url: '/api/v1/networks', headers: { authorization: `Bearer ${good}` }, payload: { slug: 'kept', name: 'Kept' } });
  t.equal(write.statusCode, 201, 'writes too');
  t.equal((await app.inject({ url: '/api/v1/networks' })).statusCode, 200, 'anonymous reads go on');
  t.equal((await guess(1, '10.0.0.9')).statusCode, 401, 'another address is not slowed down');
  // IPv6 clients are counted by their /64: a host cannot reset its count by changing address within it.
  for (let i = 0; i < 3; i++) t.equal((await guess(i, `2001:db8:1:2::${i + 1}`)).statusCode, 401);
  t.equal((await guess(9, '2001:db8:1:2::99')).statusCode, 429, 'the same /64');
  t.equal((await guess(9, '2001:db8:1:3::1')).statusCode, 401, 'another /64');
});

t.test('API budgets: each token its own, anonymous requests per client address', async (t) => {
  const app = await limited({ apiPerMinute: 3 });
  t.teardown(() => app.close());
  const a = { authorization: `Bearer ${createToken(app.db, { name: 'a', role: 'admin' }).raw}` };
  const b = { authorization: `Bearer ${createToken(app.db, { name: 'b', role: 'reader' }).raw}` };
  const get = (headers: Record<string, string> = {}, remoteAddress = '127.0.0.1') => app.inject({ url: '/api/v1/networks', headers, remoteAddress });
  const codes = async (n: number, headers: Record<string, string> = {}, remoteAddress?: string) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await get(headers, remoteAddress)).statusCode);
    return out;
  };
  t.same(await codes(4, a), [200, 200, 200, 429], 'token A spends its budget');
  const exhausted = await get(a, '10.0.0.7');
  t.equal(exhausted.statusCode, 429, 'from any address: the budget is the token’s');
  t.equal(exhausted.json().code, 'rate-limited');
  t.equal(exhausted.headers['x-ratelimit-limit'], '3');
  t.same(await codes(3, b), [200, 200, 200], 'token B has a budget of its own');
  t.same(await codes(4), [200, 200, 200, 429], 'anonymous requests from one address share a budget');
  t.same(await codes(1, {}, '10.0.0.8'), [200], 'another address has its own');
  t.same(await codes(4, {}, '::ffff:10.0.0.5'), [200, 200, 200, 429]);
  t.same(await codes(1, {}, '10.0.0.5'), [429], 'an IPv4-mapped address is its IPv4 address');
  const c = { authorization: `Bearer ${createToken(app.db, { name: 'c', role: 'coordinator' }).raw}` };
  t.same(await codes(1, c), [200], 'a token from an address whose anonymous budget is spent');
  t.equal((await app.inject({ url: '/healthz' })).statusCode, 200, 'health checks are not limited');
  t.equal((await app.inject({ url: '/openapi.json' })).statusCode, 200, 'nor is the documentation');
  t.equal((await app.inject({ url: '/feeds/networks/nope.ics' })).statusCode, 404, 'nor are feeds');
});

t.test('limits apply by the matched route, whatever the spelling of the URL', async (t) => {
  const app = await limited({ apiPerMinute: 6 });
  t.teardown(() => app.close());
  const spellings = ['/api/v1/networks', '/%61pi/v1/networks', '/%61%70%69/%761/networks', '/api/v1/%6eetworks', '/api/v1/networks/', '/api/v1/networks?limit=1'];
  for (const url of spellings) t.equal((await app.inject({ url })).statusCode, 200, `${url} reaches the route`);
  for (const url of spellings) {
    const res = await app.inject({ url });
    t.equal(res.statusCode, 429, `${url} spends the same budget`);
    t.equal(res.json().code, 'rate-limited');
  }
  const other = await app.inject({ url: '/api/v1/networks', remoteAddress: '10.1.1.1' });
  t.equal(other.statusCode, 200);
  // Spellings Fastify does not route are the 404 problem: nothing behind them to reach.
  for (const url of ['/API/v1/networks', '/api%2Fv1/networks', '/api/v1/networks;x']) {
    const res = await app.inject({ url, remoteAddress: '10.1.1.1' });
    t.equal(res.statusCode, 404, url);
    t.equal(res.json().code, 'route-not-found', url);
  }
  const doc = (await app.inject({ url: '/openapi.json' })).json();
  t.ok(doc.paths['/api/v1/networks'].get.responses['429'], 'OpenAPI documents the 429 of limited routes');
  t.notOk(doc.paths['/feeds/networks/{slug}.ics']?.get?.responses['429'], 'feeds are not limited');
});

t.test('TRUST_PROXY: X-Forwarded-For decides the client address only from a trusted proxy', async (t) => {
  const app = await limited({ apiPerMinute: 2, authFailures: 2 }, ['127.0.0.1', '10.20.0.0/16']);
  t.teardown(() => app.close());
  const get = (remoteAddress: string, forwardedFor?: string, authorization?: string) =>
    app.inject({
      url: '/api/v1/networks',
      remoteAddress,
      headers: { ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}), ...(authorization ? { authorization } : {}) },
    });
  const codes = async (n: number, remoteAddress: string, forwardedFor?: string) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await get(remoteAddress, forwardedFor)).statusCode);
    return out;
  };
  t.same(await codes(3, '127.0.0.1', '203.0.113.1'), [200, 200, 429], 'a client behind the proxy');
  t.same(await codes(1, '127.0.0.1', '203.0.113.2'), [200], 'another client behind the same proxy');
  t.same(await codes(1, '10.20.3.4', '203.0.113.3'), [200], 'a proxy in a trusted range');
  t.same(await codes(1, '10.20.3.4', '203.0.113.1'), [429], 'the same client through another trusted proxy');
  t.same(await codes(1, '127.0.0.1', '198.51.100.1, 203.0.113.1'), [429], 'the address the trusted proxy saw counts, not what the client claimed');
  // An untrusted peer's X-Forwarded-For is ignored: it is counted as itself, whatever it claims.
  t.same(await codes(1, '198.51.100.9', '203.0.113.50'), [200]);
  t.same(await codes(1, '198.51.100.9', '203.0.113.51'), [200]);
  t.same(await codes(1, '198.51.100.9', '203.0.113.52'), [429], 'one budget for every claimed address');
  t.same(await codes(1, '198.51.100.9'), [429]);
  // Failed authentication is counted per client too.
  for (let i = 0; i < 2; i++) t.equal((await get('127.0.0.1', '203.0.113.7', 'Bearer na_nope')).statusCode, 401);
  t.equal((await get('127.0.0.1', '203.0.113.7', 'Bearer na_nope')).statusCode, 429, 'that client is slowed down');
  t.equal((await get('127.0.0.1', '203.0.113.8', 'Bearer na_nope')).statusCode, 401, 'the proxy’s other clients are not');
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

/** A log captured from the app's logger (both instances: the service's and the feeds'). */
function capture() {
  const stream = new PassThrough();
  const log = { text: '', stream };
  stream.on('data', (c: Buffer) => (log.text += c.toString()));
  return log;
}

/** Spellings of one personal feed URL that all reach its route: each must be logged without the secret. */
const personalSpellings = (secret: string) => {
  const hex = (c: string) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  return [
    `/feeds/personal/${secret}.ics`,
    `/feeds/%70ersonal/${secret}.ics`,
    `/feeds/personal/${hex(secret[0]!)}${secret.slice(1)}.ics`,
    `/feeds/personal/${[...secret].map(hex).join('')}.ics`,
    `/%66eeds/personal/${secret}.ics`,
    `/feeds/personal/${secret}.ics?x=1`,
    `/feeds/personal/${secret}.ics/`,
  ];
};

/** No trace of the secret: neither whole nor as the part after an escaped first character. */
const leaks = (text: string, secret: string) => text.includes(secret.slice(1));

t.test('personal feed secrets are masked by the matched route, however the URL is spelled (app.inject)', async (t) => {
  const log = capture();
  const app = await buildApp(testConfig({ logLevel: 'debug' }), { logStream: log.stream });
  t.teardown(() => app.close());
  const auth = { authorization: `Bearer ${createToken(app.db, { name: 'log', role: 'admin' }).raw}` };
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/networks', headers: auth, payload: { slug: 'log', name: 'Log' } })).statusCode, 201);
  const participant = await app.inject({ method: 'POST', url: '/api/v1/networks/log/participants', headers: auth, payload: { name: 'Bente', email: 'bente@kl.dk' } });
  const secret = /\/feeds\/personal\/([^/.]+)\.ics$/.exec(participant.json().feed.https)![1]!;
  for (const url of personalSpellings(secret)) {
    t.equal((await app.inject({ url })).statusCode, 200, url);
    t.equal((await app.inject({ method: 'HEAD', url })).statusCode, 200, `HEAD ${url}`);
  }
  t.equal((await app.inject({ url: '/feeds/%70ersonal/na_unknownsecret.ics' })).statusCode, 404, 'an unknown secret: the route answers 404');
  // URLs that match no route: a mistyped feed URL may still hold a real secret.
  for (const url of [`/feeds/personal/${secret}`, `/feeds/%70ersonal/${secret}.ics/more`, `/feeds/personal/${secret}%E0.ics`, `/feeds/PERSONAL/${secret}.ics`]) {
    t.ok([400, 404].includes((await app.inject({ url })).statusCode), url);
  }
  t.ok(log.text.includes('"url":"/feeds/personal/[redacted].ics"'), 'polls are logged with the route’s secret masked');
  t.ok(log.text.includes('"url":"/feeds/personal/[redacted].ics?x=1"'), 'the query string is kept');
  t.ok(log.text.includes('/feeds/personal/[redacted]"'), 'unrouted URLs: everything after personal is masked');
  t.notOk(leaks(log.text, secret), 'the secret never reaches the log');
  t.notOk(log.text.includes('na_unknownsecret'), 'nor does a wrong one');
  t.ok(log.text.includes('"url":"/api/v1/networks/log/participants"'), 'other URLs are logged as sent');
});

t.test('personal feed secrets are masked on a real socket too: the feeds’ instance and the service’s', async (t) => {
  const log = capture();
  const app = await buildApp(testConfig({ logLevel: 'debug', trustProxy: ['127.0.0.1'] }), { logStream: log.stream });
  t.teardown(() => app.close());
  const auth = { authorization: `Bearer ${createToken(app.db, { name: 'log', role: 'admin' }).raw}` };
  await app.inject({ method: 'POST', url: '/api/v1/networks', headers: auth, payload: { slug: 'log', name: 'Log' } });
  const participant = await app.inject({ method: 'POST', url: '/api/v1/networks/log/participants', headers: auth, payload: { name: 'Bente', email: 'bente@kl.dk' } });
  const secret = /\/feeds\/personal\/([^/.]+)\.ics$/.exec(participant.json().feed.https)![1]!;
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  // Absolute-form targets go to the service's instance (the server hands only `/feeds/…` to the feeds').
  const targets = [...personalSpellings(secret), `http://netagenda.example/feeds/personal/${secret}.ics`, `http://x/feeds/%70ersonal/${secret}.ics`];
  for (const target of targets) {
    const status = await rawStatus(port, target, { 'x-forwarded-for': '203.0.113.9' });
    t.equal(status, 200, target);
  }
  t.equal(await rawStatus(port, `/feeds/personal/${secret}`), 404, 'unrouted');
  await app.close();
  const lines = log.text.split('\n').filter((l) => l.includes('incoming request'));
  t.ok(lines.length >= targets.length + 1, 'every request was logged');
  t.notOk(leaks(log.text, secret), 'the secret never reaches the log');
  t.ok(lines.every((l) => !l.includes('/feeds/') || l.includes('[redacted]')), 'every feed line is masked');
  t.ok(lines.some((l) => l.includes('"remoteAddress":"203.0.113.9"')), 'the client behind the trusted proxy is logged');
});
