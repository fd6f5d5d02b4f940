// The routes for participants and their personal data: participants, registrations, theme proposals.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { proposalRoutes } from '../proposals/proposals.routes.js';
import { registrationRoutes } from '../registrations/registrations.routes.js';
import { participantRoutes } from './participants.routes.js';

const personalDataRoutes: FastifyPluginAsyncZod = async (app) => {
  for (const routes of [participantRoutes, registrationRoutes, proposalRoutes]) await app.register(routes);
};

export default personalDataRoutes;
