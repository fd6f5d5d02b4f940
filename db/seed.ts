// Loads the seed network into an empty database, through the same validation and repositories as the API.
import { networks } from './schema.js';
import type { Db } from './client.js';
import { meetingsRepository } from '../server/meetings/meetings.repository.js';
import { meetingCreate } from '../server/meetings/meetings.schemas.js';
import { networksRepository } from '../server/networks/networks.repository.js';
import { networkCreate, networkPatch } from '../server/networks/networks.schemas.js';
import { themesRepository } from '../server/themes/themes.repository.js';
import { themeCreate } from '../server/themes/themes.schemas.js';
import { venuesRepository } from '../server/venues/venues.repository.js';
import { venueCreate } from '../server/venues/venues.schemas.js';
import { seedMeetings, seedNetwork, seedProgramme, seedProgrammeThemes, seedThemes, seedVenue } from './seed-data.js';

/** True when it seeded; false when the database already held data. */
export function seedIfEmpty(db: Db): boolean {
  if (db.select({ slug: networks.slug }).from(networks).limit(1).get()) return false;
  db.transaction(
    () => {
      const created = networksRepository(db, '').create(networkCreate.parse(seedNetwork));
      const venue = venuesRepository(db).create(created.slug, venueCreate.parse(seedVenue));
      const network = networksRepository(db, '').update(created.slug, networkPatch.parse({ defaultVenueId: venue.id }));
      const themes = themesRepository(db, '');
      for (const t of seedThemes) themes.create(network.slug, themeCreate.parse(t));
      const meetings = meetingsRepository(db, '');
      for (const m of seedMeetings) meetings.create(network.slug, meetingCreate.parse(m));
      const programme = networksRepository(db, '').create(networkCreate.parse(seedProgramme));
      for (const t of seedProgrammeThemes) themes.create(programme.slug, themeCreate.parse(t));
    },
    { behavior: 'immediate' },
  );
  return true;
}
