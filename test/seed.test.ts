// The seed network: loaded into an empty database once, through the same rules as the API.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../server/app.js';
import { testConfig } from '../server/config.js';
import { seedIfEmpty } from '../db/seed.js';
import { SEED_SLUG } from '../db/seed-data.js';
import { makeApp, ok } from './helpers.js';


t.test('a fresh app with seed: true has the KL network', async (t) => {
  const { app } = await makeApp(t, { seed: true });
  t.equal(SEED_SLUG, 'kl-konsulentnetvaerk-2019-2020');

  const networks = ok(t, await app.inject({ url: '/api/v1/networks' }));
  const slugs: string[] = networks.data.map((n: { slug: string }) => n.slug);
  t.ok(slugs.includes(SEED_SLUG), 'the KL consultant network is seeded');
  t.equal(new Set(slugs).size, slugs.length);
  const network = ok(t, await app.inject({ url: `/api/v1/networks/${SEED_SLUG}` }));
  t.match(network, {
    slug: SEED_SLUG,
    name: 'KL’s konsulentnetværk på dagtilbuds- og folkeskoleområdet 2019-2020',
    description: /heldagsmøder à seks timer i Odense/,
    purpose: /Formålet med netværket/,
    organiser: { name: 'KL', email: 'mfs@kl.dk', phone: '3370 3370', address: 'Weidekampsgade 10, 2300 København S' },
    seasonStart: '2019-09-11',
    seasonEnd: '2020-06-03',
    timeZone: 'Europe/Copenhagen',
    standardMeetingMinutes: 360,
  });

  const venue = ok(t, await app.inject({ url: `/api/v1/venues/${network.defaultVenueId}` }));
  t.match(venue, { name: 'Odense', city: 'Odense' });
  t.ok(ok(t, await app.inject({ url: '/api/v1/venues' })).data.some((v: { id: string }) => v.id === venue.id));

  const themes = ok(t, await app.inject({ url: `/api/v1/networks/${SEED_SLUG}/themes` }));
  t.same(themes.data.map((x: { key: string }) => x.key), ['aktuelt', 'lovgivning', 'ny-viden', 'sparring']);
  t.match(themes.data[0], { name: 'Aktuelt på områderne', networkSlug: SEED_SLUG });

  // Announced meetings are public: read them without a token.
  const meetings = ok(t, await app.inject({ url: `/api/v1/networks/${SEED_SLUG}/meetings` }));
  t.equal(meetings.data.length, 3);
  t.same(meetings.data.map((m: { date: string }) => m.date), ['2019-09-11', '2020-01-16', '2020-06-03']);
  t.same(meetings.data.map((m: { title: string }) => m.title), [
    'Netværksmøde 11. september 2019',
    'Netværksmøde 16. januar 2020',
    'Netværksmøde 3. juni 2020',
  ]);
  for (const m of meetings.data) {
    t.match(m, {
      status: 'announced',
      startTime: '10:00',
      endTime: '16:00',
      durationMinutes: 360,
      timeZone: 'Europe/Copenhagen',
      venueId: venue.id,
      venue: { name: 'Odense', city: 'Odense' },
      description: /Heldagsmøde i KL’s konsulentnetværk/,
    });
  }
  t.equal(meetings.data[0].start.utc, '2019-09-11T08:00:00Z');
  t.equal(meetings.data[1].start.utc, '2020-01-16T09:00:00Z');
  t.equal(meetings.data[2].end.utc, '2020-06-03T14:00:00Z');
});

t.test('seed: false leaves the database empty', async (t) => {
  const { app } = await makeApp(t);
  t.same(ok(t, await app.inject({ url: '/api/v1/networks' })).data, []);
  t.same(ok(t, await app.inject({ url: '/api/v1/venues' })).data, []);
});

t.test('building again on the same database file does not seed twice', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netagenda-seed-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const databasePath = join(dir, 'nested', 'netagenda.db');
  const counts = async () => {
    const app = await buildApp(testConfig({ seed: true, databasePath }));
    try {
      return {
        networks: (await app.inject({ url: '/api/v1/networks' })).json().data.length,
        venues: (await app.inject({ url: '/api/v1/venues' })).json().data.length,
        themes: (await app.inject({ url: `/api/v1/networks/${SEED_SLUG}/themes` })).json().data.length,
        meetings: (await app.inject({ url: `/api/v1/networks/${SEED_SLUG}/meetings` })).json().data.map((m: { id: string }) => m.id),
        seededAgain: seedIfEmpty(app.db),
      };
    } finally {
      await app.close();
    }
  };
  const first = await counts();
  t.match(first, { themes: 4, seededAgain: false });
  t.ok(first.networks >= 1);
  t.ok(first.venues >= 1);
  t.equal(first.meetings.length, 3);
  const second = await counts();
  t.same(second, first, 'same rows, same ids: nothing added');
});

t.test('the seed does not touch a database that already has a network', async (t) => {
  const { app, as } = await makeApp(t);
  ok(t, await as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'eget-netvaerk', name: 'Eget' } }), 201);
  t.equal(seedIfEmpty(app.db), false);
  t.same(ok(t, await app.inject({ url: '/api/v1/networks' })).data.map((n: { slug: string }) => n.slug), ['eget-netvaerk']);
  // An empty one it fills, once.
  const other = await makeApp(t);
  t.equal(seedIfEmpty(other.app.db), true);
  t.equal(seedIfEmpty(other.app.db), false);
  t.equal(ok(t, await other.app.inject({ url: `/api/v1/networks/${SEED_SLUG}/meetings` })).data.length, 3);
});
