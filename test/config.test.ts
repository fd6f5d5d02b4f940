// Configuration from the environment: defaults, validation naming the variable, and test configs.
import t from 'tap';
import { ConfigError, loadConfig, testConfig } from '../server/config.js';
import { buildApp } from '../server/app.js';

t.test('defaults', async (t) => {
  const c = loadConfig({});
  t.match(c, {
    port: 3000,
    host: '127.0.0.1',
    databasePath: './data/netagenda.db',
    publicBaseUrl: 'http://127.0.0.1:3000',
    logLevel: 'info',
    feedTtlMinutes: 60,
    feedCacheBytes: 64 * 1024 * 1024,
    optimizeForSize: true,
    seed: true,
  });
  // Empty strings count as unset.
  t.same(loadConfig({ PORT: '', HOST: '', DATABASE_PATH: '', PUBLIC_BASE_URL: '', LOG_LEVEL: '', FEED_TTL_MINUTES: '' }), c);
  // Unrelated variables are ignored.
  t.same(loadConfig({ PATH: '/usr/bin', HOME: '/root', TZ: 'America/New_York' }), c);
});

t.test('values from the environment', async (t) => {
  const c = loadConfig({
    PORT: '8080',
    HOST: '0.0.0.0',
    DATABASE_PATH: '/var/lib/netagenda/db.sqlite',
    PUBLIC_BASE_URL: 'https://netagenda.example.dk/',
    LOG_LEVEL: 'warn',
    FEED_TTL_MINUTES: '15',
    FEED_CACHE_MB: '8',
  });
  t.match(c, {
    port: 8080,
    host: '0.0.0.0',
    databasePath: '/var/lib/netagenda/db.sqlite',
    publicBaseUrl: 'https://netagenda.example.dk',
    logLevel: 'warn',
    feedTtlMinutes: 15,
    feedCacheBytes: 8 * 1024 * 1024,
  });
  t.equal(loadConfig({ PUBLIC_BASE_URL: 'http://localhost:3000/netagenda//' }).publicBaseUrl, 'http://localhost:3000/netagenda', 'trailing slashes dropped');
  t.equal(loadConfig({ OPTIMIZE_FOR_SIZE: 'false' }).optimizeForSize, false);
  t.equal(loadConfig({ OPTIMIZE_FOR_SIZE: '0' }).optimizeForSize, false);
  t.equal(loadConfig({ OPTIMIZE_FOR_SIZE: '1' }).optimizeForSize, true);
  t.equal(loadConfig({ PORT: '0' }).port, 0);
  t.equal(loadConfig({ PORT: '65535' }).port, 65535);
});

t.test('PUBLIC_BASE_URL defaults to http://HOST:PORT', async (t) => {
  t.equal(loadConfig({ HOST: '10.0.0.5', PORT: '8000' }).publicBaseUrl, 'http://10.0.0.5:8000');
  t.equal(loadConfig({ HOST: 'netagenda.local' }).publicBaseUrl, 'http://netagenda.local:3000');
  t.equal(loadConfig({ HOST: '::1', PORT: '3001' }).publicBaseUrl, 'http://[::1]:3001', 'IPv6 hosts in brackets');
  t.equal(loadConfig({ HOST: '0.0.0.0', PUBLIC_BASE_URL: 'https://x.dk' }).publicBaseUrl, 'https://x.dk');
});

t.test('bad values throw a ConfigError naming the variable', async (t) => {
  const bad: [Record<string, string>, string][] = [
    [{ PORT: 'abc' }, 'PORT'],
    [{ OPTIMIZE_FOR_SIZE: 'yes' }, 'OPTIMIZE_FOR_SIZE'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: '-1' }, 'PORT'],
    [{ PORT: '80.5' }, 'PORT'],
    [{ PUBLIC_BASE_URL: 'not a url' }, 'PUBLIC_BASE_URL'],
    [{ PUBLIC_BASE_URL: 'ftp://files.example.dk' }, 'PUBLIC_BASE_URL'],
    [{ PUBLIC_BASE_URL: 'netagenda.example.dk' }, 'PUBLIC_BASE_URL'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
    [{ LOG_LEVEL: 'INFO' }, 'LOG_LEVEL'],
    [{ FEED_TTL_MINUTES: '1' }, 'FEED_TTL_MINUTES'],
    [{ FEED_TTL_MINUTES: 'hourly' }, 'FEED_TTL_MINUTES'],
    [{ FEED_CACHE_MB: '0' }, 'FEED_CACHE_MB'],
    [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '*' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '1' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: 'proxy.internal' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.256' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '010.0.0.1' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.0/0' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '::/0' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: 'fd00::/129' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.0/08' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.0/8/8' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.0/' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '127.0.0.1 10.0.0.1' }, 'TRUST_PROXY'],
  ];
  for (const [env, variable] of bad) {
    let caught: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      caught = err;
    }
    t.type(caught, ConfigError, `${JSON.stringify(env)} throws ConfigError`);
    t.type(caught, Error);
    t.match((caught as Error).message, new RegExp(`^Invalid configuration:\\n  ${variable}: `), `names ${variable}`);
  }
  // Several problems are all reported.
  t.throws(() => loadConfig({ PORT: 'x', LOG_LEVEL: 'y' }), { message: /PORT: [\s\S]*LOG_LEVEL: / });
  t.throws(() => loadConfig({ PUBLIC_BASE_URL: 'ftp://x' }), { message: /must be an http\(s\) URL/ });
  // Each bad entry of TRUST_PROXY is named, the good ones are not.
  t.throws(() => loadConfig({ TRUST_PROXY: '10.0.0.1, true, 10.0.0.0/40' }), {
    message: "Invalid configuration:\n  TRUST_PROXY: 'true' is not an IP address, a CIDR range (10.0.0.0/8, fd00::/8) or one of loopback, linklocal, uniquelocal\n  TRUST_PROXY: '10.0.0.0/40': the prefix length must be 1–32",
  });
});

t.test('TRUST_PROXY: off by default; addresses, CIDR ranges and range names', async (t) => {
  t.same(loadConfig({}).trustProxy, [], 'no proxy is trusted by default');
  t.same(loadConfig({ TRUST_PROXY: '' }).trustProxy, []);
  t.same(loadConfig({ TRUST_PROXY: '127.0.0.1' }).trustProxy, ['127.0.0.1']);
  t.same(
    loadConfig({ TRUST_PROXY: ' 10.0.0.0/8, 192.168.1.7 ,fd00::/8,::1, loopback,uniquelocal,linklocal,' }).trustProxy,
    ['10.0.0.0/8', '192.168.1.7', 'fd00::/8', '::1', 'loopback', 'uniquelocal', 'linklocal'],
    'spaces and a trailing comma are fine',
  );
  t.same(loadConfig({ TRUST_PROXY: '10.1.2.3/32,2001:db8::/128' }).trustProxy, ['10.1.2.3/32', '2001:db8::/128']);
  t.same(testConfig().trustProxy, []);
  // Whatever loadConfig accepts, Fastify accepts.
  const app = await buildApp(testConfig({ trustProxy: loadConfig({ TRUST_PROXY: '10.0.0.0/8,fd00::/8,loopback,192.168.1.7' }).trustProxy }));
  t.teardown(() => app.close());
  const res = await app.inject({ url: '/healthz', remoteAddress: '10.1.1.1', headers: { 'x-forwarded-for': '203.0.113.1' } });
  t.equal(res.statusCode, 200);
});

t.test('loadConfig reads process.env by default', async (t) => {
  const saved = process.env.LOG_LEVEL;
  t.teardown(() => {
    if (saved === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = saved;
  });
  process.env.LOG_LEVEL = 'debug';
  t.equal(loadConfig().logLevel, 'debug');
  process.env.LOG_LEVEL = 'nope';
  t.throws(() => loadConfig(), { message: /LOG_LEVEL/ });
  t.ok((() => {
    try {
      loadConfig();
      return false;
    } catch (err) {
      return err instanceof ConfigError;
    }
  })(), 'a ConfigError');
});

t.test('testConfig: in-memory, silent, no seed, overridable', async (t) => {
  t.match(testConfig(), { port: 0, host: '127.0.0.1', databasePath: ':memory:', publicBaseUrl: 'http://127.0.0.1:3000', logLevel: 'silent', feedTtlMinutes: 60, seed: false });
  t.match(testConfig({ seed: true, publicBaseUrl: 'https://x.dk' }), { seed: true, publicBaseUrl: 'https://x.dk', databasePath: ':memory:' });
});

t.test('the public base URL shapes the links the API gives out', async (t) => {
  const app = await buildApp(testConfig({ seed: true, publicBaseUrl: 'https://netagenda.example.dk' }));
  t.teardown(() => app.close());
  const network = (await app.inject({ url: '/api/v1/networks/kl-konsulentnetvaerk-2019-2020' })).json();
  t.same(network.feeds.meetings, {
    https: 'https://netagenda.example.dk/feeds/networks/kl-konsulentnetvaerk-2019-2020.ics',
    webcal: 'webcal://netagenda.example.dk/feeds/networks/kl-konsulentnetvaerk-2019-2020.ics',
  });
  const doc = (await app.inject({ url: '/openapi.json' })).json();
  t.same(doc.servers, [{ url: 'https://netagenda.example.dk' }]);
});

t.test('an app with logging on still answers', async (t) => {
  // 'fatal' turns the logger on (with header redaction) without printing into the test output.
  const app = await buildApp(testConfig({ logLevel: 'fatal' }));
  t.teardown(() => app.close());
  t.equal(app.log.level, 'fatal');
  const res = await app.inject({ url: '/healthz' });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { status: 'ok', outbox: { depth: 0, oldestUndeliveredAgeSeconds: null } });
});

t.test('e-mail and webhooks: SMTP_URL, MAIL_FROM, WEBHOOK_ALLOW_PRIVATE', async (t) => {
  const off = loadConfig({});
  t.equal(off.smtpUrl, undefined, 'no e-mail by default');
  t.equal(off.webhookAllowPrivate, false, 'private webhook targets refused by default');
  const on = loadConfig({ SMTP_URL: 'smtp://user:pw@mail.example.dk:587', MAIL_FROM: '"KL Netværk" <netvaerk@kl.dk>', WEBHOOK_ALLOW_PRIVATE: 'true' });
  t.equal(on.smtpUrl, 'smtp://user:pw@mail.example.dk:587');
  t.equal(on.mailFrom, '"KL Netværk" <netvaerk@kl.dk>');
  t.equal(on.webhookAllowPrivate, true);
  t.equal(loadConfig({ SMTP_URL: 'smtps://mail.example.dk:465' }).smtpUrl, 'smtps://mail.example.dk:465');
  for (const [env, name] of [
    [{ SMTP_URL: 'http://mail.example.dk' }, 'SMTP_URL'],
    [{ SMTP_URL: 'mail.example.dk' }, 'SMTP_URL'],
    [{ WEBHOOK_ALLOW_PRIVATE: 'yes' }, 'WEBHOOK_ALLOW_PRIVATE'],
  ] as [Record<string, string>, string][]) {
    t.throws(() => loadConfig(env), { name: 'Error', message: new RegExp(name) }, `${name} refused, named`);
    t.ok((() => { try { loadConfig(env); } catch (e) { return e instanceof ConfigError; } return false; })(), 'a ConfigError');
  }
  // Without SMTP_URL the start-up log says once that no e-mail is sent.
  const lines: string[] = [];
  const { Writable } = await import('node:stream');
  const stream = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  const app = await buildApp(testConfig({ logLevel: 'info' }), { logStream: stream });
  await app.ready();
  await app.close();
  t.equal(lines.filter((l) => l.includes('SMTP_URL is not set')).length, 1, 'said once');
});

t.test('LINK_SECRET: optional, at least 32 characters, never echoed in the error', async (t) => {
  t.equal(loadConfig({}).linkSecret, undefined, 'unset by default (a key kept in the database)');
  const secret = 'k'.repeat(31) + 'Ø';
  t.equal(loadConfig({ LINK_SECRET: secret }).linkSecret, secret);
  t.equal(loadConfig({ LINK_SECRET: '' }).linkSecret, undefined, 'empty counts as unset');
  const short = 'too-short-secret-123';
  try {
    loadConfig({ LINK_SECRET: short });
    t.fail('a short LINK_SECRET is refused');
  } catch (e) {
    t.ok(e instanceof ConfigError, 'a ConfigError');
    t.match((e as Error).message, /LINK_SECRET: must be at least 32 characters/);
    t.notMatch((e as Error).message, short, 'the value is not repeated');
  }
});
