// A cluster's facilitated meeting series: creates the draft meetings planned by meeting-series.ts in one
// transaction, hosted in turn by the cluster's members (the most central member first, then by code) at
// their town halls, which become venues of the network. Generating again replaces the series' meetings
// except those that already have registrations or releases: those keep their place (their series number)
// and the new plan fills the other places.
import { and, count, eq, inArray, isNotNull, ne } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { clusters, meetings, registrations, releases, venues } from '../../db/schema.js';
import { TOWN_HALLS } from '../../db/town-halls.js';
import { badRequest, conflict } from '../http/errors.js';
import { newId, nowIso } from '../http/ids.js';
import { checkMeetingHours } from '../meetings/meeting-times.js';
import { meetingsRepository } from '../meetings/meetings.repository.js';
import { networksRepository } from '../networks/networks.repository.js';
import { agendaOperations } from '../planning/agenda-operations.js';
import type { Template } from '../templates/templates.js';
import { clustersRepository, locateTownHall } from './clusters.repository.js';
import type { SeriesRequest } from './clusters.schemas.js';
import { lastYear, planSeries } from './meeting-series.js';
import { explainCluster } from './travel-proposal.js';

export function seriesService(db: Db, baseUrl: string, templates: readonly Template[]) {
  const clusterRepo = clustersRepository(db, baseUrl);
  const networkRepo = networksRepository(db, baseUrl);
  const meetingRepo = meetingsRepository(db, baseUrl);
  const ops = agendaOperations(db, baseUrl);

  /** The network's venue at a municipality's town hall, created the first time it hosts. */
  const townHallVenue = (slug: string, municipality: { code: number; name: string }, at: string): string => {
    const name = `${municipality.name} Rådhus`;
    const found = db.select({ id: venues.id }).from(venues).where(and(eq(venues.networkSlug, slug), eq(venues.name, name))).get();
    if (found) return found.id;
    const hall = TOWN_HALLS.get(municipality.code)!;
    const id = newId('ven');
    db.insert(venues).values({ id, networkSlug: slug, name, city: hall.town, latitude: hall.latitude, longitude: hall.longitude, createdAt: at, updatedAt: at }).run();
    return id;
  };

  return {
    generate(clusterId: string, input: SeriesRequest) {
      return db.transaction(
        () => {
          const row = clusterRepo.getRow(clusterId);
          const network = networkRepo.getRow(row.networkSlug);
          const at = nowIso();
          const facilitator = (input.facilitator ?? row.facilitator).trim();
          if (!facilitator) {
            throw conflict('facilitator-required', `Cluster '${row.name}' has no facilitator: name one in the request (facilitator) or on the cluster`);
          }
          if (facilitator !== row.facilitator) {
            db.update(clusters).set({ facilitator, updatedAt: at, version: row.version + 1 }).where(eq(clusters.id, clusterId)).run();
          }
          const cluster = clusterRepo.get(clusterId);
          if (cluster.municipalities.length === 0) throw conflict('cluster-empty', `Cluster '${row.name}' has no active members to host its meetings`);
          let template: Template | null = null;
          if (network.defaultTemplate) {
            template = templates.find((t) => t.key === network.defaultTemplate) ?? null;
            if (!template) throw conflict('default-template-missing', `The network's default agenda template '${network.defaultTemplate}' is not installed`);
          }

          // Hosts: the most central member first, then the others by code.
          const central = explainCluster(cluster.municipalities, locateTownHall).host;
          const hosts = [central, ...cluster.municipalities.filter((m) => m.code !== central.code)];
          if (lastYear(input) > 9999) {
            throw badRequest('series-out-of-range', 'The series would run past the year 9999', [{ path: 'body.from', message: 'too late for this many meetings' }]);
          }
          const slots = planSeries(input, hosts);
          for (const s of slots) checkMeetingHours(s.date, input.startTime, input.endTime, network.timeZone);

          // The series so far: meetings with registrations or releases stay, the others go.
          const existing = db.select().from(meetings).where(and(eq(meetings.clusterId, clusterId), isNotNull(meetings.seriesNumber))).all();
          const booked = (id: string) =>
            db.select({ n: count() }).from(registrations).where(and(eq(registrations.meetingId, id), ne(registrations.status, 'cancelled'))).get()!.n > 0 ||
            db.select({ n: count() }).from(releases).where(eq(releases.meetingId, id)).get()!.n > 0;
          const kept = existing.filter((m) => booked(m.id));
          const removed = existing.filter((m) => !kept.includes(m));
          if (removed.length > 0) db.delete(meetings).where(inArray(meetings.id, removed.map((m) => m.id))).run();

          const taken = new Set(kept.map((m) => m.seriesNumber));
          const created = slots
            .filter((s) => !taken.has(s.number))
            .map((s) => {
              const venueId = townHallVenue(network.slug, s.host, at);
              const town = TOWN_HALLS.get(s.host.code)!.town;
              const id = newId('mtg');
              db.insert(meetings)
                .values({
                  id,
                  networkSlug: network.slug,
                  title: `${cluster.name}: møde ${s.number} af ${input.count}`,
                  date: s.date,
                  startTime: input.startTime,
                  endTime: input.endTime,
                  timeZone: network.timeZone,
                  venueId,
                  status: 'draft',
                  description: `Faciliteret møderække for ${cluster.name}, møde ${s.number} af ${input.count}.\nVært: ${s.host.name} Kommune (${town} Rådhus).\nFacilitator: ${facilitator}.`,
                  clusterId,
                  seriesNumber: s.number,
                  createdAt: at,
                  updatedAt: at,
                })
                .run();
              if (template) ops.applyTemplate(id, template, 'replace', true);
              return { number: s.number, moved: s.moved, host: s.host, kept: false, meeting: meetingRepo.get(id) };
            });
          const keptOut = kept.map((m) => ({ number: m.seriesNumber!, moved: null, host: null, kept: true, meeting: meetingRepo.get(m.id) }));
          return {
            clusterId,
            facilitator,
            template: template?.key ?? null,
            meetings: [...created, ...keptOut].sort((a, b) => a.number - b.number || (a.meeting.id < b.meeting.id ? -1 : 1)),
            removed: removed.map((m) => m.id),
          };
        },
        { behavior: 'immediate' },
      );
    },
  };
}
