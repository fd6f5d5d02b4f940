// Participants: creation under a network with a personal feed URL, feed-token rotation, GDPR access
// (complete export) and erasure per network (coordinators) or everywhere (admins), and personal data kept
// out of public reads, other networks and the audit trail.
import t, { type Test } from 'tap';
import { createHash } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { idempotencyKeys, participants, proposalVotes, registrations, themeProposals, tokenNetworks } from '../db/schema.js';
import { createToken } from '../server/auth/tokens.js';
import { participantsByFeedSecret } from '../server/participants/participants.repository.js';
import { futureDate, makeApp, ok, problem, type TestApp } from './helpers.js';

const SLUG = 'kl-konsulentnetvaerk-2019-2020';
const OTHER = 'netvaerk-vest';

const secretOf = (feed: { https: string }) => /\/feeds\/personal\/([^/.]+)\.ics$/.exec(feed.https)![1]!;

/** The ids of the participant records this feed secret resolves to (none once rotated or erased). */
const feedIds = (a: TestApp, secret: string) => participantsByFeedSecret(a.app.db, secret).map((p) => p.id);

async function create(a: TestApp, payload: Record<string, unknown>, slug = SLUG) {
  const res = await a.as({ method: 'POST', url: `/api/v1/networks/${slug}/participants`, payload });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json();
}

async function meeting(a: TestApp, payload: Record<string, unknown> = {}, slug = SLUG) {
  const res = await a.as({
    method: 'POST',
    url: `/api/v1/networks/${slug}/meetings`,
    payload: { title: 'Netværksmøde', date: futureDate(), startTime: '10:00', endTime: '16:00', status: 'announced', ...payload },
  });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json() as { id: string };
}

/** A second network (besides the seed's), made by the admin. */
async function otherNetwork(a: TestApp) {
  const res = await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: OTHER, name: 'Netværk Vest' } });
  if (res.statusCode !== 201) throw new Error(res.body);
}

/** A token scoped to one network. */
function scoped(a: TestApp, role: 'coordinator' | 'reader', slug: string) {
  const created = createToken(a.app.db, { name: `${role}-${slug}`, role });
  a.app.db.insert(tokenNetworks).values({ tokenId: created.token.id, networkSlug: slug }).run();
  return { authorization: `Bearer ${created.raw}` };
}

/** Every entry of the audit trail, as JSON text. */
async function auditText(a: TestApp): Promise<string> {
  let cursor: string | null = null;
  let text = '';
  do {
    const res = await a.as({ url: `/api/v1/audit?limit=200${cursor ? `&cursor=${cursor}` : ''}` });
    if (res.statusCode !== 200) throw new Error(res.body);
    const body = res.json();
    text += JSON.stringify(body.data);
    cursor = body.nextCursor;
  } while (cursor);
  return text;
}

t.test('create, read, list, correct; the personal feed URL is shown once', async (t) => {
  const a = await makeApp(t, { seed: true });
  const res = await a.as({ method: 'POST', url: `/api/v1/networks/${SLUG}/participants`, payload: { name: 'Anne Hansen', email: 'anne@odense.dk', role: 'Pædagogisk konsulent', municipalityCode: 461 } });
  const anne = ok(t, res, 201);
  t.match(anne, {
    id: /^par_/,
    networkSlug: SLUG,
    name: 'Anne Hansen',
    email: 'anne@odense.dk',
    role: 'Pædagogisk konsulent',
    municipalityCode: 461,
    municipality: { code: 461, name: 'Odense' },
    feed: { https: /^http:\/\/127\.0\.0\.1:3000\/feeds\/personal\/[A-Za-z0-9_-]{43}\.ics$/, webcal: /^webcal:\/\/127\.0\.0\.1:3000\/feeds\/personal\// },
  });
  t.notOk('feedTokenHash' in anne, 'the hash is never shown');
  const secret = secretOf(anne.feed);
  t.equal(Buffer.from(secret, 'base64url').length, 32, 'an HMAC-SHA256 of the link key: 256 bits');
  const row = a.app.db.select().from(participants).all()[0]!;
  t.equal(row.feedTokenHash, createHash('sha256').update(secret).digest('hex'), 'only the SHA-256 is stored');
  t.notOk(JSON.stringify(a.app.db.$client.prepare('SELECT * FROM participants').all()).includes(secret), 'the secret itself is not');

  const bo = await create(a, { name: 'Bo Jensen', email: 'BO@Aarhus.dk', municipalityCode: 751 });
  const cille = await create(a, { name: 'Cille Berg', email: 'cille@odense.dk', municipalityCode: 461 });
  await create(a, { name: 'Dorte Uden Kommune', email: 'dorte@example.dk' });

  const list = ok(t, await a.as({ url: '/api/v1/participants' }));
  t.same(list.data.map((p: { name: string }) => p.name), ['Anne Hansen', 'Bo Jensen', 'Cille Berg', 'Dorte Uden Kommune'], 'by name');
  t.notOk(list.data.some((p: object) => 'feed' in p), 'no feed URLs in lists');
  t.same(ok(t, await a.as({ url: '/api/v1/participants?municipality=461' })).data.map((p: { id: string }) => p.id), [anne.id, cille.id]);
  t.same(ok(t, await a.as({ url: '/api/v1/participants?email=bo@aarhus.dk' })).data.map((p: { id: string }) => p.id), [bo.id], 'e-mail, case-insensitive');
  const page1 = ok(t, await a.as({ url: '/api/v1/participants?limit=3' }));
  const page2 = ok(t, await a.as({ url: `/api/v1/participants?limit=3&cursor=${page1.nextCursor}` }));
  t.equal(page1.data.length + page2.data.length, 4);
  t.equal(page2.nextCursor, null);

  const read = ok(t, await a.as({ url: `/api/v1/participants/${anne.id}` }));
  const { feed: _feed, ...profile } = anne;
  t.same(read, { participant: profile, records: [profile], registrations: [], proposals: [], votes: [] });

  const patched = ok(t, await a.as({ method: 'PATCH', url: `/api/v1/participants/${anne.id}`, payload: { email: 'anne.hansen@odense.dk', municipalityCode: null } }));
  t.match(patched, { email: 'anne.hansen@odense.dk', municipalityCode: null, municipality: null });

  // Validation.
  const url = `/api/v1/networks/${SLUG}/participants`;
  problem(t, await a.as({ method: 'POST', url, payload: { name: 'X', email: 'not-an-email' } }), 400, 'validation-failed');
  problem(t, await a.as({ method: 'POST', url, payload: { name: ' ', email: 'x@y.dk' } }), 400, 'validation-failed');
  problem(t, await a.as({ method: 'POST', url, payload: { name: 'X', email: 'x@y.dk', municipalityCode: 999 } }), 400, 'unknown-municipality');
  problem(t, await a.as({ method: 'POST', url, payload: { name: 'X', email: 'x@y.dk', feedTokenHash: 'x' } }), 400, 'validation-failed');
  problem(t, await a.as({ method: 'POST', url, payload: { name: 'X', email: 'x@y.dk', networkSlug: OTHER } }), 400, 'validation-failed');
  problem(t, await a.as({ method: 'POST', url: '/api/v1/networks/findes-ikke/participants', payload: { name: 'X', email: 'x@y.dk' } }), 404, 'not-found');
  // Participants are created under their network only: the old directory route is gone.
  problem(t, await a.as({ method: 'POST', url: '/api/v1/participants', payload: { name: 'X', email: 'x@y.dk' } }), 404, 'route-not-found');
  t.equal(a.app.db.select().from(participants).all().length, 4, 'no refused create wrote anything');
  problem(t, await a.as({ url: '/api/v1/participants/par_nope' }), 404, 'not-found');
  problem(t, await a.as({ method: 'DELETE', url: '/api/v1/participants/par_nope' }), 404, 'not-found');
  problem(t, await a.as({ method: 'POST', url: '/api/v1/participants/par_nope/feed-token' }), 404, 'not-found');
});

t.test('who may create, read and erase participants: the network\'s tokens; other networks see nothing', async (t) => {
  const a = await makeApp(t, { seed: true });
  await otherNetwork(a);
  const coordinator = scoped(a, 'coordinator', SLUG);
  const reader = scoped(a, 'reader', SLUG);
  const otherCoordinator = scoped(a, 'coordinator', OTHER);
  const inject = (o: InjectOptions) => a.app.inject(o);
  const url = `/api/v1/networks/${SLUG}/participants`;
  const payload = { name: 'Eva Holm', email: 'eva@vejle.dk' };
  const count = () => a.app.db.select().from(participants).all().length;
  problem(t, await inject({ method: 'POST', url, payload }), 401, 'unauthorized');
  problem(t, await inject({ method: 'POST', url, payload, headers: reader }), 403, 'forbidden');
  problem(t, await inject({ method: 'POST', url, payload, headers: otherCoordinator }), 403, 'forbidden');
  problem(t, await inject({ method: 'POST', url: '/api/v1/participants', payload, headers: coordinator }), 404, 'route-not-found');
  t.equal(count(), 0, 'refused creates wrote nothing');
  const eva = ok(t, await inject({ method: 'POST', url, payload, headers: coordinator }), 201);
  t.equal(eva.networkSlug, SLUG);
  const frida = ok(t, await inject({ method: 'POST', url: `/api/v1/networks/${OTHER}/participants`, payload: { name: 'Frida Østergård', email: 'frida@esbjerg.dk' }, headers: otherCoordinator }), 201);
  t.equal(frida.networkSlug, OTHER);

  // Lists: a token sees the participants of its own networks only; admins see all.
  const names = (res: Awaited<ReturnType<typeof inject>>) => ok(t, res).data.map((p: { name: string }) => p.name);
  problem(t, await inject({ url: '/api/v1/participants' }), 401, 'unauthorized');
  t.same(names(await inject({ url: '/api/v1/participants', headers: coordinator })), ['Eva Holm'], 'a coordinator lists its network’s participants only');
  t.same(names(await inject({ url: '/api/v1/participants', headers: reader })), ['Eva Holm']);
  t.same(names(await inject({ url: '/api/v1/participants', headers: otherCoordinator })), ['Frida Østergård']);
  t.same(names(await inject({ url: `/api/v1/participants?network=${OTHER}`, headers: coordinator })), [], 'not even with ?network=');
  t.same(names(await a.as({ url: '/api/v1/participants' })), ['Eva Holm', 'Frida Østergård'], 'admins list everyone');
  t.same(names(await a.as({ url: `/api/v1/participants?network=${OTHER}` })), ['Frida Østergård']);
  problem(t, await inject({ url }), 401, 'unauthorized');
  t.same(names(await inject({ url, headers: reader })), ['Eva Holm']);
  t.same(names(await a.as({ url })), ['Eva Holm']);
  problem(t, await inject({ url, headers: otherCoordinator }), 403, 'forbidden');

  // One participant: its network's tokens (readers read only); to another network's token it does not exist.
  const evaUrl = `/api/v1/participants/${eva.id}`;
  problem(t, await inject({ url: evaUrl }), 401, 'unauthorized');
  t.equal(ok(t, await inject({ url: evaUrl, headers: reader }), 200).participant.id, eva.id);
  const hidden = problem(t, await inject({ url: evaUrl, headers: otherCoordinator }), 404, 'not-found');
  t.notOk(JSON.stringify(hidden).includes('Eva'), 'nothing of her leaks');
  const missing = problem(t, await inject({ url: '/api/v1/participants/par_nope', headers: otherCoordinator }), 404, 'not-found');
  t.equal(hidden.title, missing.title, 'exactly like a missing id');
  problem(t, await inject({ method: 'PATCH', url: evaUrl, payload: { role: 'Konsulent' }, headers: reader }), 403, 'forbidden');
  problem(t, await inject({ method: 'PATCH', url: evaUrl, payload: { role: 'Konsulent' }, headers: otherCoordinator }), 404, 'not-found');
  problem(t, await inject({ method: 'POST', url: `${evaUrl}/feed-token`, headers: reader }), 403, 'forbidden');
  problem(t, await inject({ method: 'POST', url: `${evaUrl}/feed-token`, headers: otherCoordinator }), 404, 'not-found');
  problem(t, await inject({ method: 'DELETE', url: evaUrl, headers: reader }), 403, 'forbidden');
  problem(t, await inject({ method: 'DELETE', url: evaUrl, headers: otherCoordinator }), 404, 'not-found');
  problem(t, await inject({ method: 'DELETE', url: evaUrl }), 401, 'unauthorized');
  t.equal(ok(t, await a.as({ url: evaUrl })).participant.role, '', 'the refused PATCHes changed nothing');
  t.equal(count(), 2, 'the refused erasures erased nothing');
  t.equal((await inject({ method: 'DELETE', url: evaUrl, headers: coordinator })).statusCode, 204);
  t.same(a.app.db.select().from(participants).all().map((p) => p.id), [frida.id]);
});

t.test('feed-token rotation: the old secret stops resolving, the new one does', async (t) => {
  const a = await makeApp(t, { seed: true });
  const p = await create(a, { name: 'Finn Feed', email: 'finn@kolding.dk' });
  const first = secretOf(p.feed);
  t.same(feedIds(a, first), [p.id]);
  const rotated = ok(t, await a.as({ method: 'POST', url: `/api/v1/participants/${p.id}/feed-token` }));
  t.equal(rotated.participantId, p.id);
  const second = secretOf(rotated.feed);
  t.not(second, first);
  t.same(feedIds(a, first), [], 'the old URL no longer works');
  t.same(feedIds(a, second), [p.id], 'the new one does');
  t.equal(rotated.feed.webcal, rotated.feed.https.replace(/^http:/, 'webcal:'));
  // An explicit empty body works too.
  const third = secretOf(ok(t, await a.as({ method: 'POST', url: `/api/v1/participants/${p.id}/feed-token`, payload: {} })).feed);
  t.same(feedIds(a, second), []);
  t.same(feedIds(a, third), [p.id]);
  for (const junk of ['', 'short', `${third}.ics`, '../etc/passwd', 'x'.repeat(500), third.toUpperCase() === third ? 'A'.repeat(32) : third.toUpperCase()]) {
    t.same(feedIds(a, junk), [], `nothing for ${junk.slice(0, 20)}`);
  }
  // The rotation is audited without the secret or its hash.
  const audit = await auditText(a);
  t.notOk(audit.includes(third));
  t.notOk(audit.includes(createHash('sha256').update(third).digest('hex')));
});

t.test('GDPR: the export is complete; erasure removes, promotes and anonymises', async (t) => {
  const a = await makeApp(t, { seed: true });
  const m = await meeting(a, { capacity: 1 });
  const trackRes = await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/tracks`, payload: { name: 'Skolespor' } });
  const track = trackRes.json();
  const other = await meeting(a, { date: futureDate(90) });
  const gitte = await create(a, { name: 'Gitte Glemmes', email: 'gitte.glemmes@svendborg.dk', role: 'Skolekonsulent', municipalityCode: 479 });
  const henrik = await create(a, { name: 'Henrik Venter', email: 'henrik@svendborg.dk' });
  const gitteSecret = secretOf(gitte.feed);

  const regG = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/registrations`, payload: { participantId: gitte.id, trackId: track.id } }), 201);
  const regH = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/registrations`, payload: { participantId: henrik.id, trackId: track.id } }), 201);
  t.same([regG.status, regH.status], ['registered', 'waitlisted']);
  const regOther = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${other.id}/registrations`, payload: { participantId: gitte.id }, headers: { 'idempotency-key': 'tilmelding-gitte' } }), 201);
  const prop = ok(t, await a.as({ method: 'POST', url: `/api/v1/networks/${SLUG}/proposals`, payload: { participantId: gitte.id, title: 'Inklusion i udskolingen', description: 'Erfaringer', meetingId: m.id } }), 201);
  const prop2 = ok(t, await a.as({ method: 'POST', url: `/api/v1/networks/${SLUG}/proposals`, payload: { participantId: henrik.id, title: 'Data i dagtilbud' } }), 201);
  ok(t, await a.as({ method: 'POST', url: `/api/v1/proposals/${prop.id}/votes`, payload: { participantId: gitte.id } }), 201);
  ok(t, await a.as({ method: 'POST', url: `/api/v1/proposals/${prop2.id}/votes`, payload: { participantId: gitte.id } }), 201);
  ok(t, await a.as({ method: 'POST', url: `/api/v1/proposals/${prop2.id}/votes`, payload: { participantId: henrik.id } }), 201);

  // Access: everything stored about Gitte, and nothing about Henrik.
  const exported = ok(t, await a.as({ url: `/api/v1/participants/${gitte.id}` }));
  t.same(exported.records.map((r: { id: string }) => r.id), [gitte.id], 'her one record');
  t.match(exported.participant, { id: gitte.id, networkSlug: SLUG, name: 'Gitte Glemmes', email: 'gitte.glemmes@svendborg.dk', role: 'Skolekonsulent', municipality: { code: 479, name: 'Svendborg' } });
  t.same(
    exported.registrations.map((r: { id: string; meeting: { id: string }; track: { name: string } | null; status: string }) => [r.id, r.meeting.id, r.track?.name ?? null, r.status]),
    [
      [regG.id, m.id, 'Skolespor', 'registered'],
      [regOther.id, other.id, null, 'registered'],
    ],
  );
  t.match(exported.registrations[0].meeting, { networkSlug: SLUG, title: 'Netværksmøde', startTime: '10:00', timeZone: 'Europe/Copenhagen' });
  t.same(exported.proposals.map((p: { id: string; title: string; meetingId: string }) => [p.id, p.title, p.meetingId]), [[prop.id, 'Inklusion i udskolingen', m.id]]);
  t.same(exported.votes.map((v: { proposalId: string }) => v.proposalId).sort(), [prop.id, prop2.id].sort());
  t.notOk(JSON.stringify(exported).includes('Henrik'), 'no one else’s data');

  // Erasure.
  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/participants/${gitte.id}` })).statusCode, 204);
  problem(t, await a.as({ url: `/api/v1/participants/${gitte.id}` }), 404, 'not-found');
  t.notOk(ok(t, await a.as({ url: '/api/v1/participants?limit=200' })).data.some((p: { id: string }) => p.id === gitte.id), 'gone from the list');
  const db = a.app.db;
  t.same(db.select().from(registrations).all().filter((r) => r.participantId === gitte.id), [], 'registrations gone');
  t.same(db.select().from(proposalVotes).all().filter((v) => v.participantId === gitte.id), [], 'votes gone');
  problem(t, await a.as({ url: `/api/v1/registrations/${regG.id}` }), 404, 'not-found');
  t.equal(ok(t, await a.as({ url: `/api/v1/registrations/${regH.id}` })).status, 'registered', 'the waiting list moved up');
  t.same(feedIds(a, gitteSecret), [], 'the personal feed is gone');
  const anonymous = ok(t, await a.as({ url: `/api/v1/proposals/${prop.id}` }));
  t.match(anonymous, { title: 'Inklusion i udskolingen', participantId: null, votes: 0 }, 'the proposal stays, anonymous, without her vote');
  t.equal(db.select().from(themeProposals).all().find((p) => p.id === prop.id)!.participantId, null);
  t.equal(ok(t, await a.as({ url: `/api/v1/proposals/${prop2.id}` })).votes, 1);
  t.same(db.select().from(idempotencyKeys).all().filter((k) => (k.response ?? '').includes(gitte.id)), [], 'no stored responses carry her data');
  problem(t, await a.as({ method: 'DELETE', url: `/api/v1/participants/${gitte.id}` }), 404, 'not-found');

  // Her name and e-mail never reached the audit trail; her erasure is recorded by id only.
  const audit = await auditText(a);
  for (const secret of ['Gitte', 'Glemmes', 'gitte.glemmes@svendborg.dk', 'Henrik', 'henrik@svendborg.dk', 'Skolekonsulent']) {
    t.notOk(audit.includes(secret), `no ${secret} in the audit trail`);
  }
  const erasure = ok(t, await a.as({ url: `/api/v1/audit?entity=participant&entityId=${gitte.id}` })).data;
  t.same(erasure.map((e: { action: string }) => e.action), ['delete', 'create']);
});

/**
 * Kirsten has a record in the seed's network and one in another (the same e-mail address, in other case);
 * in each she holds the one place of a meeting with Lars (a different person each time) on the waiting
 * list, proposed a theme and voted for it, and Lars voted for it too.
 */
async function twoNetworkPerson(t: Test) {
  const a = await makeApp(t, { seed: true });
  await otherNetwork(a);
  const side = async (slug: string, email: string, lars: string) => {
    const m = await meeting(a, { capacity: 1, title: `Møde i ${slug}` }, slug);
    const kirsten = await create(a, { name: 'Kirsten Ærø', email, role: 'Læsekonsulent' }, slug);
    const larsP = await create(a, { name: 'Lars Løkke', email: lars }, slug);
    const reg = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/registrations`, payload: { participantId: kirsten.id } }), 201);
    const wait = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/registrations`, payload: { participantId: larsP.id } }), 201);
    t.same([reg.status, wait.status], ['registered', 'waitlisted']);
    const prop = ok(t, await a.as({ method: 'POST', url: `/api/v1/networks/${slug}/proposals`, payload: { participantId: kirsten.id, title: `Læsning (${slug})` } }), 201);
    ok(t, await a.as({ method: 'POST', url: `/api/v1/proposals/${prop.id}/votes`, payload: { participantId: kirsten.id } }), 201);
    ok(t, await a.as({ method: 'POST', url: `/api/v1/proposals/${prop.id}/votes`, payload: { participantId: larsP.id } }), 201);
    return { slug, meeting: m.id, kirsten: kirsten.id as string, secret: secretOf(kirsten.feed), lars: larsP.id as string, reg: reg.id as string, wait: wait.id as string, prop: prop.id as string };
  };
  const A = await side(SLUG, 'kirsten.aeroe@vejle.dk', 'lars@vejle.dk');
  const B = await side(OTHER, 'Kirsten.Aeroe@Vejle.DK', 'lars@esbjerg.dk');
  return { a, A, B, coordA: scoped(a, 'coordinator', SLUG), coordB: scoped(a, 'coordinator', OTHER) };
}

type Export = {
  participant: { id: string };
  records: { id: string; networkSlug: string; name: string }[];
  registrations: { id: string; meeting: { id: string; networkSlug: string } }[];
  proposals: { id: string }[];
  votes: { proposalId: string }[];
};

t.test('GDPR per network: a coordinator exports and erases the record in its network; the other stays', async (t) => {
  const { a, A, B, coordA, coordB } = await twoNetworkPerson(t);
  const inject = (o: InjectOptions) => a.app.inject(o);

  // Access by a coordinator: her record in its network and what hangs off it, nothing from the other.
  const exA: Export = ok(t, await inject({ url: `/api/v1/participants/${A.kirsten}`, headers: coordA }));
  t.equal(exA.participant.id, A.kirsten);
  t.same(exA.records.map((r) => [r.id, r.networkSlug, r.name]), [[A.kirsten, SLUG, 'Kirsten Ærø']], 'the record in its network only');
  t.same(exA.registrations.map((r) => [r.id, r.meeting.networkSlug]), [[A.reg, SLUG]]);
  t.same(exA.proposals.map((p) => p.id), [A.prop]);
  t.same(exA.votes.map((v) => v.proposalId), [A.prop]);
  for (const s of [B.kirsten, B.meeting, B.reg, B.prop, OTHER]) t.notOk(JSON.stringify(exA).includes(s), `nothing of the other network (${s})`);
  const exB: Export = ok(t, await inject({ url: `/api/v1/participants/${B.kirsten}`, headers: coordB }));
  t.same(exB.records.map((r) => r.id), [B.kirsten]);
  t.same(exB.registrations.map((r) => r.id), [B.reg]);
  problem(t, await inject({ url: `/api/v1/participants/${B.kirsten}`, headers: coordA }), 404, 'not-found');
  problem(t, await inject({ method: 'DELETE', url: `/api/v1/participants/${B.kirsten}`, headers: coordA }), 404, 'not-found');

  // Erasure by a coordinator: only its network's record goes.
  t.equal((await inject({ method: 'DELETE', url: `/api/v1/participants/${A.kirsten}`, headers: coordA })).statusCode, 204);
  problem(t, await a.as({ url: `/api/v1/participants/${A.kirsten}` }), 404, 'not-found');
  const db = a.app.db;
  t.same(db.select().from(participants).all().filter((p) => p.name === 'Kirsten Ærø').map((p) => p.id), [B.kirsten], 'her record in the other network stays');
  t.same(db.select().from(registrations).all().filter((r) => r.participantId === A.kirsten), [], 'her registrations in the network go');
  t.same(db.select().from(proposalVotes).all().filter((v) => v.participantId === A.kirsten), [], 'her votes in the network go');
  t.equal(ok(t, await a.as({ url: `/api/v1/registrations/${A.wait}` })).status, 'registered', 'the waiting list moved up');
  t.match(ok(t, await a.as({ url: `/api/v1/proposals/${A.prop}` })), { participantId: null, votes: 1 }, 'her proposal stays, anonymous');
  t.same(feedIds(a, A.secret), [], 'her personal feed in the network is gone');
  // In the other network nothing changed.
  const left: Export = ok(t, await inject({ url: `/api/v1/participants/${B.kirsten}`, headers: coordB }));
  t.same(left.records.map((r) => r.id), [B.kirsten]);
  t.equal(ok(t, await a.as({ url: `/api/v1/registrations/${B.reg}` })).status, 'registered', 'her place there is kept');
  t.equal(ok(t, await a.as({ url: `/api/v1/registrations/${B.wait}` })).status, 'waitlisted', 'and nobody moved up there');
  t.match(ok(t, await a.as({ url: `/api/v1/proposals/${B.prop}` })), { participantId: B.kirsten, votes: 2 });
  t.same(feedIds(a, B.secret), [B.kirsten], 'her personal feed there still works');
  const admin: Export = ok(t, await a.as({ url: `/api/v1/participants/${B.kirsten}` }));
  t.same(admin.records.map((r) => r.id), [B.kirsten], 'an admin now finds only the one record left');
});

t.test('GDPR for admins: the export lists the person’s records everywhere; erasure removes them all', async (t) => {
  const { a, A, B } = await twoNetworkPerson(t);

  // Access by an admin: every record with her e-mail (any case), and what hangs off each.
  for (const id of [A.kirsten, B.kirsten]) {
    const ex: Export = ok(t, await a.as({ url: `/api/v1/participants/${id}` }));
    t.equal(ex.participant.id, id, 'the record addressed');
    t.same(ex.records.map((r) => [r.id, r.networkSlug]).sort(), [[A.kirsten, SLUG], [B.kirsten, OTHER]].sort(), 'both her records');
    t.same(ex.registrations.map((r) => r.id).sort(), [A.reg, B.reg].sort(), 'registrations in both networks');
    t.same(ex.proposals.map((p) => p.id).sort(), [A.prop, B.prop].sort());
    t.same(ex.votes.map((v) => v.proposalId).sort(), [A.prop, B.prop].sort());
    t.notOk(JSON.stringify(ex).includes('Lars'), 'no one else’s data');
  }
  const lars: Export = ok(t, await a.as({ url: `/api/v1/participants/${A.lars}` }));
  t.same(lars.records.map((r) => r.id), [A.lars], 'another e-mail is another person');

  // Erasure by an admin: the person everywhere.
  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/participants/${A.kirsten}` })).statusCode, 204);
  for (const id of [A.kirsten, B.kirsten]) problem(t, await a.as({ url: `/api/v1/participants/${id}` }), 404, 'not-found');
  const db = a.app.db;
  const gone = new Set([A.kirsten, B.kirsten]);
  t.same(db.select().from(participants).all().filter((p) => gone.has(p.id) || p.name === 'Kirsten Ærø'), [], 'both records gone');
  t.same(db.select().from(registrations).all().filter((r) => gone.has(r.participantId)), [], 'registrations gone in both networks');
  t.same(db.select().from(proposalVotes).all().filter((v) => gone.has(v.participantId)), [], 'votes gone in both networks');
  for (const side of [A, B]) {
    problem(t, await a.as({ url: `/api/v1/registrations/${side.reg}` }), 404, 'not-found');
    t.equal(ok(t, await a.as({ url: `/api/v1/registrations/${side.wait}` })).status, 'registered', `the waiting list moved up in ${side.slug}`);
    t.match(ok(t, await a.as({ url: `/api/v1/proposals/${side.prop}` })), { participantId: null, votes: 1 }, `her proposal in ${side.slug} stays, anonymous`);
    t.same(feedIds(a, side.secret), [], `her personal feed in ${side.slug} is gone`);
  }
  t.equal(db.select().from(participants).all().length, 2, 'the two Lars stay');
  t.same(db.select().from(idempotencyKeys).all().filter((k) => [...gone].some((id) => (k.response ?? '').includes(id))), []);
});

t.test('erasure with If-Match; personal data never in public reads', async (t) => {
  const a = await makeApp(t, { seed: true });
  const m = await meeting(a, { capacity: 1 });
  const ivan = await create(a, { name: 'Ivan Incognito', email: 'ivan.incognito@esbjerg.dk', municipalityCode: 561 });
  const jonna = await create(a, { name: 'Jonna Jensen-Privat', email: 'jonna.privat@esbjerg.dk' });
  await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/registrations`, payload: { participantId: ivan.id } });
  await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/registrations`, payload: { participantId: jonna.id } });
  const prop = (await a.as({ method: 'POST', url: `/api/v1/networks/${SLUG}/proposals`, payload: { participantId: ivan.id, title: 'Trivsel', meetingId: m.id } })).json();
  await a.as({ method: 'POST', url: `/api/v1/proposals/${prop.id}/votes`, payload: { participantId: jonna.id } });
  await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/releases`, payload: {} });

  const secrets = ['Ivan', 'Incognito', 'ivan.incognito', 'Jonna', 'jonna.privat', ivan.id, jonna.id, secretOf(ivan.feed), secretOf(jonna.feed)];
  const publicUrls = [
    `/api/v1/networks/${SLUG}`,
    `/api/v1/networks/${SLUG}/meetings`,
    `/api/v1/meetings/${m.id}`,
    `/api/v1/meetings/${m.id}/agenda`,
    `/api/v1/meetings/${m.id}/registrations/summary`,
    `/api/v1/networks/${SLUG}/proposals`,
    `/api/v1/proposals/${prop.id}`,
    `/api/v1/networks/${SLUG}/theme-coverage`,
    `/feeds/networks/${SLUG}.ics`,
    `/feeds/meetings/${m.id}.ics`,
  ];
  for (const url of publicUrls) {
    const res = await a.app.inject({ url });
    t.ok(res.statusCode < 400 || res.statusCode === 404, `${url} answers`);
    for (const s of secrets) t.notOk(res.body.includes(s), `${url} shows no ${s.slice(0, 12)}`);
  }
  for (const url of ['/api/v1/participants', `/api/v1/networks/${SLUG}/participants`, `/api/v1/participants/${ivan.id}`, `/api/v1/meetings/${m.id}/registrations`]) {
    problem(t, await a.app.inject({ url }), 401, 'unauthorized');
  }

  // Erasure honours If-Match (the participant's ETag comes with each write of it).
  const tag = (await a.as({ method: 'PATCH', url: `/api/v1/participants/${ivan.id}`, payload: {} })).headers.etag;
  t.match(tag, /^"v\d+"$/);
  problem(t, await a.as({ method: 'DELETE', url: `/api/v1/participants/${ivan.id}`, headers: { 'if-match': '"v99"' } }), 412, 'precondition-failed');
  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/participants/${ivan.id}`, headers: { 'if-match': tag as string } })).statusCode, 204);
  t.equal((await a.app.inject({ url: `/api/v1/meetings/${m.id}/registrations/summary` })).json().registered, 1, 'Jonna moved up');
});
