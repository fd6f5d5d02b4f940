// The rule that a network's registrations, proposals and votes name only that network's participants. Kept
// apart from the participants repository so the features that reference participants need nothing else of it.
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { participants } from '../../db/schema.js';
import { badRequest } from '../http/errors.js';

/** 400 `unknown-participant`, the same for a missing participant as for another network's. */
export function assertParticipantInNetwork(db: Db, participantId: string, slug: string): void {
  const row = db.select({ slug: participants.networkSlug }).from(participants).where(eq(participants.id, participantId)).get();
  if (!row || row.slug !== slug) {
    throw badRequest('unknown-participant', `Network '${slug}' has no participant '${participantId}'`, [
      { path: 'body.participantId', message: `not a participant of network '${slug}'` },
    ]);
  }
}
