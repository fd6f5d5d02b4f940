// Test helpers: a fresh app on a fresh migrated in-memory database, and a token for writes.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Test } from 'tap';
import { buildApp } from '../server/app.js';
import { createToken } from '../server/auth/tokens.js';
import { testConfig, type Config } from '../server/config.js';
import { PROBLEM_CODES, type ProblemCode } from '../server/http/problem-codes.js';

export interface TestApp {
  app: FastifyInstance;
  token: string;
  auth: { authorization: string };
  /** app.inject with the admin token. */
  as: (opts: InjectOptions) => Promise<LightMyRequestResponse>;
}

export async function makeApp(t: { teardown: (fn: () => unknown) => void }, config: Partial<Config> = {}): Promise<TestApp> {
  const app = await buildApp(testConfig(config));
  t.teardown(() => app.close());
  const { raw } = createToken(app.db, { name: 'test-admin', role: 'admin' });
  const auth = { authorization: `Bearer ${raw}` };
  return {
    app,
    token: raw,
    auth,
    as: (opts) => app.inject({ ...opts, headers: { ...auth, ...(opts.headers ?? {}) } }),
  };
}

/** Asserts a JSON success response and returns its body. */
export const ok = (t: Test, res: LightMyRequestResponse, status = 200) => {
  t.equal(res.statusCode, status, `status ${status}`, { body: res.body.slice(0, 500) });
  t.match(res.headers['content-type'], /^application\/json/);
  return res.json();
};

/** Asserts a problem+json response with this status and code and returns its body. */
export const problem = (t: Test, res: LightMyRequestResponse, status: number, code: string) => {
  t.equal(res.statusCode, status, `status ${status}`, { body: res.body.slice(0, 500) });
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  const body = res.json();
  t.equal(body.code, code);
  t.equal(body.status, status);
  t.equal(PROBLEM_CODES[code as ProblemCode]?.status, status, `'${code}' is in the catalogue with status ${status}`);
  return body;
};

/** Every route the app registered, as [METHOD, '/path/{param}'], read from Fastify's route tree. */
export function registeredRoutes(app: FastifyInstance): [string, string][] {
  const out: [string, string][] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + m[2]!;
    stack.push(path);
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      out.push([method, path.replace(/:(\w+)/g, '{$1}')]);
    }
  }
  return out;
}

/** A date some days ahead, for meetings that are still open for registration. */
export const futureDate = (days = 60): string => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
