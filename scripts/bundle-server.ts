// Bundles the service's entry point into one ES module, dist/server/main.js (over tsc's output of it), so
// that a start reads one file instead of resolving and compiling some 600 modules one by one: on the bench's
// database the first response comes after ~0.7 s instead of ~1.9 s on the same loaded machine (README, Bench).
// tsc still builds dist/ first (types checked; the CLI and the other modules stay loadable on their own).
//
// Left out of the bundle, loaded from node_modules at run time: the SQLite addon (native), and the packages
// that read files beside their own code (__dirname): the API documentation's static assets, the time-zone
// definitions, and pino's transports; and date-holidays, which series planning loads on first use (every
// country's calendar: no need to hold it from start-up). (@fastify/swagger reads its package.json only for defaults of the
// document's title and version, which app.ts sets.)
//
// `--outfile PATH` writes the bundle elsewhere (test/bundle.test.ts); it must sit two folders below the project
// root, as dist/server/ does, for the migrations and agenda templates to be found.
import { build } from 'esbuild';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { outfile: { type: 'string', default: 'dist/server/main.js' } } });

const external = ['better-sqlite3', '@fastify/swagger-ui', '@touch4it/ical-timezones', 'pino', 'date-holidays'];

const started = performance.now();
await build({
  entryPoints: ['server/main.ts'],
  outfile: values.outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  // The CommonJS packages in the bundle call require() for Node's built-ins; an ES module has none.
  banner: { js: "import { createRequire as netagendaRequire } from 'node:module'; const require = netagendaRequire(import.meta.url);" },
  // Stack traces in the log keep the source's names and lines (through the source map).
  sourcemap: 'linked',
  keepNames: true,
  // V8 keeps a module's source text for as long as the process runs. Without whitespace and comments it is
  // half the size, and in ASCII (esbuild escapes the rest) it is held one byte per character instead of two:
  // 3 MB instead of 13 MB of heap. Names stay (no identifier minification). Licence comments go to a
  // file beside the bundle.
  minifyWhitespace: true,
  minifySyntax: true,
  charset: 'ascii',
  legalComments: 'linked',
  logLevel: 'warning',
});
process.stdout.write(`bundled ${values.outfile} in ${(performance.now() - started).toFixed(0)} ms\n`);
