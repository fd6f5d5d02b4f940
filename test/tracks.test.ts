// Tracks: /api/v1/meetings/{id}/tracks and /api/v1/tracks/{id}.
import t, { type Test } from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { makeApp, type TestApp, ok, problem } from './helpers.js';

/** A draft asked for with `?version=working` and no token: refused (401 or 404), never shown. */
const refused = (t: Test, res: LightMyRequestResponse) => {
  t.ok([401, 404].includes(res.statusCode), `refused: ${res.statusCode}`);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  t.equal(res.json().code, res.statusCode === 401 ? 'unauthorized' : 'not-found');
};
const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);
const ids = (body: { data: { id: string }[] }) => body.data.map((x) => x.id);

async function meeting(a: TestApp, status = 'announced') {
  await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'net', name: 'Net' } });
  const res = await a.as({ method: 'POST', url: '/api/v1/networks/net/meetings', payload: { title: 'Møde', date: '2019-09-11', startTime: '10:00', status } });
  return res.json().id as string;
}

t.test('create, read, list, update and delete tracks', async (t) => {
  const a = await makeApp(t);
  const mid = await meeting(a);
  t.same(ok(t, await a.as({ url: `/api/v1/meetings/${mid}/tracks` })), { data: [], nextCursor: null });

  const b = ok(
    t,
    await a.as({
      method: 'POST',
      url: `/api/v1/meetings/${mid}/tracks`,
      payload: { name: 'Skole', description: 'For skolekonsulenter', audience: 'Konsulenter på skoleområdet', room: 'Lokale 2', sortOrder: 2 },
    }),
    201,
  );
  t.match(b, {
    id: /^trk_/,
    meetingId: mid,
    name: 'Skole',
    description: 'For skolekonsulenter',
    audience: 'Konsulenter på skoleområdet',
    room: 'Lokale 2',
    sortOrder: 2,
    feeds: { track: { https: `http://127.0.0.1:3000/feeds/tracks/${b.id}.ics`, webcal: `webcal://127.0.0.1:3000/feeds/tracks/${b.id}.ics` } },
  });
  const a1 = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${mid}/tracks`, payload: { name: 'Dagtilbud', sortOrder: 1 } }), 201);
  t.match(a1, { description: '', audience: '', room: null, sortOrder: 1 });
  const z = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${mid}/tracks`, payload: { name: 'Uden rækkefølge' } }), 201);
  t.equal(z.sortOrder, 0);

  t.same(ok(t, await a.as({ url: `/api/v1/tracks/${b.id}` })), b);
  t.same(ids(ok(t, await a.as({ url: `/api/v1/meetings/${mid}/tracks` }))), [z.id, a1.id, b.id], 'by sortOrder');

  const patched = ok(t, await a.as({ method: 'PATCH', url: `/api/v1/tracks/${b.id}`, payload: { name: 'Folkeskole', room: null, sortOrder: 0 } }));
  t.match(patched, { id: b.id, name: 'Folkeskole', room: null, sortOrder: 0, audience: 'Konsulenter på skoleområdet' });
  t.same(ok(t, await a.as({ url: `/api/v1/tracks/${b.id}` })), patched);

  const del = await a.as({ method: 'DELETE', url: `/api/v1/tracks/${a1.id}` });
  t.equal(del.statusCode, 204);
  t.equal(del.body, '');
  problem(t, await a.as({ url: `/api/v1/tracks/${a1.id}` }), 404, 'not-found');
  t.equal(ok(t, await a.as({ url: `/api/v1/meetings/${mid}/tracks` })).data.length, 2);
});

t.test('validation failures name the field and change nothing', async (t) => {
  const a = await makeApp(t);
  const mid = await meeting(a);
  const track = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${mid}/tracks`, payload: { name: 'Spor' } }), 201);
  const bad: [Record<string, unknown>, string][] = [
    [{}, 'body.name'],
    [{ name: '' }, 'body.name'],
    [{ name: 'x', sortOrder: -1 }, 'body.sortOrder'],
    [{ name: 'x', sortOrder: 10001 }, 'body.sortOrder'],
    [{ name: 'x', audience: 'a'.repeat(501) }, 'body.audience'],
    [{ name: 'x', room: 12 }, 'body.room'],
    [{ name: 'x', meetingId: mid }, 'body.meetingId'],
  ];
  for (const [payload, path] of bad) {
    const created = problem(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${mid}/tracks`, payload }), 400, 'validation-failed');
    t.ok(paths(created).includes(path), `${path} in ${JSON.stringify(created.errors)}`);
  }
  for (const [payload, path] of bad.slice(1)) {
    const patched = problem(t, await a.as({ method: 'PATCH', url: `/api/v1/tracks/${track.id}`, payload }), 400, 'validation-failed');
    t.ok(paths(patched).includes(path), `${path} in ${JSON.stringify(patched.errors)}`);
  }
  problem(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${mid}/tracks`, payload: '{name}', headers: { 'content-type': 'application/json' } }), 400, 'invalid-json');
  problem(t, await a.as({ method: 'PATCH', url: `/api/v1/tracks/${track.id}`, payload: '{name}', headers: { 'content-type': 'application/json' } }), 400, 'invalid-json');
  t.same(ok(t, await a.as({ url: `/api/v1/meetings/${mid}/tracks` })).data, [track]);
});

t.test('writes need a token', async (t) => {
  const a = await makeApp(t);
  const mid = await meeting(a);
  const track = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${mid}/tracks`, payload: { name: 'Spor' } }), 201);
  for (const headers of [{}, { authorization: 'Bearer na_wrong' }]) {
    problem(t, await a.app.inject({ method: 'POST', url: `/api/v1/meetings/${mid}/tracks`, payload: { name: 'x' }, headers }), 401, 'unauthorized');
    problem(t, await a.app.inject({ method: 'PATCH', url: `/api/v1/tracks/${track.id}`, payload: { name: 'x' }, headers }), 401, 'unauthorized');
    problem(t, await a.app.inject({ method: 'DELETE', url: `/api/v1/tracks/${track.id}`, headers }), 401, 'unauthorized');
  }
  t.same(ok(t, await a.as({ url: `/api/v1/meetings/${mid}/tracks` })).data, [track]);
});

t.test('unknown meetings and tracks are 404', async (t) => {
  const a = await makeApp(t);
  await meeting(a);
  problem(t, await a.app.inject({ url: '/api/v1/meetings/mtg_nope/tracks' }), 404, 'not-found');
  problem(t, await a.as({ method: 'POST', url: '/api/v1/meetings/mtg_nope/tracks', payload: { name: 'x' } }), 404, 'not-found');
  problem(t, await a.as({ url: '/api/v1/tracks/trk_nope' }), 404, 'not-found');
  problem(t, await a.as({ method: 'PATCH', url: '/api/v1/tracks/trk_nope', payload: { name: 'x' } }), 404, 'not-found');
  problem(t, await a.as({ method: 'DELETE', url: '/api/v1/tracks/trk_nope' }), 404, 'not-found');
});

t.test('tracks of a draft meeting are hidden without a token; public readers see released tracks', async (t) => {
  const a = await makeApp(t);
  const mid = await meeting(a, 'draft');
  const track = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${mid}/tracks`, payload: { name: 'Spor', sortOrder: 1 } }), 201);
  problem(t, await a.app.inject({ url: `/api/v1/meetings/${mid}/tracks` }), 404, 'not-found');
  problem(t, await a.app.inject({ url: `/api/v1/tracks/${track.id}` }), 404, 'not-found');
  t.same(ok(t, await a.as({ url: `/api/v1/meetings/${mid}/tracks` })).data, [track]);
  t.same(ok(t, await a.as({ url: `/api/v1/tracks/${track.id}` })), track);
  refused(t, await a.app.inject({ url: `/api/v1/meetings/${mid}/tracks?version=working` }));
  refused(t, await a.app.inject({ url: `/api/v1/tracks/${track.id}?version=working` }));

  // Cancelled (like announced) meetings are public: their released tracks are visible to anyone.
  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/meetings/${mid}`, payload: { status: 'cancelled' } }));
  problem(t, await a.app.inject({ url: `/api/v1/meetings/${mid}/tracks?version=working` }), 401, 'unauthorized');
  problem(t, await a.app.inject({ url: `/api/v1/tracks/${track.id}?version=working` }), 401, 'unauthorized');
  t.same(ok(t, await a.app.inject({ url: `/api/v1/meetings/${mid}/tracks` })), { data: [], nextCursor: null }, 'nothing released yet');
  problem(t, await a.app.inject({ url: `/api/v1/tracks/${track.id}` }), 404, 'not-found');
  ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${mid}/releases`, payload: {} }), 201);
  const pub = ok(t, await a.app.inject({ url: `/api/v1/meetings/${mid}/tracks` }));
  t.same(ids(pub), [track.id]);
  t.match(pub.data[0], { id: track.id, meetingId: mid, name: 'Spor', sortOrder: 1, room: null, feeds: track.feeds });
  t.match(ok(t, await a.app.inject({ url: `/api/v1/tracks/${track.id}` })), { id: track.id, name: 'Spor', meetingId: mid });
  t.same(ids(ok(t, await a.app.inject({ url: `/api/v1/meetings/${mid}/tracks?limit=1` }))), [track.id]);
});

t.test('deleting a track removes its items, not plenary or other tracks', async (t) => {
  const a = await makeApp(t);
  const mid = await meeting(a);
  const doomed = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${mid}/tracks`, payload: { name: 'Spor A' } }), 201);
  const kept = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${mid}/tracks`, payload: { name: 'Spor B' } }), 201);
  const item = (trackId: string | null, startTime: string, endTime: string) =>
    a.as({ method: 'POST', url: `/api/v1/meetings/${mid}/items`, payload: { trackId, startTime, endTime, title: 'Punkt', kind: 'workshop' } });
  const gone1 = ok(t, await item(doomed.id, '11:00', '12:00'), 201);
  const gone2 = ok(t, await item(doomed.id, '13:00', '14:00'), 201);
  const other = ok(t, await item(kept.id, '11:00', '12:00'), 201);
  const plenary = ok(t, await item(null, '10:00', '11:00'), 201);

  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/tracks/${doomed.id}` })).statusCode, 204);
  problem(t, await a.as({ url: `/api/v1/items/${gone1.id}` }), 404, 'not-found');
  problem(t, await a.as({ url: `/api/v1/items/${gone2.id}` }), 404, 'not-found');
  t.same(ids(ok(t, await a.as({ url: `/api/v1/meetings/${mid}/items` }))), [plenary.id, other.id]);
  t.same(ids(ok(t, await a.as({ url: `/api/v1/meetings/${mid}/tracks` }))), [kept.id]);
});
