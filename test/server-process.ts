// A real server process for the tests that need one (crash, shutdown, online backup, limits by address):
// started under tsx on a free port of 127.0.0.1 and a given database file, with limits off unless a test
// sets them (one client address sends thousands of requests), killed in teardown whatever happens. And a
// raw HTTP/1.1 request over a socket, for request targets no HTTP client sends (`GET http://host/…`).
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface Server {
  child: ChildProcess;
  port: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
      res.on('error', () => resolve(false));
    });
    req.setTimeout(1000, () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/**
 * `env`: more of the server's environment (or limits of its own), over the defaults here. `args`: what node
 * runs (default the source under tsx; the bundle test runs a bundle).
 */
export async function startServer(
  tt: { teardown: (fn: () => unknown) => void },
  databasePath: string,
  extraEnv: Record<string, string> = {},
  args: string[] = ['--import', 'tsx', 'server/main.ts'],
): Promise<Server> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    _TAPJS_PROCESSINFO_COVERAGE_: '0', // children run under tsx: keep them out of tap's coverage
    DATABASE_PATH: databasePath,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '100000000',
    AUTH_FAILURE_LIMIT: '100000000',
    MAX_EVENT_LOOP_DELAY_MS: '0',
    ...extraEnv,
  };
  if (!('PUBLIC_BASE_URL' in extraEnv)) delete env.PUBLIC_BASE_URL;
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  tt.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited during start-up:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not answer /healthz within 30 s:\n${output}`);
    }
    if (await healthy(port)) return { child, port, exited, output: () => output };
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface RawAnswer {
  status: number;
  head: string;
  body: string;
}

/** Sends `GET <target> HTTP/1.1` as raw bytes on a new connection and reads the answer to its end. */
export function rawRequest(port: number, target: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      const lines = [`${method} ${target} HTTP/1.1`, 'Host: netagenda.test', 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split === -1 ? text : text.slice(0, split);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: split === -1 ? '' : text.slice(split + 4) });
    });
  });
}

export const rawStatus = async (port: number, target: string, headers: Record<string, string> = {}): Promise<number> =>
  (await rawRequest(port, target, headers)).status;
