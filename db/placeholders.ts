// A placeholder for every column of a table, named by its property: for statements prepared once and run
// with a row object (drizzle's `.prepare()`). Drizzle otherwise builds each query's SQL anew on every call,
// which in the feed publisher's loops over thousands of events was a third of what a release allocated.
import { getTableColumns, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';

type Columns<T extends SQLiteTable> = keyof T['_']['columns'];

/** For `insert().values(…)`: each value goes through its column's mapping, as a row's would. */
export function placeholders<T extends SQLiteTable>(table: T): Record<Columns<T>, Placeholder> {
  const out: Record<string, Placeholder> = {};
  for (const key of Object.keys(getTableColumns(table))) out[key] = sql.placeholder(key);
  return out as Record<Columns<T>, Placeholder>;
}

/**
 * For `update().set(…)`, whose types take SQL, not placeholders: each value is bound as it is given, without
 * its column's mapping, so only for tables of plain text and integer columns.
 */
export function setPlaceholders<T extends SQLiteTable>(table: T): Record<Columns<T>, SQL> {
  const out: Record<string, SQL> = {};
  for (const key of Object.keys(getTableColumns(table))) out[key] = sql`${sql.placeholder(key)}`;
  return out as Record<Columns<T>, SQL>;
}
