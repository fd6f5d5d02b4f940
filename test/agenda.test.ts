// The whole day: GET /api/v1/meetings/{id}/agenda.
import t, { type Test } from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { makeApp, type TestApp, ok, problem } from './helpers.js';

/** A draft asked for with `?version=working` and no token: refused (401 or 404), never shown. */
const refused = (t: Test, res: LightMyRequestResponse) => {
  t.ok([401, 404].includes(res.statusCode), `refused: ${res.statusCode}`);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  t.equal(res.json().code, res.statusCode === 401 ? 'unauthorized' : 'not-found');
};

/** A 10:00–16:00 day: plenary morning, lunch, two parallel tracks in the afternoon, plenary close. */
async function day(a: TestApp, status: string) {
  await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'net', name: 'Net' } });
  await a.as({ method: 'POST', url: '/api/v1/networks/net/themes', payload: { key: 'aktuelt', name: 'Aktuelt' } });
  const created = await a.as({ method: 'POST', url: '/api/v1/networks/net/speakers', payload: { name: 'Anna', email: 'anna@kl.dk' } });
  if (created.statusCode !== 201) throw new Error(created.body);
  const speaker = created.json();
  const meeting = (await a.as({ method: 'POST', url: '/api/v1/networks/net/meetings', payload: { title: 'Møde', date: '2020-01-16', startTime: '10:00', status } })).json();
  const track = async (name: string, sortOrder: number) =>
    (await a.as({ method: 'POST', url: `/api/v1/meetings/${meeting.id}/tracks`, payload: { name, sortOrder } })).json();
  // Created out of display order on purpose.
  const skole = await track('Skole', 2);
  const dagtilbud = await track('Dagtilbud', 1);
  const item = async (payload: Record<string, unknown>) => {
    const res = await a.as({ method: 'POST', url: `/api/v1/meetings/${meeting.id}/items`, payload });
    if (res.statusCode !== 201) throw new Error(res.body);
    return res.json();
  };
  const close = await item({ startTime: '15:00', endTime: '16:00', title: 'Afslutning', kind: 'discussion', themes: ['aktuelt'] });
  const s1 = await item({ trackId: skole.id, startTime: '12:45', endTime: '15:00', title: 'Skole', kind: 'workshop', themes: ['aktuelt'] });
  const d1 = await item({ trackId: dagtilbud.id, startTime: '12:45', endTime: '15:00', title: 'Dagtilbud', kind: 'workshop', themes: ['aktuelt'] });
  const lunch = await item({ startTime: '12:00', endTime: '12:45', title: 'Frokost', kind: 'lunch' });
  const welcome = await item({ startTime: '10:00', endTime: '10:15', title: 'Velkomst', kind: 'welcome' });
  const news = await item({ startTime: '10:15', endTime: '12:00', title: 'Aktuelt', kind: 'presentation', themes: ['aktuelt'], speakerIds: [speaker.id] });
  return { meeting, tracks: [dagtilbud, skole], order: [welcome, news, lunch, d1, s1, close], url: `/api/v1/meetings/${meeting.id}/agenda` };
}

t.test('the working agenda: meeting, tracks in display order, items in time order', async (t) => {
  const a = await makeApp(t);
  const d = await day(a, 'draft');
  const agenda = ok(t, await a.as({ url: d.url }));
  t.equal(agenda.version, 'working');
  t.equal(agenda.release, null);
  t.same(agenda.meeting, ok(t, await a.as({ url: `/api/v1/meetings/${d.meeting.id}` })));
  t.same(agenda.tracks.map((x: { id: string }) => x.id), d.tracks.map((x) => x.id), 'by sortOrder');
  t.same(agenda.items.map((x: { title: string }) => x.title), ['Velkomst', 'Aktuelt', 'Frokost', 'Dagtilbud', 'Skole', 'Afslutning'], 'by time, then track order');
  t.same(agenda.items.map((x: { id: string }) => x.id), d.order.map((x) => x.id));
  const news = agenda.items[1];
  t.match(news, {
    start: { local: '2020-01-16T10:15', offset: '2020-01-16T10:15:00+01:00', utc: '2020-01-16T09:15:00Z' },
    themes: [{ key: 'aktuelt', name: 'Aktuelt' }],
    speakers: [{ name: 'Anna', email: 'anna@kl.dk' }],
  });
  // Same items, same shape as the items routes.
  for (const item of d.order) t.same(agenda.items.find((x: { id: string }) => x.id === item.id), ok(t, await a.as({ url: `/api/v1/items/${item.id}` })));
  t.same(agenda.tracks, ok(t, await a.as({ url: `/api/v1/meetings/${d.meeting.id}/tracks` })).data);
});

t.test('a draft agenda is 404 without a token', async (t) => {
  const a = await makeApp(t);
  const d = await day(a, 'draft');
  const body = problem(t, await a.app.inject({ url: d.url }), 404, 'not-found');
  t.match(body.detail, d.meeting.id);
  refused(t, await a.app.inject({ url: `${d.url}?version=working` }));
  problem(t, await a.app.inject({ url: d.url, headers: { authorization: 'Bearer na_wrong' } }), 401, 'unauthorized');
  ok(t, await a.as({ url: d.url }));
});

for (const status of ['announced', 'cancelled']) {
  t.test(`a ${status} meeting's agenda is public: the latest release`, async (t) => {
    const a = await makeApp(t);
    const d = await day(a, status);
    problem(t, await a.app.inject({ url: `${d.url}?version=working` }), 401, 'unauthorized');
    const before = ok(t, await a.app.inject({ url: d.url }));
    t.match(before, { version: 'released', release: null, tracks: [], items: [] });
    t.equal(before.meeting.id, d.meeting.id);
    t.equal(before.meeting.status, status);

    ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${d.meeting.id}/releases`, payload: { note: 'Første udgave' } }), 201);
    const pub = ok(t, await a.app.inject({ url: d.url }));
    t.equal(pub.version, 'released');
    t.match(pub.release, { number: 1, note: 'Første udgave' });
    t.same(pub.tracks.map((x: { id: string }) => x.id), d.tracks.map((x) => x.id));
    t.same(pub.items.map((x: { id: string }) => x.id), d.order.map((x) => x.id));
    t.notMatch(JSON.stringify(pub), /anna@kl\.dk/, 'no speaker email publicly');
    t.match(pub.items[1], { speakers: [{ name: 'Anna' }], start: { utc: '2020-01-16T09:15:00Z' } });

    // Token holders can ask for the released view too.
    const released = ok(t, await a.as({ url: `${d.url}?version=released` }));
    t.same(released.items.map((x: { id: string }) => x.id), d.order.map((x) => x.id));
    t.equal(released.version, 'released');
  });
}

t.test('unknown meetings are 404', async (t) => {
  const a = await makeApp(t);
  problem(t, await a.app.inject({ url: '/api/v1/meetings/mtg_nope/agenda' }), 404, 'not-found');
  problem(t, await a.as({ url: '/api/v1/meetings/mtg_nope/agenda' }), 404, 'not-found');
  const long = problem(t, await a.app.inject({ url: `/api/v1/meetings/${'m'.repeat(65)}/agenda` }), 400, 'validation-failed');
  t.same(long.errors.map((e: { path: string }) => e.path), ['params.id']);
  const version = problem(t, await a.as({ url: '/api/v1/meetings/mtg_nope/agenda?version=latest' }), 400, 'validation-failed');
  t.same(version.errors.map((e: { path: string }) => e.path), ['querystring.version']);
});
