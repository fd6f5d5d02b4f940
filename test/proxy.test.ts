// Limits behind a reverse proxy, over real sockets to a real server process: request targets no HTTP client
// sends (`GET http://host/api/v1/…`, `/%61pi/v1/…`) spend the API's budget like any other, X-Forwarded-For
// decides the client's address only when the peer is in TRUST_PROXY, a valid token gets in after any number
// of failures from its address, and a TRUST_PROXY that is not a list of addresses stops the start (exit 78).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { closeDatabase, openDatabase } from '../db/client.js';
import { createToken } from '../server/auth/tokens.js';
import { rawRequest, rawStatus, root, startServer } from './server-process.js';

// Each server starts under tsx (~2 s on two cores): room on a busy machine.
t.setTimeout(120_000);

function scratch(tt: { teardown: (fn: () => unknown) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'netagenda-proxy-'));
  tt.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'netagenda.db');
}

/** A database with one admin token, before the server starts. */
function withToken(path: string): string {
  const db = openDatabase(path);
  const { raw } = createToken(db, { name: 'integrator', role: 'admin' });
  closeDatabase(db);
  return raw;
}

t.test('every spelling of an API URL spends the same budget; a trusted proxy’s clients have their own', async (t) => {
  const path = scratch(t);
  const token = withToken(path);
  const server = await startServer(t, path, { RATE_LIMIT_PER_MINUTE: '4', AUTH_FAILURE_LIMIT: '3', TRUST_PROXY: '127.0.0.1' });
  const statuses = async (targets: string[], headers: Record<string, string> = {}) => {
    const out: number[] = [];
    for (const target of targets) out.push(await rawStatus(server.port, target, headers));
    return out;
  };
  const spellings = ['/api/v1/networks', '/%61pi/v1/networks', 'http://netagenda.test/api/v1/networks', 'https://elsewhere.example:8443/%61pi/v1/%6eetworks'];
  t.same(await statuses(spellings), [200, 200, 200, 200], 'each spelling reaches the route');
  t.same(await statuses([...spellings, 'http://x/api/v1/networks?limit=1', 'http://x/api/v1/networks/', '/api/v1/networks#top']), [429, 429, 429, 429, 429, 429, 429], 'and spends the one budget');
  const limited = await rawRequest(server.port, 'http://netagenda.test/api/v1/networks');
  t.match(limited.head, /content-type: application\/problem\+json/i);
  t.match(limited.head, /retry-after: \d+/i);
  t.equal(JSON.parse(limited.body).code, 'rate-limited');
  // Spellings Fastify does not route: the 404 problem, nothing behind it.
  for (const target of ['//api/v1/networks', '/api//v1/networks', '/api/v1//networks', 'http://x//api/v1/networks', '/./api/v1/networks']) {
    const res = await rawRequest(server.port, target);
    t.equal(res.status, 404, target);
    t.equal(JSON.parse(res.body).code, 'route-not-found', target);
  }
  // Behind the trusted proxy (the peer, 127.0.0.1) each client has a budget of its own.
  t.same(await statuses(spellings, { 'x-forwarded-for': '203.0.113.5' }), [200, 200, 200, 200]);
  t.same(await statuses(['/%61pi/v1/networks'], { 'x-forwarded-for': '203.0.113.5' }), [429]);
  t.same(await statuses(['/api/v1/networks'], { 'x-forwarded-for': '203.0.113.6' }), [200]);

  // Failed authentication from one address never locks out a valid token from it.
  const bad = { authorization: 'Bearer na_wrong' };
  t.same(await statuses(['/api/v1/networks', '/api/v1/networks', '/api/v1/networks', '/api/v1/networks', '/api/v1/networks'], bad), [401, 401, 401, 429, 429]);
  t.same(await statuses(['/api/v1/networks', 'http://x/%61pi/v1/networks'], { authorization: `Bearer ${token}` }), [200, 200], 'a valid token gets in');
  t.same(await statuses(['/api/v1/networks'], { ...bad, 'x-forwarded-for': '203.0.113.7' }), [401], 'another client behind the proxy is not slowed down');
  // The token's own budget (4) is its own: two more, then 429.
  t.same(await statuses(['/api/v1/networks', '/api/v1/networks', '/api/v1/networks'], { authorization: `Bearer ${token}` }), [200, 200, 429]);
  t.equal(await rawStatus(server.port, '/healthz'), 200, 'the health check is not limited');
});

t.test('X-Forwarded-For from a peer that is not a trusted proxy is ignored', async (t) => {
  const path = scratch(t);
  const server = await startServer(t, path, { RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: '10.0.0.1, 192.168.0.0/16' });
  const codes: number[] = [];
  for (const client of ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4']) {
    codes.push(await rawStatus(server.port, '/api/v1/networks', { 'x-forwarded-for': client }));
  }
  t.same(codes, [200, 200, 429, 429], 'every claimed address is the peer’s one budget');
});

t.test('a TRUST_PROXY that is not a list of addresses stops the start with a message naming it', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    env: { ...process.env, _TAPJS_PROCESSINFO_COVERAGE_: '0', DATABASE_PATH: ':memory:', PORT: '0', LOG_LEVEL: 'silent', TRUST_PROXY: '10.0.0.1,true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  t.equal(code, 78, 'EX_CONFIG');
  t.match(output, /Invalid configuration:\n {2}TRUST_PROXY: 'true' is not an IP address/);
});
