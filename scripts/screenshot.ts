// Makes docs/meeting-page.png, the README's picture of the meeting page: the app on a fresh in-memory
// database with the page tests' seed (test/pages-seed.ts), the page opened in Debian's Chromium (da-DK).
// Run: node --import tsx scripts/screenshot.ts [out.png]
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { buildApp } from '../server/app.js';
import { createToken } from '../server/auth/tokens.js';
import { testConfig } from '../server/config.js';
import { seedPages } from '../test/pages-seed.js';
import { CHROMIUM } from '../test/browser-harness.js';
import { freePort } from '../test/server-process.js';

const out = resolve(process.argv[2] ?? new URL('../docs/meeting-page.png', import.meta.url).pathname);
const port = await freePort();
const baseUrl = `http://127.0.0.1:${port}`;
const app = await buildApp(testConfig({ port, publicBaseUrl: baseUrl }));
try {
  await app.listen({ host: '127.0.0.1', port });
  const { raw } = createToken(app.db, { name: 'screenshot', role: 'admin' });
  const seed = await seedPages(app, { authorization: `Bearer ${raw}` });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ locale: 'da-DK', viewport: { width: 1100, height: 900 } });
    await page.goto(`${baseUrl}/meetings/${seed.meetingId}`);
    mkdirSync(dirname(out), { recursive: true });
    // The programme and the first subscribe block: what a participant sees first.
    const box = await page.locator('section.subscribe').first().boundingBox();
    await page.screenshot({ path: out, fullPage: true, clip: { x: 0, y: 0, width: 1100, height: Math.ceil((box?.y ?? 1300) + (box?.height ?? 0) + 16) } });
    console.log(`wrote ${out}`);
  } finally {
    await browser.close();
  }
} finally {
  await app.close();
}
