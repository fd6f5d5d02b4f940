// Cursor pagination on every list route (the flat lists of venues, speakers and participants and the
// per-network ones), and the list filters of meetings and items.
import t, { type Test } from 'tap';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { makeApp, type TestApp, ok, problem } from './helpers.js';

type Inject = (opts: InjectOptions) => Promise<LightMyRequestResponse>;
type Row = { id?: string; slug?: string };
const idOf = (r: Row) => r.id ?? r.slug!;
const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Reads every page of a list; `between` runs after each page (to write while a client pages). */
async function pageAll(t: Test, inject: Inject, url: string, limit: number, between?: (page: number) => Promise<void>) {
  const seen: string[] = [];
  const sizes: number[] = [];
  let next: string | null = null;
  let page = 0;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const body = ok(t, await inject({ url: `${url}${sep}limit=${limit}${next ? `&cursor=${encodeURIComponent(next)}` : ''}` }));
    sizes.push(body.data.length);
    seen.push(...body.data.map(idOf));
    next = body.nextCursor;
    t.ok(next === null || typeof next === 'string');
    page += 1;
    if (between) await between(page);
    if (page > 50) throw new Error('runaway paging');
  } while (next !== null);
  return { seen, sizes };
}

/** Pages with several limits and compares with the single full page: no duplicates, no gaps. */
async function checkPaging(t: Test, inject: Inject, url: string, expected: string[]) {
  const sep = url.includes('?') ? '&' : '?';
  const all = ok(t, await inject({ url: `${url}${sep}limit=200` }));
  t.same(all.data.map(idOf), expected, `${url}: the full list`);
  t.equal(all.nextCursor, null);
  for (const limit of [1, 2, 3, expected.length]) {
    const { seen, sizes } = await pageAll(t, inject, url, limit);
    t.same(seen, expected, `${url} limit=${limit}: same rows, same order`);
    t.equal(new Set(seen).size, seen.length, 'no duplicates');
    t.ok(sizes.slice(0, -1).every((s) => s === limit), 'full pages until the last');
    t.equal(sizes.length, Math.max(1, Math.ceil(expected.length / limit)), 'nextCursor is null on the last page');
  }
}

async function network(a: TestApp) {
  await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'net', name: 'Net' } });
}

/** A token of this role acting in these networks, as an inject function. */
async function scoped(t: Test, a: TestApp, role: 'coordinator' | 'reader', networks: string[]): Promise<Inject> {
  const created = ok(t, await a.as({ method: 'POST', url: '/api/v1/tokens', payload: { name: `${role} ${networks.join(',')}`, role, networks } }), 201);
  const authorization = `Bearer ${created.secret}`;
  return (opts) => a.app.inject({ ...opts, headers: { ...(opts.headers ?? {}), authorization } });
}

/** Creates rows under a network and returns them; participants need an e-mail address. */
let serial = 0;
async function createIn(t: Test, a: TestApp, slug: string, kind: 'venues' | 'speakers' | 'participants', names: string[]) {
  const out: { id: string; name: string }[] = [];
  for (const name of names) {
    serial += 1;
    const payload = kind === 'participants' ? { name, email: `p${serial}@${slug}.dk` } : { name };
    out.push(ok(t, await a.as({ method: 'POST', url: `/api/v1/networks/${slug}/${kind}`, payload }), 201));
  }
  return out;
}

const byNameId = (x: { name: string; id: string }, y: { name: string; id: string }) =>
  x.name === y.name ? (x.id < y.id ? -1 : 1) : x.name < y.name ? -1 : 1;
const ordered = (rows: { name: string; id: string }[]) => [...rows].sort(byNameId).map((r) => r.id);

t.test('networks, venues, speakers, participants, themes page without duplicates or gaps', async (t) => {
  const a = await makeApp(t);
  const pub = a.app.inject.bind(a.app);
  const slugs = ['net-g', 'net-c', 'net-a', 'net-f', 'net-b', 'net-e', 'net-d'];
  for (const slug of slugs) ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug, name: slug } }), 201);
  await checkPaging(t, pub, '/api/v1/networks', [...slugs].sort());

  const names = ['Vejle', 'Aarhus', 'Odense', 'Aalborg', 'Kolding', 'Esbjerg', 'Odense']; // a duplicate name: the id breaks the tie
  // A second network's rows interleave by name: the per-network lists and ?network= leave them out.
  const others = ['Skive', 'Aabenraa', 'Odense'];

  // Venues and speakers are public: every list pages the same with and without a token.
  for (const kind of ['venues', 'speakers'] as const) {
    const own = await createIn(t, a, 'net-a', kind, names);
    const other = await createIn(t, a, 'net-b', kind, others);
    t.ok(own.every((r) => (r as { networkSlug?: string }).networkSlug === 'net-a'), `${kind} belong to their network`);
    for (const inject of [pub, a.as]) {
      await checkPaging(t, inject, `/api/v1/${kind}`, ordered([...own, ...other]));
      await checkPaging(t, inject, `/api/v1/${kind}?network=net-a`, ordered(own));
      await checkPaging(t, inject, `/api/v1/${kind}?network=net-b`, ordered(other));
      await checkPaging(t, inject, `/api/v1/networks/net-a/${kind}`, ordered(own));
      await checkPaging(t, inject, `/api/v1/networks/net-b/${kind}`, ordered(other));
      t.same(ok(t, await inject({ url: `/api/v1/networks/net-c/${kind}` })).data, [], `a network without ${kind}`);
      t.same(ok(t, await inject({ url: `/api/v1/${kind}?network=net-c` })).data, []);
    }
    problem(t, await pub({ url: `/api/v1/networks/nope/${kind}` }), 404, 'not-found');
  }

  // Participants: token holders only; a network's token pages its own participants, an admin everyone's.
  const own = await createIn(t, a, 'net-a', 'participants', names);
  const other = await createIn(t, a, 'net-b', 'participants', others);
  await checkPaging(t, a.as, '/api/v1/participants', ordered([...own, ...other]));
  await checkPaging(t, a.as, '/api/v1/participants?network=net-a', ordered(own));
  await checkPaging(t, a.as, '/api/v1/networks/net-a/participants', ordered(own));
  await checkPaging(t, a.as, '/api/v1/networks/net-b/participants', ordered(other));
  t.same(ok(t, await a.as({ url: '/api/v1/networks/net-c/participants' })).data, []);
  for (const role of ['coordinator', 'reader'] as const) {
    const inject = await scoped(t, a, role, ['net-a']);
    await checkPaging(t, inject, '/api/v1/participants', ordered(own));
    await checkPaging(t, inject, '/api/v1/networks/net-a/participants', ordered(own));
    problem(t, await inject({ url: '/api/v1/networks/net-b/participants' }), 403, 'forbidden');
  }
  const both = await scoped(t, a, 'coordinator', ['net-a', 'net-b']);
  await checkPaging(t, both, '/api/v1/participants', ordered([...own, ...other]));
  await checkPaging(t, both, '/api/v1/participants?network=net-b', ordered(other));
  problem(t, await pub({ url: '/api/v1/participants' }), 401, 'unauthorized');
  problem(t, await pub({ url: '/api/v1/networks/net-a/participants' }), 401, 'unauthorized');

  const keys = ['g', 'c', 'a', 'f', 'b', 'e', 'd'].map((k) => `tema-${k}`);
  const themes: { id: string; key: string }[] = [];
  for (const key of keys) themes.push((await a.as({ method: 'POST', url: '/api/v1/networks/net-a/themes', payload: { key, name: key } })).json());
  await checkPaging(t, pub, '/api/v1/networks/net-a/themes', [...themes].sort((x, y) => (x.key < y.key ? -1 : 1)).map((x) => x.id));
});

t.test('rows inserted or deleted while paging cause no duplicates', async (t) => {
  const a = await makeApp(t);
  // The flat venue list, and each per-network list (in its own network, beside the rows made before it).
  const cases: [string, 'venues' | 'speakers' | 'participants', string, Inject][] = [
    ['flat-venues', 'venues', '/api/v1/venues', a.app.inject.bind(a.app)],
    ['net-venues', 'venues', '/api/v1/networks/net-venues/venues', a.app.inject.bind(a.app)],
    ['net-speakers', 'speakers', '/api/v1/networks/net-speakers/speakers', a.app.inject.bind(a.app)],
    ['net-participants', 'participants', '/api/v1/networks/net-participants/participants', a.as],
  ];
  for (const [slug, kind, url, inject] of cases) {
    ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug, name: slug } }), 201);
    const originals = await createIn(t, a, slug, kind, ['B', 'C', 'D', 'E', 'F', 'G', 'H']);
    const added: string[] = [];
    const { seen } = await pageAll(t, inject, url, 2, async (page) => {
      if (page === 1) {
        // One before the cursor (never shown on this pass), one after it (shown once).
        added.push(...(await createIn(t, a, slug, kind, ['A', 'Z'])).map((r) => r.id));
      }
      if (page === 2) {
        // Delete one not yet served: it simply does not appear.
        t.equal((await a.as({ method: 'DELETE', url: `/api/v1/${kind}/${originals[6]!.id}` })).statusCode, 204);
      }
    });
    t.equal(new Set(seen).size, seen.length, `${url}: no duplicates`);
    t.same(seen, [...originals.slice(0, 6).map((v) => v.id), added[1]], `${url}: every original once, the late row after the cursor, none twice`);
  }

  await network(a);
  const mk = (date: string) =>
    a.as({ method: 'POST', url: '/api/v1/networks/net/meetings', payload: { title: date, date, startTime: '10:00', status: 'announced' } });
  const meetings = [];
  for (const date of ['2019-09-11', '2019-10-01', '2019-11-01', '2020-01-16', '2020-03-01']) meetings.push((await mk(date)).json().id);
  const late: string[] = [];
  const result = await pageAll(t, a.app.inject.bind(a.app), '/api/v1/networks/net/meetings', 2, async (page) => {
    if (page === 1) {
      await mk('2019-01-01'); // before the cursor
      late.push((await mk('2020-06-03')).json().id);
    }
  });
  t.same(result.seen, [...meetings, ...late]);
});

t.test('meetings page by date and filter by from, to and status', async (t) => {
  const a = await makeApp(t);
  await network(a);
  const specs: [string, string, string][] = [
    ['2020-06-03', '10:00', 'announced'],
    ['2019-09-11', '13:00', 'draft'],
    ['2019-09-11', '09:00', 'announced'],
    ['2020-01-16', '10:00', 'cancelled'],
    ['2019-12-01', '10:00', 'draft'],
    ['2020-03-01', '10:00', 'announced'],
    ['2020-01-16', '10:00', 'announced'],
  ];
  const meetings: { id: string; date: string; startTime: string; status: string }[] = [];
  for (const [date, startTime, status] of specs) {
    meetings.push((await a.as({ method: 'POST', url: '/api/v1/networks/net/meetings', payload: { title: `${date} ${startTime}`, date, startTime, endTime: '16:00', status } })).json());
  }
  const sorted = [...meetings].sort((x, y) =>
    x.date !== y.date ? (x.date < y.date ? -1 : 1) : x.startTime !== y.startTime ? (x.startTime < y.startTime ? -1 : 1) : x.id < y.id ? -1 : 1,
  );
  const url = '/api/v1/networks/net/meetings';
  await checkPaging(t, a.as, url, sorted.map((m) => m.id));
  await checkPaging(t, a.app.inject.bind(a.app), url, sorted.filter((m) => m.status !== 'draft').map((m) => m.id));

  const pick = (f: (m: (typeof meetings)[number]) => boolean) => sorted.filter(f).map((m) => m.id);
  await checkPaging(t, a.as, `${url}?from=2019-12-01`, pick((m) => m.date >= '2019-12-01'));
  await checkPaging(t, a.as, `${url}?to=2020-01-16`, pick((m) => m.date <= '2020-01-16'));
  await checkPaging(t, a.as, `${url}?from=2019-12-01&to=2020-01-16`, pick((m) => m.date >= '2019-12-01' && m.date <= '2020-01-16'));
  await checkPaging(t, a.as, `${url}?status=draft`, pick((m) => m.status === 'draft'));
  await checkPaging(t, a.as, `${url}?status=announced&from=2020-01-01`, pick((m) => m.status === 'announced' && m.date >= '2020-01-01'));
  t.same(ok(t, await a.app.inject({ url: `${url}?status=cancelled` })).data.map((m: { id: string }) => m.id), pick((m) => m.status === 'cancelled'));
  t.same(ok(t, await a.app.inject({ url: `${url}?status=draft` })).data, [], 'drafts stay hidden without a token');
  t.same(ok(t, await a.as({ url: `${url}?from=2021-01-01` })).data, []);

  for (const q of ['from=2019-13-01', 'to=yesterday', 'status=done']) {
    const body = problem(t, await a.as({ url: `${url}?${q}` }), 400, 'validation-failed');
    t.same([...new Set(body.errors.map((e: { path: string }) => e.path))], [`querystring.${q.split('=')[0]}`]);
  }
});

t.test('items and tracks page in order and filter by track, theme and kind', async (t) => {
  const a = await makeApp(t);
  await network(a);
  for (const key of ['aktuelt', 'sparring']) await a.as({ method: 'POST', url: '/api/v1/networks/net/themes', payload: { key, name: key } });
  const meeting = (await a.as({ method: 'POST', url: '/api/v1/networks/net/meetings', payload: { title: 'Møde', date: '2019-09-11', startTime: '10:00', status: 'announced' } })).json();
  const tracks = [];
  for (let i = 0; i < 7; i++) {
    tracks.push((await a.as({ method: 'POST', url: `/api/v1/meetings/${meeting.id}/tracks`, payload: { name: `Spor ${i}`, sortOrder: i % 3 } })).json());
  }
  const trackOrder = [...tracks]
    .sort((x, y) => (x.sortOrder !== y.sortOrder ? x.sortOrder - y.sortOrder : x.id < y.id ? -1 : 1))
    .map((x) => x.id);
  await checkPaging(t, a.as, `/api/v1/meetings/${meeting.id}/tracks`, trackOrder);

  const [ta, tb] = [tracks[0]!.id, tracks[1]!.id];
  const specs: Record<string, unknown>[] = [
    { startTime: '13:00', endTime: '14:00', kind: 'discussion', themes: ['aktuelt', 'sparring'] },
    { startTime: '10:00', endTime: '10:30', kind: 'welcome' },
    { trackId: ta, startTime: '11:00', endTime: '12:00', kind: 'workshop', themes: ['sparring'] },
    { trackId: tb, startTime: '11:00', endTime: '12:00', kind: 'workshop', themes: ['aktuelt'] },
    { startTime: '10:30', endTime: '11:00', kind: 'presentation', themes: ['aktuelt'] },
    { trackId: ta, startTime: '12:00', endTime: '13:00', kind: 'peer-sparring', themes: ['sparring'] },
    { trackId: tb, startTime: '12:00', endTime: '13:00', kind: 'lunch' },
  ];
  const items: { id: string; startTime: string; trackId: string | null; kind: string; themes: { key: string }[] }[] = [];
  for (const [i, spec] of specs.entries()) {
    const res = await a.as({ method: 'POST', url: `/api/v1/meetings/${meeting.id}/items`, payload: { title: `Punkt ${i}`, ...spec } });
    t.equal(res.statusCode, 201, res.body);
    items.push(res.json());
  }
  const sorted = [...items].sort((x, y) => (x.startTime !== y.startTime ? (x.startTime < y.startTime ? -1 : 1) : x.id < y.id ? -1 : 1));
  const pick = (f: (i: (typeof items)[number]) => boolean) => sorted.filter(f).map((i) => i.id);
  const url = `/api/v1/meetings/${meeting.id}/items`;
  await checkPaging(t, a.as, url, pick(() => true));
  await checkPaging(t, a.as, `${url}?track=plenary`, pick((i) => i.trackId === null));
  await checkPaging(t, a.as, `${url}?track=${ta}`, pick((i) => i.trackId === ta));
  await checkPaging(t, a.as, `${url}?theme=aktuelt`, pick((i) => i.themes.some((x) => x.key === 'aktuelt')));
  await checkPaging(t, a.as, `${url}?kind=workshop`, pick((i) => i.kind === 'workshop'));
  await checkPaging(t, a.as, `${url}?track=${tb}&theme=aktuelt&kind=workshop`, pick((i) => i.trackId === tb && i.kind === 'workshop'));
  t.same(ok(t, await a.as({ url: `${url}?theme=findes-ikke` })).data, []);
  t.same(ok(t, await a.as({ url: `${url}?track=trk_nope` })).data, []);

  // The public, released view pages and filters the same way.
  ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${meeting.id}/releases`, payload: {} }), 201);
  const pub = a.app.inject.bind(a.app);
  await checkPaging(t, pub, `/api/v1/meetings/${meeting.id}/tracks`, trackOrder);
  await checkPaging(t, pub, url, pick(() => true));
  await checkPaging(t, pub, `${url}?track=plenary`, pick((i) => i.trackId === null));
  await checkPaging(t, pub, `${url}?track=${ta}`, pick((i) => i.trackId === ta));
  await checkPaging(t, pub, `${url}?theme=sparring`, pick((i) => i.themes.some((x) => x.key === 'sparring')));
  await checkPaging(t, pub, `${url}?kind=lunch`, pick((i) => i.kind === 'lunch'));

  // Adding an item while paging: no duplicates, the late one appears once.
  const late: string[] = [];
  const { seen } = await pageAll(t, a.as, url, 3, async (page) => {
    if (page === 1) {
      const res = await a.as({ method: 'POST', url, payload: { startTime: '14:00', endTime: '15:00', title: 'Sent', kind: 'other' } });
      t.equal(res.statusCode, 201, res.body);
      late.push(res.json().id);
    }
  });
  t.same(seen, [...pick(() => true), ...late]);
});

t.test('bad cursors and limits are refused on every list', async (t) => {
  const a = await makeApp(t);
  await network(a);
  await a.as({ method: 'POST', url: '/api/v1/networks/net/themes', payload: { key: 'aktuelt', name: 'Aktuelt' } });
  const meeting = (await a.as({ method: 'POST', url: '/api/v1/networks/net/meetings', payload: { title: 'Møde', date: '2019-09-11', startTime: '10:00', status: 'announced' } })).json();
  await a.as({ method: 'POST', url: `/api/v1/meetings/${meeting.id}/releases`, payload: {} });
  // Something in each per-network list, so a cursor is decoded against real rows.
  await createIn(t, a, 'net', 'venues', ['Odense']);
  await createIn(t, a, 'net', 'speakers', ['Anna']);
  await createIn(t, a, 'net', 'participants', ['Bo']);
  const coordinator = await scoped(t, a, 'coordinator', ['net']);
  // [url, public]: participants are for token holders only (anonymous: 401 before any cursor is read).
  const lists: [string, boolean][] = [
    ['/api/v1/networks', true],
    ['/api/v1/venues', true],
    ['/api/v1/venues?network=net', true],
    ['/api/v1/networks/net/venues', true],
    ['/api/v1/speakers', true],
    ['/api/v1/speakers?network=net', true],
    ['/api/v1/networks/net/speakers', true],
    ['/api/v1/participants', false],
    ['/api/v1/participants?network=net', false],
    ['/api/v1/networks/net/participants', false],
    ['/api/v1/networks/net/meetings', true],
    ['/api/v1/networks/net/themes', true],
    [`/api/v1/meetings/${meeting.id}/tracks`, true],
    [`/api/v1/meetings/${meeting.id}/items`, true],
  ];
  const garbage = ['garbage', '', cursor(['a', 'b', 'c', 'd']), cursor({ a: 1 }), cursor([null]), Buffer.from('{"x"').toString('base64url')];
  for (const [url, isPublic] of lists) {
    const sep = url.includes('?') ? '&' : '?';
    const pub = a.app.inject.bind(a.app);
    for (const inject of isPublic ? [a.as, pub] : [a.as, coordinator]) {
      for (const c of garbage) {
        const body = problem(t, await inject({ url: `${url}${sep}cursor=${encodeURIComponent(c)}` }), 400, 'invalid-cursor');
        t.same(body.errors, [{ path: 'querystring.cursor', message: 'invalid cursor' }], `${url} cursor=${c}`);
      }
    }
    if (!isPublic) problem(t, await pub({ url: `${url}${sep}cursor=garbage` }), 401, 'unauthorized');
    for (const limit of ['0', '201', 'abc', '2.5', '-1']) {
      const body = problem(t, await a.as({ url: `${url}${sep}limit=${limit}` }), 400, 'validation-failed');
      t.same(body.errors.map((e: { path: string }) => e.path), ['querystring.limit'], `${url} limit=${limit}`);
    }
    const long = problem(t, await a.as({ url: `${url}${sep}cursor=${'x'.repeat(1001)}` }), 400, 'validation-failed');
    t.same(long.errors.map((e: { path: string }) => e.path), ['querystring.cursor']);
    // The default page size is 50.
    t.equal(ok(t, await a.as({ url })).nextCursor, null);
  }
});
