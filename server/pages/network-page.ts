// `/networks/{slug}`: a network's purpose, organiser, season, themes, its meetings (announced and cancelled,
// clearly marked; drafts never), its sign-up window (open or closed, times in the network's zone), the
// participants' theme proposals ranked by votes, and the subscribe buttons of its feeds.
import type { Db } from '../../db/client.js';
import { clustersRepository } from '../clusters/clusters.repository.js';
import { meetingsRepository } from '../meetings/meetings.repository.js';
import { closesAt, opensAt, signupState } from '../members/signup-window.js';
import { networksRepository } from '../networks/networks.repository.js';
import { proposalsRepository } from '../proposals/proposals.repository.js';
import { themesRepository } from '../themes/themes.repository.js';
import { html, type Html } from './html.js';
import { withLang } from './i18n.js';
import { layout } from './layout.js';
import type { PageContext } from './page-http.js';
import { localDateTime, longDate, shortDate, wallTime } from './page-format.js';
import { subscribeBox, subscribeIntro } from './subscribe.js';

export interface NetworkPage {
  document: string;
  /** When what the page says about the sign-up window stops being true (ms), or null. */
  expiresAtMs: number | null;
}

const paragraphs = (text: string): Html[] =>
  text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => html`<p>${p}</p>`);

const DEFAULT_ZONE = 'Europe/Copenhagen';

export function networkPage(db: Db, baseUrl: string, slug: string, ctx: PageContext, now: Date): NetworkPage {
  const { m, lang } = ctx;
  const network = networksRepository(db, baseUrl).getRow(slug);
  const themes = themesRepository(db, baseUrl).list(slug, 500).data;
  const meetings = meetingsRepository(db, baseUrl).list(slug, { includeDrafts: false }, 500).data;
  const proposals = proposalsRepository(db, baseUrl).list(slug, { status: 'open' }, false, 50).data;
  const clusterList = clustersRepository(db, baseUrl).list(slug).data;

  const zoneNote = network.timeZone === DEFAULT_ZONE ? '' : ` (${network.timeZone})`;
  const state = signupState(network, now);
  const opens = opensAt(network);
  const closes = closesAt(network);
  const upcoming = [opens, closes].filter((d): d is Date => d !== null && d.getTime() > now.getTime()).map((d) => d.getTime());
  const windowText = state === 'open' ? m.network.signupOpen : state === 'not-open' ? m.network.signupNotOpen : m.network.signupClosed;

  const organiser = [network.organiserName, network.organiserEmail, network.organiserPhone, network.organiserAddress].filter(Boolean) as string[];
  const season = network.seasonStart && network.seasonEnd ? m.network.seasonRange(shortDate(network.seasonStart, lang), shortDate(network.seasonEnd, lang)) : null;

  const main = html`<h1>${network.name}</h1>
${paragraphs(network.description)}
<dl class="facts">
${organiser.length > 0 ? html`<dt>${m.network.organiser}</dt><dd>${organiser.map((line, i) => html`${i > 0 ? html`<br>` : ''}${line.includes('@') ? html`<a href="mailto:${line}">${line}</a>` : line}`)}</dd>` : ''}
${season ? html`<dt>${m.network.season}</dt><dd>${season}</dd>` : ''}
${network.targetGroup ? html`<dt>${m.network.targetGroup}</dt><dd>${network.targetGroup}</dd>` : ''}
</dl>
${network.purpose ? html`<h2>${m.network.purpose}</h2>${paragraphs(network.purpose)}` : ''}

<h2>${m.network.signup}</h2>
<p><strong>${windowText}</strong>
${network.signupOpens && state === 'not-open' ? m.network.signupOpens(localDateTime(network.signupOpens, lang) + zoneNote) : ''}
${network.signupDeadline ? m.network.signupDeadline(localDateTime(network.signupDeadline, lang) + zoneNote) : ''}</p>
${state === 'open' ? html`<p><a href="${withLang(`/networks/${encodeURIComponent(network.slug)}/signup`, lang)}">${m.selfService.links.signup}</a></p>` : ''}

<h2>${m.network.meetings}</h2>
${
  meetings.length === 0
    ? html`<p>${m.network.noMeetings}</p>`
    : html`<ul class="meetings">
${meetings.map((mt) => {
  const cancelled = mt.status === 'cancelled';
  return html`<li><a href="${withLang(`/meetings/${encodeURIComponent(mt.id)}`, lang)}"${cancelled ? html` class="cancelled-title"` : ''}>${mt.title}</a>
${cancelled ? html`<span class="status status-cancelled">${m.network.cancelled}</span>` : ''}
<br><span class="muted">${longDate(mt.date, lang)}, ${m.meeting.timeRange(wallTime(mt.startTime, lang), wallTime(mt.endTime, lang))}${mt.venue ? html`, ${mt.venue.name}` : ''}</span></li>`;
})}
</ul>`
}

<h2>${m.network.themes}</h2>
${themes.length === 0 ? html`<p>${m.network.noThemes}</p>` : html`<ul>${themes.map((t) => html`<li><strong>${t.name}</strong>${t.description ? html`: ${t.description}` : ''}</li>`)}</ul>`}

<h2>${m.network.proposals}</h2>
${
  proposals.length === 0
    ? html`<p>${m.network.noProposals}</p>`
    : html`<p class="muted">${m.network.proposalsIntro}</p>
<ol class="proposals">${proposals.map((p) => html`<li><strong>${p.title}</strong> <span class="muted">(${m.network.votes(p.votes)})</span>${p.description ? html`<br>${p.description}` : ''}</li>`)}</ol>`
}

<div class="no-print">
${subscribeIntro(m)}
${subscribeBox(m, baseUrl, `/feeds/networks/${network.slug}.ics`, m.subscribe.network, network.name)}
${themes.map((t) => subscribeBox(m, baseUrl, `/feeds/networks/${network.slug}/themes/${t.key}.ics`, m.subscribe.theme(t.name), `${network.name} – ${t.name}`))}
${clusterList.map((c) => subscribeBox(m, baseUrl, `/feeds/clusters/${c.id}.ics`, m.subscribe.cluster(c.name), `${network.name} – ${c.name}`))}
</div>`;
  return { document: layout({ ...ctx, title: network.name, main }), expiresAtMs: upcoming.length > 0 ? Math.min(...upcoming) : null };
}
