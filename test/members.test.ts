// Members: sign-up of municipalities to a network within its sign-up window, withdrawal, and who sees
// the contact persons. /api/v1/networks/{slug}/members[/{code}] and /api/v1/networks/{slug}/signup.
import t, { type Test } from 'tap';
import { PROGRAMME_SLUG } from '../db/seed-data.js';
import { auditLog, tokenNetworks } from '../db/schema.js';
import { createToken } from '../server/auth/tokens.js';
import { AppError } from '../server/http/errors.js';
import { membersRepository } from '../server/members/members.repository.js';
import { closesAt, describeWindow, opensAt, signupState, type SignupWindow } from '../server/members/signup-window.js';
import { makeApp, type TestApp, ok, problem } from './helpers.js';

const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);

/** The wall-clock minute `YYYY-MM-DDTHH:MM` of an instant in a zone. */
function localMinute(instant: Date, zone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}
const inMinutes = (n: number) => new Date(Date.now() + n * 60_000);

const contact = (name: string) => ({ name, email: `${name.toLowerCase().replace(/[^a-z0-9]/g, 'x')}@kommune.dk`, role: 'Skolechef' });

interface Fixture extends TestApp {
  headers: Record<'coordinator' | 'otherCoordinator' | 'reader' | 'otherReader', { authorization: string }>;
}

/** Network `net` (sign-up open, no window) and `other`, with a coordinator and a reader token for each. */
async function fixture(t: Test, extra: Record<string, unknown> = {}): Promise<Fixture> {
  const a = await makeApp(t, { seed: true });
  for (const slug of ['net', 'other']) {
    ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug, name: slug, ...(slug === 'net' ? extra : {}) } }), 201);
  }
  const token = (name: string, role: 'coordinator' | 'reader', slug: string) => {
    const created = createToken(a.app.db, { name, role });
    a.app.db.insert(tokenNetworks).values({ tokenId: created.token.id, networkSlug: slug }).run();
    return { authorization: `Bearer ${created.raw}` };
  };
  return {
    ...a,
    headers: {
      coordinator: token('koordinator-net', 'coordinator', 'net'),
      otherCoordinator: token('koordinator-other', 'coordinator', 'other'),
      reader: token('læser-net', 'reader', 'net'),
      otherReader: token('læser-other', 'reader', 'other'),
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// The rule, as a plain function of "now".

const programme: SignupWindow = { signupOpens: null, signupDeadline: '2016-06-01T23:59', timeZone: 'Europe/Copenhagen' };

function checkDeadlineRule(t: Test) {
  // 23:59 summer time in Copenhagen is 21:59Z; the whole minute counts.
  t.equal(signupState(programme, new Date('2016-05-01T00:00:00Z')), 'open');
  t.equal(signupState(programme, new Date('2016-06-01T21:58:59.999Z')), 'open');
  t.equal(signupState(programme, new Date('2016-06-01T21:59:00Z')), 'open', 'at the deadline minute');
  t.equal(signupState(programme, new Date('2016-06-01T21:59:59Z')), 'open', 'the last second of the deadline minute');
  t.equal(signupState(programme, new Date('2016-06-01T21:59:59.999Z')), 'open');
  t.equal(signupState(programme, new Date('2016-06-01T22:00:00Z')), 'closed', 'the minute after');
  t.equal(signupState(programme, new Date('2016-06-02T12:00:00Z')), 'closed');
  t.equal(closesAt(programme)?.toISOString(), '2016-06-01T22:00:00.000Z');

  // Winter time: +01:00.
  const winter: SignupWindow = { signupOpens: '2015-12-01T09:00', signupDeadline: '2016-01-15T12:00', timeZone: 'Europe/Copenhagen' };
  t.equal(opensAt(winter)?.toISOString(), '2015-12-01T08:00:00.000Z');
  t.equal(signupState(winter, new Date('2015-12-01T07:59:59.999Z')), 'not-open', 'before it opens');
  t.equal(signupState(winter, new Date('2015-12-01T08:00:00Z')), 'open', 'the opening minute counts');
  t.equal(signupState(winter, new Date('2016-01-15T11:00:59Z')), 'open');
  t.equal(signupState(winter, new Date('2016-01-15T11:01:00Z')), 'closed');

  // The network's own zone, not Copenhagen's and not the process's.
  const newYork: SignupWindow = { ...programme, timeZone: 'America/New_York' };
  t.equal(signupState(newYork, new Date('2016-06-02T03:59:59Z')), 'open', '23:59 EDT is 03:59Z');
  t.equal(signupState(newYork, new Date('2016-06-02T04:00:00Z')), 'closed');
  const auckland: SignupWindow = { ...programme, timeZone: 'Pacific/Auckland' };
  t.equal(signupState(auckland, new Date('2016-06-01T11:59:30Z')), 'open', '23:59 NZST is 11:59Z');
  t.equal(signupState(auckland, new Date('2016-06-01T12:00:00Z')), 'closed');

  // No window: always open.
  const always: SignupWindow = { signupOpens: null, signupDeadline: null, timeZone: 'Europe/Copenhagen' };
  t.equal(signupState(always, new Date('1970-01-01T00:00:00Z')), 'open');
  t.equal(signupState(always, new Date('2999-01-01T00:00:00Z')), 'open');
}

t.test('the deadline rule: inclusive, in the network’s zone, whatever the process’s TZ', async (t) => {
  const original = process.env.TZ;
  t.teardown(() => {
    process.env.TZ = original;
  });
  // The offset of 1 June 2016 under each TZ: proof that the change took effect (or the test proves nothing).
  const offsets: Record<string, number> = { UTC: 0, 'America/New_York': 240, 'Europe/Copenhagen': -120, 'Asia/Tokyo': -540 };
  for (const [zone, offset] of Object.entries(offsets)) {
    await t.test(`TZ=${zone}`, async (t) => {
      process.env.TZ = zone;
      t.equal(new Date(2016, 5, 1).getTimezoneOffset(), offset, `the process runs in ${zone}`);
      checkDeadlineRule(t);
    });
  }
});

t.test('describeWindow shows both ends as local time and UTC', async (t) => {
  const at = new Date('2016-06-01T21:59:30Z');
  t.same(describeWindow({ ...programme, signupOpens: '2016-04-01T10:00' }, at), {
    open: true,
    state: 'open',
    opens: { local: '2016-04-01T10:00', timeZone: 'Europe/Copenhagen', offset: '2016-04-01T10:00:00+02:00', utc: '2016-04-01T08:00:00Z' },
    deadline: { local: '2016-06-01T23:59', timeZone: 'Europe/Copenhagen', offset: '2016-06-01T23:59:00+02:00', utc: '2016-06-01T21:59:00Z' },
  });
  t.match(describeWindow(programme, new Date('2016-06-01T22:00:00Z')), { open: false, state: 'closed', opens: null });
});

t.test('the repository takes "now": the seeded 2016 programme, before, at and after its deadline', async (t) => {
  const { app } = await makeApp(t, { seed: true });
  const at = (iso: string) => membersRepository(app.db, '', () => new Date(iso));
  const signUp = (iso: string, code: number) => at(iso).signUp(PROGRAMME_SLUG, { municipalityCode: code, contact: contact('Anne') });

  t.match(signUp('2016-05-20T08:00:00Z', 461), { status: 'active', municipality: { code: 461, name: 'Odense' } });
  t.match(signUp('2016-06-01T21:59:00Z', 751), { status: 'active' }, 'at the deadline minute');
  t.match(signUp('2016-06-01T21:59:59Z', 851), { status: 'active' }, 'at its last second');
  t.throws(() => signUp('2016-06-01T22:00:00Z', 101), { status: 409, code: 'signup-closed' }, 'a minute later');
  try {
    signUp('2016-06-02T22:00:00Z', 101);
    t.fail('a day later: should have been refused');
  } catch (err) {
    t.ok(err instanceof AppError && err.code === 'signup-closed', 'a day later: an AppError signup-closed');
  }
  t.match(at('2016-06-01T22:00:00Z').signupInfo(PROGRAMME_SLUG), { open: false, state: 'closed', members: 3 });
  t.match(at('2016-06-01T21:59:59Z').signupInfo(PROGRAMME_SLUG), { open: true, state: 'open', members: 3 });
  t.match(at('2016-06-01T22:00:00Z').signUp(PROGRAMME_SLUG, { municipalityCode: 101, contact: contact('Bo') }, { override: true }), { status: 'active' }, 'override');
});

// ---------------------------------------------------------------------------------------------------
// Through the API, against the real clock.

t.test('the window through the API: deadlines a minute ahead and a minute behind, in several zones', async (t) => {
  const a = await makeApp(t, { seed: true });
  const cases: [string, string, Record<string, unknown>, number, string | null][] = [];
  for (const zone of ['Europe/Copenhagen', 'Pacific/Auckland', 'America/New_York']) {
    const tag = zone.split('/')[1]!.toLowerCase().replace(/_/g, '-');
    cases.push(
      [`ahead-${tag}`, zone, { signupDeadline: localMinute(inMinutes(1), zone) }, 201, null],
      [`behind-${tag}`, zone, { signupDeadline: localMinute(inMinutes(-1), zone) }, 409, 'signup-closed'],
      [`opens-later-${tag}`, zone, { signupOpens: localMinute(inMinutes(2), zone), signupDeadline: localMinute(inMinutes(60), zone) }, 409, 'signup-not-open'],
      [`opened-${tag}`, zone, { signupOpens: localMinute(inMinutes(-1), zone), signupDeadline: localMinute(inMinutes(60), zone) }, 201, null],
    );
  }
  for (const [slug, timeZone, window, status, code] of cases) {
    ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug, name: slug, timeZone, ...window } }), 201);
    const res = await a.as({ method: 'POST', url: `/api/v1/networks/${slug}/members`, payload: { municipalityCode: 461, contact: contact('Odense') } });
    if (code) problem(t, res, status, code);
    else t.equal(ok(t, res, 201).status, 'active', slug);
    const info = ok(t, await a.app.inject({ url: `/api/v1/networks/${slug}/signup` }));
    t.equal(info.open, status === 201, `${slug}: signup says open=${status === 201}`);
    t.equal(info.members, status === 201 ? 1 : 0);
  }
});

t.test('the seeded 2016 programme is closed; admins may override, coordinators may not', async (t) => {
  const a = await makeApp(t, { seed: true });
  const coordinator = createToken(a.app.db, { name: 'koordinator', role: 'coordinator' });
  a.app.db.insert(tokenNetworks).values({ tokenId: coordinator.token.id, networkSlug: PROGRAMME_SLUG }).run();
  const asCoordinator = { authorization: `Bearer ${coordinator.raw}` };
  const url = `/api/v1/networks/${PROGRAMME_SLUG}/members`;

  t.same(ok(t, await a.app.inject({ url: `/api/v1/networks/${PROGRAMME_SLUG}/signup` })), {
    open: false,
    state: 'closed',
    opens: null,
    deadline: { local: '2016-06-01T23:59', timeZone: 'Europe/Copenhagen', offset: '2016-06-01T23:59:00+02:00', utc: '2016-06-01T21:59:00Z' },
    targetGroup: 'Forvaltningschefer, forvaltningsmedarbejdere og decentrale ledelser på 0-18 års området.',
    members: 0,
  });
  const closed = problem(t, await a.as({ method: 'POST', url, payload: { municipalityCode: 461, contact: contact('Odense') } }), 409, 'signup-closed');
  t.equal(closed.deadline, '2016-06-01T23:59');
  problem(t, await a.app.inject({ method: 'POST', url, payload: { municipalityCode: 461, contact: contact('Odense') }, headers: asCoordinator }), 409, 'signup-closed');
  problem(t, await a.app.inject({ method: 'POST', url: `${url}?override=true`, payload: { municipalityCode: 461, contact: contact('Odense') }, headers: asCoordinator }), 403, 'forbidden');
  problem(t, await a.as({ method: 'POST', url: `${url}?override=yes`, payload: { municipalityCode: 461, contact: contact('Odense') } }), 400, 'validation-failed');
  problem(t, await a.as({ method: 'POST', url: `${url}?override=false`, payload: { municipalityCode: 461, contact: contact('Odense') } }), 409, 'signup-closed');

  const odense = ok(t, await a.as({ method: 'POST', url: `${url}?override=true`, payload: { municipalityCode: 461, contact: contact('Odense') } }), 201);
  t.match(odense, { networkSlug: PROGRAMME_SLUG, status: 'active', municipality: { code: 461, name: 'Odense', region: 'Region Syddanmark' } });
  t.equal(ok(t, await a.app.inject({ url: `/api/v1/networks/${PROGRAMME_SLUG}/signup` })).members, 1);
  // Withdrawing is not bound to the window.
  t.equal((await a.app.inject({ method: 'DELETE', url: `${url}/461`, headers: asCoordinator })).statusCode, 204);
});

t.test('sign up, refuse duplicates, withdraw and sign up again', async (t) => {
  const f = await fixture(t, { targetGroup: 'Skolechefer' });
  const url = '/api/v1/networks/net/members';
  const created = ok(t, await f.as({ method: 'POST', url, payload: { municipalityCode: 492, contact: contact('Ærø') } }), 201);
  t.match(created, {
    id: /^mbr_/,
    networkSlug: 'net',
    municipality: { code: 492, name: 'Ærø', region: 'Region Syddanmark' },
    status: 'active',
    contact: { name: 'Ærø', email: 'xrx@kommune.dk', role: 'Skolechef' },
    clusterId: null,
    withdrawnAt: null,
  });
  t.notOk('version' in created, 'the version travels in the ETag');
  const noRole = ok(t, await f.as({ method: 'POST', url, payload: { municipalityCode: 101, contact: { name: 'Kbh', email: 'kbh@kk.dk' } }, headers: f.headers.coordinator }), 201);
  t.equal(noRole.contact.role, '');

  const dup = problem(t, await f.as({ method: 'POST', url, payload: { municipalityCode: 492, contact: contact('Igen') } }), 409, 'already-member');
  t.match(dup.detail, /Ærø \(492\)/);
  t.same(ok(t, await f.as({ url: `${url}/492` })), created, 'the duplicate changed nothing');

  const read = await f.as({ url: `${url}/492` });
  t.equal(read.headers.etag, '"v1"');
  problem(t, await f.as({ method: 'DELETE', url: `${url}/492`, headers: { 'if-match': '"v7"' } }), 412, 'precondition-failed');
  const del = await f.app.inject({ method: 'DELETE', url: `${url}/492`, headers: { ...f.headers.coordinator, 'if-match': '"v1"' } });
  t.equal(del.statusCode, 204);
  t.equal(del.body, '');
  const withdrawn = ok(t, await f.as({ url: `${url}/492` }));
  t.match(withdrawn, { id: created.id, status: 'withdrawn', clusterId: null, withdrawnAt: /^\d{4}-\d\d-\d\dT/ });
  problem(t, await f.as({ method: 'DELETE', url: `${url}/492` }), 404, 'not-found');
  problem(t, await f.as({ method: 'DELETE', url: `${url}/751` }), 404, 'not-found');
  t.equal(ok(t, await f.app.inject({ url: '/api/v1/networks/net/signup' })).members, 1);

  const again = ok(t, await f.as({ method: 'POST', url, payload: { municipalityCode: 492, contact: { name: 'Ny kontakt', email: 'ny@aeroe.dk' } } }), 201);
  t.match(again, { id: created.id, status: 'active', withdrawnAt: null, contact: { name: 'Ny kontakt', email: 'ny@aeroe.dk', role: '' } });
  t.ok(again.signedUpAt >= created.signedUpAt);
  t.equal((await f.as({ url: `${url}/492` })).headers.etag, '"v3"', 'withdrawal and return each bumped the version');

  const all = ok(t, await f.as({ url })).data;
  t.same(all.map((m: { municipality: { code: number } }) => m.municipality.code), [101, 492]);
  t.same(ok(t, await f.as({ url: `${url}?status=withdrawn` })).data, []);
  await f.as({ method: 'DELETE', url: `${url}/101` });
  t.same(ok(t, await f.as({ url: `${url}?status=withdrawn` })).data.map((m: { municipality: { code: number } }) => m.municipality.code), [101]);
  t.same(ok(t, await f.as({ url: `${url}?status=active` })).data.map((m: { municipality: { code: number } }) => m.municipality.code), [492]);
  problem(t, await f.as({ url: `${url}?status=gone` }), 400, 'validation-failed');
});

t.test('unknown municipalities and malformed sign-ups are 400; unknown networks 404', async (t) => {
  const f = await fixture(t);
  const url = '/api/v1/networks/net/members';
  const unknown = problem(t, await f.as({ method: 'POST', url, payload: { municipalityCode: 102, contact: contact('X') } }), 400, 'unknown-municipality');
  t.same(paths(unknown), ['body.municipalityCode']);
  const bad: [unknown, string][] = [
    [{ contact: contact('X') }, 'body.municipalityCode'],
    [{ municipalityCode: '461', contact: contact('X') }, 'body.municipalityCode'],
    [{ municipalityCode: 46, contact: contact('X') }, 'body.municipalityCode'],
    [{ municipalityCode: 461 }, 'body.contact'],
    [{ municipalityCode: 461, contact: { name: 'X' } }, 'body.contact.email'],
    [{ municipalityCode: 461, contact: { name: ' ', email: 'x@y.dk' } }, 'body.contact.name'],
    [{ municipalityCode: 461, contact: { name: 'X', email: 'not-an-email' } }, 'body.contact.email'],
    [{ municipalityCode: 461, contact: { ...contact('X'), phone: '1'.repeat(51) } }, 'body.contact.phone'],
    [{ municipalityCode: 461, contact: contact('X'), clusterId: 'x' }, 'body.clusterId'],
  ];
  for (const [payload, path] of bad) {
    const body = problem(t, await f.as({ method: 'POST', url, payload: payload as object }), 400, 'validation-failed');
    t.ok(paths(body).includes(path), `${path} in ${JSON.stringify(body.errors)}`);
  }
  t.same(ok(t, await f.as({ url })).data, [], 'nothing was created');

  problem(t, await f.as({ method: 'POST', url: '/api/v1/networks/nope/members', payload: { municipalityCode: 461, contact: contact('X') } }), 404, 'not-found');
  problem(t, await f.app.inject({ url: '/api/v1/networks/nope/members' }), 404, 'not-found');
  problem(t, await f.app.inject({ url: '/api/v1/networks/nope/members/461' }), 404, 'not-found');
  problem(t, await f.app.inject({ url: '/api/v1/networks/nope/signup' }), 404, 'not-found');
  problem(t, await f.as({ method: 'DELETE', url: '/api/v1/networks/nope/members/461' }), 404, 'not-found');
  problem(t, await f.app.inject({ url: `${url}/461` }), 404, 'not-found');
  problem(t, await f.app.inject({ url: `${url}/abc` }), 400, 'validation-failed');
  problem(t, await f.app.inject({ url: `${url}?cursor=forged` }), 400, 'invalid-cursor');
});

t.test('who may write: coordinators of the network and admins', async (t) => {
  const f = await fixture(t);
  const url = '/api/v1/networks/net/members';
  const payload = { municipalityCode: 751, contact: contact('Aarhus') };
  problem(t, await f.app.inject({ method: 'POST', url, payload }), 401, 'unauthorized');
  problem(t, await f.app.inject({ method: 'POST', url, payload, headers: { authorization: 'Bearer na_wrong' } }), 401, 'unauthorized');
  problem(t, await f.app.inject({ method: 'POST', url, payload, headers: f.headers.otherCoordinator }), 403, 'forbidden');
  problem(t, await f.app.inject({ method: 'POST', url, payload, headers: f.headers.reader }), 403, 'forbidden');
  ok(t, await f.app.inject({ method: 'POST', url, payload, headers: f.headers.coordinator }), 201);

  problem(t, await f.app.inject({ method: 'DELETE', url: `${url}/751` }), 401, 'unauthorized');
  problem(t, await f.app.inject({ method: 'DELETE', url: `${url}/751`, headers: f.headers.otherCoordinator }), 403, 'forbidden');
  problem(t, await f.app.inject({ method: 'DELETE', url: `${url}/751`, headers: f.headers.reader }), 403, 'forbidden');
  t.equal(ok(t, await f.as({ url: `${url}/751` })).status, 'active', 'refused writes changed nothing');
  // The other network's coordinator writes in their own network.
  ok(t, await f.app.inject({ method: 'POST', url: '/api/v1/networks/other/members', payload, headers: f.headers.otherCoordinator }), 201);
  t.equal((await f.app.inject({ method: 'DELETE', url: `${url}/751`, headers: f.headers.coordinator })).statusCode, 204);
});

t.test('contact persons are personal data: only tokens of the network see them', async (t) => {
  const f = await fixture(t);
  const url = '/api/v1/networks/net/members';
  for (const code of [851, 101, 461]) {
    ok(t, await f.as({ method: 'POST', url, payload: { municipalityCode: code, contact: { name: `Kontakt ${code}`, email: `kontakt${code}@kommune.dk`, role: 'Chef' } } }), 201);
  }
  const secret = /kontakt\d+@|Kontakt \d+|Chef/;
  const viewers: [string, Record<string, string>, boolean][] = [
    ['anonymous', {}, false],
    ['coordinator of another network', f.headers.otherCoordinator, false],
    ['reader of another network', f.headers.otherReader, false],
    ['reader of the network', f.headers.reader, true],
    ['coordinator of the network', f.headers.coordinator, true],
    ['admin', f.auth, true],
  ];
  for (const [who, headers, full] of viewers) {
    const list = await f.app.inject({ url, headers });
    const body = ok(t, list);
    t.same(body.data.map((m: { municipality: { code: number } }) => m.municipality.code), [101, 461, 851], `${who}: by code`);
    const one = await f.app.inject({ url: `${url}/461`, headers });
    ok(t, one);
    if (full) {
      t.match(body.data[1], { municipality: { code: 461, name: 'Odense' }, status: 'active', contact: { name: 'Kontakt 461', email: 'kontakt461@kommune.dk', role: 'Chef' } }, `${who} sees contacts`);
      t.match(one.json().contact, { email: 'kontakt461@kommune.dk' });
    } else {
      t.same(body.data[1], { municipality: { code: 461, name: 'Odense', region: 'Region Syddanmark' }, status: 'active' }, `${who}: municipality and status only`);
      t.same(one.json(), { municipality: { code: 461, name: 'Odense', region: 'Region Syddanmark' }, status: 'active' });
      t.notMatch(list.body, secret, `${who}: no contact data anywhere in the list`);
      t.notMatch(one.body, secret, `${who}: nor in one member`);
    }
  }
  // Nor in the public sign-up summary or the audit trail.
  t.notMatch((await f.app.inject({ url: '/api/v1/networks/net/signup' })).body, secret);
  const audit = f.app.db.select().from(auditLog).all().filter((r) => r.entity === 'member');
  t.equal(audit.length, 3, 'sign-ups are audited');
  t.ok(audit.every((r) => !secret.test(`${r.before ?? ''}${r.after ?? ''}`)), 'without the contact person');
});

t.test('the member list pages by municipality code', async (t) => {
  const f = await fixture(t);
  const url = '/api/v1/networks/net/members';
  const codes = [860, 101, 492, 751, 400, 265, 147];
  for (const code of codes) ok(t, await f.as({ method: 'POST', url, payload: { municipalityCode: code, contact: contact(`K${code}`) } }), 201);
  const seen: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query: string = cursor ? `?limit=3&cursor=${cursor}` : '?limit=3';
    const body: { data: { municipality: { code: number } }[]; nextCursor: string | null } = ok(t, await f.app.inject({ url: `${url}${query}` }));
    seen.push(...body.data.map((m) => m.municipality.code));
    cursor = body.nextCursor;
    pages++;
  } while (cursor && pages < 10);
  t.equal(pages, 3);
  t.same(seen, [...codes].sort((a, b) => a - b));
  problem(t, await f.app.inject({ url: `${url}?limit=0` }), 400, 'validation-failed');
});

t.test('a network with active members cannot be deleted', async (t) => {
  const { as } = await makeApp(t);
  t.equal((await as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'lille-netvaerk', name: 'Lille netværk' } })).statusCode, 201);
  t.equal((await as({ method: 'POST', url: '/api/v1/networks/lille-netvaerk/members', payload: { municipalityCode: 461, contact: { name: 'Ole', email: 'ole@odense.dk' } } })).statusCode, 201);
  const refused = await as({ method: 'DELETE', url: '/api/v1/networks/lille-netvaerk' });
  t.equal(refused.statusCode, 409);
  t.equal(refused.json().code, 'network-not-empty');
  t.equal((await as({ method: 'DELETE', url: '/api/v1/networks/lille-netvaerk/members/461' })).statusCode, 204);
  t.equal((await as({ method: 'DELETE', url: '/api/v1/networks/lille-netvaerk' })).statusCode, 204, 'withdrawn members do not block');
});
