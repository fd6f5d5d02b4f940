// Builds the whole service as a Fastify instance. Never listens: server/main.ts does that.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { closeDatabase, openDatabase, type Db } from '../db/client.js';
import { seedIfEmpty } from '../db/seed.js';
import { authPlugin } from './auth/auth.plugin.js';
import type { Config } from './config.js';
import { etagPlugin } from './http/etag.js';
import { groupCommitPlugin } from './http/group-commit.plugin.js';
import { apiRateLimitPlugin, hardeningPlugin } from './http/hardening.js';
import { FEED_PREFIX, serviceServer } from './http/http-server.js';
import { idempotencyPlugin } from './http/idempotency.js';
import { frameworkErrors, problemBody, registerProblemHandlers, sendProblem } from './http/problem.js';
import { clientErrorHandler, documentProtocolProblems, MAX_URL_LENGTH, useUtf8Json } from './http/protocol.js';
import { requestSerializer } from './http/request-log.js';
import { routeContract } from './http/route-kit.js';
import { feedBodies } from './feeds/feed-bodies.js';
import { feedCache, type FeedCache } from './feeds/feed-cache.js';
import { feedDrainer } from './feeds/feed-drainer.js';
import { feedInstance } from './feeds/feed-instance.js';
import { feedPublisher, type FeedPublisher } from './feeds/feed-publisher.js';
import { FEED_CACHE_CONTROL, feedRoutes, PERSONAL_CACHE_CONTROL } from './feeds/feeds.routes.js';
import { outboxDepth } from './outbox/outbox.js';
import { outboxWorker, type OutboxWorker } from './outbox/outbox-worker.js';
import { pageCache, pageFastPath, type PageCache } from './pages/page-cache.js';
import { pagesPlugin } from './pages/pages.plugin.js';
import { apiRoutes } from './routes.js';
import { webhookChannel } from './webhooks/webhook-channel.js';
import { emailChannel } from './email/email-channel.js';
import { createTransport } from 'nodemailer';
import { resolveLinkKey } from './participants/feed-secrets.js';
import { loadTemplates, templatesFolder, type Template } from './templates/templates.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    config: Config;
    templates: Template[];
    feeds: { publisher: FeedPublisher; cache: FeedCache };
    /** Rendered public pages (pages/page-cache.ts). */
    pages: PageCache;
    /** At the shutdown deadline: cuts off every connection still open; returns how many there were. */
    cutOffConnections: () => number;
    outbox: OutboxWorker;
    /** The key personal feed secrets are derived from (participants/feed-secrets.ts). */
    linkKey: Buffer;
    /** After a committed write: publishes what it changed in the feeds (within the write budget), wakes the outbox. */
    afterWrite: () => void;
  }
}

const logsEveryPoll = (level: string) => level === 'debug' || level === 'trace';

export interface BuildOptions {
  /** Where logs go (default stdout); tests capture them. */
  logStream?: NodeJS.WritableStream;
  /** Use this database instead of opening `config.databasePath` (the app then does not close it). */
  db?: Db;
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const quietPoll = (url: string | undefined) => !logsEveryPoll(config.logLevel) && url !== undefined && url.startsWith(FEED_PREFIX);
  const logger: FastifyServerOptions['logger'] =
    config.logLevel === 'silent'
      ? false
      : {
          level: config.logLevel,
          ...(options.logStream ? { stream: options.logStream } : {}),
          redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
          // Secret capability URLs (personal feeds) never reach the log: masked by the matched route's parameters.
          serializers: { req: requestSerializer },
        };
  const routerOptions = { ignoreTrailingSlash: true, maxParamLength: 200 };
  // Behind the reverse proxies listed in TRUST_PROXY the client's address (request.ip: limits and logs) is the
  // one they put in X-Forwarded-For; from any other peer the header is ignored. Both instances alike.
  const trustProxy = config.trustProxy.length > 0 ? config.trustProxy : false;
  // Slow or stuck clients cannot hold connections forever. Feed polls go straight from the server to the
  // feeds' own instance (feeds/feed-instance.ts).
  const server = serviceServer({
    inactivityMs: 60_000,
    requestTimeoutMs: 30_000,
    keepAliveTimeoutMs: 10_000,
    closingGraceMs: Math.min(1_000, config.shutdownTimeoutMs / 4),
  });
  const app = Fastify({
    logger,
    // Calendar apps poll feeds all day: an access-log line per poll would cost more than the poll itself.
    // Feed polls are logged at debug and trace only (errors are logged at every level).
    logController: new LogController({ disableRequestLogging: (req: { url?: string }) => quietPoll(req.url) }),
    // …and a poll gets no logger of its own (its errors go to the service's logger, without a request id).
    childLoggerFactory: (logger, bindings, options, raw) => (quietPoll(raw.url) ? logger : logger.child(bindings, options)),
    bodyLimit: 64 * 1024,
    trustProxy,
    // Shutdown is the HTTP server's (http/http-server.ts beginClosing): a request that reaches an open
    // connection after it began is answered like any other (with Connection: close), not refused with
    // Fastify's own 503, and idle connections get a grace period instead of being closed at once.
    return503OnClosing: false,
    forceCloseConnections: false,
    serverFactory: server.serverFactory,
    routerOptions,
    frameworkErrors,
    // Requests Node's HTTP parser refuses (control bytes in a header, a head over 16 KiB): problem+json too.
    clientErrorHandler,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblemHandlers(app);
  useUtf8Json(app);
  documentProtocolProblems(app);
  // A URL longer than this is refused whatever it holds (a path segment is held to maxParamLength already).
  app.addHook('onRequest', (request, reply, done) => {
    if (request.url.length <= MAX_URL_LENGTH) {
      done();
      return;
    }
    sendProblem(reply, problemBody(414, 'uri-too-long', 'URI too long', `The URL is longer than ${MAX_URL_LENGTH} characters`));
  });

  // A broken template stops start-up with every problem listed, before anything else is opened.
  const templates = loadTemplates(config.templatesDir ?? templatesFolder());
  const db = options.db ?? openDatabase(config.databasePath);
  if (!options.db) app.addHook('onClose', async () => closeDatabase(db));
  if (config.seed) seedIfEmpty(db);
  app.decorate('db', db);
  app.decorate('config', config);
  app.decorate('templates', templates);
  app.decorate('linkKey', resolveLinkKey(db, config.linkSecret));

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'netagenda',
        version: '1.0.0',
        description:
          'Meetings, parallel tracks, themes and agendas for professional networks of public-sector consultants. ' +
          'Reads of networks and announced meetings are public; every write needs `Authorization: Bearer <token>`. ' +
          'Errors are RFC 9457 `application/problem+json` with a stable `code`. ' +
          'Unknown query parameters are refused (400 `validation-failed`, each named `querystring.<name>`), as unknown body fields are: ' +
          'every operation accepts only the query parameters it lists (feeds under /feeds/ ignore unknown ones). ' +
          'Numbers in paths and queries are plain decimal digits (`16`, never `0x10`, `1e1`, `+16`, `016` or `16.0`).',
      },
      servers: [{ url: config.publicBaseUrl }],
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  // Feeds: published on write (the publisher), served from prebuilt bytes (the cache). Work queued before
  // this start (an upgrade, other settings, a crash between a write and its publication) is done now.
  const render = { publicBaseUrl: config.publicBaseUrl, feedTtlMinutes: config.feedTtlMinutes };
  const bodies = feedBodies(db, render);
  const feeds = feedCache(bodies, {
    maxBytes: config.feedCacheBytes,
    cacheControl: (scope) => (scope.startsWith('personal:') ? PERSONAL_CACHE_CONTROL : FEED_CACHE_CONTROL),
  });
  const publisher = feedPublisher(db, bodies, { ...render, onBody: feeds.update });
  publisher.checkSettings();
  publisher.queueExpired();
  const background = feedDrainer(publisher, app.log, { writeBudgetMs: config.feedWriteBudgetMs });
  // A database without feed bodies (new, or just upgraded) is published before the first request; otherwise
  // the stored feeds are served while leftover work (other settings, a crash) finishes in the background.
  if (publisher.hasBodies()) background.drainSoon();
  else publisher.drain();
  app.addHook('onClose', async () => background.stop());
  app.decorate('feeds', { publisher, cache: feeds });
  // Public pages: rendered once, kept until a write changes what they show; kept pages take the light path.
  const pages = pageCache(db);
  app.decorate('pages', pages);
  server.usePages(pageFastPath(pages));
  app.decorate('afterWrite', () => {
    if (publisher.pending()) background.drainNow();
    pages.refresh();
    outbox.wake();
  });
  app.decorate('cutOffConnections', server.cutOff);

  // The outbox: changes written with their messages are delivered (webhooks, e-mail) outside the requests.
  const outboxClock = config.outbox?.clock ?? Date.now;
  // Without SMTP_URL no e-mail is sent (and no e-mail deliveries are made): said once, at start-up.
  if (!config.smtpUrl) app.log.info('SMTP_URL is not set: no e-mail is sent (webhooks still are)');
  const email = config.smtpUrl
    ? emailChannel(db, createTransport(config.smtpUrl), { ...render, linkKey: app.linkKey, ...(config.mailFrom ? { from: config.mailFrom } : {}) })
    : undefined;
  const outbox = outboxWorker(db, app.log, {
    ...(config.outbox ?? {}),
    email: email !== undefined,
    channels: { webhook: webhookChannel(db, { allowPrivate: config.webhookAllowPrivate, clock: outboxClock, ...(config.outbox?.webhookTimeoutMs ? { timeoutMs: config.outbox.webhookTimeoutMs } : {}) }), ...(email ? { email } : {}) },
  });
  app.decorate('outbox', outbox);
  app.addHook('onReady', async () => outbox.start());
  app.addHook('preClose', async () => outbox.stop());

  // The JSON API and its documentation, with the hooks only they need.
  await app.register(async (api) => {
    // First: its onSend hook holds each write's response until the write's commit is durable.
    await api.register(groupCommitPlugin);
    await api.register(swaggerUi, { routePrefix: '/docs' });
    await api.register(hardeningPlugin, { limits: config.limits, corsOrigins: config.corsOrigins, hsts: config.publicBaseUrl.startsWith('https:') });
    await api.register(authPlugin, { authFailures: config.limits.authFailures });
    await api.register(etagPlugin);
    await api.register(idempotencyPlugin);
    // What a write changed in the feeds is published before the write is acknowledged; a rare large change
    // (a network's organiser: every meeting) finishes in the background, entry by entry.
    api.addHook('onSend', (request, _reply, payload, done) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') app.afterWrite();
      done(null, payload);
    });
    api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    api.get('/healthz', { schema: { hide: true } }, async () => {
      db.$client.prepare('SELECT 1').get();
      return { status: 'ok', outbox: outboxDepth(db, outboxClock()) };
    });
    // The API's request budgets live with its routes: whatever spelling of a URL reaches one of them spends
    // the budget (per token, or per client address without one).
    await api.register(
      async (v1) => {
        await v1.register(apiRateLimitPlugin, { perMinute: config.limits.apiPerMinute });
        // Unknown query parameters refused (400) on every route, as unknown body fields are; the statuses
        // every route can answer documented on each.
        routeContract(v1);
        await v1.register(apiRoutes);
      },
      { prefix: '/api/v1' },
    );
  });
  const routes = { db, baseUrl: config.publicBaseUrl, bodies, cache: feeds, corsOrigins: config.corsOrigins };
  await app.register(feedRoutes, routes);
  // Public HTML pages (and the self-service forms), in their own context: none of the API's hooks.
  await app.register(pagesPlugin, { cache: pages });
  const feedApp = await feedInstance({ logger: logsEveryPoll(config.logLevel) ? logger : false, log: app.log, routerOptions, trustProxy, routes });
  server.useFeeds(feedApp.routing);
  app.addHook('preClose', (done) => {
    server.beginClosing();
    done();
  });
  app.addHook('onClose', async () => feedApp.close());
  return app;
}
