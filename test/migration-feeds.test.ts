// Migration 0007 (feeds published on write, per-feed history) on a database built with the previous schema
// (migrations 0000–0006) and feed events as the previous release stored them: live events, a removed item
// and a deleted meeting announced as cancelled inside their 30 days, a cancelled meeting, and a cancellation
// older than 30 days. After the upgrade every feed shows the same UIDs with no lower SEQUENCE.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { getTableConfig } from 'drizzle-orm/sqlite-core';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import ICAL from 'ical.js';
import t from 'tap';
import { registerAuditFunctions } from '../db/audit-context.js';
import type { Db } from '../db/client.js';
import * as schema from '../db/schema.js';
import { buildApp } from '../server/app.js';
import { hashToken } from '../server/auth/tokens.js';
import { testConfig } from '../server/config.js';
import { desiredEvents } from '../server/feeds/feed-content.js';
import { planSync } from '../server/feeds/feed-events.js';
import { publishedAgenda } from '../server/releases/published.js';
import { diffSnapshots } from '../server/releases/release-diff.js';
import type { Snapshot } from '../server/releases/snapshot.js';
import { previousMigrations } from './previous-schema.js';

const PREVIOUS = 7; // migrations 0000–0006: feeds were built when polled


const SECRET = 'personligFeedHemmelighed_0123456789abc';
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const OLD_COLUMNS = ['uid', 'kind', 'network_slug', 'meeting_id', 'item_id', 'track_id', 'theme_keys', 'sequence', 'fingerprint', 'content', 'created_at', 'last_modified', 'cancelled_at'] as const;

/**
 * Today's code reads columns added to meetings and networks since the previous schema (e.g. migration 0010's
 * meetings.series_number, networks.default_template): while it runs on the previous schema, temporary views
 * (which SQLite resolves before the tables of the same name) show them as NULL.
 */
function withLaterColumns<T>(sqlite: Database.Database, fn: () => T): T {
  const views: string[] = [];
  for (const table of [schema.meetings, schema.networks]) {
    const { name, columns } = getTableConfig(table);
    const have = new Set((sqlite.prepare(`PRAGMA main.table_info(${name})`).all() as { name: string }[]).map((c) => c.name));
    const missing = columns.map((c) => c.name).filter((c) => !have.has(c));
    if (missing.length === 0) continue;
    sqlite.exec(`CREATE TEMP VIEW ${name} AS SELECT *, ${missing.map((c) => `NULL AS ${c}`).join(', ')} FROM main.${name}`);
    views.push(name);
  }
  try {
    return fn();
  } finally {
    for (const v of views) sqlite.exec(`DROP VIEW temp.${v}`);
  }
}

/** What the previous release's poll-time sync wrote: the same plan, in the columns it had. */
function previousSync(sqlite: Database.Database, slug: string, at: number): void {
  const db = drizzle(sqlite, { schema }) as unknown as Db;
  const ids = (sqlite.prepare('SELECT id FROM meetings WHERE network_slug = ?').all(slug) as { id: string }[]).map((m) => m.id);
  const desired = withLaterColumns(sqlite, () =>
    ids.flatMap((id) => {
      const p = publishedAgenda(db, id);
      return p ? desiredEvents(p) : [];
    }),
  );
  // The previous schema's columns, read as the row type with the new columns at their defaults.
  const existing = (sqlite.prepare(`SELECT ${OLD_COLUMNS.join(', ')} FROM feed_events WHERE network_slug = ?`).all(slug) as Record<string, unknown>[]).map(
    (r): schema.FeedEventRow => ({
      ...(Object.fromEntries(OLD_COLUMNS.map((c) => [c.replace(/_(\w)/g, (_, x: string) => x.toUpperCase()), r[c]])) as Pick<schema.FeedEventRow, 'uid'>),
      published: 1,
      scoped: 0,
      sortKey: '',
      tzid: null,
      icsLive: null,
      icsCancelled: null,
    }) as schema.FeedEventRow,
  );
  for (const c of planSync(existing, desired, iso(at))) {
    if ('insert' in c) {
      const row = c.insert as unknown as Record<string, unknown>;
      const values = [row.uid, row.kind, row.networkSlug, row.meetingId, row.itemId, row.trackId, row.themeKeys, row.sequence, row.fingerprint, row.content, row.createdAt, row.lastModified, row.cancelledAt];
      sqlite.prepare(`INSERT INTO feed_events (${OLD_COLUMNS.join(', ')}) VALUES (${OLD_COLUMNS.map(() => '?').join(', ')})`).run(...values);
    } else {
      const { sequence, fingerprint, content, lastModified, cancelledAt, trackId, themeKeys } = c.set;
      sqlite
        .prepare(
          `UPDATE feed_events SET sequence = coalesce(?, sequence), fingerprint = coalesce(?, fingerprint), content = coalesce(?, content),
           last_modified = coalesce(?, last_modified), cancelled_at = ?, track_id = ?, theme_keys = coalesce(?, theme_keys) WHERE uid = ?`,
        )
        .run(sequence ?? null, fingerprint ?? null, content ?? null, lastModified ?? null, cancelledAt === undefined ? existing.find((e) => e.uid === c.update)!.cancelledAt : cancelledAt, trackId === undefined ? existing.find((e) => e.uid === c.update)!.trackId : trackId, themeKeys ?? null, c.update);
    }
  }
}

interface OldRow {
  uid: string;
  sequence: number;
  kind: string;
  track_id: string | null;
  theme_keys: string;
  cancelled_at: string | null;
  last_modified: string;
}

function buildPrevious(file: string, folder: string, now: number): OldRow[] {
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  registerAuditFunctions(sqlite);
  migrate(drizzle(sqlite), { migrationsFolder: folder });
  const run = (sql: string, ...args: unknown[]) => sqlite.prepare(sql).run(...args);
  const ts = iso(now - 60 * DAY);
  run(`INSERT INTO networks (slug, name, organiser_name, created_at, updated_at) VALUES ('net', 'Konsulentnetværket', 'KL', ?, ?)`, ts, ts);
  run(`INSERT INTO themes (id, network_slug, key, name, created_at, updated_at) VALUES ('thm_1', 'net', 'aktuelt', 'Aktuelt på området', ?, ?)`, ts, ts);
  run(`INSERT INTO venues (id, network_slug, name, city, created_at, updated_at) VALUES ('ven_1', 'net', 'Odense Rådhus', 'Odense C', ?, ?)`, ts, ts);
  const meeting = (id: string, date: string) =>
    run(
      `INSERT INTO meetings (id, network_slug, title, date, start_time, end_time, time_zone, venue_id, status, created_at, updated_at)
       VALUES (?, 'net', ?, ?, '10:00', '16:00', 'Europe/Copenhagen', 'ven_1', 'announced', ?, ?)`,
      id, `Netværksmøde ${date}`, date, ts, ts,
    );
  meeting('mtg_1', '2030-09-11');
  meeting('mtg_2', '2030-10-27'); // the day the clocks go back
  meeting('mtg_3', '2031-01-16');
  const tracks: Snapshot['tracks'] = [
    { id: 'trk_a', name: 'Dagtilbud', description: '', audience: '', room: 'Lokale 1', sortOrder: 0 },
    { id: 'trk_b', name: 'Skole', description: '', audience: '', room: 'Lokale 2', sortOrder: 1 },
  ];
  for (const tr of tracks) run(`INSERT INTO tracks (id, meeting_id, name, room, sort_order, created_at, updated_at) VALUES (?, 'mtg_1', ?, ?, ?, ?, ?)`, tr.id, tr.name, tr.room, tr.sortOrder, ts, ts);
  const theme = { id: 'thm_1', key: 'aktuelt', name: 'Aktuelt på området' };
  const item = (id: string, trackId: string | null, start: string, end: string, title: string, themed = false): Snapshot['items'][number] => ({
    id, trackId, startTime: start, endTime: end, title, kind: 'presentation', description: '', themes: themed ? [theme] : [], speakers: [],
  });
  const all = [
    item('itm_velkomst', null, '10:00', '10:30', 'Velkomst'),
    item('itm_a', 'trk_a', '10:30', '12:00', 'Læring i dagtilbud', true),
    item('itm_b', 'trk_b', '10:30', '12:00', 'Trivsel i skolen', true),
    item('itm_fjernet', 'trk_a', '13:00', '14:00', 'Sprogvurdering', true),
  ];
  const release = (n: number, items: Snapshot['items'], at: number) => {
    const snap: Snapshot = {
      meeting: { title: 'Netværksmøde 2030-09-11', date: '2030-09-11', startTime: '10:00', endTime: '16:00', timeZone: 'Europe/Copenhagen', status: 'announced', description: '', venue: null },
      tracks,
      items,
    };
    run(
      `INSERT INTO releases (id, meeting_id, number, note, created_by, snapshot, changelog, created_at) VALUES (?, 'mtg_1', ?, '', 'test', ?, ?, ?)`,
      `rel_${n}`, n, JSON.stringify(snap), JSON.stringify(diffSnapshots(null, snap)), iso(at),
    );
  };
  run(
    `INSERT INTO participants (id, network_slug, name, email, role, feed_token_hash, created_at, updated_at) VALUES ('par_1', 'net', 'Åse Ærø', 'aase@odense.dk', '', ?, ?, ?)`,
    hashToken(SECRET), ts, ts,
  );
  run(`INSERT INTO registrations (id, meeting_id, participant_id, track_id, status, queued_at, created_at, updated_at) VALUES ('reg_1', 'mtg_1', 'par_1', 'trk_a', 'registered', 1, ?, ?)`, ts, ts);

  // 50 days ago: the first release, polled. A fourth meeting, deleted 40 days ago (its cancellation has run out).
  release(1, all, now - 50 * DAY);
  meeting('mtg_4', '2030-05-01');
  previousSync(sqlite, 'net', now - 50 * DAY);
  run(`DELETE FROM meetings WHERE id = 'mtg_4'`);
  previousSync(sqlite, 'net', now - 40 * DAY);
  // 5 days ago: an item removed by a second release, a meeting cancelled, another deleted, polled again.
  release(2, all.filter((i) => i.id !== 'itm_fjernet'), now - 5 * DAY);
  run(`UPDATE meetings SET status = 'cancelled' WHERE id = 'mtg_3'`);
  run(`DELETE FROM meetings WHERE id = 'mtg_2'`);
  previousSync(sqlite, 'net', now - 5 * DAY);
  const rows = sqlite.prepare('SELECT uid, sequence, kind, track_id, theme_keys, cancelled_at, last_modified FROM feed_events').all() as OldRow[];
  sqlite.close();
  return rows;
}

function events(body: string) {
  const cal = new ICAL.Component(ICAL.parse(body));
  return new Map(
    cal.getAllSubcomponents('vevent').map((ve) => {
      const ev = new ICAL.Event(ve);
      return [ev.uid, { sequence: ev.sequence, status: String(ve.getFirstPropertyValue('status')), start: ev.startDate.toJSDate().toISOString() }] as const;
    }),
  );
}

t.test('migration 0007 keeps every UID and SEQUENCE, and the cancellations in flight', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netagenda-m7-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'old.db');
  const now = Date.now();
  const old = buildPrevious(file, previousMigrations(dir, PREVIOUS), now);
  const oldByUid = new Map(old.map((r) => [r.uid, r]));
  t.equal(oldByUid.get('mtg_4@netagenda')?.cancelled_at !== null, true, 'the old database holds an expired cancellation');
  t.equal(oldByUid.get('itm_fjernet@netagenda')?.cancelled_at !== null, true, 'and a recent one');

  const app = await buildApp(testConfig({ databasePath: file }));
  t.teardown(() => app.close());
  const get = async (url: string) => {
    const res = await app.inject({ url });
    t.equal(res.statusCode, 200, url);
    return events(res.body);
  };
  const feeds = {
    network: await get('/feeds/networks/net.ics'),
    meeting: await get('/feeds/meetings/mtg_1.ics?items=1'),
    trackA: await get('/feeds/tracks/trk_a.ics'),
    trackB: await get('/feeds/tracks/trk_b.ics'),
    theme: await get('/feeds/networks/net/themes/aktuelt.ics'),
    deleted: await get('/feeds/meetings/mtg_2.ics'),
    personal: await get(`/feeds/personal/${SECRET}.ics`),
  };
  // Which feed shows what (uid → expected status), from where each event sat before the upgrade.
  const expected: Record<keyof typeof feeds, Record<string, string>> = {
    network: { 'mtg_1@netagenda': 'CONFIRMED', 'mtg_2@netagenda': 'CANCELLED', 'mtg_3@netagenda': 'CANCELLED' },
    meeting: {
      'mtg_1@netagenda': 'CONFIRMED',
      'itm_velkomst@netagenda': 'CONFIRMED',
      'itm_a@netagenda': 'CONFIRMED',
      'itm_b@netagenda': 'CONFIRMED',
      'itm_fjernet@netagenda': 'CANCELLED',
    },
    trackA: { 'itm_velkomst@netagenda': 'CONFIRMED', 'itm_a@netagenda': 'CONFIRMED', 'itm_fjernet@netagenda': 'CANCELLED' },
    trackB: { 'itm_velkomst@netagenda': 'CONFIRMED', 'itm_b@netagenda': 'CONFIRMED' },
    theme: { 'itm_a@netagenda': 'CONFIRMED', 'itm_b@netagenda': 'CONFIRMED', 'itm_fjernet@netagenda': 'CANCELLED' },
    deleted: { 'mtg_2@netagenda': 'CANCELLED' },
    personal: {
      'mtg_1@netagenda': 'CONFIRMED',
      'itm_velkomst@netagenda': 'CONFIRMED',
      'itm_a@netagenda': 'CONFIRMED',
      'itm_fjernet@netagenda': 'CANCELLED',
    },
  };
  for (const [name, want] of Object.entries(expected) as [keyof typeof feeds, Record<string, string>][]) {
    const got = feeds[name];
    t.same([...got.keys()].sort(), Object.keys(want).sort(), `${name}: the same UIDs`);
    for (const [uid, status] of Object.entries(want)) {
      t.equal(got.get(uid)?.status, status, `${name}: ${uid} ${status}`);
      t.equal(got.get(uid)?.sequence, oldByUid.get(uid)!.sequence, `${name}: ${uid} keeps SEQUENCE ${oldByUid.get(uid)!.sequence}`);
    }
  }
  t.notOk(feeds.network.has('mtg_4@netagenda'), 'a cancellation older than 30 days stays out');
  t.equal(feeds.meeting.get('itm_a@netagenda')?.start, '2030-09-11T08:30:00.000Z', 'the instant is unchanged');

  // Afterwards the feeds go on from there: a change raises SEQUENCE above the old one.
  app.db.$client.prepare("UPDATE meetings SET title = 'Netværksmøde i Odense' WHERE id = 'mtg_1'").run();
  app.feeds.publisher.drain();
  const after = await get('/feeds/networks/net.ics');
  t.equal(after.get('mtg_1@netagenda')?.sequence, oldByUid.get('mtg_1@netagenda')!.sequence + 1);
  const second = await get('/feeds/tracks/trk_a.ics');
  t.equal(second.get('itm_fjernet@netagenda')?.sequence, oldByUid.get('itm_fjernet@netagenda')!.sequence, 'a cancellation in flight keeps its SEQUENCE');
});
