// How a page goes out: the headers every page carries (set once), the page's language from the request,
// and the HTML error pages (404 for an unknown id; a short page for other errors) instead of problem+json.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { html } from './html.js';
import { messagesFor, pickLang, type Lang } from './i18n.js';
import { layout } from './layout.js';
import type { Messages } from './messages.da.js';

/** No scripts at all; styles and images from the service only; never framed; no referrer (capability URLs). */
export const PAGE_CSP =
  "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Sent with every page (and the stylesheet). */
export const PAGE_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'x-content-type-options': 'nosniff',
  'content-security-policy': PAGE_CSP,
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  vary: 'Accept-Language',
};

/** The `lang` query parameter as sent (any other parameters are ignored by pages). */
export function queryLang(url: string): string | undefined {
  const q = url.indexOf('?');
  if (q === -1) return undefined;
  const value = new URLSearchParams(url.slice(q + 1)).get('lang');
  return value ?? undefined;
}

/** The request's URL path, without its query. */
export const urlPath = (url: string): string => {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
};

export function requestLang(request: FastifyRequest): Lang {
  return pickLang(queryLang(request.url), request.headers['accept-language']);
}

export interface PageContext {
  lang: Lang;
  m: Messages;
  /** The path of the page (for the language switch). */
  path: string;
}

export function pageContext(request: FastifyRequest): PageContext {
  const lang = requestLang(request);
  return { lang, m: messagesFor(lang), path: urlPath(request.url) };
}

/** A full page document with its status (headers are the plugin's). */
export function sendPage(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body);
}

export function notFoundDocument({ lang, m, path }: PageContext): string {
  return layout({
    lang,
    m,
    title: m.notFound.title,
    path,
    status: 404,
    main: html`<h1>${m.notFound.title}</h1>
<p>${m.notFound.body}</p>
<p><a href="${lang === 'en' ? '/?lang=en' : '/'}">${m.notFound.home}</a></p>`,
  });
}

export const sendNotFound = (request: FastifyRequest, reply: FastifyReply): FastifyReply =>
  sendPage(reply, notFoundDocument(pageContext(request)), 404);
