// Webhooks: registration by a network's coordinators, the SSRF guard, signed deliveries to a real HTTP
// receiver (verified independently), retries with the same webhook-id, the delivery log, redelivery,
// automatic disabling (audited), deletion, and the outbox depth at /healthz.
import t from 'tap';
import type { TestApp } from './helpers.js';
import { futureDate, makeApp, ok, problem } from './helpers.js';
import { receiver, verifyStandardWebhook, waitFor } from './outbox-helpers.js';
import { createToken } from '../server/auth/tokens.js';
import { tokenNetworks } from '../db/schema.js';
import { isForbiddenAddress, urlProblem } from '../server/webhooks/webhook-target.js';
import { DEFAULT_RETRY_DELAYS_MS, retryDelay, retryWindowMs } from '../server/outbox/backoff.js';
import { signWebhook } from '../server/webhooks/webhook-signature.js';

t.setTimeout(120_000);
const FAST = { retryDelaysMs: [5, 5, 5, 5, 5], pollMs: 10 };

async function network(a: TestApp, slug = 'net') {
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug, name: `Netværk ${slug}` } }), 201);
}
async function coordinator(a: TestApp, slug: string) {
  const { raw, row } = createToken(a.app.db, { name: `koordinator ${slug}`, role: 'coordinator' }) as unknown as { raw: string; row: { id: string } };
  return raw;
}
async function registration(a: TestApp, slug = 'net') {
  const m = (await a.as({ method: 'POST', url: `/api/v1/networks/${slug}/meetings`, payload: { title: 'Årsmøde i Ærø', date: futureDate(), startTime: '10:00', endTime: '15:00', status: 'announced' } })).json();
  const p = (await a.as({ method: 'POST', url: `/api/v1/networks/${slug}/participants`, payload: { name: 'Søren Ø', email: 'soren@aero.dk' } })).json();
  const r = await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/registrations`, payload: { participantId: p.id } });
  return { meeting: m, participant: p, registration: r.json() };
}
async function hook(a: TestApp, url: string, events = ['registration.confirmed'], slug = 'net') {
  return ok(t, await a.as({ method: 'POST', url: `/api/v1/networks/${slug}/webhooks`, payload: { url, events } }), 201) as { id: string; secret: string };
}

t.test('the retry schedule covers more than 24 hours; forbidden addresses; URL forms', async (t) => {
  t.ok(retryWindowMs() >= 24 * 3600_000, 'retries span at least 24 h');
  t.equal(retryDelay(1), DEFAULT_RETRY_DELAYS_MS[0]);
  t.equal(retryDelay(DEFAULT_RETRY_DELAYS_MS.length + 1), null, 'then no more');
  t.equal(retryDelay(0), null);
  for (const ip of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', 'nonsense']) {
    t.ok(isForbiddenAddress(ip), `${ip} refused`);
  }
  for (const ip of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '::ffff:93.184.216.34']) t.notOk(isForbiddenAddress(ip), `${ip} allowed`);
  t.equal(urlProblem('ftp://example.dk/'), 'must be an http(s) URL');
  t.equal(urlProblem('https://u:p@example.dk/'), 'must not carry credentials');
  t.equal(urlProblem('not a url'), 'is not a URL');
  t.equal(urlProblem('https://example.dk/hook'), undefined);
});

t.test('registering: coordinators of the network only; the secret shown once; SSRF targets refused', async (t) => {
  const a = await makeApp(t, { webhookAllowPrivate: false });
  await network(a, 'net');
  await network(a, 'andet');
  const raw = await coordinator(a, 'net');
  a.app.db.insert(tokenNetworks).values({ tokenId: a.app.db.$client.prepare("SELECT id FROM api_tokens WHERE name = 'koordinator net'").pluck().get() as string, networkSlug: 'net' }).run();
  const as = (token: string) => (opts: Parameters<TestApp['as']>[0]) => a.app.inject({ ...opts, headers: { authorization: `Bearer ${token}` } });
  const mine = as(raw);
  for (const url of ['http://127.0.0.1:9/hook', 'http://localhost:9/hook', 'http://[::1]/hook', 'http://169.254.169.254/latest', 'http://10.0.0.7/', 'ftp://example.dk/', 'https://user:pw@example.dk/']) {
    problem(t, await mine({ method: 'POST', url: '/api/v1/networks/net/webhooks', payload: { url, events: ['release.published'] } }), 400, 'webhook-target-forbidden');
  }
  problem(t, await mine({ method: 'POST', url: '/api/v1/networks/net/webhooks', payload: { url: 'https://example.dk/', events: ['nope'] } }), 400, 'validation-failed');
  problem(t, await mine({ method: 'POST', url: '/api/v1/networks/net/webhooks', payload: { url: 'https://example.dk/', events: [] } }), 400, 'validation-failed');
  problem(t, await mine({ method: 'POST', url: '/api/v1/networks/andet/webhooks', payload: { url: 'https://example.dk/', events: ['release.published'] } }), 403, 'forbidden');
  problem(t, await mine({ method: 'GET', url: '/api/v1/networks/andet/webhooks' }), 403, 'forbidden');
  problem(t, await a.app.inject({ method: 'GET', url: '/api/v1/networks/net/webhooks' }), 401, 'unauthorized');
  t.equal(a.app.db.$client.prepare('SELECT count(*) FROM webhook_endpoints').pluck().get(), 0, 'nothing refused was stored');
  // A literal public address passes the guard (nothing is sent: no change happens in this test).
  const created = ok(t, await mine({ method: 'POST', url: '/api/v1/networks/net/webhooks', payload: { url: 'https://93.184.216.34/hook', events: ['release.published', 'meeting.cancelled'] } }), 201);
  t.match(created.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  const listed = ok(t, await mine({ method: 'GET', url: '/api/v1/networks/net/webhooks' }));
  t.equal(listed.length, 1);
  t.equal(listed[0].id, created.id);
  t.notOk('secret' in listed[0], 'the secret is not shown again');
  const audit = a.app.db.$client.prepare("SELECT after FROM audit_log WHERE entity = 'webhook'").pluck().all() as string[];
  t.equal(audit.length, 1, 'creation audited');
  t.notOk(audit[0]!.includes(created.secret), 'the secret stays out of the audit trail');
});

t.test('a change is POSTed, signed (verified independently), and logged', async (t) => {
  const a = await makeApp(t, { outbox: FAST });
  await network(a);
  const rx = await receiver(t);
  const h = await hook(a, rx.url, ['registration.confirmed', 'registration.cancelled']);
  const { registration: reg, participant } = await registration(a);
  await waitFor('the delivery', () => rx.received.length === 1);
  const got = rx.received[0]!;
  t.ok(verifyStandardWebhook(h.secret, got.headers, got.body), 'signature verifies');
  t.notOk(verifyStandardWebhook(h.secret.replace(/^whsec_./, 'whsec_A'), got.headers, got.body) && verifyStandardWebhook(h.secret, got.headers, got.body + ' '), 'a changed body does not');
  t.notOk(verifyStandardWebhook(h.secret, got.headers, got.body.replace('registered', 'cancelled')), 'a tampered body fails');
  t.equal(got.headers['content-type'], 'application/json');
  const body = JSON.parse(got.body);
  t.equal(body.type, 'registration.confirmed');
  t.equal(body.networkSlug, 'net');
  t.same(body.data, { registrationId: reg.id, meetingId: reg.meetingId, participantId: participant.id, trackId: null, status: 'registered' });
  t.match(got.headers['webhook-id'], /^msg_/);
  // Cancelling: another message, another id.
  await a.as({ method: 'DELETE', url: `/api/v1/registrations/${reg.id}` });
  await waitFor('the second delivery', () => rx.received.length === 2);
  const second = rx.received[1]!;
  t.equal(JSON.parse(second.body).type, 'registration.cancelled');
  t.not(second.headers['webhook-id'], got.headers['webhook-id']);
  t.ok(verifyStandardWebhook(h.secret, second.headers, second.body));
  await waitFor('settled', () => a.app.db.$client.prepare("SELECT count(*) FROM outbox_deliveries WHERE status = 'delivered'").pluck().get() === 2);
  const log = ok(t, await a.as({ method: 'GET', url: `/api/v1/webhooks/${h.id}/deliveries` }));
  t.equal(log.data.length, 2);
  t.equal(log.data[0].type, 'registration.cancelled', 'newest first');
  t.equal(log.data[1].messageId, got.headers['webhook-id']);
  t.equal(log.data[1].status, 'delivered');
  t.equal(log.data[1].attempts, 1);
  t.equal(log.data[1].lastStatus, 204);
  t.same(log.data[1].payload, body, 'the log shows the payload sent');
  const page1 = ok(t, await a.as({ method: 'GET', url: `/api/v1/webhooks/${h.id}/deliveries?limit=1` }));
  const page2 = ok(t, await a.as({ method: 'GET', url: `/api/v1/webhooks/${h.id}/deliveries?limit=1&cursor=${page1.nextCursor}` }));
  t.equal(page2.data[0].id, log.data[1].id, 'paged');
  // Manual redelivery: the same webhook-id and body again.
  const again = ok(t, await a.as({ method: 'POST', url: `/api/v1/webhooks/${h.id}/deliveries/${log.data[1].id}/redeliver` }), 202);
  t.equal(again.status, 'pending');
  await waitFor('the redelivery', () => rx.received.length === 3);
  t.equal(rx.received[2]!.headers['webhook-id'], got.headers['webhook-id']);
  t.equal(rx.received[2]!.body, got.body);
  problem(t, await a.as({ method: 'POST', url: `/api/v1/webhooks/${h.id}/deliveries/dlv_nope/redeliver` }), 404, 'not-found');
  // Deleted: nothing more arrives, the log is gone.
  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/webhooks/${h.id}` })).statusCode, 204);
  problem(t, await a.as({ method: 'GET', url: `/api/v1/webhooks/${h.id}/deliveries` }), 404, 'not-found');
  await registration(a);
  const msgs = () => a.app.db.$client.prepare('SELECT count(*) FROM outbox_messages WHERE fanned_out_at IS NULL').pluck().get();
  await waitFor('fan-out', () => msgs() === 0);
  t.equal(rx.received.length, 3, 'nothing sent to a deleted endpoint');
});

t.test('a receiver failing three times then succeeding gets the same webhook-id and body each time', async (t) => {
  const a = await makeApp(t, { outbox: FAST });
  await network(a);
  const rx = await receiver(t, { failFirst: 3 });
  const h = await hook(a, rx.url);
  await registration(a);
  await waitFor('four attempts', () => rx.received.length === 4);
  const ids = new Set(rx.received.map((r) => r.headers['webhook-id']));
  t.equal(ids.size, 1, 'one webhook-id');
  t.equal(new Set(rx.received.map((r) => r.body)).size, 1, 'one body');
  for (const r of rx.received) t.ok(verifyStandardWebhook(h.secret, r.headers, r.body), 'each attempt signed');
  await waitFor('delivered', () => a.app.db.$client.prepare("SELECT status FROM outbox_deliveries").pluck().get() === 'delivered');
  const log = ok(t, await a.as({ method: 'GET', url: `/api/v1/webhooks/${h.id}/deliveries` }));
  t.equal(log.data[0].attempts, 4);
  t.equal(log.data[0].status, 'delivered');
  t.equal(a.app.db.$client.prepare('SELECT failures FROM webhook_endpoints').pluck().get(), 0);
});

t.test('an endpoint that keeps failing is disabled after repeated failure, and that is audited', async (t) => {
  const a = await makeApp(t, { outbox: { retryDelaysMs: [5], pollMs: 10, disableAfter: 2 } });
  await network(a);
  const rx = await receiver(t, { alwaysFail: true });
  const h = await hook(a, rx.url);
  await registration(a);
  await registration(a);
  await waitFor('disabled', () => a.app.db.$client.prepare('SELECT status FROM webhook_endpoints').pluck().get() === 'disabled');
  const [endpoint] = ok(t, await a.as({ method: 'GET', url: '/api/v1/networks/net/webhooks' }));
  t.equal(endpoint.status, 'disabled');
  t.match(endpoint.disabledReason, /2 deliveries in a row failed/);
  const audit = a.app.db.$client.prepare("SELECT actor, before, after FROM audit_log WHERE entity = 'webhook' AND action = 'update'").all() as { actor: string; before: string; after: string }[];
  t.equal(audit.length, 1, 'the disabling is audited');
  t.equal(audit[0]!.actor, 'outbox-worker');
  t.equal(JSON.parse(audit[0]!.after).status, 'disabled');
  t.equal(rx.received.length, 4, 'two messages, two attempts each');
  const log = ok(t, await a.as({ method: 'GET', url: `/api/v1/webhooks/${h.id}/deliveries` }));
  t.same(log.data.map((d: { status: string }) => d.status), ['failed', 'failed']);
  t.equal(log.data[0].lastStatus, 500);
  problem(t, await a.as({ method: 'POST', url: `/api/v1/webhooks/${h.id}/deliveries/${log.data[0].id}/redeliver` }), 409, 'webhook-disabled');
  await registration(a);
  await waitFor('fan-out', () => a.app.db.$client.prepare('SELECT count(*) FROM outbox_messages WHERE fanned_out_at IS NULL').pluck().get() === 0);
  t.equal(rx.received.length, 4, 'a disabled endpoint gets nothing');
});

t.test('/healthz reports the outbox depth and the oldest undelivered message', async (t) => {
  const a = await makeApp(t, { outbox: FAST });
  await network(a);
  const rx = await receiver(t);
  await hook(a, rx.url);
  await a.app.ready();
  await a.app.outbox.stop();
  await registration(a);
  const health = ok(t, await a.app.inject({ method: 'GET', url: '/healthz' }));
  t.equal(health.outbox.depth, 1);
  t.type(health.outbox.oldestUndeliveredAgeSeconds, 'number');
  a.app.outbox.start();
  await waitFor('delivered', () => rx.received.length === 1);
  await waitFor('settled', () => (a.app.db.$client.prepare("SELECT count(*) FROM outbox_deliveries WHERE status = 'pending'").pluck().get() as number) === 0);
  const after = ok(t, await a.app.inject({ method: 'GET', url: '/healthz' }));
  t.same(after.outbox, { depth: 0, oldestUndeliveredAgeSeconds: null });
});

t.test('signWebhook matches the independent verifier', async (t) => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const sig = signWebhook(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
  t.equal(sig, 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=', 'the Standard Webhooks reference example');
  t.ok(verifyStandardWebhook(secret, { 'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek', 'webhook-timestamp': '1614265330', 'webhook-signature': sig }, '{"test": 2432232314}', 1614265330));
});
