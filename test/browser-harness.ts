// Browser tests' harness: the real app listening on 127.0.0.1 (fresh migrated in-memory database), Debian's
// Chromium driven by playwright-core (headless), axe-core (WCAG 2.1 A/AA) and html-validate (recommended).
// Used by test/browser-*.test.ts. Without /usr/bin/chromium the tests fail and say how to install it.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { HtmlValidate, type Message } from 'html-validate';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildApp } from '../server/app.js';
import { createToken } from '../server/auth/tokens.js';
import { testConfig, type Config } from '../server/config.js';
import { freePort } from './server-process.js';

export const CHROMIUM = '/usr/bin/chromium';

export interface BrowserHarness {
  app: FastifyInstance;
  /** e.g. http://127.0.0.1:41234 (also the app's PUBLIC_BASE_URL). */
  baseUrl: string;
  /** An admin token's Authorization header, for seeding through the API. */
  auth: { authorization: string };
  browser: Browser;
  context: BrowserContext;
  /** A new tab in the harness's browser context. */
  newPage: () => Promise<Page>;
}

/** Starts app and browser; both are closed in the test's teardown. */
export async function startBrowser(t: { teardown: (fn: () => unknown) => void }, config: Partial<Config> = {}): Promise<BrowserHarness> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's Chromium (apt-get install chromium; .ci/run installs it)`);
  }
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const app = await buildApp(testConfig({ port, publicBaseUrl: baseUrl, ...config }));
  t.teardown(() => app.close());
  await app.listen({ host: '127.0.0.1', port });
  const { raw } = createToken(app.db, { name: 'browser-admin', role: 'admin' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  t.teardown(() => browser.close());
  // A Danish browser (Accept-Language: da-DK): pages choose their language from it.
  const context = await browser.newContext({ locale: 'da-DK' });
  return { app, baseUrl, auth: { authorization: `Bearer ${raw}` }, browser, context, newPage: () => context.newPage() };
}

const require = createRequire(import.meta.url);
let axeSource: string | undefined;

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string; failureSummary?: string }[];
}

/**
 * axe-core's WCAG 2.1 A/AA violations on the page as it is now. axe is evaluated through the DevTools
 * protocol (pages forbid every script by CSP; evaluation is not a page script).
 */
export async function axeCheck(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  return page.evaluate(async (tags) => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, ...(n.failureSummary ? { failureSummary: n.failureSummary } : {}) })),
    }));
  }, WCAG_TAGS);
}

const validator = new HtmlValidate({ extends: ['html-validate:recommended'] });

/** html-validate's errors (recommended rules) in a whole document. */
export async function validateHtml(html: string): Promise<Message[]> {
  const report = await validator.validateString(html);
  return report.results.flatMap((r) => r.messages).filter((m) => m.severity === 2);
}
