// Networks: /api/v1/networks and /api/v1/networks/{slug}.
import t, { type Test } from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { makeApp, type TestApp, ok } from './helpers.js';

const problem = (t: Test, res: LightMyRequestResponse, status: number, code: string) => {
  t.equal(res.statusCode, status, `status ${status}`, { body: res.body.slice(0, 500) });
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  const body = res.json();
  t.equal(body.code, code);
  t.equal(body.status, status);
  t.equal(body.type, `https://netagenda.dk/problems/${code}`);
  return body;
};
const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);

const full = {
  slug: 'kl-netvaerk-2019',
  name: 'KL netværk',
  description: 'Beskrivelse',
  purpose: 'Formål',
  organiser: { name: 'KL', email: 'mfs@kl.dk', phone: '3370 3370', address: 'Weidekampsgade 10' },
  seasonStart: '2019-09-11',
  seasonEnd: '2020-06-03',
  timeZone: 'Europe/Copenhagen',
  standardMeetingMinutes: 300,
};

/** A venue of the network (a network's default venue is one of its own). */
async function withVenue(a: TestApp, slug: string) {
  const res = await a.as({ method: 'POST', url: `/api/v1/networks/${slug}/venues`, payload: { name: 'Odense Congress Center', city: 'Odense' } });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json().id as string;
}

t.test('create, read, list, update and delete a network', async (t) => {
  const a = await makeApp(t);
  const empty = ok(t, await a.app.inject({ url: '/api/v1/networks' }));
  t.same(empty, { data: [], nextCursor: null });

  // A new network has no venues, so no default venue on create: the venue is made under it, then set.
  const refused = problem(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { ...full, defaultVenueId: 'ven_x' } }), 400, 'validation-failed');
  t.same(paths(refused), ['body.defaultVenueId']);
  t.same(ok(t, await a.app.inject({ url: '/api/v1/networks' })).data, [], 'the refused create left nothing');
  const bare = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: full }), 201);
  t.equal(bare.defaultVenueId, null);
  t.match(bare.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  t.equal(bare.createdAt, bare.updatedAt);
  const venueId = await withVenue(a, full.slug);
  const created = ok(t, await a.as({ method: 'PATCH', url: `/api/v1/networks/${full.slug}`, payload: { defaultVenueId: venueId } }));
  t.match(created, {
    slug: 'kl-netvaerk-2019',
    name: 'KL netværk',
    description: 'Beskrivelse',
    purpose: 'Formål',
    organiser: { name: 'KL', email: 'mfs@kl.dk', phone: '3370 3370', address: 'Weidekampsgade 10' },
    seasonStart: '2019-09-11',
    seasonEnd: '2020-06-03',
    timeZone: 'Europe/Copenhagen',
    standardMeetingMinutes: 300,
    defaultVenueId: venueId,
    feeds: {
      meetings: {
        https: 'http://127.0.0.1:3000/feeds/networks/kl-netvaerk-2019.ics',
        webcal: 'webcal://127.0.0.1:3000/feeds/networks/kl-netvaerk-2019.ics',
      },
    },
  });
  t.equal(created.createdAt, bare.createdAt);
  t.ok(created.updatedAt >= bare.updatedAt);

  // Public read, no token needed.
  const read = ok(t, await a.app.inject({ url: '/api/v1/networks/kl-netvaerk-2019' }));
  t.same(read, created);
  const list = ok(t, await a.app.inject({ url: '/api/v1/networks' }));
  t.same(list, { data: [created], nextCursor: null });

  // Minimal network gets the documented defaults.
  const minimal = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'abc', name: 'Lille' } }), 201);
  t.match(minimal, {
    slug: 'abc',
    description: '',
    purpose: '',
    organiser: { name: '', email: null, phone: null, address: null },
    seasonStart: null,
    seasonEnd: null,
    timeZone: 'Europe/Copenhagen',
    standardMeetingMinutes: 360,
    defaultVenueId: null,
  });

  const patched = ok(
    t,
    await a.as({
      method: 'PATCH',
      url: '/api/v1/networks/kl-netvaerk-2019',
      payload: { name: 'Nyt navn', organiser: { email: null, phone: '1234' }, defaultVenueId: null, seasonEnd: null },
    }),
  );
  t.match(patched, {
    slug: 'kl-netvaerk-2019',
    name: 'Nyt navn',
    organiser: { name: 'KL', email: null, phone: '1234', address: 'Weidekampsgade 10' },
    defaultVenueId: null,
    seasonStart: '2019-09-11',
    seasonEnd: null,
    standardMeetingMinutes: 300,
  });
  t.ok(patched.updatedAt >= created.updatedAt);
  t.same(ok(t, await a.app.inject({ url: '/api/v1/networks/kl-netvaerk-2019' })), patched);

  // An empty patch changes nothing but the timestamp.
  const same = ok(t, await a.as({ method: 'PATCH', url: '/api/v1/networks/abc', payload: {} }));
  t.equal(same.name, 'Lille');

  const del = await a.as({ method: 'DELETE', url: '/api/v1/networks/kl-netvaerk-2019' });
  t.equal(del.statusCode, 204);
  t.equal(del.body, '');
  problem(t, await a.app.inject({ url: '/api/v1/networks/kl-netvaerk-2019' }), 404, 'not-found');
  // Its venue went with it.
  problem(t, await a.app.inject({ url: `/api/v1/venues/${venueId}` }), 404, 'not-found');
  t.same(ok(t, await a.app.inject({ url: '/api/v1/venues' })).data, []);
  const after = ok(t, await a.app.inject({ url: '/api/v1/networks' }));
  t.same(after.data.map((n: { slug: string }) => n.slug), ['abc']);
  // Trailing slashes are ignored.
  ok(t, await a.app.inject({ url: '/api/v1/networks/abc/' }));
});

t.test('validation failures name the field and change nothing', async (t) => {
  const a = await makeApp(t);
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: full }), 201);
  const before = (await a.app.inject({ url: '/api/v1/networks' })).json();

  const bad: [string, Record<string, unknown>, string][] = [
    ['slug with capitals', { ...full, slug: 'KL-Netvaerk' }, 'body.slug'],
    ['slug too short', { ...full, slug: 'ab' }, 'body.slug'],
    ['slug with double hyphen', { ...full, slug: 'a--b' }, 'body.slug'],
    ['missing name', { slug: 'no-name' }, 'body.name'],
    ['blank name', { slug: 'blank-name', name: '   ' }, 'body.name'],
    ['control characters', { slug: 'ctl', name: 'a\u0000b' }, 'body.name'],
    ['bad date', { slug: 'bad-date', name: 'x', seasonStart: '2019-02-30' }, 'body.seasonStart'],
    ['bad date format', { slug: 'bad-date', name: 'x', seasonEnd: '11-09-2019' }, 'body.seasonEnd'],
    ['bad zone', { slug: 'bad-zone', name: 'x', timeZone: 'Mars/Olympus' }, 'body.timeZone'],
    ['zone without slash', { slug: 'bad-zone', name: 'x', timeZone: 'CET' }, 'body.timeZone'],
    ['too short meetings', { slug: 'short', name: 'x', standardMeetingMinutes: 5 }, 'body.standardMeetingMinutes'],
    ['fractional minutes', { slug: 'short', name: 'x', standardMeetingMinutes: 60.5 }, 'body.standardMeetingMinutes'],
    ['bad organiser email', { slug: 'mail', name: 'x', organiser: { email: 'not-an-email' } }, 'body.organiser.email'],
    ['unknown organiser field', { slug: 'mail', name: 'x', organiser: { fax: '1' } }, 'body.organiser.fax'],
    ['unknown field', { slug: 'extra', name: 'x', colour: 'red' }, 'body.colour'],
    ['name too long', { slug: 'long', name: 'x'.repeat(201) }, 'body.name'],
  ];
  for (const [what, payload, path] of bad) {
    const body = problem(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload }), 400, 'validation-failed');
    t.ok(paths(body).includes(path), `${what}: ${path} in ${JSON.stringify(body.errors)}`);
  }

  const season = problem(
    t,
    await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'season', name: 'x', seasonStart: '2020-01-01', seasonEnd: '2019-12-31' } }),
    400,
    'invalid-season',
  );
  t.same(paths(season), ['body.seasonEnd']);
  // The default venue is not set on create (the network has no venues yet): an unknown field.
  const venue = problem(
    t,
    await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'venue', name: 'x', defaultVenueId: 'ven_nope' } }),
    400,
    'validation-failed',
  );
  t.same(paths(venue), ['body.defaultVenueId']);

  const json = await a.as({
    method: 'POST',
    url: '/api/v1/networks',
    payload: '{"slug": "broken", ',
    headers: { 'content-type': 'application/json' },
  });
  problem(t, json, 400, 'invalid-json');

  t.same((await a.app.inject({ url: '/api/v1/networks' })).json(), before, 'no refused create left anything behind');

  // Refused patches leave the network as it was.
  const url = '/api/v1/networks/kl-netvaerk-2019';
  const current = (await a.app.inject({ url })).json();
  const slugChange = problem(t, await a.as({ method: 'PATCH', url, payload: { slug: 'new-slug' } }), 400, 'validation-failed');
  t.same(paths(slugChange), ['body.slug'], 'the slug never changes');
  problem(t, await a.as({ method: 'PATCH', url, payload: { seasonStart: '2020-07-01' } }), 400, 'invalid-season');
  problem(t, await a.as({ method: 'PATCH', url, payload: { seasonEnd: '2019-01-01' } }), 400, 'invalid-season');
  const missingVenue = problem(t, await a.as({ method: 'PATCH', url, payload: { defaultVenueId: 'ven_nope' } }), 400, 'unknown-venue');
  t.same(paths(missingVenue), ['body.defaultVenueId']);
  // Another network's venue is as unknown as a missing one.
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'andet', name: 'Andet' } }), 201);
  const foreignVenue = await withVenue(a, 'andet');
  const foreign = problem(t, await a.as({ method: 'PATCH', url, payload: { defaultVenueId: foreignVenue } }), 400, 'unknown-venue');
  t.same(paths(foreign), ['body.defaultVenueId']);
  problem(t, await a.as({ method: 'PATCH', url, payload: { name: '' } }), 400, 'validation-failed');
  problem(t, await a.as({ method: 'PATCH', url, payload: '[', headers: { 'content-type': 'application/json' } }), 400, 'invalid-json');
  t.same((await a.app.inject({ url })).json(), current);

  const longSlug = problem(t, await a.app.inject({ url: `/api/v1/networks/${'a'.repeat(101)}` }), 400, 'validation-failed');
  t.same(paths(longSlug), ['params.slug']);
});

t.test('writes need a token', async (t) => {
  const a = await makeApp(t);
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: full }), 201);
  const url = '/api/v1/networks/kl-netvaerk-2019';
  const before = (await a.app.inject({ url })).json();
  for (const headers of [{}, { authorization: 'Bearer na_not-a-real-token' }]) {
    problem(t, await a.app.inject({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'other', name: 'x' }, headers }), 401, 'unauthorized');
    problem(t, await a.app.inject({ method: 'PATCH', url, payload: { name: 'hacked' }, headers }), 401, 'unauthorized');
    problem(t, await a.app.inject({ method: 'DELETE', url, headers }), 401, 'unauthorized');
  }
  t.same((await a.app.inject({ url })).json(), before);
  problem(t, await a.app.inject({ url: '/api/v1/networks/other' }), 404, 'not-found');
});

t.test('unknown networks are 404', async (t) => {
  const a = await makeApp(t);
  const body = problem(t, await a.app.inject({ url: '/api/v1/networks/nope' }), 404, 'not-found');
  t.match(body.detail, /nope/);
  problem(t, await a.as({ method: 'PATCH', url: '/api/v1/networks/nope', payload: { name: 'x' } }), 404, 'not-found');
  problem(t, await a.as({ method: 'DELETE', url: '/api/v1/networks/nope' }), 404, 'not-found');
  t.same((await a.app.inject({ url: '/api/v1/networks' })).json().data, []);
});

t.test('conflicts: slug taken, network not empty', async (t) => {
  const a = await makeApp(t);
  const first = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: full }), 201);
  const taken = problem(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: full.slug, name: 'Other' } }), 409, 'slug-taken');
  t.match(taken.detail, full.slug);
  t.same((await a.app.inject({ url: `/api/v1/networks/${full.slug}` })).json(), first, 'first network unchanged');
  t.equal((await a.app.inject({ url: '/api/v1/networks' })).json().data.length, 1);

  // A network with a meeting cannot be deleted.
  const meeting = ok(
    t,
    await a.as({ method: 'POST', url: `/api/v1/networks/${full.slug}/meetings`, payload: { title: 'Møde', date: '2019-09-11', startTime: '10:00' } }),
    201,
  );
  problem(t, await a.as({ method: 'DELETE', url: `/api/v1/networks/${full.slug}` }), 409, 'network-not-empty');
  ok(t, await a.app.inject({ url: `/api/v1/networks/${full.slug}` }));
  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/meetings/${meeting.id}` })).statusCode, 204);

  // A theme alone also keeps it.
  ok(t, await a.as({ method: 'POST', url: `/api/v1/networks/${full.slug}/themes`, payload: { key: 'aktuelt', name: 'Aktuelt' } }), 201);
  problem(t, await a.as({ method: 'DELETE', url: `/api/v1/networks/${full.slug}` }), 409, 'network-not-empty');
  ok(t, await a.app.inject({ url: `/api/v1/networks/${full.slug}` }));
  t.equal((await a.app.inject({ url: `/api/v1/networks/${full.slug}/themes` })).json().data.length, 1);

  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/networks/${full.slug}/themes/aktuelt` })).statusCode, 204);

  // A participant alone also keeps it (personal data is never deleted along with a network).
  const participant = ok(t, await a.as({ method: 'POST', url: `/api/v1/networks/${full.slug}/participants`, payload: { name: 'Åse Ørsted', email: 'aase@kl.dk' } }), 201);
  problem(t, await a.as({ method: 'DELETE', url: `/api/v1/networks/${full.slug}` }), 409, 'network-not-empty');
  ok(t, await a.app.inject({ url: `/api/v1/networks/${full.slug}` }));
  t.equal(participant.networkSlug, full.slug);
  t.equal(ok(t, await a.as({ url: `/api/v1/participants/${participant.id}` })).participant.id, participant.id, 'the participant is still there');
  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/participants/${participant.id}` })).statusCode, 204);

  // Its venues (even the default) and speakers do not keep it: they go with it; other networks' stay.
  const venueId = await withVenue(a, full.slug);
  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/networks/${full.slug}`, payload: { defaultVenueId: venueId } }));
  const speaker = ok(t, await a.as({ method: 'POST', url: `/api/v1/networks/${full.slug}/speakers`, payload: { name: 'Hanne' } }), 201);
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'andet', name: 'Andet' } }), 201);
  const otherVenue = await withVenue(a, 'andet');
  const otherSpeaker = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/andet/speakers', payload: { name: 'Anna' } }), 201);

  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/networks/${full.slug}` })).statusCode, 204);
  problem(t, await a.app.inject({ url: `/api/v1/networks/${full.slug}` }), 404, 'not-found');
  problem(t, await a.app.inject({ url: `/api/v1/venues/${venueId}` }), 404, 'not-found');
  problem(t, await a.app.inject({ url: `/api/v1/speakers/${speaker.id}` }), 404, 'not-found');
  t.same(ok(t, await a.app.inject({ url: '/api/v1/venues' })).data.map((v: { id: string }) => v.id), [otherVenue]);
  t.same(ok(t, await a.app.inject({ url: '/api/v1/speakers' })).data.map((s: { id: string }) => s.id), [otherSpeaker.id]);
});
