// A network's releases as an Atom feed (RFC 4287), as plain functions: one entry per published release,
// newest first, its changelog (release-diff.ts) as the entry's content in Danish. Entry ids are
// `urn:uuid:` UUIDv5 of the release's id, so they never change; `updated` is the release time.
// Built with xmlbuilder2, which escapes every text and attribute.
import { create } from 'xmlbuilder2';
import type { NetworkRow } from '../../db/schema.js';
import { longDate, meetingLines } from '../email/change-summary.js';
import { stableUuid } from '../exchange/stable-uuid.js';
import type { NetworkRelease } from '../releases/published.js';
import { changelogSchema, type Changelog } from '../releases/release-diff.js';
import { snapshotSchema, type SnapshotTrack } from '../releases/snapshot.js';

const ATOM_NS = 'http://www.w3.org/2005/Atom';
const XHTML_NS = 'http://www.w3.org/1999/xhtml';

const trackName = (tracks: Map<string, string>, id: string | null) => (id === null ? 'Fælles program' : (tracks.get(id) ?? 'et spor'));

/** What changed in one release, as sentences (Danish). `tracks`: the tracks of both releases, for names. */
export function changelogLines(changelog: Changelog, tracks: readonly Pick<SnapshotTrack, 'id' | 'name'>[]): string[] {
  if (changelog.empty) return ['Ingen ændringer.'];
  const names = new Map(tracks.map((t) => [t.id, t.name]));
  for (const t of [...changelog.tracks.added, ...changelog.tracks.removed]) if (!names.has(t.id)) names.set(t.id, t.name);
  const lines = meetingLines(changelog.meeting, 'da');
  for (const c of changelog.meeting) {
    if (c.field === 'description') lines.push('Mødets beskrivelse er ændret');
    else if (c.field === 'timeZone' && c.to !== null) lines.push(`Tidszone: ${c.to}`);
    else if (c.field === 'status' && c.to === 'announced') lines.push('Mødet er annonceret');
  }
  for (const t of changelog.tracks.added) lines.push(`Nyt spor: «${t.name}»`);
  for (const t of changelog.tracks.removed) lines.push(`Sporet «${t.name}» er nedlagt`);
  for (const t of changelog.tracks.changed) lines.push(`Sporet «${t.name}» er ændret (${t.fields.join(', ')})`);
  for (const i of changelog.items.added) lines.push(`Nyt: «${i.title}» kl. ${i.startTime}–${i.endTime}, ${trackName(names, i.trackId)}`);
  for (const i of changelog.items.removed) lines.push(`Udgået: «${i.title}» (kl. ${i.startTime}–${i.endTime})`);
  for (const m of changelog.items.moved) {
    const where = m.from.trackId !== m.to.trackId ? `, nu i ${trackName(names, m.to.trackId)}` : '';
    lines.push(`Flyttet: «${m.title}» fra kl. ${m.from.startTime}–${m.from.endTime} til kl. ${m.to.startTime}–${m.to.endTime}${where}`);
  }
  for (const r of changelog.items.retitled) lines.push(`«${r.from}» hedder nu «${r.to}»`);
  for (const c of changelog.items.changed) lines.push(`«${c.title}» er ændret (${c.fields.join(', ')})`);
  return lines;
}

export const releaseEntryId = (releaseId: string): string => `urn:uuid:${stableUuid(`release:${releaseId}@netagenda`)}`;

/** The feed's `updated`: the newest release, or the network's last change when it has none. */
export const atomUpdated = (network: NetworkRow, releases: readonly NetworkRelease[]): string =>
  releases.reduce((max, r) => (r.release.createdAt > max ? r.release.createdAt : max), releases.length > 0 ? '' : network.updatedAt);

/** The Atom document; `releases` newest first (published.ts `networkReleases`). */
export function releasesAtom(network: NetworkRow, releases: readonly NetworkRelease[], baseUrl: string): string {
  const self = `${baseUrl}/feeds/networks/${network.slug}/releases.atom`;
  const feed = create({ version: '1.0', encoding: 'UTF-8' }).ele(ATOM_NS, 'feed', { 'xml:lang': 'da' });
  feed.ele('id').txt(`urn:uuid:${stableUuid(`releases:${network.slug}@netagenda`)}`);
  feed.ele('title').txt(`${network.name}: nye udgaver af programmerne`);
  feed.ele('updated').txt(atomUpdated(network, releases));
  feed.ele('author').ele('name').txt(network.organiserName.trim() || network.name);
  feed.ele('link', { rel: 'self', type: 'application/atom+xml', href: self });
  feed.ele('link', { rel: 'alternate', type: 'application/json', href: `${baseUrl}/api/v1/networks/${network.slug}` });
  feed.ele('generator').txt('netagenda');
  for (const { release, meeting } of releases) {
    const changelog = changelogSchema.parse(JSON.parse(release.changelog));
    const tracks = snapshotSchema.parse(JSON.parse(release.snapshot)).tracks;
    const entry = feed.ele('entry');
    entry.ele('id').txt(releaseEntryId(release.id));
    entry.ele('title').txt(`${meeting.title} (${longDate(meeting.date, 'da')}): udgave ${release.number}`);
    entry.ele('updated').txt(release.createdAt);
    entry.ele('published').txt(release.createdAt);
    entry.ele('link', { rel: 'alternate', type: 'application/json', href: `${baseUrl}/api/v1/meetings/${meeting.id}/releases/${release.number}` });
    entry.ele('summary').txt(release.note.trim() || `Udgave ${release.number} af programmet`);
    const div = entry.ele('content', { type: 'xhtml' }).ele(XHTML_NS, 'div');
    if (release.note.trim()) div.ele('p').txt(release.note.trim());
    const list = div.ele('ul');
    for (const line of changelogLines(changelog, tracks)) list.ele('li').txt(line);
  }
  return feed.end({ prettyPrint: true });
}
