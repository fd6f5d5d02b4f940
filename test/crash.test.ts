// Crash safety: a real server process takes writes from several concurrent clients and is killed with
// SIGKILL at a random moment. Every write that was acknowledged (2xx received in full) must survive: the
// crashed file is checked read-only as it was left (integrity_check, every acknowledged id present), then
// the server is restarted on it and every acknowledged id is read back through the API. Repeated for
// ROUNDS rounds on the same file, so each restart also recovers from the previous crash.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { closeDatabase, openDatabase, verifySettings } from '../db/client.js';
import { createToken } from '../server/auth/tokens.js';
import { startServer } from './server-process.js';

// Each round restarts the server under tsx (~2 s on two cores): give the file room on a busy machine.
t.setTimeout(180_000);
const ROUNDS = 10;
const WRITERS = 4;
const NETWORK = 'kl-konsulentnetvaerk-2019-2020'; // the seed network, loaded on the first start

// ---- a real server process (same helpers in shutdown.test.ts and backup.test.ts) ----

interface Reply {
  status: number;
  body: string;
}

/** One HTTP request on its own connection (no keep-alive); rejects on any socket error. */
function request(
  port: number,
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; timeoutMs?: number; headers?: http.OutgoingHttpHeaders } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const headers: http.OutgoingHttpHeaders = { ...opts.headers };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('response aborted')));
      res.on('end', () => {
        if (!res.complete) reject(new Error('response incomplete'));
        else resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.setTimeout(opts.timeoutMs ?? 10_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}




// ---- the test ----

interface Ack {
  kind: 'venue' | 'meeting';
  id: string;
  name: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A deadline for Promise.race that does not keep the process alive once the race is won. */
const timeLimit = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

t.test('acknowledged writes survive SIGKILL at random moments', { timeout: 170_000 }, async (t) => {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'netagenda-crash-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const databasePath = join(dir, 'netagenda.db');

  const setup = openDatabase(databasePath);
  const { raw: token } = createToken(setup, { name: 'crash-test', role: 'admin' });
  closeDatabase(setup);

  let server = await startServer(t, databasePath);
  const allAcked: Ack[] = [];
  const stats: string[] = [];

  for (let round = 1; round <= ROUNDS; round++) {
    const acked: Ack[] = [];
    const unexpected: string[] = [];
    let killed = false;
    let lost = 0; // requests cut off by the kill: their outcome is unknown to the client, nothing to assert
    const port = server.port;
    let firstAck: () => void = () => {};
    const acknowledged = new Promise<void>((resolve) => (firstAck = resolve));

    const writer = async (w: number) => {
      for (let i = 0; ; i++) {
        const kind: Ack['kind'] = (i + w) % 2 === 0 ? 'venue' : 'meeting';
        const name = `crash r${round} w${w} #${i} ${randomUUID()}`;
        const [path, body] =
          kind === 'venue'
            ? [`/api/v1/networks/${NETWORK}/venues`, { name, city: 'Odense' }]
            : [`/api/v1/networks/${NETWORK}/meetings`, { title: name, date: `2031-0${1 + (i % 9)}-1${w}`, startTime: '10:00' }];
        try {
          const res = await request(port, 'POST', path, { body, token });
          if (res.status === 201) {
            acked.push({ kind, id: (JSON.parse(res.body) as { id: string }).id, name });
            firstAck();
          } else {
            unexpected.push(`${res.status} ${res.body}`);
          }
        } catch (err) {
          if (!killed) unexpected.push(`before the kill: ${String(err)}`);
          else lost++;
          return;
        }
        if (killed) return;
      }
    };
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
    // The clock starts at the first acknowledged write, so a slow (cold, busy) server still gets a round.
    await Promise.race([acknowledged, timeLimit(10_000)]);
    const delay = 150 + Math.floor(Math.random() * 450);
    await sleep(delay);
    killed = true;
    server.child.kill('SIGKILL');
    const exit = await server.exited;
    await Promise.all(writers);
    t.equal(exit.signal, 'SIGKILL', `round ${round}: killed`);
    t.same(unexpected, [], `round ${round}: no refused or failed writes before the kill`);
    t.ok(acked.length > 0, `round ${round}: writes acknowledged before the kill ${delay} ms after the first one`);

    // 1. The file exactly as the crash left it (read-only: no checkpoint, the restart still has to recover it).
    const crashed = new Database(databasePath, { readonly: true, fileMustExist: true });
    try {
      t.equal(crashed.pragma('integrity_check', { simple: true }), 'ok', `round ${round}: crashed file passes integrity_check`);
      const inTable = (table: string, ids: string[]) => {
        if (ids.length === 0) return 0;
        return crashed.prepare(`SELECT count(*) FROM ${table} WHERE id IN (${ids.map(() => '?').join(',')})`).pluck().get(...ids) as number;
      };
      const venueIds = acked.filter((a) => a.kind === 'venue').map((a) => a.id);
      const meetingIds = acked.filter((a) => a.kind === 'meeting').map((a) => a.id);
      t.equal(inTable('venues', venueIds), venueIds.length, `round ${round}: every acknowledged venue is in the crashed file`);
      t.equal(inTable('meetings', meetingIds), meetingIds.length, `round ${round}: every acknowledged meeting is in the crashed file`);
    } finally {
      crashed.close();
    }

    // 2. Restart on the same file and read every acknowledged write back through the API.
    server = await startServer(t, databasePath);
    const missing: string[] = [];
    const queue = [...acked];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let a = queue.shift(); a; a = queue.shift()) {
          const res = await request(server.port, 'GET', a.kind === 'venue' ? `/api/v1/venues/${a.id}` : `/api/v1/meetings/${a.id}`, { token });
          const got = res.status === 200 ? (JSON.parse(res.body) as { name?: string; title?: string }) : undefined;
          if (!got || (got.name ?? got.title) !== a.name) missing.push(`${a.kind} ${a.id}: ${res.status}`);
        }
      }),
    );
    t.same(missing, [], `round ${round}: all ${acked.length} acknowledged writes read back after restart`);
    allAcked.push(...acked);
    stats.push(`round ${round}: kill at ${delay} ms, ${acked.length} acknowledged, ${lost} cut off`);
  }

  // Finally a clean stop, and the whole history checked on the file.
  server.child.kill('SIGTERM');
  const exit = await server.exited;
  t.same(exit, { code: 0, signal: null }, `clean exit after SIGTERM ${server.output()}`);
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    t.equal(db.pragma('integrity_check', { simple: true }), 'ok', 'final integrity_check');
    t.same(db.pragma('foreign_key_check'), [], 'final foreign_key_check');
    const venues = new Set(db.prepare('SELECT id FROM venues').pluck().all() as string[]);
    const meetings = new Set(db.prepare('SELECT id FROM meetings').pluck().all() as string[]);
    const absent = allAcked.filter((a) => !(a.kind === 'venue' ? venues : meetings).has(a.id));
    t.same(absent, [], `all ${allAcked.length} acknowledged writes of ${ROUNDS} rounds are in the file`);
  } finally {
    db.close();
  }
  t.comment(stats.join('\n'));
  t.comment(`${ROUNDS} rounds, ${allAcked.length} acknowledged writes, ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

t.test('Idempotency-Key across SIGKILL: a retry replays what committed, or runs again; never twice, never stuck', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netagenda-crash-idem-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const databasePath = join(dir, 'netagenda.db');
  const setup = openDatabase(databasePath);
  const { raw: token } = createToken(setup, { name: 'crash-idempotency', role: 'admin' });
  closeDatabase(setup);

  interface Sent {
    key: string;
    body: { name: string; city: string };
    first?: Reply;
  }
  const sent: Sent[] = [];
  const send = (port: number, s: Sent) =>
    request(port, 'POST', `/api/v1/networks/${NETWORK}/venues`, { body: s.body, token, headers: { 'idempotency-key': s.key } });
  let server = await startServer(t, databasePath);
  for (let round = 1; round <= 3; round++) {
    let killed = false;
    let firstAck: () => void = () => {};
    const acknowledged = new Promise<void>((resolve) => (firstAck = resolve));
    const unexpected: string[] = [];
    const writer = async (w: number) => {
      for (let i = 0; !killed; i++) {
        const s: Sent = { key: `r${round}-w${w}-${i}-${randomUUID()}`, body: { name: `Sted ${round}.${w}.${i} – Ærø`, city: 'Ærøskøbing' } };
        sent.push(s);
        try {
          s.first = await send(server.port, s);
          if (s.first.status === 201) firstAck();
          else unexpected.push(`${s.first.status} ${s.first.body}`);
        } catch {
          if (!killed) unexpected.push(`${s.key}: failed before the kill`);
          return;
        }
      }
    };
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
    await Promise.race([acknowledged, timeLimit(10_000)]);
    await sleep(100 + Math.floor(Math.random() * 300));
    killed = true;
    server.child.kill('SIGKILL');
    await server.exited;
    await Promise.all(writers);
    t.same(unexpected, [], `round ${round}: nothing refused before the kill`);
    server = await startServer(t, databasePath);

    // Every request of the round again, with its key: acknowledged ones are replayed as they were answered;
    // the ones the kill cut off get 201 either way (replayed if they had committed, created now if not).
    const wrong: string[] = [];
    let replayed = 0;
    for (const s of sent.filter((x) => x.key.startsWith(`r${round}-`))) {
      const again = await send(server.port, s);
      if (again.status !== 201) wrong.push(`${s.key}: ${again.status} ${again.body}`);
      else if (s.first?.status === 201 && again.body !== s.first.body) wrong.push(`${s.key}: replay differs from the first answer`);
      if (again.status === 201 && s.first?.status === 201) replayed++;
    }
    t.same(wrong, [], `round ${round}: every retry answered 201 (${replayed} acknowledged ones replayed identically)`);
  }
  server.child.kill('SIGTERM');
  await server.exited;
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    const names = db.prepare("SELECT name FROM venues WHERE city = 'Ærøskøbing'").pluck().all() as string[];
    t.equal(new Set(names).size, names.length, 'no venue created twice');
    t.equal(names.length, sent.length, `every one of ${sent.length} keyed creates exists exactly once`);
    t.equal(db.prepare('SELECT count(*) FROM idempotency_keys WHERE status IS NULL').pluck().get(), 0, 'no key left in progress');
  } finally {
    db.close();
  }
});

t.test('start-up refuses SQLite settings that did not take', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netagenda-settings-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'netagenda.db');
  const db = openDatabase(path);
  try {
    t.doesNotThrow(() => verifySettings(db.$client, path), 'openDatabase applied WAL, FULL, foreign keys, busy timeout');
    t.equal(db.$client.pragma('journal_mode', { simple: true }), 'wal');
    t.equal(db.$client.pragma('synchronous', { simple: true }), 2);
  } finally {
    closeDatabase(db);
  }

  // A connection where they did not take (as WAL does not on a file system without shared memory).
  const plainPath = join(dir, 'plain.db');
  const plain = new Database(plainPath);
  try {
    plain.pragma('synchronous = NORMAL');
    plain.pragma('foreign_keys = OFF'); // this build of SQLite defaults it to ON
    plain.pragma('busy_timeout = 0');
    t.throws(() => verifySettings(plain, plainPath), {
      message:
        /SQLite settings did not take effect on .*plain\.db: journal_mode is 'delete', expected 'wal'; synchronous is 1, expected 2 \(FULL\); foreign_keys is 0, expected 1 \(ON\); busy_timeout is 0, expected > 0/,
    });
  } finally {
    plain.close();
  }

  const memory = openDatabase(':memory:');
  t.doesNotThrow(() => verifySettings(memory.$client, ':memory:'), 'an in-memory database needs no WAL');
  closeDatabase(memory);
});
