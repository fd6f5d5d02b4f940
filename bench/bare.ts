// The bare limits `npm run bench` compares the app against, each run in a process of its own (forked by
// bench/lib.ts with the role as argument), with no hooks and no plugins:
// - `feed`: the app's feed route path, answering the exact status, headers and bytes the app sent for the
//   same request headers: 200, or 304 when If-None-Match is the feed's ETag;
// - `update`: the app's item route path, doing one durable SQLite UPDATE per request on a table of similar
//   size, with the app's pragmas (WAL, synchronous=FULL, foreign_keys ON, busy_timeout).
// The parent sends the setup once the child says hello, and gets `{ url, … }` back once it listens.
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import Fastify, { type FastifyInstance } from 'fastify';
import type { FeedSetup, UpdateSetup } from './lib.js';

function headerObject(pairs: [string, string][]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of pairs) {
    const key = k.toLowerCase();
    out[key] = out[key] === undefined ? v : `${out[key]}, ${v}`;
  }
  return out;
}

function feedServer(setup: FeedSetup): FastifyInstance {
  const app = Fastify();
  const fullHeaders = headerObject(setup.full.headers);
  const body = Buffer.from(setup.full.body, 'base64');
  const notModifiedHeaders = headerObject(setup.notModified.headers);
  app.get(setup.route, (req, reply) => {
    if (req.headers['if-none-match'] === setup.etag) reply.code(setup.notModified.status).headers(notModifiedHeaders).send();
    else reply.code(setup.full.status).headers(fullHeaders).send(body);
  });
  return app;
}

function updateServer(setup: UpdateSetup): { app: FastifyInstance; ids: string[]; close: () => void } {
  rmSync(setup.databasePath, { force: true });
  const db = new Database(setup.databasePath);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Shaped like the app's agenda items (a row of the same width), filled in one transaction.
  db.exec(`CREATE TABLE items (
    id TEXT PRIMARY KEY, meeting_id TEXT NOT NULL, track_id TEXT, start_time TEXT NOT NULL, end_time TEXT NOT NULL,
    title TEXT NOT NULL, kind TEXT NOT NULL, description TEXT NOT NULL DEFAULT '', version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`);
  const insert = db.prepare(
    'INSERT INTO items (id, meeting_id, track_id, start_time, end_time, title, kind, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const ids: string[] = [];
  const now = new Date().toISOString();
  db.transaction(() => {
    for (let i = 0; i < setup.rows; i++) {
      const id = `itm_${String(i).padStart(8, '0')}`;
      ids.push(id);
      insert.run(id, `mtg_${Math.floor(i / 30)}`, i % 3 === 0 ? null : `trk_${i % 3}`, '10:00', '10:15', `Punkt ${i}`, 'presentation', 'Et punkt på dagsordenen.', now, now);
    }
  })();
  const update = db.prepare('UPDATE items SET title = ?, version = version + 1, updated_at = ? WHERE id = ?');
  const app = Fastify();
  app.patch<{ Params: { id: string }; Body: { title: string } }>('/api/v1/items/:id', (req, reply) => {
    const changed = update.run(req.body.title, new Date().toISOString(), req.params.id).changes;
    if (changed === 0) reply.code(404).send({ code: 'not-found' });
    else reply.send({ id: req.params.id, title: req.body.title });
  });
  return { app, ids: ids.slice(0, 30), close: () => db.close() };
}

async function main(): Promise<void> {
  const role = process.argv[2];
  const setup = await new Promise<FeedSetup & UpdateSetup>((ok) => {
    process.once('message', (m) => ok(m as FeedSetup & UpdateSetup));
    process.send!({ hello: true });
  });
  let close = () => {};
  let app: FastifyInstance;
  let extra: Record<string, unknown> = {};
  if (role === 'feed') app = feedServer(setup);
  else if (role === 'update') {
    const built = updateServer(setup);
    app = built.app;
    close = built.close;
    extra = { ids: built.ids };
  } else throw new Error(`unknown bare server role ${role}`);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  process.send!({ url, ...extra });
  process.once('disconnect', () => {
    void app.close().finally(() => {
      close();
      process.exit(0);
    });
  });
}

await main();
