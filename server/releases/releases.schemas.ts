import { z } from 'zod';
import { text, decimalInt } from '../http/fields.js';
import { changelogSchema } from './release-diff.js';
import { snapshotSchema } from './snapshot.js';

export const releaseCreate = z
  .strictObject({ note: text(2000).optional().describe('What changed, in the coordinator’s words') })
  .meta({ id: 'ReleaseCreate' });

export const releaseSummary = z
  .object({
    meetingId: z.string(),
    number: z.number().int().describe('1, 2, … per meeting'),
    note: z.string(),
    createdBy: z.string().describe('Name of the token that released it'),
    createdAt: z.string(),
    changelog: changelogSchema.describe('Changes against the previous release'),
  })
  .meta({ id: 'ReleaseSummary' });

export const release = releaseSummary.extend({ agenda: snapshotSchema }).meta({ id: 'Release' });

export const releaseDiff = z
  .object({ meetingId: z.string(), from: z.number().int(), to: z.number().int(), changelog: changelogSchema })
  .meta({ id: 'ReleaseDiff' });

export const releaseParams = z.object({ id: z.string().max(64), n: decimalInt(1, 1_000_000, { description: 'Release number' }) });
export const diffQuery = z.object({ from: decimalInt(0, 1_000_000, { description: 'Release to compare from; 0 = nothing released' }) });

export type ReleaseSummary = z.infer<typeof releaseSummary>;
export type Release = z.infer<typeof release>;
