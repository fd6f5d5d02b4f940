// Theme proposals: propose, vote once, ranking, accept/decline, who may see what, only the network's own
// participants propose and vote, and the season's theme coverage report.
import t from 'tap';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { tokenNetworks } from '../db/schema.js';
import { createToken } from '../server/auth/tokens.js';
import { countThemes } from '../server/proposals/theme-coverage.js';
import { futureDate, makeApp, ok, problem, type TestApp } from './helpers.js';

const SLUG = 'kl-konsulentnetvaerk-2019-2020';
const base = `/api/v1/networks/${SLUG}/proposals`;



async function must(res: Promise<LightMyRequestResponse>, status = 201) {
  const r = await res;
  if (r.statusCode !== status) throw new Error(`${r.statusCode} ${r.body}`);
  return r.json();
}

async function people(a: TestApp, n: number, slug = SLUG): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= n; i++) {
    ids.push((await must(a.as({ method: 'POST', url: `/api/v1/networks/${slug}/participants`, payload: { name: `Stemmer ${i}`, email: `stemmer${i}@kommune.dk` } }))).id);
  }
  return ids;
}

const propose = (a: TestApp, payload: Record<string, unknown>, url = base) => a.as({ method: 'POST', url, payload });
const voteFor = (a: TestApp, id: string, participantId: string) => a.as({ method: 'POST', url: `/api/v1/proposals/${id}/votes`, payload: { participantId } });

t.test('propose, vote once, withdraw, ranking', async (t) => {
  const a = await makeApp(t, { seed: true });
  const [p1, p2, p3] = await people(a, 3);
  const upcoming = await must(a.as({ method: 'POST', url: `/api/v1/networks/${SLUG}/meetings`, payload: { title: 'Forårsmøde', date: futureDate(), startTime: '10:00', status: 'announced' } }));
  const seeded = (await a.app.inject({ url: `/api/v1/networks/${SLUG}/meetings` })).json().data[0];

  const first = ok(t, await propose(a, { participantId: p1, title: 'Sprogvurderinger', description: 'Hvad virker?', meetingId: upcoming.id }), 201);
  t.match(first, { id: /^prp_/, networkSlug: SLUG, meetingId: upcoming.id, title: 'Sprogvurderinger', description: 'Hvad virker?', status: 'open', votes: 0, theme: null, item: null, decisionNote: '', decidedAt: null, participantId: p1 });
  const second = ok(t, await propose(a, { participantId: p2, title: 'Overgang til skole' }), 201);
  const third = ok(t, await propose(a, { participantId: p3, title: 'Fravær' }), 201);

  problem(t, await propose(a, { participantId: 'par_nobody', title: 'x' }), 400, 'unknown-participant');
  problem(t, await propose(a, { participantId: p1, title: 'x', meetingId: seeded.id }), 400, 'invalid-meeting');
  problem(t, await propose(a, { participantId: p1, title: 'x', meetingId: 'mtg_nope' }), 400, 'invalid-meeting');
  await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'andet', name: 'Andet' } });
  const foreign = await must(a.as({ method: 'POST', url: '/api/v1/networks/andet/meetings', payload: { title: 'x', date: futureDate(), startTime: '10:00', status: 'announced' } }));
  problem(t, await propose(a, { participantId: p1, title: 'x', meetingId: foreign.id }), 400, 'invalid-meeting');
  problem(t, await propose(a, { participantId: p1, title: '' }), 400, 'validation-failed');
  problem(t, await propose(a, { participantId: p1, title: 'x' }, '/api/v1/networks/findes-ikke/proposals'), 404, 'not-found');

  // Votes: once per participant and proposal.
  t.match(ok(t, await voteFor(a, second.id, p1!), 201), { proposalId: second.id, participantId: p1, votes: 1 });
  problem(t, await voteFor(a, second.id, p1!), 409, 'already-voted');
  ok(t, await voteFor(a, second.id, p2!), 201);
  ok(t, await voteFor(a, third.id, p1!), 201);
  ok(t, await voteFor(a, first.id, p3!), 201);
  problem(t, await voteFor(a, second.id, 'par_nobody'), 400, 'unknown-participant');
  problem(t, await voteFor(a, 'prp_nope', p1!), 404, 'not-found');

  // Ranked by votes, then oldest first: second (2), first (1, older), third (1).
  const rank = async (q = '') => ok(t, await a.app.inject({ url: `${base}${q}` })).data.map((p: { id: string; votes: number }) => [p.id, p.votes]);
  t.same(await rank(), [[second.id, 2], [first.id, 1], [third.id, 1]]);
  const page1 = ok(t, await a.app.inject({ url: `${base}?limit=2` }));
  const page2 = ok(t, await a.app.inject({ url: `${base}?limit=2&cursor=${page1.nextCursor}` }));
  t.same([...page1.data, ...page2.data].map((p: { id: string }) => p.id), [second.id, first.id, third.id], 'pages in rank order');
  t.equal(page2.nextCursor, null);
  t.same(await rank(`?meetingId=${upcoming.id}`), [[first.id, 1]], 'filter by meeting');

  // Withdrawing a vote changes the ranking.
  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/proposals/${second.id}/votes/${p1}` })).statusCode, 204);
  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/proposals/${second.id}/votes/${p2}` })).statusCode, 204);
  problem(t, await a.as({ method: 'DELETE', url: `/api/v1/proposals/${second.id}/votes/${p2}` }), 404, 'not-found');
  t.same(await rank(), [[first.id, 1], [third.id, 1], [second.id, 0]]);
  ok(t, await voteFor(a, second.id, p1!), 201);
});

t.test('accept and decline', async (t) => {
  const a = await makeApp(t, { seed: true });
  const [p1, p2] = await people(a, 2);
  const m = await must(a.as({ method: 'POST', url: `/api/v1/networks/${SLUG}/meetings`, payload: { title: 'Møde', date: futureDate(), startTime: '10:00', status: 'announced' } }));
  const item = await must(a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { title: 'Oplæg om sprog', kind: 'presentation', startTime: '10:00', endTime: '11:00' } }));
  await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'andet', name: 'Andet' } });
  await a.as({ method: 'POST', url: '/api/v1/networks/andet/themes', payload: { key: 'fremmed', name: 'Fremmed' } });
  const om = await must(a.as({ method: 'POST', url: '/api/v1/networks/andet/meetings', payload: { title: 'x', date: futureDate(), startTime: '10:00', status: 'announced' } }));
  const foreignItem = await must(a.as({ method: 'POST', url: `/api/v1/meetings/${om.id}/items`, payload: { title: 'x', kind: 'other', startTime: '10:00', endTime: '11:00' } }));

  const prop = ok(t, await propose(a, { participantId: p1, title: 'Sprog' }), 201);
  const other = ok(t, await propose(a, { participantId: p2, title: 'Noget helt andet' }), 201);
  const accept = (id: string, payload: Record<string, unknown>) => a.as({ method: 'POST', url: `/api/v1/proposals/${id}/accept`, payload });

  problem(t, await accept(prop.id, {}), 400, 'link-required');
  problem(t, await accept(prop.id, { note: 'ja' }), 400, 'link-required');
  problem(t, await accept(prop.id, { themeKey: 'fremmed' }), 400, 'unknown-theme');
  problem(t, await accept(prop.id, { itemId: foreignItem.id }), 400, 'item-not-in-network');
  problem(t, await accept(prop.id, { itemId: 'itm_nope' }), 400, 'item-not-in-network');
  problem(t, await accept('prp_nope', { themeKey: 'ny-viden' }), 404, 'not-found');
  t.equal(ok(t, await a.as({ url: `/api/v1/proposals/${prop.id}` })).status, 'open', 'refusals change nothing');

  const accepted = ok(t, await accept(prop.id, { themeKey: 'ny-viden', itemId: item.id, note: 'Tages op på forårsmødet' }));
  t.match(accepted, {
    status: 'accepted',
    theme: { key: 'ny-viden', name: 'Ny viden fra forskning og undersøgelser' },
    item: { id: item.id, title: 'Oplæg om sprog', meetingId: m.id },
    decisionNote: 'Tages op på forårsmødet',
    decidedAt: /Z$/,
  });
  problem(t, await voteFor(a, prop.id, p2!), 409, 'proposal-closed');

  // The public sees the theme, but the item only once it is released.
  const pub = ok(t, await a.app.inject({ url: `/api/v1/proposals/${prop.id}` }));
  t.match(pub, { status: 'accepted', theme: { key: 'ny-viden' }, item: null });
  t.notOk('participantId' in pub, 'never who proposed');
  await must(a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/releases`, payload: {} }));
  t.match(ok(t, await a.app.inject({ url: `/api/v1/proposals/${prop.id}` })).item, { id: item.id, title: 'Oplæg om sprog' });

  const declined = ok(t, await a.as({ method: 'POST', url: `/api/v1/proposals/${other.id}/decline`, payload: { note: 'Uden for netværkets formål' } }));
  t.match(declined, { status: 'declined', theme: null, item: null, decisionNote: 'Uden for netværkets formål' });
  // A decision can be revised; declining without a body is fine.
  const revised = ok(t, await a.as({ method: 'POST', url: `/api/v1/proposals/${prop.id}/decline` }));
  t.match(revised, { status: 'declined', theme: null, item: null, decisionNote: '' });
  t.match(ok(t, await accept(prop.id, { themeKey: 'aktuelt' })), { status: 'accepted', theme: { key: 'aktuelt' }, item: null });

  const byStatus = async (status: string) => ok(t, await a.app.inject({ url: `${base}?status=${status}` })).data.map((p: { id: string }) => p.id);
  t.same(await byStatus('accepted'), [prop.id]);
  t.same(await byStatus('declined'), [other.id]);
  t.same(await byStatus('open'), []);
});

t.test('who may write, and who sees who proposed or voted', async (t) => {
  const a = await makeApp(t, { seed: true });
  await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'andet', name: 'Andet' } });
  const [p1, p2] = await people(a, 2);
  const draft = await must(a.as({ method: 'POST', url: `/api/v1/networks/${SLUG}/meetings`, payload: { title: 'Kladde', date: futureDate(), startTime: '10:00' } }));
  const tok = (role: 'coordinator' | 'reader', slug: string) => {
    const created = createToken(a.app.db, { name: `${role}-${slug}`, role });
    a.app.db.insert(tokenNetworks).values({ tokenId: created.token.id, networkSlug: slug }).run();
    return { authorization: `Bearer ${created.raw}` };
  };
  const own = tok('coordinator', SLUG);
  const reader = tok('reader', SLUG);
  const stranger = tok('coordinator', 'andet');
  const inject = (o: InjectOptions) => a.app.inject(o);
  const payload = { participantId: p1, title: 'Forældresamarbejde', meetingId: draft.id };

  problem(t, await inject({ method: 'POST', url: base, payload }), 401, 'unauthorized');
  problem(t, await inject({ method: 'POST', url: base, payload, headers: reader }), 403, 'forbidden');
  problem(t, await inject({ method: 'POST', url: base, payload, headers: stranger }), 403, 'forbidden');
  const prop = ok(t, await inject({ method: 'POST', url: base, payload, headers: own }), 201);
  for (const [method, url, body] of [
    ['POST', `/api/v1/proposals/${prop.id}/votes`, { participantId: p2 }],
    ['POST', `/api/v1/proposals/${prop.id}/accept`, { themeKey: 'aktuelt' }],
    ['POST', `/api/v1/proposals/${prop.id}/decline`, {}],
    ['DELETE', `/api/v1/proposals/${prop.id}/votes/${p2}`, undefined],
  ] as const) {
    problem(t, await inject({ method, url, payload: body, headers: stranger }), 403, 'forbidden');
    problem(t, await inject({ method, url, payload: body }), 401, 'unauthorized');
  }
  ok(t, await inject({ method: 'POST', url: `/api/v1/proposals/${prop.id}/votes`, payload: { participantId: p2 }, headers: own }), 201);

  // Public readers and other networks' tokens: no author, and no draft meeting.
  for (const headers of [undefined, stranger]) {
    const res = await inject({ url: base, headers });
    const [seen] = ok(t, res).data;
    t.match(seen, { id: prop.id, title: 'Forældresamarbejde', votes: 1, meetingId: null });
    t.notOk('participantId' in seen);
    for (const s of [p1!, p2!, 'Stemmer']) t.notOk(res.body.includes(s), `no ${s}`);
    t.same(ok(t, await inject({ url: `${base}?meetingId=${draft.id}`, headers })).data, [], 'nothing under a draft meeting');
  }
  t.same(ok(t, await inject({ url: `${base}?meetingId=${draft.id}`, headers: reader })).data.map((p: { id: string }) => p.id), [prop.id]);
  for (const headers of [own, reader]) {
    t.match(ok(t, await inject({ url: `/api/v1/proposals/${prop.id}`, headers })), { participantId: p1, meetingId: draft.id });
  }
  problem(t, await inject({ url: '/api/v1/proposals/prp_nope' }), 404, 'not-found');
});

t.test('only the network’s own participants propose and vote: another network’s is unknown, and nothing is written', async (t) => {
  const a = await makeApp(t, { seed: true });
  await must(a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'andet', name: 'Andet netværk' } }));
  const [own] = await people(a, 1);
  const [foreign] = await people(a, 1, 'andet');
  const ours = ok(t, await propose(a, { participantId: own, title: 'Overgange' }), 201);
  const theirs = ok(t, await propose(a, { participantId: foreign, title: 'Læsning' }, '/api/v1/networks/andet/proposals'), 201);
  const created = createToken(a.app.db, { name: 'koordinator', role: 'coordinator' });
  a.app.db.insert(tokenNetworks).values({ tokenId: created.token.id, networkSlug: SLUG }).run();
  const coordinator = { authorization: `Bearer ${created.raw}` };
  const dump = () => JSON.stringify(['theme_proposals', 'proposal_votes', 'participants', 'audit_log'].map((name) => a.app.db.$client.prepare(`SELECT * FROM ${name} ORDER BY rowid`).all()));
  const before = dump();
  for (const [label, headers] of [['admin', a.auth], ['coordinator', coordinator]] as const) {
    const proposed = problem(t, await a.app.inject({ method: 'POST', url: base, headers, payload: { participantId: foreign, title: 'Fremmed forslag' } }), 400, 'unknown-participant');
    t.same(proposed.errors.map((e: { path: string }) => e.path), ['body.participantId'], `${label}: proposing`);
    const voted = problem(t, await a.app.inject({ method: 'POST', url: `/api/v1/proposals/${ours.id}/votes`, headers, payload: { participantId: foreign } }), 400, 'unknown-participant');
    t.same(voted.errors.map((e: { path: string }) => e.path), ['body.participantId'], `${label}: voting`);
  }
  problem(t, await propose(a, { participantId: own, title: 'Forkert netværk' }, '/api/v1/networks/andet/proposals'), 400, 'unknown-participant');
  problem(t, await voteFor(a, theirs.id, own!), 400, 'unknown-participant');
  t.equal(dump(), before, 'nothing written');
  t.equal(ok(t, await a.as({ url: `/api/v1/proposals/${ours.id}` })).votes, 0);
  t.equal(ok(t, await a.as({ url: `/api/v1/proposals/${theirs.id}` })).votes, 0);
  // Each network's own participant votes in it.
  t.match(ok(t, await voteFor(a, ours.id, own!), 201), { votes: 1 });
  t.match(ok(t, await voteFor(a, theirs.id, foreign!), 201), { votes: 1 });
});

t.test('theme coverage: per meeting, per theme, proposals taken up', async (t) => {
  t.same(
    countThemes([
      { themes: [{ id: '1', key: 'b', name: 'B' }, { id: '2', key: 'a', name: 'A' }] },
      { themes: [{ id: '1', key: 'b', name: 'B' }] },
      { themes: [] },
    ]).map((c) => [c.theme.key, c.items]),
    [['a', 1], ['b', 2]],
    'countThemes counts items per theme, by key',
  );

  const a = await makeApp(t, { seed: true });
  const [p1, p2, p3] = await people(a, 3);
  const meetings = (await a.app.inject({ url: `/api/v1/networks/${SLUG}/meetings` })).json().data as { id: string; date: string }[];
  const [sep, jan, jun] = meetings;
  const item = (meetingId: string, title: string, startTime: string, endTime: string, themes: string[]) =>
    must(a.as({ method: 'POST', url: `/api/v1/meetings/${meetingId}/items`, payload: { title, kind: 'presentation', startTime, endTime, themes } }));
  const s1 = await item(sep!.id, 'Aktuelt fra KL', '10:00', '11:00', ['aktuelt', 'lovgivning']);
  await item(sep!.id, 'Ny forskning', '11:00', '12:00', ['ny-viden']);
  await item(sep!.id, 'Sparring', '13:00', '14:00', ['sparring', 'aktuelt']);
  await must(a.as({ method: 'POST', url: `/api/v1/meetings/${sep!.id}/releases`, payload: { note: 'Program' } }));
  // January: released with one item, then one more added to the working agenda only.
  await item(jan!.id, 'Økonomiaftalen', '10:00', '11:00', ['lovgivning']);
  await must(a.as({ method: 'POST', url: `/api/v1/meetings/${jan!.id}/releases`, payload: {} }));
  const unreleased = await item(jan!.id, 'Hemmeligt oplæg', '11:00', '12:00', ['ny-viden']);
  // June: nothing released. A draft meeting inside the season, with an item.
  await item(jun!.id, 'Sommerens tema', '10:00', '11:00', ['sparring']);
  const draft = await must(a.as({ method: 'POST', url: `/api/v1/networks/${SLUG}/meetings`, payload: { title: 'Ekstramøde', date: '2020-03-05', startTime: '10:00' } }));
  await item(draft.id, 'Kladdeoplæg', '10:00', '11:00', ['aktuelt']);
  const outside = await must(a.as({ method: 'POST', url: `/api/v1/networks/${SLUG}/meetings`, payload: { title: 'Næste sæson', date: '2020-09-10', startTime: '10:00', status: 'announced' } }));

  // Proposals: one accepted with a released item, one with an unreleased item, one declined, one open.
  const mk = async (participantId: string, title: string) => (await must(propose(a, { participantId, title }))).id as string;
  const acc1 = await mk(p1!, 'Lovgivning');
  const acc2 = await mk(p2!, 'Forskning');
  const dec = await mk(p3!, 'Afvist');
  await mk(p3!, 'Åben');
  await voteFor(a, acc2, p1!);
  await must(a.as({ method: 'POST', url: `/api/v1/proposals/${acc1}/accept`, payload: { themeKey: 'lovgivning', itemId: s1.id } }), 200);
  await must(a.as({ method: 'POST', url: `/api/v1/proposals/${acc2}/accept`, payload: { itemId: unreleased.id } }), 200);
  await must(a.as({ method: 'POST', url: `/api/v1/proposals/${dec}/decline`, payload: {} }), 200);

  const url = `/api/v1/networks/${SLUG}/theme-coverage`;
  const pub = ok(t, await a.app.inject({ url }));
  t.match(pub, { networkSlug: SLUG, version: 'released', from: '2019-09-11', to: '2020-06-03' });
  t.same(
    pub.meetings.map((m: { id: string; release: number | null; items: number; themes: { key: string; items: number }[] }) => [m.id, m.release, m.items, m.themes.map((x) => `${x.key}:${x.items}`)]),
    [
      [sep!.id, 1, 3, ['aktuelt:2', 'lovgivning:1', 'ny-viden:1', 'sparring:1']],
      [jan!.id, 1, 1, ['lovgivning:1']],
      [jun!.id, null, 0, []],
    ],
    'public: released agendas of announced meetings in the season, in date order',
  );
  type Covered = { key: string; items: number; meetings: { id: string; items: number }[] };
  const theme = (report: { themes: Covered[] }, key: string) => report.themes.find((x) => x.key === key)!;
  t.same(pub.themes.map((x: { key: string }) => x.key), ['aktuelt', 'lovgivning', 'ny-viden', 'sparring'], 'every theme of the network');
  t.match(theme(pub, 'lovgivning'), { items: 2, meetings: [{ id: sep!.id, items: 1 }, { id: jan!.id, items: 1 }] });
  t.match(theme(pub, 'ny-viden'), { items: 1, meetings: [{ id: sep!.id }] });
  t.same(pub.proposals.accepted.map((p: { id: string; votes: number }) => [p.id, p.votes]), [[acc2, 1], [acc1, 0]], 'accepted, by votes');
  t.match(pub.proposals.accepted[1], { theme: { key: 'lovgivning' }, item: { id: s1.id, title: 'Aktuelt fra KL', meetingId: sep!.id } });
  t.equal(pub.proposals.accepted[0].item, null, 'an unreleased item is not shown to the public');
  t.match(pub.proposals, { declined: 1, open: 1 });
  const body = JSON.stringify(pub);
  for (const s of ['Hemmeligt oplæg', 'Kladdeoplæg', 'Ekstramøde', 'Sommerens tema', 'Stemmer']) t.notOk(body.includes(s), `public report has no ${s}`);

  // With a token: the working agendas, drafts included.
  const work = ok(t, await a.as({ url }));
  t.equal(work.version, 'working');
  t.same(
    work.meetings.map((m: { title: string; items: number }) => [m.title, m.items]),
    [
      ['Netværksmøde 11. september 2019', 3],
      ['Netværksmøde 16. januar 2020', 2],
      ['Ekstramøde', 1],
      ['Netværksmøde 3. juni 2020', 1],
    ],
  );
  t.match(theme(work, 'ny-viden'), { items: 2 });
  t.match(work.proposals.accepted[0], { id: acc2, item: { id: unreleased.id, title: 'Hemmeligt oplæg' } });
  t.equal(ok(t, await a.as({ url: `${url}?version=released` })).version, 'released');
  problem(t, await a.app.inject({ url: `${url}?version=working` }), 401, 'unauthorized');

  // Another range: the next season.
  const next = ok(t, await a.app.inject({ url: `${url}?from=2020-08-01&to=2021-07-31` }));
  t.same(next.meetings.map((m: { id: string }) => m.id), [outside.id]);
  problem(t, await a.app.inject({ url: '/api/v1/networks/findes-ikke/theme-coverage' }), 404, 'not-found');
  problem(t, await a.app.inject({ url: `${url}?from=2020-13-01` }), 400, 'validation-failed');
});
