// Themes: the recurring content lines of a network, addressed by a key unique within it.
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { itemThemes, themes, type ThemeRow } from '../../db/schema.js';
import { feedLinks } from '../feeds/feed-links.js';
import { badRequest, conflict, notFound } from '../http/errors.js';
import { assertVersion, guardedUpdate, type Expected } from '../http/preconditions.js';
import { newId, nowIso } from '../http/ids.js';
import { after, decodeCursor, page } from '../http/pagination.js';
import { networksRepository } from '../networks/networks.repository.js';
import type { Theme, ThemeCreate, ThemePatch } from './themes.schemas.js';

export const toTheme = (row: ThemeRow, baseUrl: string): Theme => ({
  ...row,
  feeds: { items: feedLinks(baseUrl, `/feeds/networks/${row.networkSlug}/themes/${row.key}.ics`) },
});

export function themesRepository(db: Db, baseUrl: string) {
  const networkRepo = networksRepository(db, baseUrl);
  const getRow = (slug: string, key: string): ThemeRow => {
    networkRepo.getRow(slug);
    const row = db.select().from(themes).where(and(eq(themes.networkSlug, slug), eq(themes.key, key))).get();
    if (!row) throw notFound('Theme', key);
    return row;
  };
  const map = (row: ThemeRow) => toTheme(row, baseUrl);
  return {
    getRow,
    get: (slug: string, key: string) => map(getRow(slug, key)),
    /** Resolves theme keys of a network to rows; unknown keys are a bad request. */
    resolveKeys(slug: string, keys: string[], path: string): ThemeRow[] {
      if (keys.length === 0) return [];
      const rows = db.select().from(themes).where(and(eq(themes.networkSlug, slug), inArray(themes.key, keys))).all();
      const missing = keys.filter((k) => !rows.some((r) => r.key === k));
      if (missing.length > 0) {
        throw badRequest('unknown-theme', `No theme ${missing.map((k) => `'${k}'`).join(', ')} in network '${slug}'`, [
          { path, message: `unknown theme key(s): ${missing.join(', ')}` },
        ]);
      }
      return keys.map((k) => rows.find((r) => r.key === k)!);
    },
    list(slug: string, limit: number, cursor?: string) {
      networkRepo.getRow(slug);
      const key = decodeCursor(cursor, 1);
      const rows = db
        .select()
        .from(themes)
        .where(and(eq(themes.networkSlug, slug), key ? after([themes.key], key) : undefined))
        .orderBy(asc(themes.key))
        .limit(limit + 1)
        .all();
      return page(rows, limit, (r) => [r.key], map);
    },
    create(slug: string, input: ThemeCreate): Theme {
      return db.transaction(
        (tx) => {
          networkRepo.getRow(slug);
          if (tx.select({ id: themes.id }).from(themes).where(and(eq(themes.networkSlug, slug), eq(themes.key, input.key))).get()) {
            throw conflict('theme-key-taken', `Network '${slug}' already has a theme '${input.key}'`);
          }
          const now = nowIso();
          const row = tx
            .insert(themes)
            .values({ ...input, id: newId('thm'), networkSlug: slug, createdAt: now, updatedAt: now })
            .returning()
            .get();
          return map(row);
        },
        { behavior: 'immediate' },
      );
    },
    update(slug: string, key: string, patch: ThemePatch, expected?: Expected): Theme {
      const current = getRow(slug, key);
      guardedUpdate(db, themes, themes.id, current.id, expected, { ...patch, updatedAt: nowIso() });
      return map(getRow(slug, key));
    },
    remove(slug: string, key: string, expected?: Expected): void {
      db.transaction(
        (tx) => {
          const current = getRow(slug, key);
          assertVersion(db, themes, themes.id, current.id, expected);
          if (tx.select({ id: itemThemes.itemId }).from(itemThemes).where(eq(itemThemes.themeId, current.id)).get()) {
            throw conflict('theme-in-use', `Theme '${key}' is used by agenda items; remove it from them first`);
          }
          tx.delete(themes).where(eq(themes.id, current.id)).run();
        },
        { behavior: 'immediate' },
      );
    },
  };
}
