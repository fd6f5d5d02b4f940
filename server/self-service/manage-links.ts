// Manage links: the capability URLs of self-service (no accounts). A municipality's contact manages its
// membership, a participant their registrations and data, by a secret in the URL `/manage/{token}`. The
// secret is 24 random bytes (192 bits, base64url: 32 characters); only its SHA-256 is stored, so a copy of
// the database reveals no link. Unknown, malformed and erased links all resolve to nothing (a 404 page).
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { manageLinks, members, participants, type MemberRow, type ParticipantRow } from '../../db/schema.js';
import { hashToken } from '../auth/tokens.js';
import { nowIso } from '../http/ids.js';

const TOKEN_BYTES = 24;
const TOKEN_RE = /^[A-Za-z0-9_-]{32}$/;

/** The path of a manage link (the page it opens). */
export const managePath = (token: string) => `/manage/${token}`;

export type ManageHolder = { kind: 'member'; member: MemberRow } | { kind: 'participant'; participant: ParticipantRow };

/** Makes a new link for a member or a participant (inside the caller's transaction); returns the secret. */
export function createManageLink(db: Db, holder: { memberId: string } | { participantId: string }): string {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  db.insert(manageLinks)
    .values({ tokenHash: hashToken(token), memberId: 'memberId' in holder ? holder.memberId : null, participantId: 'participantId' in holder ? holder.participantId : null, createdAt: nowIso() })
    .run();
  return token;
}

/** Drops a member's links (a new sign-up gets a new one; the old ones stop working). */
export function dropMemberLinks(db: Db, memberId: string): void {
  db.delete(manageLinks).where(eq(manageLinks.memberId, memberId)).run();
}

/** Whom a link belongs to, or null for an unknown or malformed one. */
export function resolveManageLink(db: Db, token: string): ManageHolder | null {
  if (!TOKEN_RE.test(token)) return null;
  const link = db.select().from(manageLinks).where(eq(manageLinks.tokenHash, hashToken(token))).get();
  if (!link) return null;
  if (link.memberId) {
    const member = db.select().from(members).where(eq(members.id, link.memberId)).get();
    return member ? { kind: 'member', member } : null;
  }
  const participant = db.select().from(participants).where(eq(participants.id, link.participantId ?? '')).get();
  return participant ? { kind: 'participant', participant } : null;
}
