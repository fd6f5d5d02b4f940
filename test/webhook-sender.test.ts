// The webhook sender at the edges (server/webhooks/webhook-sender.ts), through the worker where it matters:
// a receiver that never answers (the time limit ends the attempt, which is tried again later), a redirect
// (not followed, counted as a failure), a name that resolves to loopback when the attempt is made although it
// was registered while private targets were allowed (DNS rebinding: refused at connect, nothing reaches the
// receiver), a private IP literal (refused without connecting), and the abort at shutdown (the claim stays).
import t from 'tap';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../server/app.js';
import { createToken } from '../server/auth/tokens.js';
import { testConfig } from '../server/config.js';
import { closeDatabase, openDatabase } from '../db/client.js';
import { postWebhook } from '../server/webhooks/webhook-sender.js';
import { futureDate, makeApp, ok, type TestApp } from './helpers.js';
import { receiver, waitFor } from './outbox-helpers.js';

t.setTimeout(120_000);

/** An HTTP server that records each request and then answers as `answer` says (or never). */
async function server(t: { teardown: (fn: () => unknown) => void }, answer: (res: http.ServerResponse) => void) {
  const seen: { id: string | undefined; url: string }[] = [];
  const s = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ id: req.headers['webhook-id'] as string | undefined, url: req.url ?? '' });
      answer(res);
    });
  });
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  t.teardown(
    () =>
      new Promise<void>((ok) => {
        s.closeAllConnections();
        s.close(() => ok());
      }),
  );
  return { port: (s.address() as AddressInfo).port, seen };
}

async function registration(a: TestApp) {
  const m = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/meetings', payload: { title: 'Møde på Ærø', date: futureDate(), startTime: '10:00', endTime: '15:00', status: 'announced' } }), 201);
  const p = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/participants', payload: { name: 'Søren Ø', email: 'soren@aero.dk' } }), 201);
  ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/registrations`, payload: { participantId: p.id } }), 201);
}
const deliveries = (a: { app: { db: TestApp['app']['db'] } }) =>
  a.app.db.$client.prepare("SELECT status, attempts, last_status AS lastStatus, last_error AS lastError, claimed_at_ms AS claimedAtMs FROM outbox_deliveries WHERE channel = 'webhook'").all() as {
    status: string;
    attempts: number;
    lastStatus: number | null;
    lastError: string | null;
    claimedAtMs: number | null;
  }[];

t.test('a receiver that never answers: the attempt ends with the time-limit error and is tried again', async (t) => {
  const silent = await server(t, () => undefined);
  const a = await makeApp(t, { outbox: { pollMs: 20, retryDelaysMs: [50, 50, 50], webhookTimeoutMs: 300 } });
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'net', name: 'Net' } }), 201);
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/webhooks', payload: { url: `http://127.0.0.1:${silent.port}/hook`, events: ['registration.confirmed'] } }), 201);
  await registration(a);
  await waitFor('a second attempt', () => silent.seen.length >= 2 && (deliveries(a)[0]?.attempts ?? 0) >= 2, 30_000);
  await waitFor('the second attempt recorded', () => deliveries(a)[0]!.claimedAtMs === null, 30_000);
  const [d] = deliveries(a);
  t.match(d, { lastError: 'no answer within 300 ms', lastStatus: null });
  t.ok(d!.attempts >= 2, 'tried again after the time limit');
  t.equal(new Set(silent.seen.map((s) => s.id)).size, 1, 'with the same webhook-id');
  // Directly: the sender's own answer.
  t.same(await postWebhook(`http://127.0.0.1:${silent.port}/x`, {}, '{}', { timeoutMs: 100, allowPrivate: true }), { error: 'no answer within 100 ms' });
});

t.test('a redirect is not followed and counts as a failure', async (t) => {
  const target = await receiver(t);
  const redirecting = await server(t, (res) => res.writeHead(302, { location: target.url }).end());
  const a = await makeApp(t, { outbox: { pollMs: 20, retryDelaysMs: [20, 20], disableAfter: 100 } });
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'net', name: 'Net' } }), 201);
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/webhooks', payload: { url: `http://127.0.0.1:${redirecting.port}/hook`, events: ['registration.confirmed'] } }), 201);
  await registration(a);
  await waitFor('failed for good', () => deliveries(a)[0]?.status === 'failed', 30_000);
  t.match(deliveries(a)[0], { status: 'failed', attempts: 3, lastStatus: 302, lastError: 'HTTP 302' }, 'three attempts, each a 302, then failed');
  t.equal(redirecting.seen.length, 3);
  t.equal(target.received.length, 0, 'the Location was never visited');
  t.same(await postWebhook(`http://127.0.0.1:${redirecting.port}/x`, {}, '{}', { timeoutMs: 5_000, allowPrivate: true }), { status: 302 });
  t.equal(target.received.length, 0);
});

t.test('DNS rebinding: a name registered while allowed that resolves to loopback is refused at connect', async (t) => {
  const inside = await receiver(t);
  const port = new URL(inside.url).port;
  const db = openDatabase(':memory:');
  t.teardown(() => closeDatabase(db));
  // Registered while private targets were allowed (or while the name pointed outside)…
  const before = await buildApp(testConfig({ webhookAllowPrivate: true }), { db });
  const { raw } = createToken(db, { name: 'admin', role: 'admin' });
  const headers = { authorization: `Bearer ${raw}` };
  ok(t, await before.inject({ method: 'POST', url: '/api/v1/networks', headers, payload: { slug: 'net', name: 'Net' } }), 201);
  ok(t, await before.inject({ method: 'POST', url: '/api/v1/networks/net/webhooks', headers, payload: { url: `http://localhost:${port}/hook`, events: ['registration.confirmed'] } }), 201);
  await before.close();
  // …the attempt, with WEBHOOK_ALLOW_PRIVATE off, looks the name up again and refuses the loopback address.
  const app = await buildApp(testConfig({ webhookAllowPrivate: false, outbox: { pollMs: 20, retryDelaysMs: [20, 20], disableAfter: 100 } }), { db });
  t.teardown(() => app.close());
  const a = { app, as: (o: Parameters<TestApp['as']>[0]) => app.inject({ ...o, headers }) } as TestApp;
  await registration(a);
  await waitFor('failed for good', () => deliveries(a)[0]?.status === 'failed', 30_000);
  t.match(deliveries(a)[0], { status: 'failed', lastStatus: null, lastError: /^localhost resolves to (127\.0\.0\.1|::1), a private or local address$/ });
  t.equal(inside.received.length, 0, 'no request reached the receiver');
  t.match(await postWebhook(`http://localhost:${port}/x`, {}, '{}', { timeoutMs: 5_000, allowPrivate: false }), { error: /^localhost resolves to/ });
  t.equal(inside.received.length, 0);
  // With private targets allowed the same name is reached (the guard, not the name, refused it above).
  t.same(await postWebhook(`http://localhost:${port}/x`, {}, '{}', { timeoutMs: 5_000, allowPrivate: true }), { status: 204 });
  t.equal(inside.received.length, 1);
});

t.test('a private IP literal is refused without connecting', async (t) => {
  const inside = await receiver(t);
  const port = new URL(inside.url).port;
  for (const host of ['127.0.0.1', '[::ffff:127.0.0.1]', '10.0.0.1', '169.254.169.254', '[fd00::1]']) {
    // (The URL parser writes ::ffff:127.0.0.1 as ::ffff:7f00:1.)
    t.match(await postWebhook(`http://${host}:${port}/hook`, {}, '{}', { timeoutMs: 5_000, allowPrivate: false }), { error: /^[\d.:a-f]+ is a private, loopback or link-local address$/ }, `${host} refused`);
  }
  t.equal(inside.received.length, 0, 'nothing reached the receiver');
});

t.test('shutdown aborts an attempt under way: it stays claimed, to be sent again at the next start', async (t) => {
  const silent = await server(t, () => undefined);
  // The sender on its own: an abort ends the attempt at once, with an error.
  const abort = new AbortController();
  const pending = postWebhook(`http://127.0.0.1:${silent.port}/x`, {}, '{}', { timeoutMs: 60_000, allowPrivate: true, signal: abort.signal });
  await waitFor('the request', () => silent.seen.length === 1);
  abort.abort();
  t.match(await pending, { error: /abort/i });

  const db = openDatabase(':memory:');
  t.teardown(() => closeDatabase(db));
  const app = await buildApp(testConfig({ outbox: { pollMs: 20, retryDelaysMs: [50] } }), { db });
  const { raw } = createToken(db, { name: 'admin', role: 'admin' });
  const a = { app, as: (o: Parameters<TestApp['as']>[0]) => app.inject({ ...o, headers: { authorization: `Bearer ${raw}` } }) } as TestApp;
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'net', name: 'Net' } }), 201);
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/webhooks', payload: { url: `http://127.0.0.1:${silent.port}/hook`, events: ['registration.confirmed'] } }), 201);
  await registration(a);
  await waitFor('the attempt under way', () => silent.seen.length === 2 && app.outbox.busy() === 1);
  await app.close();
  t.equal(app.outbox.busy(), 0, 'nothing left running');
  t.match(deliveries(a), [{ status: 'pending', attempts: 1, lastError: null }], 'not settled as a failure');
  t.ok(deliveries(a)[0]!.claimedAtMs !== null, 'still claimed: the next start sends it again');
});
