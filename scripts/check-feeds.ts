// `npm run check:feeds`: runs the real server on a scratch database, builds a network over the API that
// exercises the feeds (parallel tracks, releases, a removed item, a cancelled meeting, text full of
// commas, semicolons, newlines and æøå), then judges every kind of feed, for the seed network and the
// built one, with ../shared/tools/ical-check/check.sh. Departures too: a track, theme, cluster and
// personal feed each holding an event that left it (an item moved to another track, an item that lost the
// theme, a meeting that left the cluster, a participant's track switch and cancelled registration), which
// must stay there as STATUS:CANCELLED "AFLYST: …". Exits non-zero when any check fails.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeDatabase, openDatabase } from '../db/client.js';
import { SEED_SLUG } from '../db/seed-data.js';
import { createToken } from '../server/auth/tokens.js';
import { freePort } from '../test/server-process.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const checker = resolve(repo, '../shared/tools/ical-check/check.sh');
const CHECK_TIMEOUT_MS = 180_000;
const STARTUP_TIMEOUT_MS = 30_000;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * One HTTP request on its own connection: the checks take seconds between requests, and a kept-alive
 * socket that the server closes meanwhile would fail the next fetch ("other side closed").
 */
function http(method: string, url: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((ok, fail) => {
    const req = request(url, { method, headers, agent: false, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', fail);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: timed out`)));
    req.on('error', fail);
    req.end(body);
  });
}


async function waitUntilUp(base: string, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`server exited with ${server.exitCode}`);
    try {
      if ((await http('GET', `${base}/healthz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('server did not start in time');
}

function stop(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const kill = setTimeout(() => server.kill('SIGKILL'), 10_000);
    server.once('exit', () => {
      clearTimeout(kill);
      done();
    });
    server.kill('SIGTERM');
  });
}

/** The API, as an admin. Fails loudly: the checks are meaningless on half-built data. */
function api(base: string, token: string) {
  return async (method: string, path: string, body?: unknown, expect = method === 'POST' ? 201 : method === 'DELETE' ? 204 : 200): Promise<Json> => {
    const headers = { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
    const res = await http(method, `${base}/api/v1${path}`, headers, body === undefined ? undefined : JSON.stringify(body));
    const text = res.text;
    if (res.status !== expect) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
    return text ? (JSON.parse(text) as Json) : {};
  };
}

type Check = [label: string, path: string, expected: string[]];

/**
 * Events that leave a track, theme, cluster and personal feed after a subscriber has read them. Meetings in
 * 2099 (registration is still open), one on the autumn daylight-saving change. Returns the feeds to check.
 */
async function buildDepartures(call: ReturnType<typeof api>, poll: (paths: string[]) => Promise<void>, slug: string): Promise<Check[]> {
  // A cluster needs a member municipality; the network has no size bounds, so one will do.
  await call('POST', `/networks/${slug}/members?override=true`, { municipalityCode: 101, contact: { name: 'Kontakt, København', email: 'k101@kommune.dk' } });
  await call('PUT', `/networks/${slug}/clusters`, { clusters: [{ name: 'Klynge Hovedstaden; nord, syd', municipalityCodes: [101] }] });
  const cluster = ((await call('GET', `/networks/${slug}/clusters`)).data as Json[])[0]!;
  const clusterPath = new URL(cluster.feeds.meetings.https as string).pathname;

  const day = await call('POST', `/networks/${slug}/meetings`, {
    title: 'Afgange: spor, temaer; klynger',
    date: '2099-10-25',
    startTime: '10:00',
    endTime: '16:00',
    status: 'announced',
    clusterId: cluster.id,
  });
  const trackA = await call('POST', `/meetings/${day.id}/tracks`, { name: 'Spor A, dagtilbud', sortOrder: 1 });
  const trackB = await call('POST', `/meetings/${day.id}/tracks`, { name: 'Spor B; skole', sortOrder: 2 });
  const item = (payload: Json) => call('POST', `/meetings/${day.id}/items`, payload);
  await item({ startTime: '10:00', endTime: '10:30', title: 'Velkomst', kind: 'welcome', themes: ['trivsel'] });
  const moved = await item({ trackId: trackA.id, startTime: '10:30', endTime: '12:00', title: 'Overgange, skole; dagtilbud', kind: 'workshop', themes: ['trivsel'] });
  const unthemed = await item({ trackId: trackB.id, startTime: '12:00', endTime: '12:45', title: 'Læsning; skrivning, regning', kind: 'presentation', themes: ['trivsel', 'ledelse'] });
  await item({ trackId: trackA.id, startTime: '12:00', endTime: '13:00', title: 'Leg og læring, 0-6 år', kind: 'discussion', themes: ['trivsel'] });
  await call('POST', `/meetings/${day.id}/releases`, { note: 'Program' });
  const leaving = await call('POST', `/networks/${slug}/meetings`, {
    title: 'Klyngemøde, der forlader klyngen',
    date: '2099-03-29',
    startTime: '10:00',
    endTime: '15:00',
    status: 'announced',
    clusterId: cluster.id,
  });

  const anne = await call('POST', `/networks/${slug}/participants`, { name: 'Anne Ærø', email: 'anne@example.dk' });
  const personalPath = new URL(anne.feed.https as string).pathname;
  const onTrackA = await call('POST', `/meetings/${day.id}/registrations`, { participantId: anne.id, trackId: trackA.id });
  const inCluster = await call('POST', `/meetings/${leaving.id}/registrations`, { participantId: anne.id });

  const trackPath = `/feeds/tracks/${trackA.id}.ics`;
  const themePath = `/feeds/networks/${slug}/themes/ledelse.ics`;
  // The subscriber reads every feed before the changes: what it saw must come back as cancelled.
  await poll([trackPath, themePath, clusterPath, personalPath, `/feeds/tracks/${trackB.id}.ics`]);

  await call('PATCH', `/items/${moved.id}`, { trackId: trackB.id });
  await call('PATCH', `/items/${unthemed.id}`, { themes: ['trivsel'] });
  await call('POST', `/meetings/${day.id}/releases`, { note: 'Overgange flyttet til spor B; læsning uden ledelsestema' });
  await call('PATCH', `/meetings/${leaving.id}`, { clusterId: null });
  await call('PATCH', `/registrations/${onTrackA.id}`, { trackId: trackB.id });
  await call('DELETE', `/registrations/${inCluster.id}`);

  // The autumn night: 02:15 happens twice in Copenhagen. The item is written in UTC (its first occurrence,
  // 00:15Z), the rest of the night with its zone.
  const night = await call('POST', `/networks/${slug}/meetings`, {
    title: 'Nattemøde, når uret stilles tilbage',
    date: '2099-10-25',
    startTime: '00:30',
    endTime: '04:30',
    status: 'announced',
  });
  await call('POST', `/meetings/${night.id}/items`, { startTime: '00:30', endTime: '01:30', title: 'Før skiftet', kind: 'presentation' });
  await call('POST', `/meetings/${night.id}/items`, { startTime: '02:15', endTime: '02:45', title: 'Den dobbelte time', kind: 'discussion' });
  await call('POST', `/meetings/${night.id}/releases`, { note: 'Program' });

  return [
    ['ambiguous wall time (written in UTC)', `/feeds/meetings/${night.id}.ics?items=1`, ['DTSTART:20991025T001500Z', 'DTEND:20991025T004500Z', 'DTSTART;TZID=Europe/Copenhagen:20991025T003000']],
    ['departure: track A (item moved out)', trackPath, ['STATUS:CANCELLED', 'SUMMARY:AFLYST: Overgange\\, skole\\; dagtilbud', 'SUMMARY:Leg og læring\\, 0-6 år']],
    ['departure: theme (item lost it)', themePath, ['SUMMARY:AFLYST: Læsning\\; skrivning\\, regning']],
    ['departure: cluster (meeting left)', clusterPath, ['SUMMARY:AFLYST: Klyngemøde\\, der forlader klyngen', 'SUMMARY:Afgange: spor\\, temaer\\; klynger']],
    [
      'departure: personal (track, registration)',
      personalPath,
      ['SUMMARY:AFLYST: Leg og læring\\, 0-6 år', 'SUMMARY:AFLYST: Klyngemøde\\, der forlader klyngen', 'SUMMARY:Overgange\\, skole\\; dagtilbud'],
    ],
  ];
}

/** Builds the data every feed kind needs; returns the feed paths to check, by label. */
async function build(call: ReturnType<typeof api>, poll: (paths: string[]) => Promise<void>): Promise<Check[]> {
  const tricky = 'Komma, semikolon; kolon: og "citat" – æøå ÆØÅ 🎉';
  const slug = 'feed-check-netvaerk';
  await call('POST', '/networks', {
    slug,
    name: `Netværk for feeds; test, ${tricky}`,
    description: `Linje 1, med komma; og semikolon\nLinje 2: æøå\n\n${'Lang tekst med æøå, komma; og emoji 🎉 '.repeat(6)}`,
    organiser: { name: 'KL; Børn og Unge, København', email: 'feeds@kl.dk' },
  });
  const venue = await call('POST', `/networks/${slug}/venues`, {
    name: 'KL-huset; mødecenter, stuen',
    streetAddress: 'Weidekampsgade 10',
    postalCode: '2300',
    city: 'København S',
    latitude: 55.6617,
    longitude: 12.5912,
  });
  await call('PATCH', `/networks/${slug}`, { defaultVenueId: venue.id });
  await call('POST', `/networks/${slug}/themes`, { key: 'trivsel', name: 'Trivsel, læring; og dannelse', description: 'Om trivsel,\nlæring; dannelse' });
  await call('POST', `/networks/${slug}/themes`, { key: 'ledelse', name: 'Ledelse: data; styring, æøå' });
  const speaker = await call('POST', `/networks/${slug}/speakers`, { name: 'Åse Ørsted-Ærø', title: 'Chefkonsulent, ph.d.', organisation: 'KL; Center for Børn' });

  const meeting = await call('POST', `/networks/${slug}/meetings`, {
    title: `Temadag: trivsel, læring; ${tricky}`,
    date: '2020-03-12',
    startTime: '09:00',
    endTime: '15:30',
    status: 'announced',
    description: `Formiddag, eftermiddag; pauser.\nMedbring pc, oplader; godt humør.\n${tricky}`,
  });
  const trackA = await call('POST', `/meetings/${meeting.id}/tracks`, { name: 'Spor A: dagtilbud, 0-6 år; æøå', room: 'Lokale 1, 2. sal', sortOrder: 1 });
  const trackB = await call('POST', `/meetings/${meeting.id}/tracks`, { name: 'Spor B; skole, 6-16 år', room: 'Sal B', sortOrder: 2 });
  const item = (payload: Json) => call('POST', `/meetings/${meeting.id}/items`, payload);
  await item({ startTime: '09:00', endTime: '09:30', title: 'Velkomst, kaffe; morgenbrød', kind: 'welcome' });
  await item({ trackId: trackA.id, startTime: '09:30', endTime: '11:00', title: 'Workshop: overgange, data; æøå', kind: 'workshop', themes: ['trivsel'], speakerIds: [speaker.id], description: `Vi arbejder i grupper,\nmed cases; ${tricky}` });
  const removed = await item({ trackId: trackB.id, startTime: '09:30', endTime: '10:15', title: 'Oplæg: læsning, skrivning; regning', kind: 'presentation', themes: ['trivsel', 'ledelse'] });
  await item({ trackId: trackB.id, startTime: '10:15', endTime: '11:00', title: 'Drøftelse; ledelse, data', kind: 'discussion', themes: ['ledelse'] });
  await item({ startTime: '11:00', endTime: '12:00', title: 'Frokost', kind: 'lunch' });
  await item({ startTime: '12:00', endTime: '15:30', title: 'Sparring i grupper, på tværs; æøå', kind: 'peer-sparring', themes: ['trivsel'] });
  await call('POST', `/meetings/${meeting.id}/releases`, { note: 'Første udgave, med alt; æøå' });
  const cancelled = await call('POST', `/networks/${slug}/meetings`, { title: 'Netværksmøde, aflyses; æøå', date: '2020-05-07', startTime: '10:00', status: 'announced' });
  await call('POST', `/meetings/${cancelled.id}/items`, { startTime: '10:00', endTime: '11:00', title: 'Oplæg, der aflyses', kind: 'presentation', themes: ['ledelse'] });
  await call('POST', `/meetings/${cancelled.id}/releases`, {});
  // Subscribers read the feeds now; what they saw must later come back as cancelled, not just vanish.
  await poll([`/feeds/networks/${slug}.ics`]);

  // A removed item, released; a cancelled meeting (its items go with it).
  await call('DELETE', `/items/${removed.id}`);
  await call('POST', `/meetings/${meeting.id}/releases`, { note: 'Oplæg aflyst' });
  await call('PATCH', `/meetings/${cancelled.id}`, { status: 'cancelled' });

  // The seed network: give its first meeting a released agenda with a track, so every feed kind has content.
  const seedMeeting = ((await call('GET', `/networks/${SEED_SLUG}/meetings`)).data as Json[])[0]!;
  const seedTrack = await call('POST', `/meetings/${seedMeeting.id}/tracks`, { name: 'Konsulenter på dagtilbudsområdet', sortOrder: 1 });
  const seedItem = (payload: Json) => call('POST', `/meetings/${seedMeeting.id}/items`, payload);
  await seedItem({ startTime: '10:00', endTime: '10:15', title: 'Velkomst', kind: 'welcome', themes: ['aktuelt'] });
  await seedItem({ startTime: '10:15', endTime: '12:00', title: 'Aktuelt på områderne', kind: 'presentation', themes: ['aktuelt', 'lovgivning'] });
  await seedItem({ trackId: seedTrack.id, startTime: '12:45', endTime: '16:00', title: 'Sparring på konkrete opgaver', kind: 'peer-sparring', themes: ['sparring'] });
  await call('POST', `/meetings/${seedMeeting.id}/releases`, {});

  const departures = await buildDepartures(call, poll, slug);

  const cancelledTalk = 'SUMMARY:AFLYST: Oplæg: læsning\\, skrivning\\; regning';
  return [
    ['seed network', `/feeds/networks/${SEED_SLUG}.ics`, ['DTSTART;TZID=Europe/Copenhagen:20190911T100000', 'DTSTART;TZID=Europe/Copenhagen:20200116T100000']],
    ['seed meeting', `/feeds/meetings/${seedMeeting.id}.ics`, ['\\n10:15–12:00 Aktuelt på områderne\\n']],
    ['seed meeting?items=1', `/feeds/meetings/${seedMeeting.id}.ics?items=1`, ['SUMMARY:Sparring på konkrete opgaver']],
    ['seed track', `/feeds/tracks/${seedTrack.id}.ics`, ['SUMMARY:Velkomst', 'SUMMARY:Sparring på konkrete opgaver']],
    ['seed theme', `/feeds/networks/${SEED_SLUG}/themes/aktuelt.ics`, ['SUMMARY:Aktuelt på områderne']],
    ['built network', `/feeds/networks/${slug}.ics`, ['STATUS:CANCELLED', 'GEO:55.6617;12.5912']],
    ['built meeting', `/feeds/meetings/${meeting.id}.ics`, ['ORGANIZER;CN="KL; Børn og Unge, København":mailto:feeds@kl.dk']],
    ['built meeting?items=1', `/feeds/meetings/${meeting.id}.ics?items=1`, [cancelledTalk]],
    ['built cancelled meeting?items=1', `/feeds/meetings/${cancelled.id}.ics?items=1`, ['SUMMARY:AFLYST: Oplæg\\, der aflyses']],
    ['built track A', `/feeds/tracks/${trackA.id}.ics`, ['LOCATION:Lokale 1\\, 2. sal\\, KL-huset\\; mødecenter']],
    ['built track B (removed item)', `/feeds/tracks/${trackB.id}.ics`, [cancelledTalk]],
    ['built theme', `/feeds/networks/${slug}/themes/ledelse.ics`, [cancelledTalk, 'SUMMARY:AFLYST: Oplæg\\, der aflyses']],
    ...departures,
  ];
}

/** Content lines of a feed, unfolded. */
const unfold = (body: string) => body.replace(/\r\n[ \t]/g, '');

async function main(): Promise<number> {
  if (!existsSync(checker)) {
    console.error(`check-feeds: ${checker} not found`);
    return 2;
  }
  const scratch = mkdtempSync(join(tmpdir(), 'netagenda-check-feeds-'));
  const databasePath = join(scratch, 'check.db');
  const db = openDatabase(databasePath);
  const { raw: token } = createToken(db, { name: 'check-feeds', role: 'admin' });
  closeDatabase(db);

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: repo,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_PATH: databasePath, PUBLIC_BASE_URL: base, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const results: { label: string; url: string; ok: boolean; steps: string }[] = [];
  try {
    await waitUntilUp(base, server);
    const poll = async (paths: string[]) => {
      for (const path of paths) {
        const res = await http('GET', `${base}${path}`);
        if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
      }
    };
    const feeds = await build(api(base, token), poll);
    for (const [label, path, expected] of feeds) {
      const url = `${base}${path}`;
      console.log(`\n=== ${label}: ${url}`);
      const run = spawnSync(checker, [url], { encoding: 'utf8', timeout: CHECK_TIMEOUT_MS, env: { ...process.env, VERBOSE: '1' } });
      const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
      process.stdout.write(output);
      // What the feed must say, beyond being valid: the instants, cancellations and escaping we built.
      const body = unfold((await http('GET', url)).text);
      const missing = expected.filter((line) => !body.includes(line));
      for (const line of missing) console.log(`FAIL content: missing ${line}`);
      const steps = [...output.matchAll(/^(PASS|FAIL) (\S+)/gm)].map((m) => `${m[2]}:${m[1]}`);
      steps.push(`content:${missing.length === 0 ? 'PASS' : 'FAIL'}`);
      results.push({ label, url: path, ok: run.status === 0 && missing.length === 0, steps: run.error ? `error: ${run.error.message}` : steps.join(' ') });
    }
  } finally {
    await stop(server);
    rmSync(scratch, { recursive: true, force: true });
  }
  console.log('\n=== summary');
  for (const r of results) console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.label.padEnd(42)} ${r.steps}`);
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${results.length - failed} of ${results.length} feeds passed every check`);
  return failed === 0 && results.length > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`check-feeds failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
