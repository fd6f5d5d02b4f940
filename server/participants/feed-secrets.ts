// Personal feed secrets, derived rather than random: secret = base64url(HMAC-SHA256(link key,
// `personal-feed:{participantId}:{generation}`)), all 32 bytes (43 characters). Only the secret's hash is
// stored (participants.feed_token_hash), as before; deriving it lets the service put a participant's link in
// their e-mails without keeping the link itself. Rotation raises `generation`, so the old link stops working.
//
// The link key is LINK_SECRET when set (then a copy of the database alone reveals no feed link); otherwise
// 32 random bytes made once and kept in the database (service_keys, name 'link').
import { createHmac, randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { serviceKeys } from '../../db/schema.js';
import { hashToken } from '../auth/tokens.js';
import { feedLinks } from '../feeds/feed-links.js';
import { nowIso } from '../http/ids.js';

/** A participant's personal feed secret for one generation. Pure. */
export function deriveFeedSecret(linkKey: Buffer, participantId: string, generation: number): string {
  return createHmac('sha256', linkKey).update(`personal-feed:${participantId}:${generation}`, 'utf8').digest('base64url');
}

/** The subscription links of a personal feed secret. */
export const personalFeedLinks = (baseUrl: string, secret: string) => feedLinks(baseUrl, `/feeds/personal/${secret}.ics`);

/** What is stored of a feed secret. */
export const hashFeedSecret = (secret: string): string => hashToken(secret);

/**
 * The participant's current secret when it is the derived one (stored hash matches), else null: records made
 * before migration 0012 keep a random secret nobody but its holder knows until it is rotated.
 */
export function currentFeedSecret(linkKey: Buffer, row: { id: string; generation: number; feedTokenHash: string }): string | null {
  const secret = deriveFeedSecret(linkKey, row.id, row.generation);
  return hashFeedSecret(secret) === row.feedTokenHash ? secret : null;
}

/** The link key: LINK_SECRET's bytes when configured, else the database's own key (made on first use). */
export function resolveLinkKey(db: Db, linkSecret: string | undefined): Buffer {
  if (linkSecret !== undefined) return Buffer.from(linkSecret, 'utf8');
  const stored = () => db.select().from(serviceKeys).where(eq(serviceKeys.name, 'link')).get();
  let row = stored();
  if (!row) {
    db.$client
      .prepare('INSERT OR IGNORE INTO service_keys (name, value, created_at) VALUES (?, ?, ?)')
      .run('link', randomBytes(32).toString('base64url'), nowIso());
    row = stored()!;
  }
  return Buffer.from(row.value, 'base64url');
}
