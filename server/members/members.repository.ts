// Members: municipalities signed up to a network, one row per (network, municipality). Withdrawing keeps
// the row (status withdrawn); signing up again reactivates it. The contact person is personal data and
// only leaves the service for tokens that may see the network's private data.
import { and, asc, count, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { members, municipalities, type MemberRow, type MunicipalityRow } from '../../db/schema.js';
import { conflict, notFound } from '../http/errors.js';
import { newId, nowIso } from '../http/ids.js';
import { after, decodeCursor, page } from '../http/pagination.js';
import { guardedUpdate, type Expected } from '../http/preconditions.js';
import { municipalitiesRepository, toMunicipality } from '../municipalities/municipalities.repository.js';
import type { Municipality } from '../municipalities/municipalities.schemas.js';
import { networksRepository } from '../networks/networks.repository.js';
import { enqueue } from '../outbox/outbox.js';
import type { Member, MemberCreate, MemberListQuery, MemberPublic } from './members.schemas.js';
import { describeWindow, signupState } from './signup-window.js';

// `mbr` is not (yet) in the IdPrefix list of server/http/ids.ts.
const memberId = () => newId('mbr');

type Joined = { member: MemberRow; municipality: MunicipalityRow };

export const toMemberPublic = ({ member, municipality }: Joined): MemberPublic => ({
  municipality: toMunicipality(municipality),
  status: member.status,
});

/** `version` is not in the body: the ETag plugin reads it from here. */
export const toMember = ({ member: m, municipality }: Joined): Member & { version: number } => ({
  id: m.id,
  networkSlug: m.networkSlug,
  municipality: toMunicipality(municipality),
  status: m.status,
  contact: { name: m.contactName, email: m.contactEmail, role: m.contactRole, phone: m.contactPhone },
  clusterId: m.clusterId,
  signedUpAt: m.signedUpAt,
  withdrawnAt: m.withdrawnAt,
  createdAt: m.createdAt,
  updatedAt: m.updatedAt,
  version: m.version,
});

export interface SignupOptions {
  /** Sign up even outside the window (admins). */
  override?: boolean;
}

/** `now` is injectable so the sign-up window can be tested at any instant. */
export function membersRepository(db: Db, baseUrl: string, now: () => Date = () => new Date()) {
  const networkRepo = networksRepository(db, baseUrl);
  const municipalityRepo = municipalitiesRepository(db);

  const joined = () => db.select({ member: members, municipality: municipalities }).from(members).innerJoin(municipalities, eq(members.municipalityCode, municipalities.code));

  const find = (slug: string, code: number): Joined | undefined =>
    joined().where(and(eq(members.networkSlug, slug), eq(members.municipalityCode, code))).get();

  const getJoined = (slug: string, code: number): Joined => {
    networkRepo.getRow(slug);
    const row = find(slug, code);
    if (!row) throw notFound('Member', `${slug}/${code}`);
    return row;
  };

  return {
    /** One membership (active or withdrawn); `full` includes the contact person. */
    get(slug: string, code: number, full: boolean): Member | MemberPublic {
      const row = getJoined(slug, code);
      return full ? toMember(row) : toMemberPublic(row);
    },

    list(slug: string, query: Omit<MemberListQuery, 'limit' | 'cursor'>, full: boolean, limit: number, cursor?: string) {
      networkRepo.getRow(slug);
      const key = decodeCursor(cursor, 1);
      const rows = joined()
        .where(
          and(
            eq(members.networkSlug, slug),
            query.status ? eq(members.status, query.status) : undefined,
            query.cluster !== undefined ? eq(members.clusterId, query.cluster) : undefined,
            key ? after([members.municipalityCode], key) : undefined,
          ),
        )
        .orderBy(asc(members.municipalityCode))
        .limit(limit + 1)
        .all();
      return page(rows, limit, (r) => [r.member.municipalityCode], full ? toMember : toMemberPublic);
    },

    /** The active members' municipalities, by code. */
    activeMunicipalities(slug: string): (Municipality & { memberId: string; clusterId: string | null })[] {
      return joined()
        .where(and(eq(members.networkSlug, slug), eq(members.status, 'active')))
        .orderBy(asc(members.municipalityCode))
        .all()
        .map((r) => ({ ...toMunicipality(r.municipality), memberId: r.member.id, clusterId: r.member.clusterId }));
    },

    signupInfo(slug: string) {
      const network = networkRepo.getRow(slug);
      const active = db
        .select({ n: count() })
        .from(members)
        .where(and(eq(members.networkSlug, slug), eq(members.status, 'active')))
        .get();
      return { ...describeWindow(network, now()), targetGroup: network.targetGroup, members: active?.n ?? 0 };
    },

    /** Signs a municipality up, or signs a withdrawn one up again. */
    signUp(slug: string, input: MemberCreate, options: SignupOptions = {}): Member {
      return db.transaction(
        () => {
          const network = networkRepo.getRow(slug);
          municipalityRepo.resolve([input.municipalityCode], () => 'body.municipalityCode');
          if (!options.override) {
            const state = signupState(network, now());
            if (state === 'not-open') {
              throw conflict('signup-not-open', `Sign-up to network '${slug}' opens ${network.signupOpens} (${network.timeZone})`, {
                opens: network.signupOpens,
              });
            }
            if (state === 'closed') {
              throw conflict('signup-closed', `Sign-up to network '${slug}' closed after ${network.signupDeadline} (${network.timeZone})`, {
                deadline: network.signupDeadline,
              });
            }
          }
          const contact = {
            contactName: input.contact.name,
            contactEmail: input.contact.email,
            contactRole: input.contact.role ?? '',
            contactPhone: input.contact.phone ?? '',
          };
          const at = nowIso();
          const existing = find(slug, input.municipalityCode);
          if (existing?.member.status === 'active') {
            throw conflict('already-member', `${existing.municipality.name} (${existing.municipality.code}) is already a member of network '${slug}'`);
          }
          if (existing) {
            guardedUpdate(db, members, members.id, existing.member.id, undefined, {
              ...contact,
              status: 'active',
              clusterId: null,
              signedUpAt: at,
              withdrawnAt: null,
              updatedAt: at,
            });
          } else {
            db.insert(members)
              .values({
                ...contact,
                id: memberId(),
                networkSlug: slug,
                municipalityCode: input.municipalityCode,
                status: 'active',
                signedUpAt: at,
                createdAt: at,
                updatedAt: at,
              })
              .run();
          }
          const joined = find(slug, input.municipalityCode)!;
          enqueue(db, { type: 'member.signed-up', networkSlug: slug, data: { memberId: joined.member.id, municipalityCode: input.municipalityCode, status: 'active' } });
          return toMember(joined);
        },
        { behavior: 'immediate' },
      );
    },

    /** Changes an active member's contact person (fields left out keep their value). */
    updateContact(slug: string, code: number, contact: Partial<MemberCreate['contact']>, expected?: Expected): Member {
      return db.transaction(
        () => {
          const row = getJoined(slug, code);
          if (row.member.status !== 'active') throw notFound('Active member', `${slug}/${code}`);
          guardedUpdate(db, members, members.id, row.member.id, expected, {
            ...(contact.name !== undefined ? { contactName: contact.name } : {}),
            ...(contact.email !== undefined ? { contactEmail: contact.email } : {}),
            ...(contact.role !== undefined ? { contactRole: contact.role } : {}),
            ...(contact.phone !== undefined ? { contactPhone: contact.phone } : {}),
            updatedAt: nowIso(),
          });
          return toMember(find(slug, code)!);
        },
        { behavior: 'immediate' },
      );
    },

    /** Withdraws an active member: it leaves its cluster; the row stays, withdrawn. */
    withdraw(slug: string, code: number, expected?: Expected): void {
      db.transaction(
        () => {
          const row = getJoined(slug, code);
          if (row.member.status !== 'active') throw notFound('Active member', `${slug}/${code}`);
          const at = nowIso();
          guardedUpdate(db, members, members.id, row.member.id, expected, { status: 'withdrawn', withdrawnAt: at, clusterId: null, updatedAt: at });
          enqueue(db, { type: 'member.withdrawn', networkSlug: slug, data: { memberId: row.member.id, municipalityCode: code, status: 'withdrawn' } });
        },
        { behavior: 'immediate' },
      );
    },
  };
}
