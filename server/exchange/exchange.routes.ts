// Exchange formats of the API: a meeting's or a network's released agenda in the c3voc schedule format
// (JSON and XML, for frab, pretalx and conference apps) and a meeting's registrations as CSV (coordinators).
// Every GET gets its ETag and 304 from http/etag.ts (a hash of the body).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { forbidden, notFound, unauthorized } from '../http/errors.js';
import { problems } from '../http/problem.js';
import { bearer, idParams } from '../http/route-kit.js';
import { meetingsRepository } from '../meetings/meetings.repository.js';
import { networksRepository } from '../networks/networks.repository.js';
import { slugParams } from '../networks/networks.schemas.js';
import { registrationsRepository } from '../registrations/registrations.repository.js';
import { publishedAgenda, publishedMeetingIds, type PublishedAgenda } from '../releases/published.js';
import { acronymOf, scheduleOf, scheduleSchema, scheduleXml, type Schedule } from './c3voc-schedule.js';
import { registrationsCsv } from './registrations-csv.js';

const XML_TYPE = 'application/xml; charset=utf-8';
const CSV_TYPE = 'text/csv; charset=utf-8; header=present';

const xmlResponse = {
  description: 'The c3voc schedule as XML (schedule.xml.xsd; media type also registered as application/vnd.c3voc.schedule+xml)',
  content: { 'application/xml': { schema: z.string() } },
};
const csvResponse = {
  description: 'CSV for spreadsheets: UTF-8 with BOM, `;` between fields, CRLF, a header row',
  content: { 'text/csv': { schema: z.string() } },
};

export const exchangeRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app;
  const baseUrl = app.config.publicBaseUrl;
  const networks = networksRepository(db, baseUrl);
  const meetings = meetingsRepository(db, baseUrl);
  const registrations = registrationsRepository(db, baseUrl);
  const tags = ['exchange'];

  /** One meeting's released agenda; drafts do not exist here, for anyone (only what the feeds show). */
  function meetingSchedule(id: string): Schedule {
    const published = publishedAgenda(db, id);
    if (!published) throw notFound('Meeting', id);
    const { meeting, network } = published;
    return scheduleOf(
      {
        title: meeting.title,
        acronym: acronymOf(`${network.slug} ${meeting.date}`),
        description: meeting.description,
        url: `${baseUrl}/api/v1/meetings/${meeting.id}/agenda`,
      },
      [published],
      baseUrl,
    );
  }

  /** A network's meetings (not drafts) with their released agendas; 404 when it has none to show. */
  function networkSchedule(slug: string): Schedule {
    const network = networks.getRow(slug);
    const published = publishedMeetingIds(db, slug)
      .map((id) => publishedAgenda(db, id))
      .filter((p): p is PublishedAgenda => p !== null);
    if (published.length === 0) throw notFound('Schedule', slug);
    return scheduleOf(
      {
        title: network.name,
        acronym: acronymOf(network.slug),
        description: network.purpose || network.description,
        url: `${baseUrl}/api/v1/networks/${network.slug}`,
      },
      published,
      baseUrl,
    );
  }

  const scheduleDescription =
    'The released agenda only (what the feeds show): no drafts, no unreleased changes. Rooms come from tracks; ' +
    'plenary items are in a room named after the venue. Event guids are UUIDv5 of the feed UIDs and never change. ' +
    'A cancelled meeting keeps its day with no events.';

  app.get('/meetings/:id/schedule.json', {
    schema: {
      tags,
      summary: 'A meeting’s released agenda in the c3voc schedule format (JSON)',
      description: scheduleDescription,
      params: idParams,
      response: { 200: scheduleSchema, ...problems(404) },
    },
    handler: async (req) => meetingSchedule(req.params.id),
  });
  app.get('/meetings/:id/schedule.xml', {
    schema: {
      tags,
      summary: 'A meeting’s released agenda in the c3voc schedule format (XML)',
      description: scheduleDescription,
      params: idParams,
      response: { 200: xmlResponse, ...problems(404) },
    },
    handler: async (req, reply) => {
      const xml = scheduleXml(meetingSchedule(req.params.id));
      return reply.type(XML_TYPE).send(xml);
    },
  });
  app.get('/networks/:slug/schedule.json', {
    schema: {
      tags,
      summary: 'A network’s announced and cancelled meetings with their released agendas, in the c3voc schedule format (JSON)',
      description: `${scheduleDescription} One day per meeting date; 404 while the network has no meeting to show.`,
      params: slugParams,
      response: { 200: scheduleSchema, ...problems(404) },
    },
    handler: async (req) => networkSchedule(req.params.slug),
  });
  app.get('/networks/:slug/schedule.xml', {
    schema: {
      tags,
      summary: 'A network’s announced and cancelled meetings with their released agendas, in the c3voc schedule format (XML)',
      description: `${scheduleDescription} One day per meeting date; 404 while the network has no meeting to show.`,
      params: slugParams,
      response: { 200: xmlResponse, ...problems(404) },
    },
    handler: async (req, reply) => reply.type(XML_TYPE).send(scheduleXml(networkSchedule(req.params.slug))),
  });

  app.get('/meetings/:id/registrations.csv', {
    schema: {
      tags,
      summary: 'A meeting’s registrations as CSV for spreadsheets (coordinators of its network and admins)',
      description:
        'Every registration in queue order, cancelled ones included, with status, place on the waiting list and track. ' +
        'UTF-8 with BOM (so Excel shows æ ø å), `;` between fields (Danish Excel’s list separator), CRLF line ends. ' +
        'Cells starting with = + - @ get a leading apostrophe, so a spreadsheet never runs them as formulas. ' +
        'Anonymous requests get 401; reader tokens and other networks’ tokens 403 (a draft meeting stays 404 outside its network).',
      security: bearer,
      params: idParams,
      response: { 200: csvResponse, ...problems(401, 403, 404) },
    },
    handler: async (req, reply) => {
      const { token, scope } = req;
      if (!token) throw unauthorized('Registrations with names are visible with an API token only');
      const inNetwork = (slug: string) => token.role === 'admin' || scope === null || scope.has(slug);
      const meeting = meetings.getRow(req.params.id, inNetwork);
      if (!inNetwork(meeting.networkSlug)) {
        throw forbidden(`This token may not read the registrations of network '${meeting.networkSlug}'`);
      }
      if (token.role === 'reader') throw forbidden('The registrations export is for coordinators and admins');
      const filename = `tilmeldinger-${meeting.date}-${meeting.id}.csv`;
      return reply
        .type(CSV_TYPE)
        .header('content-disposition', `attachment; filename="${filename}"`)
        .header('cache-control', 'private, no-store')
        .send(registrationsCsv(registrations.exportRows(meeting.id)));
    },
  });
};
