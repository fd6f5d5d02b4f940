// Speakers: /api/v1/speakers and /api/v1/speakers/{id}; emails only with a token.
import t from 'tap';
import { makeApp, ok, problem } from './helpers.js';

const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);

const hanne = { name: 'Hanne Jensen', title: 'Chefkonsulent', organisation: 'KL', email: 'hanne@kl.dk' };

t.test('create, read, list, update and delete speakers', async (t) => {
  const a = await makeApp(t);
  t.same(ok(t, await a.app.inject({ url: '/api/v1/speakers' })), { data: [], nextCursor: null });

  const h = ok(t, await a.as({ method: 'POST', url: '/api/v1/speakers', payload: hanne }), 201);
  t.match(h, { ...hanne, id: /^spk_/ });
  const b = ok(t, await a.as({ method: 'POST', url: '/api/v1/speakers', payload: { name: 'Bo' } }), 201);
  t.match(b, { name: 'Bo', title: '', organisation: '', email: null });

  t.same(ok(t, await a.as({ url: `/api/v1/speakers/${h.id}` })), h);
  t.same(ok(t, await a.as({ url: '/api/v1/speakers' })).data.map((s: { name: string }) => s.name), ['Bo', 'Hanne Jensen'], 'sorted by name');

  const patched = ok(t, await a.as({ method: 'PATCH', url: `/api/v1/speakers/${h.id}`, payload: { title: 'Konsulent', email: null } }));
  t.match(patched, { id: h.id, name: 'Hanne Jensen', title: 'Konsulent', organisation: 'KL', email: null });
  t.same(ok(t, await a.as({ url: `/api/v1/speakers/${h.id}` })), patched);

  const del = await a.as({ method: 'DELETE', url: `/api/v1/speakers/${b.id}` });
  t.equal(del.statusCode, 204);
  t.equal(del.body, '');
  problem(t, await a.app.inject({ url: `/api/v1/speakers/${b.id}` }), 404, 'not-found');
  t.equal(ok(t, await a.app.inject({ url: '/api/v1/speakers' })).data.length, 1);
});

t.test('the email is shown only with a token', async (t) => {
  const a = await makeApp(t);
  const h = ok(t, await a.as({ method: 'POST', url: '/api/v1/speakers', payload: hanne }), 201);

  const pub = ok(t, await a.app.inject({ url: `/api/v1/speakers/${h.id}` }));
  t.notOk('email' in pub, 'no email field publicly');
  t.match(pub, { id: h.id, name: 'Hanne Jensen', title: 'Chefkonsulent', organisation: 'KL' });
  const pubList = ok(t, await a.app.inject({ url: '/api/v1/speakers' }));
  t.notOk('email' in pubList.data[0]);
  t.notMatch(JSON.stringify(pubList), /hanne@kl\.dk/);

  t.equal(ok(t, await a.as({ url: `/api/v1/speakers/${h.id}` })).email, 'hanne@kl.dk');
  t.equal(ok(t, await a.as({ url: '/api/v1/speakers' })).data[0].email, 'hanne@kl.dk');

  // On agenda items too.
  await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'net', name: 'Net' } });
  const m = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/meetings', payload: { title: 'Møde', date: '2019-09-11', startTime: '10:00', status: 'announced' } }), 201);
  const item = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { startTime: '10:00', endTime: '11:00', title: 'Oplæg', kind: 'presentation', speakerIds: [h.id] } }), 201);
  t.equal(item.speakers[0].email, 'hanne@kl.dk');
  t.equal(ok(t, await a.as({ url: `/api/v1/items/${item.id}` })).speakers[0].email, 'hanne@kl.dk');
  ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/releases`, payload: {} }), 201);
  for (const url of [`/api/v1/items/${item.id}`, `/api/v1/meetings/${m.id}/items`, `/api/v1/meetings/${m.id}/agenda`]) {
    const res = ok(t, await a.app.inject({ url }));
    t.match(JSON.stringify(res), /Hanne Jensen/, `${url} names the speaker`);
    t.notMatch(JSON.stringify(res), /hanne@kl\.dk|"email"/, `${url} hides the email`);
  }
});

t.test('validation failures name the field and change nothing', async (t) => {
  const a = await makeApp(t);
  const h = ok(t, await a.as({ method: 'POST', url: '/api/v1/speakers', payload: hanne }), 201);
  const bad: [Record<string, unknown>, string][] = [
    [{}, 'body.name'],
    [{ name: '' }, 'body.name'],
    [{ name: 'x', email: 'not-an-email' }, 'body.email'],
    [{ name: 'x', email: 'a@b' }, 'body.email'],
    [{ name: 'x', title: 't'.repeat(201) }, 'body.title'],
    [{ name: 'x', phone: '1234' }, 'body.phone'],
  ];
  for (const [payload, path] of bad) {
    const body = problem(t, await a.as({ method: 'POST', url: '/api/v1/speakers', payload }), 400, 'validation-failed');
    t.ok(paths(body).includes(path), `${path} in ${JSON.stringify(body.errors)}`);
  }
  problem(t, await a.as({ method: 'PATCH', url: `/api/v1/speakers/${h.id}`, payload: { email: 'nope' } }), 400, 'validation-failed');
  problem(t, await a.as({ method: 'PATCH', url: `/api/v1/speakers/${h.id}`, payload: { id: 'spk_x' } }), 400, 'validation-failed');
  problem(t, await a.as({ method: 'POST', url: '/api/v1/speakers', payload: '{"name":"x"', headers: { 'content-type': 'application/json' } }), 400, 'invalid-json');
  problem(t, await a.as({ method: 'PATCH', url: `/api/v1/speakers/${h.id}`, payload: '}', headers: { 'content-type': 'application/json' } }), 400, 'invalid-json');
  t.same(ok(t, await a.as({ url: '/api/v1/speakers' })).data, [h]);
});

t.test('writes need a token', async (t) => {
  const a = await makeApp(t);
  const h = ok(t, await a.as({ method: 'POST', url: '/api/v1/speakers', payload: hanne }), 201);
  for (const headers of [{}, { authorization: 'Bearer na_wrong' }]) {
    problem(t, await a.app.inject({ method: 'POST', url: '/api/v1/speakers', payload: { name: 'x' }, headers }), 401, 'unauthorized');
    problem(t, await a.app.inject({ method: 'PATCH', url: `/api/v1/speakers/${h.id}`, payload: { name: 'x' }, headers }), 401, 'unauthorized');
    problem(t, await a.app.inject({ method: 'DELETE', url: `/api/v1/speakers/${h.id}`, headers }), 401, 'unauthorized');
  }
  t.same(ok(t, await a.as({ url: '/api/v1/speakers' })).data, [h]);
});

t.test('unknown speakers are 404', async (t) => {
  const a = await makeApp(t);
  problem(t, await a.app.inject({ url: '/api/v1/speakers/spk_nope' }), 404, 'not-found');
  problem(t, await a.as({ method: 'PATCH', url: '/api/v1/speakers/spk_nope', payload: { name: 'x' } }), 404, 'not-found');
  problem(t, await a.as({ method: 'DELETE', url: '/api/v1/speakers/spk_nope' }), 404, 'not-found');
  t.same(ok(t, await a.as({ url: '/api/v1/speakers' })).data, []);
});

t.test('a speaker on an agenda item cannot be deleted', async (t) => {
  const a = await makeApp(t);
  const h = ok(t, await a.as({ method: 'POST', url: '/api/v1/speakers', payload: hanne }), 201);
  await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'net', name: 'Net' } });
  const m = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/meetings', payload: { title: 'Møde', date: '2019-09-11', startTime: '10:00' } }), 201);
  const item = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { startTime: '10:00', endTime: '11:00', title: 'Oplæg', kind: 'presentation', speakerIds: [h.id] } }), 201);

  const c = problem(t, await a.as({ method: 'DELETE', url: `/api/v1/speakers/${h.id}` }), 409, 'speaker-in-use');
  t.match(c.detail, h.id);
  t.same(ok(t, await a.as({ url: `/api/v1/speakers/${h.id}` })), h);

  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/items/${item.id}`, payload: { speakerIds: [] } }));
  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/speakers/${h.id}` })).statusCode, 204);
  problem(t, await a.as({ url: `/api/v1/speakers/${h.id}` }), 404, 'not-found');
});
