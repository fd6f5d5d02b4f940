// Meetings of a network: a date, local hours in a zone, a venue and a status.
import { and, asc, count, eq, gt, gte, lt, lte, ne, or } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { allows, type DraftAccess } from '../auth/auth.plugin.js';
import { agendaItems, clusters, meetings, registrations, releases, tracks, venues, type MeetingRow, type VenueRow } from '../../db/schema.js';
import { feedLinks } from '../feeds/feed-links.js';
import { badRequest, confirmationRequired, conflict, countList, notFound } from '../http/errors.js';
import { assertVersion, guardedUpdate, type Expected } from '../http/preconditions.js';
import { newId, nowIso } from '../http/ids.js';
import { after, decodeCursor, page } from '../http/pagination.js';
import { networksRepository } from '../networks/networks.repository.js';
import { meetingChanges } from '../outbox/meeting-changes.js';
import { enqueue, meetingRef, registeredParticipants } from '../outbox/outbox.js';
import { elapsedBetween } from '../time/local-time.js';
import { moment } from '../time/moment.js';
import { toVenue, venuesRepository } from '../venues/venues.repository.js';
import { checkMeetingHours, defaultEndOn } from './meeting-times.js';
import type { Meeting, MeetingCreate, MeetingPatch } from './meetings.schemas.js';
import type { MeetingStatus } from '../../db/schema.js';

export function toMeeting(row: MeetingRow, venue: VenueRow | null, baseUrl: string): Meeting {
  return {
    ...row,
    start: moment(row.date, row.startTime, row.timeZone),
    end: moment(row.date, row.endTime, row.timeZone),
    // Real minutes: across a daylight-saving change a day is an hour longer or shorter than its wall times.
    durationMinutes: elapsedBetween(row.date, row.startTime, row.endTime, row.timeZone),
    venue: venue ? toVenue(venue) : null,
    feeds: {
      meeting: feedLinks(baseUrl, `/feeds/meetings/${row.id}.ics`),
      meetingWithItems: feedLinks(baseUrl, `/feeds/meetings/${row.id}.ics?items=1`),
    },
  };
}

export interface MeetingFilter {
  from?: string | undefined;
  to?: string | undefined;
  status?: MeetingStatus | undefined;
  includeDrafts: DraftAccess;
}

export function meetingsRepository(db: Db, baseUrl: string) {
  const networkRepo = networksRepository(db, baseUrl);
  const venueRepo = venuesRepository(db);

  const selectWithVenue = () =>
    db.select({ m: meetings, v: venues }).from(meetings).leftJoin(venues, eq(meetings.venueId, venues.id));

  /** The meeting row, or 404 also when it is a draft the caller may not see. */
  const getRow = (id: string, includeDrafts: DraftAccess = true): MeetingRow => {
    const row = db.select().from(meetings).where(eq(meetings.id, id)).get();
    if (!row || (row.status === 'draft' && !allows(includeDrafts, row.networkSlug))) throw notFound('Meeting', id);
    return row;
  };

  const get = (id: string, includeDrafts: DraftAccess = true): Meeting => {
    getRow(id, includeDrafts);
    const r = selectWithVenue().where(eq(meetings.id, id)).get()!;
    return toMeeting(r.m, r.v, baseUrl);
  };

  /** Items that would fall outside new hours block the change: the agenda must stay consistent. */
  function assertItemsInside(meetingId: string, startTime: string, endTime: string) {
    const outside = db
      .select({ id: agendaItems.id })
      .from(agendaItems)
      .where(
        and(eq(agendaItems.meetingId, meetingId), or(lt(agendaItems.startTime, startTime), gt(agendaItems.endTime, endTime))),
      )
      .all();
    if (outside.length > 0) {
      throw conflict('items-outside-meeting', 'The new hours would leave agenda items outside the meeting', {
        items: outside.map((o) => o.id),
      });
    }
  }

  function assertCluster(clusterId: string | null | undefined, slug: string) {
    if (!clusterId) return;
    const c = db.select({ slug: clusters.networkSlug }).from(clusters).where(eq(clusters.id, clusterId)).get();
    if (!c || c.slug !== slug) {
      throw badRequest('unknown-cluster', `Cluster '${clusterId}' is not a cluster of network '${slug}'`, [{ path: 'body.clusterId', message: 'unknown cluster' }]);
    }
  }

  /** What deleting the meeting takes with it (foreign keys cascade). */
  function dependants(id: string) {
    const n = (table: typeof registrations | typeof releases | typeof tracks | typeof agendaItems) =>
      db.select({ n: count() }).from(table).where(eq(table.meetingId, id)).get()!.n;
    return { registrations: n(registrations), releases: n(releases), tracks: n(tracks), items: n(agendaItems) };
  }

  return {
    getRow,
    get,
    list(slug: string, filter: MeetingFilter, limit: number, cursor?: string) {
      networkRepo.getRow(slug);
      const key = decodeCursor(cursor, 3);
      const rows = selectWithVenue()
        .where(
          and(
            eq(meetings.networkSlug, slug),
            filter.from ? gte(meetings.date, filter.from) : undefined,
            filter.to ? lte(meetings.date, filter.to) : undefined,
            filter.status ? eq(meetings.status, filter.status) : undefined,
            allows(filter.includeDrafts, slug) ? undefined : ne(meetings.status, 'draft'),
            key ? after([meetings.date, meetings.startTime, meetings.id], key) : undefined,
          ),
        )
        .orderBy(asc(meetings.date), asc(meetings.startTime), asc(meetings.id))
        .limit(limit + 1)
        .all();
      return page(rows, limit, (r) => [r.m.date, r.m.startTime, r.m.id], (r) => toMeeting(r.m, r.v, baseUrl));
    },
    create(slug: string, input: MeetingCreate): Meeting {
      const network = networkRepo.getRow(slug);
      const timeZone = input.timeZone ?? network.timeZone;
      const endTime = input.endTime ?? defaultEndOn(input.date, input.startTime, network.standardMeetingMinutes, timeZone);
      checkMeetingHours(input.date, input.startTime, endTime, timeZone);
      const venueId = input.venueId === undefined ? network.defaultVenueId : input.venueId;
      if (venueId) venueRepo.assertInNetwork(venueId, slug, 'body.venueId');
      assertCluster(input.clusterId, slug);
      const now = nowIso();
      const row = db
        .insert(meetings)
        .values({ ...input, id: newId('mtg'), networkSlug: slug, endTime, timeZone, venueId, createdAt: now, updatedAt: now })
        .returning()
        .get();
      return get(row.id);
    },
    update(id: string, patch: MeetingPatch, expected?: Expected): Meeting {
      return db.transaction(
        () => {
          const current = getRow(id);
          const next = { ...current, ...patch };
          checkMeetingHours(next.date, next.startTime, next.endTime, next.timeZone);
          if (patch.venueId) venueRepo.assertInNetwork(patch.venueId, current.networkSlug, 'body.venueId');
          assertCluster(patch.clusterId, current.networkSlug);
          if (patch.startTime !== undefined || patch.endTime !== undefined) {
            assertItemsInside(id, next.startTime, next.endTime);
          }
          guardedUpdate(db, meetings, meetings.id, id, expected, { ...patch, updatedAt: nowIso() });
          const after = getRow(id);
          const venueName = (venueId: string | null) => (venueId ? (db.select().from(venues).where(eq(venues.id, venueId)).get() ?? null) : null);
          for (const change of meetingChanges(current, after, venueName)) {
            enqueue(db, { ...change, networkSlug: after.networkSlug, recipients: registeredParticipants(db, id) } as Parameters<typeof enqueue>[1]);
          }
          return get(id);
        },
        { behavior: 'immediate' },
      );
    },
    /**
     * Removes the meeting with its tracks, items, registrations and releases (foreign keys cascade) in one
     * transaction. People's registrations and the published agenda go only when `confirmed`: otherwise 409
     * `confirmation-required` with their counts, and nothing changes. An announced meeting's deletion writes a
     * `meeting.cancelled` outbox message (`deleted: true`): its registered participants are e-mailed the
     * cancellation, webhooks subscribed to `meeting.cancelled` are told.
     */
    remove(id: string, expected?: Expected, confirmed = false): void {
      db.transaction(
        (tx) => {
          const row = getRow(id);
          assertVersion(db, meetings, meetings.id, id, expected);
          const lose = dependants(id);
          if (!confirmed && (lose.registrations > 0 || lose.releases > 0)) {
            const what = countList([
              [lose.registrations, 'registration', 'registrations'],
              [lose.releases, 'release', 'releases'],
              [lose.tracks, 'track', 'tracks'],
              [lose.items, 'agenda item', 'agenda items'],
            ]);
            throw confirmationRequired(
              `Deleting meeting '${row.title}' (${id}) would also delete ${what}. Repeat the request with ?confirm=true to delete it.`,
              lose,
            );
          }
          // People who could see it hear of it as of a cancellation (the feeds show the same: its events cancelled).
          if (row.status === 'announced') {
            enqueue(db, { type: 'meeting.cancelled', networkSlug: row.networkSlug, data: { ...meetingRef(row), deleted: true }, recipients: registeredParticipants(db, id) });
          }
          tx.delete(meetings).where(eq(meetings.id, id)).run();
        },
        { behavior: 'immediate' },
      );
    },
  };
}
