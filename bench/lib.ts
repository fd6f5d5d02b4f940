// Plumbing of `npm run bench`: plain HTTP requests, the built app (dist/server/main.js) and the bare
// servers as child processes, a bounded worker pool, alternating autocannon comparisons, and the report
// (each figure, its target, PASS/FAIL).
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon, { type Options as LoadOptions } from 'autocannon';
import { closeDatabase, openDatabase } from '../db/client.js';
import { createToken } from '../server/auth/tokens.js';
import { freePort } from '../test/server-process.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Where processes run while two servers are compared: with two cores or more (and `taskset`, from
 * util-linux), the load generator (this process) on core 0 and both servers, with all their threads, on core 1,
 * so that the two never take turns on one core and a server's helper threads (GC, compiler) are charged to
 * that server. Only around a comparison (`pinned`); the absolute figures (creates, polls, start-up) run as a
 * deployment would, with the scheduler free. `BENCH_PIN=0` turns it off.
 */
const ALL_CORES = `0-${availableParallelism() - 1}`;
export const pinning = (() => {
  if (process.env.BENCH_PIN === '0' || availableParallelism() < 2) return null;
  const place = (pid: number, cores: string) => spawnSync('taskset', ['-a', '-p', '-c', cores, String(pid)], { stdio: 'ignore' }).status === 0;
  return place(process.pid, ALL_CORES) ? { client: 0, server: 1, place } : null;
})();

/** Runs `work` with this process on the client core and the servers `pids` on the server core. */
export async function pinned<T>(pids: number[], work: () => Promise<T>): Promise<T> {
  if (!pinning) return work();
  pinning.place(process.pid, String(pinning.client));
  for (const pid of pids) pinning.place(pid, String(pinning.server));
  try {
    return await work();
  } finally {
    for (const pid of pids) pinning.place(pid, ALL_CORES);
    pinning.place(process.pid, ALL_CORES);
  }
}

/** Every child process the bench started, so that none outlives it. */
const children = new Set<ChildProcess>();
function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
/** Kills the bench's own child processes that are still running (by handle, nothing else). */
export function killChildren(): void {
  for (const child of children) child.kill('SIGKILL');
}
const STARTUP_TIMEOUT_MS = 60_000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

const began = performance.now();
/** Progress on stdout, with the seconds since the bench began. */
export function progress(message: string): void {
  console.log(`[${((performance.now() - began) / 1000).toFixed(1).padStart(6)} s] ${message}`);
}
export const elapsedS = () => (performance.now() - began) / 1000;
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  /** Header names and values as sent, for replaying a response byte for byte. */
  rawHeaders: string[];
  body: Buffer;
  /** From sending the request to the last byte of the body. */
  ms: number;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** An object is sent as JSON. */
  body?: string | Buffer | object;
  /** A keep-alive agent, or false for a connection of its own (the default). */
  agent?: Agent | false;
  timeoutMs?: number;
}

/** One request; the body is read whole and not decoded (compressed bytes stay compressed). */
export function http(url: string, opts: RequestOptions = {}): Promise<Reply> {
  const headers = { ...(opts.headers ?? {}) };
  let body: string | Buffer | undefined;
  if (opts.body !== undefined) {
    if (typeof opts.body === 'string' || Buffer.isBuffer(opts.body)) body = opts.body;
    else {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
  }
  const method = opts.method ?? 'GET';
  return new Promise((ok, fail) => {
    const t0 = performance.now();
    const req = request(url, { method, headers, agent: opts.agent ?? false, timeout: opts.timeoutMs ?? 120_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        ok({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks), ms: performance.now() - t0 }),
      );
      res.on('error', fail);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: timed out`)));
    req.on('error', fail);
    req.end(body);
  });
}

export class HttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The JSON API as an admin: throws on any status but the expected one (setup is meaningless half-built). */
export function apiClient(base: string, token: string, agent: Agent) {
  return async (method: string, path: string, body?: object, expect = method === 'POST' ? 201 : method === 'DELETE' ? 204 : 200): Promise<Json> => {
    const res = await http(`${base}/api/v1${path}`, { method, body, agent, headers: { authorization: `Bearer ${token}` } });
    if (res.status !== expect) throw new HttpError(`${method} ${path}: ${res.status} ${res.body.toString('utf8').slice(0, 400)}`, res.status);
    return res.body.length > 0 ? (JSON.parse(res.body.toString('utf8')) as Json) : {};
  };
}
export type Api = ReturnType<typeof apiClient>;

/**
 * Runs `fn` over `items` with `concurrency` workers; no new item starts after `deadline` (ms since the
 * epoch). The first error stops the pool and is thrown. Returns how many items were run.
 */
export async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<void>, deadline = Infinity): Promise<number> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (failed === undefined && next < items.length && Date.now() < deadline) {
      const i = next++;
      try {
        await fn(items[i]!, i);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failed !== undefined) throw failed;
  return Math.min(next, items.length);
}

/** A migrated database file with an admin token (the server seeds the network into it when it starts). */
export function prepareDatabase(path: string): string {
  const db = openDatabase(path);
  const { raw } = createToken(db, { name: 'bench', role: 'admin' });
  closeDatabase(db);
  return raw;
}

/** VmRSS of a process in MB, from /proc (Linux). */
export function rssMb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for process ${pid}`);
  return Number(m[1]) / 1024;
}

/** The built server, `node dist/server/main.js`, in a process of its own; its output goes to `logPath`. */
export class AppServer {
  private constructor(
    readonly child: ChildProcess,
    readonly base: string,
    /** From spawning the process to its first response (GET /healthz, polled every 5 ms). */
    readonly startupMs: number,
    private readonly logPath: string,
  ) {}

  static async start(opts: { databasePath: string; logPath: string }): Promise<AppServer> {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const log = openSync(opts.logPath, 'a');
    const env = {
      ...process.env,
      DATABASE_PATH: opts.databasePath,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      // A deployment's public address is fixed: the same on every start (a change re-renders every event).
      PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
      // One client address sends everything: the API's per-address limit would answer 429 within a second.
      // The limiter still runs (its cost is measured); only its ceiling is out of reach.
      RATE_LIMIT_PER_MINUTE: '1000000000',
      AUTH_FAILURE_LIMIT: '1000000000',
      // The load generator saturates the server on purpose: no 503 load shedding.
      MAX_EVENT_LOOP_DELAY_MS: '0',
      REQUIRE_IF_MATCH: 'false',
    };
    const t0 = performance.now();
    const child = track(spawn(process.execPath, ['dist/server/main.js'], { cwd: REPO, env, stdio: ['ignore', log, log] }));
    closeSync(log);
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`server exited at start-up (${child.exitCode ?? child.signalCode}):\n${tail(opts.logPath)}`);
      }
      try {
        const res = await http(`${base}/healthz`, { timeoutMs: 5_000 });
        if (res.status === 200) return new AppServer(child, base, performance.now() - t0, opts.logPath);
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`server did not answer within ${STARTUP_TIMEOUT_MS / 1000} s:\n${tail(opts.logPath)}`);
      }
      await sleep(5);
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  rssMb(): number {
    return rssMb(this.pid);
  }

  /** The server's log so far (for an error message). */
  logTail(): string {
    return tail(this.logPath);
  }

  /** SIGTERM and wait for the graceful shutdown (SIGKILL after 20 s). */
  stop(): Promise<void> {
    if (!this.alive()) return Promise.resolve();
    return new Promise((done) => {
      const kill = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
      this.child.once('exit', () => {
        clearTimeout(kill);
        done();
      });
      this.child.kill('SIGTERM');
    });
  }
}

function tail(path: string, lines = 30): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** A bare server (bench/bare.ts) in a process of its own; answers `ready` with its URL once listening. */
export class BareServer {
  private constructor(
    readonly child: ChildProcess,
    readonly ready: Json,
  ) {}

  static async start(role: 'feed' | 'update', setup: Json): Promise<BareServer> {
    const child = track(
      fork(fileURLToPath(new URL('./bare.ts', import.meta.url)), [role], {
        cwd: REPO,
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    const ready = await new Promise<Json>((ok, fail) => {
      // The child says hello once it listens for its setup (a message sent earlier could be lost).
      child.on('message', (m: Json) => (m.hello ? child.send(setup) : ok(m)));
      child.once('exit', (code) => fail(new Error(`bare ${role} server exited with ${code}`)));
    });
    return new BareServer(child, ready);
  }

  get url(): string {
    return this.ready.url as string;
  }

  stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((done) => {
      const kill = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      this.child.once('exit', () => {
        clearTimeout(kill);
        done();
      });
      this.child.disconnect();
    });
  }
}

/** What the bare servers of bench/bare.ts are given. */
export interface CapturedResponse {
  status: number;
  /** Header pairs as the app sent them (Date, Connection, Keep-Alive, Content-Length, Transfer-Encoding dropped). */
  headers: [string, string][];
  /** The body bytes, base64. */
  body: string;
}
export interface FeedSetup {
  /** A Fastify route path, e.g. `/feeds/networks/:slug.ics`. */
  route: string;
  etag: string;
  full: CapturedResponse;
  notModified: CapturedResponse;
}
export interface UpdateSetup {
  databasePath: string;
  rows: number;
}

/** Headers that belong to the connection or that Fastify writes itself. */
export const NOT_REPLAYED = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

export interface Target {
  label: string;
  /** autocannon options for this target (url, headers, method, body, requests). */
  load: Omit<LoadOptions, 'connections' | 'duration'>;
  /** Runs before each of this target's slices (e.g. starts a writer); its result runs after the slice. */
  around?: () => () => Promise<void>;
}

export interface Measured {
  label: string;
  requests: number;
  seconds: number;
  p50s: number[];
  p99: number;
  statuses: Map<string, number>;
  errors: number;
}

export const perSecond = (m: Measured) => (m.seconds > 0 ? m.requests / m.seconds : 0);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
export { median };

/** One line per measured target: throughput, latency, status codes. */
export function describe(m: Measured): string {
  const statuses = [...m.statuses].map(([code, n]) => `${code}×${n}`).join(' ');
  return `${m.label.padEnd(44)} ${perSecond(m).toFixed(0).padStart(7)} req/s   p50 ${median(m.p50s).toFixed(1).padStart(5)} ms   p99 ${String(m.p99).padStart(4)} ms   ${statuses}${m.errors ? `   errors/timeouts ${m.errors}` : ''}`;
}

export interface CompareOptions {
  /** Seconds of measurement per target, in all. */
  seconds: number;
  /** Length of one alternating slice. */
  slice: number;
  connections: number;
  /** Seconds of warm-up per target before measuring. */
  warmup: number;
}

/**
 * Two targets measured side by side in alternating slices (A B, B A, A B, …) after a warm-up of each:
 * background noise on the machine then falls on both alike. Returns both and the ratio a/b of requests/s.
 */
export async function compare(a: Target, b: Target, opts: CompareOptions): Promise<{ a: Measured; b: Measured; ratio: number }> {
  const targets = [a, b];
  const results: Measured[] = targets.map((t) => ({ label: t.label, requests: 0, seconds: 0, p50s: [], p99: 0, statuses: new Map(), errors: 0 }));
  const run = async (t: Target, duration: number) => {
    const after = t.around?.();
    try {
      return await autocannon({ ...t.load, connections: opts.connections, duration });
    } finally {
      await after?.();
    }
  };
  for (const t of targets) if (opts.warmup > 0) await run(t, opts.warmup);
  const slices = Math.max(1, Math.round(opts.seconds / opts.slice));
  for (let s = 0; s < slices; s++) {
    for (const i of s % 2 === 0 ? [0, 1] : [1, 0]) {
      const r = await run(targets[i]!, opts.slice);
      const m = results[i]!;
      m.requests += r.requests.total;
      m.seconds += r.duration;
      m.p50s.push(r.latency.p50);
      m.p99 = Math.max(m.p99, r.latency.p99);
      m.errors += r.errors + r.timeouts;
      for (const [code, st] of Object.entries(r.statusCodeStats)) m.statuses.set(code, (m.statuses.get(code) ?? 0) + st.count);
    }
  }
  const [ma, mb] = results as [Measured, Measured];
  return { a: ma, b: mb, ratio: perSecond(mb) > 0 ? perSecond(ma) / perSecond(mb) : 0 };
}

/** Requests that were not the expected status, as `code×n` (empty when all were). */
export function unexpected(m: Measured, expected: string): string {
  const other = [...m.statuses].filter(([code]) => code !== expected).map(([code, n]) => `${code}×${n}`);
  if (m.errors) other.push(`errors/timeouts×${m.errors}`);
  return other.join(' ');
}

export interface Figure {
  name: string;
  value: number | null;
  unit: string;
  /** `>=` or `<` a value; absent for figures reported without a target. */
  target?: { op: '>=' | '<'; value: number };
  /** Why the value is missing, or what to read it with. */
  note?: string;
}

const verdict = (f: Figure) => {
  if (!f.target) return '';
  if (f.value === null || Number.isNaN(f.value)) return 'FAIL';
  return (f.target.op === '>=' ? f.value >= f.target.value : f.value < f.target.value) ? 'PASS' : 'FAIL';
};

/** The report: per section, detail lines and judged figures. */
export class Report {
  private readonly sections: { title: string; lines: string[]; figures: Figure[]; error?: string }[] = [];

  section(title: string) {
    const s = { title, lines: [] as string[], figures: [] as Figure[], error: undefined as string | undefined };
    this.sections.push(s);
    return {
      line: (text: string) => {
        s.lines.push(text);
        progress(`  ${text}`);
      },
      figure: (f: Figure) => {
        s.figures.push(f);
        progress(`  => ${formatFigure(f)}`);
      },
      fail: (err: unknown) => {
        s.error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      },
    };
  }

  get crashed(): boolean {
    return this.sections.some((s) => s.error !== undefined);
  }

  text(header: string[]): string {
    const out = [...header, ''];
    for (const s of this.sections) {
      out.push(`## ${s.title}`);
      for (const l of s.lines) out.push(`  ${l}`);
      if (s.error) out.push(`  ERROR: ${s.error.split('\n').join('\n  ')}`);
      out.push('');
    }
    out.push('## Summary');
    const all = this.sections.flatMap((s) => s.figures.filter((f) => f.target).map((f) => ({ s, f })));
    for (const { f } of all) out.push(`  ${formatFigure(f)}`);
    for (const s of this.sections) if (s.error) out.push(`  ${s.title}: CRASHED (${s.error.split('\n')[0]})`);
    const passed = all.filter(({ f }) => verdict(f) === 'PASS').length;
    out.push('', `  ${passed} of ${all.length} targets met${this.crashed ? '; a section crashed' : ''}.`);
    return out.join('\n');
  }
}

function formatFigure(f: Figure): string {
  const value = f.value === null || Number.isNaN(f.value) ? 'n/a' : f.unit === '×' ? f.value.toFixed(3) : f.value.toFixed(f.value >= 100 ? 0 : 1);
  const unit = f.unit === '×' ? '' : ` ${f.unit}`;
  const target = f.target ? `(target ${f.target.op} ${f.target.value.toLocaleString('en')}${unit})` : '';
  const v = verdict(f);
  return `${f.name.padEnd(64)} ${(value + unit).padStart(10)}  ${target.padEnd(24)} ${v}${f.note ? `   ${f.note}` : ''}`;
}
