// API tokens: random secrets shown once, stored only as SHA-256 hashes (they carry 256 random bits,
// so a fast hash is enough; no salt or KDF needed).
import { createHash, randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { apiTokens, tokenNetworks, type TokenRole, type TokenRow } from '../../db/schema.js';
import { newId, nowIso } from '../http/ids.js';

const PREFIX = 'na_';

export const hashToken = (raw: string): string => createHash('sha256').update(raw, 'utf8').digest('hex');

export function createToken(db: Db, input: { name: string; role: TokenRole; expiresAt?: string | null }) {
  const raw = PREFIX + randomBytes(32).toString('base64url');
  const row: TokenRow = {
    id: newId('tok'),
    name: input.name,
    role: input.role,
    tokenHash: hashToken(raw),
    createdAt: nowIso(),
    lastUsedAt: null,
    revokedAt: null,
    expiresAt: input.expiresAt ?? null,
  };
  db.insert(apiTokens).values(row).run();
  return { token: row, raw };
}

const prepare = (db: Db) => ({
  byHash: db.select().from(apiTokens).where(eq(apiTokens.tokenHash, sql.placeholder('hash'))).prepare(),
  scope: db
    .select({ networkSlug: tokenNetworks.networkSlug })
    .from(tokenNetworks)
    .where(eq(tokenNetworks.tokenId, sql.placeholder('tokenId')))
    .prepare(),
});

/** Every request with a token looks it up: the statements are prepared once per database. */
const prepared = new WeakMap<Db, ReturnType<typeof prepare>>();

function statementsOf(db: Db) {
  let s = prepared.get(db);
  if (!s) {
    s = prepare(db);
    prepared.set(db, s);
  }
  return s;
}

/** The live token for a raw secret, or undefined when unknown, revoked or expired. */
export function findActiveToken(db: Db, raw: string, now = new Date()): TokenRow | undefined {
  if (!raw.startsWith(PREFIX) || raw.length > 200) return undefined;
  const row = statementsOf(db).byHash.get({ hash: hashToken(raw) });
  if (!row || row.revokedAt) return undefined;
  if (row.expiresAt && Date.parse(row.expiresAt) <= now.getTime()) return undefined;
  return row;
}

/** The networks a (non-admin) token may act in. */
export function tokenScope(db: Db, tokenId: string): Set<string> {
  return new Set(statementsOf(db).scope.all({ tokenId }).map((r) => r.networkSlug));
}
