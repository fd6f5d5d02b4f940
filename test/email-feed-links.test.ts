// The receipt e-mail carries the participant's personal feed links (derived secrets, migration 0012): the
// link works, rotation retires it and later receipts carry the new one, records made before keep today's
// sentence, the secret never reaches the log; the link key comes from LINK_SECRET or is kept in the database.
import t from 'tap';
import type { InjectOptions } from 'fastify';
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { createTransport } from 'nodemailer';
import { outboxDeliveries, outboxMessages } from '../db/schema.js';
import { emailChannel } from '../server/email/email-channel.js';
import { buildApp } from '../server/app.js';
import { createToken } from '../server/auth/tokens.js';
import { testConfig } from '../server/config.js';
import { openDatabase, closeDatabase } from '../db/client.js';
import { currentFeedSecret, deriveFeedSecret, hashFeedSecret, resolveLinkKey } from '../server/participants/feed-secrets.js';
import { futureDate, ok, problem } from './helpers.js';
import { smtpMailbox, waitFor } from './outbox-helpers.js';

const personalLinks = (text: string) => ({
  https: /https?:\/\/\S+\/feeds\/personal\/[\w-]+\.ics/.exec(text)?.[0] ?? null,
  webcal: /webcal:\/\/\S+\/feeds\/personal\/[\w-]+\.ics/.exec(text)?.[0] ?? null,
});

t.test('derived secrets: pure, per participant and generation; the key from LINK_SECRET or the database', async (t) => {
  const key = Buffer.alloc(32, 7);
  const s0 = deriveFeedSecret(key, 'par_1', 0);
  t.match(s0, /^[A-Za-z0-9_-]{43}$/, '32 bytes, base64url');
  t.equal(deriveFeedSecret(key, 'par_1', 0), s0, 'the same inputs, the same secret');
  t.not(deriveFeedSecret(key, 'par_1', 1), s0, 'a new generation, a new secret');
  t.not(deriveFeedSecret(key, 'par_2', 0), s0, 'another participant, another secret');
  t.not(deriveFeedSecret(Buffer.alloc(32, 8), 'par_1', 0), s0, 'another key, another secret');
  t.equal(currentFeedSecret(key, { id: 'par_1', generation: 0, feedTokenHash: hashFeedSecret(s0) }), s0);
  t.equal(currentFeedSecret(key, { id: 'par_1', generation: 1, feedTokenHash: hashFeedSecret(s0) }), null, 'not the stored one: unknown');
  t.equal(currentFeedSecret(key, { id: 'par_1', generation: 0, feedTokenHash: hashFeedSecret('random-old-style-secret-xyz') }), null);

  const db = openDatabase(':memory:');
  t.teardown(() => closeDatabase(db));
  const rows = () => db.$client.prepare('SELECT count(*) FROM service_keys').pluck().get();
  const configured = resolveLinkKey(db, 'x'.repeat(40));
  t.same(configured, Buffer.from('x'.repeat(40), 'utf8'));
  t.equal(rows(), 0, 'with LINK_SECRET no key is kept in the database');
  const made = resolveLinkKey(db, undefined);
  t.equal(made.length, 32, 'without it: 32 random bytes');
  t.equal(rows(), 1, 'kept in the database');
  t.same(resolveLinkKey(db, undefined), made, 'made once, then the same');
});

t.test('a receipt carries the personal feed link; rotation retires it; old-style records get the sentence; never logged', async (t) => {
  const mail = await smtpMailbox(t);
  const log: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      log.push(chunk.toString('utf8'));
      done();
    },
  });
  const app = await buildApp(
    testConfig({ smtpUrl: mail.url, publicBaseUrl: 'https://agenda.example.dk', logLevel: 'debug', outbox: { pollMs: 20, retryDelaysMs: [50, 50] } }),
    { logStream },
  );
  t.teardown(() => app.close());
  const { raw } = createToken(app.db, { name: 't', role: 'admin' });
  const as = (o: InjectOptions) => app.inject({ ...o, headers: { authorization: `Bearer ${raw}` } });
  ok(t, await as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'net', name: 'Læsenetværket' } }), 201);
  const meeting = (title: string, days: number) =>
    as({ method: 'POST', url: '/api/v1/networks/net/meetings', payload: { title, date: futureDate(days), startTime: '10:00', endTime: '15:00', status: 'announced' } }).then((r) => ok(t, r, 201));
  const m1 = await meeting('Første møde på Ærø', 30);
  const m2 = await meeting('Andet møde', 40);
  const m3 = await meeting('Tredje møde', 50);
  const aase = ok(t, await as({ method: 'POST', url: '/api/v1/networks/net/participants', payload: { name: 'Åse Ærø', email: 'aase@aero.dk' } }), 201);
  const bob = ok(t, await as({ method: 'POST', url: '/api/v1/networks/net/participants', payload: { name: 'Bob Smith', email: 'bob@example.com', language: 'en' } }), 201);
  const register = (p: { id: string }, m: { id: string }) => as({ method: 'POST', url: `/api/v1/meetings/${m.id}/registrations`, payload: { participantId: p.id } }).then((r) => ok(t, r, 201));

  await register(aase, m1);
  await register(bob, m1);
  await waitFor('two receipts', () => mail.mails.length === 2);
  const receipt = mail.mails.find((x) => x.to === 'aase@aero.dk')!;
  const links = personalLinks(receipt.text);
  t.equal(links.https, aase.feed.https, 'the https link is the one the API gave at creation');
  t.equal(links.webcal, aase.feed.webcal, 'and the webcal:// one');
  t.match(receipt.text, 'Din personlige kalender viser kun de møder, du er tilmeldt');
  t.notMatch(receipt.text, 'har du fået et link til af koordinatoren');
  const english = mail.mails.find((x) => x.to === 'bob@example.com')!;
  t.equal(personalLinks(english.text).https, bob.feed.https);
  t.match(english.text, 'Your personal calendar holds only the meetings you are registered for');

  // The same delivery composed again (as after a crash) is the same bytes: Date and MIME boundaries are stable.
  const delivery = app.db.select().from(outboxDeliveries).where(and(eq(outboxDeliveries.channel, 'email'), eq(outboxDeliveries.target, aase.id))).get()!;
  const message = app.db.select().from(outboxMessages).where(eq(outboxMessages.id, delivery.messageId)).get()!;
  const stream = createTransport({ streamTransport: true, buffer: true });
  const raws: Buffer[] = [];
  const capture = { sendMail: async (o: Parameters<typeof stream.sendMail>[0]) => { const info = await stream.sendMail(o); raws.push(info.message as Buffer); return info; } };
  const channel = emailChannel(app.db, capture, { publicBaseUrl: 'https://agenda.example.dk', feedTtlMinutes: 60, linkKey: app.linkKey });
  t.same(await channel.deliver(message, delivery, new AbortController().signal), { ok: true });
  t.same(await channel.deliver(message, delivery, new AbortController().signal), { ok: true });
  t.equal(raws.length, 2);
  t.ok(raws[0]!.equals(raws[1]!), 'two attempts, byte-identical e-mails');
  t.match(raws[0]!.toString('utf8').replace(/\r\n[ \t]+/g, ' '), `Message-ID: <${message.id}.${aase.id}@agenda.example.dk>`);

  const feed = await app.inject({ url: new URL(links.https!).pathname });
  t.equal(feed.statusCode, 200, 'the e-mailed link answers');
  t.match(feed.body, 'Første møde på Ærø', 'with the participant’s meeting');
  t.notMatch(feed.body, 'Andet møde');

  // Rotation: the old link stops working, the next receipt has the new one.
  const rotated = ok(t, await as({ method: 'POST', url: `/api/v1/participants/${aase.id}/feed-token` }));
  t.not(rotated.feed.https, aase.feed.https);
  t.equal((await app.inject({ url: new URL(links.https!).pathname })).statusCode, 404, 'the old link 404s');
  await register(aase, m2);
  await waitFor('the second receipt', () => mail.mails.length === 3);
  const later = mail.mails[2]!;
  t.equal(later.to, 'aase@aero.dk');
  t.equal(personalLinks(later.text).https, rotated.feed.https, 'a later receipt carries the new link');
  const newFeed = await app.inject({ url: new URL(rotated.feed.https).pathname });
  t.equal(newFeed.statusCode, 200);
  t.match(newFeed.body, 'Andet møde', 'the new link shows both her meetings');
  t.match(newFeed.body, 'Første møde på Ærø');

  // A record made before migration 0012 has a random secret the service cannot know: the old sentence.
  const carl = ok(t, await as({ method: 'POST', url: '/api/v1/networks/net/participants', payload: { name: 'Carl Ørsted', email: 'carl@aero.dk' } }), 201);
  const oldSecret = randomBytes(24).toString('base64url');
  app.db.$client.prepare('UPDATE participants SET feed_token_hash = ? WHERE id = ?').run(hashFeedSecret(oldSecret), carl.id);
  t.equal((await app.inject({ url: `/feeds/personal/${oldSecret}.ics` })).statusCode, 200, 'the old-style link still works');
  await register(carl, m3);
  await waitFor('Carl’s receipt', () => mail.mails.some((x) => x.to === 'carl@aero.dk'));
  const carlMail = mail.mails.find((x) => x.to === 'carl@aero.dk')!;
  t.same(personalLinks(carlMail.text), { https: null, webcal: null }, 'no personal link');
  t.match(carlMail.text, 'Din personlige kalender (kun dine møder og dit spor) har du fået et link til af koordinatoren.');

  const secrets = [aase.feed.https, rotated.feed.https, bob.feed.https, carl.feed.https, `/${oldSecret}.ics`].map((u) => /\/([\w-]+)\.ics$/.exec(u)![1]!);
  const text = log.join('');
  t.ok(text.length > 0, 'the app logged');
  for (const s of secrets) t.notOk(text.includes(s), 'no feed secret in the log');
  t.notOk(text.includes(app.linkKey.toString('base64url')), 'nor the link key');
});

t.test('with LINK_SECRET the links follow the configured key and nothing is kept in the database', async (t) => {
  const linkSecret = 'a-long-configured-link-secret-ÆØÅ-0123456789';
  const app = await buildApp(testConfig({ linkSecret }));
  t.teardown(() => app.close());
  const { raw } = createToken(app.db, { name: 't', role: 'admin' });
  const headers = { authorization: `Bearer ${raw}` };
  ok(t, await app.inject({ method: 'POST', url: '/api/v1/networks', headers, payload: { slug: 'net', name: 'Net' } }), 201);
  const p = ok(t, await app.inject({ method: 'POST', url: '/api/v1/networks/net/participants', headers, payload: { name: 'P', email: 'p@x.dk' } }), 201);
  t.equal(p.feed.https, `http://127.0.0.1:3000/feeds/personal/${deriveFeedSecret(Buffer.from(linkSecret, 'utf8'), p.id, 0)}.ics`);
  t.equal(app.db.$client.prepare('SELECT count(*) FROM service_keys').pluck().get(), 0);
  problem(t, await app.inject({ method: 'POST', url: '/api/v1/participants/par_nope/feed-token', headers }), 404, 'not-found');
});
