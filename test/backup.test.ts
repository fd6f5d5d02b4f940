// The backup CLI (server/cli/backup.ts) run as a real process: a verified copy with the same rows, no
// overwriting without --force, clear failures for a missing, foreign or damaged database, and an online
// backup taken while a real server process is writing.
import t from 'tap';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { closeDatabase, openDatabase } from '../db/client.js';
import { buildApp } from '../server/app.js';
import { createToken } from '../server/auth/tokens.js';
import { testConfig } from '../server/config.js';
import { root, startServer } from './server-process.js';

const NETWORK = 'kl-konsulentnetvaerk-2019-2020'; // the seed network: venues belong to a network

// Each run starts Node with tsx (1–2 s on a busy machine), and one test starts the server.
t.setTimeout(180_000);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function backup(databasePath: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, _TAPJS_PROCESSINFO_COVERAGE_: '0', DATABASE_PATH: databasePath, LOG_LEVEL: 'silent' };
    delete env.PORT;
    delete env.PUBLIC_BASE_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli/backup.ts', ...args], { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function tempDir(tt: { teardown: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'netagenda-backup-'));
  tt.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A database file with the seed network, a token and a few venues created through the API. */
async function makeDatabase(path: string, venues: string[]): Promise<void> {
  const app = await buildApp(testConfig({ databasePath: path, seed: true }));
  try {
    const { raw } = createToken(app.db, { name: 'backup-test', role: 'admin' });
    for (const name of venues) {
      const res = await app.inject({ method: 'POST', url: `/api/v1/networks/${NETWORK}/venues`, payload: { name }, headers: { authorization: `Bearer ${raw}` } });
      if (res.statusCode !== 201) throw new Error(res.body);
    }
  } finally {
    await app.close(); // checkpoints the WAL and closes
  }
}

/** Every row of every table, in a stable order. (Read-write only so that closing removes -wal/-shm.) */
function dump(path: string): Record<string, unknown[]> {
  const db = new Database(path, { fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
    return Object.fromEntries(tables.map((name) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()]));
  } finally {
    db.close();
  }
}

function integrity(path: string): unknown {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('integrity_check', { simple: true });
  } finally {
    db.close();
  }
}

t.test('a verified copy with the same rows, usable as a database', async (t) => {
  const dir = tempDir(t);
  const source = join(dir, 'netagenda.db');
  await makeDatabase(source, ['Odense Congress Center', 'Aarhus Rådhus', 'Kolding Bibliotek']);
  const target = join(dir, 'backups', 'netagenda-copy.db'); // the folder is created

  const run = await backup(source, target);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, `backing up ${source}`);
  t.match(run.stdout, 'verified the copy read-only: integrity_check ok, foreign_key_check ok');
  t.match(run.stdout, /rows: .*venues 4\b/, 'reports rows per table (3 + the seed venue)');
  t.match(run.stdout, `backup written to ${target}`);
  t.same(readdirSync(join(dir, 'backups')), ['netagenda-copy.db'], 'a single self-contained file, nothing left beside it');
  t.same(readdirSync(dir).sort(), ['backups', 'netagenda.db'], 'the backup left no -wal or -shm beside the stopped database');
  t.equal(integrity(target), 'ok');
  t.same(dump(target), dump(source), 'every table holds the same rows');

  // Restore: the copy, put in place of a database, serves the same data.
  mkdirSync(join(dir, 'restored'));
  const restored = join(dir, 'restored', 'netagenda.db');
  copyFileSync(target, restored);
  const app = await buildApp(testConfig({ databasePath: restored }));
  t.teardown(() => app.close());
  const venues = (await app.inject({ url: '/api/v1/venues' })).json() as { data: { name: string; networkSlug: string | null }[] };
  t.same(venues.data.map((v) => v.name).sort(), ['Aarhus Rådhus', 'Kolding Bibliotek', 'Odense', 'Odense Congress Center'].sort());
  t.same([...new Set(venues.data.map((v) => v.networkSlug))], [NETWORK], 'each still belongs to its network');
});

t.test('no overwrite without --force; --force replaces the copy', async (t) => {
  const dir = tempDir(t);
  const source = join(dir, 'netagenda.db');
  await makeDatabase(source, ['Odense']);
  const target = join(dir, 'copy.db');
  t.equal((await backup(source, target)).code, 0);
  const before = readFileSync(target);

  await makeDatabase(source, ['Vejle']); // the database changes
  const again = await backup(source, target);
  t.equal(again.code, 1, 'a second run to the same file fails');
  t.match(again.stderr, `backup failed: ${target} exists; refusing to overwrite it (add --force to replace it)`);
  t.same(readFileSync(target), before, 'the existing copy is untouched');
  t.same(readdirSync(dir).sort(), ['copy.db', 'netagenda.db']);

  const forced = await backup(source, target, '--force');
  t.equal(forced.code, 0, forced.stderr);
  t.same(dump(target), dump(source), 'the replaced copy has the new rows');
  t.same(readdirSync(dir).sort(), ['copy.db', 'netagenda.db']);

  const self = await backup(source, source, '--force');
  t.equal(self.code, 1);
  t.match(self.stderr, 'is the database itself');
});

t.test('clear failures: missing, not a database, damaged, usage', async (t) => {
  const dir = tempDir(t);
  const target = join(dir, 'copy.db');

  const missing = join(dir, 'nowhere', 'netagenda.db');
  const m = await backup(missing, target);
  t.equal(m.code, 1);
  t.match(m.stderr, `backup failed: no database at ${missing} (check DATABASE_PATH)`);
  t.notOk(existsSync(join(dir, 'nowhere')), 'nothing is created at DATABASE_PATH');

  const junk = join(dir, 'junk.db');
  writeFileSync(junk, Buffer.alloc(8192, 'not a database. '));
  const j = await backup(junk, target);
  t.equal(j.code, 1);
  t.match(j.stderr, `backup failed: cannot read ${junk}: file is not a database`);

  // A real database with one table's root page overwritten: SQLite opens it, the copy fails verification.
  const damaged = join(dir, 'damaged.db');
  await makeDatabase(damaged, ['Odense', 'Aarhus']);
  const probe = new Database(damaged, { readonly: true });
  const rootPage = probe.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'venues'").pluck().get() as number;
  const pageSize = probe.pragma('page_size', { simple: true }) as number;
  probe.close();
  const fd = openSync(damaged, 'r+');
  writeSync(fd, Buffer.alloc(64, 0xab), 0, 64, (rootPage - 1) * pageSize);
  closeSync(fd);
  const d = await backup(damaged, target);
  t.equal(d.code, 1, d.stdout);
  t.match(d.stderr, /backup failed: (the copy failed verification|integrity_check failed)/);

  const memory = await backup(':memory:', target);
  t.equal(memory.code, 1);
  t.match(memory.stderr, 'DATABASE_PATH is :memory:');

  const usage = await backup(junk);
  t.equal(usage.code, 2);
  t.match(usage.stderr, 'usage: npm run backup -- FILE [--force]');

  t.same(readdirSync(dir).sort(), ['damaged.db', 'junk.db'], 'no copy and no partial file left behind by any failure');
});

// ---- an online backup while a real server process writes ----


function request(port: number, method: string, path: string, opts: { body?: unknown; token?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const headers: http.OutgoingHttpHeaders = {};
    if (payload !== undefined) headers['content-type'] = 'application/json';
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}


t.test('online: a consistent copy while the server keeps writing', async (t) => {
  const dir = tempDir(t);
  const source = join(dir, 'netagenda.db');
  const setup = openDatabase(source);
  const { raw: token } = createToken(setup, { name: 'backup-online', role: 'admin' });
  closeDatabase(setup);
  const server = await startServer(t, source);

  const acked: { id: string; at: number }[] = [];
  let stop = false;
  const errors: string[] = [];
  const writer = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const res = await request(server.port, 'POST', `/api/v1/networks/${NETWORK}/venues`, { body: { name: `online w${w} #${i} ${randomUUID()}` }, token }).catch(
        (err: unknown) => ({ status: 0, body: String(err) }),
      );
      if (res.status === 201) acked.push({ id: (JSON.parse(res.body) as { id: string }).id, at: performance.now() });
      else errors.push(`${res.status} ${res.body}`);
    }
  };
  const writers = [0, 1, 2].map(writer);
  while (acked.length < 10 && errors.length === 0) await new Promise((r) => setTimeout(r, 20));
  const backupStarted = performance.now();
  const target = join(dir, 'online-copy.db');
  const run = await backup(source, target);
  const during = acked.length;
  stop = true;
  await Promise.all(writers);
  t.same(errors, [], 'the server kept answering writes during the backup');
  t.equal(run.code, 0, run.stderr);
  t.ok(acked.filter((a) => a.at > backupStarted).length > 0, `writes were acknowledged while the backup ran (${during} in all by its end)`);
  t.equal(integrity(target), 'ok', 'the online copy passes integrity_check');

  const copy = new Database(target, { readonly: true });
  const ids = new Set(copy.prepare('SELECT id FROM venues').pluck().all() as string[]);
  copy.close();
  const before = acked.filter((a) => a.at < backupStarted);
  t.same(before.filter((a) => !ids.has(a.id)), [], `all ${before.length} writes acknowledged before the backup began are in the copy`);
  t.ok(ids.size <= acked.length + 1, 'the copy holds no more than the acknowledged writes (and the seed venue)');

  server.child.kill('SIGTERM');
  t.same(await server.exited, { code: 0, signal: null }, `the server still shuts down cleanly ${server.output()}`);
});
