// Denmark's 98 municipalities: reference data, loaded by migration 0005 and never written by the API.
import { asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { municipalities, type MunicipalityRow } from '../../db/schema.js';
import { badRequest, notFound } from '../http/errors.js';
import type { Municipality, Region } from './municipalities.schemas.js';

export const toMunicipality = (row: MunicipalityRow): Municipality => ({ code: row.code, name: row.name, region: row.region });

export function municipalitiesRepository(db: Db) {
  return {
    list(region?: Region): Municipality[] {
      return db
        .select()
        .from(municipalities)
        .where(region ? eq(municipalities.region, region) : undefined)
        .orderBy(asc(municipalities.code))
        .all()
        .map(toMunicipality);
    },
    get(code: number): Municipality {
      const row = db.select().from(municipalities).where(eq(municipalities.code, code)).get();
      if (!row) throw notFound('Municipality', String(code));
      return toMunicipality(row);
    },
    /** The municipalities of the given codes, in the order given; an unknown code is a bad request at `path`. */
    resolve(codes: number[], path: (index: number) => string): Municipality[] {
      const rows = codes.length > 0 ? db.select().from(municipalities).where(inArray(municipalities.code, codes)).all() : [];
      const byCode = new Map(rows.map((r) => [r.code, r]));
      const missing = codes.flatMap((code, i) => (byCode.has(code) ? [] : [{ path: path(i), message: `no municipality with code ${code}` }]));
      if (missing.length > 0) {
        throw badRequest('unknown-municipality', `Unknown municipality code(s): ${codes.filter((c) => !byCode.has(c)).join(', ')}`, missing);
      }
      return codes.map((code) => toMunicipality(byCode.get(code)!));
    },
  };
}
