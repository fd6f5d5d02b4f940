// Venues: /api/v1/venues and /api/v1/venues/{id}.
import t from 'tap';
import { venueAddress } from '../server/venues/venues.schemas.js';
import { makeApp, ok, problem } from './helpers.js';

const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);

const odense = {
  name: 'Odense Congress Center',
  streetAddress: 'Ørbækvej 350',
  postalCode: '5220',
  city: 'Odense SØ',
  latitude: 55.3836,
  longitude: 10.4266,
};

t.test('create, read, list, update and delete a venue', async (t) => {
  const a = await makeApp(t);
  t.same(ok(t, await a.app.inject({ url: '/api/v1/venues' })), { data: [], nextCursor: null });

  const created = ok(t, await a.as({ method: 'POST', url: '/api/v1/venues', payload: odense }), 201);
  t.match(created, { ...odense, id: /^ven_/ });
  t.match(created.createdAt, /Z$/);

  const minimal = ok(t, await a.as({ method: 'POST', url: '/api/v1/venues', payload: { name: 'Aarhus' } }), 201);
  t.match(minimal, { name: 'Aarhus', streetAddress: '', postalCode: '', city: '', latitude: null, longitude: null });

  t.same(ok(t, await a.app.inject({ url: `/api/v1/venues/${created.id}` })), created);
  const list = ok(t, await a.app.inject({ url: '/api/v1/venues' }));
  t.same(list.data.map((v: { name: string }) => v.name), ['Aarhus', 'Odense Congress Center'], 'sorted by name');
  t.equal(list.nextCursor, null);

  const patched = ok(t, await a.as({ method: 'PATCH', url: `/api/v1/venues/${created.id}`, payload: { city: 'Odense', latitude: null } }));
  t.match(patched, { ...odense, city: 'Odense', latitude: null, id: created.id });
  t.same(ok(t, await a.app.inject({ url: `/api/v1/venues/${created.id}` })), patched);

  const del = await a.as({ method: 'DELETE', url: `/api/v1/venues/${created.id}` });
  t.equal(del.statusCode, 204);
  t.equal(del.body, '');
  problem(t, await a.app.inject({ url: `/api/v1/venues/${created.id}` }), 404, 'not-found');
  t.same(ok(t, await a.app.inject({ url: '/api/v1/venues' })).data.map((v: { id: string }) => v.id), [minimal.id]);
});

t.test('venueAddress joins the parts once', async (t) => {
  t.equal(venueAddress(odense), 'Odense Congress Center, Ørbækvej 350, 5220 Odense SØ');
  t.equal(venueAddress({ name: 'Odense', streetAddress: '', postalCode: '', city: 'Odense' }), 'Odense');
});

t.test('validation failures name the field and change nothing', async (t) => {
  const a = await makeApp(t);
  const venue = ok(t, await a.as({ method: 'POST', url: '/api/v1/venues', payload: odense }), 201);
  const bad: [Record<string, unknown>, string][] = [
    [{}, 'body.name'],
    [{ name: ' ' }, 'body.name'],
    [{ name: 'x', latitude: 91 }, 'body.latitude'],
    [{ name: 'x', longitude: -181 }, 'body.longitude'],
    [{ name: 'x', latitude: 'north' }, 'body.latitude'],
    [{ name: 'x', postalCode: '1'.repeat(21) }, 'body.postalCode'],
    [{ name: 'x', city: 7 }, 'body.city'],
    [{ name: 'x', country: 'DK' }, 'body.country'],
  ];
  for (const [payload, path] of bad) {
    const body = problem(t, await a.as({ method: 'POST', url: '/api/v1/venues', payload }), 400, 'validation-failed');
    t.ok(paths(body).includes(path), `${path} in ${JSON.stringify(body.errors)}`);
    const patch = problem(t, await a.as({ method: 'PATCH', url: `/api/v1/venues/${venue.id}`, payload: { ...payload, name: payload.name ?? ' ' } }), 400, 'validation-failed');
    t.ok(paths(patch).length > 0);
  }
  problem(t, await a.as({ method: 'POST', url: '/api/v1/venues', payload: '{"name":', headers: { 'content-type': 'application/json' } }), 400, 'invalid-json');
  problem(t, await a.as({ method: 'PATCH', url: `/api/v1/venues/${venue.id}`, payload: 'nope', headers: { 'content-type': 'application/json' } }), 400, 'invalid-json');
  const idTooLong = problem(t, await a.app.inject({ url: `/api/v1/venues/${'x'.repeat(65)}` }), 400, 'validation-failed');
  t.same(paths(idTooLong), ['params.id']);

  t.same(ok(t, await a.app.inject({ url: '/api/v1/venues' })).data, [venue], 'only the first venue exists, unchanged');
});

t.test('writes need a token', async (t) => {
  const a = await makeApp(t);
  const venue = ok(t, await a.as({ method: 'POST', url: '/api/v1/venues', payload: odense }), 201);
  for (const headers of [{}, { authorization: 'Bearer na_bogus' }, { authorization: 'Basic dXNlcjpwYXNz' }]) {
    problem(t, await a.app.inject({ method: 'POST', url: '/api/v1/venues', payload: { name: 'x' }, headers }), 401, 'unauthorized');
    problem(t, await a.app.inject({ method: 'PATCH', url: `/api/v1/venues/${venue.id}`, payload: { name: 'x' }, headers }), 401, 'unauthorized');
    problem(t, await a.app.inject({ method: 'DELETE', url: `/api/v1/venues/${venue.id}`, headers }), 401, 'unauthorized');
  }
  t.same(ok(t, await a.app.inject({ url: '/api/v1/venues' })).data, [venue]);
});

t.test('unknown venues are 404', async (t) => {
  const a = await makeApp(t);
  const body = problem(t, await a.app.inject({ url: '/api/v1/venues/ven_nope' }), 404, 'not-found');
  t.match(body.detail, /ven_nope/);
  problem(t, await a.as({ method: 'PATCH', url: '/api/v1/venues/ven_nope', payload: { name: 'x' } }), 404, 'not-found');
  problem(t, await a.as({ method: 'DELETE', url: '/api/v1/venues/ven_nope' }), 404, 'not-found');
  t.same(ok(t, await a.app.inject({ url: '/api/v1/venues' })).data, []);
});

t.test('a venue in use by a meeting or as a network default cannot be deleted', async (t) => {
  const a = await makeApp(t);
  const used = ok(t, await a.as({ method: 'POST', url: '/api/v1/venues', payload: odense }), 201);
  const dflt = ok(t, await a.as({ method: 'POST', url: '/api/v1/venues', payload: { name: 'Default' } }), 201);
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'net', name: 'Net', defaultVenueId: dflt.id } }), 201);
  const meeting = ok(
    t,
    await a.as({
      method: 'POST',
      url: '/api/v1/networks/net/meetings',
      payload: { title: 'Møde', date: '2019-09-11', startTime: '10:00', venueId: used.id },
    }),
    201,
  );
  t.equal(meeting.venue.id, used.id);

  const c1 = problem(t, await a.as({ method: 'DELETE', url: `/api/v1/venues/${used.id}` }), 409, 'venue-in-use');
  t.match(c1.detail, used.id);
  problem(t, await a.as({ method: 'DELETE', url: `/api/v1/venues/${dflt.id}` }), 409, 'venue-in-use');
  t.same(ok(t, await a.app.inject({ url: `/api/v1/venues/${used.id}` })), used);
  t.same(ok(t, await a.app.inject({ url: `/api/v1/venues/${dflt.id}` })), dflt);

  // Free them and deletion works.
  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/meetings/${meeting.id}`, payload: { venueId: null } }));
  ok(t, await a.as({ method: 'PATCH', url: '/api/v1/networks/net', payload: { defaultVenueId: null } }));
  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/venues/${used.id}` })).statusCode, 204);
  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/venues/${dflt.id}` })).statusCode, 204);
  t.same(ok(t, await a.app.inject({ url: '/api/v1/venues' })).data, []);
});
