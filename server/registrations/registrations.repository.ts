// Registrations of participants for meetings, with capacity and waiting lists. Every change that can
// take or free a place runs in one IMMEDIATE transaction (the write lock is taken before the first read),
// so concurrent registrations are serialised and a meeting or track is never over-booked.
import { and, asc, eq, gt, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import {
  meetings,
  municipalities,
  participants,
  registrations,
  tracks,
  type MeetingRow,
  type RegistrationRow,
  type TrackRow,
} from '../../db/schema.js';
import { allows, type DraftAccess } from '../auth/auth.plugin.js';
import type { Resolver } from '../auth/authorize.js';
import { badRequest, conflict, notFound } from '../http/errors.js';
import { newId, nowIso } from '../http/ids.js';
import { decodeCursor, page } from '../http/pagination.js';
import { assertVersion, guardedUpdate, type Expected } from '../http/preconditions.js';
import { meetingsRepository } from '../meetings/meetings.repository.js';
import { enqueue } from '../outbox/outbox.js';
import { RECEIPT_TYPES, type EventType } from '../outbox/outbox-events.js';
import { assertParticipantInNetwork } from '../participants/participant-network.js';
import { publishedAgenda } from '../releases/published.js';
import { toUtcString } from '../time/local-time.js';
import { hasStarted, registrationClosesAt, registrationOpen } from './registration-window.js';
import type { Registration, RegistrationCreate, RegistrationSummary, RegistrationWithParticipant } from './registrations.schemas.js';
import { admit, promotions, waitlistPositions, type Capacities, type Seat } from './waitlist.js';

const ACTIVE = ['registered', 'waitlisted'] as const;

/** The active (registered or waitlisted) registrations of a meeting, as seats for the waiting-list rule. */
function seatsOf(db: Db, meetingId: string): Seat[] {
  return db
    .select({ id: registrations.id, trackId: registrations.trackId, status: registrations.status, queuedAt: registrations.queuedAt })
    .from(registrations)
    .where(and(eq(registrations.meetingId, meetingId), inArray(registrations.status, [...ACTIVE])))
    .all() as Seat[];
}

function capacitiesOf(meeting: MeetingRow, meetingTracks: TrackRow[]): Capacities {
  return { meeting: meeting.capacity, tracks: new Map(meetingTracks.map((t) => [t.id, t.capacity])) };
}

const tracksOf = (db: Db, meetingId: string): TrackRow[] =>
  db.select().from(tracks).where(eq(tracks.meetingId, meetingId)).orderBy(asc(tracks.sortOrder), asc(tracks.id)).all();

/** The next queue number of a meeting: strictly increasing (read under the transaction's write lock). */
function nextQueuedAt(db: Db, meetingId: string): number {
  const row = db
    .select({ next: sql<number>`coalesce(max(${registrations.queuedAt}), 0) + 1` })
    .from(registrations)
    .where(eq(registrations.meetingId, meetingId))
    .get();
  return row?.next ?? 1;
}

type RegistrationEvent = Extract<EventType, `registration.${string}`>;

/** The outbox message about a registration's new state (inside the transaction that changed it). */
function announce(db: Db, id: string, type: RegistrationEvent): void {
  const row = db
    .select({ r: registrations, slug: meetings.networkSlug })
    .from(registrations)
    .innerJoin(meetings, eq(registrations.meetingId, meetings.id))
    .where(eq(registrations.id, id))
    .get();
  if (!row) return;
  const { r } = row;
  enqueue(db, {
    type,
    networkSlug: row.slug,
    data: { registrationId: r.id, meetingId: r.meetingId, participantId: r.participantId, trackId: r.trackId, status: r.status },
    // Receipts go to the participant; other registration events reach webhooks only.
    recipients: RECEIPT_TYPES.has(type) ? [r.participantId] : [],
  });
}

function promote(db: Db, ids: string[]): void {
  if (ids.length === 0) return;
  const promoted = db
    .update(registrations)
    .set({ status: 'registered', updatedAt: nowIso(), version: sql`${registrations.version} + 1` })
    .where(and(inArray(registrations.id, ids), eq(registrations.status, 'waitlisted')))
    .returning({ id: registrations.id })
    .all();
  const done = new Set(promoted.map((p) => p.id));
  for (const id of ids) if (done.has(id)) announce(db, id, 'registration.promoted');
}

/**
 * Promotes a meeting's waiting list as far as its places allow (see waitlist.ts). Call inside the
 * transaction that freed places. Only while places still matter: the meeting is announced and has not
 * started. Returns the promoted registrations' ids in queue order.
 */
export function settleWaitlist(db: Db, meetingId: string, now: Date = new Date()): string[] {
  const meeting = db.select().from(meetings).where(eq(meetings.id, meetingId)).get();
  if (!meeting || meeting.status !== 'announced' || hasStarted(meeting, now)) return [];
  const ids = promotions(capacitiesOf(meeting, tracksOf(db, meetingId)), seatsOf(db, meetingId));
  promote(db, ids);
  return ids;
}

/**
 * For the personal feed: the participant's active registrations for meetings that are not drafts, in date
 * order. Both `registered` (a confirmed place: show as CONFIRMED) and `waitlisted` (no place yet: show as
 * TENTATIVE) are returned; cancelled registrations are not. A meeting cancelled after registration is
 * still returned, so the feed can announce the cancellation.
 */
export function registrationsForFeed(db: Db, participantId: string): { meetingId: string; trackId: string | null; status: 'registered' | 'waitlisted' }[] {
  return db
    .select({ meetingId: registrations.meetingId, trackId: registrations.trackId, status: registrations.status })
    .from(registrations)
    .innerJoin(meetings, eq(registrations.meetingId, meetings.id))
    .where(and(eq(registrations.participantId, participantId), inArray(registrations.status, [...ACTIVE]), ne(meetings.status, 'draft')))
    .orderBy(asc(meetings.date), asc(meetings.startTime), asc(meetings.id))
    .all() as { meetingId: string; trackId: string | null; status: 'registered' | 'waitlisted' }[];
}

/** Authorisation target of a registration: its meeting's network (404 like the meeting when a draft). */
export const registrationResolver: Resolver = (db, p) => {
  const r = db
    .select({ slug: meetings.networkSlug, status: meetings.status })
    .from(registrations)
    .innerJoin(meetings, eq(registrations.meetingId, meetings.id))
    .where(eq(registrations.id, p.id ?? ''))
    .get();
  return r ? { slug: r.slug, hidden: r.status === 'draft' ? notFound('Registration', p.id ?? '') : null } : null;
};

/** A registration as the CSV export shows it. */
export type RegistrationExportRow = Registration & {
  participant: { name: string; email: string; role: string; municipalityCode: number | null; municipality: string | null };
  trackName: string | null;
};

export interface RegistrationFilter {
  status?: RegistrationRow['status'] | undefined;
  /** A track id, or 'none'. */
  track?: string | undefined;
}

export function registrationsRepository(db: Db, baseUrl: string) {
  const meetingRepo = meetingsRepository(db, baseUrl);

  const getRow = (id: string): RegistrationRow => {
    const row = db.select().from(registrations).where(eq(registrations.id, id)).get();
    if (!row) throw notFound('Registration', id);
    return row;
  };

  const toRegistration = (row: RegistrationRow, positions: Map<string, number>): Registration => ({
    id: row.id,
    meetingId: row.meetingId,
    participantId: row.participantId,
    trackId: row.trackId,
    status: row.status,
    queuedAt: row.queuedAt,
    waitlistPosition: positions.get(row.id) ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  });

  const present = (id: string): Registration => {
    const row = getRow(id);
    return { ...toRegistration(row, waitlistPositions(seatsOf(db, row.meetingId))), version: row.version } as Registration;
  };

  /** The track rules: required when the meeting has tracks, and then one of them; none otherwise. */
  function checkTrack(meetingId: string, meetingTracks: TrackRow[], trackId: string | null | undefined): string | null {
    if (trackId === null || trackId === undefined) {
      if (meetingTracks.length > 0) {
        throw badRequest('track-required', `Meeting '${meetingId}' has tracks: choose one`, [
          { path: 'body.trackId', message: `one of: ${meetingTracks.map((t) => t.id).join(', ')}` },
        ]);
      }
      return null;
    }
    if (!meetingTracks.some((t) => t.id === trackId)) {
      throw badRequest('track-not-in-meeting', `Track '${trackId}' is not a track of meeting '${meetingId}'`, [
        { path: 'body.trackId', message: 'must be a track of the meeting' },
      ]);
    }
    return trackId;
  }

  return {
    get: present,
    meetingOf: (id: string): MeetingRow => meetingRepo.getRow(getRow(id).meetingId),

    register(meetingId: string, input: RegistrationCreate, now: Date = new Date()): Registration {
      return db.transaction(
        (tx) => {
          const meeting = meetingRepo.getRow(meetingId);
          assertParticipantInNetwork(db, input.participantId, meeting.networkSlug);
          if (meeting.status !== 'announced') {
            throw conflict('meeting-not-announced', `Meeting '${meetingId}' is ${meeting.status}: registration needs an announced meeting`);
          }
          const meetingTracks = tracksOf(db, meetingId);
          const trackId = checkTrack(meetingId, meetingTracks, input.trackId);
          if (!registrationOpen(meeting, now)) {
            const closedAt = toUtcString(registrationClosesAt(meeting));
            throw conflict('registration-closed', `Registration for meeting '${meetingId}' closed at ${closedAt}`, { closedAt });
          }
          const existing = tx
            .select({ id: registrations.id, status: registrations.status })
            .from(registrations)
            .where(
              and(
                eq(registrations.meetingId, meetingId),
                eq(registrations.participantId, input.participantId),
                inArray(registrations.status, [...ACTIVE]),
              ),
            )
            .get();
          if (existing) {
            throw conflict('already-registered', `Participant '${input.participantId}' is already ${existing.status} for this meeting`, {
              registrationId: existing.id,
            });
          }
          const id = newId('reg');
          const queuedAt = nextQueuedAt(db, meetingId);
          const { status, promoted } = admit(capacitiesOf(meeting, meetingTracks), seatsOf(db, meetingId), { id, trackId, queuedAt });
          promote(db, promoted);
          const stamp = nowIso();
          tx.insert(registrations)
            .values({ id, meetingId, participantId: input.participantId, trackId, status, queuedAt, createdAt: stamp, updatedAt: stamp })
            .run();
          announce(db, id, status === 'registered' ? 'registration.confirmed' : 'registration.waitlisted');
          return present(id);
        },
        { behavior: 'immediate' },
      );
    },

    /**
     * Moves a registration to another track of its meeting. A registered participant keeps the place when
     * the new track has room, and otherwise joins the end of the waiting list for it; a waiting participant
     * keeps their turn. Places freed in the old track go to its waiting list.
     */
    changeTrack(id: string, trackId: string | null, expected?: Expected, now: Date = new Date()): Registration {
      return db.transaction(
        () => {
          const current = getRow(id);
          if (current.status === 'cancelled') {
            throw conflict('registration-cancelled', `Registration '${id}' is cancelled; register again instead`);
          }
          const meeting = meetingRepo.getRow(current.meetingId);
          const meetingTracks = tracksOf(db, meeting.id);
          const target = checkTrack(meeting.id, meetingTracks, trackId);
          if (target === current.trackId) {
            assertVersion(db, registrations, registrations.id, id, expected);
            return present(id);
          }
          let status = current.status;
          let queuedAt = current.queuedAt;
          if (current.status === 'registered' && target !== null) {
            const capacity = meetingTracks.find((t) => t.id === target)!.capacity;
            const taken = seatsOf(db, meeting.id).filter((s) => s.status === 'registered' && s.trackId === target && s.id !== id).length;
            if (capacity !== null && taken >= capacity) {
              status = 'waitlisted';
              queuedAt = nextQueuedAt(db, meeting.id);
            }
          }
          guardedUpdate(db, registrations, registrations.id, id, expected, { trackId: target, status, queuedAt, updatedAt: nowIso() });
          if (status !== current.status) announce(db, id, 'registration.waitlisted');
          settleWaitlist(db, meeting.id, now);
          return present(id);
        },
        { behavior: 'immediate' },
      );
    },

    /** Cancels a registration (idempotent) and gives its place to the waiting list. */
    cancel(id: string, expected?: Expected, now: Date = new Date()): void {
      db.transaction(
        () => {
          const current = getRow(id);
          if (current.status === 'cancelled') {
            assertVersion(db, registrations, registrations.id, id, expected);
            return;
          }
          guardedUpdate(db, registrations, registrations.id, id, expected, { status: 'cancelled', updatedAt: nowIso() });
          announce(db, id, 'registration.cancelled');
          settleWaitlist(db, current.meetingId, now);
        },
        { behavior: 'immediate' },
      );
    },

    /** A meeting's registrations with the participants' personal data, in queue order. */
    list(meetingId: string, filter: RegistrationFilter, limit: number, cursor?: string) {
      meetingRepo.getRow(meetingId);
      const key = decodeCursor(cursor, 1);
      const rows = db
        .select({ r: registrations, p: participants })
        .from(registrations)
        .innerJoin(participants, eq(registrations.participantId, participants.id))
        .where(
          and(
            eq(registrations.meetingId, meetingId),
            filter.status ? eq(registrations.status, filter.status) : undefined,
            filter.track === 'none' ? isNull(registrations.trackId) : filter.track ? eq(registrations.trackId, filter.track) : undefined,
            key ? gt(registrations.queuedAt, Number(key[0])) : undefined,
          ),
        )
        .orderBy(asc(registrations.queuedAt))
        .limit(limit + 1)
        .all();
      const positions = waitlistPositions(seatsOf(db, meetingId));
      return page(
        rows,
        limit,
        ({ r }) => [r.queuedAt],
        ({ r, p }): RegistrationWithParticipant => ({
          ...toRegistration(r, positions),
          participant: { id: p.id, name: p.name, email: p.email, role: p.role, municipalityCode: p.municipalityCode },
        }),
      );
    },

    /**
     * Every registration of a meeting (cancelled ones too) with the participant, municipality and track
     * names, in queue order: the rows of the CSV export.
     */
    exportRows(meetingId: string): RegistrationExportRow[] {
      meetingRepo.getRow(meetingId);
      const rows = db
        .select({ r: registrations, p: participants, municipality: municipalities.name, track: tracks.name })
        .from(registrations)
        .innerJoin(participants, eq(registrations.participantId, participants.id))
        .leftJoin(municipalities, eq(participants.municipalityCode, municipalities.code))
        .leftJoin(tracks, eq(registrations.trackId, tracks.id))
        .where(eq(registrations.meetingId, meetingId))
        .orderBy(asc(registrations.queuedAt))
        .all();
      const positions = waitlistPositions(seatsOf(db, meetingId));
      return rows.map(({ r, p, municipality, track }) => ({
        ...toRegistration(r, positions),
        participant: { name: p.name, email: p.email, role: p.role, municipalityCode: p.municipalityCode, municipality },
        trackName: track,
      }));
    },

    /**
     * Counts only. Tracks as the caller may see them: the working tracks for those who may see the
     * network's unpublished data, otherwise the tracks of the latest release.
     */
    summary(meetingId: string, access: DraftAccess, now: Date = new Date()): RegistrationSummary {
      const meeting = meetingRepo.getRow(meetingId, access);
      const seats = seatsOf(db, meetingId);
      const working = tracksOf(db, meetingId);
      const shown: { id: string; name: string }[] = allows(access, meeting.networkSlug)
        ? working
        : (publishedAgenda(db, meetingId)?.tracks ?? []);
      const count = (status: Seat['status'], trackId?: string) =>
        seats.filter((s) => s.status === status && (trackId === undefined || s.trackId === trackId)).length;
      const registered = count('registered');
      return {
        meetingId,
        capacity: meeting.capacity,
        registered,
        waitlisted: count('waitlisted'),
        available: meeting.capacity === null ? null : Math.max(0, meeting.capacity - registered),
        open: meeting.status === 'announced' && registrationOpen(meeting, now),
        closesAt: toUtcString(registrationClosesAt(meeting)),
        tracks: shown.map((t) => ({
          id: t.id,
          name: t.name,
          capacity: working.find((w) => w.id === t.id)?.capacity ?? null,
          registered: count('registered', t.id),
          waitlisted: count('waitlisted', t.id),
        })),
      };
    },
  };
}
