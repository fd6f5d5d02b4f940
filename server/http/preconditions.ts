// Optimistic concurrency: every row carries a version; its ETag is `"v<version>"`. PATCH and DELETE with
// If-Match succeed only while the version is one of those given, checked inside the write itself, so of
// two edits made from the same read exactly one wins. If-Match is optional unless the service is
// configured to require it (then 428 without it).
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../db/client.js';
import { AppError } from './errors.js';

export const etagOf = (version: number): string => `"v${version}"`;

/** `undefined`: no precondition. Otherwise the versions If-Match allows (empty: nothing can match). */
export type Expected = number[] | undefined;

export function expectedVersions(request: FastifyRequest): Expected {
  const header = request.headers['if-match'];
  if (header === undefined) {
    if (request.server.config.requireIfMatch) {
      throw new AppError(428, 'precondition-required', 'Precondition required', 'Send If-Match with the ETag you read');
    }
    return undefined;
  }
  if (header.trim() === '*') return undefined;
  // Strong comparison: weak tags (W/"…") never match.
  return [...header.matchAll(/(?:^|,)\s*"v(\d{1,15})"/g)].map((m) => Number(m[1]));
}

export const preconditionFailed = (version: number) =>
  new AppError(412, 'precondition-failed', 'Precondition failed', 'The resource changed since you read it; read it again', {
    etag: etagOf(version),
  });

interface Versioned {
  version: SQLiteColumn;
}

/**
 * Applies `set` to the row `key = id` and bumps its version, only if the version is expected.
 * Returns false when no such row exists; throws 412 when it exists at another version.
 */
export function guardedUpdate<T extends SQLiteTable & Versioned>(
  db: Db,
  table: T,
  key: SQLiteColumn,
  id: string,
  expected: Expected,
  set: Record<string, unknown>,
): boolean {
  const result = db
    .update(table)
    .set({ ...set, version: sql`${table.version} + 1` } as never)
    .where(and(eq(key, id), expected ? inArray(table.version, expected) : undefined))
    .run();
  if (result.changes > 0) return true;
  return failOrMissing(db, table, key, id);
}

/** Checks the precondition for a delete (call inside the deleting transaction, before deleting). */
export function assertVersion<T extends SQLiteTable & Versioned>(db: Db, table: T, key: SQLiteColumn, id: string, expected: Expected): void {
  if (expected === undefined) return;
  const row = db.select({ version: table.version }).from(table as SQLiteTable).where(eq(key, id)).get() as { version: number } | undefined;
  if (row && !expected.includes(row.version)) throw preconditionFailed(row.version);
}

function failOrMissing(db: Db, table: SQLiteTable & Versioned, key: SQLiteColumn, id: string): false {
  const row = db.select({ version: table.version }).from(table).where(eq(key, id)).get() as { version: number } | undefined;
  if (row) throw preconditionFailed(row.version);
  return false;
}
