// Municipalities: /api/v1/municipalities and /api/v1/municipalities/{code}: Denmark's 98, read-only.
import t, { type Test } from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { MUNICIPALITIES } from '../db/municipalities.js';
import { regions } from '../db/schema.js';
import { makeApp, ok } from './helpers.js';

const problem = (t: Test, res: LightMyRequestResponse, status: number, code: string) => {
  t.equal(res.statusCode, status, `status ${status}`, { body: res.body.slice(0, 500) });
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  t.equal(res.json().code, code);
  return res.json();
};

type Municipality = { code: number; name: string; region: string };

t.test('the list is complete: 98 municipalities in 5 regions, by code, names intact', async (t) => {
  const { app } = await makeApp(t);
  const body = ok(t, await app.inject({ url: '/api/v1/municipalities' }));
  t.same(Object.keys(body), ['data'], 'not paginated: all 98 at once');
  const list: Municipality[] = body.data;
  t.equal(list.length, 98);
  t.equal(new Set(list.map((m) => m.code)).size, 98, 'codes are unique');
  t.same(list.map((m) => m.code), [...list.map((m) => m.code)].sort((a, b) => a - b), 'sorted by code');
  t.same(new Set(list.map((m) => m.region)), new Set(regions));
  const perRegion = Object.fromEntries(regions.map((r) => [r, list.filter((m) => m.region === r).length]));
  t.same(perRegion, {
    'Region Hovedstaden': 29,
    'Region Sjælland': 17,
    'Region Syddanmark': 22,
    'Region Midtjylland': 19,
    'Region Nordjylland': 11,
  });
  const byCode = new Map(list.map((m) => [m.code, m]));
  for (const [code, name, region] of [
    [101, 'København', 'Region Hovedstaden'],
    [147, 'Frederiksberg', 'Region Hovedstaden'],
    [400, 'Bornholm', 'Region Hovedstaden'],
    [265, 'Roskilde', 'Region Sjælland'],
    [461, 'Odense', 'Region Syddanmark'],
    [492, 'Ærø', 'Region Syddanmark'],
    [563, 'Fanø', 'Region Syddanmark'],
    [751, 'Aarhus', 'Region Midtjylland'],
    [741, 'Samsø', 'Region Midtjylland'],
    [851, 'Aalborg', 'Region Nordjylland'],
    [825, 'Læsø', 'Region Nordjylland'],
  ] as const) {
    t.same(byCode.get(code), { code, name, region }, `${code} ${name}`);
  }
  t.ok(list.some((m) => m.name === 'Høje-Taastrup') && list.some((m) => m.name === 'Tårnby'), 'æ, ø and å survive');
  t.same(list, [...MUNICIPALITIES].sort((a, b) => a.code - b.code), 'the migration loaded exactly the reference data');
});

t.test('filter by region', async (t) => {
  const { app } = await makeApp(t);
  const nord: Municipality[] = ok(t, await app.inject({ url: `/api/v1/municipalities?region=${encodeURIComponent('Region Nordjylland')}` })).data;
  t.equal(nord.length, 11);
  t.ok(nord.every((m) => m.region === 'Region Nordjylland'));
  t.equal(nord[0]!.code, 773, 'Morsø first');
  const sj: Municipality[] = ok(t, await app.inject({ url: `/api/v1/municipalities?region=${encodeURIComponent('Region Sjælland')}` })).data;
  t.equal(sj.length, 17);
  const bad = problem(t, await app.inject({ url: '/api/v1/municipalities?region=Jylland' }), 400, 'validation-failed');
  t.same(bad.errors.map((e: { path: string }) => e.path), ['querystring.region']);
});

t.test('read one by code', async (t) => {
  const { app } = await makeApp(t);
  t.same(ok(t, await app.inject({ url: '/api/v1/municipalities/492' })), { code: 492, name: 'Ærø', region: 'Region Syddanmark' });
  t.same(ok(t, await app.inject({ url: '/api/v1/municipalities/101' })), { code: 101, name: 'København', region: 'Region Hovedstaden' });
  problem(t, await app.inject({ url: '/api/v1/municipalities/102' }), 404, 'not-found');
  problem(t, await app.inject({ url: '/api/v1/municipalities/999' }), 404, 'not-found');
  problem(t, await app.inject({ url: '/api/v1/municipalities/odense' }), 400, 'validation-failed');
  problem(t, await app.inject({ url: '/api/v1/municipalities/4.5' }), 400, 'validation-failed');
  problem(t, await app.inject({ url: '/api/v1/municipalities/99999999999' }), 400, 'validation-failed');
});

t.test('read-only: no writes exist', async (t) => {
  const a = await makeApp(t);
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
    const res = await a.as({ method, url: '/api/v1/municipalities/101', payload: {} });
    t.ok([404, 405].includes(res.statusCode), `${method} is not a route (${res.statusCode})`);
  }
  t.equal(ok(t, await a.app.inject({ url: '/api/v1/municipalities' })).data.length, 98);
});
