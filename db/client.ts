// Opens the SQLite database with the settings the service relies on, and applies the migrations.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { registerAuditFunctions } from './audit-context.js';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** The migrations folder, found the same way from source (db/) and from the build (dist/db/). */
export function migrationsFolder(): string {
  for (const rel of ['../migrations', '../../migrations']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}/meta/_journal.json`)) return dir;
  }
  throw new Error('migrations folder not found');
}

export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  // WAL keeps readers off writers' backs; FULL makes an acknowledged commit durable against power loss.
  if (path !== ':memory:') sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  verifySettings(sqlite, path);
  registerAuditFunctions(sqlite);
  registerTextFunctions(sqlite);
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder: migrationsFolder() });
  return db;
}

/**
 * `casefold(text)`: the text in Unicode NFC and lower case, for case-insensitive comparisons (e-mail
 * addresses). SQLite's own lower() folds ASCII only: `SØREN@kommune.dk` would not match `søren@kommune.dk`.
 */
export function registerTextFunctions(sqlite: Database.Database): void {
  sqlite.function('casefold', { deterministic: true }, (value: unknown) =>
    typeof value === 'string' ? value.normalize('NFC').toLowerCase() : value,
  );
}

/**
 * Reads the settings back: SQLite ignores a pragma it cannot apply (e.g. WAL on a file system without
 * shared memory, or a read-only file), which would silently weaken durability. Throws naming each one.
 */
export function verifySettings(sqlite: Database.Database, path: string): void {
  const read = (name: string): unknown => sqlite.pragma(name, { simple: true });
  const problems: string[] = [];
  const journalMode = String(read('journal_mode')).toLowerCase();
  if (path !== ':memory:' && journalMode !== 'wal') problems.push(`journal_mode is '${journalMode}', expected 'wal'`);
  const synchronous = Number(read('synchronous'));
  if (synchronous !== 2) problems.push(`synchronous is ${synchronous}, expected 2 (FULL)`);
  const foreignKeys = Number(read('foreign_keys'));
  if (foreignKeys !== 1) problems.push(`foreign_keys is ${foreignKeys}, expected 1 (ON)`);
  const busyTimeout = Number(read('busy_timeout'));
  if (!(busyTimeout > 0)) problems.push(`busy_timeout is ${busyTimeout}, expected > 0`);
  if (problems.length > 0) {
    throw new Error(`SQLite settings did not take effect on ${path}: ${problems.join('; ')}`);
  }
}

/** Checkpoints the WAL into the main file and closes the database. */
export function closeDatabase(db: Db): void {
  const sqlite = db.$client;
  if (!sqlite.open) return;
  if (sqlite.name !== ':memory:') sqlite.pragma('wal_checkpoint(TRUNCATE)');
  sqlite.close();
}
