// Releases: numbered, frozen versions of a meeting's agenda with a changelog against the previous one.
import { and, asc, eq, gt } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { type DraftAccess } from '../auth/auth.plugin.js';
import { releases, type ReleaseRow } from '../../db/schema.js';
import { checkWorkingAgenda, snapshotOf, workingAgenda } from '../agenda/working-agenda.js';
import { errorsOnly } from '../checks/agenda-checks.js';
import { conflict, notFound } from '../http/errors.js';
import { newId, nowIso } from '../http/ids.js';
import { decodeCursor, page } from '../http/pagination.js';
import { meetingsRepository } from '../meetings/meetings.repository.js';
import { enqueue, meetingRef, registeredParticipants } from '../outbox/outbox.js';
import { latestRelease } from './published.js';
import { changelogSchema, diffSnapshots, type Changelog } from './release-diff.js';
import type { Release, ReleaseSummary } from './releases.schemas.js';
import { snapshotSchema, type Snapshot } from './snapshot.js';

const summary = (row: ReleaseRow): ReleaseSummary => ({
  meetingId: row.meetingId,
  number: row.number,
  note: row.note,
  createdBy: row.createdBy,
  createdAt: row.createdAt,
  changelog: changelogSchema.parse(JSON.parse(row.changelog)),
});

const full = (row: ReleaseRow): Release => ({ ...summary(row), agenda: snapshotSchema.parse(JSON.parse(row.snapshot)) });

export function releasesRepository(db: Db, baseUrl: string) {
  const meetings = meetingsRepository(db, baseUrl);

  const getRow = (meetingId: string, n: number, includeDrafts: DraftAccess): ReleaseRow => {
    meetings.getRow(meetingId, includeDrafts);
    const row = db.select().from(releases).where(and(eq(releases.meetingId, meetingId), eq(releases.number, n))).get();
    if (!row) throw notFound('Release', `${meetingId}/${n}`);
    return row;
  };
  const snapshotAt = (meetingId: string, n: number, includeDrafts: DraftAccess): Snapshot | null =>
    n === 0 ? null : snapshotSchema.parse(JSON.parse(getRow(meetingId, n, includeDrafts).snapshot));

  return {
    /** Freezes the working agenda as the next release; refused while it has error findings or no changes. */
    create(meetingId: string, note: string, createdBy: string): Release {
      return db.transaction(
        () => {
          const agenda = workingAgenda(db, baseUrl, meetingId);
          const errors = errorsOnly(checkWorkingAgenda(agenda));
          if (errors.length > 0) {
            throw conflict('agenda-has-errors', 'The agenda has errors; fix them before releasing', { findings: errors });
          }
          const snapshot = snapshotOf(agenda);
          const previous = latestRelease(db, meetingId);
          const before = previous ? snapshotSchema.parse(JSON.parse(previous.snapshot)) : null;
          const changelog: Changelog = diffSnapshots(before, snapshot);
          if (previous && changelog.empty) {
            throw conflict('no-changes', `Nothing changed since release ${previous.number}`);
          }
          const row = db
            .insert(releases)
            .values({
              id: newId('rel'),
              meetingId,
              number: (previous?.number ?? 0) + 1,
              note,
              createdBy,
              snapshot: JSON.stringify(snapshot),
              changelog: JSON.stringify(changelog),
              createdAt: nowIso(),
            })
            .returning()
            .get();
          // Drafts are nobody's business yet: only a release of a meeting people can see is announced.
          const meeting = meetings.getRow(meetingId);
          if (meeting.status !== 'draft') {
            enqueue(db, {
              type: 'release.published',
              networkSlug: meeting.networkSlug,
              data: { ...meetingRef(meeting), releaseNumber: row.number, note, changelog },
              recipients: registeredParticipants(db, meetingId),
            });
          }
          return full(row);
        },
        { behavior: 'immediate' },
      );
    },
    list(meetingId: string, includeDrafts: DraftAccess, limit: number, cursor?: string) {
      meetings.getRow(meetingId, includeDrafts);
      const key = decodeCursor(cursor, 1);
      const rows = db
        .select()
        .from(releases)
        .where(and(eq(releases.meetingId, meetingId), key ? gt(releases.number, Number(key[0])) : undefined))
        .orderBy(asc(releases.number))
        .limit(limit + 1)
        .all();
      return page(rows, limit, (r) => [r.number], summary);
    },
    get: (meetingId: string, n: number, includeDrafts: DraftAccess): Release => full(getRow(meetingId, n, includeDrafts)),
    diff(meetingId: string, to: number, from: number, includeDrafts: DraftAccess) {
      const after = snapshotAt(meetingId, to, includeDrafts)!;
      const before = snapshotAt(meetingId, from, includeDrafts);
      return { meetingId, from, to, changelog: diffSnapshots(before, after) };
    },
  };
}
