import { z } from 'zod';
import { proposalStatuses } from '../../db/schema.js';
import { agendaVersion } from '../items/items.schemas.js';
import { dateString, id, name, text, timestamps } from '../http/fields.js';
import { pageQuery } from '../http/pagination.js';

export const proposalStatus = z.enum(proposalStatuses);

export const proposalCreate = z
  .strictObject({
    participantId: id.describe('The participant proposing'),
    title: name(300),
    description: text(5000).optional(),
    meetingId: id.nullable().optional().describe('An upcoming meeting of the network the proposal is meant for'),
  })
  .meta({ id: 'ProposalCreate' });

export const voteCreate = z.strictObject({ participantId: id }).meta({ id: 'VoteCreate' });

export const proposalAccept = z
  .strictObject({
    themeKey: z.string().max(100).optional().describe('A theme of the network that takes the proposal up'),
    itemId: id.optional().describe('An agenda item of a meeting of the network that takes it up'),
    note: text(2000).optional().describe('The decision, in the coordinators’ words'),
  })
  .meta({ id: 'ProposalAccept', description: 'At least one of themeKey and itemId' });

export const proposalDecline = z.strictObject({ note: text(2000).optional() }).meta({ id: 'ProposalDecline' });

const themeRef = z.object({ key: z.string(), name: z.string() });
const itemRef = z.object({ id: z.string(), title: z.string(), meetingId: z.string() });

export const proposal = z
  .object({
    id,
    networkSlug: z.string(),
    meetingId: z.string().nullable(),
    title: z.string(),
    description: z.string(),
    status: proposalStatus,
    votes: z.number().int(),
    theme: themeRef.nullable().describe('The theme that took it up (accepted proposals)'),
    item: itemRef.nullable().describe('The agenda item that took it up (accepted proposals; as far as the reader may see it)'),
    decisionNote: z.string(),
    decidedAt: z.string().nullable(),
    participantId: z
      .string()
      .nullable()
      .optional()
      .describe('Who proposed it: only for tokens that may see the network’s unpublished data; null once erased'),
    ...timestamps,
  })
  .meta({ id: 'Proposal', description: 'A theme or question proposed by a participant; public readers never see who proposed or voted' });

export const vote = z
  .object({ proposalId: z.string(), participantId: z.string(), createdAt: z.string(), votes: z.number().int().describe('The proposal’s votes now') })
  .meta({ id: 'Vote' });

export const proposalListQuery = z.object({
  status: proposalStatus.optional(),
  meetingId: z.string().max(64).optional(),
  ...pageQuery,
});

export const voteParams = z.object({ id, participantId: id });

export const coverageQuery = z.object({
  version: agendaVersion,
  from: dateString.optional().describe('First date (default: the network’s season start)'),
  to: dateString.optional().describe('Last date (default: the network’s season end)'),
});

const themeCount = themeRef.extend({ items: z.number().int() });

export const themeCoverage = z
  .object({
    networkSlug: z.string(),
    version: z.enum(['released', 'working']),
    from: z.string().nullable(),
    to: z.string().nullable(),
    meetings: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        date: z.string(),
        status: z.string(),
        release: z.number().int().nullable().describe('The release read (released view); null when none'),
        items: z.number().int(),
        themes: z.array(themeCount),
      }),
    ),
    themes: z.array(
      themeCount.extend({
        meetings: z.array(z.object({ id: z.string(), title: z.string(), date: z.string(), items: z.number().int() })),
      }),
    ),
    proposals: z.object({
      accepted: z.array(
        z.object({
          id: z.string(),
          title: z.string(),
          votes: z.number().int(),
          theme: themeRef.nullable(),
          item: itemRef.nullable(),
          decisionNote: z.string(),
          decidedAt: z.string().nullable(),
        }),
      ),
      declined: z.number().int(),
      open: z.number().int(),
    }),
  })
  .meta({ id: 'ThemeCoverage', description: 'Which themes the season’s meetings cover, and which proposals were taken up' });

export type ProposalCreate = z.infer<typeof proposalCreate>;
export type ProposalAccept = z.infer<typeof proposalAccept>;
export type Proposal = z.infer<typeof proposal>;
export type ThemeCoverage = z.infer<typeof themeCoverage>;
