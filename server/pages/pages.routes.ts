// The read-only public pages: `/`, `/networks/{slug}`, `/meetings/{id}`.
import type { FastifyInstance } from 'fastify';
import { homePage } from './home-page.js';
import { pageContext, sendPage } from './page-http.js';

export async function pageRoutes(app: FastifyInstance): Promise<void> {
  const db = app.db;
  app.get('/', { schema: { hide: true } }, (request, reply) => sendPage(reply, homePage(db, pageContext(request))));
}
