// Wall times in named zones become the right UTC instants, whatever the process's own TZ is.
import t, { type Test } from 'tap';
import { tzOffset } from '@date-fns/tz';
import {
  dayClock,
  elapsedBetween,
  elapsedMinutes,
  existsLocally,
  fromMinutes,
  isAmbiguousLocally,
  toInstant,
  toOffsetString,
  zonedInstant,
} from '../server/time/local-time.js';
import { makeApp, type TestApp, ok, problem } from './helpers.js';

const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);

const originalTz = process.env.TZ;
t.teardown(() => {
  process.env.TZ = originalTz;
});

t.test('the seed meetings are at 10:00 Copenhagen time, summer and winter', async (t) => {
  const a = await makeApp(t, { seed: true });
  const list = ok(t, await a.app.inject({ url: '/api/v1/networks/kl-konsulentnetvaerk-2019-2020/meetings' }));
  const [sep, jan, jun] = list.data;
  t.same(sep.start, { local: '2019-09-11T10:00', timeZone: 'Europe/Copenhagen', offset: '2019-09-11T10:00:00+02:00', utc: '2019-09-11T08:00:00Z' });
  t.same(sep.end, { local: '2019-09-11T16:00', timeZone: 'Europe/Copenhagen', offset: '2019-09-11T16:00:00+02:00', utc: '2019-09-11T14:00:00Z' });
  t.same(jan.start, { local: '2020-01-16T10:00', timeZone: 'Europe/Copenhagen', offset: '2020-01-16T10:00:00+01:00', utc: '2020-01-16T09:00:00Z' });
  t.equal(jan.end.utc, '2020-01-16T15:00:00Z');
  t.equal(jun.start.utc, '2020-06-03T08:00:00Z');
  t.equal(jun.end.offset, '2020-06-03T16:00:00+02:00');
});

async function newYork(t: Test, a: TestApp) {
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'nyc', name: 'New York', timeZone: 'America/New_York' } }), 201);
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'kbh', name: 'København' } }), 201);
}

t.test('meetings in other zones', async (t) => {
  const a = await makeApp(t);
  await newYork(t, a);
  const create = (slug: string, payload: Record<string, unknown>) => a.as({ method: 'POST', url: `/api/v1/networks/${slug}/meetings`, payload: { title: 'Møde', ...payload } });

  const winter = ok(t, await create('nyc', { date: '2020-01-16', startTime: '10:00' }), 201);
  t.equal(winter.timeZone, 'America/New_York', 'the network’s zone by default');
  t.same(winter.start, { local: '2020-01-16T10:00', timeZone: 'America/New_York', offset: '2020-01-16T10:00:00-05:00', utc: '2020-01-16T15:00:00Z' });
  t.equal(winter.end.utc, '2020-01-16T21:00:00Z');
  const summer = ok(t, await create('nyc', { date: '2020-06-03', startTime: '10:00' }), 201);
  t.same(summer.start, { local: '2020-06-03T10:00', timeZone: 'America/New_York', offset: '2020-06-03T10:00:00-04:00', utc: '2020-06-03T14:00:00Z' });

  const tokyo = ok(t, await create('kbh', { date: '2019-09-11', startTime: '10:00', endTime: '12:00', timeZone: 'Asia/Tokyo' }), 201);
  t.same(tokyo.start, { local: '2019-09-11T10:00', timeZone: 'Asia/Tokyo', offset: '2019-09-11T10:00:00+09:00', utc: '2019-09-11T01:00:00Z' });
  const utc = ok(t, await create('kbh', { date: '2019-09-11', startTime: '10:00', endTime: '12:00', timeZone: 'UTC' }), 201);
  t.same(utc.start, { local: '2019-09-11T10:00', timeZone: 'UTC', offset: '2019-09-11T10:00:00+00:00', utc: '2019-09-11T10:00:00Z' });

  // Items are timed in their meeting's zone, and move with it.
  const item = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${winter.id}/items`, payload: { startTime: '12:00', endTime: '13:00', title: 'Lunch', kind: 'lunch' } }), 201);
  t.same(item.start, { local: '2020-01-16T12:00', timeZone: 'America/New_York', offset: '2020-01-16T12:00:00-05:00', utc: '2020-01-16T17:00:00Z' });
  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/meetings/${winter.id}`, payload: { timeZone: 'Europe/Copenhagen' } }));
  const moved = ok(t, await a.as({ url: `/api/v1/items/${item.id}` }));
  t.same(moved.start, { local: '2020-01-16T12:00', timeZone: 'Europe/Copenhagen', offset: '2020-01-16T12:00:00+01:00', utc: '2020-01-16T11:00:00Z' });
});

t.test('a wall time skipped by daylight saving is refused', async (t) => {
  const a = await makeApp(t);
  await newYork(t, a);
  const create = (slug: string, payload: Record<string, unknown>) => a.as({ method: 'POST', url: `/api/v1/networks/${slug}/meetings`, payload: { title: 'Møde', ...payload } });

  const start = problem(t, await create('kbh', { date: '2020-03-29', startTime: '02:30', endTime: '06:00' }), 400, 'nonexistent-local-time');
  t.same(paths(start), ['body.startTime']);
  t.match(start.detail, /2020-03-29 02:30 does not exist in Europe\/Copenhagen/);
  const end = problem(t, await create('kbh', { date: '2020-03-29', startTime: '01:00', endTime: '02:00' }), 400, 'nonexistent-local-time');
  t.same(paths(end), ['body.endTime']);
  problem(t, await create('nyc', { date: '2020-03-08', startTime: '02:30', endTime: '06:00' }), 400, 'nonexistent-local-time');
  t.same(ok(t, await a.as({ url: '/api/v1/networks/kbh/meetings' })).data, [], 'nothing created');

  // Just around the jump is fine.
  const before = ok(t, await create('kbh', { date: '2020-03-29', startTime: '01:59', endTime: '03:00' }), 201);
  t.equal(before.start.offset, '2020-03-29T01:59:00+01:00');
  t.equal(before.end.offset, '2020-03-29T03:00:00+02:00');
  t.equal(before.end.utc, '2020-03-29T01:00:00Z');
  // The same wall time in New York exists (its jump was three weeks earlier).
  ok(t, await create('nyc', { date: '2020-03-29', startTime: '02:30', endTime: '06:00' }), 201);

  // Moving a meeting onto the jump is refused too, and changes nothing.
  const m = ok(t, await create('kbh', { date: '2020-03-28', startTime: '02:30', endTime: '06:00' }), 201);
  problem(t, await a.as({ method: 'PATCH', url: `/api/v1/meetings/${m.id}`, payload: { date: '2020-03-29' } }), 400, 'nonexistent-local-time');
  problem(t, await a.as({ method: 'PATCH', url: `/api/v1/meetings/${m.id}`, payload: { date: '2020-03-08', timeZone: 'America/New_York' } }), 400, 'nonexistent-local-time');
  t.same(ok(t, await a.as({ url: `/api/v1/meetings/${m.id}` })), m);
});

t.test('a wall time that occurs twice is its first occurrence', async (t) => {
  const a = await makeApp(t);
  await newYork(t, a);
  const kbh = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/kbh/meetings', payload: { title: 'Nat', date: '2020-10-25', startTime: '02:30', endTime: '04:00' } }), 201);
  t.same(kbh.start, { local: '2020-10-25T02:30', timeZone: 'Europe/Copenhagen', offset: '2020-10-25T02:30:00+02:00', utc: '2020-10-25T00:30:00Z' });
  t.same(kbh.end, { local: '2020-10-25T04:00', timeZone: 'Europe/Copenhagen', offset: '2020-10-25T04:00:00+01:00', utc: '2020-10-25T03:00:00Z' });
  const nyc = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/nyc/meetings', payload: { title: 'Night', date: '2020-11-01', startTime: '01:30', endTime: '03:00' } }), 201);
  t.same(nyc.start, { local: '2020-11-01T01:30', timeZone: 'America/New_York', offset: '2020-11-01T01:30:00-04:00', utc: '2020-11-01T05:30:00Z' });
});

/** Everything time-related the API says about a fixed set of meetings and items, read with the given process TZ. */
async function snapshot(a: TestApp, ids: { meetings: string[]; items: string[] }) {
  const out: unknown[] = [];
  for (const id of ids.meetings) {
    out.push((await a.as({ url: `/api/v1/meetings/${id}` })).json());
    out.push((await a.as({ url: `/api/v1/meetings/${id}/agenda` })).json());
  }
  for (const id of ids.items) out.push((await a.as({ url: `/api/v1/items/${id}` })).json());
  out.push((await a.app.inject({ url: '/api/v1/networks/kl-konsulentnetvaerk-2019-2020/meetings' })).json());
  return out;
}

const cases: [string, string, string][] = [
  ['2019-09-11', '10:00', 'Europe/Copenhagen'],
  ['2020-01-16', '10:00', 'Europe/Copenhagen'],
  ['2020-03-29', '02:30', 'Europe/Copenhagen'],
  ['2020-03-29', '03:00', 'Europe/Copenhagen'],
  ['2020-10-25', '02:30', 'Europe/Copenhagen'],
  ['2020-03-08', '02:30', 'America/New_York'],
  ['2020-11-01', '01:30', 'America/New_York'],
  ['2020-06-03', '10:00', 'America/New_York'],
  ['2020-04-05', '02:30', 'Australia/Sydney'],
  ['2020-10-04', '02:30', 'Australia/Sydney'],
  ['2020-06-03', '10:00', 'UTC'],
];
const timeFacts = () => cases.map(([d, time, zone]) => [existsLocally(d, time, zone), toInstant(d, time, zone).toISOString(), toOffsetString(d, time, zone)]);

t.test('results do not depend on the process TZ', async (t) => {
  const zones = ['UTC', 'America/New_York', 'Europe/Copenhagen', 'Australia/Sydney'];
  // Node honours TZ changes at run time: prove it, or the rest would prove nothing.
  const offsets = zones.map((zone) => {
    process.env.TZ = zone;
    return new Date(2020, 0, 1).getTimezoneOffset();
  });
  t.same(offsets, [0, 300, -60, -660]);

  // The time functions directly.
  process.env.TZ = 'UTC';
  const reference = timeFacts();
  for (const zone of zones) {
    process.env.TZ = zone;
    t.same(timeFacts(), reference, `local-time functions with TZ=${zone}`);
  }

  // The API: data written under one TZ reads the same under every TZ.
  process.env.TZ = 'UTC';
  const a = await makeApp(t, { seed: true });
  await newYork(t, a);
  const meetings: string[] = [];
  const items: string[] = [];
  const specs: [string, Record<string, unknown>][] = [
    ['kbh', { date: '2020-10-25', startTime: '01:00', endTime: '05:00' }],
    ['kbh', { date: '2020-03-29', startTime: '01:00', endTime: '05:00' }],
    ['nyc', { date: '2020-11-01', startTime: '00:30', endTime: '04:00' }],
    ['nyc', { date: '2020-01-16', startTime: '10:00' }],
  ];
  for (const [slug, payload] of specs) {
    const m = ok(t, await a.as({ method: 'POST', url: `/api/v1/networks/${slug}/meetings`, payload: { title: 'Møde', status: 'announced', ...payload } }), 201);
    meetings.push(m.id);
    const it = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { startTime: m.startTime, endTime: m.endTime, title: 'Punkt', kind: 'other' } }), 201);
    items.push(it.id);
  }
  const first = await snapshot(a, { meetings, items });
  for (const zone of zones) {
    process.env.TZ = zone;
    t.same(await snapshot(a, { meetings, items }), first, `API reads with TZ=${zone}`);
  }

  // And writes made under different TZs give identical moments.
  const written: unknown[] = [];
  for (const zone of ['UTC', 'America/New_York']) {
    process.env.TZ = zone;
    const m = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/kbh/meetings', payload: { title: zone, date: '2020-10-25', startTime: '02:30', endTime: '04:00' } }), 201);
    const it = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { startTime: '03:00', endTime: '03:30', title: 'Punkt', kind: 'other' } }), 201);
    written.push({ start: m.start, end: m.end, duration: m.durationMinutes, itemStart: it.start, itemEnd: it.end });
    problem(t, await a.as({ method: 'POST', url: '/api/v1/networks/kbh/meetings', payload: { title: zone, date: '2020-03-29', startTime: '02:30', endTime: '04:00' } }), 400, 'nonexistent-local-time');
  }
  t.same(written[0], written[1], 'TZ=UTC and TZ=America/New_York write the same instants');
  process.env.TZ = originalTz;
});

t.test('agenda items at wall times skipped by the spring jump are refused', async (t) => {
  const { as } = await makeApp(t, { seed: true });
  const m = (await as({ method: 'POST', url: '/api/v1/networks/kl-konsulentnetvaerk-2019-2020/meetings', payload: { title: 'Natmøde', date: '2020-03-29', startTime: '01:00', endTime: '05:00' } })).json();
  const gap = await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { title: 'Forsvundet', kind: 'other', startTime: '02:30', endTime: '03:30' } });
  t.equal(gap.statusCode, 400);
  t.equal(gap.json().code, 'nonexistent-local-time');
  t.equal(gap.json().errors[0].path, 'body.startTime');
  const ok = await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { title: 'Efter skiftet', kind: 'other', startTime: '03:00', endTime: '04:00' } });
  t.equal(ok.statusCode, 201);
  t.equal(ok.json().start.utc, '2020-03-29T01:00:00Z');
});

t.test('isAmbiguousLocally: wall times the autumn change repeats', async (t) => {
  const cph = (time: string) => isAmbiguousLocally('2026-10-25', time, 'Europe/Copenhagen');
  t.same(['01:59', '02:00', '02:30', '02:59', '03:00'].map(cph), [false, true, true, true, false]);
  t.notOk(isAmbiguousLocally('2026-10-24', '02:30', 'Europe/Copenhagen'), 'the day before');
  t.notOk(isAmbiguousLocally('2026-03-29', '02:30', 'Europe/Copenhagen'), 'a skipped time is not ambiguous');
  t.ok(isAmbiguousLocally('2026-11-01', '01:30', 'America/New_York'));
  t.notOk(isAmbiguousLocally('2026-11-01', '02:00', 'America/New_York'));
  t.ok(isAmbiguousLocally('2026-04-05', '02:30', 'Australia/Sydney'), 'southern autumn');
  t.notOk(isAmbiguousLocally('2026-10-25', '02:30', 'UTC'));
  t.notOk(isAmbiguousLocally('2026-10-25', '02:30', 'Asia/Tokyo'));
});

t.test('dayClock: the day as plain minutes, and elapsed minutes across a change', async (t) => {
  t.same(dayClock('2026-10-25', 'Europe/Copenhagen'), { repeated: [[120, 180]], skipped: [] });
  t.same(dayClock('2026-03-29', 'Europe/Copenhagen'), { repeated: [], skipped: [[120, 180]] });
  t.same(dayClock('2026-09-10', 'Europe/Copenhagen'), { repeated: [], skipped: [] });
  t.same(dayClock('2026-11-01', 'America/New_York'), { repeated: [[60, 120]], skipped: [] });
  t.same(dayClock('2026-04-05', 'Australia/Lord_Howe'), { repeated: [[90, 120]], skipped: [] }, 'a half-hour change');

  t.equal(elapsedBetween('2026-10-25', '00:00', '06:00', 'Europe/Copenhagen'), 420);
  t.equal(elapsedBetween('2026-03-29', '00:00', '06:00', 'Europe/Copenhagen'), 300);
  t.equal(elapsedBetween('2026-09-10', '10:00', '16:00', 'Europe/Copenhagen'), 360);
  t.equal(elapsedMinutes(dayClock('2026-10-25', 'Europe/Copenhagen'), 0, 360), 420);

  // The plain-number rule agrees with the instants for every pair of existing times on change days.
  for (const [date, zone] of [
    ['2026-10-25', 'Europe/Copenhagen'],
    ['2026-03-29', 'Europe/Copenhagen'],
    ['2026-11-01', 'America/New_York'],
    ['2026-04-05', 'Australia/Lord_Howe'],
  ] as const) {
    const clock = dayClock(date, zone);
    const times = Array.from({ length: 24 * 12 }, (_, i) => i * 5).filter((m) => existsLocally(date, fromMinutes(m), zone));
    let mismatches = 0;
    for (const a of times) {
      for (const b of times) {
        if (b <= a) continue;
        const real = (toInstant(date, fromMinutes(b), zone).getTime() - toInstant(date, fromMinutes(a), zone).getTime()) / 60_000;
        if (elapsedMinutes(clock, a, b) !== real) mismatches++;
      }
      const inRepeated = clock.repeated.some(([from, to]) => from <= a && a < to);
      if (inRepeated !== isAmbiguousLocally(date, fromMinutes(a), zone)) mismatches++;
    }
    t.equal(mismatches, 0, `${zone} ${date}`);
  }
});

/**
 * The reading rule computed directly from the zone's offsets on every call (no memo): how the service
 * read wall times before offsets were kept per day. The memoised functions must give the same instants.
 */
function reference(date: string, time: string, zone: string): number {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const before = tzOffset(zone, new Date(wall - 86_400_000));
  const after = tzOffset(zone, new Date(wall + 86_400_000));
  const candidates = [wall - before * 60_000, wall - after * 60_000].filter((c) => tzOffset(zone, new Date(c)) * 60_000 === wall - c);
  return candidates.length > 0 ? Math.min(...candidates) : wall - before * 60_000;
}

t.test('memoised offsets give the instants computed from the zone directly', async (t) => {
  const zones = ['Europe/Copenhagen', 'America/New_York', 'Australia/Sydney', 'Australia/Lord_Howe', 'America/Santiago', 'Asia/Kolkata', 'UTC'];
  const dates = ['2019-09-11', '2020-01-16', '2020-03-29', '2020-10-25', '2020-03-08', '2020-11-01', '2020-04-05', '2020-10-04', '2022-09-11', '2022-04-03', '2026-10-25'];
  let compared = 0;
  let different = 0;
  for (const zone of zones) {
    for (const date of dates) {
      for (let m = 0; m < 24 * 60; m += 10) {
        const time = fromMinutes(m);
        const expected = reference(date, time, zone);
        compared++;
        if (toInstant(date, time, zone).getTime() !== expected || zonedInstant(date, time, zone).getTime() !== expected) different++;
      }
    }
  }
  t.equal(different, 0, `${compared} wall times`);
  t.equal(toOffsetString('2026-10-25', '02:30', 'Europe/Copenhagen'), '2026-10-25T02:30:00+02:00', 'the first 02:30');
  t.equal(toOffsetString('2026-03-29', '02:30', 'Europe/Copenhagen'), '2026-03-29T03:30:00+02:00', 'a skipped time, as the clocks show it');
  t.equal(toOffsetString('2020-01-16', '10:00', 'Asia/Kolkata'), '2020-01-16T10:00:00+05:30');
});

async function kbhNetwork(t: Test, a: TestApp) {
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'kbh', name: 'København', standardMeetingMinutes: 360 } }), 201);
}

t.test('a wall time that occurs twice is accepted with a warning, and means its first occurrence', async (t) => {
  const a = await makeApp(t);
  await kbhNetwork(t, a);
  const m = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/kbh/meetings', payload: { title: 'Nat', date: '2026-10-25', startTime: '00:00', endTime: '06:00' } }), 201);
  t.equal(m.durationMinutes, 420, 'seven real hours');
  t.equal(m.end.utc, '2026-10-25T05:00:00Z');
  const checks = () => a.as({ url: `/api/v1/meetings/${m.id}/checks` });
  t.same(ok(t, await checks()).findings.filter((f: { code: string }) => f.code === 'ambiguous-local-time'), []);

  const item = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { title: 'Skiftet', kind: 'other', startTime: '02:30', endTime: '03:30' } }), 201);
  t.same(item.start, { local: '2026-10-25T02:30', timeZone: 'Europe/Copenhagen', offset: '2026-10-25T02:30:00+02:00', utc: '2026-10-25T00:30:00Z' });
  t.equal(item.end.utc, '2026-10-25T02:30:00Z', 'two real hours');
  const body = ok(t, await checks());
  t.equal(body.errors, 0);
  const ambiguous = body.findings.filter((f: { code: string }) => f.code === 'ambiguous-local-time');
  t.same(ambiguous.map((f: { severity: string; items: string[] }) => [f.severity, f.items]), [['warning', [item.id]]]);
  t.match(ambiguous[0].message, /"Skiftet" \(02:30–03:30\): 02:30 occurs twice on this day/);
  const length = body.findings.find((f: { code: string }) => f.code === 'nonstandard-length');
  t.match(length.message, /lasts 420 minutes \(00:00–06:00\); the network’s standard is 360 minutes/);

  // Moving the item out of the repeated hour clears the warning; a meeting starting in it gets one.
  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/items/${item.id}`, payload: { startTime: '03:00' } }));
  t.same(ok(t, await checks()).findings.filter((f: { code: string }) => f.code === 'ambiguous-local-time'), []);
  const early = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/kbh/meetings', payload: { title: 'Tidlig', date: '2026-10-25', startTime: '02:15', endTime: '08:00' } }), 201);
  t.equal(early.durationMinutes, 405);
  const e = ok(t, await a.as({ url: `/api/v1/meetings/${early.id}/checks` })).findings.filter((f: { code: string }) => f.code === 'ambiguous-local-time');
  t.same(e.map((f: { items: string[] }) => f.items), [[]]);
  t.match(e[0].message, /The meeting \(02:15–08:00\): 02:15 occurs twice/);

  // Skipped times stay refused.
  problem(t, await a.as({ method: 'POST', url: '/api/v1/networks/kbh/meetings', payload: { title: 'Forår', date: '2026-03-29', startTime: '02:30', endTime: '06:00' } }), 400, 'nonexistent-local-time');
});

t.test('durationMinutes and the default end count real minutes', async (t) => {
  const a = await makeApp(t);
  await kbhNetwork(t, a);
  const create = async (payload: Record<string, unknown>) =>
    ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/kbh/meetings', payload: { title: 'Møde', ...payload } }), 201);
  const spring = await create({ date: '2026-03-29', startTime: '00:00', endTime: '06:00' });
  t.equal(spring.durationMinutes, 300);
  const plain = await create({ date: '2026-09-10', startTime: '10:00', endTime: '16:00' });
  t.equal(plain.durationMinutes, 360);

  // Without endTime: start plus the network's six hours, in real time.
  const autumnNight = await create({ date: '2026-10-25', startTime: '00:00' });
  t.match(autumnNight, { endTime: '05:00', durationMinutes: 360 });
  const springNight = await create({ date: '2026-03-29', startTime: '00:00' });
  t.match(springNight, { endTime: '07:00', durationMinutes: 360 });
  t.match(await create({ date: '2026-10-25', startTime: '10:00' }), { endTime: '16:00', durationMinutes: 360 });

  // Moving a meeting onto the change day changes its real length, not its wall hours.
  const moved = ok(t, await a.as({ method: 'PATCH', url: `/api/v1/meetings/${plain.id}`, payload: { date: '2026-10-25', startTime: '00:00', endTime: '06:00' } }));
  t.equal(moved.durationMinutes, 420);
});
