// Who may write what. Admins write everywhere; coordinators inside the networks of their token; readers
// never. A coordinator writing in another network gets the same 404 as for a missing object when the
// target is unpublished there (a draft meeting and what hangs off it, and always a participant: personal
// data), and 403 otherwise. Venues and speakers belong to one network and follow the same rule.
import { eq, sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { Db } from '../../db/client.js';
import { agendaItems, meetings, networks, participants, speakers, tracks, venues } from '../../db/schema.js';
import { forbidden, notFound, type AppError } from '../http/errors.js';
import { requireToken } from './auth.plugin.js';

export interface Target {
  slug: string;
  /** The error a caller who may not see the target's drafts gets: the same as for a missing object. */
  hidden: AppError | null;
}

export type Resolver = (db: Db, params: Record<string, string>) => Target | null;

/** Every guarded write resolves its target: the lookups are prepared once per database. */
const prepare = (db: Db) => {
  const id = sql.placeholder('id');
  return {
    network: db.select({ slug: networks.slug }).from(networks).where(eq(networks.slug, id)).prepare(),
    meeting: db.select({ slug: meetings.networkSlug, status: meetings.status }).from(meetings).where(eq(meetings.id, id)).prepare(),
    track: db.select({ meetingId: tracks.meetingId }).from(tracks).where(eq(tracks.id, id)).prepare(),
    item: db.select({ meetingId: agendaItems.meetingId }).from(agendaItems).where(eq(agendaItems.id, id)).prepare(),
    venue: db.select({ slug: venues.networkSlug }).from(venues).where(eq(venues.id, id)).prepare(),
    speaker: db.select({ slug: speakers.networkSlug }).from(speakers).where(eq(speakers.id, id)).prepare(),
    participant: db.select({ slug: participants.networkSlug }).from(participants).where(eq(participants.id, id)).prepare(),
  };
};

const prepared = new WeakMap<Db, ReturnType<typeof prepare>>();

function lookups(db: Db) {
  let s = prepared.get(db);
  if (!s) {
    s = prepare(db);
    prepared.set(db, s);
  }
  return s;
}

const meetingTarget = (db: Db, meetingId: string, missing: AppError): Target | null => {
  const m = lookups(db).meeting.get({ id: meetingId });
  return m ? { slug: m.slug, hidden: m.status === 'draft' ? missing : null } : null;
};

export const resolvers = {
  network: (db, p) => {
    const n = lookups(db).network.get({ id: p.slug ?? '' });
    return n ? { slug: n.slug, hidden: null } : null;
  },
  meeting: (db, p) => meetingTarget(db, p.id ?? '', notFound('Meeting', p.id ?? '')),
  track: (db, p) => {
    const t = lookups(db).track.get({ id: p.id ?? '' });
    return t ? meetingTarget(db, t.meetingId, notFound('Track', p.id ?? '')) : null;
  },
  item: (db, p) => {
    const i = lookups(db).item.get({ id: p.id ?? '' });
    return i ? meetingTarget(db, i.meetingId, notFound('Agenda item', p.id ?? '')) : null;
  },
  // Venues and speakers are public (their private fields aside): another network's token gets 403. An
  // unassigned one (slug '') is in no token's scope: admins only.
  venue: (db, p) => {
    const v = lookups(db).venue.get({ id: p.id ?? '' });
    return v ? { slug: v.slug ?? '', hidden: null } : null;
  },
  speaker: (db, p) => {
    const s = lookups(db).speaker.get({ id: p.id ?? '' });
    return s ? { slug: s.slug ?? '', hidden: null } : null;
  },
  // A participant is never public: outside its network it does not exist.
  participant: (db, p) => {
    const r = lookups(db).participant.get({ id: p.id ?? '' });
    return r ? { slug: r.slug ?? '', hidden: notFound('Participant', p.id ?? '') } : null;
  },
} satisfies Record<string, Resolver>;

/** preHandler for writes inside one network, found from the route's params. */
export function networkWrite(db: Db, resolve: Resolver) {
  return async (request: FastifyRequest): Promise<void> => {
    await requireToken(request);
    const { token, scope } = request;
    if (token!.role === 'admin') return;
    const target = resolve(db, request.params as Record<string, string>);
    if (token!.role === 'reader') {
      if (target?.hidden && !scope?.has(target.slug)) throw target.hidden;
      throw forbidden('Reader tokens cannot write');
    }
    if (!target) return; // the handler answers 404 for the missing object
    if (scope?.has(target.slug)) return;
    if (target.hidden) throw target.hidden;
    throw forbidden(`This token may not write in network '${target.slug}'`);
  };
}

/** preHandler for administration (creating and deleting networks, tokens, the audit trail). */
export async function adminOnly(request: FastifyRequest): Promise<void> {
  await requireToken(request);
  if (request.token!.role !== 'admin') throw forbidden('Only admin tokens may do this');
}

/** Whether the request's token acts in this network (admins in every one; an unassigned record: admins only). */
export function actsIn(request: FastifyRequest, slug: string | null): boolean {
  const { token, scope } = request;
  if (!token) return false;
  if (token.role === 'admin') return true;
  return slug !== null && scope !== null && scope.has(slug);
}

/** preHandler for reads of unpublished data of one network (e.g. agenda checks). */
export function networkRead(db: Db, resolve: Resolver) {
  return async (request: FastifyRequest): Promise<void> => {
    await requireToken(request);
    const { token, scope } = request;
    if (token!.role === 'admin') return;
    const target = resolve(db, request.params as Record<string, string>);
    if (!target || scope?.has(target.slug)) return;
    if (target.hidden) throw target.hidden;
    throw forbidden(`This token may not read unpublished data of network '${target.slug}'`);
  };
}
