// Participants: creation with a personal feed URL, feed-token rotation, GDPR access (complete export) and
// erasure, and personal data kept out of public reads and the audit trail.
import t from 'tap';
import { createHash } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { idempotencyKeys, participants, proposalVotes, registrations, themeProposals, tokenNetworks } from '../db/schema.js';
import { createToken } from '../server/auth/tokens.js';
import { participantByFeedSecret } from '../server/participants/participants.repository.js';
import { futureDate, makeApp, ok, problem, type TestApp } from './helpers.js';

const SLUG = 'kl-konsulentnetvaerk-2019-2020';


const secretOf = (feed: { https: string }) => /\/feeds\/personal\/([^/.]+)\.ics$/.exec(feed.https)![1]!;

async function create(a: TestApp, payload: Record<string, unknown>) {
  const res = await a.as({ method: 'POST', url: '/api/v1/participants', payload });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json();
}

async function meeting(a: TestApp, payload: Record<string, unknown> = {}) {
  const res = await a.as({
    method: 'POST',
    url: `/api/v1/networks/${SLUG}/meetings`,
    payload: { title: 'Netværksmøde', date: futureDate(), startTime: '10:00', endTime: '16:00', status: 'announced', ...payload },
  });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json() as { id: string };
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
  const res = await a.as({ method: 'POST', url: '/api/v1/participants', payload: { name: 'Anne Hansen', email: 'anne@odense.dk', role: 'Pædagogisk konsulent', municipalityCode: 461 } });
  const anne = ok(t, res, 201);
  t.match(anne, {
    id: /^par_/,
    name: 'Anne Hansen',
    email: 'anne@odense.dk',
    role: 'Pædagogisk konsulent',
    municipalityCode: 461,
    municipality: { code: 461, name: 'Odense' },
    feed: { https: /^http:\/\/127\.0\.0\.1:3000\/feeds\/personal\/[A-Za-z0-9_-]{32}\.ics$/, webcal: /^webcal:\/\/127\.0\.0\.1:3000\/feeds\/personal\// },
  });
  t.notOk('feedTokenHash' in anne, 'the hash is never shown');
  const secret = secretOf(anne.feed);
  t.ok(Buffer.from(secret, 'base64url').length * 8 >= 128, 'at least 128 random bits');
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
  t.same(read, { participant: profile, registrations: [], proposals: [], votes: [] });

  const patched = ok(t, await a.as({ method: 'PATCH', url: `/api/v1/participants/${anne.id}`, payload: { email: 'anne.hansen@odense.dk', municipalityCode: null } }));
  t.match(patched, { email: 'anne.hansen@odense.dk', municipalityCode: null, municipality: null });

  // Validation.
  problem(t, await a.as({ method: 'POST', url: '/api/v1/participants', payload: { name: 'X', email: 'not-an-email' } }), 400, 'validation-failed');
  problem(t, await a.as({ method: 'POST', url: '/api/v1/participants', payload: { name: ' ', email: 'x@y.dk' } }), 400, 'validation-failed');
  problem(t, await a.as({ method: 'POST', url: '/api/v1/participants', payload: { name: 'X', email: 'x@y.dk', municipalityCode: 999 } }), 400, 'unknown-municipality');
  problem(t, await a.as({ method: 'POST', url: '/api/v1/participants', payload: { name: 'X', email: 'x@y.dk', feedTokenHash: 'x' } }), 400, 'validation-failed');
  problem(t, await a.as({ url: '/api/v1/participants/par_nope' }), 404, 'not-found');
  problem(t, await a.as({ method: 'DELETE', url: '/api/v1/participants/par_nope' }), 404, 'not-found');
  problem(t, await a.as({ method: 'POST', url: '/api/v1/participants/par_nope/feed-token' }), 404, 'not-found');
});

t.test('who may create, read and erase participants', async (t) => {
  const a = await makeApp(t, { seed: true });
  const tok = (role: 'coordinator' | 'reader') => {
    const created = createToken(a.app.db, { name: role, role });
    a.app.db.insert(tokenNetworks).values({ tokenId: created.token.id, networkSlug: SLUG }).run();
    return { authorization: `Bearer ${created.raw}` };
  };
  const coordinator = tok('coordinator');
  const reader = tok('reader');
  const inject = (o: InjectOptions) => a.app.inject(o);
  const payload = { name: 'Eva Holm', email: 'eva@vejle.dk' };
  problem(t, await inject({ method: 'POST', url: '/api/v1/participants', payload }), 401, 'unauthorized');
  problem(t, await inject({ method: 'POST', url: '/api/v1/participants', payload, headers: reader }), 403, 'forbidden');
  const eva = ok(t, await inject({ method: 'POST', url: '/api/v1/participants', payload, headers: coordinator }), 201);
  problem(t, await inject({ url: '/api/v1/participants' }), 401, 'unauthorized');
  problem(t, await inject({ url: `/api/v1/participants/${eva.id}` }), 401, 'unauthorized');
  ok(t, await inject({ url: `/api/v1/participants/${eva.id}`, headers: reader }), 200);
  problem(t, await inject({ method: 'POST', url: `/api/v1/participants/${eva.id}/feed-token`, headers: reader }), 403, 'forbidden');
  problem(t, await inject({ method: 'DELETE', url: `/api/v1/participants/${eva.id}`, headers: reader }), 403, 'forbidden');
  problem(t, await inject({ method: 'DELETE', url: `/api/v1/participants/${eva.id}` }), 401, 'unauthorized');
  t.equal((await inject({ method: 'DELETE', url: `/api/v1/participants/${eva.id}`, headers: coordinator })).statusCode, 204);
});

t.test('feed-token rotation: the old secret stops resolving, the new one does', async (t) => {
  const a = await makeApp(t, { seed: true });
  const p = await create(a, { name: 'Finn Feed', email: 'finn@kolding.dk' });
  const first = secretOf(p.feed);
  t.equal(participantByFeedSecret(a.app.db, first)?.id, p.id);
  const rotated = ok(t, await a.as({ method: 'POST', url: `/api/v1/participants/${p.id}/feed-token` }));
  t.equal(rotated.participantId, p.id);
  const second = secretOf(rotated.feed);
  t.not(second, first);
  t.equal(participantByFeedSecret(a.app.db, first), undefined, 'the old URL no longer works');
  t.equal(participantByFeedSecret(a.app.db, second)?.id, p.id, 'the new one does');
  t.equal(rotated.feed.webcal, rotated.feed.https.replace(/^http:/, 'webcal:'));
  // An explicit empty body works too.
  const third = secretOf(ok(t, await a.as({ method: 'POST', url: `/api/v1/participants/${p.id}/feed-token`, payload: {} })).feed);
  t.equal(participantByFeedSecret(a.app.db, second), undefined);
  t.equal(participantByFeedSecret(a.app.db, third)?.id, p.id);
  for (const junk of ['', 'short', `${third}.ics`, '../etc/passwd', 'x'.repeat(500), third.toUpperCase() === third ? 'A'.repeat(32) : third.toUpperCase()]) {
    t.equal(participantByFeedSecret(a.app.db, junk), undefined, `nothing for ${junk.slice(0, 20)}`);
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
  t.match(exported.participant, { id: gitte.id, name: 'Gitte Glemmes', email: 'gitte.glemmes@svendborg.dk', role: 'Skolekonsulent', municipality: { code: 479, name: 'Svendborg' } });
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
  t.equal(participantByFeedSecret(db, gitteSecret), undefined, 'the personal feed is gone');
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
  for (const url of ['/api/v1/participants', `/api/v1/participants/${ivan.id}`, `/api/v1/meetings/${m.id}/registrations`]) {
    problem(t, await a.app.inject({ url }), 401, 'unauthorized');
  }

  // Erasure honours If-Match (the participant's ETag comes with each write of it).
  const tag = (await a.as({ method: 'PATCH', url: `/api/v1/participants/${ivan.id}`, payload: {} })).headers.etag;
  t.match(tag, /^"v\d+"$/);
  problem(t, await a.as({ method: 'DELETE', url: `/api/v1/participants/${ivan.id}`, headers: { 'if-match': '"v99"' } }), 412, 'precondition-failed');
  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/participants/${ivan.id}`, headers: { 'if-match': tag as string } })).statusCode, 204);
  t.equal((await a.app.inject({ url: `/api/v1/meetings/${m.id}/registrations/summary` })).json().registered, 1, 'Jonna moved up');
});
