// What a participant does by their manage link: see their registrations (status, place on the waiting
// list), change track, cancel, download or erase their data, propose themes for upcoming meetings and vote
// on others. Every change goes through the repositories the API uses (waiting-list promotion, receipts,
// feed publication by the triggers) inside one self-service transaction.
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { meetings, proposalVotes, registrations, tracks, type MeetingRow, type ParticipantRow, type TrackRow } from '../../db/schema.js';
import { notFound } from '../http/errors.js';
import { currentFeedSecret, personalFeedLinks } from '../participants/feed-secrets.js';
import { participantsRepository } from '../participants/participants.repository.js';
import type { ParticipantExport } from '../participants/participants.schemas.js';
import { proposalsRepository } from '../proposals/proposals.repository.js';
import type { Proposal } from '../proposals/proposals.schemas.js';
import { hasStarted, registrationOpen } from '../registrations/registration-window.js';
import { registrationsRepository } from '../registrations/registrations.repository.js';
import { selfServiceWrite } from './self-service-write.js';

export interface ManagedRegistration {
  id: string;
  meeting: MeetingRow;
  track: TrackRow | null;
  status: 'registered' | 'waitlisted' | 'cancelled';
  waitlistPosition: number | null;
  /** The meeting's tracks while the registration can still move (active, meeting not started). */
  tracks: TrackRow[];
  /** Whether it can still be cancelled or moved. */
  changeable: boolean;
}

export interface ParticipantOverview {
  participant: ParticipantRow;
  /** The service's public address (the feed's links are under it). */
  baseUrl: string;
  registrations: ManagedRegistration[];
  feed: { https: string; webcal: string } | null;
  /** Announced meetings of the network that have not started: proposals may name one. */
  upcoming: MeetingRow[];
  /** Upcoming meetings open for registration that the participant is not registered for, with their tracks. */
  more: { meeting: MeetingRow; tracks: TrackRow[] }[];
  /** Open proposals of the network, most votes first. */
  proposals: (Proposal & { voted: boolean })[];
}

export function participantManageService(db: Db, baseUrl: string, linkKey: Buffer, now: () => Date = () => new Date()) {
  const regs = registrationsRepository(db, baseUrl);
  const proposals = proposalsRepository(db, baseUrl);

  /** The participant's own registration (404 for anyone else's). */
  const own = (participant: ParticipantRow, registrationId: string) => {
    const row = db.select().from(registrations).where(eq(registrations.id, registrationId)).get();
    if (!row || row.participantId !== participant.id) throw notFound('Registration', registrationId);
    return row;
  };

  const slugOf = (participant: ParticipantRow): string => {
    if (!participant.networkSlug) throw notFound('Participant', participant.id);
    return participant.networkSlug;
  };

  return {
    overview(participant: ParticipantRow): ParticipantOverview {
      const rows = db
        .select({ r: registrations, m: meetings, t: tracks })
        .from(registrations)
        .innerJoin(meetings, eq(registrations.meetingId, meetings.id))
        .leftJoin(tracks, eq(registrations.trackId, tracks.id))
        .where(eq(registrations.participantId, participant.id))
        .orderBy(asc(meetings.date), asc(meetings.startTime), asc(registrations.queuedAt))
        .all();
      const managed = rows.map(({ r, m, t }): ManagedRegistration => {
        const changeable = r.status !== 'cancelled' && m.status === 'announced' && !hasStarted(m, now());
        return {
          id: r.id,
          meeting: m,
          track: t,
          status: r.status,
          waitlistPosition: r.status === 'waitlisted' ? regs.get(r.id).waitlistPosition : null,
          tracks: changeable ? db.select().from(tracks).where(eq(tracks.meetingId, m.id)).orderBy(asc(tracks.sortOrder), asc(tracks.id)).all() : [],
          changeable,
        };
      });
      const slug = participant.networkSlug;
      const upcoming = slug
        ? db
            .select()
            .from(meetings)
            .where(and(eq(meetings.networkSlug, slug), eq(meetings.status, 'announced')))
            .orderBy(asc(meetings.date), asc(meetings.startTime))
            .all()
            .filter((m) => !hasStarted(m, now()))
        : [];
      const active = new Set(managed.filter((r) => r.status !== 'cancelled').map((r) => r.meeting.id));
      const more = upcoming
        .filter((m) => !active.has(m.id) && registrationOpen(m, now()))
        .map((meeting) => ({ meeting, tracks: db.select().from(tracks).where(eq(tracks.meetingId, meeting.id)).orderBy(asc(tracks.sortOrder), asc(tracks.id)).all() }));
      const open = slug ? proposals.list(slug, { status: 'open' }, false, 100).data : [];
      const voted = new Set(
        open.length > 0
          ? db
              .select({ id: proposalVotes.proposalId })
              .from(proposalVotes)
              .where(and(eq(proposalVotes.participantId, participant.id), inArray(proposalVotes.proposalId, open.map((p) => p.id))))
              .all()
              .map((v) => v.id)
          : [],
      );
      const secret = currentFeedSecret(linkKey, participant);
      return {
        participant,
        baseUrl,
        registrations: managed,
        feed: secret ? personalFeedLinks(baseUrl, secret) : null,
        upcoming,
        more,
        proposals: open.map((p) => ({ ...p, voted: voted.has(p.id) })),
      };
    },

    /** Registers the participant for another meeting of their network (the same rules as the public form). */
    register(participant: ParticipantRow, meetingId: string, trackId: string | null) {
      return selfServiceWrite(db, () => {
        const meeting = db.select().from(meetings).where(eq(meetings.id, meetingId)).get();
        if (!meeting || meeting.networkSlug !== participant.networkSlug || meeting.status === 'draft') throw notFound('Meeting', meetingId);
        return regs.register(meetingId, { participantId: participant.id, trackId }, now());
      });
    },

    changeTrack(participant: ParticipantRow, registrationId: string, trackId: string): void {
      selfServiceWrite(db, () => {
        own(participant, registrationId);
        regs.changeTrack(registrationId, trackId, undefined, now());
      });
    },

    cancel(participant: ParticipantRow, registrationId: string): void {
      selfServiceWrite(db, () => {
        own(participant, registrationId);
        regs.cancel(registrationId, undefined, now());
      });
    },

    exportData(participant: ParticipantRow): ParticipantExport {
      return participantsRepository(db, baseUrl, linkKey).exportData(participant.id, false);
    },

    erase(participant: ParticipantRow): void {
      selfServiceWrite(db, () => participantsRepository(db, baseUrl, linkKey).erase(participant.id, undefined, false));
    },

    propose(participant: ParticipantRow, input: { meetingId: string; title: string; description: string }): void {
      selfServiceWrite(db, () => {
        proposals.create(slugOf(participant), { participantId: participant.id, meetingId: input.meetingId, title: input.title, description: input.description }, false, now());
      });
    },

    vote(participant: ParticipantRow, proposalId: string): void {
      selfServiceWrite(db, () => {
        const proposal = proposals.getRow(proposalId);
        if (proposal.networkSlug !== participant.networkSlug) throw notFound('Proposal', proposalId);
        proposals.vote(proposalId, participant.id);
      });
    },
  };
}

export type ParticipantManageService = ReturnType<typeof participantManageService>;
