// `npm run bench` (after `npm run build`): the benchmarks of issue 10, in one bounded run on this machine.
// The app is the built server (`node dist/server/main.js`) in a process of its own; the load comes from
// this process (autocannon and plain HTTP on 127.0.0.1); each bare limit runs in a process of its own.
// Ratios are measured side by side, in alternating slices, after a warm-up of both.
// - feed poll (200 and 304) of the seed network feed vs a bare Fastify serving the same bytes and headers;
// - item title PATCH on a 30-item day with two tracks vs a bare Fastify route doing one durable UPDATE;
// - isolation: polls of network B's feed while network A is written to vs with no writes (100 networks);
// - scale: 100 meetings × 100 items on one theme, created over HTTP: theme feed polls, RSS, start-up;
// - pages: a meeting page (200 and 304) vs the feed poll of the same meeting, in the same run.
// The first three share one server (on a seeded database); scale has its own and runs last, its build
// bounded by the time budget (creates stop after at most 300 s, releases after 180 s).
// Prints progress, then the report (each figure, its target, PASS/FAIL); writes the report to BENCH_OUT too.
// Exits 0 when every section ran (whether or not targets were met), 1 when one crashed.
// Environment: BENCH_QUICK=1 (small sizes, short slices: for development, not the contract),
// BENCH_SECONDS (seconds measured per target in each comparison, default 5), BENCH_ONLY=feed,patch,isolation,scale,pages
// BENCH_WRITE_ROUNDS_PER_S (isolation writer pace, default 2 rounds of 3 writes), BENCH_BUDGET_S (default 690),
// BENCH_DIR (where the scratch databases go, default the system temp dir), BENCH_KEEP=1 (keep them).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import {
  AppServer,
  BareServer,
  NOT_REPLAYED,
  REPO,
  Report,
  apiClient,
  compare,
  describe,
  elapsedS,
  http,
  killChildren,
  median,
  perSecond,
  pinned,
  pinning,
  pool,
  prepareDatabase,
  progress,
  sleep,
  unexpected,
  type Api,
  type CapturedResponse,
  type FeedSetup,
  type CompareOptions,
  type Json,
  type Reply,
} from './lib.js';
import { SCALE_SLUG, SCALE_THEME, manyNetworks, scaleFrame, scaleItem, seedNetworkFeed, thirtyItemDay, trackDayMeeting, type IsolationData } from './scenarios.js';

const env = process.env;
const QUICK = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
const settings = {
  seconds: Number(env.BENCH_SECONDS ?? (QUICK ? 2 : 5)),
  warmup: QUICK ? 0.5 : 1,
  connections: 10,
  // Feed polls are compared with both servers saturated: the ratio is then what a poll costs the server.
  feedConnections: 100,
  createConnections: 8,
  seedMeetings: 30,
  scaleMeetings: QUICK ? 10 : 100,
  itemsPerMeeting: 100,
  isolationNetworks: QUICK ? 10 : 100,
  roundsPerS: Number(env.BENCH_WRITE_ROUNDS_PER_S ?? 2),
  budgetS: Number(env.BENCH_BUDGET_S ?? 690),
  only: new Set((env.BENCH_ONLY ?? 'feed,patch,isolation,pages,scale').split(',').map((s) => s.trim())),
};
const budgetEnd = Date.now() + settings.budgetS * 1000;
const remainingS = () => (budgetEnd - Date.now()) / 1000;
const alternating = (slice: number): CompareOptions => ({ seconds: settings.seconds, slice, connections: settings.connections, warmup: settings.warmup });

/** What calendar services send; the app answers br or gzip. */
const CALENDAR = { 'accept-encoding': 'gzip, deflate, br', 'user-agent': 'netagenda-bench' };

function decoded(res: Reply): string {
  const coding = String(res.headers['content-encoding'] ?? '');
  const body = coding === 'br' ? brotliDecompressSync(res.body) : coding === 'gzip' ? gunzipSync(res.body) : coding === 'deflate' ? inflateSync(res.body) : res.body;
  // Unfolded (RFC 5545 3.1), so that a search for a summary is not split by a line fold.
  return body.toString('utf8').replace(/\r\n[ \t]/g, '');
}
const countEvents = (ics: string) => ics.split('BEGIN:VEVENT').length - 1;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function captured(res: Reply): CapturedResponse {
  const headers: [string, string][] = [];
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    if (!NOT_REPLAYED.has(res.rawHeaders[i]!.toLowerCase())) headers.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
  }
  return { status: res.status, headers, body: res.body.toString('base64') };
}
const headerSet = (c: CapturedResponse) => new Set(c.headers.map(([k, v]) => `${k.toLowerCase()}: ${v}`));

type Section = ReturnType<Report['section']>;

// 1. Feed poll vs a bare Fastify serving the same bytes.
async function feedSection(r: Section, app: AppServer, api: Api): Promise<void> {
  progress(`feed: ${settings.seedMeetings} released meetings on the seed network`);
  const path = await seedNetworkFeed(api, settings.seedMeetings, 4);
  const url = app.base + path;
  const full = await http(url, { headers: CALENDAR });
  if (full.status !== 200) throw new Error(`GET ${path}: ${full.status}`);
  const etag = String(full.headers.etag ?? '');
  if (!etag) throw new Error(`GET ${path}: no ETag`);
  const revalidated = await http(url, { headers: { ...CALENDAR, 'if-none-match': etag } });
  const text = decoded(full);
  r.line(`${path}: ${countEvents(text)} events, ${kb(Buffer.byteLength(text))} plain, ${kb(full.body.length)} as sent (content-encoding ${full.headers['content-encoding'] ?? 'none'})`);
  r.line(`request headers: Accept-Encoding: ${CALENDAR['accept-encoding']}; 304 run adds If-None-Match: ${etag}`);
  if (revalidated.status !== 304) r.line(`WARNING: If-None-Match with the feed's ETag answered ${revalidated.status}, not 304`);

  const setup: FeedSetup = { route: '/feeds/networks/:slug.ics', etag, full: captured(full), notModified: captured(revalidated) };
  const bare = await BareServer.start('feed', setup);
  try {
    // The bare server must send what the app sent, or the comparison means nothing.
    const replay = captured(await http(bare.url + path, { headers: CALENDAR }));
    const want = headerSet(setup.full);
    const got = headerSet(replay);
    const differ = [...want].filter((h) => !got.has(h)).concat([...got].filter((h) => !want.has(h)));
    if (replay.body !== setup.full.body || replay.status !== 200) throw new Error('the bare feed server did not send the captured bytes');
    r.line(`bare server replays the app's 200 (${setup.full.headers.length} headers${differ.length ? `; differing: ${differ.join(' | ')}` : ', identical'}) and 304 (${setup.notModified.headers.length} headers)`);

    // At 100 connections each server keeps its core busy, so the ratio is that of the work per poll. At 10,
    // neither process fills its core and the figure mostly measures how fast the two wake each other (on a
    // virtual machine, across cores): shown after the figures, not judged.
    const saturated = { ...alternating(0.5), connections: settings.feedConnections };
    const inm = { ...CALENDAR, 'if-none-match': etag };
    const pairs = {
      full: [
        { label: 'app: feed poll, 200', load: { url, headers: CALENDAR } },
        { label: 'bare Fastify: same bytes, 200', load: { url: bare.url + path, headers: CALENDAR } },
      ],
      notModified: [
        { label: 'app: feed poll, If-None-Match -> 304', load: { url, headers: inm } },
        { label: 'bare Fastify: same headers, 304', load: { url: bare.url + path, headers: inm } },
      ],
    } as const;
    await pinned([app.pid, bare.child.pid!], async () => {
      r.line(`polls at ${settings.feedConnections} connections (both servers saturated)`);
      /** One judged comparison: both lines, and the ratio against its target (any other status noted). */
      const judge = async (what: string, pair: (typeof pairs)[keyof typeof pairs], status: string) => {
        progress(`feed: ${what}, app vs bare, alternating`);
        const run = await compare(pair[0], pair[1], saturated);
        r.line(describe(run.a));
        r.line(describe(run.b));
        const bad = [unexpected(run.a, status), unexpected(run.b, status)].filter(Boolean).join('; ');
        r.figure({ name: `feed poll ${status}: app / bare`, value: run.ratio, unit: '×', target: { op: '>=', value: 0.9 }, note: bad ? `unexpected: ${bad}` : undefined });
      };
      await judge('200 polls', pairs.full, '200');
      await judge('304 revalidations', pairs.notModified, '304');

      progress(`feed: the same at ${settings.connections} connections (not judged)`);
      const light = alternating(0.5);
      const fullLight = await compare(pairs.full[0], pairs.full[1], light);
      const notModifiedLight = await compare(pairs.notModified[0], pairs.notModified[1], light);
      r.line(
        `at ${settings.connections} connections (not judged): 200 ${perSecond(fullLight.a).toFixed(0)} / ${perSecond(fullLight.b).toFixed(0)} req/s = ${fullLight.ratio.toFixed(2)}; ` +
          `304 ${perSecond(notModifiedLight.a).toFixed(0)} / ${perSecond(notModifiedLight.b).toFixed(0)} req/s = ${notModifiedLight.ratio.toFixed(2)}`,
      );
    });
  } finally {
    await bare.stop();
  }
}

/** What a browser sends for a page. */
const BROWSER = { 'accept-encoding': 'gzip, deflate, br', 'accept-language': 'da-DK,da;q=0.9,en;q=0.8', accept: 'text/html', 'user-agent': 'netagenda-bench' };

// Pages: a kept meeting page (200 and 304) vs the feed poll of the same meeting, side by side.
async function pagesSection(r: Section, app: AppServer, api: Api): Promise<void> {
  progress('pages: a released day with two tracks');
  const id = await trackDayMeeting(api);
  const pageUrl = `${app.base}/meetings/${id}`;
  const feedUrl = `${app.base}/feeds/meetings/${id}.ics`;
  const page = await http(pageUrl, { headers: BROWSER });
  const feed = await http(feedUrl, { headers: CALENDAR });
  if (page.status !== 200 || feed.status !== 200) throw new Error(`GET page ${page.status}, feed ${feed.status}`);
  const pageEtag = String(page.headers.etag ?? '');
  const feedEtag = String(feed.headers.etag ?? '');
  const pageInm = { ...BROWSER, 'if-none-match': pageEtag };
  const feedInm = { ...CALENDAR, 'if-none-match': feedEtag };
  const revalidated = [await http(pageUrl, { headers: pageInm }), await http(feedUrl, { headers: feedInm })];
  if (revalidated.some((res) => res.status !== 304)) r.line(`WARNING: revalidation answered ${revalidated.map((res) => res.status).join(', ')}, not 304`);
  r.line(`/meetings/${id}: ${kb(page.body.length)} as sent (${page.headers['content-encoding'] ?? 'none'}); its feed ${kb(feed.body.length)} (${feed.headers['content-encoding'] ?? 'none'})`);
  const saturated = { ...alternating(0.5), connections: settings.feedConnections };
  await pinned([app.pid], async () => {
    r.line(`polls at ${settings.feedConnections} connections`);
    for (const [status, a, b] of [
      ['200', { label: 'meeting page, 200', load: { url: pageUrl, headers: BROWSER } }, { label: 'its feed poll, 200', load: { url: feedUrl, headers: CALENDAR } }],
      ['304', { label: 'meeting page, If-None-Match -> 304', load: { url: pageUrl, headers: pageInm } }, { label: 'its feed poll, If-None-Match -> 304', load: { url: feedUrl, headers: feedInm } }],
    ] as const) {
      progress(`pages: ${status}, page vs feed, alternating`);
      const run = await compare(a, b, saturated);
      r.line(describe(run.a));
      r.line(describe(run.b));
      const bad = [unexpected(run.a, status), unexpected(run.b, status)].filter(Boolean).join('; ');
      r.figure({ name: `meeting page ${status} / feed poll ${status}`, value: run.ratio, unit: '×', target: { op: '>=', value: 0.9 }, note: bad ? `unexpected: ${bad}` : undefined });
    }
  });
}

// 2. Item title PATCH vs one durable UPDATE in a bare Fastify.
async function patchSection(r: Section, app: AppServer, api: Api, token: string, dir: string): Promise<void> {
  progress('patch: a released 30-item day with two tracks');
  const ids = await thirtyItemDay(api);
  await api('PATCH', `/items/${ids[0]}`, { title: 'Første nye titel' }); // a refusal shows here, clearly
  const bare = await BareServer.start('update', { databasePath: join(dir, 'bare-update.db'), rows: 300 });
  try {
    let n = 0;
    /** A title PATCH of the day's items in turn, with a new title every request. */
    const patches = (base: string, targetIds: string[], headers: Record<string, string>) => ({
      url: base,
      requests: [
        {
          method: 'PATCH',
          setupRequest: (req: Json) => {
            const i = n++;
            return { ...req, method: 'PATCH', path: `/api/v1/items/${targetIds[i % targetIds.length]}`, headers, body: JSON.stringify({ title: `Ny titel ${i}` }) };
          },
        },
      ],
    });
    const json = { 'content-type': 'application/json' };
    r.line(`app: PATCH /api/v1/items/{id} {"title": …} over the day's 30 items, admin token, no If-Match; bare: the same path, UPDATE of a 300-row table`);
    progress('patch: app vs bare, alternating');
    const run = await compare(
      { label: 'app: item title PATCH', load: patches(app.base, ids, { ...json, authorization: `Bearer ${token}` }) },
      { label: 'bare Fastify: one durable UPDATE', load: patches(bare.url, bare.ready.ids as string[], json) },
      alternating(0.5),
    );
    r.line(describe(run.a));
    r.line(describe(run.b));
    const bad = [unexpected(run.a, '200'), unexpected(run.b, '200')].filter(Boolean).join('; ');
    r.figure({ name: 'item title PATCH: app / bare UPDATE', value: run.ratio, unit: '×', target: { op: '>=', value: 0.5 }, note: bad ? `unexpected: ${bad}` : undefined });
  } finally {
    await bare.stop();
  }
}

/** Writes in network A: item title PATCH, release, meeting PATCH, in rounds at a steady pace. */
function writerOf(app: AppServer, token: string, writer: IsolationData['writer']) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const headers = { authorization: `Bearer ${token}` };
  const stats = { rounds: 0, writes: 0, seconds: 0, latencies: [] as number[], other: new Map<string, number>() };
  let r = 0;
  const write = async (method: string, path: string, body: object, expect: number) => {
    try {
      const res = await http(`${app.base}/api/v1${path}`, { method, body, headers, agent });
      stats.writes++;
      stats.latencies.push(res.ms);
      if (res.status !== expect) stats.other.set(`${method} ${res.status}`, (stats.other.get(`${method} ${res.status}`) ?? 0) + 1);
    } catch (err) {
      stats.other.set(`${method} ${(err as Error).message}`, (stats.other.get(`${method} ${(err as Error).message}`) ?? 0) + 1);
    }
  };
  const round = async () => {
    const i = r++;
    const m = writer.meetings[i % writer.meetings.length]!;
    await write('PATCH', `/items/${m.items[i % m.items.length]}`, { title: `Ændret punkt ${i}` }, 200);
    await write('POST', `/meetings/${m.id}/releases`, { note: `Ændring ${i}` }, 201);
    await write('PATCH', `/meetings/${m.id}`, { description: `Program, opdateret ${i}.` }, 200);
    stats.rounds++;
  };
  /** Starts rounds at `roundsPerS`, each due mid-period; the result stops them and waits for the last. */
  const start = () => {
    let stopped = false;
    const t0 = performance.now();
    const loop = (async () => {
      for (let k = 0; !stopped; k++) {
        const due = t0 + ((k + 0.5) * 1000) / settings.roundsPerS;
        while (!stopped && performance.now() < due) await sleep(Math.min(20, due - performance.now()));
        if (!stopped) await round();
      }
    })();
    return async () => {
      stopped = true;
      await loop;
      stats.seconds += (performance.now() - t0) / 1000;
    };
  };
  return { round, start, stats, close: () => agent.destroy() };
}

// 3. Isolation: polls of B while A is written to, vs no writes.
async function isolationSection(r: Section, app: AppServer, api: Api, token: string): Promise<void> {
  progress(`isolation: ${settings.isolationNetworks} networks, 3 released meetings each`);
  const t0 = performance.now();
  const data = await manyNetworks(api, settings.isolationNetworks, 3, 8);
  const feedB = `${app.base}/feeds/networks/${data.polled}.ics`;
  const first = await http(feedB, { headers: CALENDAR });
  if (first.status !== 200) throw new Error(`GET ${feedB}: ${first.status}`);
  r.line(`built in ${((performance.now() - t0) / 1000).toFixed(1)} s; B = ${data.polled} (${countEvents(decoded(first))} events, ${kb(first.body.length)} as sent), A = ${data.writer.slug}`);
  const writer = writerOf(app, token, data.writer);
  try {
    r.line(`writes in A: rounds of item title PATCH + release + meeting PATCH, ${settings.roundsPerS} rounds/s, during every "writes" slice`);
    progress('isolation: B polls with and without writes in A, alternating');
    const run = await compare(
      { label: 'B feed poll, writes going on in A', load: { url: feedB, headers: CALENDAR }, around: writer.start },
      { label: 'B feed poll, no writes', load: { url: feedB, headers: CALENDAR } },
      alternating(1),
    );
    r.line(describe(run.a));
    r.line(describe(run.b));
    const s = writer.stats;
    const other = [...s.other].map(([k, v]) => `${k}×${v}`).join(' ');
    const busy = s.latencies.reduce((sum, ms) => sum + ms, 0) / 10 / s.seconds;
    r.line(`writer: ${s.rounds} rounds, ${s.writes} writes (${(s.writes / s.seconds).toFixed(1)}/s), write latency p50 ${median(s.latencies).toFixed(1)} ms${other ? `, unexpected: ${other}` : ''}`);
    r.line(`the writes themselves held the server about ${busy.toFixed(1)}% of the "writes" slices (sum of their latencies): a ratio near ${(1 - busy / 100).toFixed(2)} is that cost, not B's`);
    const bad = [unexpected(run.a, '200'), unexpected(run.b, '200')].filter(Boolean).join('; ');
    r.figure({ name: 'B feed poll while A is written: with / without', value: run.ratio, unit: '×', target: { op: '>=', value: 0.9 }, note: bad ? `unexpected: ${bad}` : undefined });

    // What one poll of B costs right after a write round in A (a global invalidation shows here as a
    // rebuild of B), against one right after reading A's agenda (the same pattern with no write).
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const quiet: number[] = [];
    const afterWrite: number[] = [];
    const readA = `${app.base}/api/v1/meetings/${data.writer.meetings[0]!.id}/agenda`;
    for (let i = 0; i < (QUICK ? 10 : 40); i++) {
      await http(readA, { headers: { authorization: `Bearer ${token}` }, agent });
      quiet.push((await http(feedB, { headers: CALENDAR, agent })).ms);
      await writer.round();
      afterWrite.push((await http(feedB, { headers: CALENDAR, agent })).ms);
    }
    agent.destroy();
    r.line(`one B poll right after a write round in A: p50 ${median(afterWrite).toFixed(2)} ms (max ${Math.max(...afterWrite).toFixed(2)}); right after a read of A: p50 ${median(quiet).toFixed(2)} ms (max ${Math.max(...quiet).toFixed(2)}); ${afterWrite.length} each`);
    r.figure({ name: 'B first poll after a write in A: p50 without / with', value: median(quiet) / median(afterWrite), unit: '×', note: '(diagnostic, no target)' });
  } finally {
    writer.close();
  }
}

/** One timed poll of the theme feed, decoded; on a connection of its own. */
async function pollTheme(base: string) {
  const url = `${base}/feeds/networks/${SCALE_SLUG}/themes/${SCALE_THEME}.ics`;
  const res = await http(url, { headers: CALENDAR, timeoutMs: 180_000 });
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
  const text = decoded(res);
  return { ms: res.ms, text, events: countEvents(text), sent: res.body.length, coding: String(res.headers['content-encoding'] ?? 'none'), etag: String(res.headers.etag ?? '') };
}

// 4. Scale: 100 meetings × 100 items on one theme, over HTTP.
async function scaleSection(r: Section, dir: string): Promise<void> {
  const databasePath = join(dir, 'scale.db');
  const logPath = join(dir, 'scale-server.log');
  const token = prepareDatabase(databasePath);
  let app = await AppServer.start({ databasePath, logPath });
  const agent = new Agent({ keepAlive: true, maxSockets: settings.createConnections });
  try {
    const api = apiClient(app.base, token, agent);
    const total = settings.scaleMeetings * settings.itemsPerMeeting;
    progress(`scale: network ${SCALE_SLUG}, ${settings.scaleMeetings} meetings with 4 tracks each`);
    const frame = await scaleFrame(api, settings.scaleMeetings, settings.itemsPerMeeting, settings.createConnections);

    // Item creates at 8 connections; bounded by the time budget.
    const createBudget = Math.max(30, Math.min(300, remainingS() - 150));
    progress(`scale: ${total} item creates at ${settings.createConnections} connections (stops after ${createBudget.toFixed(0)} s)`);
    const statuses = new Map<string, number>();
    const perMeeting = new Array<number>(settings.scaleMeetings).fill(0);
    const itemOf: string[] = [];
    let firstRefusal = '';
    const headers = { authorization: `Bearer ${token}` };
    const t0 = performance.now();
    let lastReport = t0;
    const ran = await pool(
      Array.from({ length: total }, (_, n) => n),
      settings.createConnections,
      async (n) => {
        const { meetingId, body } = scaleItem(frame, n);
        const day = n % settings.scaleMeetings;
        let key: string;
        try {
          const res = await http(`${app.base}/api/v1/meetings/${meetingId}/items`, { method: 'POST', body, headers, agent, timeoutMs: 30_000 });
          key = String(res.status);
          if (res.status === 201) {
            perMeeting[day]!++;
            if (itemOf[day] === undefined) itemOf[day] = (JSON.parse(res.body.toString('utf8')) as Json).id as string;
          } else firstRefusal ||= `${res.status} ${res.body.toString('utf8').slice(0, 300)}`;
        } catch (err) {
          key = (err as Error).message;
          firstRefusal ||= key;
        }
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        if (performance.now() - lastReport > 10_000) {
          lastReport = performance.now();
          progress(`  ${n + 1} of ${total} creates sent`);
        }
      },
      Date.now() + createBudget * 1000,
    );
    const createS = (performance.now() - t0) / 1000;
    const created = statuses.get('201') ?? 0;
    const notCreated = [...statuses].filter(([k]) => k !== '201').map(([k, v]) => `${k}×${v}`).join(' ');
    r.line(`creates: ${created} of ${total} created (201) in ${createS.toFixed(1)} s${ran < total ? `; STOPPED at the time limit after ${ran} requests` : ''}${notCreated ? `; not created: ${notCreated}` : ''}`);
    if (firstRefusal) r.line(`first refusal: ${firstRefusal}`);
    r.figure({
      name: 'item creates over HTTP, 8 connections (201s per second)',
      value: created / createS,
      unit: '/s',
      target: { op: '>=', value: 1000 },
      note: created < total ? `only ${created} of ${total} items` : undefined,
    });

    // Releases, bounded too; then the theme feed's first poll.
    const releaseBudget = Math.max(20, Math.min(180, remainingS() - 90));
    progress(`scale: releasing ${settings.scaleMeetings} meetings (stops after ${releaseBudget.toFixed(0)} s)`);
    const releaseMs: number[] = [];
    const released: boolean[] = [];
    const tr = performance.now();
    await pool(
      frame.meetings,
      2,
      async (m, i) => {
        const res = await http(`${app.base}/api/v1/meetings/${m.id}/releases`, { method: 'POST', body: { note: 'bench' }, headers, agent, timeoutMs: 120_000 });
        if (res.status !== 201) throw new Error(`release of ${m.id}: ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
        releaseMs.push(res.ms);
        released[i] = true;
      },
      Date.now() + releaseBudget * 1000,
    );
    const expected = perMeeting.reduce((sum, n, i) => sum + (released[i] ? n : 0), 0);
    r.line(`releases: ${releaseMs.length} of ${settings.scaleMeetings} in ${((performance.now() - tr) / 1000).toFixed(1)} s (p50 ${median(releaseMs).toFixed(0)} ms, max ${Math.max(0, ...releaseMs).toFixed(0)} ms, 2 at a time)`);

    const first = await pollTheme(app.base);
    const complete = first.events === expected;
    r.line(`theme feed: ${first.events} events (${expected} released items), ${(Buffer.byteLength(first.text) / 1048576).toFixed(1)} MB plain, ${kb(first.sent)} as sent (${first.coding})`);
    r.figure({
      name: 'theme feed, first poll after the releases',
      value: first.ms,
      unit: 'ms',
      target: { op: '<', value: 100 },
      note: complete && expected === total ? undefined : `feed holds ${first.events} events, ${total} expected`,
    });
    const warm = await pollTheme(app.base);
    const revalidate = await http(`${app.base}/feeds/networks/${SCALE_SLUG}/themes/${SCALE_THEME}.ics`, { headers: { ...CALENDAR, 'if-none-match': warm.etag } });
    r.line(`theme feed, second poll ${warm.ms.toFixed(1)} ms; If-None-Match ${revalidate.status} in ${revalidate.ms.toFixed(1)} ms`);
    const rss: [string, number][] = [['after the build and first polls', app.rssMb()]];

    // One item edit + release, then a poll; three times (different meetings), judged on the median.
    const editMs: number[] = [];
    const stale: string[] = [];
    for (let k = 0; k < 3 && k < settings.scaleMeetings; k++) {
      const m = frame.meetings[k]!;
      const title = `Ændret titel ${k}-${Date.now()}`;
      await api('PATCH', `/items/${itemOf[k]}`, { title });
      await api('POST', `/meetings/${m.id}/releases`, { note: `Ændring ${k}` });
      const after = await pollTheme(app.base);
      editMs.push(after.ms);
      if (!after.text.includes(title)) stale.push(`edit ${k + 1} not in the feed`);
    }
    r.figure({
      name: 'theme feed, first poll after one item edit + release (p50 of 3)',
      value: stale.length ? null : median(editMs),
      unit: 'ms',
      target: { op: '<', value: 50 },
      note: `${editMs.map((ms) => ms.toFixed(1)).join(', ')} ms${stale.length ? `; STALE: ${stale.join(', ')}` : ''}`,
    });
    rss.push(['after the edits', app.rssMb()]);

    // Restart on the same database: start-up, then the first poll.
    progress('scale: restarting the server');
    await app.stop();
    app = await AppServer.start({ databasePath, logPath });
    r.figure({ name: '`node dist/server/main.js` to its first response', value: app.startupMs, unit: 'ms', target: { op: '<', value: 1000 } });
    const restarted = await pollTheme(app.base);
    r.figure({
      name: 'theme feed, first poll after a restart',
      value: restarted.events === first.events ? restarted.ms : null,
      unit: 'ms',
      target: { op: '<', value: 100 },
      note: restarted.events === first.events ? undefined : `feed holds ${restarted.events} events after the restart, ${first.events} before`,
    });
    rss.push(['after the restart and a poll', app.rssMb()]);
    r.line(`server RSS: ${rss.map(([when, mb]) => `${mb.toFixed(0)} MB ${when}`).join('; ')}`);
    r.figure({ name: 'server RSS (VmRSS, largest of the three)', value: Math.max(...rss.map(([, mb]) => mb)), unit: 'MB', target: { op: '<', value: 150 } });
  } catch (err) {
    if (!app.alive()) throw new Error(`${(err as Error).message}\nthe server died; its log:\n${app.logTail()}`);
    throw err;
  } finally {
    agent.destroy();
    await app.stop();
  }
}

function machine(): string[] {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: REPO, encoding: 'utf8' }).stdout.trim();
  const dirty = git('status', '--porcelain').split('\n').filter(Boolean).length;
  const cpu = cpus();
  return [
    `# netagenda bench, ${new Date().toISOString()}${QUICK ? '   QUICK MODE: smaller sizes and shorter runs, not the contract' : ''}`,
    `commit ${git('rev-parse', '--short', 'HEAD')}${dirty ? ` + ${dirty} uncommitted changes` : ''}; node ${process.version}; ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}`,
    `autocannon on 127.0.0.1, ${settings.connections} connections, ${settings.seconds} s per target in alternating slices after ${settings.warmup} s warm-up each;`,
    `app = node dist/server/main.js (LOG_LEVEL=warn; API rate-limit ceiling raised, load shedding off: one client address sends everything)`,
    pinning
      ? `feed comparisons: load generator on core ${pinning.client}, app and bare servers alike on core ${pinning.server} with all their threads; elsewhere the scheduler places processes`
      : 'placement: left to the scheduler (BENCH_PIN=0 or one core)',
  ];
}

async function main(): Promise<void> {
  const report = new Report();
  const dir = mkdtempSync(join(env.BENCH_DIR ?? tmpdir(), 'netagenda-bench-'));
  // A hard stop well past the budget: whatever hangs, the run ends.
  const watchdog = setTimeout(
    () => {
      progress('bench: over its time limit; stopping');
      const text = report.text([...machine(), `STOPPED after ${elapsedS().toFixed(0)} s: over the time limit`]);
      console.log(`\n${text}`);
      if (env.BENCH_OUT) writeFileSync(env.BENCH_OUT, `${text}\n`);
      killChildren();
      if (env.BENCH_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
      process.exit(1);
    },
    (settings.budgetS + 150) * 1000,
  );
  watchdog.unref();
  progress(`bench: scratch databases in ${dir}`);
  try {
    const small = ['feed', 'patch', 'isolation', 'pages'].filter((s) => settings.only.has(s));
    if (small.length > 0) {
      const databasePath = join(dir, 'app.db');
      const token = prepareDatabase(databasePath);
      const app = await AppServer.start({ databasePath, logPath: join(dir, 'app-server.log') });
      const agent = new Agent({ keepAlive: true, maxSockets: 8 });
      const api = apiClient(app.base, token, agent);
      progress(`bench: app started in ${app.startupMs.toFixed(0)} ms (seed network)`);
      const sections: [string, string, (r: Section) => Promise<void>][] = [
        ['feed', 'Feed poll: the seed network feed, app vs a bare Fastify serving the same bytes', (r) => feedSection(r, app, api)],
        ['patch', 'Item writes: title PATCH, app vs a bare Fastify route doing one durable SQLite UPDATE', (r) => patchSection(r, app, api, token, dir)],
        ['isolation', `Isolation: ${settings.isolationNetworks} networks; B's feed polled with and without writes in A`, (r) => isolationSection(r, app, api, token)],
        ['pages', 'Pages: a kept meeting page vs the feed poll of the same meeting', (r) => pagesSection(r, app, api)],
      ];
      try {
        for (const [key, title, run] of sections) {
          if (!settings.only.has(key)) continue;
          const r = report.section(title);
          try {
            await run(r);
          } catch (err) {
            r.fail(app.alive() ? err : new Error(`${(err as Error).message}\nthe server died; its log:\n${app.logTail()}`));
            progress(`${key}: CRASHED: ${(err as Error).message}`);
            if (!app.alive()) break;
          }
        }
      } finally {
        agent.destroy();
        await app.stop();
      }
    }
    if (settings.only.has('scale')) {
      const r = report.section(`Scale: ${settings.scaleMeetings} meetings × ${settings.itemsPerMeeting} items on one theme, created over HTTP`);
      try {
        await scaleSection(r, dir);
      } catch (err) {
        r.fail(err);
        progress(`scale: CRASHED: ${(err as Error).message}`);
      }
    }
  } finally {
    killChildren();
    if (env.BENCH_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
    else progress(`bench: kept ${dir}`);
  }
  const text = report.text([...machine(), `whole run ${elapsedS().toFixed(0)} s`]);
  console.log(`\n${text}`);
  if (env.BENCH_OUT) writeFileSync(env.BENCH_OUT, `${text}\n`);
  clearTimeout(watchdog);
  process.exitCode = report.crashed ? 1 : 0;
}

await main();
