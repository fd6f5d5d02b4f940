import { z } from 'zod';
import { feedLinks, id, name, timestamps } from '../http/fields.js';
import { municipality, municipalityCode, region } from '../municipalities/municipalities.schemas.js';

const clusterSize = z.number().int().min(1).max(100);

export const proposalRequest = z
  .strictObject({
    minSize: clusterSize.optional().describe('Default: the network’s clusterMinSize'),
    maxSize: clusterSize.optional().describe('Default: the network’s clusterMaxSize'),
  })
  .meta({ id: 'ClusterProposalRequest' });

export const proposal = z
  .object({
    clusters: z.array(
      z.object({
        name: z.string(),
        municipalities: z.array(municipality),
        regions: z.array(z.string()),
        size: z.number().int(),
      }),
    ),
    notes: z.array(z.string()).describe('Where regions had to be mixed, or the size bounds could not be met'),
    problems: z
      .array(z.object({ cluster: z.string(), size: z.number().int(), message: z.string() }))
      .describe('Clusters outside the size bounds (only when no grouping keeps every cluster within them)'),
    minSize: z.number().int(),
    maxSize: z.number().int(),
    members: z.number().int().describe('Active members grouped'),
  })
  .meta({ id: 'ClusterProposal' });

export const clusterConfirm = z
  .strictObject({
    clusters: z
      .array(
        z.strictObject({
          id: id.optional().describe('Keep this existing cluster (its meetings and feed stay); omit for a new cluster'),
          name: name(200),
          municipalityCodes: z.array(municipalityCode).min(1).max(100),
        }),
      )
      .max(100),
  })
  .meta({ id: 'ClusterConfirm' });

export const clusterPatch = z.strictObject({ name: name(200) }).meta({ id: 'ClusterPatch' });

export const cluster = z
  .object({
    id,
    networkSlug: z.string(),
    name: z.string(),
    size: z.number().int(),
    regions: z.array(region),
    municipalities: z.array(municipality).describe('The active members in the cluster, by code'),
    feeds: z.object({ meetings: feedLinks }),
    ...timestamps,
  })
  .meta({ id: 'Cluster' });

export const clusterList = z.object({ data: z.array(cluster) });

export type ProposalRequest = z.infer<typeof proposalRequest>;
export type ClusterConfirm = z.infer<typeof clusterConfirm>;
export type ClusterPatch = z.infer<typeof clusterPatch>;
export type Cluster = z.infer<typeof cluster>;
