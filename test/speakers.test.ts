// Speakers: /api/v1/networks/{slug}/speakers, /api/v1/speakers and /api/v1/speakers/{id}. Each speaker
// belongs to one network; their email is shown only to admins and to that network's tokens.
import t from 'tap';
import { tokenNetworks } from '../db/schema.js';
import { createToken } from '../server/auth/tokens.js';
import { makeApp, ok, problem, type TestApp } from './helpers.js';

const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);

const hanne = { name: 'Hanne Jensen', title: 'Chefkonsulent', organisation: 'KL', email: 'hanne@kl.dk' };

async function network(t: Parameters<typeof ok>[0], a: TestApp, slug = 'net') {
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug, name: `Netværk ${slug}` } }), 201);
  return `/api/v1/networks/${slug}/speakers`;
}

/** A token of this role scoped to these networks, as an authorization header. */
function tokenFor(a: TestApp, role: 'coordinator' | 'reader', ...slugs: string[]) {
  const { token, raw } = createToken(a.app.db, { name: `${role}-${slugs.join('-')}`, role });
  for (const networkSlug of slugs) a.app.db.insert(tokenNetworks).values({ tokenId: token.id, networkSlug }).run();
  return { authorization: `Bearer ${raw}` };
}

t.test('create, read, list, update and delete speakers', async (t) => {
  const a = await makeApp(t);
  t.same(ok(t, await a.app.inject({ url: '/api/v1/speakers' })), { data: [], nextCursor: null });
  const speakers = await network(t, a);
  t.same(ok(t, await a.app.inject({ url: speakers })), { data: [], nextCursor: null });

  // The old network-less route is gone: a speaker is created under their network.
  problem(t, await a.as({ method: 'POST', url: '/api/v1/speakers', payload: hanne }), 404, 'route-not-found');
  t.same(ok(t, await a.as({ url: '/api/v1/speakers' })).data, [], 'nothing created by the old route');
  problem(t, await a.as({ method: 'POST', url: '/api/v1/networks/nope/speakers', payload: hanne }), 404, 'not-found');

  const h = ok(t, await a.as({ method: 'POST', url: speakers, payload: hanne }), 201);
  t.match(h, { ...hanne, id: /^spk_/, networkSlug: 'net' });
  const b = ok(t, await a.as({ method: 'POST', url: speakers, payload: { name: 'Bo' } }), 201);
  t.match(b, { name: 'Bo', title: '', organisation: '', email: null, networkSlug: 'net' });

  t.same(ok(t, await a.as({ url: `/api/v1/speakers/${h.id}` })), h);
  const list = ok(t, await a.as({ url: '/api/v1/speakers' }));
  t.same(list.data.map((s: { name: string }) => s.name), ['Bo', 'Hanne Jensen'], 'sorted by name');
  t.same(ok(t, await a.as({ url: speakers })), list, 'the network lists the same speakers');
  t.same(ok(t, await a.as({ url: '/api/v1/speakers?network=net' })), list, '?network= filters to the same');

  // Another network's speakers are listed apart.
  const otherSpeakers = await network(t, a, 'andet');
  const other = ok(t, await a.as({ method: 'POST', url: otherSpeakers, payload: { name: 'Anna' } }), 201);
  t.equal(other.networkSlug, 'andet');
  t.same(ok(t, await a.as({ url: speakers })).data.map((s: { id: string }) => s.id), [b.id, h.id]);
  t.same(ok(t, await a.as({ url: otherSpeakers })).data.map((s: { id: string }) => s.id), [other.id]);
  t.same(ok(t, await a.as({ url: '/api/v1/speakers?network=andet' })).data.map((s: { id: string }) => s.id), [other.id]);
  t.same(ok(t, await a.as({ url: '/api/v1/speakers?network=ingen' })).data, []);
  t.same(ok(t, await a.as({ url: '/api/v1/speakers' })).data.map((s: { name: string }) => s.name), ['Anna', 'Bo', 'Hanne Jensen']);
  problem(t, await a.app.inject({ url: '/api/v1/networks/nope/speakers' }), 404, 'not-found');

  const patched = ok(t, await a.as({ method: 'PATCH', url: `/api/v1/speakers/${h.id}`, payload: { title: 'Konsulent', email: null } }));
  t.match(patched, { id: h.id, name: 'Hanne Jensen', title: 'Konsulent', organisation: 'KL', email: null, networkSlug: 'net' });
  t.same(ok(t, await a.as({ url: `/api/v1/speakers/${h.id}` })), patched);

  const del = await a.as({ method: 'DELETE', url: `/api/v1/speakers/${b.id}` });
  t.equal(del.statusCode, 204);
  t.equal(del.body, '');
  problem(t, await a.app.inject({ url: `/api/v1/speakers/${b.id}` }), 404, 'not-found');
  t.equal(ok(t, await a.app.inject({ url: speakers })).data.length, 1);
  t.equal(ok(t, await a.app.inject({ url: '/api/v1/speakers' })).data.length, 2);
});

t.test('the email is shown only to admins and the speaker’s network', async (t) => {
  const a = await makeApp(t);
  const speakers = await network(t, a);
  await network(t, a, 'andet');
  const h = ok(t, await a.as({ method: 'POST', url: speakers, payload: hanne }), 201);
  const ownCoordinator = tokenFor(a, 'coordinator', 'net');
  const ownReader = tokenFor(a, 'reader', 'net');
  const otherCoordinator = tokenFor(a, 'coordinator', 'andet');
  const bothNetworks = tokenFor(a, 'coordinator', 'andet', 'net');

  const withEmail: [string, Record<string, string>][] = [
    ['admin', a.auth],
    ['coordinator of the network', ownCoordinator],
    ['reader of the network', ownReader],
    ['coordinator of both networks', bothNetworks],
  ];
  const without: [string, Record<string, string>][] = [
    ['anonymous', {}],
    ['coordinator of another network', otherCoordinator],
  ];
  for (const [who, headers] of withEmail) {
    t.equal(ok(t, await a.app.inject({ url: `/api/v1/speakers/${h.id}`, headers })).email, 'hanne@kl.dk', `${who} sees the email`);
    for (const url of ['/api/v1/speakers', speakers, '/api/v1/speakers?network=net']) {
      t.equal(ok(t, await a.app.inject({ url, headers })).data[0].email, 'hanne@kl.dk', `${who} sees the email in ${url}`);
    }
  }
  for (const [who, headers] of without) {
    const one = ok(t, await a.app.inject({ url: `/api/v1/speakers/${h.id}`, headers }));
    t.notOk('email' in one, `no email field for ${who}`);
    t.match(one, { id: h.id, name: 'Hanne Jensen', title: 'Chefkonsulent', organisation: 'KL', networkSlug: 'net' });
    for (const url of ['/api/v1/speakers', speakers, '/api/v1/speakers?network=net']) {
      const list = ok(t, await a.app.inject({ url, headers }));
      t.equal(list.data[0].id, h.id);
      t.notOk('email' in list.data[0], `no email field for ${who} in ${url}`);
      t.notMatch(JSON.stringify(list), /hanne@kl\.dk/);
    }
  }

  // A mixed list shows each email only to its network's tokens.
  const anna = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/andet/speakers', payload: { name: 'Anna', email: 'anna@kl.dk' } }), 201);
  const mixed = (headers: Record<string, string>) =>
    a.app.inject({ url: '/api/v1/speakers', headers }).then((r) => ok(t, r).data.map((s: { email?: string }) => s.email));
  t.same(await mixed(a.auth), ['anna@kl.dk', 'hanne@kl.dk']);
  t.same(await mixed(ownCoordinator), [undefined, 'hanne@kl.dk']);
  t.same(await mixed(otherCoordinator), ['anna@kl.dk', undefined]);
  t.same(await mixed(bothNetworks), ['anna@kl.dk', 'hanne@kl.dk']);
  t.same(await mixed({}), [undefined, undefined]);
  t.equal(ok(t, await a.app.inject({ url: `/api/v1/speakers/${anna.id}`, headers: otherCoordinator })).email, 'anna@kl.dk');
  t.notOk('email' in ok(t, await a.app.inject({ url: `/api/v1/speakers/${anna.id}`, headers: ownCoordinator })));

  // On agenda items too.
  const m = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/meetings', payload: { title: 'Møde', date: '2019-09-11', startTime: '10:00', status: 'announced' } }), 201);
  const item = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { startTime: '10:00', endTime: '11:00', title: 'Oplæg', kind: 'presentation', speakerIds: [h.id] } }), 201);
  t.equal(item.speakers[0].email, 'hanne@kl.dk');
  t.equal(ok(t, await a.as({ url: `/api/v1/items/${item.id}` })).speakers[0].email, 'hanne@kl.dk');
  t.equal(ok(t, await a.app.inject({ url: `/api/v1/items/${item.id}`, headers: ownCoordinator })).speakers[0].email, 'hanne@kl.dk');
  ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/releases`, payload: {} }), 201);
  for (const headers of [{}, otherCoordinator]) {
    for (const url of [`/api/v1/items/${item.id}`, `/api/v1/meetings/${m.id}/items`, `/api/v1/meetings/${m.id}/agenda`]) {
      const res = ok(t, await a.app.inject({ url, headers }));
      t.match(JSON.stringify(res), /Hanne Jensen/, `${url} names the speaker`);
      t.notMatch(JSON.stringify(res), /hanne@kl\.dk|"email"/, `${url} hides the email`);
    }
  }
});

t.test('validation failures name the field and change nothing', async (t) => {
  const a = await makeApp(t);
  const speakers = await network(t, a);
  const h = ok(t, await a.as({ method: 'POST', url: speakers, payload: hanne }), 201);
  const bad: [Record<string, unknown>, string][] = [
    [{}, 'body.name'],
    [{ name: '' }, 'body.name'],
    [{ name: 'x', email: 'not-an-email' }, 'body.email'],
    [{ name: 'x', email: 'a@b' }, 'body.email'],
    [{ name: 'x', title: 't'.repeat(201) }, 'body.title'],
    [{ name: 'x', phone: '1234' }, 'body.phone'],
    [{ name: 'x', networkSlug: 'andet' }, 'body.networkSlug'],
  ];
  for (const [payload, path] of bad) {
    const body = problem(t, await a.as({ method: 'POST', url: speakers, payload }), 400, 'validation-failed');
    t.ok(paths(body).includes(path), `${path} in ${JSON.stringify(body.errors)}`);
  }
  problem(t, await a.as({ method: 'PATCH', url: `/api/v1/speakers/${h.id}`, payload: { email: 'nope' } }), 400, 'validation-failed');
  problem(t, await a.as({ method: 'PATCH', url: `/api/v1/speakers/${h.id}`, payload: { id: 'spk_x' } }), 400, 'validation-failed');
  problem(t, await a.as({ method: 'PATCH', url: `/api/v1/speakers/${h.id}`, payload: { networkSlug: 'andet' } }), 400, 'validation-failed');
  problem(t, await a.as({ method: 'POST', url: speakers, payload: '{"name":"x"', headers: { 'content-type': 'application/json' } }), 400, 'invalid-json');
  problem(t, await a.as({ method: 'PATCH', url: `/api/v1/speakers/${h.id}`, payload: '}', headers: { 'content-type': 'application/json' } }), 400, 'invalid-json');
  t.same(ok(t, await a.as({ url: '/api/v1/speakers' })).data, [h]);
});

t.test('writes need a token of the speaker’s network', async (t) => {
  const a = await makeApp(t);
  const speakers = await network(t, a);
  const otherSpeakers = await network(t, a, 'andet');
  const h = ok(t, await a.as({ method: 'POST', url: speakers, payload: hanne }), 201);
  for (const headers of [{}, { authorization: 'Bearer na_wrong' }]) {
    problem(t, await a.app.inject({ method: 'POST', url: speakers, payload: { name: 'x' }, headers }), 401, 'unauthorized');
    problem(t, await a.app.inject({ method: 'PATCH', url: `/api/v1/speakers/${h.id}`, payload: { name: 'x' }, headers }), 401, 'unauthorized');
    problem(t, await a.app.inject({ method: 'DELETE', url: `/api/v1/speakers/${h.id}`, headers }), 401, 'unauthorized');
  }
  // A reader of the network and a coordinator of another network may not write.
  for (const headers of [tokenFor(a, 'reader', 'net'), tokenFor(a, 'coordinator', 'andet')]) {
    problem(t, await a.app.inject({ method: 'POST', url: speakers, payload: { name: 'x' }, headers }), 403, 'forbidden');
    problem(t, await a.app.inject({ method: 'PATCH', url: `/api/v1/speakers/${h.id}`, payload: { name: 'x' }, headers }), 403, 'forbidden');
    problem(t, await a.app.inject({ method: 'DELETE', url: `/api/v1/speakers/${h.id}`, headers }), 403, 'forbidden');
  }
  t.same(ok(t, await a.as({ url: '/api/v1/speakers' })).data, [h], 'no refused write changed anything');

  // A coordinator of the speaker's network may.
  const own = tokenFor(a, 'coordinator', 'net');
  const mine = ok(t, await a.app.inject({ method: 'POST', url: speakers, payload: { name: 'Bo', email: 'bo@kl.dk' }, headers: own }), 201);
  t.match(mine, { networkSlug: 'net', email: 'bo@kl.dk' });
  t.equal(ok(t, await a.app.inject({ method: 'PATCH', url: `/api/v1/speakers/${h.id}`, payload: { title: 'Konsulent' }, headers: own })).title, 'Konsulent');
  t.equal((await a.app.inject({ method: 'DELETE', url: `/api/v1/speakers/${mine.id}`, headers: own })).statusCode, 204);
  problem(t, await a.app.inject({ method: 'POST', url: otherSpeakers, payload: { name: 'x' }, headers: own }), 403, 'forbidden');
  t.same(ok(t, await a.app.inject({ url: otherSpeakers })).data, []);
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
  const speakers = await network(t, a);
  const h = ok(t, await a.as({ method: 'POST', url: speakers, payload: hanne }), 201);
  const m = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/meetings', payload: { title: 'Møde', date: '2019-09-11', startTime: '10:00' } }), 201);
  const item = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { startTime: '10:00', endTime: '11:00', title: 'Oplæg', kind: 'presentation', speakerIds: [h.id] } }), 201);

  const c = problem(t, await a.as({ method: 'DELETE', url: `/api/v1/speakers/${h.id}` }), 409, 'speaker-in-use');
  t.match(c.detail, h.id);
  t.same(ok(t, await a.as({ url: `/api/v1/speakers/${h.id}` })), h);

  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/items/${item.id}`, payload: { speakerIds: [] } }));
  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/speakers/${h.id}` })).statusCode, 204);
  problem(t, await a.as({ url: `/api/v1/speakers/${h.id}` }), 404, 'not-found');
});

t.test('an agenda item names only speakers of its meeting’s network', async (t) => {
  const a = await makeApp(t);
  const speakers = await network(t, a);
  const otherSpeakers = await network(t, a, 'andet');
  const h = ok(t, await a.as({ method: 'POST', url: speakers, payload: hanne }), 201);
  const theirs = ok(t, await a.as({ method: 'POST', url: otherSpeakers, payload: { name: 'Anna', email: 'anna@kl.dk' } }), 201);
  const m = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/meetings', payload: { title: 'Møde', date: '2019-09-11', startTime: '10:00' } }), 201);
  const itemIn = { startTime: '10:00', endTime: '11:00', title: 'Oplæg', kind: 'presentation' };

  for (const speakerIds of [[theirs.id], [h.id, theirs.id], ['spk_nope']]) {
    const body = problem(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { ...itemIn, speakerIds } }), 400, 'unknown-speaker');
    t.same(paths(body), ['body.speakerIds']);
    t.notMatch(body.detail, h.id, 'only the foreign or missing speaker is named');
  }
  t.same(ok(t, await a.as({ url: `/api/v1/meetings/${m.id}/items` })).data, [], 'no item was created');

  const item = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { ...itemIn, speakerIds: [h.id] } }), 201);
  problem(t, await a.as({ method: 'PATCH', url: `/api/v1/items/${item.id}`, payload: { speakerIds: [theirs.id] } }), 400, 'unknown-speaker');
  t.same(ok(t, await a.as({ url: `/api/v1/items/${item.id}` })).speakers.map((s: { id: string }) => s.id), [h.id], 'the item keeps its speaker');
  // The other network's speaker is not in use, so it can still be deleted.
  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/speakers/${theirs.id}` })).statusCode, 204);
});
