// Compares the region-first cluster proposal (server/clusters/cluster-proposal.ts, unchanged since before
// issue 15 and still reachable as `by: region`) with the proposal by travel (travel-proposal.ts): the
// largest and the mean great-circle distance from a member to its cluster's host (the most central member,
// chosen the same way for both), for all 98 municipalities and for subsets of 45 and 20 sign-ups, bounds 6–8.
//
// Subsets, both deterministic:
//  - "spread": every (98/n)-th municipality in code order (member i is taken when floor(i·n/98) steps up);
//  - "shuffled": the first n of the 98 in code order shuffled by a fixed-seed generator (mulberry32, seed 2016).
//
// Run: node --import tsx scripts/cluster-distances.ts
import { MUNICIPALITIES } from '../db/municipalities.js';
import { locateTownHall, proposeByRegion } from '../server/clusters/clusters.repository.js';
import { proposeByTravel } from '../server/clusters/travel-proposal.js';

const byCode = [...MUNICIPALITIES].sort((a, b) => a.code - b.code);

const spread = (n: number) => byCode.filter((_, i) => Math.floor((i * n) / 98) !== Math.floor(((i + 1) * n) / 98));

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
function shuffled(n: number) {
  const random = mulberry32(2016);
  const list = [...byCode];
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list.slice(0, n).sort((a, b) => a.code - b.code);
}

const rows: string[] = ['| members | subset | clusters (region-first / travel) | largest km region-first | largest km travel | mean km region-first | mean km travel | both lower |', '|---|---|---|---|---|---|---|---|'];
const notes: string[] = [];
const cases: [number, string, typeof byCode][] = [[98, 'all', byCode], [45, 'spread', spread(45)], [45, 'shuffled', shuffled(45)], [20, 'spread', spread(20)], [20, 'shuffled', shuffled(20)]];
for (const [n, subset, members] of cases) {
  const old = proposeByRegion(members, 6, 8);
  const neu = proposeByTravel(members, 6, 8, locateTownHall);
  const lower = neu.largestKm < old.largestKm && neu.meanKm < old.meanKm ? 'yes' : 'no';
  rows.push(`| ${n} | ${subset} | ${old.clusters.length} / ${neu.clusters.length} | ${old.largestKm} | ${neu.largestKm} | ${old.meanKm} | ${neu.meanKm} | ${lower} |`);
  // Which member travels farthest, to which host, in each proposal.
  const worst = (p: typeof neu) => {
    const c = p.clusters.find((x) => x.largestKm === p.largestKm)!;
    return `${c.explanation.match(/\(([^)]+)\)/)![1]} → ${c.host.name}`;
  };
  notes.push(`${n} ${subset}: farthest region-first ${worst(old)}, travel ${worst(neu)}${n < 98 ? `; members ${members.map((m) => m.code).join(' ')}` : ''}`);
}
process.stdout.write(rows.join('\n') + '\n\n' + notes.map((x) => `- ${x}`).join('\n') + '\n');
