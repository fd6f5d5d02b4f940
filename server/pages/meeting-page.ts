// `/meetings/{id}`: a meeting's released agenda — venue with address, the time × track grid (tracks side
// by side, plenary items across them), speakers and themes, what changed in the latest release, and the
// subscribe buttons of its feeds. Reads what the feeds and the public API read (releases/published.ts):
// drafts do not exist here (404), cancelled meetings are marked.
import type { Db } from '../../db/client.js';
import { clusters } from '../../db/schema.js';
import { eq } from 'drizzle-orm';
import { notFound } from '../http/errors.js';
import { changelogSchema, type Changelog } from '../releases/release-diff.js';
import { latestRelease, publishedAgenda } from '../releases/published.js';
import type { SnapshotItem, SnapshotTrack } from '../releases/snapshot.js';
import { html, type Html } from './html.js';
import { withLang, type Lang } from './i18n.js';
import { layout } from './layout.js';
import type { Messages } from './messages.da.js';
import type { PageContext } from './page-http.js';
import { instantIn, longDate, wallTime } from './page-format.js';
import { programmeGrid } from './programme-grid.js';
import { subscribeBox, subscribeIntro } from './subscribe.js';

export interface MeetingPage {
  document: string;
  network: string;
}

const timeRange = (m: Messages, lang: Lang, from: string, to: string) => m.meeting.timeRange(wallTime(from, lang), wallTime(to, lang));

function itemCell(m: Messages, lang: Lang, item: SnapshotItem): Html {
  return html`<span class="item-title">${item.title}</span>
<span class="item-meta">${timeRange(m, lang, item.startTime, item.endTime)}</span>
${item.speakers.length > 0 ? html`<span class="item-meta">${m.meeting.speakers}: ${item.speakers.map((s) => [s.name, s.title, s.organisation].filter(Boolean).join(', ')).join('; ')}</span>` : ''}
${item.themes.length > 0 ? html`<span class="item-meta">${m.meeting.themes}: ${item.themes.map((t) => t.name).join(', ')}</span>` : ''}`;
}

function grid(m: Messages, lang: Lang, tracks: SnapshotTrack[], items: SnapshotItem[]): Html {
  const ordered = [...tracks].sort((a, b) => a.sortOrder - b.sortOrder || a.id.localeCompare(b.id));
  const rows = programmeGrid(
    ordered.map((t) => t.id),
    items,
  );
  const heads =
    ordered.length > 0
      ? ordered.map((t) => html`<th scope="col">${t.name}${t.room ? html`<span class="item-meta">${t.room}</span>` : ''}</th>`)
      : html`<th scope="col">${m.meeting.programme}</th>`;
  return html`<table class="programme">
<caption class="visually-hidden">${m.meeting.programme}</caption>
<thead><tr><th scope="col" class="time">${m.meeting.time}</th>${heads}</tr></thead>
<tbody>
${rows.map(
  (row) => html`<tr><th scope="row" class="time">${wallTime(row.startTime, lang)}</th>${row.cells.map((cell) =>
    'empty' in cell
      ? html`<td></td>`
      : html`<td${cell.colspan > 1 ? html` colspan="${cell.colspan}"` : ''}${cell.rowspan > 1 ? html` rowspan="${cell.rowspan}"` : ''}${cell.item.trackId === null && ordered.length > 1 ? html` class="plenary"` : ''}>${itemCell(m, lang, cell.item)}</td>`,
  )}</tr>`,
)}
</tbody>
</table>`;
}

function changeLines(m: Messages, lang: Lang, log: Changelog): string[] {
  const c = m.changes;
  const at = (t: string) => wallTime(t, lang);
  return [
    ...log.meeting.map((f) => c.meetingField(c.fields[f.field] ?? f.field, f.to ?? '–')),
    ...log.tracks.added.map((t) => c.trackAdded(t.name)),
    ...log.tracks.removed.map((t) => c.trackRemoved(t.name)),
    ...log.tracks.changed.map((t) => c.trackChanged(t.name)),
    ...log.items.added.map((i) => c.itemAdded(i.title, at(i.startTime))),
    ...log.items.removed.map((i) => c.itemRemoved(i.title)),
    ...log.items.moved.map((i) => c.itemMoved(i.title, at(i.to.startTime))),
    ...log.items.retitled.map((i) => c.itemRetitled(i.from, i.to)),
    ...log.items.changed.map((i) => c.itemChanged(i.title)),
  ];
}

export function meetingPage(db: Db, baseUrl: string, id: string, ctx: PageContext): MeetingPage {
  const { m, lang } = ctx;
  const published = publishedAgenda(db, id);
  if (!published) throw notFound('Meeting', id);
  const { meeting, network, venue, release, tracks, items } = published;
  const cancelled = meeting.status === 'cancelled';
  const latest = release ? latestRelease(db, id) : undefined;
  const changes = latest && release && release.number > 1 ? changeLines(m, lang, changelogSchema.parse(JSON.parse(latest.changelog))) : [];
  const cluster = meeting.clusterId ? db.select().from(clusters).where(eq(clusters.id, meeting.clusterId)).get() : undefined;
  const themes = [...new Map(items.flatMap((i) => i.themes).map((t) => [t.key, t])).values()].sort((a, b) => a.name.localeCompare(b.name, 'da'));
  const orderedTracks = [...tracks].sort((a, b) => a.sortOrder - b.sortOrder || a.id.localeCompare(b.id));
  const address = venue ? [venue.streetAddress, [venue.postalCode, venue.city].filter(Boolean).join(' ')].filter(Boolean) : [];

  const main = html`<h1${cancelled ? html` class="cancelled-title"` : ''}>${meeting.title}</h1>
${cancelled ? html`<p class="notice">${m.meeting.cancelledNotice}</p>` : ''}
<dl class="facts">
<dt>${m.meeting.network}</dt><dd><a href="${withLang(`/networks/${encodeURIComponent(network.slug)}`, lang)}">${network.name}</a></dd>
<dt>${m.meeting.when}</dt><dd>${longDate(meeting.date, lang)}, ${timeRange(m, lang, meeting.startTime, meeting.endTime)}</dd>
<dt>${m.meeting.venue}</dt><dd>${venue ? html`<address>${venue.name}${address.map((line) => html`<br>${line}`)}</address>` : m.meeting.noVenue}</dd>
${release ? html`<dt>${m.meeting.programme}</dt><dd>${m.meeting.release(release.number)}, ${m.meeting.releasedAt(instantIn(release.createdAt, meeting.timeZone, lang))}</dd>` : ''}
</dl>
${meeting.description ? html`<p class="no-print">${meeting.description}</p>` : ''}
${cancelled ? '' : html`<p class="no-print"><a href="${withLang(`/meetings/${encodeURIComponent(meeting.id)}/register`, lang)}">${m.selfService.links.register}</a></p>`}
<h2>${m.meeting.programme}</h2>
${release && items.length > 0 ? grid(m, lang, tracks, items) : html`<p>${m.meeting.noProgramme}</p>`}
${
  release
    ? html`<section class="no-print" aria-labelledby="changes"><h2 id="changes">${m.meeting.changes}</h2>
${changes.length > 0 ? html`<ul class="changes">${changes.map((l) => html`<li>${l}</li>`)}</ul>` : html`<p>${m.meeting.noChanges}</p>`}
${release.note ? html`<p>${release.note}</p>` : ''}</section>`
    : ''
}
<div class="no-print">
${subscribeIntro(m)}
${subscribeBox(m, baseUrl, `/feeds/meetings/${meeting.id}.ics`, m.subscribe.meeting, meeting.title)}
${subscribeBox(m, baseUrl, `/feeds/meetings/${meeting.id}.ics?items=1`, m.subscribe.meetingItems, `${meeting.title} – ${m.meeting.programme}`)}
${orderedTracks.map((t) => subscribeBox(m, baseUrl, `/feeds/tracks/${t.id}.ics`, m.subscribe.track(t.name), `${meeting.title} – ${t.name}`))}
${themes.map((t) => subscribeBox(m, baseUrl, `/feeds/networks/${network.slug}/themes/${t.key}.ics`, m.subscribe.theme(t.name), `${network.name} – ${t.name}`))}
${cluster ? subscribeBox(m, baseUrl, `/feeds/clusters/${cluster.id}.ics`, m.subscribe.cluster(cluster.name), `${network.name} – ${cluster.name}`) : ''}
${subscribeBox(m, baseUrl, `/feeds/networks/${network.slug}.ics`, m.subscribe.network, network.name)}
</div>`;
  return { document: layout({ ...ctx, title: meeting.title, main }), network: network.slug };
}
