import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { networkRead, resolvers } from '../auth/authorize.js';
import { z } from 'zod';
import { canSeeDrafts } from '../auth/auth.plugin.js';
import { findingSchema } from '../checks/agenda-checks.js';
import { notFound } from '../http/errors.js';
import { problems } from '../http/problem.js';
import { bearer, idParams } from '../http/route-kit.js';
import { itemsRepository } from '../items/items.repository.js';
import { agendaVersion, item } from '../items/items.schemas.js';
import { meetingsRepository } from '../meetings/meetings.repository.js';
import { meeting } from '../meetings/meetings.schemas.js';
import { latestRelease } from '../releases/published.js';
import { toTrack } from '../tracks/tracks.repository.js';
import { track } from '../tracks/tracks.schemas.js';
import { releasedAgenda, resolveVersion } from './agenda-view.js';
import { checkWorkingAgenda, workingAgenda } from './working-agenda.js';

const releaseRef = z
  .object({ number: z.number().int(), note: z.string(), createdAt: z.string() })
  .nullable()
  .describe('The release shown (released view), or the latest release (working view); null when none');

export const agenda = z
  .object({
    version: z.enum(['released', 'working']),
    release: releaseRef,
    meeting,
    tracks: z.array(track),
    items: z.array(item),
  })
  .meta({ id: 'Agenda', description: 'A whole meeting day: the meeting, its tracks, every item in time order' });

export const agendaRoutes: FastifyPluginAsyncZod = async (app) => {
  const baseUrl = app.config.publicBaseUrl;
  const meetings = meetingsRepository(app.db, baseUrl);
  const items = itemsRepository(app.db, baseUrl);

  app.get('/meetings/:id/agenda', {
    schema: {
      tags: ['agenda'],
      summary: 'The whole day: meeting, tracks and items in time order with themes and speakers',
      params: idParams,
      querystring: z.object({ version: agendaVersion }),
      response: { 200: agenda, ...problems(401, 403, 404) },
    },
    handler: async (req) => {
      const m = meetings.get(req.params.id, canSeeDrafts(req));
      const version = resolveVersion(req, req.query.version, m.networkSlug);
      if (version === 'released') {
        const released = releasedAgenda(app.db, baseUrl, m.id);
        if (!released) throw notFound('Meeting', m.id);
        return { version, release: released.release, meeting: m, tracks: released.tracks, items: released.items };
      }
      const working = workingAgenda(app.db, baseUrl, m.id);
      const latest = latestRelease(app.db, m.id);
      return {
        version,
        release: latest ? { number: latest.number, note: latest.note, createdAt: latest.createdAt } : null,
        meeting: m,
        tracks: working.tracks.map((t) => toTrack(t, baseUrl)),
        items: items.expand(items.allOf(m.id), working.meeting, true),
      };
    },
  });

  app.get('/meetings/:id/checks', {
    preHandler: networkRead(app.db, resolvers.meeting),
    schema: {
      security: bearer,
      tags: ['agenda'],
      summary: 'Check the working agenda: errors block writes and releases, warnings never do',
      params: idParams,
      response: {
        200: z.object({ meetingId: z.string(), errors: z.number().int(), warnings: z.number().int(), findings: z.array(findingSchema) }),
        ...problems(401, 403, 404),
      },
    },
    handler: async (req) => {
      const findings = checkWorkingAgenda(workingAgenda(app.db, baseUrl, req.params.id, canSeeDrafts(req)));
      const errors = findings.filter((f) => f.severity === 'error').length;
      return { meetingId: req.params.id, errors, warnings: findings.length - errors, findings };
    },
  });
};
