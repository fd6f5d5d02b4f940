// Self-service forms through app.inject: municipality sign-up and its manage link, participant registration
// with waiting list, track changes, cancellation and promotion, data export and erasure, proposals and votes;
// CSRF, rate limits, validation messages in Danish and English with nothing saved, closed windows, and no
// capability token in the log.
import t from 'tap';
import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { auditLog, manageLinks, members, participants, registrations } from '../db/schema.js';
import { buildApp } from '../server/app.js';
import { createToken } from '../server/auth/tokens.js';
import { testConfig } from '../server/config.js';
import { validateHtml } from './browser-harness.js';
import { makeApp, type TestApp } from './helpers.js';
import { SLUG, formSession, seedNetwork, submit, tokenOf } from './self-service-fixture.js';

const count = (a: TestApp, table: typeof members | typeof participants | typeof registrations | typeof manageLinks) => a.app.db.select().from(table).all().length;

const signup = (a: TestApp, fields: Record<string, string>, lang = '') =>
  submit(a.app, `/networks/${SLUG}/signup${lang}`, fields);

const register = (a: TestApp, meetingId: string, fields: Record<string, string>, lang = '') =>
  submit(a.app, `/meetings/${meetingId}/register${lang}`, fields);

const person = (n: number, track: string) => ({ name: `Deltager ${n} Ærø`, email: `deltager${n}@kommune.dk`, municipality: '461', track });

t.test('municipality sign-up: receipt with the deadline and a manage link; change contact; withdraw', async (t) => {
  const a = await makeApp(t);
  await seedNetwork(a.as);
  t.match((await a.app.inject({ method: 'GET', url: `/networks/${SLUG}` })).body, `href="/networks/${SLUG}/signup"`, 'the network page links to the form');
  t.match((await a.app.inject({ method: 'GET', url: `/networks/${SLUG}?lang=en` })).body, `href="/networks/${SLUG}/signup?lang=en"`);
  const form = await a.app.inject({ method: 'GET', url: `/networks/${SLUG}/signup` });
  t.equal(form.statusCode, 200);
  t.match(form.headers['content-type'], /^text\/html/);
  t.equal(form.headers['cache-control'], 'no-store');
  t.match(form.body, /<option value="461">Odense<\/option>/);
  const res = await signup(a, { municipality: '461', name: 'Søren Ærøe', email: 'søren@odense.dk', phone: '+45 65 51 10 00' });
  t.equal(res.statusCode, 303);
  const token = tokenOf(res);
  t.equal(res.headers.location, `/manage/${token}/receipt`);
  const stored = a.app.db.select().from(manageLinks).all();
  t.equal(stored.length, 1);
  t.not(stored[0]!.tokenHash, token, 'only a hash is stored');
  t.equal(stored[0]!.tokenHash.length, 64);
  const receipt = await a.app.inject({ method: 'GET', url: res.headers.location! });
  t.equal(receipt.statusCode, 200);
  t.match(receipt.body, 'Kommunen er tilmeldt');
  t.match(receipt.body, 'Odense er tilmeldt Dagtilbud – Ærø og Æbeltoft');
  t.match(receipt.body, /Indtil fristen \d+\. \w+ \d{4}/);
  t.match(receipt.body, `http://127.0.0.1:3000/manage/${token}`);
  const member = a.app.db.select().from(members).get()!;
  t.same([member.contactName, member.contactEmail, member.contactPhone, member.status], ['Søren Ærøe', 'søren@odense.dk', '+45 65 51 10 00', 'active']);
  const audit = a.app.db.select().from(auditLog).where(eq(auditLog.entity, 'member')).all();
  t.equal(audit.at(-1)?.actor, 'self-service', 'the audit trail names self-service');

  // The API shows the phone to the network's tokens.
  const api = (await a.as({ method: 'GET', url: `/api/v1/networks/${SLUG}/members/461` })).json();
  t.equal(api.contact.phone, '+45 65 51 10 00');

  // Change the contact person.
  const manage = `/manage/${token}`;
  const page = await a.app.inject({ method: 'GET', url: manage });
  t.match(page.body, 'value="Søren Ærøe"');
  const changed = await submit(a.app, manage, { name: 'Åse Øster', email: 'aase@odense.dk', phone: '' }, `${manage}/contact`);
  t.equal(changed.statusCode, 303);
  t.equal(changed.headers.location, `${manage}?done=saved`);
  t.equal(a.app.db.select().from(members).get()!.contactName, 'Åse Øster');
  t.match((await a.app.inject({ method: 'GET', url: changed.headers.location! })).body, 'Kontaktpersonen er gemt.');

  // A contact change with errors: messages next to the fields, nothing changed.
  const bad = await submit(a.app, `${manage}?lang=en`, { name: '', email: 'nope', phone: 'x' }, `${manage}/contact?lang=en`);
  t.equal(bad.statusCode, 422);
  t.match(bad.body, 'This field is required.');
  t.match(bad.body, 'Enter a valid e-mail address');
  t.match(bad.body, 'Enter the phone number in digits');
  t.equal(a.app.db.select().from(members).get()!.contactName, 'Åse Øster');

  // Signing up the same municipality again: already a member.
  const again = await signup(a, { municipality: '461', name: 'Ny', email: 'ny@odense.dk', phone: '' });
  t.equal(again.statusCode, 422);
  t.match(again.body, 'Kommunen er allerede tilmeldt netværket.');

  // Withdraw.
  const withdrawn = await submit(a.app, manage, {}, `${manage}/withdraw`);
  t.equal(withdrawn.statusCode, 303);
  t.equal(a.app.db.select().from(members).get()!.status, 'withdrawn');
  t.match((await a.app.inject({ method: 'GET', url: manage })).body, 'Kommunen er afmeldt.');

  // Signing up again makes a new link; the old one stops working.
  const back = await signup(a, { municipality: '461', name: 'Søren', email: 'søren@odense.dk', phone: '' });
  t.equal(back.statusCode, 303);
  t.not(tokenOf(back), token);
  t.equal((await a.app.inject({ method: 'GET', url: manage })).statusCode, 404);
});

t.test('sign-up validation in Danish and English, nothing saved', async (t) => {
  const a = await makeApp(t);
  await seedNetwork(a.as);
  const da = await signup(a, { municipality: '', name: '  ', email: 'ikke-en-adresse', phone: 'abc' });
  t.equal(da.statusCode, 422);
  t.match(da.body, 'Der er fejl i formularen');
  t.match(da.body, 'Vælg en kommune på listen.');
  t.match(da.body, 'Feltet skal udfyldes.');
  t.match(da.body, 'Skriv en gyldig e-mailadresse');
  t.match(da.body, 'Skriv telefonnummeret med cifre');
  t.match(da.body, /<select id="field-municipality" name="municipality" required aria-invalid="true" aria-describedby="error-municipality">/);
  t.match(da.body, 'value="ikke-en-adresse"', 'what was typed is kept');
  const en = await signup(a, { municipality: '999', name: 'x'.repeat(201), email: '', phone: '' }, '?lang=en');
  t.equal(en.statusCode, 422);
  t.match(en.body, '<html lang="en">');
  t.match(en.body, 'The text is too long.');
  t.match(en.body, 'This field is required.');
  // 999 has the shape of a code but is no municipality: refused by the repository, nothing saved.
  const unknown = await signup(a, { municipality: '999', name: 'Ole', email: 'ole@kommune.dk', phone: '' }, '?lang=en');
  t.equal(unknown.statusCode, 422);
  t.match(unknown.body, 'Choose a municipality from the list.');
  t.equal(count(a, members), 0);
  t.equal(count(a, manageLinks), 0);
});

t.test('sign-up closed after the deadline and not open before the window', async (t) => {
  const a = await makeApp(t);
  const { meetingId } = await seedNetwork(a.as, { signupDeadline: '2020-01-01T12:00' });
  const page = await a.app.inject({ method: 'GET', url: `/networks/${SLUG}/signup` });
  t.equal(page.statusCode, 200);
  t.match(page.body, 'Tilmeldingen til netværket er lukket.');
  t.notMatch(page.body, '<form');
  // A POST with a valid token (any form's: the meeting's is open) is refused with the closed page.
  const post = await submit(a.app, `/meetings/${meetingId}/register`, { municipality: '461', name: 'Ole', email: 'ole@kommune.dk', phone: '' }, `/networks/${SLUG}/signup`);
  t.equal(post.statusCode, 409);
  t.match(post.body, 'Tilmeldingen til netværket er lukket.');
  t.equal(count(a, members), 0);

  await a.as({ method: 'PATCH', url: `/api/v1/networks/${SLUG}`, payload: { signupOpens: '2099-01-01T09:00', signupDeadline: '2099-02-01T12:00' } });
  const early = await a.app.inject({ method: 'GET', url: `/networks/${SLUG}/signup?lang=en` });
  t.match(early.body, 'Sign-up to the network is not open yet.');
  t.match(early.body, 'It opens 1 January 2099 at 09:00');
});

t.test('member changes are refused after the deadline', async (t) => {
  const a = await makeApp(t);
  await seedNetwork(a.as);
  const token = tokenOf(await signup(a, { municipality: '461', name: 'Søren', email: 'søren@odense.dk', phone: '' }));
  const manage = `/manage/${token}`;
  const form = formSession(await a.app.inject({ method: 'GET', url: manage }));
  await a.as({ method: 'PATCH', url: `/api/v1/networks/${SLUG}`, payload: { signupDeadline: '2020-01-01T12:00' } });
  const page = await a.app.inject({ method: 'GET', url: manage });
  t.match(page.body, 'Fristen er overskredet');
  t.notMatch(page.body, '/withdraw');
  const post = (path: string, fields: Record<string, string>) =>
    a.app.inject({ method: 'POST', url: `${manage}/${path}`, headers: { cookie: form.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ ...fields, _csrf: form.csrf }).toString() });
  t.equal((await post('withdraw', {})).statusCode, 409);
  t.equal((await post('contact', { name: 'Ny', email: 'ny@odense.dk' })).statusCode, 409);
  const member = a.app.db.select().from(members).get()!;
  t.same([member.status, member.contactName], ['active', 'Søren']);
});

t.test('registration: receipt with feed and manage link; full track -> waiting list with place; cancel -> promotion; change track', async (t) => {
  const a = await makeApp(t);
  const { meetingId, smallTrack, largeTrack } = await seedNetwork(a.as);
  t.match((await a.app.inject({ method: 'GET', url: `/meetings/${meetingId}` })).body, `href="/meetings/${meetingId}/register"`, 'the meeting page links to the form');
  const form = await a.app.inject({ method: 'GET', url: `/meetings/${meetingId}/register` });
  t.equal(form.statusCode, 200);
  t.match(form.body, 'Spor A: Sprog (1 ledig plads)');

  const first = await register(a, meetingId, person(1, smallTrack));
  t.equal(first.statusCode, 303);
  const firstToken = tokenOf(first);
  const receipt = await a.app.inject({ method: 'GET', url: first.headers.location! });
  t.equal(receipt.statusCode, 200);
  t.match(receipt.body, '<h1>Du er tilmeldt</h1>');
  t.match(receipt.body, 'Spor: Spor A: Sprog');
  t.match(receipt.body, /href="webcal:\/\/127\.0\.0\.1:3000\/feeds\/personal\/[A-Za-z0-9_-]{43}\.ics"/);
  t.match(receipt.body, `/manage/${firstToken}`);
  // The personal feed is published by the time the receipt is shown.
  const feedPath = /href="http:\/\/127\.0\.0\.1:3000(\/feeds\/personal\/[A-Za-z0-9_-]{43}\.ics)"/.exec(receipt.body)![1]!;
  const feed = await a.app.inject({ method: 'GET', url: feedPath });
  t.equal(feed.statusCode, 200);
  t.match(feed.body, 'SUMMARY:Forårsmøde i Odense');
  const participant = a.app.db.select().from(participants).get()!;
  t.same([participant.name, participant.email, participant.municipalityCode, participant.networkSlug], ['Deltager 1 Ærø', 'deltager1@kommune.dk', 461, SLUG]);

  // The small track is full now: the next two land on the waiting list, with their place.
  t.match((await a.app.inject({ method: 'GET', url: `/meetings/${meetingId}/register` })).body, 'Spor A: Sprog (fuldt: venteliste)');
  const second = await register(a, meetingId, person(2, smallTrack), '?lang=en');
  t.equal(second.statusCode, 303);
  t.match(second.headers.location, /\?registration=reg_[^&]+&lang=en$/);
  const secondToken = tokenOf(second);
  const waiting = await a.app.inject({ method: 'GET', url: second.headers.location! });
  t.match(waiting.body, '<h1>You are on the waiting list</h1>');
  t.match(waiting.body, 'You are number 1 on the waiting list.');
  const third = await register(a, meetingId, person(3, smallTrack));
  const thirdToken = tokenOf(third);
  t.match((await a.app.inject({ method: 'GET', url: third.headers.location! })).body, 'Du er nr. 2 på ventelisten.');
  t.match((await a.app.inject({ method: 'GET', url: `/manage/${thirdToken}` })).body, 'Nr. 2 på ventelisten');

  // The first cancels: the second is promoted (and the third moves up).
  const firstManage = `/manage/${firstToken}`;
  const firstReg = a.app.db.select().from(registrations).where(eq(registrations.participantId, participant.id)).get()!;
  const cancelled = await submit(a.app, firstManage, {}, `${firstManage}/registrations/${firstReg.id}/cancel`);
  t.equal(cancelled.statusCode, 303);
  t.equal(cancelled.headers.location, `${firstManage}?done=cancelled`);
  const firstPage = await a.app.inject({ method: 'GET', url: cancelled.headers.location! });
  t.match(firstPage.body, 'Du er afmeldt mødet.');
  t.match(firstPage.body, '<strong>Afmeldt</strong>');
  t.match((await a.app.inject({ method: 'GET', url: `/manage/${secondToken}?lang=en` })).body, '<strong>Registered</strong>');
  t.match((await a.app.inject({ method: 'GET', url: `/manage/${thirdToken}` })).body, 'Nr. 1 på ventelisten');

  // The third changes to the large track by the manage link: registered there, keeping nothing of the old queue.
  const thirdManage = `/manage/${thirdToken}`;
  const thirdReg = a.app.db.select().from(registrations).all().find((r) => r.status === 'waitlisted')!;
  const moved = await submit(a.app, thirdManage, { track: largeTrack }, `${thirdManage}/registrations/${thirdReg.id}/track`);
  t.equal(moved.statusCode, 303);
  const movedPage = await a.app.inject({ method: 'GET', url: moved.headers.location! });
  t.match(movedPage.body, 'Sporet er skiftet.');
  t.match(movedPage.body, 'Spor: Spor B: Ledelse');
  t.equal(a.app.db.select().from(registrations).where(eq(registrations.id, thirdReg.id)).get()!.trackId, largeTrack);

  // A track that is not the meeting's, or none: the message next to the field, nothing changed.
  const wrong = await submit(a.app, thirdManage, { track: 'trk_nope' }, `${thirdManage}/registrations/${thirdReg.id}/track`);
  t.equal(wrong.statusCode, 422);
  t.match(wrong.body, 'Vælg et af mødets spor.');
  t.equal(a.app.db.select().from(registrations).where(eq(registrations.id, thirdReg.id)).get()!.trackId, largeTrack);

  // Someone else's registration is not reachable by this link.
  const other = await submit(a.app, thirdManage, {}, `${thirdManage}/registrations/${firstReg.id}/cancel`);
  t.equal(other.statusCode, 404);

  // The receipts went to the outbox for the participants (confirmed, promoted).
  const outbox = a.app.db.$client.prepare("SELECT type FROM outbox_messages WHERE type LIKE 'registration.%'").pluck().all();
  t.ok(outbox.includes('registration.confirmed') && outbox.includes('registration.promoted'), `outbox: ${outbox.join(', ')}`);
});

t.test('registration validation in Danish and English, nothing half-saved', async (t) => {
  const a = await makeApp(t);
  const { meetingId } = await seedNetwork(a.as);
  const da = await register(a, meetingId, { name: '', email: 'x', municipality: '', track: '' });
  t.equal(da.statusCode, 422);
  for (const text of ['Feltet skal udfyldes.', 'Skriv en gyldig e-mailadresse', 'Vælg en kommune på listen.']) t.match(da.body, text);
  // A valid form without a track on a meeting with tracks: refused by the registration rule after the
  // participant was made in the same transaction: nothing of it stays.
  const noTrack = await register(a, meetingId, { name: 'Ole', email: 'ole@kommune.dk', municipality: '461', track: '' }, '?lang=en');
  t.equal(noTrack.statusCode, 422);
  t.match(noTrack.body, 'Choose one of the meeting’s tracks.');
  t.match(noTrack.body, 'value="ole@kommune.dk"');
  const unknownMunicipality = await register(a, meetingId, { name: 'Ole', email: 'ole@kommune.dk', municipality: '999', track: '' }, '?lang=en');
  t.match(unknownMunicipality.body, 'Choose a municipality from the list.');
  t.equal(count(a, participants), 0);
  t.equal(count(a, registrations), 0);
  t.equal(count(a, manageLinks), 0);
});

t.test('registration closed: the form says so and a POST saves nothing', async (t) => {
  const a = await makeApp(t);
  const { meetingId, smallTrack } = await seedNetwork(a.as);
  const session = formSession(await a.app.inject({ method: 'GET', url: `/meetings/${meetingId}/register` }));
  await a.as({ method: 'PATCH', url: `/api/v1/meetings/${meetingId}`, payload: { registrationDeadline: '2020-01-01T12:00' } });
  const page = await a.app.inject({ method: 'GET', url: `/meetings/${meetingId}/register?lang=en` });
  t.match(page.body, 'Registration for the meeting is closed.');
  t.notMatch(page.body, '<form');
  const post = await a.app.inject({
    method: 'POST',
    url: `/meetings/${meetingId}/register`,
    headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...person(1, smallTrack), _csrf: session.csrf }).toString(),
  });
  t.equal(post.statusCode, 409);
  t.match(post.body, 'Tilmeldingen til mødet er lukket.');
  t.same(await validateHtml(post.body), [], 'the closed form validates');
  t.equal(count(a, participants), 0);
  // A draft meeting has no form at all.
  const draft = (await a.as({ method: 'POST', url: `/api/v1/networks/${SLUG}/meetings`, payload: { title: 'Kladde', date: '2099-01-01', startTime: '10:00', endTime: '12:00' } })).json();
  t.equal((await a.app.inject({ method: 'GET', url: `/meetings/${draft.id}/register` })).statusCode, 404);
});

t.test('data export and erasure by the manage link', async (t) => {
  const a = await makeApp(t);
  const { meetingId, smallTrack } = await seedNetwork(a.as);
  const token = tokenOf(await register(a, meetingId, person(1, smallTrack)));
  const waitingToken = tokenOf(await register(a, meetingId, person(2, smallTrack)));
  const manage = `/manage/${token}`;
  const data = await a.app.inject({ method: 'GET', url: `${manage}/data.json` });
  t.equal(data.statusCode, 200);
  t.match(data.headers['content-type'], /^application\/json/);
  t.match(data.headers['content-disposition'], /^attachment/);
  const body = data.json();
  t.equal(body.participant.name, 'Deltager 1 Ærø');
  t.equal(body.registrations.length, 1);
  t.equal(body.registrations[0].track.name, 'Spor A: Sprog');

  const confirm = await a.app.inject({ method: 'GET', url: `${manage}/erase` });
  t.equal(confirm.statusCode, 200);
  t.match(confirm.body, 'Slet dine data');
  // Without the confirmation box: the message, nothing erased.
  const unconfirmed = await submit(a.app, `${manage}/erase`, {}, `${manage}/erase`);
  t.equal(unconfirmed.statusCode, 422);
  t.match(unconfirmed.body, 'Sæt kryds for at bekræfte.');
  t.equal(count(a, participants), 2);
  const erased = await submit(a.app, `${manage}/erase?lang=en`, { confirm: 'yes' }, `${manage}/erase?lang=en`);
  t.equal(erased.statusCode, 303);
  t.equal(erased.headers.location, '/manage/erased?lang=en');
  t.match((await a.app.inject({ method: 'GET', url: erased.headers.location! })).body, 'Your data is erased');
  t.equal(count(a, participants), 1);
  t.equal(count(a, manageLinks), 1, 'the erased participant’s link went with them');
  t.equal((await a.app.inject({ method: 'GET', url: manage })).statusCode, 404);
  t.equal((await a.app.inject({ method: 'GET', url: `${manage}/data.json` })).statusCode, 404);
  // Their place went to the waiting list.
  t.match((await a.app.inject({ method: 'GET', url: `/manage/${waitingToken}` })).body, '<strong>Tilmeldt</strong>');
});

t.test('proposals and votes from the manage page', async (t) => {
  const a = await makeApp(t);
  const { meetingId, smallTrack, largeTrack } = await seedNetwork(a.as);
  const one = `/manage/${tokenOf(await register(a, meetingId, person(1, smallTrack)))}`;
  const two = `/manage/${tokenOf(await register(a, meetingId, person(2, largeTrack)))}`;
  const bad = await submit(a.app, one, { meeting: '', title: '', description: '' }, `${one}/proposals`);
  t.equal(bad.statusCode, 422);
  t.match(bad.body, 'Vælg et kommende møde.');
  t.match(bad.body, 'Feltet skal udfyldes.');
  const wrongMeeting = await submit(a.app, one, { meeting: 'mtg_nope', title: 'Sprog', description: '' }, `${one}/proposals`);
  t.equal(wrongMeeting.statusCode, 422);
  t.match(wrongMeeting.body, 'Vælg et kommende møde.');
  const proposed = await submit(a.app, one, { meeting: meetingId, title: 'Sprogstimulering i vuggestuen', description: 'Hvad virker?' }, `${one}/proposals`);
  t.equal(proposed.statusCode, 303);
  t.match((await a.app.inject({ method: 'GET', url: proposed.headers.location! })).body, 'Tak for dit forslag.');
  const list = (await a.as({ method: 'GET', url: `/api/v1/networks/${SLUG}/proposals` })).json();
  t.equal(list.data.length, 1);
  const id = list.data[0].id;
  const page = await a.app.inject({ method: 'GET', url: two });
  t.match(page.body, 'Stem på “Sprogstimulering i vuggestuen”');
  t.match((await a.app.inject({ method: 'GET', url: `/networks/${SLUG}` })).body, '0 stemmer', 'the network page, kept before the vote');
  const voted = await submit(a.app, two, {}, `${two}/proposals/${id}/vote`);
  t.equal(voted.statusCode, 303);
  const after = await a.app.inject({ method: 'GET', url: voted.headers.location! });
  t.match(after.body, 'Din stemme er talt med.');
  t.match(after.body, '1 stemme');
  t.match(after.body, 'Du har stemt');
  // Voting twice: the conflict page, still one vote.
  const twice = await submit(a.app, two, {}, `${two}/proposals/${id}/vote`);
  t.equal(twice.statusCode, 409);
  t.same(await validateHtml(twice.body), [], 'the 409 page validates');
  t.equal((await a.as({ method: 'GET', url: `/api/v1/proposals/${id}` })).json().votes, 1);
  // The network page (kept by the page cache) shows the proposal with its votes at once.
  const network = await a.app.inject({ method: 'GET', url: `/networks/${SLUG}` });
  t.match(network.body, 'Sprogstimulering i vuggestuen');
  t.match(network.body, '1 stemme');
});

t.test('CSRF: a POST without a valid token is refused with a 403 page, nothing saved', async (t) => {
  const a = await makeApp(t);
  await seedNetwork(a.as);
  const fields = { municipality: '461', name: 'Ole', email: 'ole@kommune.dk', phone: '' };
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const none = await a.app.inject({ method: 'POST', url: `/networks/${SLUG}/signup`, headers: form, payload: new URLSearchParams(fields).toString() });
  t.equal(none.statusCode, 403);
  t.match(none.headers['content-type'], /^text\/html/);
  t.match(none.body, 'Formularen er udløbet');
  t.same(await validateHtml(none.body), [], 'the 403 page validates');
  const session = formSession(await a.app.inject({ method: 'GET', url: `/networks/${SLUG}/signup` }));
  const forged = await a.app.inject({ method: 'POST', url: `/networks/${SLUG}/signup?lang=en`, headers: { ...form, cookie: session.cookie }, payload: new URLSearchParams({ ...fields, _csrf: 'forged' }).toString() });
  t.equal(forged.statusCode, 403);
  t.match(forged.body, 'The form has expired');
  const noCookie = await a.app.inject({ method: 'POST', url: `/networks/${SLUG}/signup`, headers: form, payload: new URLSearchParams({ ...fields, _csrf: session.csrf }).toString() });
  t.equal(noCookie.statusCode, 403);
  t.equal(count(a, members), 0);
  // The cookie: signed, HttpOnly, SameSite=Strict.
  const page = await a.app.inject({ method: 'GET', url: `/networks/${SLUG}/signup` });
  t.match(String(page.headers['set-cookie']), /netagenda_csrf=[^;]+\.[^;]+;.*HttpOnly.*SameSite=Strict/);
});

t.test('rate limit on form posts per client address; unknown manage links are 404 pages', async (t) => {
  const a = await makeApp(t, { limits: { apiPerMinute: 1_000_000, authFailures: 1_000_000, formPostsPerMinute: 2, maxEventLoopDelay: 0 } });
  await seedNetwork(a.as);
  const bad = { municipality: '', name: '', email: '', phone: '' };
  t.equal((await signup(a, bad)).statusCode, 422);
  t.equal((await signup(a, bad)).statusCode, 422);
  const limited = await signup(a, bad);
  t.equal(limited.statusCode, 429);
  t.match(limited.body, 'For mange forsøg');
  t.same(await validateHtml(limited.body), [], 'the 429 page validates');
  t.ok(limited.headers['retry-after']);
  // Reads are not limited.
  t.equal((await a.app.inject({ method: 'GET', url: `/networks/${SLUG}/signup` })).statusCode, 200);
  // Other refusals are pages too: an oversized form (413) from the pages' own error handler.
  const big = await a.app.inject({ method: 'POST', url: `/manage/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/proposals`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `title=${'x'.repeat(20_000)}` });
  t.equal(big.statusCode, 413);
  t.match(big.headers['content-type'], /^text\/html/);
  for (const url of ['/manage/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '/manage/short', '/manage/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/receipt']) {
    const res = await a.app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 404, url);
    t.match(res.headers['content-type'], /^text\/html/);
  }
});

t.test('manage tokens never reach the log', async (t) => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const app = await buildApp(testConfig({ logLevel: 'info' }), { logStream: stream });
  t.teardown(() => app.close());
  const { raw } = createToken(app.db, { name: 'admin', role: 'admin' });
  const { meetingId, smallTrack } = await seedNetwork((opts) => app.inject({ ...opts, headers: { authorization: `Bearer ${raw}` } }));
  const res = await submit(app, `/meetings/${meetingId}/register`, person(1, smallTrack));
  const token = tokenOf(res);
  await app.inject({ method: 'GET', url: res.headers.location! });
  await app.inject({ method: 'GET', url: `/manage/${token}/data.json` });
  await app.inject({ method: 'GET', url: `/manage/${token}/no-such-page` });
  await app.inject({ method: 'GET', url: `/%6Danage/${token}` });
  await submit(app, `/manage/${token}`, {}, `/manage/${token}/erase`);
  const log = lines.join('');
  t.match(log, '/manage/[redacted]/receipt', 'the receipt request is logged, masked');
  t.match(log, '"url":"/manage/[redacted]"', 'a mistyped manage URL (no route) is masked too');
  t.notMatch(log, token);
  t.notMatch(log, 'deltager1@kommune.dk');
  t.notMatch(log, 'Deltager 1');
});

t.test('manage links and form parsing, directly', async (t) => {
  const a = await makeApp(t);
  await seedNetwork(a.as);
  const { resolveManageLink, createManageLink } = await import('../server/self-service/manage-links.js');
  const { parseForm, memberSignupForm, formValues } = await import('../server/self-service/self-service.forms.js');
  const token = tokenOf(await signup(a, { municipality: '461', name: 'Søren', email: 'søren@odense.dk', phone: '' }));
  t.match(token, /^[A-Za-z0-9_-]{32}$/, '24 random bytes, base64url');
  t.equal(resolveManageLink(a.app.db, token)?.kind, 'member');
  for (const bad of ['', 'x', `${token}x`, token.replace(/.$/, token.endsWith('A') ? 'B' : 'A'), '../../etc/passwd'.padEnd(32, 'a')]) {
    t.equal(resolveManageLink(a.app.db, bad), null, `not a link: ${bad}`);
  }
  const member = a.app.db.select().from(members).get()!;
  const tokens = new Set(Array.from({ length: 50 }, () => createManageLink(a.app.db, { memberId: member.id })));
  t.equal(tokens.size, 50, 'every link is new');
  t.same(formValues({ a: ['1', '2'], b: 'x', c: 3, d: undefined }), { a: '1', b: 'x' }, 'repeated fields: the first; non-strings dropped');
  t.same(formValues(null), {});
  const parsed = parseForm(memberSignupForm, { municipality: '461', name: 'Jens\u0007', email: 'jens@ærø.dk', phone: '' });
  t.same(parsed, { ok: false, errors: { name: 'invalid' } }, 'control characters are refused; an internationalised address is fine');
  const page = await a.app.inject({ method: 'GET', url: `/manage/${token}` });
  t.equal(page.headers['referrer-policy'], 'no-referrer');
  t.equal(page.headers['cache-control'], 'no-store');
});

t.test('registering for another meeting from the manage page', async (t) => {
  const a = await makeApp(t);
  const { meetingId, smallTrack } = await seedNetwork(a.as);
  const manage = `/manage/${tokenOf(await register(a, meetingId, person(1, smallTrack)))}`;
  const second = (await a.as({ method: 'POST', url: `/api/v1/networks/${SLUG}/meetings`, payload: { title: 'Efterårsmøde', date: '2099-09-10', startTime: '10:00', endTime: '16:00', status: 'announced' } })).json();
  const track = (await a.as({ method: 'POST', url: `/api/v1/meetings/${second.id}/tracks`, payload: { name: 'Spor C' } })).json();
  const page = await a.app.inject({ method: 'GET', url: manage });
  t.match(page.body, 'Tilmeld dig et andet møde');
  t.match(page.body, 'Tilmeld mig Efterårsmøde');
  t.notMatch(page.body, 'Tilmeld mig Forårsmøde', 'not offered a meeting they are registered for');
  const noTrack = await submit(a.app, manage, {}, `${manage}/meetings/${second.id}/register`);
  t.equal(noTrack.statusCode, 422);
  t.match(noTrack.body, /id="error-track-[^"]+">Vælg et af mødets spor\./);
  t.same(await validateHtml(page.body), [], 'the manage page with other meetings validates');
  t.same(await validateHtml(noTrack.body), [], 'and with a track error');
  const done = await submit(a.app, manage, { track: track.id }, `${manage}/meetings/${second.id}/register`);
  t.equal(done.statusCode, 303);
  const after = await a.app.inject({ method: 'GET', url: done.headers.location! });
  t.match(after.body, 'Du er tilmeldt mødet.');
  t.match(after.body, '<h3>Efterårsmøde</h3>');
  t.notMatch(after.body, 'Tilmeld dig et andet møde');
  t.equal(count(a, participants), 1, 'the same participant record');
  t.equal(count(a, registrations), 2);
  t.notMatch((await a.app.inject({ method: 'GET', url: `${manage}?done=constructor` })).body, 'function');
  // Twice for the same meeting: the conflict page.
  t.equal((await submit(a.app, manage, { track: track.id }, `${manage}/meetings/${second.id}/register`)).statusCode, 409);
  // Another network's meeting is not reachable.
  await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'andet', name: 'Andet' } });
  const foreign = (await a.as({ method: 'POST', url: '/api/v1/networks/andet/meetings', payload: { title: 'X', date: '2099-09-10', startTime: '10:00', endTime: '16:00', status: 'announced' } })).json();
  t.equal((await submit(a.app, manage, {}, `${manage}/meetings/${foreign.id}/register`)).statusCode, 404);
});
