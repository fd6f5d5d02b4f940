// Participants: people who register for a network's meetings and propose themes there; one record per
// person and network. Personal data: shown only to the network's tokens (and admins), kept out of the audit
// trail (the triggers omit name and email), erasable per network or, by an admin, everywhere. Each record
// has a personal calendar feed behind a secret URL; only the secret's SHA-256 is stored (the secret is derived
// from the link key, see feed-secrets.ts).
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import {
  idempotencyKeys,
  meetings,
  municipalities,
  participants,
  proposalVotes,
  registrations,
  themeProposals,
  tracks,
  type MunicipalityRow,
  type ParticipantRow,
} from '../../db/schema.js';
import { badRequest, notFound } from '../http/errors.js';
import { newId, nowIso } from '../http/ids.js';
import { after, decodeCursor, page } from '../http/pagination.js';
import { assertVersion, guardedUpdate, type Expected } from '../http/preconditions.js';
import { settleWaitlist } from '../registrations/registrations.repository.js';
import { deriveFeedSecret, hashFeedSecret, personalFeedLinks } from './feed-secrets.js';
import type { Participant, ParticipantCreate, ParticipantExport, ParticipantPatch } from './participants.schemas.js';

const FEED_SECRET_RE = /^[A-Za-z0-9_-]{22,128}$/;

/**
 * The participant records whose personal feed has this secret: none after rotation or erasure; several only
 * for a person whose one record was split per network by migration 0006 (their feed shows them all).
 */
export function participantsByFeedSecret(db: Db, secret: string): ParticipantRow[] {
  if (!FEED_SECRET_RE.test(secret)) return [];
  return db.select().from(participants).where(eq(participants.feedTokenHash, hashFeedSecret(secret))).all();
}

export const toParticipant = (row: ParticipantRow, municipality: MunicipalityRow | null): Participant => ({
  id: row.id,
  networkSlug: row.networkSlug,
  name: row.name,
  email: row.email,
  role: row.role,
  municipalityCode: row.municipalityCode,
  municipality: municipality ? { code: municipality.code, name: municipality.name } : null,
  language: row.language,
  changeEmails: row.changeEmails,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

export interface ParticipantFilter {
  network?: string | undefined;
  /** The networks the caller acts in; null = every network (admins). */
  within: ReadonlySet<string> | null;
  municipality?: number | undefined;
  email?: string | undefined;
}

export function participantsRepository(db: Db, baseUrl: string, linkKey: Buffer) {
  const getRow = (id: string): ParticipantRow => {
    const row = db.select().from(participants).where(eq(participants.id, id)).get();
    if (!row) throw notFound('Participant', id);
    return row;
  };

  const selectWithMunicipality = () =>
    db.select({ p: participants, m: municipalities }).from(participants).leftJoin(municipalities, eq(participants.municipalityCode, municipalities.code));

  /** The participant as the API shows it; `version` rides along for the ETag and is not serialised. */
  const get = (id: string): Participant => {
    getRow(id);
    const r = selectWithMunicipality().where(eq(participants.id, id)).get()!;
    return { ...toParticipant(r.p, r.m), version: r.p.version } as Participant;
  };

  function assertMunicipality(code: number | null | undefined): void {
    if (code === null || code === undefined) return;
    if (!db.select({ code: municipalities.code }).from(municipalities).where(eq(municipalities.code, code)).get()) {
      throw badRequest('unknown-municipality', `No municipality with code ${code}`, [{ path: 'body.municipalityCode', message: 'unknown municipality code' }]);
    }
  }

  return {
    getRow,
    get,

    list(filter: ParticipantFilter, limit: number, cursor?: string) {
      const key = decodeCursor(cursor, 2);
      const rows = selectWithMunicipality()
        .where(
          and(
            filter.network !== undefined ? eq(participants.networkSlug, filter.network) : undefined,
            filter.within !== null ? inArray(participants.networkSlug, [...filter.within]) : undefined,
            filter.municipality !== undefined ? eq(participants.municipalityCode, filter.municipality) : undefined,
            filter.email !== undefined ? sql`casefold(${participants.email}) = casefold(${filter.email})` : undefined,
            key ? after([participants.name, participants.id], key) : undefined,
          ),
        )
        .orderBy(asc(participants.name), asc(participants.id))
        .limit(limit + 1)
        .all();
      return page(rows, limit, (r) => [r.p.name, r.p.id], (r) => toParticipant(r.p, r.m));
    },

    /** Creates the network's participant; the feed secret is returned (and later e-mailed), never stored. */
    create(networkSlug: string, input: ParticipantCreate): Participant & { feed: { https: string; webcal: string } } {
      assertMunicipality(input.municipalityCode);
      const now = nowIso();
      const id = newId('par');
      const secret = deriveFeedSecret(linkKey, id, 0);
      db.insert(participants)
        .values({ ...input, networkSlug, id, generation: 0, feedTokenHash: hashFeedSecret(secret), createdAt: now, updatedAt: now })
        .run();
      return { ...get(id), feed: personalFeedLinks(baseUrl, secret) };
    },

    update(id: string, patch: ParticipantPatch, expected?: Expected): Participant {
      getRow(id);
      assertMunicipality(patch.municipalityCode);
      guardedUpdate(db, participants, participants.id, id, expected, { ...patch, updatedAt: nowIso() });
      return get(id);
    },

    /** A new feed secret; the old URL stops working at once. */
    rotateFeed(id: string): { participantId: string; feed: { https: string; webcal: string } } {
      const generation = getRow(id).generation + 1;
      const secret = deriveFeedSecret(linkKey, id, generation);
      guardedUpdate(db, participants, participants.id, id, undefined, { generation, feedTokenHash: hashFeedSecret(secret), updatedAt: nowIso() });
      return { participantId: id, feed: personalFeedLinks(baseUrl, secret) };
    },

    /**
     * The person's records: the one addressed, and with `everywhere` (admins) every record with the same
     * e-mail address (case-insensitive) in any network.
     */
    personRecords(id: string, everywhere: boolean) {
      const row = getRow(id);
      return selectWithMunicipality()
        .where(everywhere ? sql`casefold(${participants.email}) = casefold(${row.email})` : eq(participants.id, id))
        .orderBy(asc(participants.networkSlug), asc(participants.id))
        .all();
    },

    /** Everything stored about the participant (GDPR art. 15): in its network, or with `everywhere` in all. */
    exportData(id: string, everywhere: boolean): ParticipantExport {
      const participant = get(id);
      const records = this.personRecords(id, everywhere);
      const ids = records.map((r) => r.p.id);
      const regs = db
        .select({ r: registrations, m: meetings, t: tracks })
        .from(registrations)
        .innerJoin(meetings, eq(registrations.meetingId, meetings.id))
        .leftJoin(tracks, eq(registrations.trackId, tracks.id))
        .where(inArray(registrations.participantId, ids))
        .orderBy(asc(meetings.date), asc(meetings.startTime), asc(registrations.queuedAt))
        .all();
      const proposals = db
        .select()
        .from(themeProposals)
        .where(inArray(themeProposals.participantId, ids))
        .orderBy(asc(themeProposals.createdAt), asc(themeProposals.id))
        .all();
      const votes = db
        .select({ v: proposalVotes, p: themeProposals })
        .from(proposalVotes)
        .innerJoin(themeProposals, eq(proposalVotes.proposalId, themeProposals.id))
        .where(inArray(proposalVotes.participantId, ids))
        .orderBy(asc(proposalVotes.createdAt), asc(proposalVotes.proposalId))
        .all();
      return {
        participant,
        records: records.map((r) => toParticipant(r.p, r.m)),
        registrations: regs.map(({ r, m, t }) => ({
          id: r.id,
          meeting: { id: m.id, networkSlug: m.networkSlug, title: m.title, date: m.date, startTime: m.startTime, timeZone: m.timeZone },
          track: t ? { id: t.id, name: t.name } : null,
          status: r.status,
          queuedAt: r.queuedAt,
          createdAt: r.createdAt,
          updatedAt: r.updatedAt,
        })),
        proposals: proposals.map((p) => ({
          id: p.id,
          networkSlug: p.networkSlug,
          meetingId: p.meetingId,
          title: p.title,
          description: p.description,
          status: p.status,
          createdAt: p.createdAt,
          updatedAt: p.updatedAt,
        })),
        votes: votes.map(({ v, p }) => ({ proposalId: v.proposalId, networkSlug: p.networkSlug, title: p.title, createdAt: v.createdAt })),
      };
    },

    /**
     * Erasure (GDPR art. 17), in one transaction: the participant's record (with `everywhere`, an admin's
     * erasure, every record of the person: same e-mail address, any network); their registrations and votes
     * go; proposals they wrote stay, anonymous; places they held go to the waiting lists; stored
     * Idempotency-Key responses that carried their data are dropped.
     */
    erase(id: string, expected: Expected | undefined, everywhere: boolean): void {
      db.transaction(
        (tx) => {
          const ids = this.personRecords(id, everywhere).map((r) => r.p.id);
          assertVersion(db, participants, participants.id, id, expected);
          const held = tx
            .selectDistinct({ meetingId: registrations.meetingId })
            .from(registrations)
            .where(and(inArray(registrations.participantId, ids), inArray(registrations.status, ['registered', 'waitlisted'])))
            .all();
          tx.delete(registrations).where(inArray(registrations.participantId, ids)).run();
          tx.delete(proposalVotes).where(inArray(proposalVotes.participantId, ids)).run();
          tx.update(themeProposals)
            .set({ participantId: null, updatedAt: nowIso(), version: sql`${themeProposals.version} + 1` })
            .where(inArray(themeProposals.participantId, ids))
            .run();
          tx.delete(participants).where(inArray(participants.id, ids)).run();
          for (const { meetingId } of held) settleWaitlist(db, meetingId);
          for (const gone of ids) tx.delete(idempotencyKeys).where(sql`instr(${idempotencyKeys.response}, ${gone}) > 0`).run();
        },
        { behavior: 'immediate' },
      );
    },
  };
}
