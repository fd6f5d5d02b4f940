// Personal feeds (a participant's meetings, plenary items and chosen track, at a secret URL) and cluster
// feeds, parsed with ical.js and, where the checker is installed, judged by ../shared/tools/ical-check.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ICAL from 'ical.js';
import { eq } from 'drizzle-orm';
import t, { type Test } from 'tap';
import { participants, tokenNetworks } from '../db/schema.js';
import { createToken } from '../server/auth/tokens.js';
import { makeApp, type TestApp } from './helpers.js';

const SLUG = 'kl-konsulentnetvaerk-2019-2020';
const CHECKER = new URL('../../shared/tools/ical-check/check.sh', import.meta.url).pathname;

function events(body: string) {
  const cal = new ICAL.Component(ICAL.parse(body));
  return cal.getAllSubcomponents('vevent').map((ve) => {
    const ev = new ICAL.Event(ve);
    return { summary: ev.summary, uid: ev.uid, start: ev.startDate.toJSDate().toISOString(), status: ve.getFirstPropertyValue('status') };
  });
}

/** Runs the strict checker on a feed body when it is available (CI has ../shared beside the repo). */
function strictCheck(t: Test, body: string, label: string) {
  if (!existsSync(CHECKER)) {
    t.comment(`ical-check not found at ${CHECKER}: skipped for ${label}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'personal-feed-'));
  try {
    const file = join(dir, 'feed.ics');
    writeFileSync(file, body);
    const r = spawnSync('bash', [CHECKER, file], { encoding: 'utf8', timeout: 200_000 });
    t.equal(r.status, 0, `ical-check passes for ${label}`, { output: (r.stdout + r.stderr).slice(0, 2000) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function plannedMeeting(ctx: TestApp) {
  const { as } = ctx;
  const m = (await as({ method: 'POST', url: `/api/v1/networks/${SLUG}/meetings`, payload: { title: 'Netværksmøde med spor, Ærø', date: '2099-01-15', startTime: '10:00', status: 'announced' } })).json();
  const dagtilbud = (await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/tracks`, payload: { name: 'Dagtilbud' } })).json();
  const skole = (await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/tracks`, payload: { name: 'Skole', sortOrder: 1 } })).json();
  const item = async (payload: object) => (await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload })).json();
  await item({ title: 'Velkomst, kaffe; og æblekage', kind: 'welcome', startTime: '10:00', endTime: '10:30' });
  await item({ title: 'Læring i dagtilbud', kind: 'presentation', startTime: '10:30', endTime: '12:00', trackId: dagtilbud.id, themes: ['ny-viden'] });
  await item({ title: 'Trivsel i skolen', kind: 'presentation', startTime: '10:30', endTime: '12:00', trackId: skole.id, themes: ['ny-viden'] });
  t.equal((await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/releases` })).statusCode, 201);
  return { m, dagtilbud, skole };
}

t.test('personal feed follows registration, track changes, cancellation and token rotation', async (t) => {
  const ctx = await makeApp(t, { seed: true });
  const { app, as } = ctx;
  const { m, dagtilbud, skole } = await plannedMeeting(ctx);
  const anne = (await as({ method: 'POST', url: `/api/v1/networks/${SLUG}/participants`, payload: { name: 'Anne Ærø', email: 'anne@aeroe.dk', municipalityCode: 492 } })).json();
  const url = new URL(anne.feed.https).pathname;

  const empty = await app.inject({ url });
  t.equal(empty.statusCode, 200);
  t.match(empty.headers['content-type'], /^text\/calendar; charset=utf-8/);
  t.equal(empty.headers['cache-control'], 'private, max-age=60', 'personal data: no shared caches');
  t.same(events(empty.body), [], 'no registrations, no events');

  const reg = (await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/registrations`, payload: { participantId: anne.id, trackId: dagtilbud.id } })).json();
  t.equal(reg.status, 'registered');
  const withA = await app.inject({ url });
  const a = events(withA.body);
  t.same(a.map((e) => e.summary).sort(), ['Læring i dagtilbud', 'Netværksmøde med spor, Ærø', 'Velkomst, kaffe; og æblekage'].sort());
  t.ok(a.some((e) => e.summary === 'Velkomst, kaffe; og æblekage' && e.start === '2099-01-15T09:00:00.000Z'), 'plenary item at the right instant');
  t.notOk(withA.body.includes('anne@aeroe.dk') || withA.body.includes('Anne Ærø'), 'the feed names no participant');
  strictCheck(t, withA.body, 'personal feed');

  const etag = withA.headers.etag as string;
  t.equal((await app.inject({ url, headers: { 'if-none-match': etag } })).statusCode, 304);

  t.equal((await as({ method: 'PATCH', url: `/api/v1/registrations/${reg.id}`, payload: { trackId: skole.id } })).statusCode, 200);
  const withB = await app.inject({ url, headers: { 'if-none-match': etag } });
  t.equal(withB.statusCode, 200, 'a track change changes the feed');
  const b = events(withB.body).map((e) => e.summary);
  t.ok(b.includes('Trivsel i skolen'));
  t.notOk(b.includes('Læring i dagtilbud'));

  const rotated = (await as({ method: 'POST', url: `/api/v1/participants/${anne.id}/feed-token` })).json();
  const newUrl = new URL(rotated.feed.https).pathname;
  t.not(newUrl, url);
  t.equal((await app.inject({ url })).statusCode, 404, 'the old URL is dead');
  t.equal((await app.inject({ url: newUrl })).statusCode, 200);

  t.equal((await as({ method: 'DELETE', url: `/api/v1/registrations/${reg.id}` })).statusCode, 204);
  const left = events((await app.inject({ url: newUrl })).body);
  t.ok(left.length > 0, 'cancelled: the meeting stays in the personal feed…');
  t.ok(
    left.every((e) => e.status === 'CANCELLED' && e.summary.startsWith('AFLYST: ')),
    '…announced as cancelled, so calendars drop it',
  );

  t.equal((await as({ method: 'DELETE', url: `/api/v1/participants/${anne.id}` })).statusCode, 204);
  t.equal((await app.inject({ url: newUrl })).statusCode, 404, 'erased: the feed is gone');
  t.equal((await app.inject({ url: '/feeds/personal/not-a-secret.ics' })).statusCode, 404);
});

t.test('cluster feed shows the cluster’s meetings', async (t) => {
  const ctx = await makeApp(t, { seed: true });
  const { app, as } = ctx;
  const programme = 'kl-ledelse-af-laering-og-trivsel-2016';
  const codes = [101, 147, 151, 153, 155, 157];
  for (const code of codes) {
    const r = await as({ method: 'POST', url: `/api/v1/networks/${programme}/members?override=true`, payload: { municipalityCode: code, contact: { name: 'Kontakt', email: `k${code}@example.dk` } } });
    t.equal(r.statusCode, 201, r.body.slice(0, 200));
  }
  const confirmed = await as({ method: 'PUT', url: `/api/v1/networks/${programme}/clusters`, payload: { clusters: [{ name: 'Klynge Hovedstaden', municipalityCodes: codes }] } });
  t.equal(confirmed.statusCode, 200, confirmed.body.slice(0, 300));
  const cluster = (await as({ url: `/api/v1/networks/${programme}/clusters` })).json().data[0];
  const feedPath = new URL(cluster.feeds.meetings.https).pathname;
  t.same(events((await app.inject({ url: feedPath })).body), []);
  const m = await as({ method: 'POST', url: `/api/v1/networks/${programme}/meetings`, payload: { title: 'Klyngemøde 1', date: '2016-09-20', startTime: '09:00', endTime: '15:00', status: 'announced', clusterId: cluster.id } });
  t.equal(m.statusCode, 201, m.body.slice(0, 300));
  await as({ method: 'POST', url: `/api/v1/networks/${programme}/meetings`, payload: { title: 'Andet møde uden klynge', date: '2016-09-21', startTime: '09:00', status: 'announced' } });
  const res = await app.inject({ url: feedPath });
  t.equal(res.statusCode, 200);
  const evs = events(res.body);
  t.same(evs.map((e) => e.summary), ['Klyngemøde 1']);
  t.equal(evs[0]!.start, '2016-09-20T07:00:00.000Z');
  strictCheck(t, res.body, 'cluster feed');
  t.equal((await app.inject({ url: '/feeds/clusters/cls_nope.ics' })).statusCode, 404);
});

t.test('an empty personal feed is not "modified in 1970": a stale If-Modified-Since gets the feed', async (t) => {
  const { app, as } = await makeApp(t, { seed: true });
  const bo = (await as({ method: 'POST', url: `/api/v1/networks/${SLUG}/participants`, payload: { name: 'Bo', email: 'bo@example.dk' } })).json();
  const url = new URL(bo.feed.https).pathname;
  const first = await app.inject({ url });
  t.equal(first.statusCode, 200);
  t.ok(Date.parse(first.headers['last-modified'] as string) > Date.parse('2020-01-01T00:00:00Z'));
  const stale = await app.inject({ url, headers: { 'if-modified-since': new Date(Date.now() - 86_400_000).toUTCString() } });
  t.equal(stale.statusCode, 200);
  const fresh = await app.inject({ url, headers: { 'if-modified-since': first.headers['last-modified'] as string } });
  t.equal(fresh.statusCode, 304);
});

t.test('a person’s records in two networks that share one feed secret (split by migration 0006): the feed shows both', async (t) => {
  const { app, as } = await makeApp(t, { seed: true });
  t.equal((await as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'andet', name: 'Andet netværk' } })).statusCode, 201);
  const meetingIn = async (slug: string, title: string, date: string) =>
    (await as({ method: 'POST', url: `/api/v1/networks/${slug}/meetings`, payload: { title, date, startTime: '10:00', endTime: '12:00', status: 'announced' } })).json();
  const here = await meetingIn(SLUG, 'Møde på Ærø', '2099-02-01');
  const there = await meetingIn('andet', 'Møde i Åbenrå', '2099-03-01');
  const person = async (slug: string) => (await as({ method: 'POST', url: `/api/v1/networks/${slug}/participants`, payload: { name: 'Søren Ørsted', email: 'soeren@example.dk' } })).json();
  const one = await person(SLUG);
  const two = await person('andet');
  // What the migration leaves behind: both records carry the one secret's hash.
  const shared = app.db.select({ hash: participants.feedTokenHash }).from(participants).where(eq(participants.id, one.id)).get()!.hash;
  app.db.update(participants).set({ feedTokenHash: shared }).where(eq(participants.id, two.id)).run();
  for (const [p, m] of [[one, here], [two, there]]) {
    t.equal((await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/registrations`, payload: { participantId: p.id } })).statusCode, 201);
  }
  const url = new URL(one.feed.https).pathname;
  const res = await app.inject({ url });
  t.equal(res.statusCode, 200);
  t.same(events(res.body).map((e) => e.summary).sort(), ['Møde i Åbenrå', 'Møde på Ærø'], 'the meetings of both records');
  t.equal((await app.inject({ url: new URL(two.feed.https).pathname })).statusCode, 404, 'the second record’s own secret was replaced');
  // A coordinator's erasure takes its network's record only: the other record's meeting stays in the feed.
  const coordinator = createToken(app.db, { name: 'koordinator', role: 'coordinator' });
  app.db.insert(tokenNetworks).values({ tokenId: coordinator.token.id, networkSlug: SLUG }).run();
  t.equal((await app.inject({ method: 'DELETE', url: `/api/v1/participants/${one.id}`, headers: { authorization: `Bearer ${coordinator.raw}` } })).statusCode, 204);
  t.same(events((await app.inject({ url })).body).map((e) => e.summary), ['Møde i Åbenrå'], 'the other network’s record still shows');
  // An admin's erasure takes the person everywhere, and the feed with it.
  t.equal((await as({ method: 'DELETE', url: `/api/v1/participants/${two.id}` })).statusCode, 204);
  t.equal((await app.inject({ url })).statusCode, 404, 'erased everywhere: the feed is gone');
});
