// The read-only public pages: `/`, `/networks/{slug}`, `/meetings/{id}`. Each is rendered once per
// (language, path) and kept (page-cache.ts) until something it shows changes; a kept page is answered by
// the light path in the HTTP server before it reaches here, with a 304 when the client has it already.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { homePage } from './home-page.js';
import { meetingPage } from './meeting-page.js';
import { networkPage } from './network-page.js';
import { pageKeyOf, sendCachedPage, type PageCache, type PageScope } from './page-cache.js';
import { pageContext, type PageContext } from './page-http.js';

export interface PageRouteOptions {
  cache: PageCache;
  clock?: () => number;
}

interface Rendered {
  document: string;
  scope: PageScope;
  expiresAtMs?: number | null;
}

export async function pageRoutes(app: FastifyInstance, { cache, clock = Date.now }: PageRouteOptions): Promise<void> {
  const { db } = app;
  const baseUrl = app.config.publicBaseUrl;

  /**
   * The kept page, or renders and keeps it (an unknown id throws: the 404 page, never kept). `path` is the
   * page's canonical path: it is kept once per language, however its URL was spelled.
   */
  function serve(request: FastifyRequest, reply: FastifyReply, path: string, render: (ctx: PageContext) => Rendered): void {
    const ctx = { ...pageContext(request), path };
    const key = pageKeyOf(ctx.lang, path);
    let page = cache.lookup(key);
    if (!page) {
      const r = render(ctx);
      page = cache.store(key, r.document, r.scope, r.expiresAtMs ?? null);
    }
    reply.hijack();
    sendCachedPage(request.raw, reply.raw, page);
  }

  app.get('/', { schema: { hide: true } }, (request, reply) => serve(request, reply, '/', (ctx) => ({ document: homePage(db, ctx), scope: 'all' })));

  app.get<{ Params: { slug: string } }>('/networks/:slug', { schema: { hide: true } }, (request, reply) =>
    serve(request, reply, `/networks/${encodeURIComponent(request.params.slug)}`, (ctx) => {
      const { slug } = request.params;
      const page = networkPage(db, baseUrl, slug, ctx, new Date(clock()));
      return { document: page.document, scope: { network: slug }, expiresAtMs: page.expiresAtMs };
    }),
  );

  app.get<{ Params: { id: string } }>('/meetings/:id', { schema: { hide: true } }, (request, reply) =>
    serve(request, reply, `/meetings/${encodeURIComponent(request.params.id)}`, (ctx) => {
      const page = meetingPage(db, baseUrl, request.params.id, ctx);
      return { document: page.document, scope: { network: page.network } };
    }),
  );
}
