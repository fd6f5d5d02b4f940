// A cluster's facilitated meeting series: the planning rules on their own (holidays from date-holidays,
// school holiday weeks 7 and 42, weekends, cadence, host rotation), then POST /api/v1/clusters/{id}/series:
// draft meetings at the hosts' town halls with the facilitator and the default template, regeneration
// keeping booked meetings, and announced series meetings in the cluster's feed.
import t from 'tap';
import { PROGRAMME_SLUG } from '../db/seed-data.js';
import { addDays, danishHolidays, isoWeek, lastYear, planSeries, whyNot } from '../server/clusters/meeting-series.js';
import { makeApp, ok, problem, type TestApp } from './helpers.js';

t.test('ISO weeks and the days a series meeting cannot be held', async (t) => {
  t.equal(isoWeek('2016-10-17'), 42);
  t.equal(isoWeek('2017-02-13'), 7);
  t.equal(isoWeek('2021-01-03'), 53, 'belongs to 2020’s week 53');
  t.equal(isoWeek('2018-12-31'), 1, 'belongs to 2019’s week 1');
  t.equal(whyNot('2016-10-20'), 'school holiday (week 42)');
  t.equal(whyNot('2017-02-16'), 'school holiday (week 7)');
  t.equal(whyNot('2016-09-03'), 'Saturday');
  t.equal(whyNot('2017-04-13'), 'Skærtorsdag');
  t.equal(whyNot('2016-05-05'), 'Kristi Himmelfartsdag');
  t.equal(whyNot('2016-06-05'), 'Sunday');
  t.equal(whyNot('2017-06-05'), 'Grundlovsdag', 'Constitution Day: municipalities are closed');
  t.equal(whyNot('2016-09-01'), null);
  // The calendar comes from date-holidays: Store Bededag up to 2023, not after it was abolished.
  t.ok([...danishHolidays(2016).values()].includes('Store Bededag'));
  t.notOk([...danishHolidays(2024).values()].includes('Store Bededag'));
  t.equal(danishHolidays(2016).get('2016-12-26'), 'Anden Juledag');
  t.equal(addDays('2016-12-31', 1), '2017-01-01');
  t.equal(addDays('0050-02-28', 1), '0050-03-01', 'years below 100 are not read as 19xx');
  t.equal(isoWeek('2016-01-04'), 1, 'the Monday of 2016’s first week');
  t.equal(isoWeek('2016-01-03'), 53, 'the Sunday before it is in 2015’s week 53');
  t.equal(lastYear({ count: 2, from: '2016-09-01', everyWeeks: 52 }), 2017);
});

t.test('the plan: every 8 weeks from 1 September 2016, moved off holidays and weeks 7 and 42, hosts in turn', async (t) => {
  const plan = planSeries({ count: 5, from: '2016-09-01', everyWeeks: 8 }, ['Odense', 'Nyborg', 'Svendborg']);
  t.same(plan.map((s) => s.date), ['2016-09-01', '2016-10-27', '2016-12-22', '2017-02-20', '2017-04-18']);
  t.same(plan.map((s) => s.host), ['Odense', 'Nyborg', 'Svendborg', 'Odense', 'Nyborg']);
  t.same(plan[3]!.moved, { from: '2017-02-16', reason: 'school holiday (week 7)' });
  t.same(plan[4]!.moved, { from: '2017-04-13', reason: 'Skærtorsdag' }, 'Skærtorsdag, Langfredag, the weekend and Anden påskedag skipped');
  t.same(plan.slice(0, 3).map((s) => s.moved), [null, null, null]);
  // Week 42 in 2016, and the cadence is kept after a move.
  const autumn = planSeries({ count: 3, from: '2016-08-25', everyWeeks: 8 }, ['A']);
  t.same(autumn.map((s) => s.date), ['2016-08-25', '2016-10-24', '2016-12-15']);
  t.equal(autumn[1]!.moved!.reason, 'school holiday (week 42)');
  // Every week: never two meetings on one day even when moves pile up.
  const weekly = planSeries({ count: 3, from: '2017-02-13', everyWeeks: 1 }, ['A', 'B']);
  t.same(weekly.map((s) => s.date), ['2017-02-20', '2017-02-21', '2017-02-27']);
  t.ok(weekly.every((s) => whyNot(s.date) === null));
  t.throws(() => planSeries({ count: 1, from: '2016-09-01', everyWeeks: 1 }, []), RangeError);
});

const FUNEN = [410, 420, 430, 440, 450, 461, 479];

async function clusterFixture(t: Parameters<typeof makeApp>[0], template: string | null = 'plenary-day') {
  const a = await makeApp(t, { seed: true });
  for (const code of FUNEN) {
    const res = await a.as({ method: 'POST', url: `/api/v1/networks/${PROGRAMME_SLUG}/members?override=true`, payload: { municipalityCode: code, contact: { name: `Kontakt ${code}`, email: `k${code}@kommune.dk` } } });
    if (res.statusCode !== 201) throw new Error(res.body);
  }
  if (template) ok(t as never, await a.as({ method: 'PATCH', url: `/api/v1/networks/${PROGRAMME_SLUG}`, payload: { defaultTemplate: template } }));
  const [cluster] = (await a.as({ method: 'PUT', url: `/api/v1/networks/${PROGRAMME_SLUG}/clusters`, payload: { clusters: [{ name: 'Klynge Fyn', municipalityCodes: FUNEN }] } })).json().data;
  return { a, cluster: cluster as { id: string } };
}
const SERIES = { count: 5, from: '2016-09-01', everyWeeks: 8, startTime: '09:00', endTime: '15:00' };
type SeriesMeeting = { number: number; kept: boolean; host: { code: number; name: string } | null; moved: unknown; meeting: { id: string; date: string; title: string; description: string; status: string; venue: { name: string; city: string; latitude: number } | null; clusterId: string; startTime: string; endTime: string; timeZone: string } };

t.test('POST /clusters/{id}/series: drafts at the hosts’ town halls, with facilitator and template', async (t) => {
  const { a, cluster } = await clusterFixture(t);
  const url = `/api/v1/clusters/${cluster.id}/series`;
  const needs = problem(t, await a.as({ method: 'POST', url, payload: SERIES }), 409, 'facilitator-required');
  t.match(needs.detail, /facilitator/);

  const s = ok(t, await a.as({ method: 'POST', url, payload: { ...SERIES, facilitator: 'Birgitte Ærø Sørensen' } }), 201);
  t.match(s, { clusterId: cluster.id, facilitator: 'Birgitte Ærø Sørensen', template: 'plenary-day', removed: [] });
  const list = s.meetings as SeriesMeeting[];
  t.same(list.map((m) => m.meeting.date), ['2016-09-01', '2016-10-27', '2016-12-22', '2017-02-20', '2017-04-18']);
  // Odense is the most central of the seven and hosts first; then the others by code.
  t.same(list.map((m) => m.host!.name), ['Odense', 'Middelfart', 'Assens', 'Faaborg-Midtfyn', 'Kerteminde']);
  for (const m of list) {
    t.match(m.meeting, { status: 'draft', clusterId: cluster.id, startTime: '09:00', endTime: '15:00', timeZone: 'Europe/Copenhagen' });
    t.match(m.meeting.description, /Facilitator: Birgitte Ærø Sørensen\./, `meeting ${m.number} names the facilitator`);
    t.match(m.meeting.description, new RegExp(`Vært: ${m.host!.name} Kommune`));
    t.equal(m.meeting.venue!.name, `${m.host!.name} Rådhus`);
  }
  t.match(list[0]!.meeting.venue, { name: 'Odense Rådhus', city: 'Odense', latitude: 55.396 });
  t.match(list[3]!.meeting.venue, { city: 'Ringe' }, 'Faaborg-Midtfyn’s town hall is in Ringe');
  t.equal(ok(t, await a.as({ url: `/api/v1/clusters/${cluster.id}` })).facilitator, 'Birgitte Ærø Sørensen', 'the cluster keeps its facilitator');
  // A new facilitator is named on every series meeting.
  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/clusters/${cluster.id}`, payload: { facilitator: 'Jørgen Å. Holm' } }));
  for (const m of list) {
    const now = ok(t, await a.as({ url: `/api/v1/meetings/${m.meeting.id}` }));
    t.match(now.description, /Facilitator: Jørgen Å\. Holm\./, `meeting ${m.number} follows the new facilitator`);
    t.notMatch(now.description, /Birgitte/);
  }
  // The town halls are venues of the network.
  const venues = ok(t, await a.as({ url: `/api/v1/venues?network=${PROGRAMME_SLUG}&limit=100` })).data.map((v: { name: string }) => v.name);
  t.ok(['Odense Rådhus', 'Middelfart Rådhus', 'Kerteminde Rådhus'].every((n) => venues.includes(n)));
  // The template's agenda is on every meeting.
  for (const m of list) {
    const agenda = ok(t, await a.as({ url: `/api/v1/meetings/${m.meeting.id}/agenda` }));
    t.ok(agenda.items.length > 0, `meeting ${m.number} has the template’s items`);
  }

  problem(t, await a.as({ method: 'POST', url: '/api/v1/clusters/cls_nope/series', payload: SERIES }), 404, 'not-found');
  problem(t, await a.app.inject({ method: 'POST', url, payload: SERIES }), 401, 'unauthorized');
  problem(t, await a.as({ method: 'POST', url, payload: { ...SERIES, endTime: '08:00' } }), 400, 'invalid-time-range');
  problem(t, await a.as({ method: 'POST', url, payload: { ...SERIES, count: 0 } }), 400, 'validation-failed');
  problem(t, await a.as({ method: 'POST', url, payload: { ...SERIES, from: '2016-02-30' } }), 400, 'validation-failed');
  problem(t, await a.as({ method: 'POST', url, payload: { ...SERIES, count: 52, everyWeeks: 52, from: '9990-01-01' } }), 400, 'series-out-of-range');
  problem(t, await a.as({ method: 'PATCH', url: `/api/v1/networks/${PROGRAMME_SLUG}`, payload: { defaultTemplate: 'findes-ikke' } }), 400, 'unknown-template');
});

t.test('without a default template the meetings are empty; a template too long for the hours is refused', async (t) => {
  const { a, cluster } = await clusterFixture(t, null);
  const url = `/api/v1/clusters/${cluster.id}/series`;
  const s = ok(t, await a.as({ method: 'POST', url, payload: { ...SERIES, count: 2, facilitator: 'Per' } }), 201);
  t.equal(s.template, null);
  t.same(ok(t, await a.as({ url: `/api/v1/meetings/${s.meetings[0].meeting.id}/agenda` })).items, []);
  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/networks/${PROGRAMME_SLUG}`, payload: { defaultTemplate: 'plenary-day' } }));
  problem(t, await a.as({ method: 'POST', url, payload: { ...SERIES, endTime: '12:00' } }), 409, 'template-does-not-fit');
  for (const m of s.meetings) t.equal(ok(t, await a.as({ url: `/api/v1/meetings/${m.meeting.id}` })).id, m.meeting.id, 'the refused request removed nothing');
});

async function book(a: TestApp, meetingId: string) {
  ok(t as never, await a.as({ method: 'PATCH', url: `/api/v1/meetings/${meetingId}`, payload: { status: 'announced' } }));
  const person = (await a.as({ method: 'POST', url: `/api/v1/networks/${PROGRAMME_SLUG}/participants`, payload: { name: 'Ærlige Åse', email: 'aase@kommune.dk' } })).json();
  const res = await a.as({ method: 'POST', url: `/api/v1/meetings/${meetingId}/registrations`, payload: { participantId: person.id } });
  if (res.statusCode !== 201) throw new Error(`registration failed: ${res.body}`);
}

t.test('generating again keeps meetings with registrations or releases; announced ones are in the cluster feed', async (t) => {
  const { a, cluster } = await clusterFixture(t);
  const url = `/api/v1/clusters/${cluster.id}/series`;
  // In the future, so that registration is open.
  const first = ok(t, await a.as({ method: 'POST', url, payload: { ...SERIES, from: '2030-09-02', facilitator: 'Mette Ø.' } }), 201).meetings as SeriesMeeting[];
  const registered = first[1]!.meeting.id;
  const released = first[2]!.meeting.id;
  await book(a, registered);
  ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${released}/releases`, payload: { note: 'Første udgave' } }), 201);

  // Announced series meetings appear in the cluster's feed.
  const feed = await a.app.inject({ url: `/feeds/clusters/${cluster.id}.ics` });
  t.equal(feed.statusCode, 200);
  t.match(feed.body, /Klynge Fyn: møde 2 af 5/);
  t.notMatch(feed.body, /Klynge Fyn: møde 1 af 5/, 'drafts are not in the feed');

  const again = ok(t, await a.as({ method: 'POST', url, payload: { ...SERIES, from: '2030-09-09', everyWeeks: 6, count: 4 } }), 201);
  const list = again.meetings as SeriesMeeting[];
  t.same(again.removed.sort(), [first[0]!.meeting.id, first[3]!.meeting.id, first[4]!.meeting.id].sort(), 'the unbooked meetings went');
  t.same(list.map((m) => [m.number, m.kept]), [[1, false], [2, true], [3, true], [4, false]]);
  t.equal(list[1]!.meeting.id, registered);
  t.equal(list[2]!.meeting.id, released);
  t.equal(list[1]!.meeting.date, first[1]!.meeting.date, 'a kept meeting keeps its day');
  t.equal(list[0]!.meeting.date, '2030-09-09');
  t.equal(again.facilitator, 'Mette Ø.', 'the facilitator named before');
  problem(t, await a.as({ url: `/api/v1/meetings/${first[0]!.meeting.id}` }), 404, 'not-found');
  const registrations = ok(t, await a.as({ url: `/api/v1/meetings/${registered}/registrations` }));
  t.equal(registrations.data.length, 1, 'the registration is still there');
});
