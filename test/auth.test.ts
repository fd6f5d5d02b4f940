// Tokens: every write needs a live token; a bad, revoked or expired token is refused even on reads.
import t, { type Test } from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { eq } from 'drizzle-orm';
import { apiTokens } from '../db/schema.js';
import { createToken, findActiveToken, hashToken } from '../server/auth/tokens.js';
import { makeApp, type TestApp, ok } from './helpers.js';

const problem = (t: Test, res: LightMyRequestResponse, status: number, code: string) => {
  t.equal(res.statusCode, status, `status ${status}`, { body: res.body.slice(0, 500) });
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  const body = res.json();
  t.equal(body.code, code);
  t.equal(body.status, status);
  t.equal(body.type, 'https://netagenda.dk/problems/unauthorized');
  return body;
};

/** One of everything, and the write routes of the API with a payload that would succeed with a token. */
async function world(a: TestApp) {
  const post = async (url: string, payload: Record<string, unknown>) => {
    const res = await a.as({ method: 'POST', url, payload });
    if (res.statusCode !== 201) throw new Error(`${url}: ${res.body}`);
    return res.json();
  };
  await post('/api/v1/networks', { slug: 'net', name: 'Net' });
  // Venues, speakers and participants belong to a network: created under it.
  const venue = await post('/api/v1/networks/net/venues', { name: 'Odense' });
  await post('/api/v1/networks/net/themes', { key: 'aktuelt', name: 'Aktuelt' });
  const speaker = await post('/api/v1/networks/net/speakers', { name: 'Anna', email: 'anna@kl.dk' });
  const participant = await post('/api/v1/networks/net/participants', { name: 'Bente', email: 'bente@kl.dk' });
  const meeting = await post('/api/v1/networks/net/meetings', { title: 'Møde', date: '2019-09-11', startTime: '10:00', status: 'announced' });
  const track = await post(`/api/v1/meetings/${meeting.id}/tracks`, { name: 'Spor' });
  const item = await post(`/api/v1/meetings/${meeting.id}/items`, { startTime: '10:00', endTime: '11:00', title: 'Oplæg', kind: 'presentation' });
  // Public readers see the released agenda.
  await post(`/api/v1/meetings/${meeting.id}/releases`, {});
  const writes: [string, string, Record<string, unknown>?][] = [
    ['POST', '/api/v1/networks', { slug: 'other', name: 'Other' }],
    ['PATCH', '/api/v1/networks/net', { name: 'Changed' }],
    ['DELETE', '/api/v1/networks/net'],
    ['POST', '/api/v1/networks/net/venues', { name: 'Aarhus' }],
    ['PATCH', `/api/v1/venues/${venue.id}`, { name: 'Changed' }],
    ['DELETE', `/api/v1/venues/${venue.id}`],
    ['POST', '/api/v1/networks/net/meetings', { title: 'Nyt', date: '2020-01-16', startTime: '10:00' }],
    ['PATCH', `/api/v1/meetings/${meeting.id}`, { title: 'Changed' }],
    ['DELETE', `/api/v1/meetings/${meeting.id}`],
    ['POST', `/api/v1/meetings/${meeting.id}/tracks`, { name: 'Nyt spor' }],
    ['PATCH', `/api/v1/tracks/${track.id}`, { name: 'Changed' }],
    ['DELETE', `/api/v1/tracks/${track.id}`],
    ['POST', '/api/v1/networks/net/themes', { key: 'nyt', name: 'Nyt' }],
    ['PATCH', '/api/v1/networks/net/themes/aktuelt', { name: 'Changed' }],
    ['DELETE', '/api/v1/networks/net/themes/aktuelt'],
    ['POST', '/api/v1/networks/net/speakers', { name: 'Bo' }],
    ['PATCH', `/api/v1/speakers/${speaker.id}`, { name: 'Changed' }],
    ['DELETE', `/api/v1/speakers/${speaker.id}`],
    ['POST', '/api/v1/networks/net/participants', { name: 'Carl', email: 'carl@kl.dk' }],
    ['PATCH', `/api/v1/participants/${participant.id}`, { name: 'Changed' }],
    ['POST', `/api/v1/participants/${participant.id}/feed-token`, {}],
    ['DELETE', `/api/v1/participants/${participant.id}`],
    ['POST', `/api/v1/meetings/${meeting.id}/items`, { startTime: '11:00', endTime: '12:00', title: 'Nyt', kind: 'other' }],
    ['PATCH', `/api/v1/items/${item.id}`, { title: 'Changed' }],
    ['DELETE', `/api/v1/items/${item.id}`],
  ];
  const reads = [
    '/api/v1/networks',
    '/api/v1/networks/net',
    '/api/v1/venues',
    '/api/v1/networks/net/venues',
    `/api/v1/venues/${venue.id}`,
    '/api/v1/networks/net/meetings',
    `/api/v1/meetings/${meeting.id}`,
    `/api/v1/meetings/${meeting.id}/tracks`,
    `/api/v1/tracks/${track.id}`,
    '/api/v1/networks/net/themes',
    '/api/v1/networks/net/themes/aktuelt',
    '/api/v1/speakers',
    '/api/v1/networks/net/speakers',
    `/api/v1/speakers/${speaker.id}`,
    `/api/v1/meetings/${meeting.id}/items`,
    `/api/v1/items/${item.id}`,
    `/api/v1/meetings/${meeting.id}/agenda`,
  ];
  // Participants are personal data: token holders only, no public view.
  const privateReads = ['/api/v1/participants', '/api/v1/networks/net/participants', `/api/v1/participants/${participant.id}`];
  return { writes, reads, privateReads };
}

/** Everything the token holder can read, to compare before and after refused writes. */
async function everything(a: TestApp, reads: string[]) {
  const out: Record<string, unknown> = {};
  for (const url of reads) out[url] = (await a.as({ url })).json();
  return out;
}

t.test('every write route refuses missing, malformed, unknown, revoked and expired tokens', async (t) => {
  const a = await makeApp(t);
  const { writes, reads: publicReads, privateReads } = await world(a);
  const reads = [...publicReads, ...privateReads];

  const revoked = createToken(a.app.db, { name: 'revoked', role: 'admin' });
  a.app.db.update(apiTokens).set({ revokedAt: new Date().toISOString() }).where(eq(apiTokens.id, revoked.token.id)).run();
  const expired = createToken(a.app.db, { name: 'expired', role: 'admin', expiresAt: '2020-01-01T00:00:00.000Z' });
  const headerSets: [string, Record<string, string>][] = [
    ['no header', {}],
    ['unknown token', { authorization: 'Bearer na_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
    ['token without prefix', { authorization: `Bearer ${a.token.slice(3)}` }],
    ['basic auth', { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` }],
    ['empty bearer', { authorization: 'Bearer ' }],
    ['token alone', { authorization: a.token }],
    ['two tokens', { authorization: `Bearer ${a.token} ${a.token}` }],
    ['overlong token', { authorization: `Bearer na_${'x'.repeat(300)}` }],
    ['revoked token', { authorization: `Bearer ${revoked.raw}` }],
    ['expired token', { authorization: `Bearer ${expired.raw}` }],
  ];

  const before = await everything(a, reads);
  for (const [what, headers] of headerSets) {
    for (const [method, url, payload] of writes) {
      const res = await a.app.inject({ method: method as 'POST', url, headers, ...(payload ? { payload } : {}) });
      const body = problem(t, res, 401, 'unauthorized');
      t.ok(body.detail, `${what}: ${method} ${url}`);
    }
  }
  t.same(await everything(a, reads), before, 'no refused write changed anything');

  // With the token every one of them works (in this order the deletes come last per resource).
  for (const [method, url, payload] of writes.filter(([m]) => m !== 'DELETE')) {
    const res = await a.as({ method: method as 'POST', url, ...(payload ? { payload } : {}) });
    t.ok([200, 201].includes(res.statusCode), `${method} ${url} with a token: ${res.statusCode} ${res.body.slice(0, 200)}`);
  }
});

t.test('a bad token is refused on reads too; no token reads the public view', async (t) => {
  const a = await makeApp(t);
  const { reads, privateReads } = await world(a);
  const revoked = createToken(a.app.db, { name: 'revoked', role: 'admin' });
  a.app.db.update(apiTokens).set({ revokedAt: new Date().toISOString() }).where(eq(apiTokens.id, revoked.token.id)).run();
  for (const url of [...reads, ...privateReads]) {
    problem(t, await a.app.inject({ url, headers: { authorization: 'Bearer na_nope' } }), 401, 'unauthorized');
    problem(t, await a.app.inject({ url, headers: { authorization: `Bearer ${revoked.raw}` } }), 401, 'unauthorized');
    if (reads.includes(url)) ok(t, await a.app.inject({ url }));
    else problem(t, await a.app.inject({ url }), 401, 'unauthorized');
  }
  // Even unknown routes and the health check do not accept a bad token silently.
  problem(t, await a.app.inject({ url: '/healthz', headers: { authorization: 'Bearer na_nope' } }), 401, 'unauthorized');
});

t.test('token forms that are accepted', async (t) => {
  const a = await makeApp(t);
  const future = createToken(a.app.db, { name: 'future', role: 'admin', expiresAt: '2999-01-01T00:00:00.000Z' });
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'net', name: 'Net' } }), 201);
  for (const authorization of [`Bearer ${a.token}`, `bearer ${a.token}`, `BEARER   ${a.token}  `, `Bearer ${future.raw}`]) {
    ok(t, await a.app.inject({ method: 'POST', url: '/api/v1/networks/net/venues', payload: { name: authorization.slice(0, 12) }, headers: { authorization } }), 201);
  }
  t.equal(ok(t, await a.as({ url: '/api/v1/networks/net/venues' })).data.length, 4);
});

t.test('tokens are stored hashed and looked up by hash', async (t) => {
  const a = await makeApp(t);
  const { token, raw } = createToken(a.app.db, { name: 'ci', role: 'coordinator' });
  t.match(raw, /^na_[A-Za-z0-9_-]{43}$/);
  const row = a.app.db.select().from(apiTokens).where(eq(apiTokens.id, token.id)).get()!;
  t.equal(row.tokenHash, hashToken(raw));
  t.notMatch(JSON.stringify(row), raw, 'the raw token is not stored');
  t.match(findActiveToken(a.app.db, raw), { id: token.id, role: 'coordinator', name: 'ci' });
  t.equal(findActiveToken(a.app.db, raw.slice(3)), undefined, 'needs the prefix');
  t.equal(findActiveToken(a.app.db, `na_${'x'.repeat(250)}`), undefined, 'too long');
  t.equal(findActiveToken(a.app.db, `${raw}x`), undefined);

  const soon = createToken(a.app.db, { name: 'soon', role: 'admin', expiresAt: '2030-01-01T00:00:00.000Z' });
  t.ok(findActiveToken(a.app.db, soon.raw, new Date('2029-12-31T23:59:59Z')));
  t.equal(findActiveToken(a.app.db, soon.raw, new Date('2030-01-01T00:00:00Z')), undefined, 'expired at the instant');
});
