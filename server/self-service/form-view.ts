// Shared pieces of the self-service pages: the form's error summary with the labels, the manage link box,
// the personal feed links, and the frame every page goes out in.
import type { FastifyReply } from 'fastify';
import { errorSummary, type FieldError } from '../pages/form.js';
import { html, type Html } from '../pages/html.js';
import { withLang } from '../pages/i18n.js';
import { layout } from '../pages/layout.js';
import type { Messages } from '../pages/messages.da.js';
import { sendPage, type PageContext } from '../pages/page-http.js';
import { subscribeBox } from '../pages/subscribe.js';
import type { FieldErrors } from './self-service.forms.js';

/** The message next to a field, if it has an error. */
export const errorFor = (m: Messages, errors: FieldErrors, field: string): string | undefined => {
  const key = errors[field];
  return key ? m.selfService.errors[key] : undefined;
};

/** The summary at the top of a form: each error with its field's label, in the form's order. */
export function summaryOf(m: Messages, errors: FieldErrors, labels: [field: string, label: string][]): Html {
  const items: FieldError[] = labels.flatMap(([field, label]) => {
    const message = errorFor(m, errors, field);
    return message ? [{ name: field, message: m.selfService.summaryItem(label, message) }] : [];
  });
  return errorSummary(m.form.errorSummary, items);
}

export function manageLinkBox(ctx: PageContext, url: string): Html {
  const s = ctx.m.selfService.manageLink;
  return html`<section class="manage-link" aria-labelledby="manage-link-title">
<h2 id="manage-link-title">${s.heading}</h2>
<p>${s.help}</p>
<p><a class="capability" href="${url}">${url}</a></p>
</section>`;
}

/** The personal feed's subscribe buttons (the pages' subscribe block: webcal, Google, Outlook, .ics). */
export function feedBox(ctx: PageContext, baseUrl: string, feed: { https: string }): Html {
  const s = ctx.m.selfService.participant;
  return html`<section class="personal-feed" aria-labelledby="personal-feed-title">
<h2 id="personal-feed-title">${s.feed}</h2>
<p>${s.feedHelp}</p>
<p class="help">${ctx.m.subscribe.help}</p>
${subscribeBox(ctx.m, baseUrl, feed.https.slice(baseUrl.length), s.feedName, `${ctx.m.siteName}: ${s.feedName}`)}
</section>`;
}

/** A self-service page in the frame, with its status. */
export function sendSelfServicePage(reply: FastifyReply, ctx: PageContext, title: string, main: Html, status = 200): FastifyReply {
  return sendPage(reply, layout({ ...ctx, title, main, status }), status);
}

/** The form's action: the same path, in the page's language. */
export const actionOf = (ctx: PageContext, path: string): string => withLang(path, ctx.lang);
