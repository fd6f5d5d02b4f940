// The self-service forms in headless Chromium, end to end: sign a municipality up and manage it; register
// on a full track and land on the waiting list; cancel another registration and see the promotion; change
// track by the manage link; erase. axe-core (WCAG 2.1 AA) and html-validate on every page and form state,
// the error states included.
import t from 'tap';
import type { Page } from 'playwright-core';
import { axeCheck, startBrowser, validateHtml } from './browser-harness.js';
import { SLUG, seedNetwork, type As } from './self-service-fixture.js';

t.setTimeout(240_000);

t.test('self-service forms in a browser', async (t) => {
  const h = await startBrowser(t);
  const as: As = (opts) => h.app.inject({ ...opts, headers: { ...h.auth } });
  const { meetingId, smallTrack } = await seedNetwork(as);
  // A second meeting: the manage pages offer it (registering from the manage page).
  const autumn = (await as({ method: 'POST', url: `/api/v1/networks/${SLUG}/meetings`, payload: { title: 'Efterårsmøde', date: '2099-09-10', startTime: '10:00', endTime: '16:00', status: 'announced' } })).json();
  await as({ method: 'POST', url: `/api/v1/meetings/${autumn.id}/tracks`, payload: { name: 'Spor C' } });
  // A Danish browser: pages follow Accept-Language.
  const context = await h.browser.newContext({ locale: 'da-DK' });
  t.teardown(() => context.close());
  const page = await context.newPage();
  /** The HTML of the last document loaded (as sent: the DOM's serialisation differs). */
  let source: Promise<string> = Promise.resolve('');
  page.on('response', (res) => {
    if (res.request().isNavigationRequest() && (res.status() < 300 || res.status() >= 400)) source = res.text();
  });

  /** axe and html-validate on the page as it is now. */
  const checked = async (p: Page, what: string) => {
    const violations = await axeCheck(p);
    t.same(violations, [], `${what}: axe finds no WCAG 2.1 AA violation`);
    await p.waitForLoadState();
    const errors = await validateHtml(await source);
    t.same(errors.map((e) => `${e.ruleId}: ${e.message}`), [], `${what}: the HTML validates`);
  };
  const submitForm = async (p: Page, form = 'main form') => {
    await Promise.all([p.waitForNavigation(), p.click(`${form} button[type=submit]`)]);
  };

  // ---- A municipality signs up ----
  await page.goto(`${h.baseUrl}/networks/${SLUG}/signup`);
  await checked(page, 'sign-up form');
  await submitForm(page);
  t.match(await page.textContent('.error-summary'), 'Vælg en kommune på listen.');
  await checked(page, 'sign-up form with errors');
  await page.selectOption('#field-municipality', '461');
  await page.fill('#field-name', 'Søren Ærøe');
  await page.fill('#field-email', 'søren@odense.dk');
  await page.fill('#field-phone', '+45 65 51 10 00');
  await submitForm(page);
  t.match(page.url(), /\/manage\/[A-Za-z0-9_-]{32}\/receipt$/);
  t.match(await page.textContent('h1'), 'Kommunen er tilmeldt');
  await checked(page, 'sign-up receipt');
  const memberLink = (await page.getAttribute('a.capability', 'href'))!;
  await page.goto(memberLink);
  await checked(page, 'member manage page');
  await page.fill('#field-email', 'ikke en adresse');
  await submitForm(page, 'form[action*="/contact"]');
  t.match(await page.textContent('#error-email'), 'Skriv en gyldig e-mailadresse');
  await checked(page, 'member manage page with errors');
  await page.goto(`${memberLink}?lang=en`);
  await checked(page, 'member manage page in English');

  // ---- Registration: one place on track A; the second person lands on the waiting list ----
  const registerAs = async (n: number, lang = '') => {
    await page.goto(`${h.baseUrl}/meetings/${meetingId}/register${lang}`);
    await page.fill('#field-name', `Deltager ${n} Ærø`);
    await page.fill('#field-email', `deltager${n}@kommune.dk`);
    await page.selectOption('#field-municipality', '461');
    await page.selectOption('#field-track', smallTrack);
    await submitForm(page);
    return (await page.getAttribute('a.capability', 'href'))!;
  };
  await page.goto(`${h.baseUrl}/meetings/${meetingId}/register`);
  await checked(page, 'registration form');
  await submitForm(page);
  t.match(await page.textContent('.error-summary'), 'Feltet skal udfyldes.');
  await checked(page, 'registration form with errors');
  const first = await registerAs(1);
  t.match(await page.textContent('h1'), 'Du er tilmeldt');
  await checked(page, 'registration receipt (registered)');
  t.ok(await page.$('a[href^="webcal://"]'), 'the personal feed’s subscribe button');
  const second = await registerAs(2, '?lang=en');
  t.match(await page.textContent('h1'), 'You are on the waiting list');
  t.match(await page.textContent('main'), 'You are number 1 on the waiting list.');
  await checked(page, 'registration receipt (waiting list)');

  // ---- The first cancels; the second is promoted ----
  await page.goto(first);
  await checked(page, 'participant manage page');
  await submitForm(page, 'form[action*="/cancel"]');
  t.match(await page.textContent('[role=status]'), 'Du er afmeldt mødet.');
  await checked(page, 'participant manage page after cancelling');
  await page.goto(second);
  t.match(await page.textContent('.registrations'), 'Registered');

  // ---- The second changes track by the manage link (an error first) ----
  await submitForm(page, 'form[action*="/track"]');
  t.match(await page.textContent('.registrations'), 'Choose one of the meeting’s tracks.');
  await checked(page, 'participant manage page with a track error');
  await page.selectOption('form[action*="/track"] select', { label: 'Spor B: Ledelse' });
  await submitForm(page, 'form[action*="/track"]');
  t.match(await page.textContent('[role=status]'), 'The track is changed.');
  t.match(await page.textContent('.registrations'), 'Track: Spor B: Ledelse');
  await checked(page, 'participant manage page after changing track');

  // ---- Registering for the other meeting from the manage page (an error first) ----
  await submitForm(page, `form[action*="/meetings/${autumn.id}/register"]`);
  t.match(await page.textContent(`form[action*="/meetings/${autumn.id}/register"]`), 'Choose one of the meeting’s tracks.');
  await checked(page, 'registering for another meeting, with an error');
  await page.selectOption(`form[action*="/meetings/${autumn.id}/register"] select`, { label: 'Spor C' });
  await submitForm(page, `form[action*="/meetings/${autumn.id}/register"]`);
  t.match(await page.textContent('[role=status]'), 'You are registered for the meeting.');
  await checked(page, 'manage page with two registrations');

  // ---- A proposal with an error, then erasure with its confirmation ----
  await submitForm(page, 'form[action*="/proposals"]');
  await checked(page, 'proposal form with errors');
  await page.goto(`${second.split('?')[0]}/erase`);
  await checked(page, 'erase confirmation');
  await submitForm(page);
  t.match(await page.textContent('.error-summary'), 'Sæt kryds for at bekræfte.');
  await checked(page, 'erase confirmation with an error');
  await page.check('#field-confirm');
  await submitForm(page);
  t.match(await page.textContent('h1'), 'Dine data er slettet');
  await checked(page, 'erased');
});
