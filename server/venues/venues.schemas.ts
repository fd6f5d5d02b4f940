import { z } from 'zod';
import { id, name, text, timestamps } from '../http/fields.js';
import { pageQuery } from '../http/pagination.js';

export const venueCreate = z
  .strictObject({
    name: name(200),
    streetAddress: text(200).optional(),
    postalCode: text(20).optional(),
    city: text(100).optional(),
    latitude: z.number().min(-90).max(90).nullable().optional(),
    longitude: z.number().min(-180).max(180).nullable().optional(),
  })
  .meta({ id: 'VenueCreate' });
export const venuePatch = venueCreate.partial().meta({ id: 'VenuePatch' });

export const venue = z
  .object({
    id,
    networkSlug: z.string().nullable().describe('The network the venue belongs to (null: unassigned, from before venues belonged to networks; admins only)'),
    name: z.string(),
    streetAddress: z.string(),
    postalCode: z.string(),
    city: z.string(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    ...timestamps,
  })
  .meta({ id: 'Venue' });

export const venueListQuery = z.object({
  network: z.string().max(100).optional().describe('Only the venues of this network (slug)'),
  ...pageQuery,
});

export type VenueCreate = z.infer<typeof venueCreate>;
export type VenuePatch = z.infer<typeof venuePatch>;
export type Venue = z.infer<typeof venue>;

/** One line for calendars and printouts: "Name, Street 1, 5000 Odense C". */
export function venueAddress(v: Pick<Venue, 'name' | 'streetAddress' | 'postalCode' | 'city'>): string {
  const town = [v.postalCode, v.city].filter(Boolean).join(' ');
  const parts = [v.name, v.streetAddress, town].filter(Boolean);
  return parts.filter((p, i) => parts.indexOf(p) === i).join(', ');
}
