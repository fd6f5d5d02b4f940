// The contract at the protocol's edges: what Node's HTTP parser refuses, URL length, authentication before
// validation, UTF-8 JSON bodies, CORS preflights, HSTS, and the last admin token. Every error is problem+json.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions } from 'fastify';
import t, { type Test } from 'tap';
import { buildApp } from '../server/app.js';
import { createToken } from '../server/auth/tokens.js';
import { testConfig } from '../server/config.js';
import { charsetOf, clientErrorResponse } from '../server/http/protocol.js';
import { makeApp, problem } from './helpers.js';
import { startServer } from './server-process.js';

interface RawAnswer {
  status: number;
  head: string;
  body: string;
}

/** Writes these bytes on a new connection and reads until the server closes it. */
function rawBytes(port: number, bytes: Buffer | string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    // The server may close while we still write (a head over its limit): what it answered is what counts.
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? undefined : reject(err)));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split === -1 ? text : text.slice(0, split);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: split === -1 ? '' : text.slice(split + 4) });
    });
  });
}

const isProblem = (t: Test, answer: RawAnswer, status: number, code: string, what: string) => {
  t.equal(answer.status, status, `${what}: status`, { head: answer.head });
  t.match(answer.head, /\r\ncontent-type: application\/problem\+json/i, `${what}: problem+json`);
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  t.match(body, { type: `https://netagenda.dk/problems/${code}`, title: String, status, code, detail: String }, what);
  t.equal(Number(/\r\ncontent-length: (\d+)/i.exec(answer.head)?.[1]), Buffer.byteLength(answer.body, 'latin1'), `${what}: Content-Length`);
  return body;
};

t.test('a real server process answers what Node’s HTTP parser refuses with problem+json and closes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netagenda-protocol-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const server = await startServer(t, join(dir, 'db.sqlite'));
  const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;
  const cases: [string, string | Buffer, number, string][] = [
    ['a control byte in a header value', head(['GET /api/v1/networks HTTP/1.1', 'Host: x', 'X-Note: a\u0001b']), 400, 'bad-request'],
    ['a control byte in a header of a feed request', head(['GET /feeds/networks/x.ics HTTP/1.1', 'Host: x', 'X-Note: a\u0007b']), 400, 'bad-request'],
    ['a space in a header name', head(['GET /api/v1/networks HTTP/1.1', 'Host: x', 'X Bad: 1']), 400, 'bad-request'],
    ['a malformed request line', head(['GET /api/v1/networks HTTP/9.Z', 'Host: x']), 400, 'bad-request'],
    ['a malformed method', head(['G(T /api/v1/networks HTTP/1.1', 'Host: x']), 400, 'bad-request'],
    ['a request line that is not HTTP', 'hello there\r\n\r\n', 400, 'bad-request'],
    ['a bad Content-Length', head(['POST /api/v1/networks HTTP/1.1', 'Host: x', 'Content-Length: 1x']), 400, 'bad-request'],
    ['headers over 16 KiB', head(['GET /api/v1/networks HTTP/1.1', 'Host: x', `X-Big: ${'a'.repeat(20_000)}`]), 431, 'headers-too-large'],
    ['a request target over 16 KiB', head([`GET /api/v1/networks?q=${'a'.repeat(20_000)} HTTP/1.1`, 'Host: x']), 431, 'headers-too-large'],
  ];
  for (const [what, bytes, status, code] of cases) {
    const answer = await rawBytes(server.port, bytes);
    isProblem(t, answer, status, code, what);
    t.match(answer.head, /\r\nconnection: close/i, `${what}: Connection: close`);
    t.match(answer.head, /\r\nx-content-type-options: nosniff/i, `${what}: nosniff`);
  }
  // URLs too long for the service, within the parser's limit: the service's own 414.
  const longUrl = await rawBytes(server.port, head([`GET /api/v1/networks?q=${'a'.repeat(9000)} HTTP/1.1`, 'Host: x', 'Connection: close']));
  isProblem(t, longUrl, 414, 'uri-too-long', 'a URL over 8192 characters');
  const longSegment = await rawBytes(server.port, head([`GET /api/v1/venues/${'x'.repeat(300)} HTTP/1.1`, 'Host: x', 'Connection: close']));
  isProblem(t, longSegment, 414, 'uri-too-long', 'a path segment over 200 characters');
  // The server is still there, and a good request still works.
  const fine = await rawBytes(server.port, head(['GET /api/v1/networks HTTP/1.1', 'Host: x', 'Connection: close']));
  t.equal(fine.status, 200);
});

t.test('in this process too: a bad header after a good request on a kept-alive connection', async (t) => {
  const app = await buildApp(testConfig());
  t.teardown(() => app.close());
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as net.AddressInfo;
  const good = 'GET /api/v1/networks HTTP/1.1\r\nHost: x\r\n\r\n';
  const bad = 'GET /api/v1/networks HTTP/1.1\r\nHost: x\r\nX-Note: \u0000\r\n\r\n';
  const answer = await rawBytes(port, good + bad);
  t.match(answer.head, /^HTTP\/1\.1 200 /, 'the first request is answered');
  const second = answer.body.slice(answer.body.indexOf('HTTP/1.1 '));
  const [head2, body2] = second.split('\r\n\r\n') as [string, string];
  t.match(head2, /^HTTP\/1\.1 400 Bad Request\r\n/);
  t.match(head2, /content-type: application\/problem\+json/i);
  t.match(JSON.parse(body2), { status: 400, code: 'bad-request' });
});

t.test('the parser’s answers, one by one', async (t) => {
  for (const [code, status, problemCode] of [
    ['HPE_INVALID_HEADER_TOKEN', 400, 'bad-request'],
    ['HPE_HEADER_OVERFLOW', 431, 'headers-too-large'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'request-timeout'],
    ['SOMETHING_NEW', 400, 'bad-request'],
    [undefined, 400, 'bad-request'],
  ] as const) {
    const text = clientErrorResponse(code);
    t.match(text, new RegExp(`^HTTP/1\\.1 ${status} `), String(code));
    const [head, body] = text.split('\r\n\r\n') as [string, string];
    t.match(head, /Connection: close/);
    t.equal(Number(/Content-Length: (\d+)/.exec(head)![1]), Buffer.byteLength(body));
    t.match(JSON.parse(body), { status, code: problemCode, type: `https://netagenda.dk/problems/${problemCode}` });
  }
  t.equal(charsetOf('application/json'), undefined);
  t.equal(charsetOf('application/json; charset=UTF-8'), 'utf-8');
  t.equal(charsetOf('application/json;charset="ISO-8859-1"'), 'iso-8859-1');
  t.equal(charsetOf('application/json; foo=bar; Charset = utf-16'), 'utf-16');
});

t.test('over app.inject: a URL over 8192 characters is 414, documented on every route', async (t) => {
  const { app } = await makeApp(t);
  problem(t, await app.inject({ url: `/api/v1/networks?q=${'a'.repeat(9000)}` }), 414, 'uri-too-long');
  const segment = problem(t, await app.inject({ url: `/api/v1/venues/${'x'.repeat(201)}` }), 414, 'uri-too-long');
  t.equal(segment.title, 'URI too long');
  const doc = (await app.inject({ url: '/openapi.json' })).json();
  const ops = Object.entries(doc.paths as Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>>)
    .filter(([path]) => path.startsWith('/api/v1/'))
    .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => [`${method} ${path}`, op] as const));
  t.ok(ops.length > 50);
  for (const [name, op] of ops) {
    for (const status of ['400', '414', '431']) t.ok(op.responses[status], `${name} documents ${status}`);
    if (op.requestBody || name.startsWith('delete ')) for (const status of ['413', '415']) t.ok(op.responses[status], `${name} documents ${status}`);
  }
  t.match(doc.paths['/api/v1/networks'].get.responses['431'].description, /16 KiB/);
  t.notOk(doc.paths['/api/v1/networks'].get.responses['415'], 'a GET has no body to refuse');
});

t.test('authentication comes before parsing and validation', async (t) => {
  const a = await makeApp(t);
  const net = await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'net', name: 'Net' } });
  t.equal(net.statusCode, 201);
  const venue = (await a.as({ method: 'POST', url: '/api/v1/networks/net/venues', payload: { name: 'Odense' } })).json();
  const count = () => (a.app.db.$client.prepare('SELECT count(*) AS n FROM venues').get() as { n: number }).n;
  const json = { 'content-type': 'application/json' };
  const cases: [string, InjectOptions][] = [
    ['an invalid body', { method: 'POST', url: '/api/v1/networks/net/venues', payload: { name: '', colour: 'red' } }],
    ['no body', { method: 'POST', url: '/api/v1/networks' }],
    ['a body that is not JSON', { method: 'POST', url: '/api/v1/networks/net/venues', payload: '{bad', headers: json }],
    ['a body in another charset', { method: 'POST', url: '/api/v1/networks/net/venues', payload: '{"name":"x"}', headers: { 'content-type': 'application/json; charset=iso-8859-1' } }],
    ['a body of another media type', { method: 'POST', url: '/api/v1/networks/net/venues', payload: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
    ['a body over the limit', { method: 'POST', url: '/api/v1/networks/net/venues', payload: { name: 'x'.repeat(70 * 1024) } }],
    ['a malformed id', { method: 'PATCH', url: `/api/v1/venues/${'x'.repeat(150)}`, payload: { nope: 1 } }],
    ['a missing id', { method: 'DELETE', url: '/api/v1/venues/ven_missing' }],
    ['an existing id', { method: 'DELETE', url: `/api/v1/venues/${venue.id}` }],
    ['a bad query on a private read', { url: '/api/v1/tokens?limit=0&active=maybe' }],
    ['a bad query on the participants', { url: '/api/v1/participants?limit=abc' }],
  ];
  const bodies = new Set<string>();
  for (const [what, opts] of cases) {
    for (const headers of [{}, { authorization: 'Bearer na_unknown' }]) {
      const res = await a.app.inject({ ...opts, headers: { ...opts.headers, ...headers } });
      const body = problem(t, res, 401, 'unauthorized');
      t.notOk(body.errors, `${what}: no field list`);
      bodies.add(JSON.stringify(body));
    }
  }
  t.equal(bodies.size, 2, 'one answer without a token, one with a bad token: nothing about the request or its ids');
  t.equal(count(), 1, 'nothing was stored');
  // Public routes validate as before; with a token the same requests are validated.
  problem(t, await a.app.inject({ url: '/api/v1/networks?limit=0' }), 400, 'validation-failed');
  problem(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/venues', payload: { name: '', colour: 'red' } }), 400, 'validation-failed');
  problem(t, await a.as({ method: 'DELETE', url: '/api/v1/venues/ven_missing' }), 404, 'not-found');
});

t.test('request bodies are JSON in UTF-8', async (t) => {
  const a = await makeApp(t);
  t.equal((await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'net', name: 'Net' } })).statusCode, 201);
  const url = '/api/v1/networks/net/venues';
  const names = () => (a.app.db.$client.prepare('SELECT name FROM venues ORDER BY name').all() as { name: string }[]).map((r) => r.name);
  const latin1 = Buffer.from('{"name":"Århus"}', 'latin1');
  for (const charset of ['iso-8859-1', 'ISO-8859-1', '"latin1"', 'utf-16', 'us-ascii', 'utf8', 'windows-1252']) {
    const res = await a.as({ method: 'POST', url, payload: latin1, headers: { 'content-type': `application/json; charset=${charset}` } });
    const body = problem(t, res, 415, 'unsupported-charset');
    t.match(body.detail, /UTF-8/, charset);
  }
  // Bytes that are not UTF-8, whatever the header says.
  const invalid = [latin1, Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), Buffer.from('{"name":"\xed\xa0\x80"}', 'latin1'), Buffer.from('{"name":"\xf8\x88\x80\x80\x80"}', 'latin1')];
  for (const payload of invalid) {
    for (const type of ['application/json', 'application/json; charset=utf-8']) {
      const body = problem(t, await a.as({ method: 'POST', url, payload, headers: { 'content-type': type } }), 400, 'invalid-utf8');
      t.equal(body.detail, 'The body is not valid UTF-8');
    }
  }
  t.same(names(), [], 'nothing was stored');
  // UTF-8 is accepted with or without saying so, in any spelling of utf-8.
  const ok = ['application/json', 'application/json; charset=utf-8', 'application/json; charset=UTF-8', 'application/json;charset="utf-8"', 'Application/JSON; Charset=Utf-8'];
  for (const [i, type] of ok.entries()) {
    const res = await a.as({ method: 'POST', url, payload: Buffer.from(JSON.stringify({ name: `Århus ${i} 😀` }), 'utf8'), headers: { 'content-type': type } });
    t.equal(res.statusCode, 201, `${type}: ${res.body.slice(0, 200)}`);
  }
  t.same(names(), ok.map((_, i) => `Århus ${i} 😀`), 'stored as sent');
  t.notOk(names().some((n) => n.includes('\uFFFD')), 'no replacement characters');
  // A DELETE sent with a body is parsed too.
  const [first] = (await a.as({ url })).json().data as { id: string }[];
  const del = { method: 'DELETE' as const, url: `/api/v1/venues/${first!.id}`, payload: latin1 };
  problem(t, await a.as({ ...del, headers: { 'content-type': 'application/json; charset=latin1' } }), 415, 'unsupported-charset');
  problem(t, await a.as({ ...del, headers: { 'content-type': 'application/json' } }), 400, 'invalid-utf8');
  problem(t, await a.app.inject({ ...del, headers: { 'content-type': 'application/json; charset=latin1' } }), 401, 'unauthorized');
  t.equal(names().length, ok.length, 'nothing was deleted');
  // Fastify's own checks stay: prototype keys, empty bodies.
  problem(t, await a.as({ method: 'POST', url, payload: '{"name":"x","__proto__":{"a":1}}', headers: { 'content-type': 'application/json' } }), 400, 'invalid-json');
  problem(t, await a.as({ method: 'POST', url, payload: '', headers: { 'content-type': 'application/json' } }), 400, 'invalid-json');
});

t.test('CORS: a browser app on an allowed origin may use every method and header the API uses', async (t) => {
  const app = await buildApp(testConfig({ corsOrigins: ['https://intranet.kl.dk'] }));
  t.teardown(() => app.close());
  const raw = createToken(app.db, { name: 'cors', role: 'admin' }).raw;
  const preflight = (origin: string, method: string, headers = 'authorization,content-type,if-match,idempotency-key') =>
    app.inject({
      method: 'OPTIONS',
      url: '/api/v1/networks/net',
      headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
    });
  for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']) {
    const res = await preflight('https://intranet.kl.dk', method);
    t.equal(res.statusCode, 204, method);
    t.equal(res.headers['access-control-allow-origin'], 'https://intranet.kl.dk');
    const methods = String(res.headers['access-control-allow-methods']).split(',').map((m) => m.trim());
    t.ok(methods.includes(method), `${method} allowed`);
    const allowed = String(res.headers['access-control-allow-headers']).toLowerCase().split(',').map((h) => h.trim());
    for (const h of ['authorization', 'content-type', 'if-match', 'if-none-match', 'idempotency-key']) t.ok(allowed.includes(h), `${h} allowed`);
  }
  const evil = await preflight('https://evil.example', 'DELETE');
  t.notOk(evil.headers['access-control-allow-origin'], 'other origins get no CORS');
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/networks',
    headers: { origin: 'https://intranet.kl.dk', authorization: `Bearer ${raw}` },
    payload: { slug: 'net', name: 'Net' },
  });
  t.equal(created.statusCode, 201);
  const exposed = String(created.headers['access-control-expose-headers']).toLowerCase().split(',').map((h) => h.trim());
  for (const h of ['etag', 'location', 'retry-after', 'idempotent-replayed', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']) t.ok(exposed.includes(h), `${h} exposed`);
});

t.test('HSTS only when the public address is https', async (t) => {
  const http = await buildApp(testConfig({ publicBaseUrl: 'http://127.0.0.1:3000' }));
  t.teardown(() => http.close());
  const plain = await http.inject({ url: '/api/v1/networks' });
  t.equal(plain.statusCode, 200);
  t.notOk(plain.headers['strict-transport-security'], 'not over plain HTTP');
  t.ok(plain.headers['x-content-type-options'], 'the other security headers stay');
  const https = await buildApp(testConfig({ publicBaseUrl: 'https://netagenda.example.dk' }));
  t.teardown(() => https.close());
  t.match((await https.inject({ url: '/api/v1/networks' })).headers['strict-transport-security'], /max-age=\d+/);
});

t.test('the last active admin token cannot be revoked', async (t) => {
  const a = await makeApp(t);
  const list = async () => (await a.as({ url: '/api/v1/tokens' })).json().data as { id: string; role: string; active: boolean }[];
  const [first] = await list();
  const revoke = (id: string, authorization = a.auth.authorization) => a.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${id}`, headers: { authorization } });
  // Expired and revoked admin tokens do not count; coordinators are revoked freely.
  createToken(a.app.db, { name: 'old', role: 'admin', expiresAt: '2020-01-01T00:00:00.000Z' });
  const coordinator = createToken(a.app.db, { name: 'c', role: 'coordinator' });
  t.equal((await revoke(coordinator.token.id)).statusCode, 204);
  t.equal((await revoke(coordinator.token.id)).statusCode, 204, 'revoking a revoked token again changes nothing');
  const body = problem(t, await revoke(first!.id), 409, 'last-admin-token');
  t.match(body.detail, /last active admin token/);
  t.equal((await list()).find((x) => x.id === first!.id)!.active, true, 'still active');
  // With a second admin token the first can go, and then the second is the last.
  const second = createToken(a.app.db, { name: 'second', role: 'admin' });
  t.equal((await revoke(first!.id)).statusCode, 204);
  const auth2 = `Bearer ${second.raw}`;
  problem(t, await revoke(second.token.id, auth2), 409, 'last-admin-token');
  t.equal((await a.app.inject({ url: `/api/v1/tokens/${second.token.id}`, headers: { authorization: auth2 } })).json().active, true);
  const doc = (await a.app.inject({ url: '/openapi.json' })).json();
  t.match(doc.paths['/api/v1/tokens/{id}'].delete.responses['409'].description, /last-admin-token/);
});
