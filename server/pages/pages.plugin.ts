// The public pages: server-rendered HTML at the root of the service (not under /api/v1, and outside the
// API's plugin context: pages run none of its hooks). Sets the page headers once, answers errors as HTML
// pages (an unknown id is a 404 page, not JSON), serves the stylesheet, and holds the page routes and the
// self-service form routes.
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError } from '../http/errors.js';
import { html } from './html.js';
import type { PageCache } from './page-cache.js';
import { pageRoutes } from './pages.routes.js';
import { selfServiceRoutes } from '../self-service/self-service.routes.js';
import { layout } from './layout.js';
import { PAGE_HEADERS, pageContext, sendNotFound, sendPage } from './page-http.js';
import { SITE_CSS } from './site-css.js';

const CSS_HEADERS = { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' };

export interface PagesOptions {
  cache: PageCache;
  clock?: () => number;
}

export async function pagesPlugin(app: FastifyInstance, { cache, clock }: PagesOptions): Promise<void> {
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(PAGE_HEADERS);
    done();
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const status = err instanceof AppError ? err.status : (err.statusCode ?? 500);
    if (status === 404) return sendNotFound(request, reply);
    if (status >= 500) request.log.error({ err }, 'page failed');
    const ctx = pageContext(request);
    const server = status >= 500;
    const title = server ? ctx.m.errorPage.server : ctx.m.errorPage.badRequest;
    const main = html`<h1>${title}</h1><p>${server ? ctx.m.errorPage.serverBody : err.message}</p>`;
    return sendPage(reply, layout({ ...ctx, title, status, main }), status);
  });

  app.get('/assets/site.css', { schema: { hide: true } }, (_request, reply) => {
    reply.headers(CSS_HEADERS).send(SITE_CSS);
  });

  await app.register(pageRoutes, { cache, ...(clock ? { clock } : {}) });
  // The forms' writes drop the kept pages they change through app.afterWrite(), before their 303 goes out.
  await app.register(selfServiceRoutes);
}
