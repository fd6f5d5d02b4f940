// Migration 0006 on a database built with the previous schema (migrations 0000–0005): two networks sharing a
// venue and a speaker, one participant registered in both. Nothing is lost, the network that used a record
// first keeps its id, the other gets a copy, and each network's tokens see only their own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import t from 'tap';
import { registerAuditFunctions } from '../db/audit-context.js';
import { tokenNetworks } from '../db/schema.js';
import { buildApp } from '../server/app.js';
import { createToken, hashToken } from '../server/auth/tokens.js';
import { testConfig } from '../server/config.js';
import { diffSnapshots } from '../server/releases/release-diff.js';
import type { Snapshot } from '../server/releases/snapshot.js';
import { previousMigrations } from './previous-schema.js';

const PREVIOUS = 6; // migrations 0000–0005: the schema before networks owned venues, speakers and participants


const SECRET = 'personligFeedHemmelighed_0123456789abc';
const venue = { id: 'ven_delt', name: 'Odense Rådhus', streetAddress: 'Flakhaven 2', postalCode: '5000', city: 'Odense C', latitude: 55.3959, longitude: 10.3883 };
const speaker = { id: 'spk_delt', name: 'Åse Ørsted', title: 'Chefkonsulent', organisation: 'KL' };

function snapshot(meetingTitle: string, items: Snapshot['items'], tracks: Snapshot['tracks'] = []): Snapshot {
  return {
    meeting: { title: meetingTitle, date: '2030-09-11', startTime: '10:00', endTime: '16:00', timeZone: 'Europe/Copenhagen', status: 'announced', description: '', venue },
    tracks,
    items,
  };
}

/** The old database: what the previous release of the service would have stored. */
function buildPrevious(file: string, folder: string): void {
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  registerAuditFunctions(sqlite);
  migrate(drizzle(sqlite), { migrationsFolder: folder });
  const cols = (sqlite.prepare("SELECT name FROM pragma_table_info('participants')").all() as { name: string }[]).map((c) => c.name);
  t.notOk(cols.includes('network_slug'), 'the old schema has no owning network');
  const run = (sql: string, ...args: unknown[]) => sqlite.prepare(sql).run(...args);
  const ts = (d: string) => `${d}T08:00:00.000Z`;
  run(`INSERT INTO networks (slug, name, created_at, updated_at) VALUES ('net-a', 'Netværk A', ?, ?)`, ts('2019-01-01'), ts('2019-01-01'));
  run(`INSERT INTO networks (slug, name, created_at, updated_at) VALUES ('net-b', 'Netværk B', ?, ?)`, ts('2019-02-01'), ts('2019-02-01'));
  for (const [id, name] of [['ven_delt', venue.name], ['ven_forladt_b', 'Vejle Spinderihallerne'], ['ven_forladt', 'Ingen bruger']]) {
    const v = id === 'ven_delt' ? venue : { name, streetAddress: '', postalCode: '', city: '', latitude: null, longitude: null };
    run(
      'INSERT INTO venues (id, name, street_address, postal_code, city, latitude, longitude, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      id, v.name, v.streetAddress, v.postalCode, v.city, v.latitude, v.longitude, ts('2019-01-01'), ts('2019-01-01'),
    );
  }
  // B uses the shared venue first (as its default, since B's creation); A only later, for a meeting.
  run(`UPDATE networks SET default_venue_id = 'ven_delt' WHERE slug = 'net-b'`);
  // ven_forladt_b is used by nothing, but was created by a token of network B (the audit trail says so).
  run(`INSERT INTO api_tokens (id, name, role, token_hash, created_at) VALUES ('tok_b', 'Koordinator B', 'coordinator', 'x', ?)`, ts('2019-01-01'));
  run(`INSERT INTO token_networks (token_id, network_slug) VALUES ('tok_b', 'net-b')`);
  run(
    `INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after)
     VALUES (?, 'Koordinator B', 'tok_b', 'create', 'venue', 'ven_forladt_b', NULL, NULL, '{}')`,
    ts('2019-02-02'),
  );
  run(
    `INSERT INTO speakers (id, name, title, organisation, email, created_at, updated_at) VALUES ('spk_delt', ?, ?, ?, 'aase@kl.dk', ?, ?)`,
    speaker.name, speaker.title, speaker.organisation, ts('2019-01-01'), ts('2019-01-01'),
  );
  const meeting = (id: string, slug: string, created: string) =>
    run(
      `INSERT INTO meetings (id, network_slug, title, date, start_time, end_time, time_zone, venue_id, status, created_at, updated_at)
       VALUES (?, ?, ?, '2030-09-11', '10:00', '16:00', 'Europe/Copenhagen', 'ven_delt', 'announced', ?, ?)`,
      id, slug, `Møde i ${slug}`, ts(created), ts(created),
    );
  meeting('mtg_a', 'net-a', '2019-03-01');
  meeting('mtg_b', 'net-b', '2019-03-02');
  run(`INSERT INTO tracks (id, meeting_id, name, created_at, updated_at) VALUES ('trk_b', 'mtg_b', 'Skole', ?, ?)`, ts('2019-03-02'), ts('2019-03-02'));
  // A names the shared speaker first.
  const item = (id: string, meetingId: string, trackId: string | null, created: string) => {
    run(
      `INSERT INTO agenda_items (id, meeting_id, track_id, start_time, end_time, title, kind, created_at, updated_at)
       VALUES (?, ?, ?, '10:00', '11:00', 'Oplæg om læring', 'presentation', ?, ?)`,
      id, meetingId, trackId, ts(created), ts(created),
    );
    run(`INSERT INTO item_speakers (item_id, speaker_id, position) VALUES (?, 'spk_delt', 0)`, id);
  };
  item('itm_a', 'mtg_a', null, '2019-03-03');
  item('itm_b', 'mtg_b', 'trk_b', '2019-03-04');
  const itemSnap = (id: string, trackId: string | null) => ({
    id, trackId, startTime: '10:00', endTime: '11:00', title: 'Oplæg om læring', kind: 'presentation' as const, description: '', themes: [], speakers: [speaker],
  });
  const trackSnap = { id: 'trk_b', name: 'Skole', description: '', audience: '', room: null, sortOrder: 0 };
  const release = (id: string, meetingId: string, snap: Snapshot) =>
    run(
      `INSERT INTO releases (id, meeting_id, number, note, created_by, snapshot, changelog, created_at) VALUES (?, ?, 1, 'Første udgave', 'test', ?, ?, ?)`,
      id, meetingId, JSON.stringify(snap), JSON.stringify(diffSnapshots(null, snap)), ts('2019-03-05'),
    );
  release('rel_a', 'mtg_a', snapshot('Møde i net-a', [itemSnap('itm_a', null)]));
  release('rel_b', 'mtg_b', snapshot('Møde i net-b', [itemSnap('itm_b', 'trk_b')], [trackSnap]));
  // One person, registered in both networks, first in A; she proposes in B and votes in both.
  run(
    `INSERT INTO participants (id, name, email, role, municipality_code, feed_token_hash, created_at, updated_at)
     VALUES ('par_aase', 'Åse Ærø', 'aase@odense.dk', 'Pædagogisk konsulent', 461, ?, ?, ?)`,
    hashToken(SECRET), ts('2019-03-01'), ts('2019-03-01'),
  );
  const registration = (id: string, meetingId: string, trackId: string | null, created: string) =>
    run(
      `INSERT INTO registrations (id, meeting_id, participant_id, track_id, status, queued_at, created_at, updated_at)
       VALUES (?, ?, 'par_aase', ?, 'registered', 1, ?, ?)`,
      id, meetingId, trackId, ts(created), ts(created),
    );
  registration('reg_a', 'mtg_a', null, '2019-03-10');
  registration('reg_b', 'mtg_b', 'trk_b', '2019-03-11');
  run(`INSERT INTO theme_proposals (id, network_slug, participant_id, title, created_at, updated_at) VALUES ('prp_b', 'net-b', 'par_aase', 'Sprogvurdering', ?, ?)`, ts('2019-03-12'), ts('2019-03-12'));
  run(`INSERT INTO theme_proposals (id, network_slug, participant_id, title, created_at, updated_at) VALUES ('prp_a', 'net-a', NULL, 'Overgange', ?, ?)`, ts('2019-03-12'), ts('2019-03-12'));
  run(`INSERT INTO proposal_votes (proposal_id, participant_id, created_at) VALUES ('prp_a', 'par_aase', ?), ('prp_b', 'par_aase', ?)`, ts('2019-03-13'), ts('2019-03-13'));
  sqlite.close();
}

t.test('migration 0006 splits shared records per network and loses nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netagenda-m6-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'old.db');
  buildPrevious(file, previousMigrations(dir, PREVIOUS));

  const app = await buildApp(testConfig({ databasePath: file }));
  t.teardown(() => app.close());
  const sql = app.db.$client;
  const all = (q: string, ...args: unknown[]) => sql.prepare(q).all(...args) as Record<string, unknown>[];
  const one = (q: string, ...args: unknown[]) => sql.prepare(q).get(...args) as Record<string, unknown>;

  t.same(all('PRAGMA foreign_key_check'), [], 'no dangling reference');
  t.equal(one('PRAGMA integrity_check').integrity_check, 'ok');
  t.equal(all("SELECT name FROM sqlite_master WHERE name LIKE '\\_m6%' ESCAPE '\\'").length, 0, 'no working tables left');

  // Participants: A registered her first and keeps the id; B gets a copy with the same data and feed secret.
  const people = all('SELECT * FROM participants ORDER BY network_slug');
  t.equal(people.length, 2);
  const [inA, inB] = people as { id: string; network_slug: string; name: string; email: string; feed_token_hash: string; municipality_code: number }[];
  t.equal(inA!.id, 'par_aase');
  t.equal(inA!.network_slug, 'net-a');
  t.equal(inB!.network_slug, 'net-b');
  t.match(inB!.id, /^par_[0-9a-f]{22}$/);
  t.equal(inB!.name, 'Åse Ærø', 'Danish letters survive the copy');
  t.equal(inB!.email, inA!.email);
  t.equal(inB!.municipality_code, 461);
  t.equal(inB!.feed_token_hash, hashToken(SECRET), 'the copy keeps the personal-feed secret');
  t.same(all('SELECT id, participant_id FROM registrations ORDER BY id'), [
    { id: 'reg_a', participant_id: 'par_aase' },
    { id: 'reg_b', participant_id: inB!.id },
  ], 'every registration kept, each with its network’s record');
  t.same(all('SELECT id, participant_id FROM theme_proposals ORDER BY id'), [
    { id: 'prp_a', participant_id: null },
    { id: 'prp_b', participant_id: inB!.id },
  ]);
  t.same(all('SELECT proposal_id, participant_id FROM proposal_votes ORDER BY proposal_id'), [
    { proposal_id: 'prp_a', participant_id: 'par_aase' },
    { proposal_id: 'prp_b', participant_id: inB!.id },
  ], 'every vote kept');

  // Venues: B used it first (as its default venue) and keeps the id; A's meeting gets A's copy.
  const venues = all('SELECT id, network_slug, name, street_address FROM venues ORDER BY id');
  t.equal(venues.length, 4);
  const copyA = venues.find((v) => v.network_slug === 'net-a')!;
  t.match(copyA, { name: 'Odense Rådhus', street_address: 'Flakhaven 2' });
  t.match(venues.find((v) => v.id === 'ven_delt'), { network_slug: 'net-b' });
  t.match(venues.find((v) => v.id === 'ven_forladt_b'), { network_slug: 'net-b' }, 'unused: the network of the token that created it');
  t.match(venues.find((v) => v.id === 'ven_forladt'), { network_slug: null }, 'unused, creator unknown: unassigned (admins only)');
  t.same(all('SELECT id, venue_id FROM meetings ORDER BY id'), [
    { id: 'mtg_a', venue_id: copyA.id },
    { id: 'mtg_b', venue_id: 'ven_delt' },
  ]);
  t.equal(one("SELECT default_venue_id AS v FROM networks WHERE slug = 'net-b'").v, 'ven_delt');

  // Speakers: A named her first and keeps the id; B's item names B's copy.
  const speakers = all('SELECT id, network_slug, email FROM speakers ORDER BY network_slug');
  t.equal(speakers.length, 2);
  t.match(speakers[0], { id: 'spk_delt', network_slug: 'net-a', email: 'aase@kl.dk' });
  const spkB = speakers[1]!.id as string;
  t.match(speakers[1], { network_slug: 'net-b', email: 'aase@kl.dk' });
  t.same(all('SELECT item_id, speaker_id FROM item_speakers ORDER BY item_id'), [
    { item_id: 'itm_a', speaker_id: 'spk_delt' },
    { item_id: 'itm_b', speaker_id: spkB },
  ]);

  // Release snapshots name the network's own records, so nothing looks changed at the next release.
  const snap = (id: string) => JSON.parse(String(one('SELECT snapshot FROM releases WHERE id = ?', id).snapshot)) as Snapshot;
  t.equal(snap('rel_a').meeting.venue?.id, copyA.id);
  t.equal(snap('rel_a').items[0]!.speakers[0]!.id, 'spk_delt');
  t.equal(snap('rel_b').meeting.venue?.id, 'ven_delt');
  t.equal(snap('rel_b').items[0]!.speakers[0]!.id, spkB);

  // Through the API, as each network's coordinator.
  const tokenFor = (slug: string) => {
    const { raw, token } = createToken(app.db, { name: `koordinator ${slug}`, role: 'coordinator' });
    app.db.insert(tokenNetworks).values({ tokenId: token.id, networkSlug: slug }).run();
    return { authorization: `Bearer ${raw}` };
  };
  const a = tokenFor('net-a');
  const b = tokenFor('net-b');
  const admin = { authorization: `Bearer ${createToken(app.db, { name: 'admin', role: 'admin' }).raw}` };
  const get = (url: string, headers: Record<string, string>) => app.inject({ url, headers });

  const listA = (await get('/api/v1/participants', a)).json();
  t.same(listA.data.map((p: { id: string }) => p.id), ['par_aase'], 'A lists only its own record');
  t.same((await get('/api/v1/participants', b)).json().data.map((p: { id: string }) => p.id), [inB!.id]);
  t.equal((await get(`/api/v1/participants/${inB!.id}`, a)).statusCode, 404, 'B’s record does not exist for A');
  const exportA = (await get('/api/v1/participants/par_aase', a)).json();
  t.same(exportA.registrations.map((r: { id: string }) => r.id), ['reg_a']);
  t.same(exportA.votes.map((v: { proposalId: string }) => v.proposalId), ['prp_a']);
  t.same(exportA.proposals, []);
  const exportB = (await get(`/api/v1/participants/${inB!.id}`, b)).json();
  t.same(exportB.registrations.map((r: { id: string }) => r.id), ['reg_b']);
  t.same(exportB.proposals.map((p: { id: string }) => p.id), ['prp_b']);
  const everywhere = (await get('/api/v1/participants/par_aase', admin)).json();
  t.same(everywhere.records.map((r: { networkSlug: string }) => r.networkSlug), ['net-a', 'net-b'], 'an admin sees the person everywhere');
  t.same(everywhere.registrations.map((r: { id: string }) => r.id).sort(), ['reg_a', 'reg_b']);

  t.equal((await get('/api/v1/speakers/spk_delt', b)).json().email, undefined, 'A’s speaker email is hidden from B');
  t.equal((await get('/api/v1/speakers/spk_delt', a)).json().email, 'aase@kl.dk');
  t.equal((await get(`/api/v1/speakers/${spkB}`, b)).json().email, 'aase@kl.dk');
  t.equal((await app.inject({ method: 'PATCH', url: '/api/v1/venues/ven_delt', headers: a, payload: { name: 'Nej' } })).statusCode, 403, 'A cannot rename B’s venue');
  t.equal((await get('/api/v1/meetings/mtg_a', a)).json().venue.id, copyA.id);

  // The personal feed at the old secret still shows both meetings.
  const feed = await app.inject({ url: `/feeds/personal/${SECRET}.ics` });
  t.equal(feed.statusCode, 200);
  t.match(feed.body, /UID:mtg_a@netagenda/);
  t.match(feed.body, /UID:mtg_b@netagenda/);

  // The working agenda equals the (rewritten) release: a new release finds nothing changed, so no subscriber
  // is told of a venue or speaker change that nobody made.
  for (const [meetingId, headers] of [['mtg_a', a], ['mtg_b', b]] as const) {
    const rel = await app.inject({ method: 'POST', url: `/api/v1/meetings/${meetingId}/releases`, headers, payload: { note: 'Efter opgraderingen' } });
    t.equal(rel.statusCode, 409, `${meetingId}: ${rel.body}`);
    t.equal(rel.json().code, 'no-changes', `${meetingId}: the release still matches the agenda`);
  }
});
