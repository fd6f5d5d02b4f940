// Every API route plugin, in one place.
import type { FastifyPluginAsync } from 'fastify';
import { auditRoutes } from './audit/audit.routes.js';
import { tokenRoutes } from './auth/tokens.routes.js';
import { agendaRoutes } from './agenda/agenda.routes.js';
import { itemRoutes } from './items/items.routes.js';
import { meetingRoutes } from './meetings/meetings.routes.js';
import { networkRoutes } from './networks/networks.routes.js';
import { planningRoutes } from './planning/planning.routes.js';
import { releaseRoutes } from './releases/releases.routes.js';
import { speakerRoutes } from './speakers/speakers.routes.js';
import { themeRoutes } from './themes/themes.routes.js';
import { trackRoutes } from './tracks/tracks.routes.js';
import { venueRoutes } from './venues/venues.routes.js';
import { webhookRoutes } from './webhooks/webhooks.routes.js';
import { emailPreferenceRoutes } from './email/email-preferences.routes.js';
import { exchangeRoutes } from './exchange/exchange.routes.js';

export const apiRoutes: FastifyPluginAsync = async (app) => {
  for (const routes of [networkRoutes, venueRoutes, meetingRoutes, trackRoutes, themeRoutes, speakerRoutes, itemRoutes, agendaRoutes, releaseRoutes, planningRoutes, tokenRoutes, auditRoutes, webhookRoutes, emailPreferenceRoutes, exchangeRoutes]) {
    await app.register(routes);
  }
  await app.register(import('./participants/personal-data.routes.js')); // participants, registrations, proposals
  await app.register(import('./members/membership.routes.js')); // municipalities, members, clusters
};
