// The contract of URLs: unknown query parameters are refused like unknown body fields (400
// validation-failed, each named), numbers in paths and queries are plain decimal integers, and the OpenAPI
// document states these rules (patterns, strict queries, the global problem statuses).
import t from 'tap';
import fc from 'fast-check';
import { z } from 'zod';
import { decimalInt, decimalRangePattern, name, NAME_PATTERN, text, TEXT_PATTERN, TIME_ZONE_PATTERN, timeZone } from '../server/http/fields.js';
import { makeApp, ok, problem } from './helpers.js';

const SLUG = 'kl-konsulentnetvaerk-2019-2020';

t.test('unknown query parameters get 400 validation-failed, named like unknown body fields', async (t) => {
  const { app, as } = await makeApp(t, { seed: true });
  // A route with a query schema.
  let body = problem(t, await app.inject({ url: `/api/v1/networks/${SLUG}/meetings?limit=5&colour=blue` }), 400, 'validation-failed');
  t.same(body.errors, [{ path: 'querystring.colour', message: 'unknown field' }]);
  // Several unknown at once: each named.
  body = problem(t, await app.inject({ url: '/api/v1/networks?a=1&b=2' }), 400, 'validation-failed');
  t.same(body.errors.map((e: { path: string }) => e.path).sort(), ['querystring.a', 'querystring.b']);
  // A route without one: any parameter is refused.
  body = problem(t, await app.inject({ url: `/api/v1/networks/${SLUG}?x=1` }), 400, 'validation-failed');
  t.same(body.errors, [{ path: 'querystring.x', message: 'unknown field' }]);
  // The same shape as an unknown body field.
  const bodyField = problem(t, await as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'x-net', name: 'X', colour: 'blue' } }), 400, 'validation-failed');
  t.same(bodyField.errors, [{ path: 'body.colour', message: 'unknown field' }]);
  // Writes too (authenticated), and case matters: LIMIT is not limit.
  problem(t, await as({ method: 'DELETE', url: '/api/v1/networks/nope?force=1' }), 400, 'validation-failed');
  problem(t, await app.inject({ url: '/api/v1/networks?LIMIT=5' }), 400, 'validation-failed');
  // Known parameters still work, and nothing is refused without a query.
  ok(t, await app.inject({ url: `/api/v1/networks/${SLUG}/meetings?limit=2` }));
  ok(t, await app.inject({ url: `/api/v1/networks/${SLUG}` }));
  ok(t, await app.inject({ url: '/api/v1/municipalities?region=Region%20Nordjylland' }));
});

t.test('feeds stay lenient: cache-busting parameters are ignored', async (t) => {
  const { app } = await makeApp(t, { seed: true });
  const res = await app.inject({ url: `/feeds/networks/${SLUG}.ics?_=1733200000&utm_source=x` });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/calendar/);
});

t.test('numbers in paths and queries are plain decimal integers', async (t) => {
  const { app } = await makeApp(t, { seed: true });
  const bad = ['0x10', '1e1', '+5', ' 5', '5 ', '05', '5.0', 'Infinity', '', '-1', '٣', '5,0', '0b1', '1_0', 'NaN'];
  for (const v of bad) {
    const q = encodeURIComponent(v);
    problem(t, await app.inject({ url: `/api/v1/networks?limit=${q}` }), 400, 'validation-failed');
    if (v !== '') problem(t, await app.inject({ url: `/api/v1/municipalities/${q}` }), 400, 'validation-failed');
  }
  // The example of the report: 0x1cd is 461 (Odense), but only `461` names it.
  problem(t, await app.inject({ url: '/api/v1/municipalities/0x1cd' }), 400, 'validation-failed');
  t.equal(ok(t, await app.inject({ url: '/api/v1/municipalities/461' })).name, 'Odense');
  const body = problem(t, await app.inject({ url: '/api/v1/networks?limit=0x10' }), 400, 'validation-failed');
  t.same(body.errors.map((e: { path: string }) => e.path), ['querystring.limit']);
  // Ranges still hold, and canonical numbers pass.
  problem(t, await app.inject({ url: '/api/v1/networks?limit=0' }), 400, 'validation-failed');
  problem(t, await app.inject({ url: '/api/v1/networks?limit=201' }), 400, 'validation-failed');
  t.equal(ok(t, await app.inject({ url: '/api/v1/networks?limit=1' })).data.length, 1);
  ok(t, await app.inject({ url: '/api/v1/networks?limit=200' }));
  // A repeated parameter is an array, not a number.
  problem(t, await app.inject({ url: '/api/v1/networks?limit=1&limit=2' }), 400, 'validation-failed');
});

t.test('decimalInt: exactly the canonical decimals in range', async (t) => {
  const s = decimalInt(0, 99999);
  fc.assert(
    fc.property(fc.integer({ min: -10, max: 200_000 }), (n) => {
      const parsed = s.safeParse(String(n));
      return parsed.success === (n >= 0 && n <= 99999) && (!parsed.success || parsed.data === n);
    }),
  );
  fc.assert(fc.property(fc.string(), (v) => !s.safeParse(v).success || String(Number(v)) === v));
  // The documented pattern alone is the whole rule, for every range.
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2_000_000 }), fc.integer({ min: 0, max: 2_000_000 }), fc.integer({ min: -5, max: 4_000_000 }), fc.string({ maxLength: 8 }), (x, y, n, junk) => {
      const [min, max] = x <= y ? [x, y] : [y, x];
      const re = new RegExp(decimalRangePattern(min, max));
      const inRange = (k: number) => re.test(String(k)) === (k >= min && k <= max);
      return inRange(n) && inRange(min) && inRange(max) && inRange(min - 1) && inRange(max + 1) && (!re.test(junk) || (String(Number(junk)) === junk && Number(junk) >= min && Number(junk) <= max));
    }),
    { numRuns: 3000 },
  );
  t.equal(decimalRangePattern(1, 200), '^([1-9]|[1-9][0-9]|1[0-9][0-9]|200)$');
  t.equal(decimalRangePattern(100, 999), '^([1-9][0-9]{2})$');
  t.equal(decimalInt(1, 200, { default: 50 }).parse(undefined), 50);
  t.notOk(decimalInt(1, 200).safeParse('0').success);
});

t.test('the documented patterns say what the schemas enforce', async (t) => {
  const chars = fc.oneof(fc.constantFrom(' ', '\t', '\n', '\r', '\u0000', '\u0007', '\u001f', '\u007f', '\u00a0', '\ufeff', 'a', 'æ'), fc.string({ maxLength: 1 }));
  const strings = fc.array(chars, { maxLength: 6 }).map((a) => a.join(''));
  const cases: [string, z.ZodType, string][] = [
    ['text', text(50), TEXT_PATTERN],
    ['name', name(50), NAME_PATTERN],
  ];
  for (const [label, schema, pattern] of cases) {
    const re = new RegExp(pattern);
    fc.assert(fc.property(strings, (s) => schema.safeParse(s).success === re.test(s)), { numRuns: 2000 });
    t.pass(`${label}: pattern ${pattern} agrees with the schema`);
  }
  // Time zones: every zone the runtime knows fits the documented outline (it is a necessary condition).
  const zone = new RegExp(TIME_ZONE_PATTERN);
  const zones = [...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/GMT+1', 'America/Argentina/Buenos_Aires', 'America/Port-au-Prince'];
  t.same(zones.filter((z) => timeZone.safeParse(z).success && !zone.test(z)), [], 'every accepted zone matches the pattern');
  fc.assert(fc.property(fc.string({ maxLength: 30 }), (s) => !timeZone.safeParse(s).success || zone.test(s)));
});

t.test('the OpenAPI document states the query contract', async (t) => {
  const { app } = await makeApp(t);
  const doc = (await app.inject({ url: '/openapi.json' })).json();
  type Param = { name: string; in: string; schema: { type?: string; pattern?: string; default?: unknown }; description?: string };
  const ops = Object.entries(doc.paths as Record<string, Record<string, { parameters?: Param[]; responses: Record<string, unknown> }>>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ label: `${method.toUpperCase()} ${path}`, path, op })),
  );
  const limit = doc.paths['/api/v1/networks'].get.parameters.find((p: Param) => p.name === 'limit');
  t.match(limit.schema, { type: 'string', pattern: '^([1-9]|[1-9][0-9]|1[0-9][0-9]|200)$', default: '50' });
  t.match(limit.description, /from 1 to 200, in plain decimal digits/);
  const code = doc.paths['/api/v1/municipalities/{code}'].get.parameters.find((p: Param) => p.name === 'code');
  t.equal(code.schema.pattern, decimalRangePattern(0, 99999));
  const cursor = doc.paths['/api/v1/networks'].get.parameters.find((p: Param) => p.name === 'cursor');
  t.equal(cursor.schema.pattern, '^[A-Za-z0-9_-]+$');
  for (const { label, path, op } of ops) {
    if (!path.startsWith('/api/v1/')) continue; // feeds: their own instance, documented in feeds.routes.ts
    for (const s of ['400', '429', '503']) t.ok(op.responses[s], `${label} documents ${s}`);
    if (path.includes('{')) t.ok(op.responses['414'], `${label} documents 414`);
    for (const p of op.parameters ?? []) {
      // No numeric parameter without the decimal pattern (a `type: number` query would be z.coerce).
      t.not(p.schema.type, 'number', `${label} ${p.in}:${p.name} is not a coerced number`);
      t.not(p.schema.type, 'integer', `${label} ${p.in}:${p.name} is not a coerced integer`);
    }
  }
  // Request bodies: every name-like field documents its pattern.
  const network = doc.components.schemas.NetworkCreate ?? doc.paths['/api/v1/networks'].post.requestBody.content['application/json'].schema;
  t.equal(network.properties.name.pattern, NAME_PATTERN, 'a network name documents non-blank and no controls');
  t.match(doc.info.description, /unknown query parameters/i);
});
