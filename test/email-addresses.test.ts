// Internationalised e-mail addresses (RFC 6531): accepted wherever the API takes an address, kept as given
// (composed to NFC), returned and used unchanged; invalid ones still refused with problem+json.
import t from 'tap';
import { emailAddressProblem } from '../server/http/email-address.js';
import { email } from '../server/http/fields.js';
import { makeApp, ok, problem, type TestApp } from './helpers.js';

const SLUG = 'sydfynske-skolekonsulenter';

const VALID = [
  'søren@kommune.dk',
  'jens@ærø.dk',
  'Åse.Øster+netværk@Høje-Taastrup.dk',
  'bjørg.æbelø@sønderborg.dk',
  'mfs@kl.dk',
  "o'neil@example.org",
  'δοκιμή@παράδειγμα.ελ',
];

const INVALID: [string, string][] = [
  ['sørenkommune.dk', 'no @'],
  ['søren@@kommune.dk', 'two @'],
  ['søren@ærø@kommune.dk', 'two @ apart'],
  ['@kommune.dk', 'empty local part'],
  ['søren@', 'empty domain'],
  ['', 'empty'],
  ['søren @kommune.dk', 'a blank'],
  [' søren@kommune.dk', 'a leading blank'],
  ['søren@kommune.dk ', 'a trailing blank'],
  ['sø\tren@kommune.dk', 'a tab'],
  ['sø\u0000ren@kommune.dk', 'NUL'],
  ['sø\u0007ren@kommune.dk', 'a control character'],
  ['sø\u0085ren@kommune.dk', 'a C1 control'],
  ['sø\u200bren@kommune.dk', 'a zero-width space'],
  ['søren@kommune\u202e.dk', 'a bidi override'],
  ['søren@ærø', 'a domain without a dot'],
  ['søren@ærø..dk', 'an empty domain label'],
  ['søren@.ærø.dk', 'a leading dot in the domain'],
  ['søren@-ærø.dk', 'a label starting with a hyphen'],
  ['.søren@kommune.dk', 'a leading dot'],
  ['søren.@kommune.dk', 'a trailing dot before @'],
  ['sø..ren@kommune.dk', 'two dots in a row'],
  ['"søren"@kommune.dk', 'quotes'],
  ['søren,jens@kommune.dk', 'a comma'],
  ['søren<jens>@kommune.dk', 'angle brackets'],
  ['søren@[10.0.0.1]', 'an address literal'],
  ['søren@10.0.0.1', 'a numeric domain'],
  [`${'ø'.repeat(65)}@kommune.dk`, 'a local part over 64 characters'],
  [`søren@${'æ'.repeat(60)}.${'ø'.repeat(60)}.${'å'.repeat(60)}.${'æ'.repeat(60)}.kommune.dk`, 'over 254 characters in all'],
  [`søren@${'æ'.repeat(64)}.dk`, 'a domain label over 63 characters'],
];

t.test('the field: zod’s unicode pattern plus the deliverability rules', async (t) => {
  for (const address of VALID) {
    const parsed = email.safeParse(address);
    t.ok(parsed.success, `accepts ${address}`);
    t.equal(parsed.data, address, `keeps ${address} exactly`);
  }
  for (const [address, why] of INVALID) t.notOk(email.safeParse(address).success, `refuses ${why}`);
  // Decomposed input (a + combining ring) is stored composed: one way to write å.
  t.equal(email.parse('ha\u030ajen@a\u030arhus.dk'), 'håjen@århus.dk');
  t.equal(emailAddressProblem('søren@kommune.dk'), null);
  t.match(emailAddressProblem('søren@ærø'), /needs a dot/);
});

async function network(a: TestApp) {
  return ok(
    t,
    await a.as({
      method: 'POST',
      url: '/api/v1/networks',
      payload: { slug: SLUG, name: 'Sydfynske skolekonsulenter', organiser: { name: 'Ærø Kommune', email: 'børn.og.unge@ærø.dk' } },
    }),
    201,
  );
}

t.test('every route that takes an address accepts æøå, stores and returns it exactly', async (t) => {
  const a = await makeApp(t);
  const net = await network(a);
  t.equal(net.organiser.email, 'børn.og.unge@ærø.dk');
  t.equal(ok(t, await a.as({ url: `/api/v1/networks/${SLUG}` })).organiser.email, 'børn.og.unge@ærø.dk');
  const patchedNet = ok(t, await a.as({ method: 'PATCH', url: `/api/v1/networks/${SLUG}`, payload: { organiser: { email: 'Søren.Ærø@Kommune.dk' } } }));
  t.equal(patchedNet.organiser.email, 'Søren.Ærø@Kommune.dk', 'case kept');

  const speaker = ok(t, await a.as({ method: 'POST', url: `/api/v1/networks/${SLUG}/speakers`, payload: { name: 'Åse Ørsted', email: 'åse@universitet.dk' } }), 201);
  t.equal(speaker.email, 'åse@universitet.dk');
  t.equal(ok(t, await a.as({ url: `/api/v1/speakers/${speaker.id}` })).email, 'åse@universitet.dk');

  const person = ok(t, await a.as({ method: 'POST', url: `/api/v1/networks/${SLUG}/participants`, payload: { name: 'Søren Ødegård', email: 'søren@kommune.dk' } }), 201);
  t.equal(person.email, 'søren@kommune.dk');
  t.equal(ok(t, await a.as({ url: `/api/v1/participants/${person.id}` })).participant.email, 'søren@kommune.dk');
  const decomposed = ok(t, await a.as({ method: 'PATCH', url: `/api/v1/participants/${person.id}`, payload: { email: 'søren.ha\u030ajen@kommune.dk' } }));
  t.equal(decomposed.email, 'søren.håjen@kommune.dk', 'stored composed (NFC)');
  t.equal(decomposed.email.length, 'søren.håjen@kommune.dk'.length);
  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/participants/${person.id}`, payload: { email: 'jens@ærø.dk' } }));
  t.equal(ok(t, await a.as({ url: `/api/v1/participants/${person.id}` })).participant.email, 'jens@ærø.dk');

  const member = ok(
    t,
    await a.as({ method: 'POST', url: `/api/v1/networks/${SLUG}/members?override=true`, payload: { municipalityCode: 492, contact: { name: 'Bjørg Æbelø', email: 'bjørg@ærø.dk', role: 'Skolechef' } } }),
    201,
  );
  t.equal(member.contact.email, 'bjørg@ærø.dk');
  t.equal(ok(t, await a.as({ url: `/api/v1/networks/${SLUG}/members/492` })).contact.email, 'bjørg@ærø.dk');

  // The raw stored bytes are the UTF-8 of the NFC form.
  const stored = a.app.db.$client.prepare('SELECT email FROM participants WHERE id = ?').get(person.id) as { email: string };
  t.equal(stored.email, 'jens@ærø.dk');
});

t.test('addresses are used unchanged: the feed’s ORGANIZER, the e-mail filter (case-insensitive for æøå too)', async (t) => {
  const a = await makeApp(t);
  await network(a);
  ok(t, await a.as({ method: 'POST', url: `/api/v1/networks/${SLUG}/meetings`, payload: { title: 'Møde på Ærø', date: '2031-05-06', startTime: '10:00', status: 'announced' } }), 201);
  const feed = await a.app.inject({ url: `/feeds/networks/${SLUG}.ics` });
  t.equal(feed.statusCode, 200);
  t.match(feed.body.replace(/\r\n[ \t]/g, ''), /ORGANIZER;CN="?Ærø Kommune"?:mailto:børn\.og\.unge@ærø\.dk/, 'the organiser’s address in the feed, æøå intact');

  const person = ok(t, await a.as({ method: 'POST', url: `/api/v1/networks/${SLUG}/participants`, payload: { name: 'Søren Ødegård', email: 'Søren.Ø@Kommune.dk' } }), 201);
  ok(t, await a.as({ method: 'POST', url: `/api/v1/networks/${SLUG}/participants`, payload: { name: 'Anden', email: 'soren.o@kommune.dk' } }), 201);
  for (const query of ['Søren.Ø@Kommune.dk', 'søren.ø@kommune.dk', 'SØREN.Ø@KOMMUNE.DK', 'So\u0308ren.Ø@kommune.dk'.replace('So\u0308', 'Sø')]) {
    const found = ok(t, await a.as({ url: `/api/v1/networks/${SLUG}/participants?email=${encodeURIComponent(query)}` }));
    t.same(found.data.map((p: { id: string }) => p.id), [person.id], `?email=${query}`);
    t.equal(found.data[0].email, 'Søren.Ø@Kommune.dk', 'returned as stored');
  }
  // The same person in another network (upper-case Ø this time): found by the admin's export "everywhere".
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'andet-netvaerk', name: 'Andet netværk' } }), 201);
  const twin = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/andet-netvaerk/participants', payload: { name: 'Søren Ødegård', email: 'SØREN.Ø@kommune.dk' } }), 201);
  const exported = ok(t, await a.as({ url: `/api/v1/participants/${person.id}` }));
  t.same(exported.records.map((r: { id: string }) => r.id).sort(), [person.id, twin.id].sort(), 'both records of the person, not the other Søren');
  t.same(exported.records.map((r: { email: string }) => r.email).sort(), ['Søren.Ø@Kommune.dk', 'SØREN.Ø@kommune.dk'].sort(), 'each as stored');
});

t.test('invalid addresses are refused with problem+json naming the field, wherever they are sent', async (t) => {
  const a = await makeApp(t);
  await network(a);
  const person = ok(t, await a.as({ method: 'POST', url: `/api/v1/networks/${SLUG}/participants`, payload: { name: 'Søren', email: 'søren@kommune.dk' } }), 201);
  const routes: [string, string, (address: string) => Record<string, unknown>, string][] = [
    ['POST', `/api/v1/networks/${SLUG}/participants`, (e) => ({ name: 'Åse', email: e }), 'body.email'],
    ['PATCH', `/api/v1/participants/${person.id}`, (e) => ({ email: e }), 'body.email'],
    ['POST', `/api/v1/networks/${SLUG}/speakers`, (e) => ({ name: 'Åse', email: e }), 'body.email'],
    ['PATCH', `/api/v1/networks/${SLUG}`, (e) => ({ organiser: { email: e } }), 'body.organiser.email'],
    ['POST', `/api/v1/networks/${SLUG}/members?override=true`, (e) => ({ municipalityCode: 461, contact: { name: 'Ole', email: e } }), 'body.contact.email'],
  ];
  for (const [method, url, payload, path] of routes) {
    for (const [address, why] of INVALID) {
      const res = await a.as({ method: method as 'POST' | 'PATCH', url, payload: payload(address) });
      const body = problem(t, res, 400, 'validation-failed');
      t.ok(body.errors.some((e: { path: string }) => e.path === path), `${method} ${url.split('?')[0]}: ${why} → ${path}`);
    }
  }
  t.equal(ok(t, await a.as({ url: `/api/v1/participants/${person.id}` })).participant.email, 'søren@kommune.dk', 'unchanged');
  t.equal(ok(t, await a.as({ url: `/api/v1/networks/${SLUG}` })).organiser.email, 'børn.og.unge@ærø.dk', 'unchanged');
});

t.test('OpenAPI says what is accepted', async (t) => {
  const a = await makeApp(t);
  const doc = (await a.app.inject({ url: '/openapi.json' })).json();
  const schema = doc.components.schemas.ParticipantCreate.properties.email;
  t.equal(schema.format, 'email');
  t.ok(schema.pattern, 'the outline pattern');
  t.equal(schema.maxLength, 254);
  t.match(schema.description, /RFC 6531/);
  t.match(schema.description, /søren@kommune\.dk/);
  t.match(schema.description, /NFC/);
  t.ok(new RegExp(schema.pattern, 'u').test('jens@ærø.dk'), 'the documented pattern admits IDN addresses');
});
