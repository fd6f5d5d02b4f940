import { z } from 'zod';
import { dateString, feedLinks, id, name, text, timeString, timestamps } from '../http/fields.js';
import { meeting } from '../meetings/meetings.schemas.js';
import { municipality, municipalityCode, region } from '../municipalities/municipalities.schemas.js';

const clusterSize = z.number().int().min(1).max(100);

const pinGroup = z.array(municipalityCode).min(2).max(100);

export const proposalRequest = z
  .strictObject({
    minSize: clusterSize.optional().describe('Default: the network’s clusterMinSize'),
    maxSize: clusterSize.optional().describe('Default: the network’s clusterMaxSize'),
    by: z
      .enum(['travel', 'region'])
      .optional()
      .describe('`travel` (default): short travel inside each cluster; `region`: the earlier proposal that keeps regions together and otherwise follows code order'),
    pins: z
      .strictObject({
        together: z.array(pinGroup).max(100).optional().describe('Groups of municipality codes that must share a cluster'),
        apart: z.array(pinGroup).max(100).optional().describe('Groups of municipality codes that must be in different clusters'),
      })
      .optional()
      .describe('Only with `by: travel`. Every code must be an active member of the wave proposed'),
  })
  .meta({ id: 'ClusterProposalRequest' });

export const waveQuery = z.object({
  wave: z
    .enum(['1', '2'])
    .optional()
    .describe('1: the members signed up by the network’s sign-up deadline; 2: those signed up later. Omitted: all active members'),
});

export const proposal = z
  .object({
    clusters: z.array(
      z.object({
        name: z.string(),
        municipalities: z.array(municipality),
        regions: z.array(z.string()),
        size: z.number().int(),
        host: municipality.describe('The most central member, the natural host: the smallest largest travel to it'),
        largestKm: z.number().describe('The largest great-circle distance from a member to the host, km'),
        meanKm: z.number().describe('The mean great-circle distance from the other members to the host, km'),
        ferryMembers: z.number().int().describe('Members on a ferry-only island (Bornholm, Samsø, Læsø, Fanø, Ærø)'),
        explanation: z.string(),
      }),
    ),
    notes: z.array(z.string()).describe('Where regions had to be mixed, or the size bounds could not be met'),
    problems: z
      .array(z.object({ cluster: z.string(), size: z.number().int(), message: z.string() }))
      .describe('Clusters outside the size bounds (only when no grouping keeps every cluster within them)'),
    minSize: z.number().int(),
    maxSize: z.number().int(),
    members: z.number().int().describe('Active members grouped'),
    method: z.enum(['travel', 'region']),
    wave: z.number().int().nullable().describe('The wave proposed; null: all active members'),
    largestKm: z.number().describe('Over all clusters: the largest member-to-host distance, km'),
    meanKm: z.number().describe('Over all clusters: the mean distance from a member to its host, km'),
  })
  .meta({ id: 'ClusterProposal' });

export const clusterConfirm = z
  .strictObject({
    clusters: z
      .array(
        z.strictObject({
          id: id.optional().describe('Keep this existing cluster (its meetings and feed stay); omit for a new cluster'),
          name: name(200),
          facilitator: text(200).optional().describe('Who facilitates the cluster’s meeting series; kept when omitted'),
          municipalityCodes: z.array(municipalityCode).min(1).max(100),
        }),
      )
      .max(100),
  })
  .meta({ id: 'ClusterConfirm' });

export const clusterPatch = z
  .strictObject({
    name: name(200).optional(),
    facilitator: text(200).optional().describe('Who facilitates the cluster’s meeting series (shown on every series meeting)'),
  })
  .meta({ id: 'ClusterPatch' });

export const cluster = z
  .object({
    id,
    networkSlug: z.string(),
    name: z.string(),
    wave: z.number().int().nullable().describe('The wave the cluster was confirmed for; null: confirmed for all members'),
    facilitator: z.string().describe('Who facilitates the meeting series; empty when not yet named'),
    size: z.number().int(),
    regions: z.array(region),
    municipalities: z.array(municipality).describe('The active members in the cluster, by code'),
    feeds: z.object({ meetings: feedLinks }),
    ...timestamps,
  })
  .meta({ id: 'Cluster' });

export const clusterList = z.object({ data: z.array(cluster) });

export type ProposalRequest = z.infer<typeof proposalRequest>;
export type Wave = 1 | 2;
export const toWave = (q: { wave?: '1' | '2' | undefined }): Wave | null => (q.wave === undefined ? null : (Number(q.wave) as Wave));
export type ClusterConfirm = z.infer<typeof clusterConfirm>;
export type ClusterPatch = z.infer<typeof clusterPatch>;
export type Cluster = z.infer<typeof cluster>;

export const seriesRequest = z
  .strictObject({
    count: z.number().int().min(1).max(52).describe('How many meetings'),
    from: dateString.describe('The first meeting’s planned day'),
    everyWeeks: z.number().int().min(1).max(52).describe('Weeks between planned days'),
    startTime: timeString,
    endTime: timeString,
    facilitator: text(200).optional().describe('Names (or renames) the cluster’s facilitator; needed when the cluster has none'),
  })
  .meta({ id: 'SeriesRequest' });

export const series = z
  .object({
    clusterId: id,
    facilitator: z.string(),
    template: z.string().nullable().describe('The network’s default agenda template applied to each new meeting'),
    meetings: z.array(
      z.object({
        number: z.number().int().describe('Place in the series, from 1'),
        kept: z.boolean().describe('Kept from the earlier series: it has registrations or releases'),
        moved: z.object({ from: z.string(), reason: z.string() }).nullable().describe('The day first planned, when the meeting had to move'),
        host: municipality.nullable().describe('The host municipality (null for a kept meeting: see its venue)'),
        meeting,
      }),
    ),
    removed: z.array(id).describe('Meetings of the earlier series removed (they had no registrations or releases)'),
  })
  .meta({ id: 'Series' });

export type SeriesRequest = z.infer<typeof seriesRequest>;
