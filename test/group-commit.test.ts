// Group commit: writes that arrive together share one durable commit, each keeps its own outcome and its
// own writer, and no success is acknowledged for a write whose commit failed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditContext, registerAuditFunctions } from '../db/audit-context.js';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import t, { type Test } from 'tap';
import { groupCommit, WriteNotSaved } from '../db/group-commit.js';
import { AppError } from '../server/http/errors.js';
import { registerProblemHandlers } from '../server/http/problem.js';
import { groupCommitPlugin } from '../server/http/group-commit.plugin.js';
import { createToken } from '../server/auth/tokens.js';
import { makeApp, ok, problem } from './helpers.js';

/** A file database (commits are counted by a second connection) and that second connection. */
function files(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'netagenda-gc-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'db.sqlite');
  const open = () => {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    t.teardown(() => db.close());
    return db;
  };
  return { path, open };
}

/**
 * Commits in the database's write-ahead log: frames that end a transaction (their "database size after
 * commit" is set) and belong to the log's current generation (their salts match its header).
 */
function walCommits(path: string): number {
  const wal = readFileSync(`${path}-wal`);
  if (wal.length < 32) return 0;
  const pageSize = wal.readUInt32BE(8);
  const salt = [wal.readUInt32BE(16), wal.readUInt32BE(20)];
  let commits = 0;
  for (let off = 32; off + 24 + pageSize <= wal.length; off += 24 + pageSize) {
    if (wal.readUInt32BE(off + 8) !== salt[0] || wal.readUInt32BE(off + 12) !== salt[1]) break;
    if (wal.readUInt32BE(off + 4) !== 0) commits++;
  }
  return commits;
}

t.test('writes queued in one turn share one transaction; each keeps its own value or error', async (t) => {
  const f = files(t);
  const db = f.open();
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)');
  const insert = db.prepare('INSERT INTO notes (text) VALUES (?)');
  const gc = groupCommit(db);
  const inTx: boolean[] = [];
  const jobs = ['én', 'to', 'tre', 'én', 'fire'].map((text) =>
    gc.run(() => {
      inTx.push(db.inTransaction);
      // Each write's own transaction nests as a savepoint: the duplicate rolls back alone.
      return db.transaction(() => Number(insert.run(text).lastInsertRowid)).immediate();
    }),
  );
  const values = await Promise.allSettled(jobs.map((j) => j.value));
  const committed = await Promise.allSettled(jobs.map((j) => j.committed));
  t.same(inTx, [true, true, true, true, true], 'all five ran inside the shared transaction');
  t.same(values.map((v) => v.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  t.match((values[3] as PromiseRejectedResult).reason, { code: 'SQLITE_CONSTRAINT_UNIQUE' });
  t.same(committed.map((c) => c.status), ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
  t.same(db.prepare('SELECT text FROM notes ORDER BY id').pluck().all(), ['én', 'to', 'tre', 'fire']);
  t.equal(db.inTransaction, false);
});

t.test('one commit per batch in the log; nothing visible to another connection before it', async (t) => {
  const f = files(t);
  const db = f.open();
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)');
  const observer = f.open();
  const count = () => Number(observer.prepare('SELECT count(*) FROM notes').pluck().get());
  const insert = db.prepare('INSERT INTO notes (text) VALUES (?)');
  const gc = groupCommit(db);
  const before = walCommits(f.path);
  const first = Array.from({ length: 10 }, (_, i) => gc.run(() => insert.run(`a${i}`)));
  t.equal(count(), 0, 'nothing is visible before the batch runs');
  await Promise.all(first.map((j) => j.committed));
  t.equal(walCommits(f.path) - before, 1, 'ten writes, one commit');
  t.equal(count(), 10, 'all ten are visible once committed');
  await gc.run(() => insert.run('b')).committed;
  t.equal(walCommits(f.path) - before, 2, 'a write after the batch gets a commit of its own');
  t.equal(count(), 11);
});

t.test('more writes than a batch holds go out in several commits, in order', async (t) => {
  const f = files(t);
  const db = f.open();
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
  const insert = db.prepare('INSERT INTO notes (n) VALUES (?)');
  const gc = groupCommit(db, { maxBatch: 3 });
  const before = walCommits(f.path);
  const jobs = Array.from({ length: 8 }, (_, n) => gc.run(() => (insert.run(n), n)));
  t.same(await Promise.all(jobs.map((j) => j.value)), [0, 1, 2, 3, 4, 5, 6, 7]);
  await Promise.all(jobs.map((j) => j.committed));
  t.equal(walCommits(f.path) - before, 3, 'batches of 3, 3 and 2');
  t.same(db.prepare('SELECT n FROM notes ORDER BY id').pluck().all(), [0, 1, 2, 3, 4, 5, 6, 7]);
});

t.test('a write that ends the transaction under the others: theirs are reported not saved, later ones run anew', async (t) => {
  const f = files(t);
  const db = f.open();
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO notes (text) VALUES (?)');
  const gc = groupCommit(db);
  const a = gc.run(() => insert.run('a'));
  const breaker = gc.run(() => {
    insert.run('b');
    db.exec('ROLLBACK'); // what SQLite does itself on a full disk or an I/O error
  });
  const c = gc.run(() => insert.run('c'));
  const [ra, rb, rc] = await Promise.allSettled([a.committed, breaker.committed, c.committed]);
  t.equal(ra.status, 'rejected');
  t.ok((ra as PromiseRejectedResult).reason instanceof WriteNotSaved, 'the first write learns it was not saved');
  t.equal(rb.status, 'rejected');
  t.equal(rc.status, 'fulfilled', 'the write after it ran in a batch of its own');
  t.same(db.prepare('SELECT text FROM notes ORDER BY id').pluck().all(), ['c']);
});

t.test('a commit that fails (a deferred foreign key) saves nothing and says so to every write in it', async (t) => {
  const f = files(t);
  const db = f.open();
  db.exec(`CREATE TABLE parents (id INTEGER PRIMARY KEY);
    CREATE TABLE children (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES parents(id) DEFERRABLE INITIALLY DEFERRED)`);
  const gc = groupCommit(db);
  const ok1 = gc.run(() => db.prepare('INSERT INTO parents (id) VALUES (1)').run());
  const orphan = gc.run(() => db.prepare('INSERT INTO children (parent) VALUES (99)').run());
  const results = await Promise.allSettled([ok1.committed, orphan.committed]);
  t.same(results.map((r) => r.status), ['rejected', 'rejected']);
  t.match((results[0] as PromiseRejectedResult).reason, { name: 'Error', message: /not saved.*FOREIGN KEY/ });
  t.equal(db.inTransaction, false, 'the failed transaction is rolled back');
  t.equal(db.prepare('SELECT count(*) FROM parents').pluck().get(), 0);
  const next = gc.run(() => db.prepare('INSERT INTO parents (id) VALUES (2)').run());
  await next.committed;
  t.equal(db.prepare('SELECT count(*) FROM parents').pluck().get(), 1, 'the next batch commits normally');
});

t.test('each write of a batch runs as its own writer, and the slot is empty between and after them', async (t) => {
  const f = files(t);
  const db = f.open();
  registerAuditFunctions(db);
  const gc = groupCommit(db);
  const actor = db.prepare('SELECT audit_actor()').pluck();
  const jobs = ['Aarhus', 'Ærø', 'Odense', null].map((name) =>
    gc.run(() => (name === null ? actor.get() : auditContext.run({ name, tokenId: null }, () => actor.get()))),
  );
  t.same(await Promise.all(jobs.map((j) => j.value)), ['Aarhus', 'Ærø', 'Odense', 'system']);
  t.equal(auditContext.current(), undefined, 'nobody is writing once the batch is done');
  t.equal(actor.get(), 'system');
});

t.test('a response waits for its commit; a success whose commit failed becomes 503 write-not-saved', async (t) => {
  const f = files(t);
  const db = f.open();
  db.exec(`CREATE TABLE parents (id INTEGER PRIMARY KEY);
    CREATE TABLE children (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES parents(id) DEFERRABLE INITIALLY DEFERRED)`);
  const app = Fastify();
  t.teardown(() => app.close());
  app.decorate('db', { $client: db } as never);
  registerProblemHandlers(app);
  await app.register(groupCommitPlugin);
  // Sends its answer from inside the handler, before the batch has committed.
  app.post<{ Body: { parent: number } }>('/children', (req, reply) => {
    const { lastInsertRowid } = db.prepare('INSERT INTO children (parent) VALUES (?)').run(req.body.parent);
    void reply.code(201).send({ id: Number(lastInsertRowid) });
  });
  app.post<{ Body: { id: number } }>('/parents', (req) => {
    db.prepare('INSERT INTO parents (id) VALUES (?)').run(req.body.id);
    return { id: req.body.id };
  });
  app.post('/refuse', () => {
    throw new AppError(409, 'constraint-violation', 'Conflict', 'no');
  });
  // A write handler that could await would let its writes escape the shared transaction: refused.
  t.throws(() => app.post('/later', async () => ({})), /must be synchronous/);
  const okRes = await app.inject({ method: 'POST', url: '/parents', payload: { id: 1 } });
  t.equal(okRes.statusCode, 200);
  const child = await app.inject({ method: 'POST', url: '/children', payload: { parent: 1 } });
  t.equal(child.statusCode, 201);
  // Same turn: a good parent, an orphan child (its commit fails for all), and a refusal.
  const [parent, orphan, refused] = await Promise.all([
    app.inject({ method: 'POST', url: '/parents', payload: { id: 2 } }),
    app.inject({ method: 'POST', url: '/children', payload: { parent: 99 } }),
    app.inject({ method: 'POST', url: '/refuse' }),
  ]);
  t.equal(parent.statusCode, 503);
  t.equal(parent.json().code, 'write-not-saved');
  t.equal(orphan.statusCode, 503, 'the answer sent from inside the handler was held back');
  t.equal(orphan.json().code, 'write-not-saved');
  t.equal(refused.statusCode, 409, 'a refusal stays what it was');
  t.same(db.prepare('SELECT id FROM parents ORDER BY id').pluck().all(), [1]);
  t.same(db.prepare('SELECT parent FROM children').pluck().all(), [1]);
});

t.test('concurrent API writes: each attributed to its own token in the audit trail, fewer commits than writes', async (t) => {
  const f = files(t);
  const { app, as } = await makeApp(t, { databasePath: f.path });
  app.db.$client.pragma('wal_autocheckpoint = 0');
  const observer = f.open();
  const network = ok(t, await as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'gc-net', name: 'Gruppe-commit' } }), 201);
  const meeting = ok(
    t,
    await as({
      method: 'POST',
      url: `/api/v1/networks/${network.slug}/meetings`,
      payload: { title: 'Møde i Odense', date: '2030-03-06', startTime: '09:00', endTime: '15:00', timeZone: 'Europe/Copenhagen' },
    }),
    201,
  );
  const writers = ['Åse', 'Søren', 'Birgit'].map((name) => ({ name, raw: createToken(app.db, { name, role: 'admin' }).raw }));
  const before = walCommits(f.path);
  const responses = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/meetings/${meeting.id}/items`,
        headers: { authorization: `Bearer ${writers[i % 3]!.raw}` },
        payload: { startTime: `${String(9 + Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}`, endTime: `${String(9 + Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '45' : '15'}`, title: `Punkt ${i} – æøå`, kind: 'presentation' },
      }),
    ),
  );
  t.same(responses.map((r) => r.statusCode), Array(12).fill(201), 'all twelve created');
  const commits = walCommits(f.path) - before;
  t.ok(commits >= 1 && commits < 12, `twelve writes in ${commits} commits`);
  const audit = observer
    .prepare("SELECT actor, json_extract(after, '$.title') AS title FROM audit_log WHERE entity = 'item' AND action = 'create' ORDER BY id")
    .all() as { actor: string; title: string }[];
  t.equal(audit.length, 12);
  for (const row of audit) {
    const i = Number(/Punkt (\d+)/.exec(row.title)![1]);
    t.equal(row.actor, writers[i % 3]!.name, `item ${i} is attributed to its own writer`);
  }
  // A bad write among them changes nothing and gets its own answer.
  const [good, bad] = await Promise.all([
    app.inject({ method: 'PATCH', url: `/api/v1/items/${responses[0]!.json().id}`, headers: { authorization: `Bearer ${writers[0]!.raw}` }, payload: { title: 'Ny titel' } }),
    app.inject({ method: 'PATCH', url: `/api/v1/items/${responses[1]!.json().id}`, headers: { authorization: `Bearer ${writers[1]!.raw}` }, payload: { startTime: '16:00', endTime: '17:00' } }),
  ]);
  t.equal(ok(t, good).title, 'Ny titel');
  problem(t, bad, 409, 'item-outside-meeting');
  t.equal(observer.prepare('SELECT start_time FROM agenda_items WHERE id = ?').pluck().get(responses[1]!.json().id), '09:30');
});
