// Themes: /api/v1/networks/{slug}/themes and /api/v1/networks/{slug}/themes/{key}.
import t from 'tap';
import { makeApp, type TestApp, ok, problem } from './helpers.js';

const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);
const keys = (body: { data: { key: string }[] }) => body.data.map((x) => x.key);

async function networks(a: TestApp) {
  for (const slug of ['net', 'other']) {
    await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug, name: slug } });
  }
}
const base = '/api/v1/networks/net/themes';

t.test('create, read, list, update and delete themes', async (t) => {
  const a = await makeApp(t);
  await networks(a);
  t.same(ok(t, await a.app.inject({ url: base })), { data: [], nextCursor: null });

  const viden = ok(t, await a.as({ method: 'POST', url: base, payload: { key: 'ny-viden', name: 'Ny viden', description: 'Forskning' } }), 201);
  t.match(viden, {
    id: /^thm_/,
    networkSlug: 'net',
    key: 'ny-viden',
    name: 'Ny viden',
    description: 'Forskning',
    feeds: {
      items: {
        https: 'http://127.0.0.1:3000/feeds/networks/net/themes/ny-viden.ics',
        webcal: 'webcal://127.0.0.1:3000/feeds/networks/net/themes/ny-viden.ics',
      },
    },
  });
  const aktuelt = ok(t, await a.as({ method: 'POST', url: base, payload: { key: 'aktuelt', name: 'Aktuelt' } }), 201);
  t.equal(aktuelt.description, '');
  // The same key in another network is a different theme.
  const elsewhere = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/other/themes', payload: { key: 'aktuelt', name: 'Andet' } }), 201);
  t.not(elsewhere.id, aktuelt.id);

  t.same(ok(t, await a.app.inject({ url: `${base}/ny-viden` })), viden);
  t.same(keys(ok(t, await a.app.inject({ url: base }))), ['aktuelt', 'ny-viden'], 'sorted by key');
  t.same(keys(ok(t, await a.app.inject({ url: '/api/v1/networks/other/themes' }))), ['aktuelt']);

  const patched = ok(t, await a.as({ method: 'PATCH', url: `${base}/ny-viden`, payload: { name: 'Ny viden fra forskning', description: '' } }));
  t.match(patched, { id: viden.id, key: 'ny-viden', name: 'Ny viden fra forskning', description: '' });
  t.same(ok(t, await a.app.inject({ url: `${base}/ny-viden` })), patched);

  const del = await a.as({ method: 'DELETE', url: `${base}/aktuelt` });
  t.equal(del.statusCode, 204);
  t.equal(del.body, '');
  problem(t, await a.app.inject({ url: `${base}/aktuelt` }), 404, 'not-found');
  t.same(ok(t, await a.app.inject({ url: '/api/v1/networks/other/themes/aktuelt' })), elsewhere, 'other network untouched');
});

t.test('validation failures name the field and change nothing', async (t) => {
  const a = await makeApp(t);
  await networks(a);
  const theme = ok(t, await a.as({ method: 'POST', url: base, payload: { key: 'aktuelt', name: 'Aktuelt' } }), 201);
  const bad: [Record<string, unknown>, string][] = [
    [{ name: 'x' }, 'body.key'],
    [{ key: 'Aktuelt', name: 'x' }, 'body.key'],
    [{ key: '-start', name: 'x' }, 'body.key'],
    [{ key: 'end-', name: 'x' }, 'body.key'],
    [{ key: 'a'.repeat(41), name: 'x' }, 'body.key'],
    [{ key: 'ok' }, 'body.name'],
    [{ key: 'ok', name: '' }, 'body.name'],
    [{ key: 'ok', name: 'x', colour: 'blue' }, 'body.colour'],
  ];
  for (const [payload, path] of bad) {
    const body = problem(t, await a.as({ method: 'POST', url: base, payload }), 400, 'validation-failed');
    t.ok(paths(body).includes(path), `${path} in ${JSON.stringify(body.errors)}`);
  }
  problem(t, await a.as({ method: 'POST', url: base, payload: 'key=x', headers: { 'content-type': 'application/json' } }), 400, 'invalid-json');
  const keyChange = problem(t, await a.as({ method: 'PATCH', url: `${base}/aktuelt`, payload: { key: 'nyt' } }), 400, 'validation-failed');
  t.same(paths(keyChange), ['body.key'], 'a theme key never changes');
  problem(t, await a.as({ method: 'PATCH', url: `${base}/aktuelt`, payload: { name: ' ' } }), 400, 'validation-failed');
  problem(t, await a.as({ method: 'PATCH', url: `${base}/aktuelt`, payload: '{"name":"x"', headers: { 'content-type': 'application/json' } }), 400, 'invalid-json');
  t.same(ok(t, await a.app.inject({ url: base })).data, [theme]);
});

t.test('writes need a token', async (t) => {
  const a = await makeApp(t);
  await networks(a);
  const theme = ok(t, await a.as({ method: 'POST', url: base, payload: { key: 'aktuelt', name: 'Aktuelt' } }), 201);
  for (const headers of [{}, { authorization: 'Bearer na_wrong' }]) {
    problem(t, await a.app.inject({ method: 'POST', url: base, payload: { key: 'x', name: 'x' }, headers }), 401, 'unauthorized');
    problem(t, await a.app.inject({ method: 'PATCH', url: `${base}/aktuelt`, payload: { name: 'x' }, headers }), 401, 'unauthorized');
    problem(t, await a.app.inject({ method: 'DELETE', url: `${base}/aktuelt`, headers }), 401, 'unauthorized');
  }
  t.same(ok(t, await a.app.inject({ url: base })).data, [theme]);
});

t.test('unknown networks and themes are 404', async (t) => {
  const a = await makeApp(t);
  await networks(a);
  problem(t, await a.app.inject({ url: '/api/v1/networks/nope/themes' }), 404, 'not-found');
  problem(t, await a.as({ method: 'POST', url: '/api/v1/networks/nope/themes', payload: { key: 'x', name: 'x' } }), 404, 'not-found');
  problem(t, await a.app.inject({ url: '/api/v1/networks/nope/themes/x' }), 404, 'not-found');
  for (const url of [`${base}/nope`, '/api/v1/networks/nope/themes/nope']) {
    problem(t, await a.app.inject({ url }), 404, 'not-found');
    problem(t, await a.as({ method: 'PATCH', url, payload: { name: 'x' } }), 404, 'not-found');
    problem(t, await a.as({ method: 'DELETE', url }), 404, 'not-found');
  }
  t.same(ok(t, await a.app.inject({ url: base })).data, []);
});

t.test('conflicts: key taken, theme in use', async (t) => {
  const a = await makeApp(t);
  await networks(a);
  const theme = ok(t, await a.as({ method: 'POST', url: base, payload: { key: 'aktuelt', name: 'Aktuelt' } }), 201);
  const taken = problem(t, await a.as({ method: 'POST', url: base, payload: { key: 'aktuelt', name: 'Igen' } }), 409, 'theme-key-taken');
  t.match(taken.detail, /aktuelt/);
  t.same(ok(t, await a.app.inject({ url: base })).data, [theme]);

  const m = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/meetings', payload: { title: 'Møde', date: '2019-09-11', startTime: '10:00' } }), 201);
  const item = ok(
    t,
    await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { startTime: '10:00', endTime: '11:00', title: 'Oplæg', kind: 'presentation', themes: ['aktuelt'] } }),
    201,
  );
  problem(t, await a.as({ method: 'DELETE', url: `${base}/aktuelt` }), 409, 'theme-in-use');
  t.same(ok(t, await a.app.inject({ url: `${base}/aktuelt` })), theme);
  t.same(ok(t, await a.as({ url: `/api/v1/items/${item.id}` })).themes, [{ id: theme.id, key: 'aktuelt', name: 'Aktuelt' }]);

  // Renaming a theme shows on the item; once no item uses it, it can go.
  ok(t, await a.as({ method: 'PATCH', url: `${base}/aktuelt`, payload: { name: 'Aktuelt nu' } }));
  t.equal(ok(t, await a.as({ url: `/api/v1/items/${item.id}` })).themes[0].name, 'Aktuelt nu');
  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/items/${item.id}`, payload: { themes: [] } }));
  t.equal((await a.as({ method: 'DELETE', url: `${base}/aktuelt` })).statusCode, 204);
  t.same(ok(t, await a.app.inject({ url: base })).data, []);
});
