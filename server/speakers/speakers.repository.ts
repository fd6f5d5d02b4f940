// Speakers: people who present at one network's meetings; their email is private to that network's tokens.
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { itemSpeakers, speakers, type SpeakerRow } from '../../db/schema.js';
import { badRequest, conflict, notFound } from '../http/errors.js';
import { assertVersion, guardedUpdate, type Expected } from '../http/preconditions.js';
import { newId, nowIso } from '../http/ids.js';
import { after, decodeCursor, page } from '../http/pagination.js';
import type { Speaker, SpeakerCreate, SpeakerPatch } from './speakers.schemas.js';

/** `showPrivate`: true, false, or per network (the caller's networks). */
export function toSpeaker(row: SpeakerRow, showPrivate: boolean | ((slug: string | null) => boolean)): Speaker {
  const { email, ...rest } = row;
  const show = typeof showPrivate === 'function' ? showPrivate(row.networkSlug) : showPrivate;
  return show ? { ...rest, email } : rest;
}

export type PrivateAccess = Parameters<typeof toSpeaker>[1];

export function speakersRepository(db: Db) {
  const getRow = (id: string): SpeakerRow => {
    const row = db.select().from(speakers).where(eq(speakers.id, id)).get();
    if (!row) throw notFound('Speaker', id);
    return row;
  };
  return {
    get: (id: string, showPrivate: PrivateAccess) => toSpeaker(getRow(id), showPrivate),
    /** A network's agenda items name only that network's speakers: another network's is unknown here. */
    resolveIds(slug: string, ids: string[], path: string): SpeakerRow[] {
      if (ids.length === 0) return [];
      const rows = db.select().from(speakers).where(and(inArray(speakers.id, ids), eq(speakers.networkSlug, slug))).all();
      const missing = ids.filter((id) => !rows.some((r) => r.id === id));
      if (missing.length > 0) {
        throw badRequest('unknown-speaker', `Network '${slug}' has no speaker ${missing.map((s) => `'${s}'`).join(', ')}`, [
          { path, message: `unknown speaker id(s) in network '${slug}': ${missing.join(', ')}` },
        ]);
      }
      return ids.map((id) => rows.find((r) => r.id === id)!);
    },
    list(filter: { network?: string | undefined }, showPrivate: PrivateAccess, limit: number, cursor?: string) {
      const key = decodeCursor(cursor, 2);
      const rows = db
        .select()
        .from(speakers)
        .where(
          and(
            filter.network !== undefined ? eq(speakers.networkSlug, filter.network) : undefined,
            key ? after([speakers.name, speakers.id], key) : undefined,
          ),
        )
        .orderBy(asc(speakers.name), asc(speakers.id))
        .limit(limit + 1)
        .all();
      return page(rows, limit, (r) => [r.name, r.id], (r) => toSpeaker(r, showPrivate));
    },
    create(networkSlug: string, input: SpeakerCreate): Speaker {
      const now = nowIso();
      const row = db.insert(speakers).values({ ...input, networkSlug, id: newId('spk'), createdAt: now, updatedAt: now }).returning().get();
      return toSpeaker(row, true);
    },
    update(id: string, patch: SpeakerPatch, expected?: Expected): Speaker {
      if (!guardedUpdate(db, speakers, speakers.id, id, expected, { ...patch, updatedAt: nowIso() })) throw notFound('Speaker', id);
      return toSpeaker(getRow(id), true);
    },
    remove(id: string, expected?: Expected): void {
      db.transaction(
        (tx) => {
          getRow(id);
          assertVersion(db, speakers, speakers.id, id, expected);
          if (tx.select({ id: itemSpeakers.itemId }).from(itemSpeakers).where(eq(itemSpeakers.speakerId, id)).get()) {
            throw conflict('speaker-in-use', `Speaker '${id}' is on agenda items; remove them from those first`);
          }
          tx.delete(speakers).where(eq(speakers.id, id)).run();
        },
        { behavior: 'immediate' },
      );
    },
  };
}
