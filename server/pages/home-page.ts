// `/`: the networks, each with its purpose in a line and how many meetings it has announced.
import type { Db } from '../../db/client.js';
import { networks } from '../../db/schema.js';
import { publishedMeetingIds } from '../releases/published.js';
import { asc } from 'drizzle-orm';
import { html } from './html.js';
import { withLang } from './i18n.js';
import { layout } from './layout.js';
import type { PageContext } from './page-http.js';

export function homePage(db: Db, ctx: PageContext): string {
  const { m, lang } = ctx;
  const rows = db.select().from(networks).orderBy(asc(networks.name), asc(networks.slug)).all();
  const main = html`<h1>${m.home.title}</h1>
<p>${m.home.intro}</p>
${
  rows.length === 0
    ? html`<p>${m.home.empty}</p>`
    : html`<ul class="cards">
${rows.map(
  (n) => html`<li>
<h2><a href="${withLang(`/networks/${encodeURIComponent(n.slug)}`, lang)}">${n.name}</a></h2>
${n.description ? html`<p>${firstParagraph(n.description)}</p>` : ''}
<p class="muted">${m.home.meetingCount(publishedMeetingIds(db, n.slug).length)}</p>
</li>`,
)}
</ul>`
}`;
  return layout({ ...ctx, title: m.home.title, main });
}

/** The first paragraph of a longer text. */
export const firstParagraph = (text: string): string => text.split(/\n\s*\n/)[0]!.trim();
