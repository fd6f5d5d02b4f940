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
