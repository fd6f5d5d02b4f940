// The process entry point: loads configuration, listens, and shuts down gracefully on SIGINT/SIGTERM
// (in-flight requests finish, the WAL is checkpointed and the database closed).
import { setFlagsFromString } from 'node:v8';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { TemplateError } from './templates/templates.js';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const app = await buildApp(config);
  let closing = false;
  // Keep-alive sockets would hold close() open (fastify#7044): tell clients to go once shutdown begins.
  // Synchronous: it runs on every response, feed polls included.
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    // Requests in progress finish; a client still holding a connection at the deadline (a slow upload, a
    // stuck reader) is cut off, and the shutdown goes on: the database is checkpointed and closed, exit 0.
    const deadline = setTimeout(() => {
      const cut = app.cutOffConnections();
      app.log.warn({ connections: cut, afterMs: app.config.shutdownTimeoutMs }, 'shutdown deadline: open connections cut off');
      // Should closing still hang (it has nothing left to wait for), do not hang with it.
      setTimeout(() => {
        app.log.error('shutdown did not finish after the deadline');
        process.exit(1);
      }, 5_000).unref();
    }, app.config.shutdownTimeoutMs);
    deadline.unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  // With OPTIMIZE_FOR_SIZE (the default) V8 keeps its heap near what is live from here on: with 10,000 events
  // in feeds and bursts of writes the process holds about 150 MB instead of about 200, at about 50% more CPU
  // instructions per feed poll (README, Benchmarks). Set once started, so that start-up itself
  // compiles at full speed. The flag only steers heap sizing and compiler heuristics.
  if (config.optimizeForSize) setFlagsFromString('--optimize-for-size');
  app.log.info(`netagenda serving ${config.publicBaseUrl} (database ${config.databasePath})`);
}

main().catch((err: unknown) => {
  if (err instanceof TemplateError) {
    process.stderr.write(`netagenda failed to start: ${err.message}\n`);
    process.exit(78);
  }
  process.stderr.write(`netagenda failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
