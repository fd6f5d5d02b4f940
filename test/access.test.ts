// Scoped access: every write route × role × own/other network, and the database is unchanged after
// each refusal. Coordinators get the same 404 for another network's drafts as for a missing object; every
// participant, registration, proposal, vote, venue and speaker route likewise, where a participant of another
// network is as missing as one that never existed.
import t, { type Test } from 'tap';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp } from '../server/app.js';
import { createToken } from '../server/auth/tokens.js';
import { testConfig } from '../server/config.js';
import { tokenNetworks } from '../db/schema.js';
import { futureDate } from './helpers.js';

interface NetFixture {
  slug: string;
  announced: string;
  draft: string;
  trackAnnounced: string;
  trackDraft: string;
  itemAnnounced: string;
  itemDraft: string;
  /** A second track of the announced meeting, to move a registration to. */
  trackAnnounced2: string;
  /** Registered for the announced meeting, author of `proposal`, voted for it. */
  participant: string;
  /** Registered nowhere, voted nowhere. */
  participant2: string;
  registration: string;
  proposal: string;
  venue: string;
  speaker: string;
}

async function fixture(t: Test) {
  const app = await buildApp(testConfig({ seed: false }));
  t.teardown(() => app.close());
  const admin = `Bearer ${createToken(app.db, { name: 'admin', role: 'admin' }).raw}`;
  const inject = (o: InjectOptions) => app.inject(o);
  const as = async (o: InjectOptions, expect = 201) => {
    const r = await inject({ ...o, headers: { authorization: admin } });
    if (r.statusCode !== expect) throw new Error(`${o.method} ${o.url}: ${r.statusCode} ${r.body}`);
    return r.statusCode === 204 ? null : r.json();
  };
  const nets: Record<'own' | 'other', NetFixture> = {} as never;
  for (const [which, slug] of [['own', 'netvaerk-a'], ['other', 'netvaerk-b']] as const) {
    await as({ method: 'POST', url: '/api/v1/networks', payload: { slug, name: `Netværk ${slug}` } });
    await as({ method: 'POST', url: `/api/v1/networks/${slug}/themes`, payload: { key: 'tema', name: 'Tema' } });
    await as({ method: 'POST', url: `/api/v1/networks/${slug}/themes`, payload: { key: 'ubrugt', name: 'Ubrugt' } });
    const meeting = async (status: string) => {
      const m = await as({ method: 'POST', url: `/api/v1/networks/${slug}/meetings`, payload: { title: 'Møde', date: futureDate(), startTime: '10:00', endTime: '16:00', status } });
      const tr = await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/tracks`, payload: { name: 'Spor' } });
      const it = await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { title: 'Oplæg', kind: 'presentation', startTime: '10:00', endTime: '11:00', themes: ['tema'] } });
      return { id: m.id as string, track: tr.id as string, item: it.id as string };
    };
    const a = await meeting('announced');
    const d = await meeting('draft');
    const person = (name: string, local: string) =>
      as({ method: 'POST', url: `/api/v1/networks/${slug}/participants`, payload: { name, email: `${local}@${slug}.dk`, municipalityCode: 461 } });
    const p1 = await person('Åse', 'aase');
    const p2 = await person('Øjvind', 'oejvind');
    const track2 = await as({ method: 'POST', url: `/api/v1/meetings/${a.id}/tracks`, payload: { name: 'Spor 2' } });
    const reg = await as({ method: 'POST', url: `/api/v1/meetings/${a.id}/registrations`, payload: { participantId: p1.id, trackId: a.track } });
    const prp = await as({ method: 'POST', url: `/api/v1/networks/${slug}/proposals`, payload: { participantId: p1.id, title: 'Sprogvurdering' } });
    await as({ method: 'POST', url: `/api/v1/proposals/${prp.id}/votes`, payload: { participantId: p1.id } });
    const venue = await as({ method: 'POST', url: `/api/v1/networks/${slug}/venues`, payload: { name: 'Odense Rådhus' } });
    const speaker = await as({ method: 'POST', url: `/api/v1/networks/${slug}/speakers`, payload: { name: 'Åse Ørsted', email: `aase@${slug}.dk` } });
    nets[which] = {
      slug,
      announced: a.id,
      draft: d.id,
      trackAnnounced: a.track,
      trackAnnounced2: track2.id,
      trackDraft: d.track,
      itemAnnounced: a.item,
      itemDraft: d.item,
      participant: p1.id,
      participant2: p2.id,
      registration: reg.id,
      proposal: prp.id,
      venue: venue.id,
      speaker: speaker.id,
    };
  }
  const coordinator = createToken(app.db, { name: 'koordinator-a', role: 'coordinator' });
  const reader = createToken(app.db, { name: 'læser-a', role: 'reader' });
  for (const tok of [coordinator, reader]) app.db.insert(tokenNetworks).values({ tokenId: tok.token.id, networkSlug: 'netvaerk-a' }).run();
  return {
    app,
    nets,
    headers: {
      admin,
      coordinator: `Bearer ${coordinator.raw}`,
      reader: `Bearer ${reader.raw}`,
      anonymous: undefined,
    } as Record<string, string | undefined>,
  };
}

/** Everything a refused write must not have touched. */
function dump(app: FastifyInstance): string {
  const tables = [
    'networks', 'venues', 'meetings', 'tracks', 'themes', 'speakers', 'agenda_items', 'item_themes', 'item_speakers', 'releases', 'audit_log', 'token_networks',
    'participants', 'registrations', 'theme_proposals', 'proposal_votes', 'members', 'clusters',
  ];
  return JSON.stringify(tables.map((name) => app.db.$client.prepare(`SELECT * FROM ${name} ORDER BY rowid`).all()));
}

/**
 * Where a target lives: `network` and `announced` are public in the other network (403); a `draft` meeting
 * (and what hangs off it) and a `personal` record (participants: personal data) do not exist there (404, as
 * for a missing id).
 */
type Target = 'network' | 'announced' | 'draft' | 'personal';
interface Case {
  name: string;
  target: Target;
  /** Reads are allowed to the network's readers; writes are not. */
  read?: boolean;
  ok: number;
  req: (n: NetFixture) => InjectOptions;
  /** The same request for an object that does not exist, for the 404 comparison. */
  missing?: (n: NetFixture) => InjectOptions;
}

/** Ids that exist nowhere, in place of the fixture's draft meeting and what hangs off it. */
const gone = (n: NetFixture): NetFixture => ({ ...n, announced: 'mtg_x', draft: 'mtg_x', trackAnnounced: 'trk_x', trackDraft: 'trk_x', itemAnnounced: 'itm_x', itemDraft: 'itm_x' });

/** Every case × own/other network × role; refusals change nothing and look like a missing object where hidden. */
async function matrix(t: Test, cases: Case[]) {
  t.setTimeout(170_000);
  for (const c of cases) {
    // Reads and refusals change nothing, so they share one fixture; each allowed write gets a fresh one.
    const shared = await fixture(t);
    for (const net of ['own', 'other'] as const) {
      for (const role of ['admin', 'coordinator', 'reader', 'anonymous']) {
        const label = `${c.name} in ${net} network as ${role}`;
        let expected: number;
        if (role === 'anonymous') expected = 401;
        else if (role === 'admin' || (role === 'coordinator' && net === 'own')) expected = c.ok;
        else if (role === 'reader' && net === 'own') expected = c.read ? c.ok : 403;
        else expected = c.target === 'draft' || c.target === 'personal' ? 404 : 403;
        const f = expected < 400 && !c.read ? await fixture(t) : shared;
        const n = f.nets[net];
        const before = dump(f.app);
        const auth = f.headers[role];
        const res = await f.app.inject({ ...c.req(n), headers: auth ? { authorization: auth } : {} });
        t.equal(res.statusCode, expected, label, { body: res.body.slice(0, 300) });
        if (expected >= 400) {
          t.match(res.headers['content-type'], /^application\/problem\+json/, label);
          t.equal(dump(f.app), before, `${label}: nothing changed`);
        } else if (c.read) {
          t.equal(dump(f.app), before, `${label}: a read changes nothing`);
        } else {
          t.not(dump(f.app), before, `${label}: the write happened`);
          await f.app.close();
        }
        if (expected === 404) {
          // Indistinguishable from a missing object of the same kind.
          const missing = await f.app.inject({ ...(c.missing ?? ((x) => c.req(gone(x))))(n), headers: { authorization: f.headers.admin! } });
          t.equal(missing.statusCode, 404);
          const same = (body: { detail: string }) => body.detail.replace(/'[^']*'/g, "'…'");
          t.equal(res.json().code, missing.json().code, `${label}: same code as missing`);
          t.equal(res.json().title, missing.json().title);
          t.equal(same(res.json()), same(missing.json()), `${label}: same detail as missing`);
        }
      }
    }
    await shared.app.close();
  }
}

const cases: Case[] = [
  { name: 'PATCH network', target: 'network', ok: 200, req: (n) => ({ method: 'PATCH', url: `/api/v1/networks/${n.slug}`, payload: { description: 'Ny beskrivelse' } }) },
  { name: 'POST meeting', target: 'network', ok: 201, req: (n) => ({ method: 'POST', url: `/api/v1/networks/${n.slug}/meetings`, payload: { title: 'Nyt', date: '2021-06-06', startTime: '10:00' } }) },
  { name: 'POST theme', target: 'network', ok: 201, req: (n) => ({ method: 'POST', url: `/api/v1/networks/${n.slug}/themes`, payload: { key: 'nyt', name: 'Nyt' } }) },
  { name: 'PATCH theme', target: 'network', ok: 200, req: (n) => ({ method: 'PATCH', url: `/api/v1/networks/${n.slug}/themes/tema`, payload: { name: 'Omdøbt' } }) },
  { name: 'DELETE theme', target: 'network', ok: 204, req: (n) => ({ method: 'DELETE', url: `/api/v1/networks/${n.slug}/themes/ubrugt` }) },
  ...(['announced', 'draft'] as const).flatMap((target): Case[] => {
    const m = (n: NetFixture) => n[target];
    const tr = (n: NetFixture) => (target === 'announced' ? n.trackAnnounced : n.trackDraft);
    const it = (n: NetFixture) => (target === 'announced' ? n.itemAnnounced : n.itemDraft);
    return [
      { name: `PATCH ${target} meeting`, target, ok: 200, req: (n) => ({ method: 'PATCH', url: `/api/v1/meetings/${m(n)}`, payload: { title: 'Ændret' } }) },
      { name: `DELETE ${target} meeting`, target, ok: 204, req: (n) => ({ method: 'DELETE', url: `/api/v1/meetings/${m(n)}?confirm=true` }) },
      { name: `POST track (${target})`, target, ok: 201, req: (n) => ({ method: 'POST', url: `/api/v1/meetings/${m(n)}/tracks`, payload: { name: 'Nyt spor' } }) },
      { name: `PATCH track (${target})`, target, ok: 200, req: (n) => ({ method: 'PATCH', url: `/api/v1/tracks/${tr(n)}`, payload: { name: 'Omdøbt' } }) },
      { name: `DELETE track (${target})`, target, ok: 204, req: (n) => ({ method: 'DELETE', url: `/api/v1/tracks/${tr(n)}?confirm=true` }) },
      { name: `POST item (${target})`, target, ok: 201, req: (n) => ({ method: 'POST', url: `/api/v1/meetings/${m(n)}/items`, payload: { title: 'Frokost', kind: 'lunch', startTime: '12:00', endTime: '12:45' } }) },
      { name: `PATCH item (${target})`, target, ok: 200, req: (n) => ({ method: 'PATCH', url: `/api/v1/items/${it(n)}`, payload: { title: 'Ændret' } }) },
      { name: `DELETE item (${target})`, target, ok: 204, req: (n) => ({ method: 'DELETE', url: `/api/v1/items/${it(n)}` }) },
      { name: `POST release (${target})`, target, ok: 201, req: (n) => ({ method: 'POST', url: `/api/v1/meetings/${m(n)}/releases`, payload: { note: 'Udgivet' } }) },
      { name: `POST apply-template (${target})`, target, ok: 200, req: (n) => ({ method: 'POST', url: `/api/v1/meetings/${m(n)}/apply-template`, payload: { template: 'plenary-day', mode: 'replace', createMissingThemes: true } }) },
      { name: `POST shift (${target})`, target, ok: 200, req: (n) => ({ method: 'POST', url: `/api/v1/meetings/${m(n)}/shift`, payload: { after: '10:00', minutes: 5 } }) },
      {
        name: `POST copy-agenda-from (${target})`,
        target,
        ok: 200,
        req: (n) => ({ method: 'POST', url: `/api/v1/meetings/${m(n)}/copy-agenda-from/${target === 'draft' ? n.announced : n.draft}` }),
      },
    ];
  }),
];

const personalCases: Case[] = [
  // Participants
  { name: 'POST participant', target: 'network', ok: 201, req: (n) => ({ method: 'POST', url: `/api/v1/networks/${n.slug}/participants`, payload: { name: 'Ny', email: 'ny@x.dk' } }) },
  { name: 'GET network participants', target: 'network', read: true, ok: 200, req: (n) => ({ method: 'GET', url: `/api/v1/networks/${n.slug}/participants` }) },
  ...(
    [
      ['GET participant', 'GET', '', 200, true],
      ['PATCH participant', 'PATCH', '', 200, false],
      ['POST participant feed-token', 'POST', '/feed-token', 200, false],
      ['DELETE participant', 'DELETE', '', 204, false],
    ] as const
  ).map(([name, method, suffix, ok, read]): Case => {
    const payload = method === 'PATCH' ? { role: 'Konsulent' } : undefined;
    return {
      name,
      target: 'personal',
      read,
      ok,
      req: (n) => ({ method, url: `/api/v1/participants/${n.participant}${suffix}`, ...(payload ? { payload } : {}) }),
      missing: () => ({ method, url: `/api/v1/participants/par_findesikke${suffix}`, ...(payload ? { payload } : {}) }),
    };
  }),
  // Registrations
  {
    name: 'POST registration',
    target: 'announced',
    ok: 201,
    req: (n) => ({ method: 'POST', url: `/api/v1/meetings/${n.announced}/registrations`, payload: { participantId: n.participant2, trackId: n.trackAnnounced } }),
  },
  { name: 'GET meeting registrations', target: 'announced', read: true, ok: 200, req: (n) => ({ method: 'GET', url: `/api/v1/meetings/${n.announced}/registrations` }) },
  { name: 'GET registration', target: 'announced', read: true, ok: 200, req: (n) => ({ method: 'GET', url: `/api/v1/registrations/${n.registration}` }) },
  { name: 'PATCH registration', target: 'announced', ok: 200, req: (n) => ({ method: 'PATCH', url: `/api/v1/registrations/${n.registration}`, payload: { trackId: n.trackAnnounced2 } }) },
  { name: 'DELETE registration', target: 'announced', ok: 204, req: (n) => ({ method: 'DELETE', url: `/api/v1/registrations/${n.registration}` }) },
  // Proposals and votes
  { name: 'POST proposal', target: 'network', ok: 201, req: (n) => ({ method: 'POST', url: `/api/v1/networks/${n.slug}/proposals`, payload: { participantId: n.participant2, title: 'Overgange' } }) },
  { name: 'POST vote', target: 'network', ok: 201, req: (n) => ({ method: 'POST', url: `/api/v1/proposals/${n.proposal}/votes`, payload: { participantId: n.participant2 } }) },
  { name: 'DELETE vote', target: 'network', ok: 204, req: (n) => ({ method: 'DELETE', url: `/api/v1/proposals/${n.proposal}/votes/${n.participant}` }) },
  { name: 'POST accept proposal', target: 'network', ok: 200, req: (n) => ({ method: 'POST', url: `/api/v1/proposals/${n.proposal}/accept`, payload: { themeKey: 'tema' } }) },
  { name: 'POST decline proposal', target: 'network', ok: 200, req: (n) => ({ method: 'POST', url: `/api/v1/proposals/${n.proposal}/decline`, payload: { note: 'Ikke i år' } }) },
  // Venues and speakers
  { name: 'POST venue', target: 'network', ok: 201, req: (n) => ({ method: 'POST', url: `/api/v1/networks/${n.slug}/venues`, payload: { name: 'Vejle' } }) },
  { name: 'PATCH venue', target: 'network', ok: 200, req: (n) => ({ method: 'PATCH', url: `/api/v1/venues/${n.venue}`, payload: { name: 'Omdøbt' } }) },
  { name: 'DELETE venue', target: 'network', ok: 204, req: (n) => ({ method: 'DELETE', url: `/api/v1/venues/${n.venue}` }) },
  { name: 'POST speaker', target: 'network', ok: 201, req: (n) => ({ method: 'POST', url: `/api/v1/networks/${n.slug}/speakers`, payload: { name: 'Ærlige Ærling' } }) },
  { name: 'PATCH speaker', target: 'network', ok: 200, req: (n) => ({ method: 'PATCH', url: `/api/v1/speakers/${n.speaker}`, payload: { title: 'Lektor' } }) },
  { name: 'DELETE speaker', target: 'network', ok: 204, req: (n) => ({ method: 'DELETE', url: `/api/v1/speakers/${n.speaker}` }) },
];

t.test('write matrix: route × role × own/other network', (t) => matrix(t, cases));

t.test('personal-data matrix: participant, registration, proposal, vote, venue and speaker route × role × own/other network', (t) =>
  matrix(t, personalCases),
);

t.test('references across networks are unknown, and nothing is written', async (t) => {
  const f = await fixture(t);
  const { own, other } = f.nets;
  const as = (o: InjectOptions) => f.app.inject({ ...o, headers: { authorization: f.headers.admin! } });
  const refused: [string, InjectOptions, string][] = [
    ['register another network’s participant', { method: 'POST', url: `/api/v1/meetings/${own.announced}/registrations`, payload: { participantId: other.participant2, trackId: own.trackAnnounced } }, 'unknown-participant'],
    ['propose as another network’s participant', { method: 'POST', url: `/api/v1/networks/${own.slug}/proposals`, payload: { participantId: other.participant2, title: 'X' } }, 'unknown-participant'],
    ['vote as another network’s participant', { method: 'POST', url: `/api/v1/proposals/${own.proposal}/votes`, payload: { participantId: other.participant2 } }, 'unknown-participant'],
    ['hold a meeting at another network’s venue', { method: 'PATCH', url: `/api/v1/meetings/${own.announced}`, payload: { venueId: other.venue } }, 'unknown-venue'],
    ['create a meeting at another network’s venue', { method: 'POST', url: `/api/v1/networks/${own.slug}/meetings`, payload: { title: 'X', date: futureDate(), startTime: '10:00', venueId: other.venue } }, 'unknown-venue'],
    ['default to another network’s venue', { method: 'PATCH', url: `/api/v1/networks/${own.slug}`, payload: { defaultVenueId: other.venue } }, 'unknown-venue'],
    ['name another network’s speaker', { method: 'PATCH', url: `/api/v1/items/${own.itemAnnounced}`, payload: { speakerIds: [other.speaker] } }, 'unknown-speaker'],
  ];
  for (const [label, req, code] of refused) {
    const before = dump(f.app);
    const res = await as(req);
    t.equal(res.statusCode, 400, label, { body: res.body.slice(0, 300) });
    t.equal(res.json().code, code, label);
    t.equal(dump(f.app), before, `${label}: nothing written`);
  }
});

t.test('private fields and lists stay inside the network', async (t) => {
  const f = await fixture(t);
  const { own, other } = f.nets;
  const get = (url: string, role: string) => f.app.inject({ url, headers: f.headers[role] ? { authorization: f.headers[role]! } : {} });
  // Speaker emails: the speaker's network and admins only.
  t.equal((await get(`/api/v1/speakers/${own.speaker}`, 'coordinator')).json().email, `aase@${own.slug}.dk`);
  t.equal((await get(`/api/v1/speakers/${own.speaker}`, 'reader')).json().email, `aase@${own.slug}.dk`);
  t.equal((await get(`/api/v1/speakers/${other.speaker}`, 'admin')).json().email, `aase@${other.slug}.dk`);
  for (const role of ['coordinator', 'reader', 'anonymous']) {
    const one = (await get(`/api/v1/speakers/${other.speaker}`, role)).json();
    t.equal(one.name, 'Åse Ørsted', `${role}: the other network’s speaker is public…`);
    t.notOk('email' in one, `${role}: …but not their email`);
    const list = (await get('/api/v1/speakers', role)).body;
    t.notOk(list.includes(`aase@${other.slug}.dk`), `${role}: no other network’s email in the list`);
  }
  // Participant lists: the token's networks only.
  for (const role of ['coordinator', 'reader']) {
    const list = (await get('/api/v1/participants', role)).json();
    t.same(new Set(list.data.map((p: { networkSlug: string }) => p.networkSlug)), new Set([own.slug]), `${role}: own network only`);
    t.equal(list.data.length, 2);
    const filtered = (await get(`/api/v1/participants?network=${other.slug}`, role)).json();
    t.same(filtered.data, [], `${role}: asking for another network gives nothing`);
  }
  t.equal((await get('/api/v1/participants', 'admin')).json().data.length, 4, 'admins see every network’s participants');
  t.equal((await get('/api/v1/participants', 'anonymous')).statusCode, 401);
  // Registration lists name participants: the network's tokens only.
  t.equal((await get(`/api/v1/meetings/${other.announced}/registrations`, 'coordinator')).statusCode, 403);
  const ownList = (await get(`/api/v1/meetings/${own.announced}/registrations`, 'reader')).json();
  t.equal(ownList.data[0].participant.name, 'Åse');
});

t.test('admin-only writes, and venues and speakers only inside a network', async (t) => {
  const f = await fixture(t);
  const h = (role: string) => (f.headers[role] ? { authorization: f.headers[role]! } : {});
  for (const role of ['coordinator', 'reader']) {
    const before = dump(f.app);
    t.equal((await f.app.inject({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'ny-ny', name: 'Ny' }, headers: h(role) })).statusCode, 403);
    t.equal((await f.app.inject({ method: 'DELETE', url: '/api/v1/networks/netvaerk-a', headers: h(role) })).statusCode, 403);
    t.equal((await f.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { name: 'x', role: 'admin' }, headers: h(role) })).statusCode, 403);
    t.equal((await f.app.inject({ url: '/api/v1/tokens', headers: h(role) })).statusCode, 403);
    t.equal((await f.app.inject({ url: '/api/v1/audit', headers: h(role) })).statusCode, 403);
    t.equal(dump(f.app), before);
  }
  t.equal((await f.app.inject({ method: 'POST', url: '/api/v1/venues', payload: { name: 'Odense Rådhus' }, headers: h('coordinator') })).statusCode, 404, 'no venue outside a network');
  const venue = await f.app.inject({ method: 'POST', url: '/api/v1/networks/netvaerk-a/venues', payload: { name: 'Odense Rådhus' }, headers: h('coordinator') });
  t.equal(venue.statusCode, 201, 'coordinators create venues in their network');
  t.equal(venue.json().networkSlug, 'netvaerk-a');
  const sp = await f.app.inject({ method: 'POST', url: '/api/v1/networks/netvaerk-a/speakers', payload: { name: 'Åse' }, headers: h('reader') });
  t.equal(sp.statusCode, 403);
});

t.test('reads: drafts only within scope, working agenda only within scope', async (t) => {
  const f = await fixture(t);
  const get = (url: string, role: string) => f.app.inject({ url, headers: f.headers[role] ? { authorization: f.headers[role]! } : {} });
  const { own, other } = f.nets;
  t.equal((await get(`/api/v1/meetings/${own.draft}`, 'reader')).statusCode, 200);
  t.equal((await get(`/api/v1/meetings/${other.draft}`, 'reader')).statusCode, 404);
  t.equal((await get(`/api/v1/meetings/${other.draft}`, 'coordinator')).statusCode, 404);
  t.equal((await get(`/api/v1/meetings/${other.draft}`, 'admin')).statusCode, 200);
  const listOther = (await get(`/api/v1/networks/${other.slug}/meetings`, 'coordinator')).json();
  t.same(listOther.data.map((m: { id: string }) => m.id), [other.announced], 'other network: published meetings only');
  const listOwn = (await get(`/api/v1/networks/${own.slug}/meetings`, 'reader')).json();
  t.equal(listOwn.data.length, 2);
  t.equal((await get(`/api/v1/meetings/${own.announced}/agenda`, 'reader')).json().version, 'working');
  t.equal((await get(`/api/v1/meetings/${other.announced}/agenda`, 'coordinator')).json().version, 'released');
  t.equal((await get(`/api/v1/meetings/${other.announced}/agenda?version=working`, 'coordinator')).statusCode, 403);
  t.equal((await get(`/api/v1/meetings/${own.announced}/checks`, 'reader')).statusCode, 200);
  t.equal((await get(`/api/v1/meetings/${other.announced}/checks`, 'coordinator')).statusCode, 403);
  t.equal((await get(`/api/v1/meetings/${other.draft}/checks`, 'coordinator')).statusCode, 404);
  t.equal((await get(`/api/v1/items/${other.itemDraft}`, 'coordinator')).statusCode, 404);
  t.equal((await get(`/api/v1/tracks/${other.trackDraft}`, 'coordinator')).statusCode, 404);
  t.equal((await get(`/api/v1/items/${own.itemDraft}`, 'reader')).statusCode, 200);
});

t.test('token management over the API', async (t) => {
  const f = await fixture(t);
  const admin = { authorization: f.headers.admin! };
  const created = await f.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload: { name: 'Integration Odense', role: 'coordinator', networks: ['netvaerk-b'] } });
  t.equal(created.statusCode, 201, created.body);
  const body = created.json();
  t.match(body.secret, /^na_/);
  t.same(body.networks, ['netvaerk-b']);
  const auth = { authorization: `Bearer ${body.secret}` };
  t.equal((await f.app.inject({ method: 'PATCH', url: `/api/v1/meetings/${f.nets.other.announced}`, headers: auth, payload: { title: 'Fra integration' } })).statusCode, 200);
  t.equal((await f.app.inject({ method: 'PATCH', url: `/api/v1/meetings/${f.nets.own.announced}`, headers: auth, payload: { title: 'Nej' } })).statusCode, 403);

  const list = await f.app.inject({ url: '/api/v1/tokens', headers: admin });
  t.equal(list.statusCode, 200);
  t.notOk(list.body.includes(body.secret), 'the list never shows secrets');
  t.notOk(list.body.includes('token_hash') || list.body.includes('tokenHash'));
  t.ok(list.json().data.some((x: { id: string }) => x.id === body.id));
  t.equal((await f.app.inject({ url: `/api/v1/tokens/${body.id}`, headers: admin })).json().active, true);

  t.equal((await f.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${body.id}`, headers: admin })).statusCode, 204);
  t.equal((await f.app.inject({ url: '/api/v1/networks', headers: auth })).statusCode, 401, 'revoked at once');
  t.equal((await f.app.inject({ url: `/api/v1/tokens/${body.id}`, headers: admin })).json().active, false);
  t.equal((await f.app.inject({ method: 'DELETE', url: '/api/v1/tokens/tok_nope', headers: admin })).statusCode, 404);

  const bad = await f.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload: { name: 'x', role: 'coordinator', networks: ['findes-ikke'] } });
  t.equal(bad.statusCode, 400);
  t.equal(bad.json().code, 'unknown-network');
  const adminScoped = await f.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload: { name: 'x', role: 'admin', networks: ['netvaerk-a'] } });
  t.equal(adminScoped.statusCode, 400);
  const past = await f.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload: { name: 'x', role: 'reader', expiresAt: '2020-01-01T00:00:00Z' } });
  t.equal(past.statusCode, 400);
  const hash = await f.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload: { name: 'x', role: 'reader', tokenHash: 'abc' } });
  t.equal(hash.statusCode, 400, 'server-owned fields cannot be assigned');

  // Expiry: a token that expires works until then, and not after.
  const soon = await f.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload: { name: 'kortvarig', role: 'reader', networks: ['netvaerk-a'], expiresAt: new Date(Date.now() + 60_000).toISOString() } });
  t.equal(soon.statusCode, 201);
  const soonAuth = { authorization: `Bearer ${soon.json().secret}` };
  t.equal((await f.app.inject({ url: `/api/v1/meetings/${f.nets.own.draft}`, headers: soonAuth })).statusCode, 200);
  f.app.db.$client.prepare('UPDATE api_tokens SET expires_at = ? WHERE id = ?').run(new Date(Date.now() - 1000).toISOString(), soon.json().id);
  t.equal((await f.app.inject({ url: `/api/v1/meetings/${f.nets.own.draft}`, headers: soonAuth })).statusCode, 401);
});
