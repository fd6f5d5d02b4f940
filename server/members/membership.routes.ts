// The routes for municipalities, members and clusters, registered together from server/routes.ts.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { clusterRoutes } from '../clusters/clusters.routes.js';
import { municipalityRoutes } from '../municipalities/municipalities.routes.js';
import { memberRoutes } from './members.routes.js';

const membershipRoutes: FastifyPluginAsyncZod = async (app) => {
  for (const routes of [municipalityRoutes, memberRoutes, clusterRoutes]) await app.register(routes);
};

export default membershipRoutes;
