// Meetings: /api/v1/networks/{slug}/meetings and /api/v1/meetings/{id}.
import t from 'tap';
import { makeApp, type TestApp, ok, problem } from './helpers.js';

const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);

/** Network 'net' with its own venue as the default (the venue is made under the network, then set). */
async function network(a: TestApp, extra: Record<string, unknown> = {}, slug = 'net') {
  const created = await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug, name: 'Net', ...extra } });
  if (created.statusCode !== 201) throw new Error(created.body);
  const venue = (await a.as({ method: 'POST', url: `/api/v1/networks/${slug}/venues`, payload: { name: 'Odense', city: 'Odense' } })).json();
  const res = await a.as({ method: 'PATCH', url: `/api/v1/networks/${slug}`, payload: { defaultVenueId: venue.id } });
  if (res.statusCode !== 200) throw new Error(res.body);
  return { venue, network: res.json() };
}
const createMeeting = (a: TestApp, payload: Record<string, unknown>) =>
  a.as({ method: 'POST', url: '/api/v1/networks/net/meetings', payload });

t.test('create with network defaults, read, list, update, delete', async (t) => {
  const a = await makeApp(t);
  const { venue } = await network(a);

  const m = ok(t, await createMeeting(a, { title: 'Netværksmøde', date: '2019-09-11', startTime: '10:00' }), 201);
  t.match(m, {
    id: /^mtg_/,
    networkSlug: 'net',
    title: 'Netværksmøde',
    date: '2019-09-11',
    startTime: '10:00',
    endTime: '16:00', // start + the network's 360 standard minutes
    timeZone: 'Europe/Copenhagen',
    durationMinutes: 360,
    status: 'draft',
    description: '',
    capacity: null,
    venueId: venue.id,
    venue: { id: venue.id, name: 'Odense', city: 'Odense' },
    start: { local: '2019-09-11T10:00', timeZone: 'Europe/Copenhagen', offset: '2019-09-11T10:00:00+02:00', utc: '2019-09-11T08:00:00Z' },
    end: { local: '2019-09-11T16:00', offset: '2019-09-11T16:00:00+02:00', utc: '2019-09-11T14:00:00Z' },
    feeds: {
      meeting: { https: `http://127.0.0.1:3000/feeds/meetings/${m.id}.ics`, webcal: `webcal://127.0.0.1:3000/feeds/meetings/${m.id}.ics` },
      meetingWithItems: { https: `http://127.0.0.1:3000/feeds/meetings/${m.id}.ics?items=1` },
    },
  });

  const explicit = ok(
    t,
    await createMeeting(a, {
      title: 'Sommermøde',
      date: '2020-06-03',
      startTime: '09:30',
      endTime: '15:00',
      timeZone: 'Europe/London',
      venueId: null,
      status: 'announced',
      description: 'Om sommeren',
      capacity: 80,
    }),
    201,
  );
  t.match(explicit, {
    endTime: '15:00',
    timeZone: 'Europe/London',
    durationMinutes: 330,
    venueId: null,
    venue: null,
    status: 'announced',
    description: 'Om sommeren',
    capacity: 80,
    start: { utc: '2020-06-03T08:30:00Z', offset: '2020-06-03T09:30:00+01:00' },
  });

  t.same(ok(t, await a.as({ url: `/api/v1/meetings/${m.id}` })), m);
  const list = ok(t, await a.as({ url: '/api/v1/networks/net/meetings' }));
  t.same(list.data.map((x: { id: string }) => x.id), [m.id, explicit.id], 'in date order');
  t.equal(list.nextCursor, null);

  const patched = ok(
    t,
    await a.as({ method: 'PATCH', url: `/api/v1/meetings/${m.id}`, payload: { title: 'Nyt', endTime: '17:00', status: 'announced', capacity: null } }),
  );
  t.match(patched, { title: 'Nyt', endTime: '17:00', durationMinutes: 420, status: 'announced', capacity: null, end: { utc: '2019-09-11T15:00:00Z' } });
  t.same(ok(t, await a.app.inject({ url: `/api/v1/meetings/${m.id}` })), patched, 'announced is public');

  const moved = ok(t, await a.as({ method: 'PATCH', url: `/api/v1/meetings/${m.id}`, payload: { date: '2020-01-16', timeZone: 'America/New_York' } }));
  t.match(moved, { date: '2020-01-16', timeZone: 'America/New_York', start: { utc: '2020-01-16T15:00:00Z' } });

  const del = await a.as({ method: 'DELETE', url: `/api/v1/meetings/${m.id}` });
  t.equal(del.statusCode, 204);
  t.equal(del.body, '');
  problem(t, await a.as({ url: `/api/v1/meetings/${m.id}` }), 404, 'not-found');
  t.same(ok(t, await a.as({ url: '/api/v1/networks/net/meetings' })).data.map((x: { id: string }) => x.id), [explicit.id]);
});

t.test('validation failures name the field and change nothing', async (t) => {
  const a = await makeApp(t);
  await network(a);
  const base = { title: 'Møde', date: '2019-09-11', startTime: '10:00' };
  const m = ok(t, await createMeeting(a, base), 201);

  const bad: [Record<string, unknown>, string][] = [
    [{ ...base, title: '' }, 'body.title'],
    [{ date: '2019-09-11', startTime: '10:00' }, 'body.title'],
    [{ ...base, date: '2019-02-29' }, 'body.date'],
    [{ ...base, date: '2019-9-11' }, 'body.date'],
    [{ ...base, startTime: '24:00' }, 'body.startTime'],
    [{ ...base, startTime: '9:00' }, 'body.startTime'],
    [{ ...base, endTime: '16:60' }, 'body.endTime'],
    [{ ...base, timeZone: 'Europe/Odense' }, 'body.timeZone'],
    [{ ...base, status: 'published' }, 'body.status'],
    [{ ...base, capacity: 0 }, 'body.capacity'],
    [{ ...base, capacity: 1.5 }, 'body.capacity'],
    [{ ...base, location: 'Odense' }, 'body.location'],
  ];
  for (const [payload, path] of bad) {
    const body = problem(t, await createMeeting(a, payload), 400, 'validation-failed');
    t.ok(paths(body).includes(path), `${path} in ${JSON.stringify(body.errors)}`);
  }
  const range = problem(t, await createMeeting(a, { ...base, endTime: '10:00' }), 400, 'invalid-time-range');
  t.same(paths(range), ['body.endTime']);
  const midnight = problem(t, await createMeeting(a, { ...base, startTime: '20:00' }), 400, 'invalid-time-range');
  t.same(paths(midnight), ['body.endTime'], 'start plus the standard length passes midnight');
  const venue = problem(t, await createMeeting(a, { ...base, venueId: 'ven_nope' }), 400, 'unknown-venue');
  t.same(paths(venue), ['body.venueId']);
  // Another network's venue is as unknown as a missing one.
  const { venue: foreignVenue } = await network(a, {}, 'andet');
  const foreign = problem(t, await createMeeting(a, { ...base, venueId: foreignVenue.id }), 400, 'unknown-venue');
  t.same(paths(foreign), ['body.venueId']);
  problem(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/meetings', payload: '{', headers: { 'content-type': 'application/json' } }), 400, 'invalid-json');
  t.same(ok(t, await a.as({ url: '/api/v1/networks/net/meetings' })).data, [m], 'nothing was created');

  const url = `/api/v1/meetings/${m.id}`;
  problem(t, await a.as({ method: 'PATCH', url, payload: { startTime: '16:00' } }), 400, 'invalid-time-range');
  problem(t, await a.as({ method: 'PATCH', url, payload: { endTime: '09:00' } }), 400, 'invalid-time-range');
  problem(t, await a.as({ method: 'PATCH', url, payload: { venueId: 'ven_nope' } }), 400, 'unknown-venue');
  problem(t, await a.as({ method: 'PATCH', url, payload: { venueId: foreignVenue.id } }), 400, 'unknown-venue');
  problem(t, await a.as({ method: 'PATCH', url, payload: { date: '2020-03-29', startTime: '02:30', endTime: '05:00' } }), 400, 'nonexistent-local-time');
  const unknownField = problem(t, await a.as({ method: 'PATCH', url, payload: { networkSlug: 'other' } }), 400, 'validation-failed');
  t.same(paths(unknownField), ['body.networkSlug']);
  problem(t, await a.as({ method: 'PATCH', url, payload: { status: 'gone' } }), 400, 'validation-failed');
  problem(t, await a.as({ method: 'PATCH', url, payload: '{"a":1,}', headers: { 'content-type': 'application/json' } }), 400, 'invalid-json');
  t.same(ok(t, await a.as({ url })), m, 'the meeting is unchanged');
});

t.test('writes need a token', async (t) => {
  const a = await makeApp(t);
  await network(a);
  const m = ok(t, await createMeeting(a, { title: 'Møde', date: '2019-09-11', startTime: '10:00', status: 'announced' }), 201);
  for (const headers of [{}, { authorization: 'Bearer na_wrong' }]) {
    problem(t, await a.app.inject({ method: 'POST', url: '/api/v1/networks/net/meetings', payload: { title: 'x', date: '2019-09-12', startTime: '10:00' }, headers }), 401, 'unauthorized');
    problem(t, await a.app.inject({ method: 'PATCH', url: `/api/v1/meetings/${m.id}`, payload: { title: 'x' }, headers }), 401, 'unauthorized');
    problem(t, await a.app.inject({ method: 'DELETE', url: `/api/v1/meetings/${m.id}`, headers }), 401, 'unauthorized');
  }
  t.same(ok(t, await a.app.inject({ url: '/api/v1/networks/net/meetings' })).data, [m]);
});

t.test('unknown networks and meetings are 404', async (t) => {
  const a = await makeApp(t);
  await network(a);
  problem(t, await a.app.inject({ url: '/api/v1/networks/nope/meetings' }), 404, 'not-found');
  problem(t, await a.as({ method: 'POST', url: '/api/v1/networks/nope/meetings', payload: { title: 'x', date: '2019-09-11', startTime: '10:00' } }), 404, 'not-found');
  problem(t, await a.as({ url: '/api/v1/meetings/mtg_nope' }), 404, 'not-found');
  problem(t, await a.as({ method: 'PATCH', url: '/api/v1/meetings/mtg_nope', payload: { title: 'x' } }), 404, 'not-found');
  problem(t, await a.as({ method: 'DELETE', url: '/api/v1/meetings/mtg_nope' }), 404, 'not-found');
  t.same(ok(t, await a.as({ url: '/api/v1/networks/net/meetings' })).data, []);
});

t.test('drafts are visible only with a token; announced and cancelled are public', async (t) => {
  const a = await makeApp(t);
  await network(a);
  const draft = ok(t, await createMeeting(a, { title: 'Kladde', date: '2019-09-11', startTime: '10:00' }), 201);
  const announced = ok(t, await createMeeting(a, { title: 'Annonceret', date: '2020-01-16', startTime: '10:00', status: 'announced' }), 201);
  const cancelled = ok(t, await createMeeting(a, { title: 'Aflyst', date: '2020-06-03', startTime: '10:00', status: 'cancelled' }), 201);

  problem(t, await a.app.inject({ url: `/api/v1/meetings/${draft.id}` }), 404, 'not-found');
  t.same(ok(t, await a.as({ url: `/api/v1/meetings/${draft.id}` })), draft);
  t.same(ok(t, await a.app.inject({ url: `/api/v1/meetings/${announced.id}` })), announced);
  t.same(ok(t, await a.app.inject({ url: `/api/v1/meetings/${cancelled.id}` })), cancelled);

  const pub = ok(t, await a.app.inject({ url: '/api/v1/networks/net/meetings' }));
  t.same(pub.data.map((m: { id: string }) => m.id), [announced.id, cancelled.id]);
  const priv = ok(t, await a.as({ url: '/api/v1/networks/net/meetings' }));
  t.same(priv.data.map((m: { id: string }) => m.id), [draft.id, announced.id, cancelled.id]);
  t.same(ok(t, await a.app.inject({ url: '/api/v1/networks/net/meetings?status=draft' })).data, [], 'status=draft does not reveal drafts');

  // Publishing makes it public; drafting again hides it.
  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/meetings/${draft.id}`, payload: { status: 'announced' } }));
  ok(t, await a.app.inject({ url: `/api/v1/meetings/${draft.id}` }));
  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/meetings/${draft.id}`, payload: { status: 'draft' } }));
  problem(t, await a.app.inject({ url: `/api/v1/meetings/${draft.id}` }), 404, 'not-found');
});

t.test('shrinking the hours past agenda items is a conflict', async (t) => {
  const a = await makeApp(t);
  await network(a);
  const m = ok(t, await createMeeting(a, { title: 'Møde', date: '2019-09-11', startTime: '10:00', endTime: '16:00' }), 201);
  const early = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { startTime: '10:00', endTime: '10:30', title: 'Velkomst', kind: 'welcome' } }), 201);
  const late = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { startTime: '15:00', endTime: '16:00', title: 'Sparring', kind: 'peer-sparring' } }), 201);
  const url = `/api/v1/meetings/${m.id}`;

  const c1 = problem(t, await a.as({ method: 'PATCH', url, payload: { startTime: '10:15' } }), 409, 'items-outside-meeting');
  t.same(c1.items, [early.id]);
  const c2 = problem(t, await a.as({ method: 'PATCH', url, payload: { endTime: '15:30' } }), 409, 'items-outside-meeting');
  t.same(c2.items, [late.id]);
  const c3 = problem(t, await a.as({ method: 'PATCH', url, payload: { startTime: '11:00', endTime: '14:00' } }), 409, 'items-outside-meeting');
  t.same([...c3.items].sort(), [early.id, late.id].sort());
  t.same(ok(t, await a.as({ url })), m, 'meeting unchanged');

  // Growing the hours, or changing other fields, is fine.
  ok(t, await a.as({ method: 'PATCH', url, payload: { startTime: '09:00', endTime: '17:00' } }));
  ok(t, await a.as({ method: 'PATCH', url, payload: { title: 'Stadig møde' } }));
  ok(t, await a.as({ method: 'PATCH', url, payload: { startTime: '10:00', endTime: '16:00' } }), 200);
});

t.test('deleting a meeting removes its tracks and items', async (t) => {
  const a = await makeApp(t);
  await network(a);
  const m = ok(t, await createMeeting(a, { title: 'Møde', date: '2019-09-11', startTime: '10:00' }), 201);
  const other = ok(t, await createMeeting(a, { title: 'Andet', date: '2019-09-12', startTime: '10:00' }), 201);
  const track = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/tracks`, payload: { name: 'Spor A' } }), 201);
  const otherTrack = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${other.id}/tracks`, payload: { name: 'Spor B' } }), 201);
  const item = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { trackId: track.id, startTime: '11:00', endTime: '12:00', title: 'Oplæg', kind: 'presentation' } }), 201);
  const plenary = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { startTime: '10:00', endTime: '11:00', title: 'Velkomst', kind: 'welcome' } }), 201);
  const otherItem = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${other.id}/items`, payload: { startTime: '10:00', endTime: '11:00', title: 'Velkomst', kind: 'welcome' } }), 201);

  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/meetings/${m.id}` })).statusCode, 204);
  problem(t, await a.as({ url: `/api/v1/meetings/${m.id}` }), 404, 'not-found');
  problem(t, await a.as({ url: `/api/v1/meetings/${m.id}/tracks` }), 404, 'not-found');
  problem(t, await a.as({ url: `/api/v1/meetings/${m.id}/items` }), 404, 'not-found');
  problem(t, await a.as({ url: `/api/v1/meetings/${m.id}/agenda` }), 404, 'not-found');
  problem(t, await a.as({ url: `/api/v1/tracks/${track.id}` }), 404, 'not-found');
  problem(t, await a.as({ url: `/api/v1/items/${item.id}` }), 404, 'not-found');
  problem(t, await a.as({ url: `/api/v1/items/${plenary.id}` }), 404, 'not-found');
  ok(t, await a.as({ url: `/api/v1/tracks/${otherTrack.id}` }));
  t.same(ok(t, await a.as({ url: `/api/v1/items/${otherItem.id}` })), otherItem, 'other meetings are untouched');
});
