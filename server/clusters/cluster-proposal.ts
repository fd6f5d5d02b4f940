// Proposes a grouping of member municipalities into clusters (klynger) of minSize–maxSize members that
// keeps the municipalities of one region together where it can. Pure: nothing is read or stored.
//
//  1. Regions in order of their lowest code, members by code. A region whose n members can be split into
//     k clusters with minSize·k ≤ n ≤ maxSize·k gets clusters of its own.
//  2. The other regions form a pool, split the same way but filled region by region: the pool, in region
//     order, is cut into consecutive clusters chosen (by dynamic programming) to have as few mixed clusters
//     as possible, then as few regions per mixed cluster, then sizes as near the middle of the bounds.
//  3. If the pool cannot be split within the bounds, the fewest members of self-sufficient regions join it
//     (they may still end up in clusters of their own region). If no grouping at all keeps every cluster
//     within the bounds, the nearest one is returned (least total distance outside the bounds), and
//     `problems` names each cluster out of bounds and why.

export interface ProposalMember {
  code: number;
  name: string;
  region: string;
}

export interface ProposedCluster<M extends ProposalMember = ProposalMember> {
  name: string;
  municipalities: M[];
  regions: string[];
  size: number;
}

export interface ProposalProblem {
  /** The name of the cluster out of bounds. */
  cluster: string;
  size: number;
  message: string;
}

export interface Proposal<M extends ProposalMember = ProposalMember> {
  clusters: ProposedCluster<M>[];
  /** Where regions had to be mixed, or the bounds could not be met. */
  notes: string[];
  problems: ProposalProblem[];
  minSize: number;
  maxSize: number;
}

/** Whether n members can be split into clusters of min–max members. */
export function splittable(n: number, min: number, max: number): boolean {
  if (n === 0) return true;
  return min * Math.ceil(n / max) <= n;
}

type Cost = [mixed: number, extraRegions: number, spread: number];

const add = (a: Cost, b: Cost): Cost => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const less = (a: Cost, b: Cost) => a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] < b[1] : a[2] < b[2];

/**
 * Cuts a sequence (region by region) into consecutive clusters of min–max members: fewest mixed clusters,
 * then fewest regions per mixed cluster, then sizes nearest the middle. Null when no such cut exists.
 */
function cut(seq: readonly ProposalMember[], min: number, max: number): number[] | null {
  const n = seq.length;
  const mid = (min + max) / 2;
  const best: (Cost | null)[] = new Array<Cost | null>(n + 1).fill(null);
  const from = new Array<number>(n + 1).fill(-1);
  best[0] = [0, 0, 0];
  for (let i = min; i <= n; i++) {
    for (let size = min; size <= Math.min(max, i); size++) {
      const j = i - size;
      const before = best[j];
      if (!before) continue;
      const regions = new Set(seq.slice(j, i).map((m) => m.region)).size;
      const cost = add(before, [regions > 1 ? 1 : 0, regions - 1, (size - mid) ** 2]);
      const current = best[i];
      if (!current || less(cost, current)) {
        best[i] = cost;
        from[i] = j;
      }
    }
  }
  if (!best[n]) return null;
  const sizes: number[] = [];
  for (let i = n; i > 0; i = from[i]!) sizes.unshift(i - from[i]!);
  return sizes;
}

/** Sizes as even as possible for n members in k clusters, larger first. */
function evenSizes(n: number, k: number): number[] {
  return Array.from({ length: k }, (_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0));
}

const outside = (size: number, min: number, max: number) => (size < min ? min - size : size > max ? size - max : 0);

/** When no cut keeps every cluster within the bounds: the even split with the least total distance outside them. */
function nearestSizes(n: number, min: number, max: number): number[] {
  let best: { sizes: number[]; distance: number; offenders: number } | null = null;
  for (let k = 1; k <= Math.max(1, Math.ceil(n / min) + 1) && k <= n; k++) {
    const sizes = evenSizes(n, k);
    const distance = sizes.reduce((sum, s) => sum + outside(s, min, max), 0);
    const offenders = sizes.filter((s) => outside(s, min, max) > 0).length;
    if (!best || distance < best.distance || (distance === best.distance && offenders < best.offenders)) {
      best = { sizes, distance, offenders };
    }
  }
  return best ? best.sizes : [];
}

function chunks<T>(seq: T[], sizes: number[]): T[][] {
  const out: T[][] = [];
  let at = 0;
  for (const size of sizes) {
    out.push(seq.slice(at, at + size));
    at += size;
  }
  return out;
}

/** "A", "A og B", "A, B og C". */
export function danishList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} og ${items[items.length - 1]}`;
}

const bounds = (min: number, max: number) => (min === max ? `${min}` : `${min}–${max}`);
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Subsets of `items` in the order of the given score (ascending), the empty set first. */
function subsetsBy<T>(items: T[], score: (subset: T[]) => number): T[][] {
  const all: T[][] = [];
  // Regions are few (Denmark has five); beyond 12 only the subsets of one region and all of them.
  if (items.length <= 12) {
    for (let mask = 0; mask < 1 << items.length; mask++) all.push(items.filter((_, i) => mask & (1 << i)));
  } else {
    all.push([], ...items.map((x) => [x]), items);
  }
  return all.map((s, i) => ({ s, i, score: score(s) })).sort((a, b) => a.score - b.score || a.s.length - b.s.length || a.i - b.i).map((x) => x.s);
}

export function proposeClusters<M extends ProposalMember>(members: readonly M[], minSize: number, maxSize: number): Proposal<M> {
  if (!Number.isInteger(minSize) || !Number.isInteger(maxSize) || minSize < 1 || maxSize < minSize) {
    throw new RangeError(`invalid cluster size bounds ${minSize}–${maxSize}`);
  }
  const range = bounds(minSize, maxSize);
  const notes: string[] = [];
  const problems: ProposalProblem[] = [];
  if (members.length === 0) {
    return { clusters: [], notes: ['There are no active members to group'], problems, minSize, maxSize };
  }

  // Regions in order of their lowest code, members by code.
  const sorted = [...members].sort((a, b) => a.code - b.code);
  const byRegion = new Map<string, M[]>();
  for (const m of sorted) byRegion.set(m.region, [...(byRegion.get(m.region) ?? []), m]);
  const regionOrder = [...byRegion.keys()];
  const ordered = (regions: Iterable<string>) => {
    const set = new Set(regions);
    return regionOrder.filter((r) => set.has(r)).flatMap((r) => byRegion.get(r)!);
  };

  const selfSufficient = regionOrder.filter((r) => splittable(byRegion.get(r)!.length, minSize, maxSize));
  const pooled = regionOrder.filter((r) => !selfSufficient.includes(r));
  const count = (regions: string[]) => regions.reduce((sum, r) => sum + byRegion.get(r)!.length, 0);
  for (const r of pooled) {
    notes.push(`${r} (${plural(byRegion.get(r)!.length, 'member', 'members')}) cannot be split into clusters of ${range} within the region`);
  }

  // The fewest members of self-sufficient regions that make the pool splittable.
  const joining = pooled.length === 0 ? [] : subsetsBy(selfSufficient, count).find((s) => splittable(count(pooled) + count(s), minSize, maxSize));

  const groups: M[][] = [];
  if (joining) {
    for (const r of selfSufficient.filter((x) => !joining.includes(x))) {
      const seq = byRegion.get(r)!;
      groups.push(...chunks(seq, cut(seq, minSize, maxSize)!));
    }
    if (pooled.length > 0) {
      for (const r of joining) {
        notes.push(`${r} (${plural(byRegion.get(r)!.length, 'member', 'members')}) could form clusters of its own but is grouped with ${danishList(pooled)} so that every cluster has ${range} members`);
      }
      const pool = ordered([...pooled, ...joining]);
      groups.push(...chunks(pool, cut(pool, minSize, maxSize)!));
    }
  } else {
    // No grouping keeps every cluster within the bounds: the nearest one, filled region by region.
    notes.push(`${plural(sorted.length, 'active member', 'active members')} cannot be split into clusters of ${range}; this is the nearest grouping`);
    const all = ordered(regionOrder);
    groups.push(...chunks(all, nearestSizes(all.length, minSize, maxSize)));
  }

  // Clusters in region order, then by their first code; named after their regions.
  const rank = (g: M[]) => regionOrder.indexOf(g[0]!.region);
  groups.sort((a, b) => rank(a) - rank(b) || a[0]!.code - b[0]!.code);
  const clusters = groups.map((group, i): ProposedCluster<M> => {
    const regions = regionOrder.filter((r) => group.some((m) => m.region === r));
    return { name: `Klynge ${i + 1} – ${danishList(regions)}`, municipalities: group, regions, size: group.length };
  });

  for (const c of clusters) {
    if (c.regions.length > 1) {
      const parts = c.regions.map((r) => `${r} (${c.municipalities.filter((m) => m.region === r).length})`);
      notes.push(`${c.name} mixes regions: ${parts.join(', ')}`);
    }
    if (c.size < minSize || c.size > maxSize) {
      const message =
        c.size < minSize
          ? `${c.name} has ${plural(c.size, 'member', 'members')}, ${minSize - c.size} fewer than the minimum of ${minSize}`
          : `${c.name} has ${c.size} members, ${c.size - maxSize} more than the maximum of ${maxSize}`;
      problems.push({ cluster: c.name, size: c.size, message });
      notes.push(message);
    }
  }
  return { clusters, notes, problems, minSize, maxSize };
}
