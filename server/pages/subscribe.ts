// Subscribe buttons beside a feed: the links each calendar service accepts for "subscribe to this URL",
// and the small block that shows them with one line on which to choose.
//  - webcal://   Apple Calendar, Outlook for Windows/Mac, Thunderbird: the OS hands it to the calendar app.
//  - Google Calendar "add by URL": calendar.google.com/calendar/r?cid=<the webcal URL, percent-encoded>.
//  - Outlook.com and Microsoft 365 on the web: /calendar/0/addfromweb?url=<the feed URL>&name=<its name>.
//  - the plain .ics URL, to copy into anything else.
import { feedLinks } from '../feeds/feed-links.js';
import { html, type Html } from './html.js';
import type { Messages } from './messages.da.js';

export interface SubscribeLinks {
  webcal: string;
  google: string;
  outlook: string;
  office365: string;
  ics: string;
}

/** The subscription links for the feed at `baseUrl + path` (path like `/feeds/meetings/x.ics`), named `name`. */
export function subscribeLinks(baseUrl: string, path: string, name: string): SubscribeLinks {
  const { https, webcal } = feedLinks(baseUrl, path);
  const url = encodeURIComponent(https);
  const title = encodeURIComponent(name);
  return {
    webcal,
    google: `https://calendar.google.com/calendar/r?cid=${encodeURIComponent(webcal)}`,
    outlook: `https://outlook.live.com/calendar/0/addfromweb?url=${url}&name=${title}`,
    office365: `https://outlook.office.com/calendar/0/addfromweb?url=${url}&name=${title}`,
    ics: https,
  };
}

/**
 * One feed's subscribe block: a heading naming the feed and its five links. `label` is what the feed holds
 * ("Dette møde"); `name` is the calendar's name as the services show it.
 */
export function subscribeBox(m: Messages, baseUrl: string, path: string, label: string, name: string): Html {
  const links = subscribeLinks(baseUrl, path, name);
  const id = `sub${path.replace(/[^a-z0-9]+/gi, '-')}`;
  return html`<section class="subscribe" aria-labelledby="${id}">
<h3 id="${id}">${label}</h3>
<ul>
<li><a href="${links.webcal}">${m.subscribe.webcal}</a></li>
<li><a href="${links.google}" rel="noopener">${m.subscribe.google}</a></li>
<li><a href="${links.outlook}" rel="noopener">${m.subscribe.outlook}</a></li>
<li><a href="${links.office365}" rel="noopener">${m.subscribe.office365}</a></li>
<li><a href="${links.ics}" type="text/calendar">${m.subscribe.ics}</a></li>
</ul>
</section>`;
}

/** The heading and the one line of help above a page's subscribe blocks. */
export const subscribeIntro = (m: Messages): Html => html`<h2 id="subscribe">${m.subscribe.heading}</h2>
<p class="help">${m.subscribe.help}</p>`;
