// Municipality sign-up by its contact person, and the membership's manage link: change the contact or
// withdraw while the network's sign-up window is open. The rules are the members repository's
// (members/members.repository.ts, signup-window.ts); this adds the link and the deadline for changes.
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { members, type MemberRow, type NetworkRow } from '../../db/schema.js';
import { conflict } from '../http/errors.js';
import { closesAt, signupState, type SignupState } from '../members/signup-window.js';
import { membersRepository } from '../members/members.repository.js';
import { municipalitiesRepository } from '../municipalities/municipalities.repository.js';
import type { Municipality } from '../municipalities/municipalities.schemas.js';
import { networksRepository } from '../networks/networks.repository.js';
import { createManageLink, dropMemberLinks } from './manage-links.js';
import { selfServiceWrite } from './self-service-write.js';

export interface ContactInput {
  name: string;
  email: string;
  phone: string;
}

export interface SignupPage {
  network: NetworkRow;
  state: SignupState;
  /** The first instant sign-up is closed (the end of the deadline minute), or null without a deadline. */
  closesAt: Date | null;
  municipalities: Municipality[];
}

export function memberSignupService(db: Db, baseUrl: string, now: () => Date = () => new Date()) {
  const repo = () => membersRepository(db, baseUrl, now);
  const networks = networksRepository(db, baseUrl);

  return {
    /** What the sign-up form needs (404 for an unknown network). */
    page(slug: string): SignupPage {
      const network = networks.getRow(slug);
      return { network, state: signupState(network, now()), closesAt: closesAt(network), municipalities: municipalitiesRepository(db).list() };
    },

    /** Signs the municipality up and makes its manage link (a new sign-up's old links stop working). */
    signUp(slug: string, municipalityCode: number, contact: ContactInput): { token: string; member: MemberRow } {
      return selfServiceWrite(db, () => {
        const member = repo().signUp(slug, { municipalityCode, contact: { name: contact.name, email: contact.email, phone: contact.phone } });
        dropMemberLinks(db, member.id);
        const token = createManageLink(db, { memberId: member.id });
        return { token, member: db.select().from(members).where(eq(members.id, member.id)).get()! };
      });
    },

    /** Changes are allowed until the sign-up deadline (409 `signup-closed` after it). */
    assertChangeable(member: MemberRow): NetworkRow {
      const network = networks.getRow(member.networkSlug);
      if (signupState(network, now()) === 'closed') {
        throw conflict('signup-closed', `Sign-up to network '${network.slug}' closed after ${network.signupDeadline} (${network.timeZone})`, {
          deadline: network.signupDeadline,
        });
      }
      return network;
    },

    /** Whether the contact may still change or withdraw the membership (the deadline has not passed). */
    changeable(member: MemberRow): boolean {
      return signupState(networks.getRow(member.networkSlug), now()) !== 'closed';
    },

    changeContact(member: MemberRow, contact: ContactInput): void {
      selfServiceWrite(db, () => {
        this.assertChangeable(member);
        repo().updateContact(member.networkSlug, member.municipalityCode, contact);
      });
    },

    withdraw(member: MemberRow): void {
      selfServiceWrite(db, () => {
        this.assertChangeable(member);
        repo().withdraw(member.networkSlug, member.municipalityCode);
      });
    },
  };
}

export type MemberSignupService = ReturnType<typeof memberSignupService>;
