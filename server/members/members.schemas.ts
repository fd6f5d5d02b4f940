import { z } from 'zod';
import { memberStatuses } from '../../db/schema.js';
import { email, id, moment, name, text, timestamps, decimalInt } from '../http/fields.js';
import { pageQuery } from '../http/pagination.js';
import { municipality, municipalityCode } from '../municipalities/municipalities.schemas.js';

export const memberStatus = z.enum(memberStatuses);

const contactInput = z.strictObject({
  name: name(200),
  email,
  role: text(200).optional().describe('The contact person’s role, e.g. "Skolechef"'),
  phone: text(50).optional().describe('The contact person’s phone number, e.g. "+45 65 51 10 00"'),
});

export const memberCreate = z
  .strictObject({
    municipalityCode,
    contact: contactInput.describe('The municipality’s contact person (personal data: shown only to tokens of the network)'),
  })
  .meta({ id: 'MemberCreate' });

export const signupQuery = z.object({
  override: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .describe('Admin tokens only: sign up even outside the sign-up window'),
});

/** What anyone may see of a membership: which municipality, and whether it is active. */
export const memberPublic = z
  .object({
    municipality,
    status: memberStatus,
  })
  .meta({ id: 'MemberPublic' });

/** The whole membership, with its contact person: for tokens that may see the network's private data. */
export const member = memberPublic
  .extend({
    id,
    networkSlug: z.string(),
    contact: z.object({ name: z.string(), email: z.string(), role: z.string(), phone: z.string() }),
    clusterId: z.string().nullable(),
    signedUpAt: z.string().describe('When the municipality (last) signed up (UTC)'),
    withdrawnAt: z.string().nullable(),
    ...timestamps,
  })
  .meta({ id: 'Member' });

export const memberListQuery = z.object({
  status: memberStatus.optional(),
  cluster: z.string().max(64).optional().describe('Only the members of this cluster (id)'),
  ...pageQuery,
});

export const memberParams = z.object({ slug: z.string().max(100), code: decimalInt(0, 99999, { description: 'Municipality code' }) });

export const signup = z
  .object({
    open: z.boolean().describe('Whether a municipality can sign up now'),
    state: z.enum(['not-open', 'open', 'closed']),
    opens: moment.nullable().describe('Sign-up opens (inclusive); null: open from the start'),
    deadline: moment.nullable().describe('Last minute to sign up (inclusive: the whole minute counts); null: no deadline'),
    targetGroup: z.string(),
    members: z.number().int().describe('Active member municipalities'),
  })
  .meta({ id: 'Signup' });

export type MemberCreate = z.infer<typeof memberCreate>;
export type MemberPublic = z.infer<typeof memberPublic>;
export type Member = z.infer<typeof member>;
export type MemberListQuery = z.infer<typeof memberListQuery>;
