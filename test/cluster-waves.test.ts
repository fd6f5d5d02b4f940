// Proposals by travel through the API (explanations, pins, `by: region`) and waves: members signed up by
// the network's deadline form wave 1, later ones wave 2, proposed and confirmed separately (`?wave=`).
import t, { type Test } from 'tap';
import { and, eq } from 'drizzle-orm';
import { MUNICIPALITIES } from '../db/municipalities.js';
import { PROGRAMME_SLUG } from '../db/seed-data.js';
import { members } from '../db/schema.js';
import { waveOf } from '../server/clusters/clusters.repository.js';
import { makeApp, ok, problem, type TestApp } from './helpers.js';

const signUp = async (a: TestApp, slug: string, codes: number[]) => {
  for (const code of codes) {
    const res = await a.as({ method: 'POST', url: `/api/v1/networks/${slug}/members?override=true`, payload: { municipalityCode: code, contact: { name: `Kontakt ${code}`, email: `k${code}@kommune.dk` } } });
    if (res.statusCode !== 201) throw new Error(`sign-up of ${code} failed: ${res.body}`);
  }
};
/** Sets when members signed up (the API stamps the real time; a wave test needs 2016). */
const signedUpAt = (a: TestApp, slug: string, codes: number[], at: string) => {
  for (const code of codes) a.app.db.update(members).set({ signedUpAt: at }).where(and(eq(members.networkSlug, slug), eq(members.municipalityCode, code))).run();
};
type ApiCluster = { id: string; name: string; wave: number | null; municipalities: { code: number }[]; host: { code: number }; largestKm: number; meanKm: number; explanation: string };
const codes = (c: { municipalities: { code: number }[] }) => c.municipalities.map((m) => m.code);
const url = `/api/v1/networks/${PROGRAMME_SLUG}/clusters/propose`;

t.test('the proposal by travel explains each cluster; by region is still there', async (t) => {
  const a = await makeApp(t, { seed: true });
  await signUp(a, PROGRAMME_SLUG, MUNICIPALITIES.map((m) => m.code));
  const p = ok(t, await a.as({ method: 'POST', url }));
  t.match(p, { method: 'travel', wave: null, members: 98, problems: [] });
  t.equal(p.clusters.length, 14);
  for (const c of p.clusters as ApiCluster[]) {
    t.ok(codes(c).includes(c.host.code), `${c.name}: the host is a member`);
    t.ok(c.largestKm >= c.meanKm && c.largestKm < 150, `${c.name}: largest ${c.largestKm} km`);
    t.match(c.explanation, /is the most central member: the others are at most [\d.]+ km away/);
  }
  t.equal(p.largestKm, Math.max(...p.clusters.map((c: ApiCluster) => c.largestKm)));
  t.notMatch(JSON.stringify(p), /Kontakt|@kommune/, 'no contact data');
  const byRegion = ok(t, await a.as({ method: 'POST', url, payload: { by: 'region' } }));
  t.match(byRegion, { method: 'region', members: 98 });
  t.ok(byRegion.clusters.some((c: { name: string }) => c.name === 'Klynge 7 – Region Sjælland og Region Nordjylland'), 'the region-first grouping');
  t.ok(p.largestKm < byRegion.largestKm && p.meanKm < byRegion.meanKm, `travel ${p.largestKm}/${p.meanKm} km, region-first ${byRegion.largestKm}/${byRegion.meanKm} km`);
});

t.test('pins through the API, and their errors', async (t) => {
  const a = await makeApp(t, { seed: true });
  // North Zealand and Copenhagen: 14 members, two clusters.
  const fourteen = [101, 147, 151, 157, 159, 173, 175, 201, 210, 217, 219, 223, 230, 260];
  await signUp(a, PROGRAMME_SLUG, fourteen);
  const plain = ok(t, await a.as({ method: 'POST', url }));
  const clusterOf = (p: { clusters: ApiCluster[] }, code: number) => p.clusters.findIndex((c) => codes(c).includes(code));
  t.not(clusterOf(plain, 101), clusterOf(plain, 217), 'København and Helsingør apart without pins');
  const pinned = ok(t, await a.as({ method: 'POST', url, payload: { pins: { together: [[101, 217]], apart: [[147, 157]] } } }));
  t.equal(clusterOf(pinned, 101), clusterOf(pinned, 217), 'pinned together');
  t.not(clusterOf(pinned, 147), clusterOf(pinned, 157), 'pinned apart');
  t.ok(pinned.clusters.every((c: ApiCluster) => c.municipalities.length >= 6 && c.municipalities.length <= 8));

  const notMember = problem(t, await a.as({ method: 'POST', url, payload: { pins: { together: [[101, 851]] } } }), 400, 'not-a-member');
  t.same(notMember.errors.map((e: { path: string }) => e.path), ['body.pins.together.0.1']);
  problem(t, await a.as({ method: 'POST', url, payload: { pins: { together: [[101, 147]], apart: [[147, 101]] } } }), 400, 'pin-conflict');
  problem(t, await a.as({ method: 'POST', url, payload: { pins: { together: [fourteen.slice(0, 9)] } } }), 400, 'pin-too-large');
  problem(t, await a.as({ method: 'POST', url, payload: { pins: { apart: [[101, 147, 151]] } } }), 409, 'pins-unsatisfiable');
  problem(t, await a.as({ method: 'POST', url, payload: { by: 'region', pins: { together: [[101, 147]] } } }), 400, 'pins-need-travel');
  problem(t, await a.as({ method: 'POST', url, payload: { pins: { together: [[101]] } } }), 400, 'validation-failed');
  problem(t, await a.as({ method: 'POST', url, payload: { by: 'crow' } }), 400, 'validation-failed');
});

t.test('waves: by the deadline or after it, proposed and confirmed separately', async (t) => {
  const a = await makeApp(t, { seed: true });
  // The programme's deadline is 2016-06-01T23:59 Copenhagen time (21:59 UTC in summer).
  const first = [101, 147, 151, 153, 155, 157, 159, 161, 163, 165, 167, 169, 173, 175];
  const later = [461, 479, 480, 482, 492, 410, 420];
  await signUp(a, PROGRAMME_SLUG, [...first, ...later]);
  signedUpAt(a, PROGRAMME_SLUG, first.slice(0, 13), '2016-05-20T08:00:00.000Z');
  signedUpAt(a, PROGRAMME_SLUG, first.slice(13), '2016-06-01T21:59:59.000Z'); // 23:59:59 local: still wave 1
  signedUpAt(a, PROGRAMME_SLUG, later, '2016-06-01T22:00:00.000Z'); // 00:00 on 2 June: wave 2
  t.equal(waveOf('2016-06-01T21:59:59.000Z', { signupDeadline: '2016-06-01T23:59', timeZone: 'Europe/Copenhagen' }), 1);
  t.equal(waveOf('2016-06-01T22:00:00.000Z', { signupDeadline: '2016-06-01T23:59', timeZone: 'Europe/Copenhagen' }), 2);
  t.equal(waveOf('2030-01-01T00:00:00.000Z', { signupDeadline: null, timeZone: 'Europe/Copenhagen' }), 1, 'no deadline: all wave 1');

  const one = ok(t, await a.as({ method: 'POST', url: `${url}?wave=1` }));
  t.match(one, { wave: 1, members: 14 });
  t.same(one.clusters.flatMap(codes).sort(), [...first].sort());
  const two = ok(t, await a.as({ method: 'POST', url: `${url}?wave=2` }));
  t.match(two, { wave: 2, members: 7 });
  t.same(two.clusters.flatMap(codes).sort(), [...later].sort());
  t.equal(ok(t, await a.as({ method: 'POST', url })).members, 21, 'without a wave: all');
  problem(t, await a.as({ method: 'POST', url: `${url}?wave=3` }), 400, 'validation-failed');
  // A pin of the other wave's member is refused.
  problem(t, await a.as({ method: 'POST', url: `${url}?wave=2`, payload: { pins: { together: [[461, 101]] } } }), 400, 'not-a-member');

  const confirmUrl = `/api/v1/networks/${PROGRAMME_SLUG}/clusters`;
  const body = (p: { clusters: ApiCluster[] }) => ({ clusters: p.clusters.map((c) => ({ name: c.name, municipalityCodes: codes(c) })) });
  const w1 = ok(t, await a.as({ method: 'PUT', url: `${confirmUrl}?wave=1`, payload: body(one) })).data as ApiCluster[];
  t.equal(w1.length, 2);
  t.ok(w1.every((c) => c.wave === 1));
  // Wave 2's confirmation keeps wave 1's clusters.
  const named = { clusters: two.clusters.map((c: ApiCluster) => ({ name: `Bølge 2 – ${c.name}`, facilitator: 'Søren Ærø', municipalityCodes: codes(c) })) };
  const all = ok(t, await a.as({ method: 'PUT', url: `${confirmUrl}?wave=2`, payload: named })).data as (ApiCluster & { facilitator: string })[];
  t.equal(all.length, 3);
  t.same(all.filter((c) => c.wave === 1).map((c) => c.id).sort(), w1.map((c) => c.id).sort(), 'wave 1 untouched');
  t.match(all.find((c) => c.wave === 2), { facilitator: 'Søren Ærø', municipalities: later.sort((x, y) => x - y).map((code) => ({ code })) });
  // A wave-1 member cannot be confirmed in wave 2.
  const wrong = problem(t, await a.as({ method: 'PUT', url: `${confirmUrl}?wave=2`, payload: { clusters: [{ name: 'X', municipalityCodes: [...later.slice(0, 6), 101] }] } }), 400, 'not-a-member');
  t.match(wrong.errors[0].message, /in wave 2/);
  // Re-confirming wave 1 as empty removes its clusters only; wave 1's members are then in none.
  const left = ok(t, await a.as({ method: 'PUT', url: `${confirmUrl}?wave=1`, payload: { clusters: [] } })).data as ApiCluster[];
  t.same(left.map((c) => c.wave), [2]);
  const member = ok(t, await a.as({ url: `/api/v1/networks/${PROGRAMME_SLUG}/members/101` }));
  t.equal(member.clusterId, null);
  t.not(ok(t, await a.as({ url: `/api/v1/networks/${PROGRAMME_SLUG}/members/461` })).clusterId, null);
});

t.test('a cluster’s facilitator is named with PATCH', async (t: Test) => {
  const a = await makeApp(t, { seed: true });
  await signUp(a, PROGRAMME_SLUG, [101, 147, 151, 153, 155, 157]);
  const [c] = ok(t, await a.as({ method: 'PUT', url: `/api/v1/networks/${PROGRAMME_SLUG}/clusters`, payload: { clusters: [{ name: 'Øst', municipalityCodes: [101, 147, 151, 153, 155, 157] }] } })).data;
  t.match(c, { facilitator: '', wave: null });
  const named = ok(t, await a.as({ method: 'PATCH', url: `/api/v1/clusters/${c.id}`, payload: { facilitator: 'Åse Øgaard' } }));
  t.match(named, { name: 'Øst', facilitator: 'Åse Øgaard' });
  problem(t, await a.as({ method: 'PATCH', url: `/api/v1/clusters/${c.id}`, payload: { facilitator: 'a\u0000b' } }), 400, 'validation-failed');
});
