// Clusters (klynger): groups of a network's active members. A grouping is proposed (not stored) and then
// confirmed as a whole, which replaces the network's clusters in one transaction.
import { and, asc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { clusters, meetings, members, municipalities, type ClusterRow, type MunicipalityRow } from '../../db/schema.js';
import { feedLinks } from '../feeds/feed-links.js';
import { badRequest, conflict, notFound, type FieldError } from '../http/errors.js';
import { newId, nowIso } from '../http/ids.js';
import { guardedUpdate, type Expected } from '../http/preconditions.js';
import { membersRepository } from '../members/members.repository.js';
import { toMunicipality } from '../municipalities/municipalities.repository.js';
import { networksRepository } from '../networks/networks.repository.js';
import { TOWN_HALLS } from '../../db/town-halls.js';
import { closesAt } from '../members/signup-window.js';
import { proposeClusters, type ProposalMember } from './cluster-proposal.js';
import type { Cluster, ClusterConfirm, ClusterPatch, ProposalRequest, Wave } from './clusters.schemas.js';
import { describe, PinError, proposeByTravel, type Locate } from './travel-proposal.js';

/** Every municipality has a town hall (db/town-halls.ts, checked by its test). */
export const locateTownHall: Locate = (code) => TOWN_HALLS.get(code)!;

/** Wave 1: signed up by the network's deadline (or no deadline); wave 2: signed up after it. */
export function waveOf(signedUpAt: string, network: { signupDeadline: string | null; timeZone: string }): Wave {
  const closes = closesAt({ signupOpens: null, signupDeadline: network.signupDeadline, timeZone: network.timeZone });
  return closes && Date.parse(signedUpAt) >= closes.getTime() ? 2 : 1;
}

/** The region-first proposal with each cluster explained as the travel proposal explains its own. */
export function proposeByRegion<M extends ProposalMember>(members: readonly M[], minSize: number, maxSize: number, locate: Locate = locateTownHall) {
  const p = proposeClusters(members, minSize, maxSize);
  const explained = describe('region', p.clusters.map((c) => c.municipalities), locate, minSize, maxSize);
  return { ...explained, notes: p.notes, problems: p.problems, clusters: explained.clusters.map((c, i) => ({ ...c, name: p.clusters[i]!.name })) };
}

// `cls` is not (yet) in the IdPrefix list of server/http/ids.ts.
const clusterId = () => newId('cls');

const byName = new Intl.Collator('da', { numeric: true });

/** The size bounds of a network's clusters; null: unbounded on that side. */
export interface SizeBounds {
  min: number | null;
  max: number | null;
}

export function sizeProblem(size: number, { min, max }: SizeBounds): string | null {
  if (min !== null && size < min) return `has ${size} municipalities; the minimum is ${min}`;
  if (max !== null && size > max) return `has ${size} municipalities; the maximum is ${max}`;
  return null;
}

export function clustersRepository(db: Db, baseUrl: string) {
  const networkRepo = networksRepository(db, baseUrl);
  const memberRepo = membersRepository(db, baseUrl);

  /** The clusters with their active members, by name (numbers in names sort as numbers). */
  const shape = (rows: ClusterRow[]): (Cluster & { version: number })[] => {
    if (rows.length === 0) return [];
    const placed = db
      .select({ clusterId: members.clusterId, municipality: municipalities })
      .from(members)
      .innerJoin(municipalities, eq(members.municipalityCode, municipalities.code))
      .where(and(inArray(members.clusterId, rows.map((r) => r.id)), eq(members.status, 'active')))
      .orderBy(asc(members.municipalityCode))
      .all();
    const of = (id: string): MunicipalityRow[] => placed.filter((p) => p.clusterId === id).map((p) => p.municipality);
    return rows
      .map((row) => {
        const list = of(row.id).map(toMunicipality);
        return {
          id: row.id,
          networkSlug: row.networkSlug,
          name: row.name,
          wave: row.wave,
          facilitator: row.facilitator,
          size: list.length,
          regions: [...new Set(list.map((m) => m.region))],
          municipalities: list,
          feeds: { meetings: feedLinks(baseUrl, `/feeds/clusters/${row.id}.ics`) },
          createdAt: row.createdAt,
          updatedAt: row.updatedAt,
          version: row.version,
        };
      })
      .sort((a, b) => byName.compare(a.name, b.name) || (a.id < b.id ? -1 : 1));
  };

  const getRow = (id: string): ClusterRow => {
    const row = db.select().from(clusters).where(eq(clusters.id, id)).get();
    if (!row) throw notFound('Cluster', id);
    return row;
  };
  const rowsOf = (slug: string) => db.select().from(clusters).where(eq(clusters.networkSlug, slug)).all();

  return {
    getRow,
    get: (id: string) => shape([getRow(id)])[0]!,

    list(slug: string) {
      networkRepo.getRow(slug);
      return { data: shape(rowsOf(slug)) };
    },

    /** Renames a cluster or names its facilitator. */
    update(id: string, patch: ClusterPatch, expected?: Expected) {
      return db.transaction(
        () => {
          const before = getRow(id);
          const at = nowIso();
          guardedUpdate(db, clusters, clusters.id, id, expected, { ...patch, updatedAt: at });
          // The series' meetings name the facilitator (series.service.ts): they follow a new one.
          if (patch.facilitator !== undefined && patch.facilitator !== before.facilitator) {
            db.update(meetings)
              .set({
                description: sql`replace(${meetings.description}, ${`Facilitator: ${before.facilitator}.`}, ${`Facilitator: ${patch.facilitator}.`})`,
                updatedAt: at,
                version: sql`${meetings.version} + 1`,
              })
              .where(and(eq(meetings.clusterId, id), isNotNull(meetings.seriesNumber)))
              .run();
          }
          return shape([getRow(id)])[0]!;
        },
        { behavior: 'immediate' },
      );
    },

    /** The active members of a wave (all when null), by code. */
    activeOf(slug: string, wave: Wave | null) {
      const network = networkRepo.getRow(slug);
      const all = memberRepo.activeMunicipalities(slug);
      if (wave === null) return all;
      const signedUp = new Map(
        db.select({ code: members.municipalityCode, at: members.signedUpAt }).from(members).where(and(eq(members.networkSlug, slug), eq(members.status, 'active'))).all().map((r) => [r.code, r.at]),
      );
      return all.filter((m) => waveOf(signedUp.get(m.code)!, network) === wave);
    },

    /** A grouping of the active members (of a wave); bounds default to the network's. Nothing is stored. */
    propose(slug: string, request: ProposalRequest = {}, wave: Wave | null = null) {
      const network = networkRepo.getRow(slug);
      const minSize = request.minSize ?? network.clusterMinSize;
      const maxSize = request.maxSize ?? network.clusterMaxSize;
      if (minSize == null || maxSize == null) {
        const missing = [minSize == null ? 'minSize' : null, maxSize == null ? 'maxSize' : null].filter((x): x is string => x !== null);
        throw badRequest(
          'cluster-size-unset',
          `Give ${missing.join(' and ')}, or set the network’s clusterMinSize and clusterMaxSize`,
          missing.map((f) => ({ path: `body.${f}`, message: 'required: the network sets no default' })),
        );
      }
      if (maxSize < minSize) {
        throw badRequest('invalid-cluster-size', `maxSize ${maxSize} is below minSize ${minSize}`, [{ path: 'body.maxSize', message: 'must not be below minSize' }]);
      }
      const active = this.activeOf(slug, wave).map(({ code, name, region }) => ({ code, name, region }));
      const by = request.by ?? 'travel';
      const pins = request.pins ?? {};
      if (by === 'region' && (pins.together?.length || pins.apart?.length)) {
        throw badRequest('pins-need-travel', 'Pins apply to the proposal by travel only', [{ path: 'body.pins', message: 'give `by: travel` (the default) to pin' }]);
      }
      const codes = new Set(active.map((m) => m.code));
      const unknown: FieldError[] = [];
      for (const kind of ['together', 'apart'] as const) {
        (pins[kind] ?? []).forEach((group, i) =>
          group.forEach((code, j) => {
            if (!codes.has(code)) unknown.push({ path: `body.pins.${kind}.${i}.${j}`, message: `municipality ${code} is not an active member${wave ? ` of wave ${wave}` : ''}` });
          }),
        );
      }
      if (unknown.length > 0) throw badRequest('not-a-member', 'Only active members (of the wave proposed) can be pinned', unknown);
      let proposal;
      try {
        proposal = by === 'region' ? proposeByRegion(active, minSize, maxSize) : proposeByTravel(active, minSize, maxSize, locateTownHall, pins);
      } catch (e) {
        if (!(e instanceof PinError)) throw e;
        if (e.code === 'pins-unsatisfiable') throw conflict(e.code, e.message);
        throw badRequest(e.code, e.message, [{ path: 'body.pins', message: e.message }]);
      }
      return { ...proposal, members: active.length, wave };
    },

    /**
     * Replaces the network's clusters with the grouping given: clusters given with an id are kept (renamed
     * if need be), the others are created, and those not given are removed (their meetings lose their
     * cluster). Members not named in any cluster are in none afterwards.
     */
    confirm(slug: string, input: ClusterConfirm, wave: Wave | null = null) {
      return db.transaction(
        () => {
          const network = networkRepo.getRow(slug);
          // A wave's confirmation replaces that wave's clusters only.
          const existing = rowsOf(slug).filter((r) => wave === null || r.wave === wave);
          const errors: FieldError[] = [];

          const seenIds = new Set<string>();
          input.clusters.forEach((c, i) => {
            if (c.id === undefined) return;
            if (!existing.some((e) => e.id === c.id)) errors.push({ path: `body.clusters.${i}.id`, message: `no cluster '${c.id}' in network '${slug}'` });
            else if (seenIds.has(c.id)) errors.push({ path: `body.clusters.${i}.id`, message: `cluster '${c.id}' is given twice` });
            seenIds.add(c.id);
          });
          if (errors.length > 0) throw badRequest('unknown-cluster', 'A cluster id is unknown in this network or given twice', errors);

          const seenCodes = new Map<number, string>();
          input.clusters.forEach((c, i) =>
            c.municipalityCodes.forEach((code, j) => {
              const path = `body.clusters.${i}.municipalityCodes.${j}`;
              const first = seenCodes.get(code);
              if (first) errors.push({ path, message: `municipality ${code} is already in ${first}` });
              else seenCodes.set(code, `body.clusters.${i}.municipalityCodes.${j}`);
            }),
          );
          if (errors.length > 0) throw badRequest('duplicate-municipality', 'A municipality may be in one cluster only', errors);

          const active = new Map(this.activeOf(slug, wave).map((m) => [m.code, m]));
          input.clusters.forEach((c, i) =>
            c.municipalityCodes.forEach((code, j) => {
              if (!active.has(code)) {
                errors.push({ path: `body.clusters.${i}.municipalityCodes.${j}`, message: `municipality ${code} is not an active member of network '${slug}'${wave ? ` in wave ${wave}` : ''}` });
              }
            }),
          );
          if (errors.length > 0) throw badRequest('not-a-member', 'Only active members can be grouped in clusters', errors);

          const bounds: SizeBounds = { min: network.clusterMinSize, max: network.clusterMaxSize };
          const offenders = input.clusters.flatMap((c, index) => {
            const problem = sizeProblem(c.municipalityCodes.length, bounds);
            return problem ? [{ index, name: c.name, size: c.municipalityCodes.length, message: `${c.name} ${problem}` }] : [];
          });
          if (offenders.length > 0) {
            throw conflict('cluster-size', `${offenders.length} cluster(s) outside the network’s size bounds: ${offenders.map((o) => o.message).join('; ')}`, {
              clusters: offenders,
              errors: offenders.map((o) => ({ path: `body.clusters.${o.index}.municipalityCodes`, message: o.message })),
            });
          }

          const at = nowIso();
          const target = new Map<number, string>();
          for (const c of input.clusters) {
            let id = c.id;
            if (id !== undefined) {
              const before = existing.find((e) => e.id === id)!;
              if (before.name !== c.name || (c.facilitator !== undefined && before.facilitator !== c.facilitator)) {
                guardedUpdate(db, clusters, clusters.id, id, undefined, { name: c.name, facilitator: c.facilitator ?? before.facilitator, updatedAt: at });
              }
            } else {
              id = clusterId();
              db.insert(clusters).values({ id, networkSlug: slug, name: c.name, wave, facilitator: c.facilitator ?? '', createdAt: at, updatedAt: at }).run();
            }
            for (const code of c.municipalityCodes) target.set(code, id);
          }

          for (const m of active.values()) {
            const clusterOf = target.get(m.code) ?? null;
            if (m.clusterId === clusterOf) continue;
            db.update(members)
              .set({ clusterId: clusterOf, updatedAt: at, version: sql`${members.version} + 1` })
              .where(eq(members.id, m.memberId))
              .run();
          }

          const removed = existing.filter((e) => !seenIds.has(e.id)).map((e) => e.id);
          if (removed.length > 0) {
            db.update(meetings)
              .set({ clusterId: null, updatedAt: at, version: sql`${meetings.version} + 1` })
              .where(inArray(meetings.clusterId, removed))
              .run();
            // Withdrawn members are in no cluster already; the foreign key would clear any left over.
            db.delete(clusters).where(inArray(clusters.id, removed)).run();
          }
          return { data: shape(rowsOf(slug)) };
        },
        { behavior: 'immediate' },
      );
    },
  };
}
