// The proposal by travel (server/clusters/travel-proposal.ts) on its own: hand-made maps whose optimum is
// known (and one checked against every possible grouping), the explanations, pins, the size bounds for 6,
// 13, 20, 45 and 98 real municipalities, and that it travels less than the region-first proposal.
import t from 'tap';
import { MUNICIPALITIES } from '../db/municipalities.js';
import { locateTownHall, proposeByRegion } from '../server/clusters/clusters.repository.js';
import { splittable, type ProposalMember } from '../server/clusters/cluster-proposal.js';
import { FERRY_PENALTY_KM, PinError, proposeByTravel, travelCost, travelScore, type Locate, type Location } from '../server/clusters/travel-proposal.js';
import { haversineKm } from '../server/geo/distance.js';

// A hand-made map: points on the meridian 10°E, `km` north of 55°N, all on Jutland.
const KM_PER_DEGREE = haversineKm({ latitude: 55, longitude: 10 }, { latitude: 56, longitude: 10 });
const mapOf = (points: [code: number, km: number, east?: number, region?: string, ferryOnly?: boolean][]) => {
  const where = new Map<number, Location>(
    points.map(([code, km, east = 0, , ferryOnly = false]) => [code, { latitude: 55 + km / KM_PER_DEGREE, longitude: 10 + east / (KM_PER_DEGREE * Math.cos((55 * Math.PI) / 180)), ferryOnly, landmass: 'Jylland' }]),
  );
  const members: ProposalMember[] = points.map(([code, , , region = 'Region Midtjylland']) => ({ code, name: `M${code}`, region }));
  const locate: Locate = (code) => where.get(code)!;
  return { members, locate };
};
const groupsOf = (p: { clusters: { municipalities: { code: number }[] }[] }) => p.clusters.map((c) => c.municipalities.map((m) => m.code));

t.test('a line of two clumps: the optimum is the two clumps, whatever the code order says', async (t) => {
  // Codes alternate between the clumps, so code order (and the region-first proposal) would mix them.
  const { members, locate } = mapOf([[101, 0], [102, 100], [103, 1], [104, 101], [105, 2], [106, 102], [107, 3], [108, 103]]);
  const p = proposeByTravel(members, 4, 4, locate);
  t.same(groupsOf(p), [[101, 103, 105, 107], [102, 104, 106, 108]]);
  t.same(p.problems, []);
  // Host: 103 and 105 both have largest 2 km and total 4 km; the lower code wins.
  t.same(p.clusters.map((c) => c.host.code), [103, 104]);
  t.same(p.clusters.map((c) => c.largestKm), [2, 2]);
  t.same(p.clusters.map((c) => c.meanKm), [1.3, 1.3], '(1 + 1 + 2) / 3 km');
  t.equal(p.largestKm, 2);
  t.equal(p.method, 'travel');
  const byRegion = proposeByRegion(members, 4, 4, locate);
  t.same(groupsOf(byRegion), [[101, 102, 103, 104], [105, 106, 107, 108]], 'the region-first proposal follows code order');
  t.ok(byRegion.largestKm > 90, 'and makes people travel 100 km');
});

t.test('a map checked against every possible grouping', async (t) => {
  // Eleven points scattered over 60 × 60 km by a fixed rule; bounds 3–4 give 3 clusters.
  const points: [number, number, number][] = Array.from({ length: 11 }, (_, i) => [201 + i, (i * 37) % 61, (i * 23 + 11) % 59]);
  const { members, locate } = mapOf(points);
  const p = proposeByTravel(members, 3, 4, locate);
  t.equal(p.clusters.length, 3);
  const cost = (a: number, b: number) => travelCost(locate, members[a]!, members[b]!);
  const radius = (group: number[]) => Math.min(...group.map((h) => Math.max(...group.map((m) => cost(h, m)))));
  // Every assignment of 11 members to 3 clusters (3^11 = 177147), the best within the bounds.
  let best = Infinity;
  const of = new Array<number>(11).fill(0);
  for (let x = 0; x < 3 ** 11; x++) {
    let y = x;
    for (let i = 0; i < 11; i++) {
      of[i] = y % 3;
      y = Math.floor(y / 3);
    }
    const groups = [0, 1, 2].map((c) => of.flatMap((g, i) => (g === c ? [i] : [])));
    if (groups.some((g) => g.length < 3 || g.length > 4)) continue;
    best = Math.min(best, Math.max(...groups.map(radius)));
  }
  const index = new Map(members.map((m, i) => [m.code, i]));
  const found = Math.max(...groupsOf(p).map((g) => radius(g.map((c) => index.get(c)!))));
  t.ok(Math.abs(found - best) < 1e-9, `the proposal's largest travel ${found.toFixed(2)} km is the optimum ${best.toFixed(2)} km`);
});

t.test('explanations: host, largest and mean distance, ferry members', async (t) => {
  const { members, locate } = mapOf([[301, 0], [302, 10], [303, 30], [304, 10, 40, 'Region Midtjylland', true]]);
  const p = proposeByTravel(members, 4, 4, locate);
  const [c] = p.clusters;
  // 302 is 10 and 20 km from 301 and 303, and 40 km from 304 (plus the ferry); 301 would be 41.2 km from 304.
  t.equal(c!.host.code, 302);
  t.equal(c!.largestKm, Math.round(haversineKm(locate(302), locate(304)) * 10) / 10);
  const mean = (haversineKm(locate(302), locate(301)) + haversineKm(locate(302), locate(303)) + haversineKm(locate(302), locate(304))) / 3;
  t.equal(c!.meanKm, Math.round(mean * 10) / 10);
  t.equal(c!.ferryMembers, 1);
  t.match(c!.explanation, /^M302 is the most central member: the others are at most 39\.9 km away \(M304\), \d+\.\d km on average; 1 on a ferry-only island$/);
  t.equal(travelCost(locate, members[1]!, members[3]!), haversineKm(locate(302), locate(304)) + FERRY_PENALTY_KM, 'the ferry costs extra');
});

t.test('ferry-only islands and regions: Fanø goes with Esbjerg, a region stays together where it costs little', async (t) => {
  const p = proposeByTravel(MUNICIPALITIES, 6, 8, locateTownHall);
  const clusterOf = (code: number) => p.clusters.find((c) => c.municipalities.some((m) => m.code === code))!;
  t.ok(clusterOf(563).municipalities.some((m) => m.code === 561), 'Fanø with Esbjerg');
  t.ok(clusterOf(492).municipalities.some((m) => m.code === 479), 'Ærø with Svendborg');
  t.ok(clusterOf(400).municipalities.some((m) => m.code === 101), 'Bornholm with København');
  t.ok(clusterOf(825).municipalities.some((m) => m.code === 813), 'Læsø with Frederikshavn');
  // Funen's municipalities are never grouped with Copenhagen or North Jutland, far over the water.
  const funen = [410, 420, 430, 440, 450, 461, 479, 480, 482];
  t.ok(funen.every((code) => clusterOf(code).regions.every((r) => r !== 'Region Hovedstaden' && r !== 'Region Nordjylland')), 'Funen neither with Hovedstaden nor with Nordjylland');
  t.ok(p.clusters.filter((c) => c.regions.length === 1).length >= 10, 'most clusters keep to one region');
});

t.test('pins: together, apart, and the errors', async (t) => {
  const { members, locate } = mapOf([[101, 0], [102, 100], [103, 1], [104, 101], [105, 2], [106, 102], [107, 3], [108, 103]]);
  const together = proposeByTravel(members, 4, 4, locate, { together: [[101, 102]] });
  const withBoth = together.clusters.find((c) => c.municipalities.some((m) => m.code === 101))!;
  t.ok(withBoth.municipalities.some((m) => m.code === 102), '101 and 102 share a cluster although 100 km apart');
  t.equal(together.clusters.length, 2);
  t.ok(together.clusters.every((c) => c.size === 4));

  const apart = proposeByTravel(members, 4, 4, locate, { apart: [[101, 103]] });
  const clusterOf = (code: number) => apart.clusters.findIndex((c) => c.municipalities.some((m) => m.code === code));
  t.not(clusterOf(101), clusterOf(103), '101 and 103 apart although 1 km apart');

  const pinError = (fn: () => unknown, code: string) => {
    try {
      fn();
      t.fail(`expected ${code}`);
    } catch (e) {
      t.ok(e instanceof PinError && e.code === code, code);
    }
  };
  pinError(() => proposeByTravel(members, 4, 4, locate, { together: [[101, 102]], apart: [[102, 101]] }), 'pin-conflict');
  pinError(() => proposeByTravel(members, 4, 4, locate, { together: [[101, 102, 103], [103, 104, 105]] }), 'pin-too-large');
  pinError(() => proposeByTravel(members, 4, 4, locate, { apart: [[101, 102, 103]] }), 'pins-unsatisfiable');
  // Pins the same whatever the order of the input.
  t.same(proposeByTravel([...members].reverse(), 4, 4, locate, { together: [[101, 102]] }), together);
});

t.test('size bounds and less travel than the region-first proposal: 6, 13, 20, 45 and 98 members', async (t) => {
  // Deterministic subsets: every k-th municipality by code, from the first.
  const byCode = [...MUNICIPALITIES].sort((a, b) => a.code - b.code);
  const subset = (n: number) => byCode.filter((_, i) => Math.floor((i * n) / 98) !== Math.floor(((i + 1) * n) / 98)).slice(0, n);
  for (const n of [6, 13, 20, 45, 98]) {
    const members = subset(n);
    t.equal(members.length, n);
    const p = proposeByTravel(members, 6, 8, locateTownHall);
    t.same(p.problems, [], `${n}: no problems`);
    t.ok(splittable(n, 6, 8));
    t.ok(p.clusters.every((c) => c.size >= 6 && c.size <= 8), `${n}: sizes ${p.clusters.map((c) => c.size).join(',')} within 6–8`);
    t.same(p.clusters.flatMap((c) => c.municipalities.map((m) => m.code)).sort((a, b) => a - b), members.map((m) => m.code), `${n}: every member once`);
    t.equal(p.clusters.length, Math.round(n / 7), `${n}: the number of clusters nearest n / 7`);
    const old = proposeByRegion(members, 6, 8);
    // On what the search minimises (travel cost: the largest, then the total) it never does worse.
    const score = (q: typeof p) => travelScore(q.clusters.map((c) => c.municipalities), locateTownHall);
    const [mine, theirs] = [score(p), score(old)];
    t.ok(mine.largest < theirs.largest - 1e-9 || (mine.largest <= theirs.largest + 1e-9 && mine.total <= theirs.total + 1e-9), `${n}: travel cost ${mine.largest.toFixed(1)}/${mine.total.toFixed(0)}, region-first ${theirs.largest.toFixed(1)}/${theirs.total.toFixed(0)}`);
    // In plain km, with 45 and all 98 members both the largest and the mean distance are lower.
    if (n >= 45) {
      t.ok(p.largestKm < old.largestKm, `${n}: largest ${p.largestKm} km, region-first ${old.largestKm} km`);
      t.ok(p.meanKm < old.meanKm, `${n}: mean ${p.meanKm} km, region-first ${old.meanKm} km`);
    }
    p.clusters.forEach((c, i) => {
      t.equal(c.name, `Klynge ${i + 1} – ${c.regions.join(c.regions.length === 2 ? ' og ' : ', ')}`.replace(/, ([^,]*)$/, ' og $1'));
      t.ok(c.municipalities.some((m) => m.code === c.host.code), 'the host is a member');
    });
  }
  t.same(proposeByTravel([...MUNICIPALITIES].reverse(), 6, 8, locateTownHall), proposeByTravel(MUNICIPALITIES, 6, 8, locateTownHall), 'deterministic, whatever the order');
  // Bounds that cannot be met: the nearest grouping, with its problems.
  const five = byCode.slice(0, 5);
  const p5 = proposeByTravel(five, 6, 8, locateTownHall);
  t.same(p5.clusters.map((c) => c.size), [5]);
  t.equal(p5.problems.length, 1);
  t.ok(p5.notes.includes('5 active members cannot be split into clusters of 6–8; this is the nearest grouping'));
  t.same(proposeByTravel([], 6, 8, locateTownHall).clusters, []);
  t.throws(() => proposeByTravel(five, 0, 8, locateTownHall), RangeError);
});
