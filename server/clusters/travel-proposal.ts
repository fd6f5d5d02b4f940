// Proposes clusters (klynger) by travel: members are grouped within the size bounds so that the largest
// distance from any member to its cluster's most central member (its natural host) is as small as it can
// be found, then the total distance to the hosts. Pure and deterministic: nothing is read or stored, and
// the same members (in any order) give the same proposal.
//
// Travel cost between two town halls, as the search sees it (documented in the API description):
//  - the great-circle (haversine) distance in km, through the Little Belt and Great Belt bridges when the two
//    are on different landmasses (Jutland, Funen, Zealand: see db/town-halls.ts);
//  - plus FERRY_PENALTY_KM for each ferry-only island (Bornholm, Samsø, Læsø, Fanø, Ærø) on the way, for
//    the crossing, waiting and timetable that a straight line hides;
//  - plus REGION_PENALTY_KM when the two are in different regions, so that regions are kept together only
//    where that costs little: a host in another region wins only when it is that much nearer.
// The distances reported (largestKm, meanKm) are plain great-circle km, without penalties.
//
// The search: for the two numbers of clusters k nearest n / (middle of the bounds) that the bounds allow
// (the smallest largest travel wins, ties go to the nearer), starting groupings (farthest-point seeds with a
// capacity-bounded assignment, and the region-first proposal when it fits the same bounds) are improved by
// moving and swapping members between clusters whose hosts are near (the 7 nearest) while that lowers
// (largest cost, total cost); the best result is kept. Pins: municipalities pinned together move as one;
// municipalities pinned apart never share a cluster.
import { haversineKm, overlandKm, type Landmass, type Point } from '../geo/distance.js';
import { danishList, proposeClusters, splittable, type ProposalMember, type ProposalProblem } from './cluster-proposal.js';

export const FERRY_PENALTY_KM = 30;
export const REGION_PENALTY_KM = 10;

export interface Location extends Point {
  ferryOnly: boolean;
  landmass: Landmass;
}

export interface Pins {
  /** Each group's municipalities share one cluster. */
  together?: number[][];
  /** Each group's municipalities are in pairwise different clusters. */
  apart?: number[][];
}

export interface ClusterExplanation<M extends ProposalMember = ProposalMember> {
  /** The most central member: the smallest largest distance to the others (then smallest total, then lowest code). */
  host: M;
  /** The largest great-circle distance from a member to the host, km (one decimal). */
  largestKm: number;
  /** The mean great-circle distance from the other members to the host, km (one decimal). */
  meanKm: number;
  /** Members on a ferry-only island. */
  ferryMembers: number;
  explanation: string;
}

export interface TravelCluster<M extends ProposalMember = ProposalMember> extends ClusterExplanation<M> {
  name: string;
  municipalities: M[];
  regions: string[];
  size: number;
}

export interface TravelProposal<M extends ProposalMember = ProposalMember> {
  method: 'travel' | 'region';
  clusters: TravelCluster<M>[];
  notes: string[];
  problems: ProposalProblem[];
  minSize: number;
  maxSize: number;
  /** Over all clusters: the largest member-to-host distance, and the mean over all non-host members, km. */
  largestKm: number;
  meanKm: number;
}

export type Locate = (code: number) => Location;

const round1 = (x: number) => Math.round(x * 10) / 10;

export class PinError extends Error {
  constructor(
    readonly code: 'pin-conflict' | 'pin-too-large' | 'pins-unsatisfiable',
    message: string,
  ) {
    super(message);
  }
}

/** Great-circle km between two members. */
export const memberKm = (locate: Locate, a: ProposalMember, b: ProposalMember) => haversineKm(locate(a.code), locate(b.code));

/** The travel cost the search minimises (see the header). */
export function travelCost(locate: Locate, a: ProposalMember, b: ProposalMember): number {
  if (a.code === b.code) return 0;
  const la = locate(a.code);
  const lb = locate(b.code);
  return overlandKm(la, lb) + (la.ferryOnly ? FERRY_PENALTY_KM : 0) + (lb.ferryOnly ? FERRY_PENALTY_KM : 0) + (a.region !== b.region ? REGION_PENALTY_KM : 0);
}

/** The host of a group under a distance: smallest largest distance, then smallest total, then lowest code. */
function hostOf(group: number[], d: (a: number, b: number) => number, code: (i: number) => number): { host: number; largest: number; total: number } {
  let best = { host: -1, largest: Infinity, total: Infinity };
  for (const h of group) {
    let largest = 0;
    let total = 0;
    for (const m of group) {
      const x = d(h, m);
      total += x;
      if (x > largest) largest = x;
    }
    const e = 1e-9;
    if (largest < best.largest - e || (Math.abs(largest - best.largest) <= e && (total < best.total - e || (Math.abs(total - best.total) <= e && code(h) < code(best.host))))) {
      best = { host: h, largest, total };
    }
  }
  return best;
}

/** The explanation of one cluster (used for any grouping, by travel or by region). */
export function explainCluster<M extends ProposalMember>(members: readonly M[], locate: Locate): ClusterExplanation<M> {
  const idx = members.map((_, i) => i);
  const km = (a: number, b: number) => memberKm(locate, members[a]!, members[b]!);
  const cost = (a: number, b: number) => travelCost(locate, members[a]!, members[b]!);
  const { host } = hostOf(idx, cost, (i) => members[i]!.code);
  const others = idx.filter((i) => i !== host);
  const dists = others.map((i) => km(host, i));
  const largest = dists.length ? Math.max(...dists) : 0;
  const mean = dists.length ? dists.reduce((s, x) => s + x, 0) / dists.length : 0;
  const far = others.length ? members[others[dists.indexOf(largest)]!]! : null;
  const ferryMembers = members.filter((m) => locate(m.code).ferryOnly).length;
  const h = members[host]!;
  const explanation =
    members.length === 1
      ? `${h.name} alone`
      : `${h.name} is the most central member: the others are at most ${round1(largest)} km away (${far!.name}), ${round1(mean)} km on average` +
        (ferryMembers > 0 ? `; ${ferryMembers} on a ferry-only island` : '');
  return { host: h, largestKm: round1(largest), meanKm: round1(mean), ferryMembers, explanation };
}

/** What the search minimises for a grouping: the largest travel cost to a host, then the total. */
export function travelScore(groups: readonly (readonly ProposalMember[])[], locate: Locate): { largest: number; total: number } {
  let largest = 0;
  let total = 0;
  for (const g of groups) {
    const h = hostOf(g.map((_, i) => i), (a, b) => travelCost(locate, g[a]!, g[b]!), (i) => g[i]!.code);
    largest = Math.max(largest, h.largest);
    total += h.total;
  }
  return { largest, total };
}

/** The numbers of clusters the bounds allow, nearest n / (middle of the bounds) first, then fewer clusters first. */
function clusterCounts(n: number, min: number, max: number): number[] {
  const mid = (min + max) / 2;
  const ks: number[] = [];
  for (let k = Math.ceil(n / max); k <= Math.floor(n / min); k++) ks.push(k);
  return ks.sort((a, b) => Math.abs(n / a - mid) - Math.abs(n / b - mid) || a - b);
}

interface Grouping {
  /** Cluster of each unit. */
  of: number[];
  k: number;
}

/**
 * Groups members (already sorted by code) into k clusters of lo–hi members. Units are the pinned-together
 * groups (a single member otherwise). Returns the best grouping found, or null when no start satisfies the pins.
 */
function search<M extends ProposalMember>(members: readonly M[], locate: Locate, k: number, lo: number, hi: number, units: number[][], apartOf: Set<number>[], starts: number[][][]): { groups: number[][]; largest: number; total: number } | null {
  const n = members.length;
  const cost: number[][] = members.map((a) => members.map((b) => travelCost(locate, a, b)));
  const d = (a: number, b: number) => cost[a]![b]!;
  const unitOfMember = new Array<number>(n);
  units.forEach((u, i) => u.forEach((m) => (unitOfMember[m] = i)));
  const size = (u: number) => units[u]!.length;
  const anyApart = apartOf.some((set) => set.size > 0);
  const conflicts = (u: number, cluster: number[], of: number[], except = -1) =>
    anyApart &&
    cluster.some((v) => v !== except && v !== u && of[v] !== undefined && units[u]!.some((m) => apartOf[m]!.has(units[v]![0]!) || units[v]!.some((w) => apartOf[m]!.has(w))));
  const code = (i: number) => members[i]!.code;

  const evaluate = (clusterUnits: number[]) => {
    const group = clusterUnits.flatMap((u) => units[u]!);
    if (group.length === 0) return { largest: 0, total: 0, host: -1 };
    return hostOf(group, d, code);
  };

  const improve = (start: Grouping): { of: number[]; largest: number; total: number } => {
    const of = [...start.of];
    const clusters: number[][] = Array.from({ length: k }, () => []);
    of.forEach((c, u) => clusters[c]!.push(u));
    const sizes = clusters.map((c) => c.reduce((s, u) => s + size(u), 0));
    const scores = clusters.map(evaluate);
    const globalOf = (sc: { largest: number; total: number }[]) => ({ largest: Math.max(...sc.map((s) => s.largest)), total: sc.reduce((t, s) => t + s.total, 0) });
    let current = globalOf(scores);
    const better = (a: { largest: number; total: number }, b: { largest: number; total: number }) => a.largest < b.largest - 1e-9 || (a.largest <= b.largest + 1e-9 && a.total < b.total - 1e-9);
    const tryChange = (a: number, b: number, nextA: number[], nextB: number[], sizeA: number, sizeB: number) => {
      const sa = evaluate(nextA);
      const sb = evaluate(nextB);
      const trial = [...scores];
      trial[a] = sa;
      trial[b] = sb;
      const g = globalOf(trial);
      if (!better(g, current)) return false;
      clusters[a] = nextA;
      clusters[b] = nextB;
      sizes[a] = sizeA;
      sizes[b] = sizeB;
      scores[a] = sa;
      scores[b] = sb;
      for (const u of nextA) of[u] = a;
      for (const u of nextB) of[u] = b;
      current = g;
      return true;
    };
    // Only the clusters whose hosts are among the NEAR nearest to a unit are tried for it: a member is never
    // better off with a far host, and this keeps a pass over 98 members short.
    const NEAR = 6;
    const nearClusters = (u: number) =>
      scores
        .map((sc, c) => ({ c, x: sc.host < 0 ? Infinity : d(units[u]![0]!, sc.host) }))
        .sort((p, q) => p.x - q.x || p.c - q.c)
        .slice(0, NEAR + 1)
        .map((p) => p.c);
    for (let pass = 0; pass < 200; pass++) {
      let changed = false;
      for (let u = 0; u < units.length; u++) {
        const a = of[u]!;
        const near = nearClusters(u);
        // Move u to another cluster.
        for (const b of near) {
          if (b === a || sizes[a]! - size(u) < lo || sizes[b]! + size(u) > hi || conflicts(u, clusters[b]!, of)) continue;
          if (tryChange(a, b, clusters[a]!.filter((x) => x !== u), [...clusters[b]!, u], sizes[a]! - size(u), sizes[b]! + size(u))) {
            changed = true;
            break;
          }
        }
        if (of[u] !== a) continue;
        // Swap u with a unit of another cluster.
        for (let v = 0; v < units.length; v++) {
          const b = of[v]!;
          if (b === a || !near.includes(b)) continue;
          const sa = sizes[a]! - size(u) + size(v);
          const sb = sizes[b]! - size(v) + size(u);
          if (sa < lo || sa > hi || sb < lo || sb > hi) continue;
          if (conflicts(u, clusters[b]!, of, v) || conflicts(v, clusters[a]!, of, u)) continue;
          if (tryChange(a, b, [...clusters[a]!.filter((x) => x !== u), v], [...clusters[b]!.filter((x) => x !== v), u], sa, sb)) {
            changed = true;
            break;
          }
        }
      }
      if (!changed) break;
    }
    return { of, ...current };
  };

  // Starting groupings: farthest-point seeds from each of a few first seeds, plus the starts given.
  const startGroupings: Grouping[] = [];
  const firstSeeds = new Set<number>();
  const centre = hostOf(members.map((_, i) => i), d, code).host;
  firstSeeds.add(centre);
  firstSeeds.add(0);
  firstSeeds.add(n - 1);
  for (const first of firstSeeds) {
    const seeded = seedGrouping(first);
    if (seeded) startGroupings.push(seeded);
  }
  for (const s of starts) {
    const of = new Array<number>(units.length);
    let fits = s.length === k;
    s.forEach((group, c) => group.forEach((m) => (of[unitOfMember[m]!] = c)));
    // A start fits when it keeps every unit whole and breaks no apart pin.
    units.forEach((u, i) => {
      if (u.some((m) => of[unitOfMember[m]!] !== of[i])) fits = false;
    });
    if (fits && units.every((_, u) => !conflicts(u, units.map((_, v) => v).filter((v) => of[v] === of[u]), of))) startGroupings.push({ of, k });
  }
  if (startGroupings.length === 0) return null;

  let best: { of: number[]; largest: number; total: number } | null = null;
  for (const start of startGroupings) {
    const result = improve(start);
    if (!best || result.largest < best.largest - 1e-9 || (result.largest <= best.largest + 1e-9 && result.total < best.total - 1e-9)) best = result;
  }
  const out: number[][] = Array.from({ length: k }, () => []);
  best!.of.forEach((c, u) => out[c]!.push(...units[u]!));
  return { groups: out, largest: best!.largest, total: best!.total };

  /** k seeds by farthest-point traversal from `first`, units assigned nearest-first within the bounds. */
  function seedGrouping(first: number): Grouping | null {
    const seeds = [unitOfMember[first]!];
    const distToSeeds = (u: number) => Math.min(...seeds.map((s) => d(units[u]![0]!, units[s]![0]!)));
    while (seeds.length < k) {
      let far = -1;
      for (let u = 0; u < units.length; u++) {
        if (seeds.includes(u)) continue;
        if (far < 0 || distToSeeds(u) > distToSeeds(far) + 1e-9) far = u;
      }
      if (far < 0) return null;
      seeds.push(far);
    }
    const of = new Array<number>(units.length);
    const clusters: number[][] = seeds.map((s) => [s]);
    const sizes = seeds.map((s) => size(s));
    seeds.forEach((s, c) => (of[s] = c));
    // Units by how much they lose when not at their nearest seed (most constrained first), then by code.
    const rest = units.map((_, u) => u).filter((u) => of[u] === undefined);
    const near = (u: number) => seeds.map((s, c) => ({ c, x: d(units[u]![0]!, units[s]![0]!) })).sort((p, q) => p.x - q.x || p.c - q.c);
    const regret = (u: number) => {
      const list = near(u);
      return list.length > 1 ? list[1]!.x - list[0]!.x : 0;
    };
    rest.sort((u, v) => regret(v) - regret(u) || size(v) - size(u) || code(units[u]![0]!) - code(units[v]![0]!));
    // Leave room so that every cluster can still reach the lower bound.
    for (const u of rest) {
      const options = near(u).filter(({ c }) => sizes[c]! + size(u) <= hi && !conflicts(u, clusters[c]!, of));
      if (options.length === 0) return null;
      const { c } = options[0]!;
      clusters[c]!.push(u);
      sizes[c]! += size(u);
      of[u] = c;
    }
    // Lift clusters below the lower bound with the nearest movable units of others.
    for (let guard = 0; guard < n * n && sizes.some((s) => s < lo); guard++) {
      const c = sizes.findIndex((s) => s < lo);
      let pick: { u: number; x: number } | null = null;
      for (let u = 0; u < units.length; u++) {
        const from = of[u]!;
        if (from === c || units[u]!.includes(units[seeds[from]!]![0]!) || sizes[from]! - size(u) < lo || sizes[c]! + size(u) > hi) continue;
        if (conflicts(u, clusters[c]!, of)) continue;
        const x = d(units[u]![0]!, units[seeds[c]!]![0]!);
        if (!pick || x < pick.x - 1e-9) pick = { u, x };
      }
      if (!pick) return null;
      const from = of[pick.u]!;
      clusters[from] = clusters[from]!.filter((x) => x !== pick!.u);
      sizes[from]! -= size(pick.u);
      clusters[c]!.push(pick.u);
      sizes[c]! += size(pick.u);
      of[pick.u] = c;
    }
    if (sizes.some((s) => s < lo || s > hi)) return null;
    return { of, k };
  }
}

/** Orders, names and explains clusters as the region-first proposal does, and adds notes and problems. */
export function describe<M extends ProposalMember>(method: 'travel' | 'region', groups: M[][], locate: Locate, minSize: number, maxSize: number, notes: string[] = []): TravelProposal<M> {
  const all = groups.flat();
  const regionRank = new Map<string, number>();
  for (const m of [...all].sort((a, b) => a.code - b.code)) if (!regionRank.has(m.region)) regionRank.set(m.region, regionRank.size);
  const sorted = groups.filter((g) => g.length > 0).map((g) => [...g].sort((a, b) => a.code - b.code));
  sorted.sort((a, b) => regionRank.get(a[0]!.region)! - regionRank.get(b[0]!.region)! || a[0]!.code - b[0]!.code);
  const problems: ProposalProblem[] = [];
  const out = [...notes];
  const clusters = sorted.map((g, i): TravelCluster<M> => {
    const regions = [...new Set(g.map((m) => m.region))].sort((a, b) => regionRank.get(a)! - regionRank.get(b)!);
    const name = `Klynge ${i + 1} – ${danishList(regions)}`;
    return { name, municipalities: g, regions, size: g.length, ...explainCluster(g, locate) };
  });
  for (const c of clusters) {
    if (c.regions.length > 1) {
      const parts = c.regions.map((r) => `${r} (${c.municipalities.filter((m) => m.region === r).length})`);
      out.push(`${c.name} mixes regions: ${parts.join(', ')}`);
    }
    if (c.size < minSize || c.size > maxSize) {
      const message =
        c.size < minSize
          ? `${c.name} has ${c.size} ${c.size === 1 ? 'member' : 'members'}, ${minSize - c.size} fewer than the minimum of ${minSize}`
          : `${c.name} has ${c.size} members, ${c.size - maxSize} more than the maximum of ${maxSize}`;
      problems.push({ cluster: c.name, size: c.size, message });
      out.push(message);
    }
  }
  const dists = clusters.flatMap((c) => c.municipalities.filter((m) => m.code !== c.host.code).map((m) => memberKm(locate, m, c.host)));
  return {
    method,
    clusters,
    notes: out,
    problems,
    minSize,
    maxSize,
    largestKm: round1(dists.length ? Math.max(...dists) : 0),
    meanKm: round1(dists.length ? dists.reduce((s, x) => s + x, 0) / dists.length : 0),
  };
}

/** Pins as units (together-groups merged transitively) and apart sets; throws PinError when they contradict. */
function pinUnits(members: readonly ProposalMember[], pins: Pins, maxSize: number) {
  const index = new Map(members.map((m, i) => [m.code, i]));
  const parent = members.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (const group of pins.together ?? []) {
    const ids = group.map((c) => index.get(c)!).filter((i) => i !== undefined);
    for (const i of ids.slice(1)) parent[find(i)] = find(ids[0]!);
  }
  const byRoot = new Map<number, number[]>();
  members.forEach((_, i) => byRoot.set(find(i), [...(byRoot.get(find(i)) ?? []), i]));
  const units = [...byRoot.values()].sort((a, b) => a[0]! - b[0]!);
  for (const u of units) {
    if (u.length > maxSize) throw new PinError('pin-too-large', `${danishList(u.map((i) => members[i]!.name))} are pinned together: ${u.length} members, more than the maximum cluster size of ${maxSize}`);
  }
  const apartOf = members.map(() => new Set<number>());
  for (const group of pins.apart ?? []) {
    const ids = group.map((c) => index.get(c)!).filter((i) => i !== undefined);
    for (const a of ids) for (const b of ids) if (a !== b) {
      if (find(a) === find(b)) throw new PinError('pin-conflict', `${members[a]!.name} and ${members[b]!.name} are pinned both together and apart`);
      apartOf[a]!.add(b);
    }
  }
  // Apart relations hold between units: mark every member of a unit apart from every member of the other.
  for (const u of units) for (const a of u) for (const b of [...apartOf[a]!]) for (const w of units.find((x) => x.includes(b))!) apartOf[a]!.add(w);
  return { units, apartOf };
}

/**
 * The proposal by travel. Members need a location (`locate`); pins name member codes (codes of non-members
 * are ignored here: the caller checks them).
 */
export function proposeByTravel<M extends ProposalMember>(members: readonly M[], minSize: number, maxSize: number, locate: Locate, pins: Pins = {}): TravelProposal<M> {
  if (!Number.isInteger(minSize) || !Number.isInteger(maxSize) || minSize < 1 || maxSize < minSize) {
    throw new RangeError(`invalid cluster size bounds ${minSize}–${maxSize}`);
  }
  if (members.length === 0) {
    return { method: 'travel', clusters: [], notes: ['There are no active members to group'], problems: [], minSize, maxSize, largestKm: 0, meanKm: 0 };
  }
  const sorted = [...members].sort((a, b) => a.code - b.code);
  const n = sorted.length;
  const notes: string[] = [];
  let ks: number[];
  let lo = minSize;
  let hi = maxSize;
  if (splittable(n, minSize, maxSize)) {
    ks = clusterCounts(n, minSize, maxSize);
  } else {
    // No grouping fits the bounds: the nearest one, as the region-first proposal chooses its sizes.
    const nearest = proposeClusters(sorted, minSize, maxSize).clusters.map((c) => c.size);
    ks = [nearest.length];
    lo = Math.min(...nearest);
    hi = Math.max(...nearest);
    notes.push(`${n} active ${n === 1 ? 'member' : 'members'} cannot be split into clusters of ${minSize === maxSize ? minSize : `${minSize}–${maxSize}`}; this is the nearest grouping`);
  }
  const { units, apartOf } = pinUnits(sorted, pins, hi);
  const index = new Map(sorted.map((m, i) => [m.code, i]));
  const starts: number[][][] = [];
  if (lo === minSize && hi === maxSize) {
    const byRegion = proposeClusters(sorted, minSize, maxSize);
    starts.push(byRegion.clusters.map((c) => c.municipalities.map((m) => index.get(m.code)!)));
  }
  // The numbers of clusters nearest the middle of the bounds: the smallest largest travel wins; on a tie (an outlier such as
  // Bornholm decides the largest whatever the number), the number nearest the middle of the bounds.
  let best: { groups: number[][]; largest: number; total: number } | null = null;
  // The two numbers nearest the middle of the bounds (each takes a search of its own).
  for (const k of ks.slice(0, 2)) {
    const found = search(sorted, locate, k, lo, hi, units, apartOf, starts);
    if (found && (!best || found.largest < best.largest - 1e-9)) best = found;
  }
  if (!best) throw new PinError('pins-unsatisfiable', `No grouping in clusters of ${lo === hi ? lo : `${lo}–${hi}`} members keeps every pin`);
  return describe('travel', best.groups.map((g) => g.map((i) => sorted[i]!)), locate, minSize, maxSize, notes);
}
