// `npm run bench`: what a feed poll costs against serving the same bytes as a constant. The server runs in
// a child process (this file with BENCH_ROLE=server) so autocannon does not share its core: the app on a
// seeded temp-file database, with released agendas on the seed meetings, plus `/bench/constant.ics` in the
// same app (same hooks) and a bare Fastify instance, both answering the feed's exact bytes and headers.
// Each comparison: 1 s warm-up per target, then 5 s each in alternating 0.5 s slices, 10 connections (the
// machine may be busy with other work: alternating spreads that noise evenly). Target: feed/constant >= 0.9.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { SEED_SLUG } from '../db/seed-data.js';
import { buildApp } from '../server/app.js';
import { createToken } from '../server/auth/tokens.js';
import { testConfig } from '../server/config.js';

const FEED = `/feeds/networks/${SEED_SLUG}.ics`;
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 10;
/** Alternating slices this long: background load on a shared machine comes and goes within seconds. */
const SLICE_S = 0.5;

interface Ready {
  app: string;
  bare: string;
  etag: string;
  bytes: number;
  events: number;
}

/** Child: the server side. */
async function serve(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'netagenda-bench-'));
  const app = await buildApp(testConfig({ databasePath: join(dir, 'bench.db'), seed: true }));
  // The same bytes as a constant, in the same app (so the same global hooks run), filled in below:
  // routes must exist before the first request readies the app.
  let body: Buffer = Buffer.alloc(0);
  let etag = '';
  const headers: Record<string, string> = {};
  const constant = (req: FastifyRequest, reply: FastifyReply) =>
    req.headers['if-none-match'] === etag ? reply.code(304).headers(headers).send() : reply.headers(headers).send(body);
  app.get('/bench/constant.ics', { schema: { hide: true } }, constant);
  const { raw } = createToken(app.db, { name: 'bench', role: 'admin' });
  const as = async (method: 'GET' | 'POST', url: string, payload?: object) => {
    const res = await app.inject({ method, url, payload, headers: { authorization: `Bearer ${raw}` } });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  // Released agendas on every seed meeting, so the feed is a realistic size (DESCRIPTION with the program).
  for (const m of (await as('GET', `/api/v1/networks/${SEED_SLUG}/meetings`)).data as { id: string }[]) {
    const items: [string, string, string, string, string[]][] = [
      ['10:00', '10:15', 'Velkomst og dagens program', 'welcome', []],
      ['10:15', '11:30', 'Aktuelt på dagtilbuds- og folkeskoleområdet', 'presentation', ['aktuelt']],
      ['11:30', '12:15', 'Ny lovgivning, økonomiaftaler og politiske udspil', 'presentation', ['lovgivning']],
      ['12:15', '13:00', 'Frokost', 'lunch', []],
      ['13:00', '14:30', 'Ny viden fra forskning og undersøgelser', 'discussion', ['ny-viden']],
      ['14:30', '16:00', 'Gensidig sparring på konkrete kommunale opgaver', 'peer-sparring', ['sparring']],
    ];
    for (const [startTime, endTime, title, kind, themes] of items) {
      await as('POST', `/api/v1/meetings/${m.id}/items`, { startTime, endTime, title, kind, themes, description: `${title}.` });
    }
    await as('POST', `/api/v1/meetings/${m.id}/releases`, { note: 'bench' });
  }
  const first = await app.inject({ url: FEED });
  body = first.rawPayload;
  for (const h of ['content-type', 'etag', 'last-modified', 'cache-control']) headers[h] = String(first.headers[h]);
  etag = headers.etag!;
  // The same in a bare Fastify, to show what the app's own hooks (security headers, auth, audit) cost.
  const bare = Fastify();
  bare.get('/constant.ics', constant);
  const appUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });
  const ready: Ready = { app: appUrl, bare: bareUrl, etag, bytes: body.length, events: body.toString().split('BEGIN:VEVENT').length - 1 };
  process.send!(ready);
  process.once('disconnect', () => {
    void Promise.all([app.close(), bare.close()]).finally(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
  });
}

interface Measured {
  label: string;
  requests: number;
  seconds: number;
  p99: number;
  statuses: Map<string, number>;
  errors: number;
}

const perSecond = (m: Measured) => m.requests / m.seconds;

function report(m: Measured) {
  const statuses = [...m.statuses].map(([code, n]) => `${code}×${n}`).join(' ');
  console.log(`${m.label.padEnd(30)} ${perSecond(m).toFixed(0).padStart(7)} req/s   p99 ${String(m.p99).padStart(3)} ms   ${statuses}${m.errors ? `   errors ${m.errors}` : ''}`);
}

/**
 * Two targets measured in alternating slices (A B, B A, ...), DURATION_S seconds each in all, after a
 * 1 s warm-up of each: noise from anything else on the machine then falls on both alike.
 */
async function compare(a: [string, string], b: [string, string], headers: Record<string, string> = {}): Promise<number> {
  const fresh = (label: string): Measured => ({ label, requests: 0, seconds: 0, p99: 0, statuses: new Map(), errors: 0 });
  const results = [fresh(a[0]), fresh(b[0])];
  for (const [, url] of [a, b]) await autocannon({ url, connections: CONNECTIONS, duration: 1, headers });
  for (let slice = 0; slice < DURATION_S / SLICE_S; slice++) {
    const order = slice % 2 === 0 ? [0, 1] : [1, 0];
    for (const i of order) {
      const r = await autocannon({ url: [a, b][i]![1], connections: CONNECTIONS, duration: SLICE_S, headers });
      const m = results[i]!;
      m.requests += r.requests.total;
      m.seconds += r.duration;
      m.p99 = Math.max(m.p99, r.latency.p99);
      m.errors += r.errors + r.timeouts;
      for (const [code, st] of Object.entries(r.statusCodeStats)) m.statuses.set(code, (m.statuses.get(code) ?? 0) + st.count);
    }
  }
  results.forEach(report);
  return perSecond(results[0]!) / perSecond(results[1]!);
}

/** Parent: starts the server, fires the load, prints the numbers. */
async function main(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, BENCH_ROLE: 'server' },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 5 * 60_000);
  try {
    const ready = await new Promise<Ready>((ok, fail) => {
      child.once('message', (m) => ok(m as Ready));
      child.once('exit', (code) => fail(new Error(`bench server exited with ${code}`)));
    });
    console.log(`feed ${FEED}: ${ready.bytes} bytes, ${ready.events} events; ${CONNECTIONS} connections, ${DURATION_S} s per target after 1 s warm-up\n`);
    const inm = { 'if-none-match': ready.etag };
    const feed = `${ready.app}${FEED}`;
    const constant = `${ready.app}/bench/constant.ics`;
    const full = await compare(['feed, full 200', feed], ['constant in the app, 200', constant]);
    console.log(`  feed/constant (200): ${full.toFixed(2)}   (target >= 0.9)\n`);
    const revalidation = await compare(['feed, If-None-Match -> 304', feed], ['constant in the app, 304', constant], inm);
    console.log(`  feed/constant (304): ${revalidation.toFixed(2)}\n`);
    const hooks = await compare(['constant in the app, 200', constant], ['bare Fastify constant, 200', `${ready.bare}/constant.ics`]);
    console.log(`  app/bare (200): ${hooks.toFixed(2)}   (what the app's global hooks cost every route; not feed-specific)`);
  } finally {
    clearTimeout(killer);
    if (child.connected) child.disconnect();
  }
}

if (process.env.BENCH_ROLE === 'server') await serve();
else await main();
