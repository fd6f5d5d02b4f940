// Test helpers: a fresh app on a fresh migrated in-memory database, and a token for writes.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../server/app.js';
import { createToken } from '../server/auth/tokens.js';
import { testConfig, type Config } from '../server/config.js';

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
