// Venues: /api/v1/networks/{slug}/venues, /api/v1/venues and /api/v1/venues/{id}. Each venue belongs to one
// network: only that network's tokens (and admins) change it, and only that network's meetings use it.
import t from 'tap';
import { tokenNetworks } from '../db/schema.js';
import { createToken } from '../server/auth/tokens.js';
import { venueAddress } from '../server/venues/venues.schemas.js';
import { makeApp, ok, problem, type TestApp } from './helpers.js';

const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);

const odense = {
  name: 'Odense Congress Center',
  streetAddress: 'Ørbækvej 350',
  postalCode: '5220',
  city: 'Odense SØ',
  latitude: 55.3836,
  longitude: 10.4266,
};

async function network(t: Parameters<typeof ok>[0], a: TestApp, slug = 'net') {
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug, name: `Netværk ${slug}` } }), 201);
  return `/api/v1/networks/${slug}/venues`;
}

/** A token of this role scoped to these networks, as an authorization header. */
function tokenFor(a: TestApp, role: 'coordinator' | 'reader', ...slugs: string[]) {
  const { token, raw } = createToken(a.app.db, { name: `${role}-${slugs.join('-')}`, role });
  for (const networkSlug of slugs) a.app.db.insert(tokenNetworks).values({ tokenId: token.id, networkSlug }).run();
  return { authorization: `Bearer ${raw}` };
}

t.test('create, read, list, update and delete a venue', async (t) => {
  const a = await makeApp(t);
  t.same(ok(t, await a.app.inject({ url: '/api/v1/venues' })), { data: [], nextCursor: null });
  const venues = await network(t, a);
  t.same(ok(t, await a.app.inject({ url: venues })), { data: [], nextCursor: null });

  // The old network-less route is gone: a venue is created under its network.
  problem(t, await a.as({ method: 'POST', url: '/api/v1/venues', payload: odense }), 404, 'route-not-found');
  t.same(ok(t, await a.app.inject({ url: '/api/v1/venues' })).data, [], 'nothing created by the old route');
  problem(t, await a.as({ method: 'POST', url: '/api/v1/networks/nope/venues', payload: odense }), 404, 'not-found');

  const created = ok(t, await a.as({ method: 'POST', url: venues, payload: odense }), 201);
  t.match(created, { ...odense, id: /^ven_/, networkSlug: 'net' });
  t.match(created.createdAt, /Z$/);

  const minimal = ok(t, await a.as({ method: 'POST', url: venues, payload: { name: 'Aarhus' } }), 201);
  t.match(minimal, { name: 'Aarhus', streetAddress: '', postalCode: '', city: '', latitude: null, longitude: null, networkSlug: 'net' });

  t.same(ok(t, await a.app.inject({ url: `/api/v1/venues/${created.id}` })), created);
  const list = ok(t, await a.app.inject({ url: '/api/v1/venues' }));
  t.same(list.data.map((v: { name: string }) => v.name), ['Aarhus', 'Odense Congress Center'], 'sorted by name');
  t.equal(list.nextCursor, null);
  t.same(ok(t, await a.app.inject({ url: venues })), list, 'the network lists the same venues');
  t.same(ok(t, await a.app.inject({ url: '/api/v1/venues?network=net' })), list, '?network= filters to the same');

  // Another network's venues are listed apart.
  const otherVenues = await network(t, a, 'andet');
  const other = ok(t, await a.as({ method: 'POST', url: otherVenues, payload: { name: 'Bella Center' } }), 201);
  t.equal(other.networkSlug, 'andet');
  t.same(ok(t, await a.app.inject({ url: venues })).data.map((v: { id: string }) => v.id), [minimal.id, created.id]);
  t.same(ok(t, await a.app.inject({ url: otherVenues })).data.map((v: { id: string }) => v.id), [other.id]);
  t.same(ok(t, await a.app.inject({ url: '/api/v1/venues?network=andet' })).data.map((v: { id: string }) => v.id), [other.id]);
  t.same(ok(t, await a.app.inject({ url: '/api/v1/venues?network=ingen' })).data, []);
  t.same(ok(t, await a.app.inject({ url: '/api/v1/venues' })).data.map((v: { name: string }) => v.name), ['Aarhus', 'Bella Center', 'Odense Congress Center']);
  problem(t, await a.app.inject({ url: '/api/v1/networks/nope/venues' }), 404, 'not-found');

  const patched = ok(t, await a.as({ method: 'PATCH', url: `/api/v1/venues/${created.id}`, payload: { city: 'Odense', latitude: null } }));
  t.match(patched, { ...odense, city: 'Odense', latitude: null, id: created.id, networkSlug: 'net' });
  t.same(ok(t, await a.app.inject({ url: `/api/v1/venues/${created.id}` })), patched);

  const del = await a.as({ method: 'DELETE', url: `/api/v1/venues/${created.id}` });
  t.equal(del.statusCode, 204);
  t.equal(del.body, '');
  problem(t, await a.app.inject({ url: `/api/v1/venues/${created.id}` }), 404, 'not-found');
  t.same(ok(t, await a.app.inject({ url: venues })).data.map((v: { id: string }) => v.id), [minimal.id]);
  t.same(ok(t, await a.app.inject({ url: '/api/v1/venues' })).data.map((v: { id: string }) => v.id), [minimal.id, other.id]);
});

t.test('venueAddress joins the parts once', async (t) => {
  t.equal(venueAddress(odense), 'Odense Congress Center, Ørbækvej 350, 5220 Odense SØ');
  t.equal(venueAddress({ name: 'Odense', streetAddress: '', postalCode: '', city: 'Odense' }), 'Odense');
});

t.test('validation failures name the field and change nothing', async (t) => {
  const a = await makeApp(t);
  const venues = await network(t, a);
  const venue = ok(t, await a.as({ method: 'POST', url: venues, payload: odense }), 201);
  const bad: [Record<string, unknown>, string][] = [
    [{}, 'body.name'],
    [{ name: ' ' }, 'body.name'],
    [{ name: 'x', latitude: 91 }, 'body.latitude'],
    [{ name: 'x', longitude: -181 }, 'body.longitude'],
    [{ name: 'x', latitude: 'north' }, 'body.latitude'],
    [{ name: 'x', postalCode: '1'.repeat(21) }, 'body.postalCode'],
    [{ name: 'x', city: 7 }, 'body.city'],
    [{ name: 'x', country: 'DK' }, 'body.country'],
    [{ name: 'x', networkSlug: 'andet' }, 'body.networkSlug'],
  ];
  for (const [payload, path] of bad) {
    const body = problem(t, await a.as({ method: 'POST', url: venues, payload }), 400, 'validation-failed');
    t.ok(paths(body).includes(path), `${path} in ${JSON.stringify(body.errors)}`);
    const patch = problem(t, await a.as({ method: 'PATCH', url: `/api/v1/venues/${venue.id}`, payload: { ...payload, name: payload.name ?? ' ' } }), 400, 'validation-failed');
    t.ok(paths(patch).length > 0);
  }
  problem(t, await a.as({ method: 'POST', url: venues, payload: '{"name":', headers: { 'content-type': 'application/json' } }), 400, 'invalid-json');
  problem(t, await a.as({ method: 'PATCH', url: `/api/v1/venues/${venue.id}`, payload: 'nope', headers: { 'content-type': 'application/json' } }), 400, 'invalid-json');
  const idTooLong = problem(t, await a.app.inject({ url: `/api/v1/venues/${'x'.repeat(65)}` }), 400, 'validation-failed');
  t.same(paths(idTooLong), ['params.id']);

  t.same(ok(t, await a.app.inject({ url: '/api/v1/venues' })).data, [venue], 'only the first venue exists, unchanged');
});

t.test('writes need a token of the venue’s network', async (t) => {
  const a = await makeApp(t);
  const venues = await network(t, a);
  const otherVenues = await network(t, a, 'andet');
  const venue = ok(t, await a.as({ method: 'POST', url: venues, payload: odense }), 201);
  for (const headers of [{}, { authorization: 'Bearer na_bogus' }, { authorization: 'Basic dXNlcjpwYXNz' }]) {
    problem(t, await a.app.inject({ method: 'POST', url: venues, payload: { name: 'x' }, headers }), 401, 'unauthorized');
    problem(t, await a.app.inject({ method: 'PATCH', url: `/api/v1/venues/${venue.id}`, payload: { name: 'x' }, headers }), 401, 'unauthorized');
    problem(t, await a.app.inject({ method: 'DELETE', url: `/api/v1/venues/${venue.id}`, headers }), 401, 'unauthorized');
  }
  // A reader of the network and a coordinator of another network may not write.
  for (const headers of [tokenFor(a, 'reader', 'net'), tokenFor(a, 'coordinator', 'andet')]) {
    problem(t, await a.app.inject({ method: 'POST', url: venues, payload: { name: 'x' }, headers }), 403, 'forbidden');
    problem(t, await a.app.inject({ method: 'PATCH', url: `/api/v1/venues/${venue.id}`, payload: { name: 'x' }, headers }), 403, 'forbidden');
    problem(t, await a.app.inject({ method: 'DELETE', url: `/api/v1/venues/${venue.id}`, headers }), 403, 'forbidden');
  }
  t.same(ok(t, await a.app.inject({ url: '/api/v1/venues' })).data, [venue], 'no refused write changed anything');

  // A coordinator of the venue's network may.
  const own = tokenFor(a, 'coordinator', 'net');
  const mine = ok(t, await a.app.inject({ method: 'POST', url: venues, payload: { name: 'Vejle' }, headers: own }), 201);
  t.equal(mine.networkSlug, 'net');
  t.equal(ok(t, await a.app.inject({ method: 'PATCH', url: `/api/v1/venues/${venue.id}`, payload: { city: 'Odense' }, headers: own })).city, 'Odense');
  t.equal((await a.app.inject({ method: 'DELETE', url: `/api/v1/venues/${mine.id}`, headers: own })).statusCode, 204);
  problem(t, await a.app.inject({ method: 'POST', url: otherVenues, payload: { name: 'x' }, headers: own }), 403, 'forbidden');
  t.same(ok(t, await a.app.inject({ url: otherVenues })).data, []);
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
  // A new network has no venues: defaultVenueId is refused on create and set once the venue exists.
  problem(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'net', name: 'Net', defaultVenueId: 'ven_x' } }), 400, 'validation-failed');
  const venues = await network(t, a);
  const used = ok(t, await a.as({ method: 'POST', url: venues, payload: odense }), 201);
  const dflt = ok(t, await a.as({ method: 'POST', url: venues, payload: { name: 'Default' } }), 201);
  t.equal(ok(t, await a.as({ method: 'PATCH', url: '/api/v1/networks/net', payload: { defaultVenueId: dflt.id } })).defaultVenueId, dflt.id);
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

t.test('a network’s meetings and default use only its own venues', async (t) => {
  const a = await makeApp(t);
  const venues = await network(t, a);
  const otherVenues = await network(t, a, 'andet');
  const mine = ok(t, await a.as({ method: 'POST', url: venues, payload: odense }), 201);
  const theirs = ok(t, await a.as({ method: 'POST', url: otherVenues, payload: { name: 'Bella Center' } }), 201);
  const meetingIn = { title: 'Møde', date: '2019-09-11', startTime: '10:00' };

  // Another network's venue is as unknown as a missing one, for meetings and for the network's default.
  for (const venueId of [theirs.id, 'ven_nope']) {
    const created = problem(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/meetings', payload: { ...meetingIn, venueId } }), 400, 'unknown-venue');
    t.same(paths(created), ['body.venueId']);
    const dflt = problem(t, await a.as({ method: 'PATCH', url: '/api/v1/networks/net', payload: { defaultVenueId: venueId } }), 400, 'unknown-venue');
    t.same(paths(dflt), ['body.defaultVenueId']);
  }
  t.same(ok(t, await a.as({ url: '/api/v1/networks/net/meetings' })).data, [], 'no meeting was created');
  t.equal(ok(t, await a.app.inject({ url: '/api/v1/networks/net' })).defaultVenueId, null, 'the default is unchanged');

  const meeting = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/meetings', payload: { ...meetingIn, venueId: mine.id } }), 201);
  t.equal(meeting.venue.id, mine.id);
  problem(t, await a.as({ method: 'PATCH', url: `/api/v1/meetings/${meeting.id}`, payload: { venueId: theirs.id } }), 400, 'unknown-venue');
  t.equal(ok(t, await a.as({ url: `/api/v1/meetings/${meeting.id}` })).venue.id, mine.id, 'the meeting keeps its venue');

  // The other network's own meetings and default may use it.
  t.equal(ok(t, await a.as({ method: 'PATCH', url: '/api/v1/networks/andet', payload: { defaultVenueId: theirs.id } })).defaultVenueId, theirs.id);
  const theirMeeting = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/andet/meetings', payload: meetingIn }), 201);
  t.equal(theirMeeting.venue.id, theirs.id, 'a new meeting gets the network’s default venue');
});
