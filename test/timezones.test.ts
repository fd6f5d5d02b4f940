// Wall times in named zones become the right UTC instants, whatever the process's own TZ is.
import t, { type Test } from 'tap';
import { existsLocally, toInstant, toOffsetString } from '../server/time/local-time.js';
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
