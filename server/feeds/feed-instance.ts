// The feeds' own Fastify instance. Calendar apps poll all day and a 304 costs next to nothing, so whatever
// else runs per request shows: the service's request logging (a child logger, response listeners, timing)
// and hooks that every response of the service passes. The service's HTTP server (http/http-server.ts)
// hands each request for `/feeds/…` to this instance, which holds the feed routes and nothing else: no
// logger of its own unless every poll is to be logged (LOG_LEVEL debug or trace), unexpected errors on the
// service's logger, the service's router options, validation and problem+json answers (404s included).
// The service's instance registers the same routes as well: they document the feeds in OpenAPI and answer
// `app.inject`. test/feed-instance.test.ts shows that a real server answers alike through this instance.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { frameworkErrors, registerProblemHandlers } from '../http/problem.js';
import { feedRoutes, type FeedRouteOptions } from './feeds.routes.js';

export interface FeedInstanceOptions {
  /** The logger options when every poll is logged; false otherwise. */
  logger: FastifyServerOptions['logger'];
  /** The service's logger, for unexpected errors when the instance has none of its own. */
  log: FastifyBaseLogger;
  routerOptions: FastifyServerOptions['routerOptions'];
  /** The service's TRUST_PROXY: the client address in the poll log is decided as for the API. */
  trustProxy: FastifyServerOptions['trustProxy'];
  routes: FeedRouteOptions;
}

export async function feedInstance(opts: FeedInstanceOptions): Promise<FastifyInstance> {
  // trustProxy costs nothing per poll: request.ip is worked out only when read (the debug access log).
  const app = Fastify({ logger: opts.logger, routerOptions: opts.routerOptions, trustProxy: opts.trustProxy, frameworkErrors });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblemHandlers(app, opts.log);
  await app.register(feedRoutes, opts.routes);
  await app.ready();
  return app;
}
