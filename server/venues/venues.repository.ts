// Venues: where meetings take place. Each belongs to one network; its meetings and default venue use only
// that network's venues.
import { and, asc, eq } from 'drizzle-orm';
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
    /**
     * For references from a network's meetings: a venue that is missing or another network's is a bad
     * request (the same answer for both), not a missing resource.
     */
    assertInNetwork(id: string, slug: string, path: string) {
      if (!db.select({ id: venues.id }).from(venues).where(and(eq(venues.id, id), eq(venues.networkSlug, slug))).get()) {
        throw badRequest('unknown-venue', `Network '${slug}' has no venue '${id}'`, [{ path, message: `not a venue of network '${slug}'` }]);
      }
    },
    list(filter: { network?: string | undefined }, limit: number, cursor?: string) {
      const key = decodeCursor(cursor, 2);
      const rows = db
        .select()
        .from(venues)
        .where(
          and(
            filter.network !== undefined ? eq(venues.networkSlug, filter.network) : undefined,
            key ? after([venues.name, venues.id], key) : undefined,
          ),
        )
        .orderBy(asc(venues.name), asc(venues.id))
        .limit(limit + 1)
        .all();
      return page(rows, limit, (r) => [r.name, r.id], toVenue);
    },
    create(networkSlug: string, input: VenueCreate): Venue {
      const now = nowIso();
      const row = db
        .insert(venues)
        .values({ ...input, networkSlug, id: newId('ven'), createdAt: now, updatedAt: now })
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
