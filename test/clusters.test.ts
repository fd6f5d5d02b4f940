// Clusters (klynger): the proposal function on its own, then propose / confirm / read / rename through
// the API: /api/v1/networks/{slug}/clusters[/propose] and /api/v1/clusters/{id}.
import t, { type Test } from 'tap';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { MUNICIPALITIES } from '../db/municipalities.js';
import { PROGRAMME_SLUG } from '../db/seed-data.js';
import { tokenNetworks } from '../db/schema.js';
import { createToken } from '../server/auth/tokens.js';
import { danishList, proposeClusters, splittable, type Proposal, type ProposalMember } from '../server/clusters/cluster-proposal.js';
import { proposeByTravel } from '../server/clusters/travel-proposal.js';
import { locateTownHall } from '../server/clusters/clusters.repository.js';
import { makeApp, type TestApp, ok } from './helpers.js';

const problem = (t: Test, res: LightMyRequestResponse, status: number, code: string) => {
  t.equal(res.statusCode, status, `status ${status}`, { body: res.body.slice(0, 500) });
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  const body = res.json();
  t.equal(body.code, code);
  return body;
};
const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);

const HOVEDSTADEN = 'Region Hovedstaden';
const SJAELLAND = 'Region Sjælland';
const SYDDANMARK = 'Region Syddanmark';
const MIDTJYLLAND = 'Region Midtjylland';
const NORDJYLLAND = 'Region Nordjylland';

/** The first n municipalities of a region, by code. */
const of = (region: string, n: number): ProposalMember[] =>
  MUNICIPALITIES.filter((m) => m.region === region)
    .sort((a, b) => a.code - b.code)
    .slice(0, n);

const sizes = (p: Proposal) => p.clusters.map((c) => c.size);
const singleRegion = (p: Proposal) => p.clusters.filter((c) => c.regions.length === 1).length;

/** Every member in exactly one cluster, each cluster's facts consistent, names numbered in order. */
function checkShape(t: Test, p: Proposal, members: ProposalMember[]) {
  const placed = p.clusters.flatMap((c) => c.municipalities.map((m) => m.code));
  t.same([...placed].sort((a, b) => a - b), members.map((m) => m.code).sort((a, b) => a - b), 'every member exactly once');
  p.clusters.forEach((c, i) => {
    t.equal(c.size, c.municipalities.length);
    t.same(c.regions, [...new Set(c.municipalities.map((m) => m.region))].sort((a, b) => regionRank(members, a) - regionRank(members, b)));
    t.equal(c.name, `Klynge ${i + 1} – ${danishList(c.regions)}`);
    t.same(c.municipalities.map((m) => m.code), c.municipalities.map((m) => m.code).sort((a, b) => a - b), 'by code within a region block');
  });
}
const regionRank = (members: ProposalMember[], region: string) => Math.min(...members.filter((m) => m.region === region).map((m) => m.code));

function withinBounds(t: Test, p: Proposal) {
  t.ok(p.clusters.every((c) => c.size >= p.minSize && c.size <= p.maxSize), `sizes ${sizes(p).join(',')} within ${p.minSize}–${p.maxSize}`);
  t.same(p.problems, []);
}

t.test('proposal: 6 members', async (t) => {
  const one = of(HOVEDSTADEN, 6);
  const p = proposeClusters(one, 6, 8);
  checkShape(t, p, one);
  withinBounds(t, p);
  t.same(p.clusters.map((c) => c.name), ['Klynge 1 – Region Hovedstaden']);
  t.same(p.notes, []);
  t.match(p, { minSize: 6, maxSize: 8 });

  // Six from two regions: they must share a cluster, and the proposal says so.
  const two = [...of(SJAELLAND, 3), ...of(HOVEDSTADEN, 3)];
  const q = proposeClusters(two, 6, 8);
  checkShape(t, q, two);
  withinBounds(t, q);
  t.same(q.clusters.map((c) => c.name), ['Klynge 1 – Region Hovedstaden og Region Sjælland']);
  t.same(q.clusters[0]!.regions, [HOVEDSTADEN, SJAELLAND]);
  t.same(q.notes, [
    'Region Hovedstaden (3 members) cannot be split into clusters of 6–8 within the region',
    'Region Sjælland (3 members) cannot be split into clusters of 6–8 within the region',
    'Klynge 1 – Region Hovedstaden og Region Sjælland mixes regions: Region Hovedstaden (3), Region Sjælland (3)',
  ]);
});

t.test('proposal: 13 members', async (t) => {
  const oneRegion = of(SYDDANMARK, 13);
  const p = proposeClusters(oneRegion, 6, 8);
  checkShape(t, p, oneRegion);
  withinBounds(t, p);
  t.same(sizes(p), [7, 6], 'as even as possible');
  t.equal(singleRegion(p), 2);
  t.same(p.notes, []);

  const twoRegions = [...of(MIDTJYLLAND, 6), ...of(SYDDANMARK, 7)];
  const q = proposeClusters(twoRegions, 6, 8);
  checkShape(t, q, twoRegions);
  withinBounds(t, q);
  t.same(q.clusters.map((c) => [c.name, c.size]), [['Klynge 1 – Region Syddanmark', 7], ['Klynge 2 – Region Midtjylland', 6]]);
  t.same(q.notes, []);
});

t.test('proposal: 20 members', async (t) => {
  // Hovedstaden 9 and Sjælland 3 cannot be split on their own; Syddanmark 8 can.
  const members = [...of(HOVEDSTADEN, 9), ...of(SJAELLAND, 3), ...of(SYDDANMARK, 8)];
  const p = proposeClusters(members, 6, 8);
  checkShape(t, p, members);
  withinBounds(t, p);
  t.same(p.clusters.map((c) => [c.name, c.size]), [
    ['Klynge 1 – Region Hovedstaden', 6],
    ['Klynge 2 – Region Hovedstaden og Region Sjælland', 6],
    ['Klynge 3 – Region Syddanmark', 8],
  ]);
  t.equal(singleRegion(p), 2);
  t.same(p.clusters[1]!.municipalities.map((m) => m.region), [HOVEDSTADEN, HOVEDSTADEN, HOVEDSTADEN, SJAELLAND, SJAELLAND, SJAELLAND]);
  t.same(p.notes, [
    'Region Hovedstaden (9 members) cannot be split into clusters of 6–8 within the region',
    'Region Sjælland (3 members) cannot be split into clusters of 6–8 within the region',
    'Klynge 2 – Region Hovedstaden og Region Sjælland mixes regions: Region Hovedstaden (3), Region Sjælland (3)',
  ]);

  // Twenty from one region: 7, 7, 6.
  const one = of(HOVEDSTADEN, 20);
  const q = proposeClusters(one, 6, 8);
  withinBounds(t, q);
  t.same(sizes(q), [7, 7, 6]);
  t.equal(singleRegion(q), 3);
});

t.test('proposal: all 98 municipalities with their real regions', async (t) => {
  const p = proposeClusters(MUNICIPALITIES, 6, 8);
  checkShape(t, p, [...MUNICIPALITIES]);
  withinBounds(t, p);
  t.equal(p.clusters.length, 14);
  t.equal(singleRegion(p), 13, 'all but one cluster keep to one region');
  const perRegion = (region: string) => p.clusters.filter((c) => c.regions.length === 1 && c.regions[0] === region).map((c) => c.size);
  t.same(perRegion(HOVEDSTADEN), [8, 7, 7, 7], 'Hovedstaden (29) on its own');
  t.same(perRegion(SYDDANMARK), [8, 7, 7], 'Syddanmark (22) on its own');
  t.same(perRegion(MIDTJYLLAND), [7, 6, 6], 'Midtjylland (19) on its own');
  // Sjælland (17) and Nordjylland (11) cannot be split on their own; they share exactly one cluster.
  t.same(perRegion(SJAELLAND), [7, 7]);
  t.same(perRegion(NORDJYLLAND), [7]);
  const mixed = p.clusters.filter((c) => c.regions.length > 1);
  t.equal(mixed.length, 1);
  t.match(mixed[0], { name: 'Klynge 7 – Region Sjælland og Region Nordjylland', size: 7, regions: [SJAELLAND, NORDJYLLAND] });
  t.same(p.notes, [
    'Region Sjælland (17 members) cannot be split into clusters of 6–8 within the region',
    'Region Nordjylland (11 members) cannot be split into clusters of 6–8 within the region',
    'Klynge 7 – Region Sjælland og Region Nordjylland mixes regions: Region Sjælland (3), Region Nordjylland (4)',
  ]);
  t.same(p.clusters[0]!.municipalities.slice(0, 2), [
    { code: 101, name: 'København', region: HOVEDSTADEN },
    { code: 147, name: 'Frederiksberg', region: HOVEDSTADEN },
  ]);
  // Bornholm (400) belongs to Hovedstaden, Ærø (492) to Syddanmark, whatever their codes' neighbours.
  const clusterOf = (code: number) => p.clusters.find((c) => c.municipalities.some((m) => m.code === code))!;
  t.same(clusterOf(400).regions, [HOVEDSTADEN]);
  t.same(clusterOf(492).regions, [SYDDANMARK]);
  // The order of the input does not matter.
  t.same(proposeClusters([...MUNICIPALITIES].reverse(), 6, 8), p);
});

t.test('proposal: impossible cases give the nearest grouping and say what is wrong', async (t) => {
  const five = of(NORDJYLLAND, 5);
  const p5 = proposeClusters(five, 6, 8);
  checkShape(t, p5, five);
  t.same(sizes(p5), [5]);
  t.same(p5.problems, [{ cluster: 'Klynge 1 – Region Nordjylland', size: 5, message: 'Klynge 1 – Region Nordjylland has 5 members, 1 fewer than the minimum of 6' }]);
  t.ok(p5.notes.includes('5 active members cannot be split into clusters of 6–8; this is the nearest grouping'));
  t.ok(p5.notes.includes(p5.problems[0]!.message), 'the problem is among the notes');

  const nine = [...of(HOVEDSTADEN, 5), ...of(SJAELLAND, 4)];
  const p9 = proposeClusters(nine, 6, 8);
  checkShape(t, p9, nine);
  t.same(sizes(p9), [9], 'one cluster one too big is nearer than two clusters too small');
  t.same(p9.problems, [
    {
      cluster: 'Klynge 1 – Region Hovedstaden og Region Sjælland',
      size: 9,
      message: 'Klynge 1 – Region Hovedstaden og Region Sjælland has 9 members, 1 more than the maximum of 8',
    },
  ]);

  const ten = of(SYDDANMARK, 10);
  t.same(proposeClusters(ten, 6, 8).problems.map((x) => x.size), [10]);
  const eleven = of(SYDDANMARK, 11);
  const p11 = proposeClusters(eleven, 6, 8);
  t.same(sizes(p11), [6, 5]);
  t.same(p11.problems, [{ cluster: 'Klynge 2 – Region Syddanmark', size: 5, message: 'Klynge 2 – Region Syddanmark has 5 members, 1 fewer than the minimum of 6' }]);

  const none = proposeClusters([], 6, 8);
  t.same(none, { clusters: [], notes: ['There are no active members to group'], problems: [], minSize: 6, maxSize: 8 });

  for (const [min, max] of [[0, 8], [6, 5], [1.5, 3], [Number.NaN, 8]] as const) {
    t.throws(() => proposeClusters(five, min, max), RangeError, `bounds ${min}–${max}`);
  }
});

t.test('proposal: a region that could stand alone joins the pool when the pool cannot be split', async (t) => {
  // Nordjylland's 4 cannot form a cluster; Hovedstaden's 14 could (7 + 7) but must help.
  const members = [...of(HOVEDSTADEN, 14), ...of(NORDJYLLAND, 4)];
  const p = proposeClusters(members, 6, 8);
  checkShape(t, p, members);
  withinBounds(t, p);
  t.same(p.clusters.map((c) => [c.name, c.size]), [
    ['Klynge 1 – Region Hovedstaden', 6],
    ['Klynge 2 – Region Hovedstaden', 6],
    ['Klynge 3 – Region Hovedstaden og Region Nordjylland', 6],
  ]);
  t.same(p.notes, [
    'Region Nordjylland (4 members) cannot be split into clusters of 6–8 within the region',
    'Region Hovedstaden (14 members) could form clusters of its own but is grouped with Region Nordjylland so that every cluster has 6–8 members',
    'Klynge 3 – Region Hovedstaden og Region Nordjylland mixes regions: Region Hovedstaden (2), Region Nordjylland (4)',
  ]);
  // Of two regions that could help, the smaller one does.
  const three = [...of(HOVEDSTADEN, 16), ...of(SJAELLAND, 4), ...of(SYDDANMARK, 8)];
  const q = proposeClusters(three, 6, 8);
  withinBounds(t, q);
  t.same(q.clusters.map((c) => c.regions), [[HOVEDSTADEN], [HOVEDSTADEN], [SJAELLAND, SYDDANMARK], [SYDDANMARK]]);
});

t.test('proposal: other bounds', async (t) => {
  const members = [...of(HOVEDSTADEN, 5), ...of(NORDJYLLAND, 4)];
  // Hovedstaden's 5 cannot be cut into 3–4; Nordjylland's 4 could, but joins: 9 = 3 + 3 + 3.
  const p = proposeClusters(members, 3, 4);
  withinBounds(t, p);
  t.same(p.clusters.map((c) => c.regions), [[HOVEDSTADEN], [HOVEDSTADEN, NORDJYLLAND], [NORDJYLLAND]]);
  const exact = proposeClusters(of(SYDDANMARK, 12), 4, 4);
  t.same(sizes(exact), [4, 4, 4]);
  t.same(proposeClusters(of(SYDDANMARK, 13), 4, 4).problems.length > 0, true, '13 cannot be cut into fours');
  t.equal(splittable(0, 6, 8), true);
  t.equal(splittable(17, 6, 8), false);
  t.equal(splittable(18, 6, 8), true);
  t.equal(danishList(['A', 'B', 'C']), 'A, B og C');
});

t.test('proposal: properties over random sets of municipalities', async (t) => {
  const codes = MUNICIPALITIES.map((m) => m.code);
  fc.assert(
    fc.property(
      fc.subarray(codes, { minLength: 1 }),
      fc.integer({ min: 2, max: 8 }),
      fc.integer({ min: 0, max: 4 }),
      (subset, min, extra) => {
        const max = min + extra;
        const members = MUNICIPALITIES.filter((m) => subset.includes(m.code));
        const p = proposeClusters(members, min, max);
        const placed = p.clusters.flatMap((c) => c.municipalities.map((m) => m.code)).sort((a, b) => a - b);
        if (placed.join() !== [...subset].sort((a, b) => a - b).join()) return false;
        const inside = p.clusters.every((c) => c.size >= min && c.size <= max);
        // Within bounds exactly when that is possible at all, and problems say so otherwise.
        if (splittable(members.length, min, max) !== inside) return false;
        if (inside !== (p.problems.length === 0)) return false;
        // When every region can be split on its own, no cluster mixes regions.
        const regions = [...new Set(members.map((m) => m.region))];
        const allAlone = regions.every((r) => splittable(members.filter((m) => m.region === r).length, min, max));
        return !allAlone || p.clusters.every((c) => c.regions.length === 1);
      },
    ),
    { seed: 20160601, numRuns: 300 },
  );
  t.pass('300 random sets');
});

// ---------------------------------------------------------------------------------------------------
// Through the API.

interface Fixture extends TestApp {
  coordinator: { authorization: string };
  otherCoordinator: { authorization: string };
  signUp: (slug: string, codes: number[]) => Promise<void>;
}

async function fixture(t: Test): Promise<Fixture> {
  const a = await makeApp(t, { seed: true });
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'klynger', name: 'Klynger', clusterMinSize: 6, clusterMaxSize: 8 } }), 201);
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'uden-graenser', name: 'Uden grænser' } }), 201);
  const token = (name: string, slug: string) => {
    const created = createToken(a.app.db, { name, role: 'coordinator' });
    a.app.db.insert(tokenNetworks).values({ tokenId: created.token.id, networkSlug: slug }).run();
    return { authorization: `Bearer ${created.raw}` };
  };
  const signUp = async (slug: string, codes: number[]) => {
    for (const code of codes) {
      const res = await a.as({ method: 'POST', url: `/api/v1/networks/${slug}/members?override=true`, payload: { municipalityCode: code, contact: { name: `Kontakt ${code}`, email: `k${code}@kommune.dk` } } });
      if (res.statusCode !== 201) throw new Error(`sign-up of ${code} failed: ${res.body}`);
    }
  };
  return { ...a, coordinator: token('koordinator', 'klynger'), otherCoordinator: token('anden', 'uden-graenser'), signUp };
}

const codesOf = (list: { code: number }[]) => list.map((m) => m.code);
type ApiCluster = { id: string; name: string; size: number; regions: string[]; municipalities: { code: number }[] };

t.test('propose through the API: bounds from the network or the body, coordinators and admins only', async (t) => {
  const f = await fixture(t);
  const twenty = [...of(HOVEDSTADEN, 9), ...of(SJAELLAND, 3), ...of(SYDDANMARK, 8)].map((m) => m.code);
  await f.signUp('klynger', twenty);
  await f.signUp('klynger', [851]);
  t.equal((await f.as({ method: 'DELETE', url: '/api/v1/networks/klynger/members/851' })).statusCode, 204);
  const url = '/api/v1/networks/klynger/clusters/propose';

  const proposal = ok(t, await f.app.inject({ method: 'POST', url, headers: f.coordinator }));
  t.equal(proposal.members, 20, 'active members only');
  t.match(proposal, { minSize: 6, maxSize: 8, problems: [] });
  t.same(proposal.clusters.map((c: { name: string; size: number }) => [c.name, c.size]), [
    ['Klynge 1 – Region Hovedstaden', 6],
    ['Klynge 2 – Region Hovedstaden og Region Sjælland', 6],
    ['Klynge 3 – Region Syddanmark', 8],
  ]);
  t.same(proposal.clusters[0].municipalities[0], { code: 101, name: 'København', region: HOVEDSTADEN });
  t.notMatch(JSON.stringify(proposal), /Kontakt|@kommune/, 'no contact data');
  t.same(ok(t, await f.app.inject({ method: 'POST', url, headers: f.coordinator, payload: {} })), proposal, 'an empty body is the same');
  t.same(ok(t, await f.as({ method: 'POST', url, payload: { minSize: 6, maxSize: 8 } })), proposal);

  const wide = ok(t, await f.as({ method: 'POST', url, payload: { minSize: 10, maxSize: 12 } }));
  t.match(wide, { minSize: 10, maxSize: 12 });
  t.same(wide.clusters.map((c: { size: number }) => c.size), [10, 10]);
  const bad = problem(t, await f.as({ method: 'POST', url, payload: { minSize: 9, maxSize: 4 } }), 400, 'invalid-cluster-size');
  t.same(paths(bad), ['body.maxSize']);
  problem(t, await f.as({ method: 'POST', url, payload: { minSize: 0 } }), 400, 'validation-failed');
  problem(t, await f.as({ method: 'POST', url, payload: { size: 6 } }), 400, 'validation-failed');
  t.same(ok(t, await f.as({ method: 'POST', url, payload: { maxSize: 7 } })).maxSize, 7, 'one bound from the body, the other from the network');

  // A network without bounds needs them in the body.
  const unbounded = '/api/v1/networks/uden-graenser/clusters/propose';
  const unset = problem(t, await f.as({ method: 'POST', url: unbounded }), 400, 'cluster-size-unset');
  t.same(paths(unset), ['body.minSize', 'body.maxSize']);
  t.same(paths(problem(t, await f.as({ method: 'POST', url: unbounded, payload: { minSize: 3 } }), 400, 'cluster-size-unset')), ['body.maxSize']);
  t.same(ok(t, await f.as({ method: 'POST', url: unbounded, payload: { minSize: 3, maxSize: 5 } })), {
    clusters: [],
    notes: ['There are no active members to group'],
    problems: [],
    minSize: 3,
    maxSize: 5,
    members: 0,
    // Added by the proposal by travel (issue 15).
    method: 'travel',
    wave: null,
    largestKm: 0,
    meanKm: 0,
  });

  problem(t, await f.app.inject({ method: 'POST', url }), 401, 'unauthorized');
  problem(t, await f.app.inject({ method: 'POST', url, headers: f.otherCoordinator }), 403, 'forbidden');
  problem(t, await f.as({ method: 'POST', url: '/api/v1/networks/nope/clusters/propose' }), 404, 'not-found');
});

t.test('confirm, read, rename; withdrawals leave their cluster', async (t) => {
  const f = await fixture(t);
  const members = [...of(HOVEDSTADEN, 9), ...of(SJAELLAND, 3), ...of(SYDDANMARK, 8)];
  await f.signUp('klynger', members.map((m) => m.code));
  const proposal = ok(t, await f.as({ method: 'POST', url: '/api/v1/networks/klynger/clusters/propose' }));
  const body = {
    clusters: proposal.clusters.map((c: { name: string; municipalities: { code: number }[] }) => ({ name: c.name, municipalityCodes: codesOf(c.municipalities) })),
  };
  const url = '/api/v1/networks/klynger/clusters';
  t.same(ok(t, await f.app.inject({ url })), { data: [] }, 'no clusters yet');

  const confirmed = ok(t, await f.app.inject({ method: 'PUT', url, payload: body, headers: f.coordinator }));
  t.equal(confirmed.data.length, 3);
  const [first, second, third] = confirmed.data as ApiCluster[];
  t.match(first, {
    id: /^cls_/,
    networkSlug: 'klynger',
    name: 'Klynge 1 – Region Hovedstaden',
    size: 6,
    regions: [HOVEDSTADEN],
    municipalities: [{ code: 101, name: 'København', region: HOVEDSTADEN }],
    feeds: {
      meetings: {
        https: `http://127.0.0.1:3000/feeds/clusters/${first!.id}.ics`,
        webcal: `webcal://127.0.0.1:3000/feeds/clusters/${first!.id}.ics`,
      },
    },
  });
  t.same(second!.municipalities.map((m) => m.code), body.clusters[1].municipalityCodes);
  t.same(third!.regions, [SYDDANMARK]);

  // Public reads: names of municipalities, never contact persons.
  const list = await f.app.inject({ url });
  t.same(list.json(), confirmed);
  t.notMatch(list.body, /Kontakt|@kommune/);
  const one = await f.app.inject({ url: `/api/v1/clusters/${second!.id}` });
  t.same(ok(t, one), second);
  t.equal(one.headers.etag, '"v1"');
  t.notMatch(one.body, /Kontakt|@kommune/);

  // Members carry their cluster; the list filters by it.
  const inSecond = ok(t, await f.as({ url: `/api/v1/networks/klynger/members?cluster=${second!.id}` })).data;
  t.same(inSecond.map((m: { municipality: { code: number } }) => m.municipality.code), body.clusters[1].municipalityCodes);
  t.ok(inSecond.every((m: { clusterId: string }) => m.clusterId === second!.id));
  t.same(ok(t, await f.app.inject({ url: '/api/v1/networks/klynger/members?cluster=cls_nope' })).data, []);

  // Rename, with and without If-Match.
  const renamed = ok(t, await f.app.inject({ method: 'PATCH', url: `/api/v1/clusters/${second!.id}`, payload: { name: 'Klynge Øst' }, headers: { ...f.coordinator, 'if-match': '"v1"' } }));
  t.match(renamed, { id: second!.id, name: 'Klynge Øst', size: 6 });
  problem(t, await f.as({ method: 'PATCH', url: `/api/v1/clusters/${second!.id}`, payload: { name: 'Gammel' }, headers: { 'if-match': '"v1"' } }), 412, 'precondition-failed');
  problem(t, await f.as({ method: 'PATCH', url: `/api/v1/clusters/${second!.id}`, payload: { name: ' ' } }), 400, 'validation-failed');
  problem(t, await f.as({ method: 'PATCH', url: `/api/v1/clusters/${second!.id}`, payload: { name: 'x', size: 3 } }), 400, 'validation-failed');
  problem(t, await f.app.inject({ method: 'PATCH', url: `/api/v1/clusters/${second!.id}`, payload: { name: 'x' } }), 401, 'unauthorized');
  problem(t, await f.app.inject({ method: 'PATCH', url: `/api/v1/clusters/${second!.id}`, payload: { name: 'x' }, headers: f.otherCoordinator }), 403, 'forbidden');
  problem(t, await f.as({ method: 'PATCH', url: '/api/v1/clusters/cls_nope', payload: { name: 'x' } }), 404, 'not-found');
  problem(t, await f.app.inject({ url: '/api/v1/clusters/cls_nope' }), 404, 'not-found');
  t.equal(ok(t, await f.app.inject({ url: `/api/v1/clusters/${second!.id}` })).name, 'Klynge Øst');
  // Numbers in names sort as numbers.
  t.same(ok(t, await f.app.inject({ url })).data.map((c: ApiCluster) => c.name), ['Klynge 1 – Region Hovedstaden', 'Klynge 3 – Region Syddanmark', 'Klynge Øst']);

  // A withdrawn member leaves its cluster.
  const leaving = third!.municipalities[0]!.code;
  t.equal((await f.as({ method: 'DELETE', url: `/api/v1/networks/klynger/members/${leaving}` })).statusCode, 204);
  const after = ok(t, await f.app.inject({ url: `/api/v1/clusters/${third!.id}` }));
  t.equal(after.size, 7);
  t.notOk(codesOf(after.municipalities).includes(leaving));
  t.equal(ok(t, await f.as({ url: `/api/v1/networks/klynger/members/${leaving}` })).clusterId, null);
  // Signing up again does not put it back in a cluster.
  await f.signUp('klynger', [leaving]);
  t.equal(ok(t, await f.as({ url: `/api/v1/networks/klynger/members/${leaving}` })).clusterId, null);
});

t.test('invalid confirmations are refused and change nothing', async (t) => {
  const f = await fixture(t);
  const codes = [...of(HOVEDSTADEN, 7), ...of(SJAELLAND, 7)].map((m) => m.code);
  await f.signUp('klynger', codes);
  const url = '/api/v1/networks/klynger/clusters';
  const a = codes.slice(0, 7);
  const b = codes.slice(7);
  const valid = ok(t, await f.as({ method: 'PUT', url, payload: { clusters: [{ name: 'A', municipalityCodes: a }, { name: 'B', municipalityCodes: b }] } }));
  const unchanged = async () => t.same(ok(t, await f.app.inject({ url })), valid, 'unchanged');

  // Not an active member: never signed up, withdrawn, or not a municipality at all.
  await f.signUp('uden-graenser', [851]);
  await f.signUp('klynger', [860]);
  t.equal((await f.as({ method: 'DELETE', url: '/api/v1/networks/klynger/members/860' })).statusCode, 204);
  const notMember = problem(
    t,
    await f.as({ method: 'PUT', url, payload: { clusters: [{ name: 'A', municipalityCodes: [...a.slice(0, 5), 851, 860] }, { name: 'B', municipalityCodes: [...b.slice(0, 6), 999] }] } }),
    400,
    'not-a-member',
  );
  t.same(paths(notMember), ['body.clusters.0.municipalityCodes.5', 'body.clusters.0.municipalityCodes.6', 'body.clusters.1.municipalityCodes.6']);
  await unchanged();

  // The same municipality twice, in one cluster or in two.
  const twice = problem(
    t,
    await f.as({ method: 'PUT', url, payload: { clusters: [{ name: 'A', municipalityCodes: [...a, a[0]] }, { name: 'B', municipalityCodes: [...b, a[1]] }] } }),
    400,
    'duplicate-municipality',
  );
  t.same(paths(twice), ['body.clusters.0.municipalityCodes.7', 'body.clusters.1.municipalityCodes.7']);
  await unchanged();

  // Out of bounds: 409 naming each offender.
  const size = problem(
    t,
    await f.as({ method: 'PUT', url, payload: { clusters: [{ name: 'Lille', municipalityCodes: a.slice(0, 5) }, { name: 'Mellem', municipalityCodes: a.slice(5).concat(b.slice(0, 5)) }, { name: 'Rest', municipalityCodes: b.slice(5) }] } }),
    409,
    'cluster-size',
  );
  t.same(size.clusters, [
    { index: 0, name: 'Lille', size: 5, message: 'Lille has 5 municipalities; the minimum is 6' },
    { index: 2, name: 'Rest', size: 2, message: 'Rest has 2 municipalities; the minimum is 6' },
  ]);
  t.same(paths(size), ['body.clusters.0.municipalityCodes', 'body.clusters.2.municipalityCodes']);
  const tooBig = problem(t, await f.as({ method: 'PUT', url, payload: { clusters: [{ name: 'Alle', municipalityCodes: codes.slice(0, 9) }] } }), 409, 'cluster-size');
  t.match(tooBig.clusters, [{ name: 'Alle', size: 9, message: 'Alle has 9 municipalities; the maximum is 8' }]);
  await unchanged();

  // Unknown cluster ids (or the same twice, or one of another network).
  const [keepA] = valid.data as ApiCluster[];
  const unknown = problem(
    t,
    await f.as({ method: 'PUT', url, payload: { clusters: [{ id: 'cls_nope', name: 'A', municipalityCodes: a }, { id: keepA!.id, name: 'B', municipalityCodes: b.slice(0, 6) }, { id: keepA!.id, name: 'C', municipalityCodes: [b[6]] }] } }),
    400,
    'unknown-cluster',
  );
  t.same(paths(unknown), ['body.clusters.0.id', 'body.clusters.2.id']);
  await unchanged();

  // Malformed bodies.
  for (const payload of [{}, { clusters: [{ name: 'A' }] }, { clusters: [{ name: 'A', municipalityCodes: [] }] }, { clusters: [{ name: '', municipalityCodes: a }] }, { clusters: [{ name: 'A', municipalityCodes: a, size: 7 }] }, { clusters: 'A' }]) {
    problem(t, await f.as({ method: 'PUT', url, payload }), 400, 'validation-failed');
  }
  await unchanged();

  problem(t, await f.app.inject({ method: 'PUT', url, payload: { clusters: [] } }), 401, 'unauthorized');
  problem(t, await f.app.inject({ method: 'PUT', url, payload: { clusters: [] }, headers: f.otherCoordinator }), 403, 'forbidden');
  problem(t, await f.as({ method: 'PUT', url: '/api/v1/networks/nope/clusters', payload: { clusters: [] } }), 404, 'not-found');
  problem(t, await f.app.inject({ url: '/api/v1/networks/nope/clusters' }), 404, 'not-found');
  await unchanged();
});

t.test('re-confirming keeps clusters given by id; meetings of removed clusters lose theirs', async (t) => {
  const f = await fixture(t);
  const codes = [...of(HOVEDSTADEN, 7), ...of(SJAELLAND, 7)].map((m) => m.code);
  await f.signUp('klynger', codes);
  const url = '/api/v1/networks/klynger/clusters';
  const first = ok(t, await f.as({ method: 'PUT', url, payload: { clusters: [{ name: 'Nord', municipalityCodes: codes.slice(0, 7) }, { name: 'Syd', municipalityCodes: codes.slice(7) }] } })).data as ApiCluster[];
  const [nord, syd] = first;
  const meeting = async (clusterId: string) =>
    ok(t, await f.as({ method: 'POST', url: '/api/v1/networks/klynger/meetings', payload: { title: 'Klyngemøde', date: '2016-09-20', startTime: '10:00', clusterId } }), 201);
  const nordMeeting = await meeting(nord!.id);
  const sydMeeting = await meeting(syd!.id);

  // Keep "Nord" (renamed, one member moved out), drop "Syd", add two new ones.
  const second = ok(
    t,
    await f.app.inject({
      method: 'PUT',
      url,
      headers: f.coordinator,
      payload: { clusters: [{ id: nord!.id, name: 'Nord og øer', municipalityCodes: codes.slice(0, 6) }, { name: 'Vest', municipalityCodes: [codes[6], ...codes.slice(7, 12)] }] },
    }),
  ).data as ApiCluster[];
  t.same(second.map((c) => c.name), ['Nord og øer', 'Vest']);
  t.equal(second[0]!.id, nord!.id, 'kept');
  t.equal(second[0]!.size, 6);
  t.not(second[1]!.id, syd!.id);
  problem(t, await f.app.inject({ url: `/api/v1/clusters/${syd!.id}` }), 404, 'not-found');

  t.equal(ok(t, await f.as({ url: `/api/v1/meetings/${nordMeeting.id}` })).clusterId, nord!.id, 'the kept cluster’s meeting stays');
  const orphan = await f.as({ url: `/api/v1/meetings/${sydMeeting.id}` });
  t.equal(ok(t, orphan).clusterId, null, 'the removed cluster’s meeting has none');
  t.equal(orphan.headers.etag, '"v2"', 'and its version moved');

  // Members not named are in no cluster.
  const unplaced = ok(t, await f.as({ url: '/api/v1/networks/klynger/members?limit=200' })).data.filter((m: { clusterId: string | null }) => m.clusterId === null);
  t.same(unplaced.map((m: { municipality: { code: number } }) => m.municipality.code), codes.slice(12));
  t.equal((await f.as({ url: `/api/v1/networks/klynger/members/${codes[6]}` })).headers.etag, '"v3"', 'moved twice: Nord, then Vest');
  t.equal((await f.as({ url: `/api/v1/networks/klynger/members/${codes[0]}` })).headers.etag, '"v2"', 'placed once, then kept');

  // An empty grouping removes every cluster.
  t.same(ok(t, await f.as({ method: 'PUT', url, payload: { clusters: [] } })), { data: [] });
  t.equal(ok(t, await f.as({ url: `/api/v1/meetings/${nordMeeting.id}` })).clusterId, null);
  t.same(ok(t, await f.as({ url: '/api/v1/networks/klynger/members?limit=200' })).data.filter((m: { clusterId: string | null }) => m.clusterId !== null), []);
});

t.test('the 2016 programme: all 98 municipalities signed up (by admin override), proposed and confirmed', async (t) => {
  const f = await fixture(t);
  await f.signUp(PROGRAMME_SLUG, MUNICIPALITIES.map((m) => m.code));
  t.equal(ok(t, await f.app.inject({ url: `/api/v1/networks/${PROGRAMME_SLUG}/signup` })).members, 98);
  const proposal = ok(t, await f.as({ method: 'POST', url: `/api/v1/networks/${PROGRAMME_SLUG}/clusters/propose` }));
  t.match(proposal, { members: 98, minSize: 6, maxSize: 8, problems: [] });
  t.equal(proposal.clusters.length, 14);
  // Since issue 15 the API proposes by travel (the region-first proposal is `by: region`).
  t.same(proposal, { ...proposeByTravel(MUNICIPALITIES, 6, 8, locateTownHall), members: 98, wave: null }, 'the API answers what the function proposes');
  const confirmed = ok(
    t,
    await f.as({
      method: 'PUT',
      url: `/api/v1/networks/${PROGRAMME_SLUG}/clusters`,
      payload: { clusters: proposal.clusters.map((c: { name: string; municipalities: { code: number }[] }) => ({ name: c.name, municipalityCodes: codesOf(c.municipalities) })) },
    }),
  ).data as ApiCluster[];
  t.equal(confirmed.length, 14);
  t.same(confirmed.map((c) => c.name), proposal.clusters.map((c: { name: string }) => c.name), 'Klynge 1…14 in numeric order');
  t.equal(confirmed.reduce((n, c) => n + c.size, 0), 98);
  const members = ok(t, await f.as({ url: `/api/v1/networks/${PROGRAMME_SLUG}/members?limit=200` })).data;
  t.ok(members.every((m: { clusterId: string | null }) => m.clusterId !== null), 'every member is in a cluster');
});
