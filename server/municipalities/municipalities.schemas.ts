import { z } from 'zod';
import { decimalInt } from '../http/fields.js';
import { regions } from '../../db/schema.js';

export const region = z.enum(regions).meta({ id: 'Region' });

export const municipalityCode = z.number().int().min(100).max(999).describe('The official three-digit municipality code, e.g. 461 for Odense');

export const municipality = z
  .object({
    code: z.number().int(),
    name: z.string(),
    region,
  })
  .meta({ id: 'Municipality' });

export const municipalityParams = z.object({ code: decimalInt(0, 99999, { description: 'Municipality code' }) });

export const municipalityListQuery = z.object({ region: region.optional().describe('Only the municipalities of this region') });

export type Region = z.infer<typeof region>;
export type Municipality = z.infer<typeof municipality>;
