// The public pages in headless Chromium: every page walked in Danish and English, axe-core (WCAG 2.1 A/AA)
// with no violations, html-validate with no errors, every subscribe link's URL shape (and the feed behind
// it answering), the skip link by keyboard, the pages without JavaScript, and the print preview of the
// seeded meeting: exactly one A4 page.
import t, { type Test } from 'tap';
import type { Page } from 'playwright-core';
import { axeCheck, startBrowser, validateHtml, type BrowserHarness } from './browser-harness.js';
import { OTHER_SLUG, PAGES_SLUG, seedPages, type PagesSeed } from './pages-seed.js';

let h: BrowserHarness;
let s: PagesSeed;

t.before(async () => {
  h = await startBrowser(t);
  s = await seedPages(h.app, h.auth);
});

/** Goes to a page and checks it: status, axe, html-validate. Returns the page. */
async function walk(t: Test, path: string, status = 200): Promise<Page> {
  const page = await h.newPage();
  const res = await page.goto(`${h.baseUrl}${path}`);
  t.equal(res?.status(), status, `${path}: ${status}`);
  t.equal(res?.headers()['content-type'], 'text/html; charset=utf-8');
  const violations = await axeCheck(page);
  t.same(violations, [], `${path}: no WCAG 2.1 AA violations`);
  const errors = await validateHtml(await res!.text());
  t.same(errors.map((e) => `${e.line}:${e.column} ${e.ruleId} ${e.message}`), [], `${path}: valid HTML`);
  return page;
}

t.test('every page: axe 0 violations, valid HTML, in Danish and English', async (t) => {
  const paths = [
    '/',
    '/?lang=en',
    `/networks/${PAGES_SLUG}`,
    `/networks/${PAGES_SLUG}?lang=en`,
    `/networks/${OTHER_SLUG}`,
    `/meetings/${s.meetingId}`,
    `/meetings/${s.meetingId}?lang=en`,
    `/meetings/${s.cancelledId}`,
    `/meetings/${s.plainId}?lang=en`,
  ];
  for (const path of paths) {
    const page = await walk(t, path);
    t.equal(await page.locator('html').getAttribute('lang'), path.includes('lang=en') ? 'en' : 'da');
    t.equal(await page.locator('h1').count(), 1, `${path}: one h1`);
    await page.close();
  }
  for (const path of ['/meetings/mtg_nope', `/meetings/${s.draftId}`, '/networks/findes-ikke?lang=en']) {
    const page = await walk(t, path, 404);
    t.match(await page.locator('h1').textContent(), path.includes('lang=en') ? 'Page not found' : 'Siden findes ikke');
    await page.close();
  }
});

t.test('walking: front page → network → meeting, and the language switch', async (t) => {
  const page = await h.newPage();
  await page.goto(`${h.baseUrl}/`);
  await page.getByRole('link', { name: 'Konsulentnetværket for dagtilbud og skole' }).click();
  t.equal(new URL(page.url()).pathname, `/networks/${PAGES_SLUG}`);
  t.ok(await page.getByText('Aflyst', { exact: true }).isVisible(), 'the cancelled meeting is marked');
  await page.getByRole('link', { name: 'Netværksmøde 11. september – Sprog og overgange' }).click();
  t.equal(new URL(page.url()).pathname, `/meetings/${s.meetingId}`);
  // Tracks side by side: the two track columns' cells of a row sit next to each other, the plenary cell spans both.
  const daycare = await page.getByRole('cell', { name: /Sprogvurdering i dagtilbud/ }).boundingBox();
  const school = await page.getByRole('cell', { name: /Faglig læsning i udskolingen/ }).boundingBox();
  const plenary = await page.getByRole('cell', { name: /Velkomst og dagens program/ }).boundingBox();
  t.ok(daycare && school && plenary);
  t.equal(Math.round(daycare!.y), Math.round(school!.y), 'the tracks run side by side');
  t.ok(school!.x > daycare!.x);
  t.ok(plenary!.width >= daycare!.width + school!.width - 2, 'a plenary item spans both tracks');
  await page.getByRole('link', { name: 'Read this page in English' }).click();
  t.equal(new URL(page.url()).search, '?lang=en');
  t.equal(await page.locator('h2').first().textContent(), 'Programme');
  await page.getByRole('link', { name: 'Læs siden på dansk' }).click();
  t.equal(await page.locator('html').getAttribute('lang'), 'da');
  await page.close();
});

t.test('the skip link works from the keyboard', async (t) => {
  const page = await h.newPage();
  await page.goto(`${h.baseUrl}/meetings/${s.meetingId}`);
  await page.keyboard.press('Tab');
  t.equal(await page.evaluate(() => document.activeElement?.textContent), 'Spring til indhold', 'the first Tab reaches the skip link');
  t.ok(await page.getByRole('link', { name: 'Spring til indhold' }).isVisible(), 'and it is visible when focused');
  await page.keyboard.press('Enter');
  t.equal(new URL(page.url()).hash, '#main');
  t.equal(await page.evaluate(() => document.activeElement?.id), 'main', 'focus moved to the main content');
  await page.close();
});

t.test('every subscribe link has the shape its service accepts, and the feed behind it answers', async (t) => {
  const page = await h.newPage();
  await page.goto(`${h.baseUrl}/meetings/${s.meetingId}`);
  const blocks = page.locator('section.subscribe');
  const count = await blocks.count();
  t.equal(count, 8, 'the meeting, the meeting with its items, 2 tracks, the 3 themes on its agenda, the network');
  const host = new URL(h.baseUrl).host;
  for (let i = 0; i < count; i++) {
    const hrefs = await blocks.nth(i).locator('a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href')!));
    t.equal(hrefs.length, 5);
    const [webcal, google, outlook, office, ics] = hrefs as [string, string, string, string, string];
    t.match(ics, new RegExp(`^http://${host.replace('.', '\\.')}/feeds/.+\\.ics(\\?items=1)?$`));
    t.equal(webcal, ics.replace(/^http:/, 'webcal:'));
    const g = new URL(google);
    t.equal(`${g.origin}${g.pathname}`, 'https://calendar.google.com/calendar/r');
    t.same([...g.searchParams.keys()], ['cid']);
    t.equal(g.searchParams.get('cid'), webcal);
    for (const [link, origin] of [
      [outlook, 'https://outlook.live.com'],
      [office, 'https://outlook.office.com'],
    ] as const) {
      const u = new URL(link);
      t.equal(`${u.origin}${u.pathname}`, `${origin}/calendar/0/addfromweb`);
      t.same([...u.searchParams.keys()], ['url', 'name']);
      t.equal(u.searchParams.get('url'), ics);
      t.ok((u.searchParams.get('name') ?? '').length > 0);
    }
    const feed = await page.request.get(ics);
    t.equal(feed.status(), 200, `${ics} answers`);
    t.match(feed.headers()['content-type'], /^text\/calendar/);
  }
  t.ok(await page.getByText('Outlook på pc, Apple Kalender og Thunderbird', { exact: false }).isVisible(), 'one line on which to choose');
  await page.close();
});

t.test('without JavaScript the pages are whole', async (t) => {
  const context = await h.browser.newContext({ javaScriptEnabled: false, locale: 'da-DK' });
  t.teardown(() => context.close());
  const page = await context.newPage();
  await page.goto(`${h.baseUrl}/meetings/${s.meetingId}`);
  t.ok(await page.getByRole('cell', { name: /Gensidig sparring på tværs af områderne/ }).isVisible());
  t.ok(await page.getByRole('link', { name: 'Google Kalender' }).first().isVisible());
});

t.test('print preview: the seeded meeting is one clean A4 page', async (t) => {
  const page = await h.newPage();
  await page.goto(`${h.baseUrl}/meetings/${s.meetingId}`);
  await page.emulateMedia({ media: 'print' });
  t.notOk(await page.locator('section.subscribe').first().isVisible(), 'no subscribe buttons on paper');
  t.notOk(await page.locator('.site-header').isVisible(), 'no site header on paper');
  t.ok(await page.locator('table.programme').isVisible(), 'the programme is printed');
  const pdf = await page.pdf({ format: 'A4' });
  const pages = pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? [];
  t.equal(pages.length, 1, 'exactly one page');
  await page.close();
});
