// Cursor pagination over a stable sort: the cursor carries the sort key of the last row served, so
// rows inserted or deleted while a client pages never cause duplicates or gaps.
import { and, eq, gt, or, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { z } from 'zod';
import { badRequest } from './errors.js';
import { decimalInt } from './fields.js';

export const pageQuery = {
  limit: decimalInt(1, 200, { default: 50, description: 'Page size (default 50)' }),
  // The pattern documents what decodeCursor refuses (as `invalid-cursor`): only base64url comes from us.
  cursor: z.string().max(1000).optional().meta({ pattern: '^[A-Za-z0-9_-]+$', description: 'The `nextCursor` of the previous page (base64url, as given)' }),
};

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item),
    nextCursor: z.string().nullable().describe('Pass as `cursor` to read the next page; null on the last page'),
  });

type Key = (string | number)[];

export function decodeCursor(cursor: string | undefined, arity: number): Key | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === arity &&
      value.every((v) => typeof v === 'string' || typeof v === 'number')
    ) {
      return value as Key;
    }
  } catch {
    // fall through
  }
  throw badRequest('invalid-cursor', 'The cursor is not one this service issued', [
    { path: 'querystring.cursor', message: 'invalid cursor' },
  ]);
}

export const encodeCursor = (key: Key): string => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

/** `(c1, c2, …) > (v1, v2, …)` in lexicographic order, for ascending sorts. */
export function after(columns: SQLiteColumn[], key: Key): SQL {
  const clauses: SQL[] = columns.map((col, i) => {
    const equalities = columns.slice(0, i).map((c, j) => eq(c, key[j]!));
    return and(...equalities, gt(col, key[i]!))!;
  });
  return or(...clauses)!;
}

/** Cuts a fetched `limit + 1` rows into a page and the cursor for the next one. */
export function page<R, T>(rows: R[], limit: number, keyOf: (row: R) => Key, map: (row: R) => T) {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { data: kept.map(map), nextCursor: more && last ? encodeCursor(keyOf(last)) : null };
}
