import { eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { clusters } from '../../db/schema.js';
import { networkWrite, resolvers, type Resolver } from '../auth/authorize.js';
import { expectedVersions } from '../http/preconditions.js';
import { problems } from '../http/problem.js';
import { bearer, idParams } from '../http/route-kit.js';
import { slugParams } from '../networks/networks.schemas.js';
import { clustersRepository } from './clusters.repository.js';
import { cluster, clusterConfirm, clusterList, clusterPatch, proposal, proposalRequest, series, seriesRequest, toWave, waveQuery } from './clusters.schemas.js';
import { seriesService } from './series.service.js';
import { FERRY_PENALTY_KM, REGION_PENALTY_KM } from './travel-proposal.js';

/** Writes to a cluster are writes in its network. */
const clusterTarget: Resolver = (db, p) => {
  const c = db.select({ slug: clusters.networkSlug }).from(clusters).where(eq(clusters.id, p.id ?? '')).get();
  return c ? { slug: c.slug, hidden: null } : null;
};

export const clusterRoutes: FastifyPluginAsyncZod = async (app) => {
  const repo = clustersRepository(app.db, app.config.publicBaseUrl);
  const tags = ['clusters'];

  app.post('/networks/:slug/clusters/propose', {
    preHandler: networkWrite(app.db, resolvers.network),
    schema: {
      tags,
      summary: 'Propose clusters of the active members (not stored)',
      description:
        'Groups the active members (of a wave: `?wave=1|2`) in clusters within the size bounds (default: the network’s ' +
        'clusterMinSize/clusterMaxSize). By travel (default): minimises the largest distance from a member to its cluster’s most ' +
        'central member (the host), then the total; distances are great-circle km between town halls, through the Little Belt and ' +
        `Great Belt bridges between Jutland, Funen and Zealand, plus ${FERRY_PENALTY_KM} km for each ferry-only island and ` +
        `${REGION_PENALTY_KM} km between regions (so regions stay together where that costs little). The number of clusters is the ` +
        'one nearest the middle of the bounds. Each cluster names its host and its largest and mean distance (plain km). ' +
        '`pins.together` / `pins.apart` keep municipalities in one cluster / in different ones: a code that is not an active member ' +
        'of the wave is 400 `not-a-member`, codes pinned both ways 400 `pin-conflict`, a together-group above the maximum 400 ' +
        '`pin-too-large`, pins no grouping can keep 409 `pins-unsatisfiable`. `by: region` gives the earlier proposal that keeps ' +
        'regions together and follows code order (no pins: 400 `pins-need-travel`). `notes` say where regions are mixed, `problems` ' +
        'which clusters are out of bounds when no grouping fits.',
      security: bearer,
      params: slugParams,
      querystring: waveQuery,
      body: proposalRequest.nullish().describe('Optional: send no body to use the network’s bounds'),
      response: { 200: proposal, ...problems(400, 401, 403, 404, 409) },
    },
    handler: (req) => repo.propose(req.params.slug, req.body ?? {}, toWave(req.query)),
  });
  app.put('/networks/:slug/clusters', {
    preHandler: networkWrite(app.db, resolvers.network),
    schema: {
      tags,
      summary: 'Confirm a grouping: replaces the network’s clusters',
      description:
        'Every code must be an active member (400 `not-a-member`) and appear once (400 `duplicate-municipality`); every cluster ' +
        'must be within the network’s size bounds (409 `cluster-size`, listing the offenders). Clusters given with `id` are kept; ' +
        'the others not given are removed, and their meetings lose their cluster. With `?wave=1|2` only that wave’s members may be ' +
        'grouped and only that wave’s clusters are replaced (the other wave’s stay as they are).',
      security: bearer,
      params: slugParams,
      querystring: waveQuery,
      body: clusterConfirm,
      response: { 200: clusterList, ...problems(400, 401, 403, 404, 409) },
    },
    handler: (req) => repo.confirm(req.params.slug, req.body, toWave(req.query)),
  });
  const seriesOf = seriesService(app.db, app.config.publicBaseUrl, app.templates);
  app.post('/clusters/:id/series', {
    preHandler: networkWrite(app.db, clusterTarget),
    schema: {
      tags,
      summary: 'Generate the cluster’s facilitated meeting series (draft meetings)',
      description:
        'Plans `count` meetings `everyWeeks` weeks apart from `from`; a planned day on a weekend, a Danish public holiday ' +
        '(`date-holidays`, plus Grundlovsdag and Juleaftensdag) or in ISO week 7 or 42 (school holidays) moves to the next day that is ' +
        'none of these. The cluster’s members host in turn (the most central first, then by code); each host’s town hall becomes a ' +
        'venue of the network. Each meeting is a draft in the cluster, with the network’s default agenda template applied when it has ' +
        'one, and names the host and the cluster’s facilitator. Generating again removes the series’ meetings that have no ' +
        'registrations or releases and keeps the others in their places. 409 `facilitator-required` (no facilitator named), ' +
        '`cluster-empty`, `unknown-template`, `template-does-not-fit`; 400 `invalid-time-range` and the like for the hours, ' +
        '`series-out-of-range` past the year 9999.',
      security: bearer,
      params: idParams,
      body: seriesRequest,
      response: { 201: series, ...problems(400, 401, 403, 404, 409) },
    },
    handler: (req, reply) => {
      reply.code(201);
      return seriesOf.generate(req.params.id, req.body);
    },
  });
  app.get('/networks/:slug/clusters', {
    schema: { tags, summary: 'List a network’s clusters with their municipalities', params: slugParams, response: { 200: clusterList, ...problems(404) } },
    handler: async (req) => repo.list(req.params.slug),
  });
  app.get('/clusters/:id', {
    schema: { tags, summary: 'Read a cluster', params: idParams, response: { 200: cluster, ...problems(404) } },
    handler: async (req) => repo.get(req.params.id),
  });
  app.patch('/clusters/:id', {
    preHandler: networkWrite(app.db, clusterTarget),
    schema: { tags, summary: 'Rename a cluster or name its facilitator', security: bearer, params: idParams, body: clusterPatch, response: { 200: cluster, ...problems(400, 401, 403, 404, 412) } },
    handler: (req) => repo.update(req.params.id, req.body, expectedVersions(req)),
  });
};
