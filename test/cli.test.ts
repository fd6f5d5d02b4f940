// The token CLI (server/cli/token.ts) run as a real process against a database file.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../server/app.js';
import { testConfig } from '../server/config.js';

const root = new URL('..', import.meta.url).pathname;
// Each run starts Node with tsx (about a second): give the file room on a busy machine.
t.setTimeout(180_000);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(databasePath: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    // No coverage from the child: tsx compiles the shared modules differently from tap's loader, and
    // merging both into one report garbles it. (The child is still tracked by tap as a process.)
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_PATH: databasePath, LOG_LEVEL: 'silent', _TAPJS_PROCESSINFO_COVERAGE_: '0' };
    delete env.PORT;
    delete env.PUBLIC_BASE_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli/token.ts', ...args], { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const lastLine = (s: string) => s.trimEnd().split('\n').at(-1) ?? '';

function tempDb(t: { teardown: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'netagenda-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'netagenda.db');
}

async function appOn(t: { teardown: (fn: () => unknown) => void }, databasePath: string) {
  const app = await buildApp(testConfig({ databasePath }));
  t.teardown(() => app.close());
  return app;
}

t.test('create prints the raw token last; it authorises writes on the same database', async (t) => {
  const db = tempDb(t);
  const run = await cli(db, 'create', '--role', 'admin', '--name', 'ci');
  t.equal(run.code, 0, run.stderr);
  const token = lastLine(run.stdout);
  t.match(token, /^na_[A-Za-z0-9_-]{43}$/);
  t.match(run.stdout, /^created admin token 'ci' \(tok_\w+\) in /);
  t.match(run.stdout, db);

  const app = await appOn(t, db);
  const network = await app.inject({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'net', name: 'Net' }, headers: { authorization: `Bearer ${token}` } });
  t.equal(network.statusCode, 201, network.body);
  const venue = await app.inject({ method: 'POST', url: '/api/v1/networks/net/venues', payload: { name: 'Odense' }, headers: { authorization: `Bearer ${token}` } });
  t.equal(venue.statusCode, 201, venue.body);
  t.match(venue.headers['content-type'], /^application\/json/);
  t.equal(venue.json().name, 'Odense');
  t.equal(venue.json().networkSlug, 'net');
  const refused = await app.inject({ method: 'POST', url: '/api/v1/networks/net/venues', payload: { name: 'Aarhus' }, headers: { authorization: `Bearer ${token}x` } });
  t.equal(refused.statusCode, 401);
  t.equal(refused.json().code, 'unauthorized');
  t.same((await app.inject({ url: '/api/v1/venues' })).json().data.map((v: { name: string }) => v.name), ['Odense']);
});

t.test('list and revoke', async (t) => {
  const db = tempDb(t);
  const created = await cli(db, 'create', '--role', 'coordinator', '--name', 'Koordinator Århus');
  t.equal(created.code, 0, created.stderr);
  const token = lastLine(created.stdout);
  const id = /\((tok_\w+)\)/.exec(created.stdout)![1]!;

  const listed = await cli(db, 'list');
  t.equal(listed.code, 0, listed.stderr);
  t.match(listed.stdout, `${id}\tcoordinator\tKoordinator Århus\tactive\t`);
  t.notMatch(listed.stdout, token, 'the raw token is never shown again');

  const revoked = await cli(db, 'revoke', id);
  t.equal(revoked.code, 0, revoked.stderr);
  t.equal(revoked.stdout, `revoked ${id}\n`);
  t.match((await cli(db, 'list')).stdout, `${id}\tcoordinator\tKoordinator Århus\trevoked`);

  const app = await appOn(t, db);
  const res = await app.inject({ url: '/api/v1/networks', headers: { authorization: `Bearer ${token}` } });
  t.equal(res.statusCode, 401);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  t.equal(res.json().code, 'unauthorized');
});

t.test('an expiry date is stored and honoured', async (t) => {
  const db = tempDb(t);
  const past = await cli(db, 'create', '--role', 'admin', '--name', 'old', '--expires', '2020-01-01');
  t.equal(past.code, 0, past.stderr);
  const future = await cli(db, 'create', '--role', 'admin', '--name', 'new', '--expires', '2999-12-31T00:00:00Z');
  t.equal(future.code, 0, future.stderr);
  t.match((await cli(db, 'list')).stdout, /\told\tactive\t2020-01-01T00:00:00\.000Z/);

  const app = await appOn(t, db);
  // Speakers belong to a network: the live token makes one first.
  const network = await app.inject({
    method: 'POST',
    url: '/api/v1/networks',
    payload: { slug: 'net', name: 'Net' },
    headers: { authorization: `Bearer ${lastLine(future.stdout)}` },
  });
  t.equal(network.statusCode, 201, network.body);
  const write = (token: string) =>
    app.inject({ method: 'POST', url: '/api/v1/networks/net/speakers', payload: { name: 'Anna' }, headers: { authorization: `Bearer ${token}` } });
  t.equal((await write(lastLine(past.stdout))).statusCode, 401, 'expired');
  t.equal((await write(lastLine(future.stdout))).statusCode, 201, 'not yet expired');
});

t.test('usage errors exit 2 and change nothing', async (t) => {
  const db = tempDb(t);
  const cases: [string[], RegExp][] = [
    [['create', '--role', 'superuser', '--name', 'x'], /--role must be one of admin, /],
    [['create', '--name', 'x'], /--role must be one of/],
    [['create', '--role', 'admin'], /--name is required/],
    [['create', '--role', 'admin', '--name', '   '], /--name is required/],
    [['create', '--role', 'admin', '--name', 'x', '--expires', 'someday'], /--expires must be a date/],
    [['revoke', 'tok_nope'], /no token tok_nope/],
    [['revoke'], /unknown command/],
    [['rotate'], /unknown command/],
    [[], /unknown command/],
  ];
  t.equal((await cli(db, 'list')).code, 0, 'the database exists and is migrated');
  const runs = await Promise.all(cases.map(([args]) => cli(db, ...args)));
  for (const [i, [args, message]] of cases.entries()) {
    const run = runs[i]!;
    t.equal(run.code, 2, `${args.join(' ')} exits 2`);
    t.match(run.stderr, message);
    t.match(run.stderr, /usage: npm run token -- create --role/);
    t.equal(run.stdout, '');
  }
  const unknownOption = await cli(db, 'create', '--role', 'admin', '--name', 'x', '--colour', 'red');
  t.not(unknownOption.code, 0, 'unknown options are refused');
  t.equal((await cli(db, 'list')).stdout, '', 'no token was created');
});
