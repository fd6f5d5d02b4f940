// Networks: the unit a coordinator runs; addressed by slug, which never changes.
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { meetings, members, networks, participants, speakers, themes, venues as venueTable, type NetworkRow } from '../../db/schema.js';
import { feedLinks } from '../feeds/feed-links.js';
import { badRequest, conflict, notFound } from '../http/errors.js';
import { assertVersion, guardedUpdate, type Expected } from '../http/preconditions.js';
import { nowIso } from '../http/ids.js';
import { after, decodeCursor, page } from '../http/pagination.js';
import { venuesRepository } from '../venues/venues.repository.js';
import type { Network, NetworkCreate, NetworkPatch } from './networks.schemas.js';

export function toNetwork(row: NetworkRow, baseUrl: string): Network {
  const { organiserName, organiserEmail, organiserPhone, organiserAddress, ...rest } = row;
  return {
    ...rest,
    organiser: { name: organiserName, email: organiserEmail, phone: organiserPhone, address: organiserAddress },
    feeds: { meetings: feedLinks(baseUrl, `/feeds/networks/${row.slug}.ics`) },
  };
}

type Columns = Partial<Omit<NetworkRow, 'slug' | 'createdAt' | 'updatedAt'>>;

function columns(input: NetworkPatch): Columns {
  const { organiser, ...rest } = input;
  const out: Columns = { ...rest };
  if (organiser) {
    if (organiser.name !== undefined) out.organiserName = organiser.name;
    if (organiser.email !== undefined) out.organiserEmail = organiser.email;
    if (organiser.phone !== undefined) out.organiserPhone = organiser.phone;
    if (organiser.address !== undefined) out.organiserAddress = organiser.address;
  }
  return out;
}

function checkBounds(row: { signupOpens?: string | null; signupDeadline?: string | null; clusterMinSize?: number | null; clusterMaxSize?: number | null }) {
  if (row.signupOpens && row.signupDeadline && row.signupDeadline < row.signupOpens) {
    throw badRequest('invalid-signup-window', 'signupDeadline is before signupOpens', [{ path: 'body.signupDeadline', message: 'must not be before signupOpens' }]);
  }
  if (row.clusterMinSize && row.clusterMaxSize && row.clusterMaxSize < row.clusterMinSize) {
    throw badRequest('invalid-cluster-size', 'clusterMaxSize is below clusterMinSize', [{ path: 'body.clusterMaxSize', message: 'must not be below clusterMinSize' }]);
  }
}

function checkSeason(start: string | null | undefined, end: string | null | undefined) {
  if (start && end && end < start) {
    throw badRequest('invalid-season', 'seasonEnd is before seasonStart', [
      { path: 'body.seasonEnd', message: 'must not be before seasonStart' },
    ]);
  }
}

export function networksRepository(db: Db, baseUrl: string) {
  const venues = venuesRepository(db);
  const getRow = (slug: string): NetworkRow => {
    const row = db.select().from(networks).where(eq(networks.slug, slug)).get();
    if (!row) throw notFound('Network', slug);
    return row;
  };
  const map = (row: NetworkRow) => toNetwork(row, baseUrl);
  return {
    getRow,
    get: (slug: string) => map(getRow(slug)),
    list(limit: number, cursor?: string) {
      const key = decodeCursor(cursor, 1);
      const rows = db
        .select()
        .from(networks)
        .where(key ? after([networks.slug], key) : undefined)
        .orderBy(asc(networks.slug))
        .limit(limit + 1)
        .all();
      return page(rows, limit, (r) => [r.slug], map);
    },
    create(input: NetworkCreate): Network {
      checkSeason(input.seasonStart, input.seasonEnd);
      checkBounds(input);
      return db.transaction(
        (tx) => {
          if (tx.select({ slug: networks.slug }).from(networks).where(eq(networks.slug, input.slug)).get()) {
            throw conflict('slug-taken', `A network with slug '${input.slug}' already exists`);
          }
          const now = nowIso();
          const row = tx
            .insert(networks)
            .values({ ...columns(input), slug: input.slug, name: input.name, createdAt: now, updatedAt: now })
            .returning()
            .get();
          return map(row);
        },
        { behavior: 'immediate' },
      );
    },
    update(slug: string, patch: NetworkPatch, expected?: Expected): Network {
      return db.transaction(
        () => {
          const current = getRow(slug);
          checkSeason(
            patch.seasonStart !== undefined ? patch.seasonStart : current.seasonStart,
            patch.seasonEnd !== undefined ? patch.seasonEnd : current.seasonEnd,
          );
          if (patch.defaultVenueId) venues.assertInNetwork(patch.defaultVenueId, slug, 'body.defaultVenueId');
          checkBounds({ ...current, ...patch });
          guardedUpdate(db, networks, networks.slug, slug, expected, { ...columns(patch), updatedAt: nowIso() });
          return map(getRow(slug));
        },
        { behavior: 'immediate' },
      );
    },
    remove(slug: string, expected?: Expected): void {
      db.transaction(
        (tx) => {
          getRow(slug);
          assertVersion(db, networks, networks.slug, slug, expected);
          const used =
            tx.select({ id: meetings.id }).from(meetings).where(eq(meetings.networkSlug, slug)).get() ??
            tx.select({ id: themes.id }).from(themes).where(eq(themes.networkSlug, slug)).get() ??
            tx.select({ id: members.id }).from(members).where(and(eq(members.networkSlug, slug), eq(members.status, 'active'))).get() ??
            tx.select({ id: participants.id }).from(participants).where(eq(participants.networkSlug, slug)).get();
          if (used) throw conflict('network-not-empty', `Network '${slug}' still has meetings, themes, members or participants; remove them first`);
          // Its venues and speakers are used by nothing else once its meetings are gone: they go with it.
          tx.update(networks).set({ defaultVenueId: null }).where(eq(networks.slug, slug)).run();
          tx.delete(venueTable).where(eq(venueTable.networkSlug, slug)).run();
          tx.delete(speakers).where(eq(speakers.networkSlug, slug)).run();
          tx.delete(networks).where(eq(networks.slug, slug)).run();
        },
        { behavior: 'immediate' },
      );
    },
  };
}
