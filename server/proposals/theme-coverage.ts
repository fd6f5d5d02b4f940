// The season report of a network: which themes its meetings' agenda items cover, which meetings covered
// each theme, and which proposals were taken up. The public reads released agendas of announced meetings;
// tokens that may see the network's drafts read the working agendas, drafts included. Cancelled
// meetings covered nothing and are left out.
import { and, asc, eq, gte, lte, ne } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { meetings, themeProposals, themes } from '../../db/schema.js';
import { releasedAgenda, type AgendaVersion } from '../agenda/agenda-view.js';
import { workingAgenda } from '../agenda/working-agenda.js';
import { networksRepository } from '../networks/networks.repository.js';
import { byRank, itemRef, voteCounts } from './proposals.repository.js';
import type { ThemeCoverage } from './proposals.schemas.js';

interface ThemeRef {
  id: string;
  key: string;
  name: string;
}

/** Items per theme for one meeting's agenda: [theme, count] in theme-key order. */
export function countThemes(items: { themes: ThemeRef[] }[]): { theme: ThemeRef; items: number }[] {
  const counts = new Map<string, { theme: ThemeRef; items: number }>();
  for (const item of items) {
    for (const theme of item.themes) {
      const entry = counts.get(theme.id) ?? { theme, items: 0 };
      entry.items += 1;
      counts.set(theme.id, entry);
    }
  }
  return [...counts.values()].sort((a, b) => a.theme.key.localeCompare(b.theme.key));
}

export function themeCoverage(
  db: Db,
  baseUrl: string,
  slug: string,
  version: AgendaVersion,
  range: { from?: string | undefined; to?: string | undefined },
): ThemeCoverage {
  const network = networksRepository(db, baseUrl).getRow(slug);
  const from = range.from ?? network.seasonStart ?? null;
  const to = range.to ?? network.seasonEnd ?? null;
  const working = version === 'working';
  const rows = db
    .select()
    .from(meetings)
    .where(
      and(
        eq(meetings.networkSlug, slug),
        ne(meetings.status, 'cancelled'),
        working ? undefined : eq(meetings.status, 'announced'),
        from ? gte(meetings.date, from) : undefined,
        to ? lte(meetings.date, to) : undefined,
      ),
    )
    .orderBy(asc(meetings.date), asc(meetings.startTime), asc(meetings.id))
    .all();

  // Every current theme of the network is listed, covered or not; themes since deleted appear if covered.
  const byTheme = new Map<string, { theme: ThemeRef; items: number; meetings: { id: string; title: string; date: string; items: number }[] }>();
  for (const t of db.select().from(themes).where(eq(themes.networkSlug, slug)).all()) {
    byTheme.set(t.id, { theme: { id: t.id, key: t.key, name: t.name }, items: 0, meetings: [] });
  }

  const meetingReports = rows.map((m) => {
    let release: number | null = null;
    let items: { themes: ThemeRef[] }[];
    let title = m.title;
    if (working) {
      items = workingAgenda(db, baseUrl, m.id).items;
    } else {
      const released = releasedAgenda(db, baseUrl, m.id);
      release = released?.release?.number ?? null;
      items = released?.items ?? [];
      title = released?.meeting.title ?? m.title;
    }
    const counted = countThemes(items);
    for (const { theme, items: n } of counted) {
      const entry = byTheme.get(theme.id) ?? { theme, items: 0, meetings: [] };
      entry.items += n;
      entry.meetings.push({ id: m.id, title, date: m.date, items: n });
      byTheme.set(theme.id, entry);
    }
    return {
      id: m.id,
      title,
      date: m.date,
      status: m.status,
      release,
      items: items.length,
      themes: counted.map(({ theme, items: n }) => ({ key: theme.key, name: theme.name, items: n })),
    };
  });

  const proposals = db.select().from(themeProposals).where(eq(themeProposals.networkSlug, slug)).all();
  const votes = voteCounts(db, proposals.map((p) => p.id));
  const themeRows = db.select().from(themes).where(eq(themes.networkSlug, slug)).all();
  const accepted = proposals
    .filter((p) => p.status === 'accepted')
    .map((p) => ({ row: p, votes: votes.get(p.id) ?? 0, createdAt: p.createdAt, id: p.id }))
    .sort(byRank)
    .map(({ row, votes: n }) => {
      const theme = themeRows.find((t) => t.id === row.themeId);
      return {
        id: row.id,
        title: row.title,
        votes: n,
        theme: theme ? { key: theme.key, name: theme.name } : null,
        item: itemRef(db, row.itemId, working),
        decisionNote: row.decisionNote,
        decidedAt: row.decidedAt,
      };
    });

  return {
    networkSlug: slug,
    version,
    from,
    to,
    meetings: meetingReports,
    themes: [...byTheme.values()]
      .sort((a, b) => a.theme.key.localeCompare(b.theme.key))
      .map((e) => ({ key: e.theme.key, name: e.theme.name, items: e.items, meetings: e.meetings })),
    proposals: {
      accepted,
      declined: proposals.filter((p) => p.status === 'declined').length,
      open: proposals.filter((p) => p.status === 'open').length,
    },
  };
}
