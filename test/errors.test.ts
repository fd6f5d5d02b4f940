// Every failure is application/problem+json with a stable code: bodies, media types, routes, URLs,
// database constraints and our own bugs.
import t, { type Test } from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { makeApp } from './helpers.js';

const problem = (t: Test, res: LightMyRequestResponse, status: number, code: string) => {
  t.equal(res.statusCode, status, `status ${status}`, { body: res.body.slice(0, 500) });
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  const body = res.json();
  t.match(body, { type: `https://netagenda.dk/problems/${code}`, status, code, title: String });
  return body;
};
const json = { 'content-type': 'application/json' };
/** Venues are created under their network: a fresh app with network `net`. */
const withNetwork = async (t: Test) => {
  const a = await makeApp(t);
  const res = await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'net', name: 'Net' } });
  t.equal(res.statusCode, 201, res.body);
  return a;
};
const VENUES = '/api/v1/networks/net/venues';

t.test('bodies that are not JSON objects', async (t) => {
  const a = await withNetwork(t);
  const post = (payload: string, headers: Record<string, string> = json) => a.as({ method: 'POST', url: VENUES, payload, headers });

  for (const payload of ['{bad', '{"name": "x",}', "{'name': 'x'}", '{"name": "x"} trailing', '\u0000']) {
    const body = problem(t, await post(payload), 400, 'invalid-json');
    t.equal(body.detail, 'The body is not valid JSON');
  }
  const empty = problem(t, await post(''), 400, 'invalid-json');
  t.equal(empty.detail, 'The body is empty but declared as JSON');
  // Prototype pollution attempts are refused by the parser.
  problem(t, await post('{"name":"x","__proto__":{"admin":true}}'), 400, 'invalid-json');
  problem(t, await post('{"name":"x","constructor":{"prototype":{"admin":true}}}'), 400, 'invalid-json');

  for (const payload of ['[1,2]', 'null', '"Odense"', '42']) {
    const body = problem(t, await post(payload), 400, 'validation-failed');
    t.same(body.errors.map((e: { path: string }) => e.path), ['body']);
  }
  const missing = problem(t, await a.as({ method: 'POST', url: VENUES }), 400, 'validation-failed');
  t.same(missing.errors.map((e: { path: string }) => e.path), ['body']);

  problem(t, await post('<venue/>', { 'content-type': 'application/xml' }), 415, 'unsupported-media-type');
  problem(t, await post('name=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported-media-type');
  problem(t, await post('{"name":"x"}', { 'content-type': '' }), 415, 'unsupported-media-type');
  const large = problem(t, await post(JSON.stringify({ name: 'x'.repeat(70 * 1024) })), 413, 'payload-too-large');
  t.equal(large.detail, 'The body is too large');
  problem(t, await post('{"name":"x"}', { ...json, 'content-length': '3' }), 400, 'bad-request');

  t.same((await a.as({ url: '/api/v1/venues' })).json().data, [], 'nothing was created');
  t.same((await a.as({ url: VENUES })).json().data, [], 'nothing was created in the network');
});

t.test('unknown fields are refused and named', async (t) => {
  const a = await withNetwork(t);
  const body = problem(t, await a.as({ method: 'POST', url: VENUES, payload: { name: 'x', colour: 'red', size: 3 } }), 400, 'validation-failed');
  t.same(body.errors, [
    { path: 'body.colour', message: 'unknown field' },
    { path: 'body.size', message: 'unknown field' },
  ]);
  const nested = problem(
    t,
    await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'net', name: 'x', organiser: { name: 'KL', fax: '1' } } }),
    400,
    'validation-failed',
  );
  t.same(nested.errors, [{ path: 'body.organiser.fax', message: 'unknown field' }]);
  // Several problems at once are all listed.
  const many = problem(t, await a.as({ method: 'POST', url: VENUES, payload: { name: '', latitude: 100, x: 1 } }), 400, 'validation-failed');
  t.same(many.errors.map((e: { path: string }) => e.path).sort(), ['body.latitude', 'body.name', 'body.x']);
  for (const e of many.errors) t.type(e.message, 'string');
  t.same((await a.as({ url: '/api/v1/venues' })).json().data, []);
});

t.test('unknown routes and methods', async (t) => {
  const a = await makeApp(t);
  const cases: [string, string][] = [
    ['GET', '/nope'],
    ['GET', '/api/v1'],
    ['GET', '/api/v1/nope'],
    ['GET', '/api/v2/networks'],
    ['PUT', '/api/v1/venues'],
    ['DELETE', '/api/v1/venues'],
    ['POST', '/api/v1/venues/ven_x'],
    ['PUT', '/api/v1/networks/net'],
    ['OPTIONS', '/api/v1/venues'],
    // The flat creation routes are gone: venues, speakers and participants are created under their network.
    ['POST', '/api/v1/venues'],
    ['POST', '/api/v1/speakers'],
    ['POST', '/api/v1/participants'],
    ['PUT', '/api/v1/networks/net/venues'],
  ];
  for (const [method, url] of cases) {
    const body = problem(t, await a.as({ method: method as 'GET', url: `${url}?secret=1` }), 404, 'route-not-found');
    t.equal(body.detail, `No route ${method} ${url}`, 'the query string is left out');
    // Without a token the answer is the same.
    problem(t, await a.app.inject({ method: method as 'GET', url }), 404, 'route-not-found');
  }
});

t.test('malformed URLs are problems too', async (t) => {
  const a = await makeApp(t);
  for (const url of ['/api/v1/venues/%E0%A4%A', '/api/v1/venues/%zz', '/api/v1/networks/%']) {
    const body = problem(t, await a.app.inject({ url }), 400, 'bad-url');
    t.match(body.detail, /malformed/);
  }
  const long = problem(t, await a.app.inject({ url: `/api/v1/venues/${'x'.repeat(201)}` }), 414, 'uri-too-long');
  t.match(long.detail, /too long/);
  // Within the router's limit but over the schema's: a validation error naming the parameter.
  const param = problem(t, await a.app.inject({ url: `/api/v1/venues/${'x'.repeat(100)}` }), 400, 'validation-failed');
  t.same(param.errors.map((e: { path: string }) => e.path), ['params.id']);
});

t.test('a constraint violation that slips past the checks is a 409', async (t) => {
  const a = await withNetwork(t);
  // Simulate a race the repository cannot see: the database itself refuses the write.
  a.app.db.$client.exec(`CREATE TRIGGER refuse_venues BEFORE INSERT ON venues BEGIN SELECT RAISE(ABORT, 'refused'); END;`);
  const body = problem(t, await a.as({ method: 'POST', url: VENUES, payload: { name: 'Odense' } }), 409, 'constraint-violation');
  t.equal(body.detail, 'The change conflicts with existing data');
  t.notMatch(JSON.stringify(body), /refused|SQLITE|trigger/i, 'no database internals leak');
  a.app.db.$client.exec('DROP TRIGGER refuse_venues');
  t.same((await a.as({ url: '/api/v1/venues' })).json().data, []);
});

t.test('an unexpected failure is a 500 without internals', async (t) => {
  const a = await makeApp(t);
  t.same((await a.app.inject({ url: '/healthz' })).json(), { status: 'ok', outbox: { depth: 0, oldestUndeliveredAgeSeconds: null } });
  // Break the database under the running app.
  a.app.db.$client.close();
  const body = problem(t, await a.app.inject({ url: '/healthz' }), 500, 'internal-error');
  t.equal(body.title, 'Internal server error');
  t.equal(body.detail, 'Something went wrong on our side');
  t.notMatch(JSON.stringify(body), /database|connection|stack/i);
  problem(t, await a.app.inject({ url: '/api/v1/venues' }), 500, 'internal-error');
});

t.test('problem documents carry type, title, status, code and detail', async (t) => {
  const a = await makeApp(t);
  const res = await a.app.inject({ url: '/api/v1/venues/ven_missing' });
  const body = problem(t, res, 404, 'not-found');
  t.same(Object.keys(body).sort(), ['code', 'detail', 'status', 'title', 'type']);
  t.same(body, {
    type: 'https://netagenda.dk/problems/not-found',
    title: 'Not found',
    status: 404,
    code: 'not-found',
    detail: "Venue 'ven_missing' does not exist",
  });
});
