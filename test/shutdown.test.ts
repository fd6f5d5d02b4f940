// Graceful shutdown under load: a real server process takes writes from many concurrent clients (fresh
// connections, keep-alive connections, and slow uploads the server has already begun to read) and gets
// SIGTERM while they are in flight. Every request the server had begun must finish with 2xx, every
// acknowledged write must be in the database, every refused write must have left no trace, the process must
// exit 0 promptly (idle keep-alive sockets must not hold it open), and the WAL must be checkpointed away.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { closeDatabase, openDatabase } from '../db/client.js';
import { createToken } from '../server/auth/tokens.js';
import { startServer } from './server-process.js';

// Starts the server under tsx (~2 s on two cores): give the file room on a busy machine.
t.setTimeout(120_000);
const NETWORK = 'kl-konsulentnetvaerk-2019-2020'; // the seed network, loaded on the first start

// ---- a real server process (same helpers in crash.test.ts and backup.test.ts) ----




// ---- requests, with what happened to each ----

interface Outcome {
  status: number;
  body: string;
  connection?: string;
  reused?: boolean;
}

class RequestFailed extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    /** Response headers had arrived: the response was cut off. */
    readonly afterHeaders: boolean,
    /** The request went out on a keep-alive connection already used before (an open socket). */
    readonly reused: boolean,
  ) {
    super(message);
  }
}

interface SendOptions {
  port: number;
  method: string;
  path: string;
  agent: http.Agent | false;
  body?: unknown;
  token?: string;
  timeoutMs?: number;
  /**
   * Send `Expect: 100-continue` and the body only after the server's `100 Continue`. Node's server sends
   * it as it hands the parsed request to Fastify, which routes it (and checks whether it is closing) in
   * the same tick: a client that has seen the 100 knows the server has begun the request.
   */
  expectContinue?: boolean;
  onContinue?: () => void;
  /** With expectContinue: after the 100, wait for this before sending the body (a slow upload). */
  holdBody?: Promise<void>;
}

function send(o: SendOptions): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const payload = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body));
    const headers: http.OutgoingHttpHeaders = {};
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    const expect = Boolean(payload && o.expectContinue);
    if (expect) headers.expect = '100-continue';
    let afterHeaders = false;
    let bodySent = false;
    const sendBody = () => {
      if (bodySent) return;
      bodySent = true;
      req.end(payload);
    };
    const fail = (err: Error & { code?: string }) => reject(new RequestFailed(err.message, err.code, afterHeaders, req.reusedSocket));
    const req = http.request({ host: '127.0.0.1', port: o.port, method: o.method, path: o.path, headers, agent: o.agent }, (res) => {
      afterHeaders = true;
      // A final answer without a 100 (e.g. 503): the body is never sent, and the connection not reused.
      const unfinished = !bodySent;
      bodySent = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', fail);
      res.on('aborted', () => fail(new Error('response aborted')));
      res.on('end', () => {
        if (!res.complete) fail(new Error('response incomplete'));
        else resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), connection: res.headers.connection, reused: req.reusedSocket });
        // Nothing may keep a socket (and its timeout) open once the answer is in.
        if (unfinished || o.agent === false || res.headers.connection === 'close') req.destroy();
      });
    });
    req.setTimeout(o.timeoutMs ?? 20_000, () => req.destroy(new Error('request timed out')));
    req.on('error', fail);
    if (expect) {
      req.on('continue', () => {
        o.onContinue?.();
        if (o.holdBody) void o.holdBody.then(sendBody);
        else sendBody();
      });
      req.flushHeaders();
    } else {
      sendBody();
    }
  });
}

// ---- the test ----

type Kind = 'slow upload' | 'fresh connection' | 'keep-alive';

interface Sent {
  kind: Kind;
  table: 'venues' | 'meetings';
  name: string;
  started: number;
  /** When the client saw `100 Continue` (the server had begun the request), if it asked for one. */
  continued?: number;
  result: 'ok' | 'refused' | 'failed';
  detail: string;
  id?: string;
  /** Failed on a keep-alive connection that had carried an earlier request. */
  reusedFailed?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A deadline for Promise.race that does not keep the process alive once the race is won. */
const timeLimit = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

t.test('SIGTERM under load: begun requests finish, exit 0, WAL checkpointed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netagenda-shutdown-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const databasePath = join(dir, 'netagenda.db');
  const setup = openDatabase(databasePath);
  const { raw: token } = createToken(setup, { name: 'shutdown-test', role: 'admin' });
  closeDatabase(setup);

  const server = await startServer(t, databasePath);
  const { port } = server;
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 4 });
  t.teardown(() => keepAlive.destroy());

  let exitedAt: number | undefined;
  void server.exited.then(() => (exitedAt = performance.now()));
  const records: Sent[] = [];

  const write = async (kind: Kind, n: number, extra: Partial<SendOptions> = {}): Promise<Sent> => {
    const table = n % 3 === 0 ? 'meetings' : 'venues';
    const name = `shutdown ${kind} #${n} ${randomUUID()}`;
    const [path, body] =
      table === 'venues'
        ? [`/api/v1/networks/${NETWORK}/venues`, { name, city: 'Odense' }]
        : [`/api/v1/networks/${NETWORK}/meetings`, { title: name, date: `2032-0${1 + (n % 9)}-15`, startTime: '10:00' }];
    const rec: Sent = { kind, table, name, started: performance.now(), result: 'failed', detail: '' };
    records.push(rec);
    try {
      const res = await send({
        port,
        method: 'POST',
        path,
        body,
        token,
        agent: kind === 'keep-alive' ? keepAlive : false,
        // Half of the load asks for 100-continue, so that we know which of them the server had begun.
        expectContinue: n % 2 === 1,
        onContinue: () => (rec.continued = performance.now()),
        ...extra,
      });
      rec.detail = String(res.status);
      if (res.status === 201) {
        rec.result = 'ok';
        rec.id = (JSON.parse(res.body) as { id: string }).id;
      } else if (res.status === 503) {
        // Fastify answers 503 to a request it reads after close() began (return503OnClosing).
        rec.result = 'refused';
      } else {
        rec.detail += ` ${res.body}`;
      }
    } catch (err) {
      const e = err as RequestFailed;
      rec.detail = `${e.code ?? ''} ${e.message}${e.afterHeaders ? ' (after the response headers)' : ''}${e.reused ? ' (on an open keep-alive connection)' : ''}`;
      rec.reusedFailed = e.reused;
      // Before any response, the server never handed these to the application:
      // - ECONNREFUSED: the listener was already closed;
      // - ECONNRESET: the connection was still in the kernel's accept queue when the listener closed, or
      //   accepted but its request not yet read (Node's server.close() closes such idle connections), or an
      //   idle keep-alive connection closed by the server as this request went out on it.
      // On a busy machine a new connection can wait there for hundreds of milliseconds while keep-alive
      // connections are served, so the client's send time says nothing about what the server had begun.
      if (!e.afterHeaders && (e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET')) rec.result = 'refused';
    }
    return rec;
  };

  // Load: fresh-connection and keep-alive clients, each sending writes back to back until refused.
  let n = 0;
  const loop = async (kind: Kind) => {
    for (;;) {
      const rec = await write(kind, n++);
      if (rec.result !== 'ok' || exitedAt !== undefined) return;
    }
  };
  const loops = [...Array.from({ length: 6 }, () => loop('fresh connection')), ...Array.from({ length: 4 }, () => loop('keep-alive'))];

  // Slow uploads: the server has begun them (100 Continue) before SIGTERM; their bodies follow only after it.
  let releaseBodies: () => void = () => {};
  const bodiesReleased = new Promise<void>((r) => (releaseBodies = r));
  let begun = 0;
  const allBegun = new Promise<void>((resolve) => {
    const uploads = 6;
    for (let i = 0; i < uploads; i++) {
      void write('slow upload', 1_000_001 + 2 * i, {
        expectContinue: true,
        holdBody: bodiesReleased,
        onContinue: () => {
          records.find((r) => r.kind === 'slow upload' && r.continued === undefined && r.name.includes(`#${1_000_001 + 2 * i} `))!.continued =
            performance.now();
          if (++begun === uploads) resolve();
        },
      });
    }
  });
  await Promise.race([allBegun, timeLimit(20_000)]);
  await sleep(300); // let the load run
  t.equal(begun, 6, 'the server has begun all slow uploads');
  t.ok(records.some((r) => r.result === 'ok'), 'writes are being acknowledged');

  // An idle keep-alive connection (fastify#7044: such sockets can hold close() open until they time out).
  const idleAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => idleAgent.destroy());
  const idle = await send({ port, method: 'GET', path: '/healthz', agent: idleAgent });
  t.equal(idle.status, 200, 'an idle keep-alive connection is open');
  for (let i = 0; i < 100 && Object.values(idleAgent.freeSockets).flat().length === 0; i++) await sleep(10);
  const idleSockets = Object.values(idleAgent.freeSockets).flat();
  t.equal(idleSockets.length, 1, 'the keep-alive socket is pooled, idle');
  let idleClosedAt: number | undefined;
  idleSockets[0]?.on('close', () => (idleClosedAt = performance.now()));

  const signalAt = performance.now();
  server.child.kill('SIGTERM');
  await sleep(150);
  releaseBodies();
  // A request on the idle keep-alive connection after the signal (the client had not heard of it): answered,
  // and told to close, not reset.
  const late = await send({ port, method: 'GET', path: '/healthz', agent: idleAgent }).catch((err: RequestFailed) => err);
  t.ok(!(late instanceof RequestFailed), `a request on an idle keep-alive connection after SIGTERM is answered${late instanceof RequestFailed ? `: ${late.code} ${late.message}` : ''}`);
  if (!(late instanceof RequestFailed)) {
    t.equal(late.status, 200);
    t.equal(late.reused, true, 'on the connection that was open before the signal');
    t.equal(late.connection, 'close', 'with Connection: close');
  }

  const exit = await server.exited;
  const exitMs = (exitedAt ?? performance.now()) - signalAt;
  await Promise.all(loops);
  while (records.some((r) => r.kind === 'slow upload' && r.detail === '')) await sleep(10);
  t.same(exit, { code: 0, signal: null }, `exit code 0 after SIGTERM ${server.output()}`);
  // keepAliveTimeout is 10 s and the shutdown deadline 10 s: well below both (idle connections get 1 s).
  t.ok(exitMs < 5000, `exited ${Math.round(exitMs)} ms after SIGTERM (idle keep-alive sockets did not hold it)`);
  t.ok(idleClosedAt !== undefined && idleClosedAt - signalAt < 5000, 'the server closed the idle keep-alive connection');

  const rel = (at: number) => `${(at - signalAt).toFixed(0)} ms`;
  const show = (r: Sent) => `${r.kind} sent at ${rel(r.started)}${r.continued ? `, begun at ${rel(r.continued)}` : ''}: ${r.detail}`;
  // The requests the server had provably begun before the signal: every one must complete with 2xx.
  const begunBefore = records.filter((r) => r.continued !== undefined && r.continued < signalAt);
  t.same(begunBefore.filter((r) => r.result !== 'ok').map(show), [], `all ${begunBefore.length} requests begun before SIGTERM completed with 201`);
  t.same(
    records.filter((r) => r.kind === 'slow upload').filter((r) => r.result !== 'ok').map(show),
    [],
    'in particular every slow upload (body sent after SIGTERM) completed with 201',
  );
  t.same(
    records.filter((r) => r.reusedFailed).map(show),
    [],
    'no request on an open keep-alive connection was reset or refused (answers carry Connection: close instead)',
  );
  const failed = records.filter((r) => r.result === 'failed');
  t.same(failed.map(show), [], 'no response cut off, no other status or error');

  // The file after the process is gone: checkpointed, intact, and exactly the acknowledged writes.
  const wal = `${databasePath}-wal`;
  t.ok(!existsSync(wal) || statSync(wal).size === 0, 'the WAL is gone or empty (checkpointed on close)');
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    t.equal(db.pragma('integrity_check', { simple: true }), 'ok', 'integrity_check');
    t.same(db.pragma('foreign_key_check'), [], 'foreign_key_check');
    const names = new Set([
      ...(db.prepare('SELECT name FROM venues').pluck().all() as string[]),
      ...(db.prepare('SELECT title FROM meetings').pluck().all() as string[]),
    ]);
    const acknowledged = records.filter((r) => r.result === 'ok');
    const refused = records.filter((r) => r.result === 'refused');
    t.same(acknowledged.filter((r) => !names.has(r.name)).map(show), [], `all ${acknowledged.length} acknowledged writes are in the database`);
    t.same(refused.filter((r) => names.has(r.name)).map(show), [], `none of the ${refused.length} refused writes left a trace`);

    const count = (pred: (r: Sent) => boolean) => records.filter(pred).length;
    t.comment(
      [
        `${records.length} writes: ${acknowledged.length} acknowledged, ${refused.length} refused, ${failed.length} failed; ` +
          `exit ${Math.round(exitMs)} ms after SIGTERM`,
        `in flight at SIGTERM and completed: ${count((r) => r.result === 'ok' && r.started < signalAt && r.continued !== undefined && r.continued < signalAt)} begun (100-continue) ` +
          `incl. ${count((r) => r.kind === 'slow upload' && r.result === 'ok')} slow uploads; ` +
          `${count((r) => r.result === 'ok' && r.started < signalAt && r.continued === undefined)} plain sent before it`,
        `refused: ${count((r) => r.result === 'refused' && r.detail === '503')} with 503, ` +
          `${count((r) => r.result === 'refused' && r.detail.startsWith('ECONNREFUSED'))} connection refused, ` +
          `${count((r) => r.result === 'refused' && r.detail.startsWith('ECONNRESET'))} reset before any response ` +
          `(${count((r) => r.result === 'refused' && r.started < signalAt)} of them sent before SIGTERM)`,
        ...(process.env.SHUTDOWN_DEBUG ? records.map(show) : []),
      ].join('\n'),
    );
  } finally {
    db.close();
  }
});

t.test('SIGTERM with a slow client: cut off at the deadline, exit 0', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netagenda-shutdown-slow-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const databasePath = join(dir, 'netagenda.db');
  const setup = openDatabase(databasePath);
  const { raw: token } = createToken(setup, { name: 'slow-client', role: 'admin' });
  closeDatabase(setup);
  const server = await startServer(t, databasePath, { SHUTDOWN_TIMEOUT_MS: '1500' });
  // An authenticated client that sends the start of an upload and then nothing.
  const socket = net.connect(server.port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  let answered = '';
  socket.on('data', (d: Buffer) => (answered += d.toString('utf8')));
  socket.write(
    `POST /api/v1/networks/${NETWORK}/venues HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\n` +
      'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":',
  );
  const socketClosed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now())));
  socket.on('error', () => undefined);
  await sleep(100);
  const signalAt = performance.now();
  server.child.kill('SIGTERM');
  const exit = await server.exited;
  const exitMs = performance.now() - signalAt;
  const cutMs = (await socketClosed) - signalAt;
  t.same(exit, { code: 0, signal: null }, `exit code 0 ${server.output()}`);
  t.equal(answered, '', 'the unfinished upload got no answer: it was cut off');
  t.ok(cutMs >= 1400, `the slow client was given until the deadline (${Math.round(cutMs)} ms)`);
  t.ok(exitMs < 6000, `and the process exited soon after it (${Math.round(exitMs)} ms after SIGTERM)`);
});
