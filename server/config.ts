// Service configuration: parsed once from the environment with zod; tests build their own.
import { isIP } from 'node:net';
import { z } from 'zod';
import type { Limits } from './http/hardening.js';

const port = z.coerce.number().int().min(0).max(65535);

/** Names Fastify's `trustProxy` (proxy-addr) accepts for well-known ranges. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Why an entry of TRUST_PROXY is not an address, a CIDR range or a range name; undefined when it is one. */
export function proxyEntryProblem(entry: string): string | undefined {
  if (PROXY_RANGE_NAMES.has(entry)) return undefined;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) {
    return `'${entry}' is not an IP address, a CIDR range (10.0.0.0/8, fd00::/8) or one of loopback, linklocal, uniquelocal`;
  }
  if (prefix === undefined) return undefined;
  const bits = family === 4 ? 32 : 128;
  // A /0 range would believe every peer: any client could then pick the address it is counted as.
  if (!/^[1-9]\d{0,2}$/.test(prefix) || Number(prefix) > bits) return `'${entry}': the prefix length must be 1–${bits}`;
  return undefined;
}

/** TRUST_PROXY: the proxies whose X-Forwarded-For is believed (comma-separated); empty = none. */
const trustProxy = z
  .string()
  .default('')
  .transform((value) => value.split(',').map((p) => p.trim()).filter(Boolean))
  .superRefine((entries, ctx) => {
    for (const entry of entries) {
      const problem = proxyEntryProblem(entry);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }
  });

const envSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_PATH: z.string().min(1).default('./data/netagenda.db'),
  PUBLIC_BASE_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://netagenda.example.dk' })
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  FEED_TTL_MINUTES: z.coerce.number().int().min(5).max(10080).default(60),
  FEED_CACHE_MB: z.coerce.number().int().min(1).max(65536).default(64),
  REQUIRE_IF_MATCH: z.enum(['true', 'false', '1', '0']).default('false'),
  CORS_ORIGINS: z.string().default(''),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).default(20),
  FORM_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  MAX_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(0).default(1000),
  TRUST_PROXY: trustProxy,
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  OPTIMIZE_FOR_SIZE: z.enum(['true', 'false', '1', '0']).default('true'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s/]+/, 'must be an smtp:// or smtps:// URL such as smtp://user:pass@mail.example.dk:587')
    .optional(),
  MAIL_FROM: z.string().min(3).optional(),
  WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false', '1', '0']).default('false'),
  LINK_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -base64 32`)').optional(),
});

export interface Config {
  port: number;
  host: string;
  databasePath: string;
  publicBaseUrl: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** How often calendar clients are told to refresh feeds (REFRESH-INTERVAL, X-PUBLISHED-TTL). */
  feedTtlMinutes: number;
  /** Bytes of built feeds (plain + gzip + brotli) kept in memory, least recently used out first. */
  feedCacheBytes: number;
  /** Refuse PATCH/DELETE without If-Match (428). */
  requireIfMatch: boolean;
  /** Origins allowed to call the API from browsers; empty = CORS off. */
  corsOrigins: string[];
  /**
   * Addresses and CIDR ranges of the reverse proxies in front of the service: a request from one of them
   * is counted against the address its X-Forwarded-For names (Fastify's `trustProxy`). Empty = the peer's
   * own address, X-Forwarded-For ignored.
   */
  trustProxy: string[];
  limits: Limits;
  /**
   * After SIGTERM/SIGINT: connections still busy after this long (a slow client) are cut off, and the
   * process exits 0 once the database is closed.
   */
  shutdownTimeoutMs: number;
  /**
   * How long a write's own request may spend publishing its feeds before the rest moves to the background
   * (feeds/feed-drainer.ts; 250 ms). Tests raise it: they read feeds right after writes on busy machines.
   */
  feedWriteBudgetMs?: number;
  /**
   * OPTIMIZE_FOR_SIZE (default true): once listening, V8 favours a small heap (`--optimize-for-size`): its young generation and old
   * generation stay near what is live instead of growing with every burst of requests (server/main.ts). It costs a feed poll
   * about 50% more CPU instructions (callgrind: 186,000 against 122,500; README, Benchmarks). `false` turns it off.
   */
  optimizeForSize: boolean;
  /** Load the seed network into an empty database at start-up. */
  seed: boolean;
  /** Where agenda templates live (default: the project's agenda-templates/). */
  templatesDir?: string;
  /** SMTP server for e-mail (nodemailer URL); undefined = no e-mail is sent. */
  smtpUrl?: string;
  /** The From of e-mails (default: the organiser's name at a no-reply address of the service's host). */
  mailFrom?: string;
  /** Let webhooks reach private, loopback and link-local addresses (tests, closed networks). */
  webhookAllowPrivate: boolean;
  /**
   * LINK_SECRET: the key personal feed links are derived from (feed-secrets.ts). Unset = a random key kept in
   * the database. Changing it changes every derived link (old ones stop working).
   */
  linkSecret?: string;
  /** The outbox worker's clock and schedule (tests shorten them; see outbox/outbox-worker.ts). */
  outbox?: { clock?: () => number; retryDelaysMs?: readonly number[]; pollMs?: number; disableAfter?: number; /** A webhook attempt's time limit (15 s). */ webhookTimeoutMs?: number };
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset, as in most twelve-factor services.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const hostForUrl = e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST;
  return {
    port: e.PORT,
    host: e.HOST,
    databasePath: e.DATABASE_PATH,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://${hostForUrl}:${e.PORT}`).replace(/\/+$/, ''),
    logLevel: e.LOG_LEVEL,
    feedTtlMinutes: e.FEED_TTL_MINUTES,
    feedCacheBytes: e.FEED_CACHE_MB * 1024 * 1024,
    requireIfMatch: e.REQUIRE_IF_MATCH === 'true' || e.REQUIRE_IF_MATCH === '1',
    corsOrigins: e.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
    trustProxy: e.TRUST_PROXY,
    limits: {
      apiPerMinute: e.RATE_LIMIT_PER_MINUTE,
      authFailures: e.AUTH_FAILURE_LIMIT,
      formPostsPerMinute: e.FORM_RATE_LIMIT_PER_MINUTE,
      maxEventLoopDelay: e.MAX_EVENT_LOOP_DELAY_MS,
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    optimizeForSize: e.OPTIMIZE_FOR_SIZE === 'true' || e.OPTIMIZE_FOR_SIZE === '1',
    seed: true,
    ...(e.SMTP_URL ? { smtpUrl: e.SMTP_URL } : {}),
    ...(e.MAIL_FROM ? { mailFrom: e.MAIL_FROM } : {}),
    ...(e.LINK_SECRET ? { linkSecret: e.LINK_SECRET } : {}),
    webhookAllowPrivate: e.WEBHOOK_ALLOW_PRIVATE === 'true' || e.WEBHOOK_ALLOW_PRIVATE === '1',
  };
}

/** A configuration for tests and scripts: in-memory database, no logging. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: '127.0.0.1',
    databasePath: ':memory:',
    publicBaseUrl: 'http://127.0.0.1:3000',
    logLevel: 'silent',
    feedTtlMinutes: 60,
    feedCacheBytes: 64 * 1024 * 1024,
    requireIfMatch: false,
    corsOrigins: [],
    trustProxy: [],
    // Tests send thousands of requests from one address: limits are off unless a test sets them.
    limits: { apiPerMinute: 1_000_000, authFailures: 1_000_000, formPostsPerMinute: 1_000_000, maxEventLoopDelay: 0 },
    shutdownTimeoutMs: 10_000,
    feedWriteBudgetMs: 60_000,
    optimizeForSize: true,
    seed: false,
    webhookAllowPrivate: true,
    ...overrides,
  };
}
