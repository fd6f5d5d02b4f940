// `npm run backup -- FILE [--force]`: a consistent online copy of the database at DATABASE_PATH, safe while
// the server runs (SQLite's online backup API reads one snapshot; WAL lets the server keep writing).
// The copy is written to a temporary file next to FILE, verified (integrity_check, foreign_key_check) on a
// read-only connection and only then renamed to FILE, so FILE never holds an unverified copy.
// Exit codes: 0 done, 1 failed (nothing left behind), 2 usage.
import { existsSync, mkdirSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { loadConfig } from '../config.js';

class BackupError extends Error {}

const usage = 'usage: npm run backup -- FILE [--force]   (copies the database at DATABASE_PATH to FILE)';

function parse(): { target: string; force: boolean } {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { force: { type: 'boolean', default: false } } });
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${usage}\n`);
    process.exit(2);
  }
  const [target, ...rest] = parsed.positionals;
  if (!target || rest.length > 0) {
    process.stderr.write(`expected exactly one FILE\n${usage}\n`);
    process.exit(2);
  }
  return { target: resolve(target), force: parsed.values.force === true };
}

const companions = (file: string) => [file, `${file}-journal`, `${file}-wal`, `${file}-shm`];

/** Opens FILE read-only and returns row counts per table; throws unless both checks pass. */
function verify(file: string): { tables: [string, number][] } {
  try {
    return checks(file);
  } catch (err) {
    if (err instanceof BackupError) throw err;
    throw new BackupError(`the copy failed verification: ${err instanceof Error ? err.message : String(err)} (is the database damaged?)`);
  }
}

function checks(file: string): { tables: [string, number][] } {
  // The copy carries the source's WAL flag; make it a single self-contained file (rollback journal), so
  // that it has no -wal/-shm companions. The server switches it back to WAL when it opens it after a restore.
  const rw = new Database(file, { fileMustExist: true });
  try {
    rw.pragma('journal_mode = DELETE');
  } finally {
    rw.close();
  }
  const copy = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const integrity = copy.pragma('integrity_check') as { integrity_check: string }[];
    const messages = integrity.map((r) => r.integrity_check);
    if (messages.length !== 1 || messages[0] !== 'ok') {
      throw new BackupError(`integrity_check failed on the copy: ${messages.slice(0, 10).join('; ')}`);
    }
    const fk = copy.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[];
    if (fk.length > 0) {
      const sample = fk.slice(0, 5).map((r) => `${r.table} rowid ${r.rowid} -> ${r.parent}`);
      throw new BackupError(`foreign_key_check found ${fk.length} violation(s) in the copy: ${sample.join('; ')}`);
    }
    const names = copy
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all() as string[];
    const tables = names.map((name): [string, number] => [
      name,
      copy.prepare(`SELECT count(*) FROM "${name.replaceAll('"', '""')}"`).pluck().get() as number,
    ]);
    return { tables };
  } finally {
    copy.close();
  }
}

async function main(): Promise<void> {
  const { target, force } = parse();
  const config = loadConfig();
  if (config.databasePath === ':memory:') throw new BackupError('DATABASE_PATH is :memory:; there is nothing on disk to back up');
  const source = resolve(config.databasePath);
  if (!existsSync(source)) throw new BackupError(`no database at ${source} (check DATABASE_PATH)`);
  if (!statSync(source).isFile()) throw new BackupError(`${source} is not a file`);
  if (existsSync(target)) {
    if (realpathSync(target) === realpathSync(source)) throw new BackupError(`${target} is the database itself`);
    if (!force) throw new BackupError(`${target} exists; refusing to overwrite it (add --force to replace it)`);
    if (!statSync(target).isFile()) throw new BackupError(`${target} is not a file`);
  }
  // Copies made here never have companions: a -journal, -wal or -shm next to FILE means a database in use
  // (or a crashed one) there, and SQLite would apply it to the new file.
  const inUse = companions(target).slice(1).filter((f) => existsSync(f));
  if (inUse.length > 0) throw new BackupError(`${inUse.join(' and ')} exist(s): ${target} looks like a database in use; not touching it`);
  mkdirSync(dirname(target), { recursive: true });

  const partial = `${target}.partial-${process.pid}`;
  const cleanup = () => {
    for (const f of companions(partial)) rmSync(f, { force: true });
  };
  cleanup(); // a leftover of an earlier run with the same pid
  process.stdout.write(`backing up ${source}\n        to ${target}\n`);
  const started = Date.now();
  try {
    // Only read from. Opened read-write so that, when the server is not running, closing this last
    // connection removes the -wal/-shm files that opening a WAL database creates (read-only leaves them).
    const db = new Database(source, { fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      // Reading the schema here turns "not a database" into a clear error before anything is written.
      try {
        db.pragma('schema_version');
      } catch (err) {
        throw new BackupError(`cannot read ${source}: ${err instanceof Error ? err.message : String(err)}`);
      }
      // All remaining pages in one step: one read snapshot, never restarted by the server's writes.
      const progress = await db.backup(partial, { progress: () => 0x7fffffff });
      process.stdout.write(`copied ${progress.totalPages} pages in ${Date.now() - started} ms\n`);
    } finally {
      db.close();
    }
    const { tables } = verify(partial);
    process.stdout.write('verified the copy read-only: integrity_check ok, foreign_key_check ok\n');
    process.stdout.write(`rows: ${tables.map(([n, c]) => `${n} ${c}`).join(', ')}\n`);
    renameSync(partial, target);
  } catch (err) {
    cleanup();
    throw err;
  }
  process.stdout.write(`backup written to ${target} (${statSync(target).size} bytes, ${Date.now() - started} ms)\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`backup failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
