import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { canSeeDrafts } from '../auth/auth.plugin.js';
import { itemsRepository } from '../items/items.repository.js';
import { item } from '../items/items.schemas.js';
import { problems } from '../http/problem.js';
import { idParams } from '../http/route-kit.js';
import { meetingsRepository } from '../meetings/meetings.repository.js';
import { meeting } from '../meetings/meetings.schemas.js';
import { toTrack, tracksRepository } from '../tracks/tracks.repository.js';
import { track } from '../tracks/tracks.schemas.js';

export const agenda = z
  .object({ meeting, tracks: z.array(track), items: z.array(item) })
  .meta({ id: 'Agenda', description: 'A whole meeting day: the meeting, its tracks, every item in time order' });

export const agendaRoutes: FastifyPluginAsyncZod = async (app) => {
  const baseUrl = app.config.publicBaseUrl;
  const meetings = meetingsRepository(app.db, baseUrl);
  const tracks = tracksRepository(app.db, baseUrl);
  const items = itemsRepository(app.db, baseUrl);

  app.get('/meetings/:id/agenda', {
    schema: {
      tags: ['agenda'],
      summary: 'The whole day: meeting, tracks and items in time order with themes and speakers',
      params: idParams,
      response: { 200: agenda, ...problems(404) },
    },
    handler: async (req) => {
      const visible = canSeeDrafts(req);
      const m = meetings.get(req.params.id, visible);
      const row = meetings.getRow(m.id);
      return {
        meeting: m,
        tracks: tracks.allOf(m.id).map((t) => toTrack(t, baseUrl)),
        items: items.expand(items.allOf(m.id), row, visible),
      };
    },
  });
};
