// The build's entry point is one bundle (scripts/bundle-server.ts): it must start on a fresh database, find
// its migrations and templates, seed, serve the API, its documentation and feeds, and shut down cleanly.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { root, startServer } from './server-process.js';

const run = promisify(execFile);

t.test('the bundled server starts, seeds, serves and stops', async (t) => {
  const out = mkdtempSync(join(root, '.tap', 'bundle-'));
  const dir = mkdtempSync(join(tmpdir(), 'netagenda-bundle-'));
  t.teardown(() => {
    rmSync(out, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });
  const outfile = join(out, 'main.js');
  await run(process.execPath, ['--import', 'tsx', 'scripts/bundle-server.ts', '--outfile', outfile], { cwd: root });

  // V8 keeps a script's source text for as long as it runs: one character above U+007F (a tagged template's raw
  // text, which esbuild cannot escape) makes the whole bundle a two-byte string, twice the memory and a slower
  // start. Non-ASCII text in templates is written as HTML entities or \u escapes instead.
  const nonAscii = [...readFileSync(outfile, 'latin1').matchAll(/.{0,40}[^\x00-\x7f]+.{0,10}/g)].map((m) => m[0]);
  t.same(nonAscii, [], 'the bundle is ASCII only');

  const server = await startServer(t, join(dir, 'bundle.db'), {}, [outfile]);
  const base = `http://127.0.0.1:${server.port}`;
  const networks = (await (await fetch(`${base}/api/v1/networks`)).json()) as { data: { slug: string; name: string }[] };
  t.ok(networks.data.length > 0, 'the seed network is there');
  t.match(networks.data[0]!.name, /netværk/, 'Danish text intact');
  const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { info: { title: string }; paths: Record<string, unknown> };
  t.equal(doc.info.title, 'netagenda');
  t.ok(Object.keys(doc.paths).length > 50, 'the whole API is documented');
  const docs = await fetch(`${base}/docs/static/index.html`);
  t.equal(docs.status, 200, 'the documentation page and its assets are served');
  t.match(await docs.text(), /swagger/i);
  const feed = await fetch(`${base}/feeds/networks/${networks.data[0]!.slug}.ics`);
  t.equal(feed.status, 200);
  t.match(await feed.text(), /^BEGIN:VCALENDAR\r\n[\s\S]*BEGIN:VTIMEZONE[\s\S]*TZID:Europe\/Copenhagen/, 'a feed with its time zone');
  const bad = await fetch(`${base}/api/v1/networks?nope=1`);
  t.equal(bad.status, 400);
  t.equal(((await bad.json()) as { code: string }).code, 'validation-failed');

  server.child.kill('SIGTERM');
  const exit = await server.exited;
  t.same(exit, { code: 0, signal: null }, 'SIGTERM: a clean exit');
});
