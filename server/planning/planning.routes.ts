import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { networkWrite, resolvers } from '../auth/authorize.js';
import { z } from 'zod';
import { agenda } from '../agenda/agenda.routes.js';
import { findingSchema } from '../checks/agenda-checks.js';
import { allows, canSeeDrafts } from '../auth/auth.plugin.js';
import { forbidden, notFound } from '../http/errors.js';
import { id, timeString } from '../http/fields.js';
import { problems } from '../http/problem.js';
import { bearer, idParams } from '../http/route-kit.js';
import { itemsRepository } from '../items/items.repository.js';
import { meetingsRepository } from '../meetings/meetings.repository.js';
import { latestRelease } from '../releases/published.js';
import { templateDetailSchema, templateSummarySchema, toSummary } from '../templates/templates.js';
import { toTrack, tracksRepository } from '../tracks/tracks.repository.js';
import { agendaOperations } from './agenda-operations.js';
import type { Finding } from '../checks/agenda-checks.js';

const mode = z.enum(['replace', 'append'], {
  error: (issue) =>
    issue.input === undefined
      ? 'required: "replace" (delete the meeting’s tracks and items first) or "append" (keep them)'
      : 'must be "replace" or "append"',
});

const applyBody = z
  .strictObject({
    template: z.string().max(100).describe('Template key'),
    mode: mode.describe(
      'Required. `replace` deletes the meeting’s tracks and items first (the response lists them under `removed`; ' +
        'registrations that chose a deleted track stay registered without a track); `append` keeps them and reuses tracks of the same name',
    ),
    createMissingThemes: z.boolean().default(false).describe('Create template themes the network lacks (otherwise 409)'),
  })
  .meta({ id: 'ApplyTemplate' });

const copyBody = z
  .strictObject({
    mode: mode.default('replace').describe('`replace` the current agenda (default; the response lists what went under `removed`) or `append` to it'),
    createMissingThemes: z.boolean().default(false),
  })
  .meta({ id: 'CopyAgenda' });

const shiftBody = z
  .strictObject({
    after: timeString.describe('Items starting at or after this time move'),
    minutes: z.number().int().min(-720).max(720).refine((n) => n !== 0, 'must not be 0'),
    track: id.optional().describe('Only this track’s items'),
  })
  .meta({ id: 'ShiftItems' });

const planResult = z
  .object({ agenda, findings: z.array(findingSchema).describe('Warnings left (errors are refused)') })
  .meta({ id: 'PlanResult' });

const removedAgenda = z
  .object({
    tracks: z.array(z.object({ id, name: z.string() })).describe('Deleted tracks, in display order'),
    items: z
      .array(z.object({ id, title: z.string(), startTime: z.string(), endTime: z.string(), trackId: z.string().nullable() }))
      .describe('Deleted agenda items, in time order'),
    clearedTrackChoices: z.int().describe('Registrations that had chosen a deleted track: still registered for the meeting, now without a track'),
  })
  .meta({
    id: 'RemovedAgenda',
    description: 'What `replace` deleted before laying out the new agenda (empty for `append`); the audit trail holds every deleted row in full',
  });

const replaceResult = z
  .object({ agenda, findings: planResult.shape.findings, removed: removedAgenda })
  .meta({ id: 'ReplaceResult' });

export const planningRoutes: FastifyPluginAsyncZod = async (app) => {
  const baseUrl = app.config.publicBaseUrl;
  const ops = agendaOperations(app.db, baseUrl);
  const meetings = meetingsRepository(app.db, baseUrl);
  const items = itemsRepository(app.db, baseUrl);
  const tracks = tracksRepository(app.db, baseUrl);
  const templates = app.templates;

  const result = (meetingId: string, findings: Finding[]) => {
    const latest = latestRelease(app.db, meetingId);
    const row = meetings.getRow(meetingId);
    return {
      agenda: {
        version: 'working' as const,
        release: latest ? { number: latest.number, note: latest.note, createdAt: latest.createdAt } : null,
        meeting: meetings.get(meetingId),
        tracks: tracks.allOf(meetingId).map((t) => toTrack(t, baseUrl)),
        items: items.expand(items.allOf(meetingId), row, true),
      },
      findings,
    };
  };
  const findTemplate = (key: string) => {
    const t = templates.find((x) => x.key === key);
    if (!t) throw notFound('Agenda template', key);
    return t;
  };

  app.get('/agenda-templates', {
    schema: { tags: ['templates'], summary: 'List agenda templates', response: { 200: z.object({ data: z.array(templateSummarySchema) }) } },
    handler: async () => ({ data: templates.map(toSummary) }),
  });
  app.get('/agenda-templates/:key', {
    schema: { tags: ['templates'], summary: 'Read an agenda template', params: z.object({ key: z.string().max(100) }), response: { 200: templateDetailSchema, ...problems(404) } },
    handler: async (req) => findTemplate(req.params.key),
  });
  app.post('/meetings/:id/apply-template', {
    preHandler: networkWrite(app.db, resolvers.meeting),
    schema: {
      tags: ['planning'],
      summary: 'Create tracks and items from a template in one transaction (`mode` required: replace or append)',
      security: bearer,
      params: idParams,
      body: applyBody,
      response: { 200: replaceResult, ...problems(400, 401, 404, 409) },
    },
    handler: (req) => {
      const template = findTemplate(req.body.template);
      const { findings, outcome } = ops.applyTemplate(req.params.id, template, req.body.mode, req.body.createMissingThemes);
      return { ...result(req.params.id, findings), removed: outcome };
    },
  });
  app.post('/meetings/:id/copy-agenda-from/:otherId', {
    preHandler: networkWrite(app.db, resolvers.meeting),
    preValidation: async (req) => {
      if (req.body === undefined || req.body === null) (req as { body: unknown }).body = {};
    },
    schema: {
      tags: ['planning'],
      summary: 'Copy another meeting’s tracks and items, at the same offsets from the start of the day',
      security: bearer,
      params: z.object({ id, otherId: id }),
      body: copyBody,
      response: { 200: replaceResult, ...problems(400, 401, 404, 409) },
    },
    handler: (req) => {
      // The source's working agenda is unpublished: the caller must be allowed to read it.
      const source = meetings.getRow(req.params.otherId, canSeeDrafts(req));
      if (!allows(canSeeDrafts(req), source.networkSlug)) {
        throw forbidden(`This token may not read the working agenda of network '${source.networkSlug}'`);
      }
      const { findings, outcome } = ops.copyAgenda(req.params.id, source.id, req.body.mode, req.body.createMissingThemes);
      return { ...result(req.params.id, findings), removed: outcome };
    },
  });
  app.post('/meetings/:id/shift', {
    preHandler: networkWrite(app.db, resolvers.meeting),
    schema: {
      tags: ['planning'],
      summary: 'Move every item starting at or after `after` by `minutes` (refused if items would leave the meeting)',
      security: bearer,
      params: idParams,
      body: shiftBody,
      response: { 200: planResult, ...problems(400, 401, 404, 409) },
    },
    handler: (req) => result(req.params.id, ops.shift(req.params.id, req.body.after, req.body.minutes, req.body.track)),
  });
};
