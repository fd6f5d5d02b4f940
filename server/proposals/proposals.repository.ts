// Theme proposals: participants propose themes or questions for a network's meetings and vote on them;
// coordinators take them up (link a theme or an agenda item) or decline them. Public readers see
// proposals and their vote counts, never who proposed or voted.
import { and, count, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import {
  agendaItems,
  meetings,
  proposalVotes,
  themeProposals,
  themes,
  type ProposalRow,
} from '../../db/schema.js';
import { allows, type DraftAccess } from '../auth/auth.plugin.js';
import type { Resolver } from '../auth/authorize.js';
import { badRequest, conflict, notFound } from '../http/errors.js';
import { newId, nowIso } from '../http/ids.js';
import { decodeCursor, encodeCursor } from '../http/pagination.js';
import { guardedUpdate } from '../http/preconditions.js';
import { networksRepository } from '../networks/networks.repository.js';
import { assertParticipantInNetwork } from '../participants/participant-network.js';
import { hasStarted } from '../registrations/registration-window.js';
import { publishedAgenda } from '../releases/published.js';
import { themesRepository } from '../themes/themes.repository.js';
import type { Proposal, ProposalAccept, ProposalCreate } from './proposals.schemas.js';
import { enqueue } from '../outbox/outbox.js';

/** Authorisation target of a proposal: its network. */
export const proposalResolver: Resolver = (db, p) => {
  const row = db.select({ slug: themeProposals.networkSlug }).from(themeProposals).where(eq(themeProposals.id, p.id ?? '')).get();
  return row ? { slug: row.slug, hidden: null } : null;
};

export interface ItemRef {
  id: string;
  title: string;
  meetingId: string;
}

/**
 * An agenda item as a reader may see it: from the working agenda when `working`, otherwise only as
 * released (the latest release of a meeting that is not a draft). Null when not visible or gone.
 */
export function itemRef(db: Db, itemId: string | null, working: boolean): ItemRef | null {
  if (!itemId) return null;
  const row = db.select({ id: agendaItems.id, title: agendaItems.title, meetingId: agendaItems.meetingId }).from(agendaItems).where(eq(agendaItems.id, itemId)).get();
  if (!row) return null;
  if (working) return row;
  const released = publishedAgenda(db, row.meetingId)?.items.find((i) => i.id === itemId);
  return released ? { id: released.id, title: released.title, meetingId: row.meetingId } : null;
}

/** Vote counts of proposals. */
export function voteCounts(db: Db, ids: string[]): Map<string, number> {
  if (ids.length === 0) return new Map();
  const rows = db
    .select({ id: proposalVotes.proposalId, n: count() })
    .from(proposalVotes)
    .where(inArray(proposalVotes.proposalId, ids))
    .groupBy(proposalVotes.proposalId)
    .all();
  return new Map(rows.map((r) => [r.id, r.n]));
}

/** Most votes first; among equals the oldest first. */
export const byRank = (a: { votes: number; createdAt: string; id: string }, b: { votes: number; createdAt: string; id: string }) =>
  b.votes - a.votes || a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);

export interface ProposalFilter {
  status?: ProposalRow['status'] | undefined;
  meetingId?: string | undefined;
}

export function proposalsRepository(db: Db, baseUrl: string) {
  const networkRepo = networksRepository(db, baseUrl);
  const themeRepo = themesRepository(db, baseUrl);

  const getRow = (id: string): ProposalRow => {
    const row = db.select().from(themeProposals).where(eq(themeProposals.id, id)).get();
    if (!row) throw notFound('Proposal', id);
    return row;
  };

  /** Shapes proposals for a reader: who proposed only for those who may see the network's private data. */
  function present(rows: ProposalRow[], access: DraftAccess): Proposal[] {
    const votes = voteCounts(db, rows.map((r) => r.id));
    const themeIds = [...new Set(rows.map((r) => r.themeId).filter((x): x is string => x !== null))];
    const themeRows = themeIds.length > 0 ? db.select().from(themes).where(inArray(themes.id, themeIds)).all() : [];
    const meetingIds = [...new Set(rows.map((r) => r.meetingId).filter((x): x is string => x !== null))];
    const meetingRows =
      meetingIds.length > 0 ? db.select({ id: meetings.id, status: meetings.status }).from(meetings).where(inArray(meetings.id, meetingIds)).all() : [];
    return rows.map((r) => {
      const privileged = allows(access, r.networkSlug);
      const theme = themeRows.find((t) => t.id === r.themeId);
      const meetingVisible = privileged || meetingRows.find((m) => m.id === r.meetingId)?.status !== 'draft';
      return {
        id: r.id,
        networkSlug: r.networkSlug,
        meetingId: r.meetingId && meetingVisible ? r.meetingId : null,
        title: r.title,
        description: r.description,
        status: r.status,
        votes: votes.get(r.id) ?? 0,
        theme: theme ? { key: theme.key, name: theme.name } : null,
        item: itemRef(db, r.itemId, privileged),
        decisionNote: r.decisionNote,
        decidedAt: r.decidedAt,
        ...(privileged ? { participantId: r.participantId } : {}),
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
      };
    });
  }

  const get = (id: string, access: DraftAccess): Proposal => {
    const row = getRow(id);
    return { ...present([row], access)[0]!, version: row.version } as Proposal;
  };

  return {
    getRow,
    get,

    /** Ranked by votes (most first), then oldest first. Cursor: the rank key of the last one served. */
    list(slug: string, filter: ProposalFilter, access: DraftAccess, limit: number, cursor?: string) {
      networkRepo.getRow(slug);
      const key = decodeCursor(cursor, 3);
      // A draft meeting the reader may not see has no proposals as far as they can tell.
      if (filter.meetingId && !allows(access, slug)) {
        const m = db.select({ status: meetings.status }).from(meetings).where(eq(meetings.id, filter.meetingId)).get();
        if (m?.status === 'draft') return { data: [], nextCursor: null };
      }
      const rows = db
        .select()
        .from(themeProposals)
        .where(
          and(
            eq(themeProposals.networkSlug, slug),
            filter.status ? eq(themeProposals.status, filter.status) : undefined,
            filter.meetingId ? eq(themeProposals.meetingId, filter.meetingId) : undefined,
          ),
        )
        .all();
      const votes = voteCounts(db, rows.map((r) => r.id));
      const ranked = rows.map((r) => ({ row: r, votes: votes.get(r.id) ?? 0, createdAt: r.createdAt, id: r.id })).sort(byRank);
      const start = key ? ranked.filter((r) => byRank(r, { votes: Number(key[0]), createdAt: String(key[1]), id: String(key[2]) }) > 0) : ranked;
      const kept = start.slice(0, limit);
      const last = kept[kept.length - 1];
      return {
        data: present(kept.map((r) => r.row), access),
        nextCursor: start.length > limit && last ? encodeCursor([last.votes, last.createdAt, last.id]) : null,
      };
    },

    create(slug: string, input: ProposalCreate, access: DraftAccess, now: Date = new Date()): Proposal {
      networkRepo.getRow(slug);
      assertParticipantInNetwork(db, input.participantId, slug);
      if (input.meetingId) {
        const m = db.select().from(meetings).where(eq(meetings.id, input.meetingId)).get();
        if (!m || m.networkSlug !== slug || m.status === 'cancelled' || hasStarted(m, now)) {
          throw badRequest('invalid-meeting', `Meeting '${input.meetingId}' is not an upcoming meeting of network '${slug}'`, [
            { path: 'body.meetingId', message: 'must be an upcoming meeting of the network' },
          ]);
        }
      }
      const stamp = nowIso();
      const id = newId('prp');
      db.insert(themeProposals)
        .values({
          id,
          networkSlug: slug,
          participantId: input.participantId,
          title: input.title,
          description: input.description ?? '',
          meetingId: input.meetingId ?? null,
          createdAt: stamp,
          updatedAt: stamp,
        })
        .run();
      return get(id, access);
    },

    /** One vote per participant and proposal; only open proposals take votes. */
    vote(id: string, participantId: string) {
      return db.transaction(
        (tx) => {
          const proposal = getRow(id);
          assertParticipantInNetwork(db, participantId, proposal.networkSlug);
          if (proposal.status !== 'open') throw conflict('proposal-closed', `Proposal '${id}' is ${proposal.status}: it takes no more votes`);
          const existing = tx
            .select()
            .from(proposalVotes)
            .where(and(eq(proposalVotes.proposalId, id), eq(proposalVotes.participantId, participantId)))
            .get();
          if (existing) throw conflict('already-voted', `Participant '${participantId}' has already voted for proposal '${id}'`);
          const createdAt = nowIso();
          tx.insert(proposalVotes).values({ proposalId: id, participantId, createdAt }).run();
          return { proposalId: id, participantId, createdAt, votes: voteCounts(db, [id]).get(id) ?? 0 };
        },
        { behavior: 'immediate' },
      );
    },

    withdrawVote(id: string, participantId: string): void {
      getRow(id);
      const result = db
        .delete(proposalVotes)
        .where(and(eq(proposalVotes.proposalId, id), eq(proposalVotes.participantId, participantId)))
        .run();
      if (result.changes === 0) throw notFound('Vote', `${id}/${participantId}`);
    },

    /** Takes a proposal up: links a theme of the network and/or an item of one of its meetings. */
    accept(id: string, input: ProposalAccept, access: DraftAccess): Proposal {
      return db.transaction(
        () => {
          const proposal = getRow(id);
          if (input.themeKey === undefined && input.itemId === undefined) {
            throw badRequest('link-required', 'Accepting a proposal links it to a theme, an agenda item or both', [
              { path: 'body.themeKey', message: 'give themeKey or itemId' },
              { path: 'body.itemId', message: 'give themeKey or itemId' },
            ]);
          }
          const theme = input.themeKey !== undefined ? themeRepo.resolveKeys(proposal.networkSlug, [input.themeKey], 'body.themeKey')[0]! : null;
          if (input.itemId !== undefined) {
            const item = db
              .select({ slug: meetings.networkSlug })
              .from(agendaItems)
              .innerJoin(meetings, eq(agendaItems.meetingId, meetings.id))
              .where(eq(agendaItems.id, input.itemId))
              .get();
            if (!item || item.slug !== proposal.networkSlug) {
              throw badRequest('item-not-in-network', `Agenda item '${input.itemId}' is not an item of a meeting of network '${proposal.networkSlug}'`, [
                { path: 'body.itemId', message: 'must be an agenda item of a meeting of the network' },
              ]);
            }
          }
          const stamp = nowIso();
          guardedUpdate(db, themeProposals, themeProposals.id, id, undefined, {
            status: 'accepted',
            themeId: theme?.id ?? null,
            itemId: input.itemId ?? null,
            decisionNote: input.note ?? '',
            decidedAt: stamp,
            updatedAt: stamp,
          });
          enqueue(db, {
            type: 'proposal.accepted',
            networkSlug: proposal.networkSlug,
            data: { proposalId: id, title: proposal.title, meetingId: proposal.meetingId, themeId: theme?.id ?? null, itemId: input.itemId ?? null },
          });
          return get(id, access);
        },
        { behavior: 'immediate' },
      );
    },

    decline(id: string, note: string | undefined, access: DraftAccess): Proposal {
      getRow(id);
      const stamp = nowIso();
      guardedUpdate(db, themeProposals, themeProposals.id, id, undefined, {
        status: 'declined',
        themeId: null,
        itemId: null,
        decisionNote: note ?? '',
        decidedAt: stamp,
        updatedAt: stamp,
      });
      return get(id, access);
    },
  };
}
