// Registrations: capacity and waiting lists (also under concurrent registrations, in one process and
// across processes), deadlines in the meeting's zone, tracks, track changes, privacy of the counts, and
// only the meeting's own network's participants.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { InjectOptions } from 'fastify';
import { tokenNetworks } from '../db/schema.js';
import { buildApp } from '../server/app.js';
import { createToken } from '../server/auth/tokens.js';
import { testConfig } from '../server/config.js';
import { registrationClosesAt, registrationOpen } from '../server/registrations/registration-window.js';
import { registrationsForFeed } from '../server/registrations/registrations.repository.js';
import { admit, promotions, waitlistPositions, type Seat } from '../server/registrations/waitlist.js';
import { futureDate, makeApp, ok, problem, type TestApp } from './helpers.js';

const SLUG = 'kl-konsulentnetvaerk-2019-2020';
// Some tests wait for a fresh minute or start Node processes with tsx: give the file room on a busy machine.
t.setTimeout(180_000);
const root = new URL('..', import.meta.url).pathname;


/** Local wall time `YYYY-MM-DDTHH:MM` in a zone, `minutes` from now. */
function localNow(zone: string, minutes = 0): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(Date.now() + minutes * 60_000));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}


/** Waits for a fresh minute when the current one is nearly over, so "this minute" stays put for a while. */
async function freshMinute() {
  const s = new Date().getSeconds();
  if (s >= 45) await new Promise((r) => setTimeout(r, (61 - s) * 1000));
}

async function meeting(a: TestApp, payload: Record<string, unknown> = {}, slug = SLUG) {
  const res = await a.as({
    method: 'POST',
    url: `/api/v1/networks/${slug}/meetings`,
    payload: { title: 'Netværksmøde', date: futureDate(), startTime: '10:00', endTime: '16:00', status: 'announced', ...payload },
  });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json() as { id: string; networkSlug: string };
}

async function track(a: TestApp, meetingId: string, name: string, capacity: number | null = null) {
  const res = await a.as({ method: 'POST', url: `/api/v1/meetings/${meetingId}/tracks`, payload: { name, capacity } });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json() as { id: string };
}

async function people(a: TestApp, n: number, prefix = 'Deltager', slug = SLUG): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= n; i++) {
    const res = await a.as({ method: 'POST', url: `/api/v1/networks/${slug}/participants`, payload: { name: `${prefix} ${i}`, email: `${prefix.toLowerCase()}${i}@kommune.dk` } });
    if (res.statusCode !== 201) throw new Error(res.body);
    ids.push(res.json().id);
  }
  return ids;
}

const register = (a: TestApp, meetingId: string, participantId: string, trackId?: string | null) =>
  a.as({ method: 'POST', url: `/api/v1/meetings/${meetingId}/registrations`, payload: { participantId, ...(trackId !== undefined ? { trackId } : {}) } });

interface Reg {
  id: string;
  participantId: string;
  trackId: string | null;
  status: string;
  queuedAt: number;
  waitlistPosition: number | null;
  participant: { name: string };
}

async function all(a: TestApp, meetingId: string, query = ''): Promise<Reg[]> {
  const res = await a.as({ url: `/api/v1/meetings/${meetingId}/registrations?limit=200${query}` });
  if (res.statusCode !== 200) throw new Error(res.body);
  return res.json().data;
}

const summaryOf = async (a: TestApp, meetingId: string) => (await a.app.inject({ url: `/api/v1/meetings/${meetingId}/registrations/summary` })).json();

t.test('the waiting-list rule as plain functions', async (t) => {
  const seat = (id: string, status: Seat['status'], queuedAt: number, trackId: string | null = null): Seat => ({ id, status, queuedAt, trackId });
  const none = new Map<string, number | null>();

  t.same(promotions({ meeting: null, tracks: none }, [seat('a', 'waitlisted', 2), seat('b', 'waitlisted', 1)]), ['b', 'a'], 'unlimited: everyone, in queue order');
  t.same(promotions({ meeting: 2, tracks: none }, [seat('a', 'registered', 1), seat('b', 'registered', 2), seat('c', 'waitlisted', 3)]), [], 'full: no one');
  t.same(
    promotions({ meeting: 3, tracks: none }, [seat('r', 'registered', 1), seat('late', 'waitlisted', 9), seat('early', 'waitlisted', 4), seat('mid', 'waitlisted', 6)]),
    ['early', 'mid'],
    'free places go to the earliest waiting',
  );
  const tracks = new Map<string, number | null>([['A', 1], ['B', null]]);
  t.same(
    promotions({ meeting: 3, tracks }, [seat('a1', 'registered', 1, 'A'), seat('a2', 'waitlisted', 2, 'A'), seat('b1', 'waitlisted', 3, 'B'), seat('b2', 'waitlisted', 4, 'B'), seat('b3', 'waitlisted', 5, 'B')]),
    ['b1', 'b2'],
    'a full track is passed over; the meeting’s capacity stops the rest',
  );
  t.same(promotions({ meeting: null, tracks }, [seat('x', 'waitlisted', 1, 'gone')]), ['x'], 'a track with no known capacity is unlimited');
  t.same(promotions({ meeting: 0, tracks: none }, [seat('x', 'waitlisted', 1)]), [], 'zero places');

  t.same(admit({ meeting: 1, tracks: none }, [], { id: 'n', trackId: null, queuedAt: 1 }), { status: 'registered', promoted: [] });
  t.same(admit({ meeting: 1, tracks: none }, [seat('a', 'registered', 1)], { id: 'n', trackId: null, queuedAt: 2 }), { status: 'waitlisted', promoted: [] });
  t.same(
    admit({ meeting: 2, tracks: none }, [seat('a', 'registered', 1), seat('w', 'waitlisted', 2)], { id: 'n', trackId: null, queuedAt: 3 }),
    { status: 'waitlisted', promoted: ['w'] },
    'a newcomer never jumps someone already waiting (places added since are theirs first)',
  );
  t.same(admit({ meeting: 5, tracks }, [seat('a1', 'registered', 1, 'A')], { id: 'n', trackId: 'A', queuedAt: 2 }).status, 'waitlisted', 'track full');
  t.same(admit({ meeting: 5, tracks }, [seat('a1', 'registered', 1, 'A'), seat('a2', 'waitlisted', 2, 'A')], { id: 'n', trackId: 'B', queuedAt: 3 }).status, 'registered', 'another track with room');

  t.same([...waitlistPositions([seat('a', 'waitlisted', 7), seat('b', 'registered', 1), seat('c', 'waitlisted', 3)])], [['c', 1], ['a', 2]]);
});

t.test('registration windows as plain functions', async (t) => {
  const m = { date: '2030-03-31', startTime: '10:00', timeZone: 'Europe/Copenhagen', registrationDeadline: null };
  t.equal(registrationClosesAt(m).toISOString(), '2030-03-31T08:00:00.000Z', 'default: at the start (summer time)');
  const d = { ...m, registrationDeadline: '2030-03-20T12:00' };
  t.equal(registrationClosesAt(d).toISOString(), '2030-03-20T11:01:00.000Z', 'the deadline minute counts (winter time)');
  t.ok(registrationOpen(d, new Date('2030-03-20T11:00:59.999Z')), 'open during the deadline minute');
  t.notOk(registrationOpen(d, new Date('2030-03-20T11:01:00.000Z')), 'closed after it');
  t.equal(registrationClosesAt({ ...d, timeZone: 'America/New_York' }).toISOString(), '2030-03-20T16:01:00.000Z', 'read in the meeting’s own zone');
});

t.test('capacity 5, 20 concurrent registrations: 5 registered, 15 waiting in order; cancellations promote in order', async (t) => {
  const a = await makeApp(t, { seed: true });
  const m = await meeting(a, { capacity: 5 });
  const ids = await people(a, 20);
  const results = await Promise.all(ids.map((p) => register(a, m.id, p)));
  t.same(results.map((r) => r.statusCode), Array(20).fill(201), 'all accepted');
  const regs = results.map((r) => r.json() as Reg);
  t.same(regs.map((r) => r.queuedAt).sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i + 1), 'queue numbers 1..20, no two alike');
  const byQueue = [...regs].sort((x, y) => x.queuedAt - y.queuedAt);
  t.same(byQueue.slice(0, 5).map((r) => r.status), Array(5).fill('registered'), 'the first five have places');
  t.same(byQueue.slice(5).map((r) => r.status), Array(15).fill('waitlisted'));
  t.same(byQueue.slice(5).map((r) => r.waitlistPosition), Array.from({ length: 15 }, (_, i) => i + 1), 'waiting-list positions follow the queue');

  const summary = await summaryOf(a, m.id);
  t.match(summary, { meetingId: m.id, capacity: 5, registered: 5, waitlisted: 15, available: 0, open: true, tracks: [] });

  const waiting = await all(a, m.id, '&status=waitlisted');
  t.same(waiting.map((r) => r.id), byQueue.slice(5).map((r) => r.id), 'the private list gives the waiting list in order');
  t.ok(waiting.every((r) => typeof r.participant.name === 'string'));

  // Paging through the private list: no gaps or duplicates.
  const first = (await a.as({ url: `/api/v1/meetings/${m.id}/registrations?limit=8` })).json();
  const second = (await a.as({ url: `/api/v1/meetings/${m.id}/registrations?limit=8&cursor=${first.nextCursor}` })).json();
  const third = (await a.as({ url: `/api/v1/meetings/${m.id}/registrations?limit=8&cursor=${second.nextCursor}` })).json();
  t.equal(third.nextCursor, null);
  t.same([...first.data, ...second.data, ...third.data].map((r: Reg) => r.id), byQueue.map((r) => r.id));

  // Cancel two places: the next two in queue order move up.
  for (const r of [byQueue[1]!, byQueue[3]!]) t.equal((await a.as({ method: 'DELETE', url: `/api/v1/registrations/${r.id}` })).statusCode, 204);
  let now = await all(a, m.id);
  const status = (id: string) => now.find((r) => r.id === id)!.status;
  t.equal(status(byQueue[1]!.id), 'cancelled');
  t.equal(status(byQueue[5]!.id), 'registered', 'first on the waiting list promoted');
  t.equal(status(byQueue[6]!.id), 'registered', 'second on the waiting list promoted');
  t.equal(status(byQueue[7]!.id), 'waitlisted');
  t.equal(now.find((r) => r.id === byQueue[7]!.id)!.waitlistPosition, 1, 'the rest move up the list');
  t.match(await summaryOf(a, m.id), { registered: 5, waitlisted: 13 });

  // Cancelling again changes nothing; cancelling someone waiting promotes no one.
  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/registrations/${byQueue[1]!.id}` })).statusCode, 204, 'idempotent');
  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/registrations/${byQueue[10]!.id}` })).statusCode, 204);
  now = await all(a, m.id);
  t.match(await summaryOf(a, m.id), { registered: 5, waitlisted: 12 });
  t.same(now.filter((r) => r.status === 'waitlisted').map((r) => r.waitlistPosition), Array.from({ length: 12 }, (_, i) => i + 1));

  // The one registration can be read on its own, with an ETag for If-Match.
  const one = await a.as({ url: `/api/v1/registrations/${byQueue[0]!.id}` });
  t.match(ok(t, one), { id: byQueue[0]!.id, status: 'registered', waitlistPosition: null });
  t.match(one.headers.etag, /^"v\d+"$/);
  problem(t, await a.as({ method: 'DELETE', url: `/api/v1/registrations/${byQueue[0]!.id}`, headers: { 'if-match': '"v999"' } }), 412, 'precondition-failed');
  problem(t, await a.as({ url: '/api/v1/registrations/reg_nope' }), 404, 'not-found');
});

t.test('track capacity and meeting capacity together', async (t) => {
  const a = await makeApp(t, { seed: true });
  const m = await meeting(a, { capacity: 3 });
  const A = await track(a, m.id, 'Dagtilbud', 2);
  const B = await track(a, m.id, 'Skole');
  const [a1, a2, a3, b1, b2] = await people(a, 5);
  // Three at once for track A (2 places): two get them, one waits.
  const aRegs = (await Promise.all([a1!, a2!, a3!].map((p) => register(a, m.id, p, A.id)))).map((r) => r.json() as Reg);
  t.same(aRegs.map((r) => r.status).sort(), ['registered', 'registered', 'waitlisted']);
  const aWaiting = aRegs.find((r) => r.status === 'waitlisted')!;
  const rb1 = ok(t, await register(a, m.id, b1!, B.id), 201);
  t.equal(rb1.status, 'registered', 'track B has room and the meeting has its 3rd place');
  const rb2 = ok(t, await register(a, m.id, b2!, B.id), 201);
  t.equal(rb2.status, 'waitlisted', 'track B is unlimited but the meeting is full');
  t.match((await a.as({ url: `/api/v1/meetings/${m.id}/registrations/summary` })).json(), {
    capacity: 3,
    registered: 3,
    waitlisted: 2,
    tracks: [
      { id: A.id, name: 'Dagtilbud', capacity: 2, registered: 2, waitlisted: 1 },
      { id: B.id, name: 'Skole', capacity: null, registered: 1, waitlisted: 1 },
    ],
  });

  // A place in track A frees: the earliest waiting for A (ahead of B's) gets it.
  const aHolder = aRegs.find((r) => r.status === 'registered')!;
  await a.as({ method: 'DELETE', url: `/api/v1/registrations/${aHolder.id}` });
  let regs = await all(a, m.id);
  t.equal(regs.find((r) => r.id === aWaiting.id)!.status, 'registered', 'the waiting A registration moves up');
  t.equal(regs.find((r) => r.id === rb2.id)!.status, 'waitlisted');

  // A place in B frees: b2 gets it.
  await a.as({ method: 'DELETE', url: `/api/v1/registrations/${rb1.id}` });
  regs = await all(a, m.id);
  t.equal(regs.find((r) => r.id === rb2.id)!.status, 'registered');
  t.same(
    (await all(a, m.id, `&track=${A.id}&status=registered`)).map((r) => r.trackId),
    [A.id, A.id],
    'filter by track and status',
  );
});

t.test('tracks: required when the meeting has them, and one of its own', async (t) => {
  const a = await makeApp(t, { seed: true });
  const m = await meeting(a);
  const other = await meeting(a);
  const foreign = await track(a, other.id, 'Fremmed');
  const [p] = await people(a, 1);
  // Without tracks: none needed, none allowed.
  problem(t, await register(a, m.id, p!, foreign.id), 400, 'track-not-in-meeting');
  await track(a, m.id, 'Eget spor');
  const body = problem(t, await register(a, m.id, p!), 400, 'track-required');
  t.same(body.errors.map((e: { path: string }) => e.path), ['body.trackId']);
  problem(t, await register(a, m.id, p!, null), 400, 'track-required');
  problem(t, await register(a, m.id, p!, foreign.id), 400, 'track-not-in-meeting');
  problem(t, await register(a, m.id, 'par_nobody'), 400, 'unknown-participant');
  problem(t, await register(a, 'mtg_nope', p!), 404, 'not-found');
  problem(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/registrations`, payload: { participantId: p, extra: 1 } }), 400, 'validation-failed');
  t.equal((await all(a, m.id)).length, 0, 'nothing registered');
});

t.test('moving between tracks: full tracks waitlist, freed places promote', async (t) => {
  const a = await makeApp(t, { seed: true });
  const m = await meeting(a);
  const A = await track(a, m.id, 'A', 1);
  const B = await track(a, m.id, 'B', 1);
  const [p1, p2, p3] = await people(a, 3);
  const r1 = ok(t, await register(a, m.id, p1!, A.id), 201);
  const r2 = ok(t, await register(a, m.id, p2!, A.id), 201);
  const r3 = ok(t, await register(a, m.id, p3!, B.id), 201);
  t.same([r1.status, r2.status, r3.status], ['registered', 'waitlisted', 'registered']);

  // p1 moves to B, which is full: p1 waits there (at the end), and p2 gets p1's place in A.
  const moved = ok(t, await a.as({ method: 'PATCH', url: `/api/v1/registrations/${r1.id}`, payload: { trackId: B.id } }));
  t.match(moved, { trackId: B.id, status: 'waitlisted' });
  t.ok(moved.queuedAt > r3.queuedAt, 'joins the end of the queue');
  let regs = await all(a, m.id);
  t.equal(regs.find((r) => r.id === r2.id)!.status, 'registered', 'A’s waiting list promoted');

  // p3 moves from B to A (full: p2): p3 waits, and p1, waiting for B, gets p3's place.
  t.match(ok(t, await a.as({ method: 'PATCH', url: `/api/v1/registrations/${r3.id}`, payload: { trackId: A.id } })), { status: 'waitlisted', trackId: A.id });
  regs = await all(a, m.id);
  t.equal(regs.find((r) => r.id === r1.id)!.status, 'registered', 'B’s waiting list promoted');

  // A waiting registration moving to a track with room gets the place at once.
  const C = await track(a, m.id, 'C');
  t.match(ok(t, await a.as({ method: 'PATCH', url: `/api/v1/registrations/${r3.id}`, payload: { trackId: C.id } })), { status: 'registered', trackId: C.id });
  // Same track again: nothing changes.
  const same = ok(t, await a.as({ method: 'PATCH', url: `/api/v1/registrations/${r3.id}`, payload: { trackId: C.id } }));
  t.equal(same.status, 'registered');

  problem(t, await a.as({ method: 'PATCH', url: `/api/v1/registrations/${r3.id}`, payload: { trackId: null } }), 400, 'track-required');
  problem(t, await a.as({ method: 'PATCH', url: `/api/v1/registrations/${r3.id}`, payload: { trackId: 'trk_nope' } }), 400, 'track-not-in-meeting');
  await a.as({ method: 'DELETE', url: `/api/v1/registrations/${r3.id}` });
  problem(t, await a.as({ method: 'PATCH', url: `/api/v1/registrations/${r3.id}`, payload: { trackId: A.id } }), 409, 'registration-cancelled');
  problem(t, await a.as({ method: 'PATCH', url: '/api/v1/registrations/reg_nope', payload: { trackId: A.id } }), 404, 'not-found');
});

t.test('announced meetings only; one active registration per participant', async (t) => {
  const a = await makeApp(t, { seed: true });
  const draft = await meeting(a, { status: 'draft' });
  const cancelled = await meeting(a, { status: 'cancelled' });
  const m = await meeting(a);
  const [p] = await people(a, 1);
  problem(t, await register(a, draft.id, p!), 409, 'meeting-not-announced');
  problem(t, await register(a, cancelled.id, p!), 409, 'meeting-not-announced');
  const first = ok(t, await register(a, m.id, p!), 201);
  const again = problem(t, await register(a, m.id, p!), 409, 'already-registered');
  t.equal(again.registrationId, first.id);
  await a.as({ method: 'DELETE', url: `/api/v1/registrations/${first.id}` });
  const anew = ok(t, await register(a, m.id, p!), 201);
  t.not(anew.id, first.id, 'after cancelling, registering again is a new registration');
  t.ok(anew.queuedAt > first.queuedAt);
});

t.test('deadlines: before, at and after, in the meeting’s own zone, against the real clock', async (t) => {
  const a = await makeApp(t, { seed: true });
  const zone = 'America/New_York';
  const m = await meeting(a, { timeZone: zone });
  const ps = await people(a, 4);
  const setDeadline = async (meetingId: string, deadline: string | null) => {
    const r = await a.as({ method: 'PATCH', url: `/api/v1/meetings/${meetingId}`, payload: { registrationDeadline: deadline } });
    if (r.statusCode !== 200) throw new Error(r.body);
  };
  await freshMinute();
  await setDeadline(m.id, localNow(zone, -1));
  const closed = problem(t, await register(a, m.id, ps[0]!), 409, 'registration-closed');
  t.match(closed.closedAt, /Z$/);
  t.match(await summaryOf(a, m.id), { open: false });
  await setDeadline(m.id, localNow(zone, 0));
  t.equal(ok(t, await register(a, m.id, ps[0]!), 201).status, 'registered', 'the deadline minute itself still counts');
  await setDeadline(m.id, localNow(zone, 1));
  ok(t, await register(a, m.id, ps[1]!), 201);
  await setDeadline(m.id, null);
  ok(t, await register(a, m.id, ps[2]!), 201);

  // The same wall time is past in one zone and ahead in another: the meeting's zone decides.
  const wall = localNow('UTC', 120);
  const east = await meeting(a, { timeZone: 'Pacific/Kiritimati', registrationDeadline: wall });
  const west = await meeting(a, { timeZone: 'America/Los_Angeles', registrationDeadline: wall });
  problem(t, await register(a, east.id, ps[3]!), 409, 'registration-closed');
  ok(t, await register(a, west.id, ps[3]!), 201);

  // Without a deadline registration closes when the meeting starts.
  const zones = ['Europe/Copenhagen', 'America/New_York', 'Asia/Tokyo', 'Pacific/Auckland', 'America/Los_Angeles'];
  const day = zones.find((z) => {
    const hour = Number(localNow(z).slice(11, 13));
    return hour >= 2 && hour <= 20;
  })!;
  const [date, justNow] = localNow(day, -1).split('T') as [string, string];
  const soon = localNow(day, 5).slice(11);
  const end = `${String(Number(justNow.slice(0, 2)) + 3).padStart(2, '0')}:00`;
  const started = await meeting(a, { date, startTime: justNow, endTime: end, timeZone: day });
  problem(t, await register(a, started.id, ps[3]!), 409, 'registration-closed');
  const starting = await meeting(a, { date, startTime: soon, endTime: end, timeZone: day });
  ok(t, await register(a, starting.id, ps[3]!), 201);
  const past = await meeting(a, { date: '2020-01-16' });
  problem(t, await register(a, past.id, ps[3]!), 409, 'registration-closed');
});

t.test('who may register and read: tokens, networks, privacy of the public summary', async (t) => {
  const a = await makeApp(t, { seed: true });
  await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'andet', name: 'Andet netværk' } });
  const m = await meeting(a, { capacity: 1 });
  const A = await track(a, m.id, 'Spor A');
  const draft = await meeting(a, { status: 'draft' });
  const [p1, p2] = await people(a, 2, 'Hemmelig');
  const tok = (role: 'coordinator' | 'reader', slug: string) => {
    const created = createToken(a.app.db, { name: `${role}-${slug}`, role });
    a.app.db.insert(tokenNetworks).values({ tokenId: created.token.id, networkSlug: slug }).run();
    return { authorization: `Bearer ${created.raw}` };
  };
  const own = tok('coordinator', SLUG);
  const reader = tok('reader', SLUG);
  const stranger = tok('coordinator', 'andet');
  const inject = (o: InjectOptions) => a.app.inject(o);
  const post = (headers: Record<string, string> | undefined, participantId: string) =>
    inject({ method: 'POST', url: `/api/v1/meetings/${m.id}/registrations`, headers, payload: { participantId, trackId: A.id } });

  problem(t, await post(undefined, p1!), 401, 'unauthorized');
  problem(t, await post(reader, p1!), 403, 'forbidden');
  problem(t, await post(stranger, p1!), 403, 'forbidden');
  const reg = ok(t, await post(own, p1!), 201);
  ok(t, await post(own, p2!), 201);
  problem(t, await inject({ method: 'DELETE', url: `/api/v1/registrations/${reg.id}`, headers: stranger }), 403, 'forbidden');
  problem(t, await inject({ method: 'PATCH', url: `/api/v1/registrations/${reg.id}`, headers: reader, payload: { trackId: A.id } }), 403, 'forbidden');

  // The list with names: tokens that may see the network's private data only.
  problem(t, await inject({ url: `/api/v1/meetings/${m.id}/registrations` }), 401, 'unauthorized');
  problem(t, await inject({ url: `/api/v1/meetings/${m.id}/registrations`, headers: stranger }), 403, 'forbidden');
  problem(t, await inject({ url: `/api/v1/registrations/${reg.id}`, headers: stranger }), 403, 'forbidden');
  const list = ok(t, await inject({ url: `/api/v1/meetings/${m.id}/registrations`, headers: reader }));
  t.same(list.data.map((r: Reg) => r.participant.name), ['Hemmelig 1', 'Hemmelig 2']);
  problem(t, await inject({ url: `/api/v1/meetings/${draft.id}/registrations`, headers: stranger }), 404, 'not-found');

  // The public summary: counts, no one's name, e-mail or id.
  const res = await inject({ url: `/api/v1/meetings/${m.id}/registrations/summary` });
  const summary = ok(t, res);
  t.match(summary, { registered: 1, waitlisted: 1, tracks: [] }, 'tracks not yet released are not shown to the public');
  for (const secret of ['Hemmelig', 'hemmelig', p1!, p2!, reg.id]) t.notOk(res.body.includes(secret), `no ${secret} in the public summary`);
  t.match(ok(t, await inject({ url: `/api/v1/meetings/${m.id}/registrations/summary`, headers: own })).tracks, [{ id: A.id, registered: 1, waitlisted: 1 }]);
  ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/releases`, payload: {} }), 201);
  t.match(ok(t, await inject({ url: `/api/v1/meetings/${m.id}/registrations/summary` })).tracks, [{ id: A.id, name: 'Spor A', registered: 1, waitlisted: 1 }], 'released tracks are');
  problem(t, await inject({ url: `/api/v1/meetings/${draft.id}/registrations/summary` }), 404, 'not-found');
  problem(t, await inject({ url: '/api/v1/meetings/mtg_nope/registrations/summary' }), 404, 'not-found');
});

t.test('a meeting takes only its own network’s participants: another network’s is unknown, and nothing is written', async (t) => {
  const a = await makeApp(t, { seed: true });
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'andet', name: 'Andet netværk' } }), 201);
  const mine = await meeting(a, { capacity: 1 });
  const theirs = await meeting(a, { capacity: 1 }, 'andet');
  const [own] = await people(a, 1, 'Egen');
  const [foreign] = await people(a, 1, 'Fremmed', 'andet');
  const coordinator = createToken(a.app.db, { name: 'koordinator', role: 'coordinator' });
  a.app.db.insert(tokenNetworks).values({ tokenId: coordinator.token.id, networkSlug: SLUG }).run();
  const ownCoordinator = { authorization: `Bearer ${coordinator.raw}` };
  const dump = () => JSON.stringify(['registrations', 'participants', 'audit_log'].map((name) => a.app.db.$client.prepare(`SELECT * FROM ${name} ORDER BY rowid`).all()));
  const before = dump();
  for (const [label, headers] of [['admin', a.auth], ['the meeting’s coordinator', ownCoordinator]] as const) {
    const body = problem(t, await a.app.inject({ method: 'POST', url: `/api/v1/meetings/${mine.id}/registrations`, headers, payload: { participantId: foreign } }), 400, 'unknown-participant');
    t.same(body.errors.map((e: { path: string }) => e.path), ['body.participantId'], label);
    t.notOk(JSON.stringify(body).includes('Fremmed'), `${label}: nothing of the other network’s participant is shown`);
  }
  problem(t, await register(a, theirs.id, own!), 400, 'unknown-participant');
  t.equal(dump(), before, 'nothing written');
  t.match(await summaryOf(a, mine.id), { registered: 0, waitlisted: 0 });
  t.match(await summaryOf(a, theirs.id), { registered: 0, waitlisted: 0 });
  // Each network's own participant is welcome.
  t.equal(ok(t, await register(a, mine.id, own!), 201).status, 'registered');
  t.equal(ok(t, await register(a, theirs.id, foreign!), 201).status, 'registered');
});

t.test('registrationsForFeed: the active registrations of a participant, in date order', async (t) => {
  const a = await makeApp(t, { seed: true });
  const late = await meeting(a, { date: futureDate(90), capacity: 1 });
  const early = await meeting(a, { date: futureDate(30) });
  const dropped = await meeting(a, { date: futureDate(45) });
  const [p, other] = await people(a, 2);
  ok(t, await register(a, late.id, other!), 201);
  ok(t, await register(a, late.id, p!), 201);
  ok(t, await register(a, early.id, p!), 201);
  const d = ok(t, await register(a, dropped.id, p!), 201);
  await a.as({ method: 'DELETE', url: `/api/v1/registrations/${d.id}` });
  t.same(registrationsForFeed(a.app.db, p!), [
    { meetingId: early.id, trackId: null, status: 'registered' },
    { meetingId: late.id, trackId: null, status: 'waitlisted' },
  ]);
  // A meeting set back to draft disappears; one cancelled stays (so the feed can announce it).
  await a.as({ method: 'PATCH', url: `/api/v1/meetings/${early.id}`, payload: { status: 'draft' } });
  await a.as({ method: 'PATCH', url: `/api/v1/meetings/${late.id}`, payload: { status: 'cancelled' } });
  t.same(registrationsForFeed(a.app.db, p!), [{ meetingId: late.id, trackId: null, status: 'waitlisted' }]);
  t.same(registrationsForFeed(a.app.db, 'par_nobody'), []);
});

t.test('no over-booking when separate processes register at the same moment', async (t) => {
  t.setTimeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'netagenda-reg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const databasePath = join(dir, 'netagenda.db');
  const app = await buildApp(testConfig({ databasePath, seed: true }));
  t.teardown(() => app.close());
  const { raw } = createToken(app.db, { name: 'admin', role: 'admin' });
  const a: TestApp = { app, token: raw, auth: { authorization: `Bearer ${raw}` }, as: (o) => app.inject({ ...o, headers: { authorization: `Bearer ${raw}`, ...(o.headers ?? {}) } }) };
  const m = await meeting(a, { capacity: 7 });
  const ids = await people(a, 20);
  const groups = [0, 1, 2, 3].map((g) => ids.slice(g * 5, g * 5 + 5));
  const startAt = Date.now() + 4000;
  const url = (rel: string) => pathToFileURL(join(root, rel)).href;
  const code = `
    const { openDatabase } = await import(${JSON.stringify(url('db/client.ts'))});
    const { registrationsRepository } = await import(${JSON.stringify(url('server/registrations/registrations.repository.ts'))});
    const db = openDatabase(process.env.DB);
    const repo = registrationsRepository(db, '');
    const ids = JSON.parse(process.env.IDS);
    while (Date.now() < Number(process.env.START_AT)) {}
    const out = [];
    for (const id of ids) {
      try { out.push(repo.register(process.env.MEETING, { participantId: id }).status); } catch (e) { out.push('error: ' + e.message); }
    }
    db.$client.close();
    process.stdout.write(JSON.stringify(out));
  `;
  const run = (group: string[]) =>
    new Promise<string[]>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
        cwd: root,
        env: { ...process.env, _TAPJS_PROCESSINFO_COVERAGE_: '0', DB: databasePath, IDS: JSON.stringify(group), MEETING: m.id, START_AT: String(startAt) },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      child.on('error', reject);
      child.on('close', (c) => (c === 0 ? resolve(JSON.parse(stdout) as string[]) : reject(new Error(`exit ${c}: ${stderr}`))));
    });
  const outcomes = (await Promise.all(groups.map(run))).flat();
  t.equal(outcomes.filter((s) => s === 'registered').length, 7, 'exactly the capacity registered');
  t.equal(outcomes.filter((s) => s === 'waitlisted').length, 13, 'everyone else waiting');
  const regs = await all(a, m.id);
  t.same(regs.map((r) => r.queuedAt), Array.from({ length: 20 }, (_, i) => i + 1), 'queue numbers 1..20, no two alike');
  t.same(regs.map((r) => r.status), [...Array(7).fill('registered'), ...Array(13).fill('waitlisted')], 'places went to the first seven in the queue');
});

t.test('raising capacity promotes the waiting list at once', async (t) => {
  const { as } = await makeApp(t, { seed: true });
  const m = (await as({ method: 'POST', url: '/api/v1/networks/kl-konsulentnetvaerk-2019-2020/meetings', payload: { title: 'Fremtidigt møde', date: '2099-03-03', startTime: '10:00', status: 'announced', capacity: 1 } })).json();
  const people = [];
  for (const name of ['Anne', 'Bo', 'Cecilie']) {
    people.push((await as({ method: 'POST', url: '/api/v1/networks/kl-konsulentnetvaerk-2019-2020/participants', payload: { name, email: `${name.toLowerCase()}@example.dk` } })).json());
  }
  const regs = [];
  for (const p of people) regs.push((await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/registrations`, payload: { participantId: p.id } })).json());
  t.same(regs.map((r) => r.status), ['registered', 'waitlisted', 'waitlisted']);
  t.equal((await as({ method: 'PATCH', url: `/api/v1/meetings/${m.id}`, payload: { capacity: 2 } })).statusCode, 200);
  const summary = (await as({ url: `/api/v1/meetings/${m.id}/registrations/summary` })).json();
  t.equal(summary.registered, 2);
  t.equal(summary.waitlisted, 1);
  const bo = (await as({ url: `/api/v1/registrations/${regs[1].id}` })).json();
  t.equal(bo.status, 'registered', 'the first on the list moved up');
});
