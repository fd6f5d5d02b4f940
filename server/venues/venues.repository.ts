// Venues: where meetings take place.
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { meetings, networks, venues, type VenueRow } from '../../db/schema.js';
import { badRequest, conflict, notFound } from '../http/errors.js';
import { assertVersion, guardedUpdate, type Expected } from '../http/preconditions.js';
import { newId, nowIso } from '../http/ids.js';
import { after, decodeCursor, page } from '../http/pagination.js';
import type { Venue, VenueCreate, VenuePatch } from './venues.schemas.js';

export const toVenue = (row: VenueRow): Venue => ({ ...row });

export function venuesRepository(db: Db) {
  const get = (id: string): VenueRow => {
    const row = db.select().from(venues).where(eq(venues.id, id)).get();
    if (!row) throw notFound('Venue', id);
    return row;
  };
  return {
    get: (id: string) => toVenue(get(id)),
    /** For references from other entities: an unknown venue is a bad request, not a missing resource. */
    assertExists(id: string, path: string) {
      if (!db.select({ id: venues.id }).from(venues).where(eq(venues.id, id)).get()) {
        throw badRequest('unknown-venue', `Venue '${id}' does not exist`, [{ path, message: 'unknown venue' }]);
      }
    },
    list(limit: number, cursor?: string) {
      const key = decodeCursor(cursor, 2);
      const rows = db
        .select()
        .from(venues)
        .where(key ? after([venues.name, venues.id], key) : undefined)
        .orderBy(asc(venues.name), asc(venues.id))
        .limit(limit + 1)
        .all();
      return page(rows, limit, (r) => [r.name, r.id], toVenue);
    },
    create(input: VenueCreate): Venue {
      const now = nowIso();
      const row = db
        .insert(venues)
        .values({ ...input, id: newId('ven'), createdAt: now, updatedAt: now })
        .returning()
        .get();
      return toVenue(row);
    },
    update(id: string, patch: VenuePatch, expected?: Expected): Venue {
      if (!guardedUpdate(db, venues, venues.id, id, expected, { ...patch, updatedAt: nowIso() })) throw notFound('Venue', id);
      return toVenue(get(id));
    },
    remove(id: string, expected?: Expected): void {
      db.transaction(
        (tx) => {
          get(id);
          assertVersion(db, venues, venues.id, id, expected);
          const used =
            tx.select({ id: meetings.id }).from(meetings).where(eq(meetings.venueId, id)).get() ??
            tx.select({ id: networks.slug }).from(networks).where(eq(networks.defaultVenueId, id)).get();
          if (used) throw conflict('venue-in-use', `Venue '${id}' is used by a meeting or network`);
          tx.delete(venues).where(eq(venues.id, id)).run();
        },
        { behavior: 'immediate' },
      );
    },
  };
}
