// No lost updates: ETags, If-Match (412, optional or required with 428), Idempotency-Key, and the audit trail.
import t from 'tap';
import { makeApp } from './helpers.js';

const SLUG = 'kl-konsulentnetvaerk-2019-2020';

t.test('ETag on reads, If-Match on writes', async (t) => {
  const { app, as } = await makeApp(t, { seed: true });
  const m = (await as({ url: `/api/v1/networks/${SLUG}/meetings` })).json().data[0];
  const read = await as({ url: `/api/v1/meetings/${m.id}` });
  const etag = read.headers.etag as string;
  t.match(etag, /^"v\d+"$/);
  t.equal((await as({ url: `/api/v1/meetings/${m.id}`, headers: { 'if-none-match': etag } })).statusCode, 304);

  // Every single-resource read carries an ETag, public ones included.
  for (const url of [`/api/v1/networks/${SLUG}`, `/api/v1/networks/${SLUG}/themes/aktuelt`, `/api/v1/meetings/${m.id}/agenda`, `/api/v1/venues/${m.venueId}`]) {
    const r = await app.inject({ url });
    t.equal(r.statusCode, 200, url);
    t.ok(r.headers.etag, `${url} has an ETag`);
  }

  // Two edits from the same read: exactly one wins, the other gets 412 with the current version.
  const results = await Promise.all(
    ['Første', 'Anden'].map((title) => as({ method: 'PATCH', url: `/api/v1/meetings/${m.id}`, headers: { 'if-match': etag }, payload: { title } })),
  );
  const codes = results.map((r) => r.statusCode).sort();
  t.same(codes, [200, 412]);
  const winner = results.find((r) => r.statusCode === 200)!;
  const loser = results.find((r) => r.statusCode === 412)!;
  t.equal(loser.json().code, 'precondition-failed');
  t.equal(loser.json().etag, winner.headers.etag);
  t.equal(loser.headers.etag, winner.headers.etag);
  const now = (await as({ url: `/api/v1/meetings/${m.id}` })).json();
  t.equal(now.title, winner.json().title, 'the winner’s edit stands');

  // The current tag works; a stale one does not; weak tags never match; * matches.
  t.equal((await as({ method: 'PATCH', url: `/api/v1/meetings/${m.id}`, headers: { 'if-match': winner.headers.etag as string }, payload: { description: 'Ny' } })).statusCode, 200);
  t.equal((await as({ method: 'PATCH', url: `/api/v1/meetings/${m.id}`, headers: { 'if-match': `W/${winner.headers.etag}` }, payload: { description: 'Nej' } })).statusCode, 412);
  t.equal((await as({ method: 'PATCH', url: `/api/v1/meetings/${m.id}`, headers: { 'if-match': '*' }, payload: { description: 'Ja' } })).statusCode, 200);
  t.equal((await as({ method: 'PATCH', url: `/api/v1/meetings/${m.id}`, headers: { 'if-match': 'garbage' }, payload: { description: 'Nej' } })).statusCode, 412);

  // DELETE honours If-Match too; nothing is deleted on 412.
  const item = (await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { title: 'Velkomst', kind: 'welcome', startTime: '10:00', endTime: '10:15' } })).json();
  const itemTag = (await as({ url: `/api/v1/items/${item.id}` })).headers.etag as string;
  t.equal((await as({ method: 'PATCH', url: `/api/v1/items/${item.id}`, headers: { 'if-match': itemTag }, payload: { title: 'Velkommen' } })).statusCode, 200);
  t.equal((await as({ method: 'DELETE', url: `/api/v1/items/${item.id}`, headers: { 'if-match': itemTag } })).statusCode, 412);
  t.equal((await as({ url: `/api/v1/items/${item.id}` })).statusCode, 200);
  const fresh = (await as({ url: `/api/v1/items/${item.id}` })).headers.etag as string;
  t.equal((await as({ method: 'DELETE', url: `/api/v1/items/${item.id}`, headers: { 'if-match': fresh } })).statusCode, 204);

  // If-Match is optional by default: a write without it succeeds.
  t.equal((await as({ method: 'PATCH', url: `/api/v1/networks/${SLUG}`, payload: { description: 'Uden If-Match' } })).statusCode, 200);
});

t.test('If-Match required: 428 without it', async (t) => {
  const { as } = await makeApp(t, { seed: true, requireIfMatch: true });
  const read = await as({ url: `/api/v1/networks/${SLUG}` });
  const missing = await as({ method: 'PATCH', url: `/api/v1/networks/${SLUG}`, payload: { description: 'x' } });
  t.equal(missing.statusCode, 428);
  t.equal(missing.json().code, 'precondition-required');
  t.equal((await as({ url: `/api/v1/networks/${SLUG}` })).json().description, read.json().description);
  const ok = await as({ method: 'PATCH', url: `/api/v1/networks/${SLUG}`, headers: { 'if-match': read.headers.etag as string }, payload: { description: 'x' } });
  t.equal(ok.statusCode, 200);
});

t.test('Idempotency-Key: a retried create returns the first result and creates nothing new', async (t) => {
  const { app, as } = await makeApp(t);
  t.equal((await as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'netvaerk-fyn', name: 'Netværk Fyn' } })).statusCode, 201);
  const count = () => (app.db.$client.prepare('SELECT count(*) AS n FROM venues').get() as { n: number }).n;
  const send = (payload: object, key = 'opret-odense-1') => as({ method: 'POST', url: '/api/v1/networks/netvaerk-fyn/venues', headers: { 'idempotency-key': key }, payload });
  const first = await send({ name: 'Odense Congress Center' });
  t.equal(first.statusCode, 201);
  const retry = await send({ name: 'Odense Congress Center' });
  t.equal(retry.statusCode, 201);
  t.equal(retry.headers['idempotent-replayed'], 'true');
  t.same(retry.json(), first.json());
  t.equal(count(), 1);
  const other = await send({ name: 'Et andet sted' });
  t.equal(other.statusCode, 422);
  t.equal(other.json().code, 'idempotency-key-reused');
  t.equal(count(), 1);
  // Concurrent duplicates: one creates; the other finds its response in the same transaction and replays it.
  const [a, b] = await Promise.all([send({ name: 'Parallel' }, 'k2'), send({ name: 'Parallel' }, 'k2')]);
  t.same([a.statusCode, b.statusCode], [201, 201]);
  t.same(b.json(), a.json(), 'the same venue for both');
  t.same([a.headers['idempotent-replayed'], b.headers['idempotent-replayed']].sort(), ['true', undefined].sort());
  t.equal(count(), 2);
  // A refused request does not burn the key.
  const bad = await send({ name: '' }, 'k3');
  t.equal(bad.statusCode, 400);
  t.equal((await send({ name: 'Rettet' }, 'k3')).statusCode, 201);
  t.equal(count(), 3);
  // Keys are per token, and garbage keys are refused.
  t.equal((await send({ name: 'x' }, 'ø'.repeat(3))).statusCode, 400);
});

t.test('Idempotency-Key: the response is stored with the object, in one transaction', async (t) => {
  const { app, as } = await makeApp(t);
  const sql = app.db.$client;
  t.equal((await as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'netvaerk-fyn', name: 'Netværk Fyn' } })).statusCode, 201);
  const names = () => sql.prepare('SELECT name FROM venues ORDER BY name').pluck().all() as string[];
  const send = (key: string, name: string) =>
    as({ method: 'POST', url: '/api/v1/networks/netvaerk-fyn/venues', headers: { 'idempotency-key': key }, payload: { name } });

  // Storing the response fails: the venue goes too (nothing committed), and a retry runs again.
  sql.exec("CREATE TRIGGER no_keys BEFORE INSERT ON idempotency_keys BEGIN SELECT RAISE(ABORT, 'no room for keys'); END");
  const failed = await send('fejl-1', 'Fåborg Hallen');
  t.ok(failed.statusCode >= 400, `refused (${failed.statusCode} ${failed.json().code})`);
  t.same(names(), [], 'the venue was not kept without its stored response');
  sql.exec('DROP TRIGGER no_keys');
  const again = await send('fejl-1', 'Fåborg Hallen');
  t.equal(again.statusCode, 201, 'the retry runs');
  t.equal(again.headers['idempotent-replayed'], undefined);
  t.same(names(), ['Fåborg Hallen']);
  const stored = sql.prepare("SELECT status, response FROM idempotency_keys WHERE key = 'fejl-1'").get() as { status: number; response: string };
  t.equal(stored.status, 201);
  t.same(JSON.parse(stored.response), again.json(), 'the stored response is the one sent');

  // A key an earlier version left "in progress" (it claimed keys in a commit of their own, then crashed):
  // nothing is known to have committed with it, so the request runs instead of answering 409 for a day.
  const tokenId = (sql.prepare("SELECT id FROM api_tokens WHERE name = 'test-admin'").pluck().get() as string);
  sql.prepare("INSERT INTO idempotency_keys (token_id, key, method, path, body_hash, status, response, created_at) VALUES (?, 'gammel', 'POST', '/x', 'h', NULL, NULL, ?)").run(tokenId, new Date().toISOString());
  const leftover = await send('gammel', 'Svendborg Havn');
  t.equal(leftover.statusCode, 201);
  t.same(names(), ['Fåborg Hallen', 'Svendborg Havn']);
  const replay = await send('gammel', 'Svendborg Havn');
  t.equal(replay.headers['idempotent-replayed'], 'true');
  t.same(replay.json(), leftover.json());
  t.same(names(), ['Fåborg Hallen', 'Svendborg Havn']);
});

t.test('audit trail: who, when, what, before/after; admin only; no secrets', async (t) => {
  const { app, as } = await makeApp(t, { seed: true });
  const m = (await as({ url: `/api/v1/networks/${SLUG}/meetings` })).json().data[0];
  await as({ method: 'PATCH', url: `/api/v1/meetings/${m.id}`, payload: { title: 'Nyt navn på mødet' } });
  const item = (await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { title: 'Velkomst', kind: 'welcome', startTime: '10:00', endTime: '10:15' } })).json();
  await as({ method: 'DELETE', url: `/api/v1/items/${item.id}` });
  const tok = await as({ method: 'POST', url: '/api/v1/tokens', payload: { name: 'hemmelig', role: 'reader' } });

  const audit = await as({ url: `/api/v1/audit?network=${SLUG}&limit=200` });
  t.equal(audit.statusCode, 200);
  const entries = audit.json().data as { actor: string; action: string; entity: string; entityId: string; changes: Record<string, { before: unknown; after: unknown }> }[];
  const upd = entries.find((e) => e.entity === 'meeting' && e.action === 'update');
  t.ok(upd);
  t.equal(upd!.actor, 'test-admin');
  t.same(upd!.changes, { title: { before: 'Netværksmøde 11. september 2019', after: 'Nyt navn på mødet' } });
  t.ok(entries.some((e) => e.entity === 'item' && e.action === 'create' && e.entityId === item.id));
  t.ok(entries.some((e) => e.entity === 'item' && e.action === 'delete' && e.entityId === item.id));
  t.ok(entries.some((e) => e.actor === 'system' && e.entity === 'network' && e.action === 'create'), 'the seed is recorded as system');

  const byEntity = (await as({ url: `/api/v1/audit?entity=item&entityId=${item.id}` })).json().data;
  t.same(byEntity.map((e: { action: string }) => e.action), ['delete', 'create'], 'newest first');
  const paged = (await as({ url: '/api/v1/audit?limit=2' })).json();
  t.equal(paged.data.length, 2);
  const next = (await as({ url: `/api/v1/audit?limit=2&cursor=${paged.nextCursor}` })).json();
  t.ok(next.data[0].id < paged.data[1].id);
  const future = (await as({ url: '/api/v1/audit?from=2999-01-01T00:00:00Z' })).json();
  t.same(future.data, []);
  const byToken = (await as({ url: `/api/v1/audit?token=${tok.json().id}` })).json();
  t.same(byToken.data, [], 'the new token has written nothing');

  const all = JSON.stringify((await as({ url: '/api/v1/audit?limit=200' })).json());
  t.notOk(all.includes(tok.json().secret), 'no raw token in the audit trail');
  t.notOk(all.includes('token_hash') || all.includes('tokenHash'), 'no token hashes');
  t.equal((await app.inject({ url: '/api/v1/audit' })).statusCode, 401);
});

t.test('Idempotency-Key on a response with a secret: never stored, never replayed', async (t) => {
  const { app, as } = await makeApp(t);
  const send = () => as({ method: 'POST', url: '/api/v1/tokens', headers: { 'idempotency-key': 'ny-token-1' }, payload: { name: 'integration', role: 'reader' } });
  const first = await send();
  t.equal(first.statusCode, 201);
  const secret = first.json().secret as string;
  const stored = JSON.stringify(app.db.$client.prepare('SELECT * FROM idempotency_keys').all());
  t.notOk(stored.includes(secret), 'the secret is not kept');
  const retry = await send();
  t.equal(retry.statusCode, 409);
  t.equal(retry.json().code, 'idempotent-secret-withheld');
  t.equal(retry.json().id, first.json().id, 'says what was created');
  t.notOk(retry.body.includes(secret));
  const count = (app.db.$client.prepare("SELECT count(*) AS n FROM api_tokens WHERE name = 'integration'").get() as { n: number }).n;
  t.equal(count, 1, 'nothing created twice');
});
