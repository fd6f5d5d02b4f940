// Opaque, stable ids: a readable prefix, the creation time (so ids sort roughly by age) and 80 random bits.
import { randomBytes } from 'node:crypto';

export type IdPrefix = 'mtg' | 'trk' | 'thm' | 'spk' | 'itm' | 'ven' | 'tok' | 'rel' | 'mbr' | 'cls' | 'par' | 'reg' | 'prp' | 'msg' | 'dlv' | 'whk';

export function newId(prefix: IdPrefix): string {
  const time = Date.now().toString(36).padStart(9, '0');
  const random = randomBytes(10).toString('base64url').replace(/[-_]/g, 'x');
  return `${prefix}_${time}${random}`;
}

/** Timestamps are ISO 8601 UTC with milliseconds. */
export const nowIso = (): string => new Date().toISOString();
