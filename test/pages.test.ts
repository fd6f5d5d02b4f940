// The public pages through app.inject: status codes, HTML 404 pages, headers, ETag/304 and HEAD, language
// choice, released agendas only (never drafts or working changes), cancelled meetings marked, the page
// cache (a change shows on the next request; another network's kept page is not rendered again), the pure
// grid and subscribe-link shapes, and feed events linking to their meeting page (also after an upgrade).
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { buildApp } from '../server/app.js';
import { createToken } from '../server/auth/tokens.js';
import { testConfig } from '../server/config.js';
import { Html, html, raw, render } from '../server/pages/html.js';
import { pickLang, withLang } from '../server/pages/i18n.js';
import { da } from '../server/pages/messages.da.js';
import { en } from '../server/pages/messages.en.js';
import { longDate, instantIn, wallTime } from '../server/pages/page-format.js';
import { pageCache } from '../server/pages/page-cache.js';
import { programmeGrid } from '../server/pages/programme-grid.js';
import { subscribeLinks } from '../server/pages/subscribe.js';
import { csrfField, errorSummary, inputField, selectField } from '../server/pages/form.js';
import { makeApp } from './helpers.js';
import { OTHER_SLUG, PAGES_SLUG, seedPages } from './pages-seed.js';

t.test('html escapes what it interpolates, keeps Html as is', async (t) => {
  const name = `<script>alert("x")</script> & 'æøå'`;
  t.equal(render(html`<p title="${name}">${name}</p>`), `<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;æøå&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;æøå&#39;</p>`);
  t.equal(render(html`<ul>${['a<', html`<b>b</b>`].map((x) => html`<li>${x}</li>`)}</ul>`), '<ul><li>a&lt;</li><li><b>b</b></li></ul>');
  t.equal(render(html`${null}${undefined}${false}${0}${raw('<br>')}`), '0<br>');
  t.ok(html`x` instanceof Html);
  t.equal(String(html`<i>${'&'}</i>`), '<i>&amp;</i>');
});

t.test('language: ?lang= wins, then Accept-Language (q-values), else Danish', async (t) => {
  t.equal(pickLang(undefined, undefined), 'da');
  t.equal(pickLang('en', 'da'), 'en');
  t.equal(pickLang('da', 'en-GB,en;q=0.9'), 'da');
  t.equal(pickLang('fr', 'en-US,en;q=0.9'), 'en', 'an unknown ?lang= is ignored');
  t.equal(pickLang(undefined, 'de-DE, en;q=0.5, da;q=0.8'), 'da');
  t.equal(pickLang(undefined, 'de-DE, en;q=0.9, da;q=0'), 'en');
  t.equal(pickLang(undefined, 'fr, de'), 'da');
  t.equal(withLang('/networks/x', 'en'), '/networks/x?lang=en');
  t.equal(withLang('/a?b=1', 'en'), '/a?b=1&lang=en');
  t.equal(withLang('/networks/x', 'da'), '/networks/x');
  t.same(Object.keys(en).sort(), Object.keys(da).sort(), 'the same sections in both catalogues');
});

t.test('Danish and English formats, independent of the process zone', async (t) => {
  t.equal(longDate('2030-09-11', 'da'), 'onsdag den 11. september 2030');
  t.equal(longDate('2030-09-11', 'en'), 'Wednesday 11 September 2030');
  t.equal(wallTime('10:30', 'da'), '10.30');
  t.equal(wallTime('10:30', 'en'), '10:30');
  t.equal(instantIn('2030-01-10T09:30:00Z', 'Europe/Copenhagen', 'da'), '10. januar 2030 kl. 10.30');
  t.equal(instantIn('2030-07-10T09:30:00Z', 'Europe/Copenhagen', 'en'), '10 July 2030 at 11:30');
});

t.test('subscribe links: exactly the shapes the services accept', async (t) => {
  const l = subscribeLinks('https://agenda.example.dk', '/feeds/meetings/mtg_1.ics?items=1', 'Netværksmøde – Åben & lukket');
  t.same(l, {
    webcal: 'webcal://agenda.example.dk/feeds/meetings/mtg_1.ics?items=1',
    google: 'https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2Fagenda.example.dk%2Ffeeds%2Fmeetings%2Fmtg_1.ics%3Fitems%3D1',
    outlook:
      'https://outlook.live.com/calendar/0/addfromweb?url=https%3A%2F%2Fagenda.example.dk%2Ffeeds%2Fmeetings%2Fmtg_1.ics%3Fitems%3D1&name=Netv%C3%A6rksm%C3%B8de%20%E2%80%93%20%C3%85ben%20%26%20lukket',
    office365:
      'https://outlook.office.com/calendar/0/addfromweb?url=https%3A%2F%2Fagenda.example.dk%2Ffeeds%2Fmeetings%2Fmtg_1.ics%3Fitems%3D1&name=Netv%C3%A6rksm%C3%B8de%20%E2%80%93%20%C3%85ben%20%26%20lukket',
    ics: 'https://agenda.example.dk/feeds/meetings/mtg_1.ics?items=1',
  });
  // The services read back exactly the feed URL and name.
  t.equal(new URL(l.google).searchParams.get('cid'), l.webcal);
  t.equal(new URL(l.outlook).searchParams.get('url'), l.ics);
  t.equal(new URL(l.office365).searchParams.get('name'), 'Netværksmøde – Åben & lukket');
  t.equal(subscribeLinks('http://127.0.0.1:3000', '/feeds/tracks/t.ics', 'x').webcal, 'webcal://127.0.0.1:3000/feeds/tracks/t.ics');
});

t.test('programme grid: tracks side by side, plenary items across, rowspans, gaps, overlaps kept', async (t) => {
  const i = (trackId: string | null, startTime: string, endTime: string, title: string) => ({ trackId, startTime, endTime, title });
  const rows = programmeGrid(
    ['a', 'b'],
    [i(null, '10:00', '10:30', 'welcome'), i('a', '10:30', '12:00', 'a1'), i('b', '10:30', '11:00', 'b1'), i('b', '11:00', '12:00', 'b2'), i(null, '12:00', '13:00', 'lunch'), i('a', '13:00', '14:00', 'a2')],
  );
  const shape = rows.map((r) => [r.startTime, r.cells.map((c) => ('empty' in c ? '-' : `${c.item.title}/${c.colspan}x${c.rowspan}`))]);
  t.same(shape, [
    ['10:00', ['welcome/2x1']],
    ['10:30', ['a1/1x2', 'b1/1x1']],
    ['11:00', ['b2/1x1']],
    ['12:00', ['lunch/2x1']],
    ['13:00', ['a2/1x1', '-']],
  ]);
  const clash = programmeGrid(['a'], [i('a', '10:00', '11:00', 'x'), i('a', '10:30', '11:30', 'y')]);
  t.same(clash.map((r) => r.cells.map((c) => ('empty' in c ? '-' : c.item.title))), [['x'], [], ['y']], 'an overlapping item gets its own row (the row it would start in is covered)');
  t.same(programmeGrid([], [i(null, '10:00', '11:00', 'only')]).map((r) => r.cells.length), [1], 'no tracks: one column');
});

t.test('form helpers: labelled fields with their errors, the error summary, the CSRF field', async (t) => {
  const input = render(inputField({ name: 'email', label: 'E-mail', type: 'email', value: 'a"b', required: true, error: 'Skriv en gyldig e-mail', hint: 'Arbejdsmail' }));
  t.match(input, /<label for="field-email">E-mail<\/label>/);
  t.match(input, /id="field-email" name="email" type="email" value="a&quot;b" required aria-invalid="true" aria-describedby="hint-email error-email"/);
  t.match(input, /<p class="field-error" id="error-email">Skriv en gyldig e-mail<\/p>/);
  const select = render(selectField({ name: 'track', label: 'Spor', options: [{ value: 'a', label: 'Dagtilbud' }, { value: 'b', label: 'Skole' }], value: 'b' }));
  t.match(select, /<option value="b" selected>Skole<\/option>/);
  t.notMatch(select, /aria-invalid/);
  t.equal(render(errorSummary('Fejl', [])), '');
  t.match(render(errorSummary('Fejl', [{ name: 'email', message: 'E-mail mangler' }])), /role="alert"[^]*<a href="#field-email">E-mail mangler<\/a>/);
  t.equal(render(csrfField('tok<')), '<input type="hidden" name="_csrf" value="tok&lt;">');
});

t.test('pages: status codes, headers, released agendas only, 404 pages in HTML', async (t) => {
  const a = await makeApp(t);
  const s = await seedPages(a.app, a.auth);
  const get = (url: string, headers: Record<string, string> = {}) => a.app.inject({ url, headers });

  const home = await get('/');
  t.equal(home.statusCode, 200);
  t.equal(home.headers['content-type'], 'text/html; charset=utf-8');
  t.equal(home.headers['x-content-type-options'], 'nosniff');
  t.equal(home.headers['referrer-policy'], 'no-referrer');
  t.match(home.headers['content-security-policy'], /default-src 'self'.*script-src 'none'.*frame-ancestors 'none'/);
  t.notMatch(home.headers['content-security-policy'], /unsafe-inline/);
  t.match(home.body, /^<!DOCTYPE html>\n<html lang="da">/);
  t.match(home.body, /Konsulentnetværket for dagtilbud og skole/);
  t.match(home.body, /<a class="skip-link" href="#main">Spring til indhold<\/a>/);
  t.match(home.body, /<main id="main"/);
  t.match(home.body, /<link rel="stylesheet" href="\/assets\/site.css">/);
  t.notMatch(home.body, /<script|style=/, 'no scripts, no inline styles');

  const net = await get(`/networks/${PAGES_SLUG}`);
  t.equal(net.statusCode, 200);
  t.match(net.body, /Netværksmøde 11\. september – Sprog og overgange/);
  t.match(net.body, /class="cancelled-title">Netværksmøde 16\. januar – Trivsel<\/a>\n<span class="status status-cancelled">Aflyst<\/span>/, 'the cancelled meeting is marked');
  t.notMatch(net.body, /Hemmeligt udkast/, 'drafts never show');
  t.match(net.body, /Tilmeldingen er åben\./);
  t.match(net.body, /Frist: 15\. august 2099 kl\. 12\.00\./, 'the deadline in the network’s local time, Danish format');
  t.match(net.body, /Weidekampsgade 10, 2300 København S/);
  t.match(net.body, /11\. september 2030 – 3\. juni 2031/, 'the season');
  // Proposals ranked by votes: 'Fravær' (2) before 'Børns sprog' (1).
  t.match(net.body, /Fravær i udskolingen<\/strong> <span class="muted">\(2 stemmer\)[^]*Børns sprog på tværs af overgangen<\/strong> <span class="muted">\(1 stemme\)/);
  t.match(net.body, /webcal:\/\/127\.0\.0\.1:3000\/feeds\/networks\/konsulentnetvaerk-odense\.ics/);
  t.match(net.body, /feeds\/networks\/konsulentnetvaerk-odense\/themes\/sparring\.ics/);

  const meeting = await get(`/meetings/${s.meetingId}`);
  t.equal(meeting.statusCode, 200);
  t.match(meeting.body, /onsdag den 11\. september 2030, 10\.00–16\.00/);
  t.match(meeting.body, /<address>Odense Congress Center<br>Ørbækvej 350<br>5220 Odense SØ<\/address>/);
  t.match(meeting.body, /<th scope="col">Dagtilbud<span class="item-meta">Sal A<\/span><\/th><th scope="col">Skole/, 'tracks side by side');
  t.match(meeting.body, /<td colspan="2" class="plenary"><span class="item-title">Velkomst og dagens program/, 'plenary items span the tracks');
  t.match(meeting.body, /Åse Bæk, Lektor, Danmarks Institut for Pædagogik og Uddannelse/);
  t.match(meeting.body, /Faglig læsning i udskolingen – erfaringer fra Århus/, 'the latest release');
  t.notMatch(meeting.body, /UDKAST/, 'never the working agenda');
  t.match(meeting.body, /Version 2/);
  t.match(meeting.body, /«Faglig læsning i udskolingen» hedder nu «Faglig læsning i udskolingen – erfaringer fra Århus»/, 'what changed in the latest release');
  t.match(meeting.body, /Nyt oplæg i skolesporet/);
  for (const feed of [`/feeds/meetings/${s.meetingId}.ics`, `/feeds/meetings/${s.meetingId}.ics?items=1`, `/feeds/tracks/${s.tracks.daycare}.ics`, `/feeds/tracks/${s.tracks.school}.ics`, `/feeds/networks/${PAGES_SLUG}/themes/ny-viden.ics`, `/feeds/networks/${PAGES_SLUG}.ics`]) {
    t.ok(meeting.body.includes(`href="http://127.0.0.1:3000${feed.replace('?', '?')}"`), `a subscribe block for ${feed}`);
  }

  const cancelled = await get(`/meetings/${s.cancelledId}`);
  t.equal(cancelled.statusCode, 200);
  t.match(cancelled.body, /<p class="notice">Mødet er aflyst\.<\/p>/);
  const plain = await get(`/meetings/${s.plainId}`);
  t.match(plain.body, /Programmet er ikke udgivet endnu\./);

  for (const url of [`/meetings/${s.draftId}`, '/meetings/mtg_nope', '/networks/findes-ikke', `/meetings/${s.draftId}?lang=en`]) {
    const res = await get(url);
    t.equal(res.statusCode, 404, `${url}: 404`);
    t.equal(res.headers['content-type'], 'text/html; charset=utf-8', `${url}: an HTML page`);
    t.match(res.body, url.endsWith('lang=en') ? /<html lang="en">[^]*Page not found/ : /<html lang="da">[^]*Siden findes ikke/);
    t.notMatch(res.body, /Hemmeligt/);
  }

  const css = await get('/assets/site.css');
  t.equal(css.statusCode, 200);
  t.match(css.headers['content-type'], /^text\/css/);
  t.match(css.body, /@media print/);
});

t.test('language negotiation and the language switch', async (t) => {
  const a = await makeApp(t);
  const s = await seedPages(a.app, a.auth);
  const path = `/meetings/${s.meetingId}`;
  const da1 = await a.app.inject({ url: path });
  t.match(da1.body, /<html lang="da">/);
  t.match(da1.body, /<a class="lang-switch" href="\/meetings\/[^"?]+\?lang=en" hreflang="en" lang="en">Read this page in English<\/a>/);
  const en1 = await a.app.inject({ url: `${path}?lang=en` });
  t.match(en1.body, /<html lang="en">/);
  t.match(en1.body, /Wednesday 11 September 2030, 10:00–16:00/);
  t.match(en1.body, /Subscribe to the calendar/);
  t.match(en1.body, /href="\/meetings\/[^"?]+\?lang=da" hreflang="da" lang="da">Læs siden på dansk/);
  t.match(en1.body, /href="\/networks\/konsulentnetvaerk-odense\?lang=en"/, 'links keep the language');
  const en2 = await a.app.inject({ url: path, headers: { 'accept-language': 'en-GB,en;q=0.9,da;q=0.5' } });
  t.match(en2.body, /<html lang="en">/);
  t.equal(en2.headers.vary, 'Accept-Encoding, Accept-Language');
  const da2 = await a.app.inject({ url: `${path}?lang=da`, headers: { 'accept-language': 'en' } });
  t.match(da2.body, /<html lang="da">/);
  t.not(en1.headers.etag, da1.headers.etag);
});

t.test('ETag, 304, HEAD, compression', async (t) => {
  const a = await makeApp(t);
  const s = await seedPages(a.app, a.auth);
  const url = `/meetings/${s.meetingId}`;
  const first = await a.app.inject({ url });
  const etag = first.headers.etag as string;
  t.match(etag, /^W\/"[\w-]+"$/);
  t.equal(first.headers['cache-control'], 'public, no-cache');
  const again = await a.app.inject({ url, headers: { 'if-none-match': etag } });
  t.equal(again.statusCode, 304);
  t.equal(again.body, '');
  t.equal(again.headers.etag, etag);
  t.equal((await a.app.inject({ url, headers: { 'if-none-match': etag.slice(2) } })).statusCode, 304, 'weak comparison');
  t.equal((await a.app.inject({ url, headers: { 'if-none-match': `"other", ${etag}` } })).statusCode, 304);
  t.equal((await a.app.inject({ url, headers: { 'if-none-match': '"other"' } })).statusCode, 200);
  const head = await a.app.inject({ method: 'HEAD', url });
  t.equal(head.statusCode, 200);
  t.equal(head.body, '');
  t.equal(head.headers.etag, etag);
  t.equal(Number(head.headers['content-length']), Buffer.byteLength(first.body));
  const gz = await a.app.inject({ url, headers: { 'accept-encoding': 'gzip' } });
  t.equal(gz.headers['content-encoding'], 'gzip');
  t.equal(gz.headers.etag, etag);
  // Other spellings of the same URL are answered from the same kept page: a page is kept once per language.
  const kept = a.app.pages.size();
  for (const spelling of [`${url}/`, `/meetings/%6D${s.meetingId.slice(1)}`, `${url}?utm=x`]) {
    const res = await a.app.inject({ url: spelling });
    t.equal(res.statusCode, 200, spelling);
    t.equal(res.headers.etag, etag, `${spelling}: the same page`);
    t.match(res.body, new RegExp(`href="/meetings/${s.meetingId}\\?lang=en"`), `${spelling}: the language switch links to the canonical path`);
  }
  t.equal(a.app.pages.size(), kept, 'and nothing more is kept');
});

t.test('page cache: a change shows on the next request; another network’s kept page is not rendered again', async (t) => {
  const a = await makeApp(t);
  const s = await seedPages(a.app, a.auth);
  const pages = a.app.pages;
  const mine = `/meetings/${s.meetingId}`;
  const other = `/meetings/${s.otherMeetingId}`;
  const before = await a.app.inject({ url: mine });
  const otherBefore = await a.app.inject({ url: other });
  const otherNet = await a.app.inject({ url: `/networks/${OTHER_SLUG}` });
  await a.app.inject({ url: '/' });
  const renders = pages.stats.renders;
  // Served again from memory: nothing rendered.
  await a.app.inject({ url: mine });
  await a.app.inject({ url: other });
  t.equal(pages.stats.renders, renders, 'kept pages are not rendered again');

  // A venue change in the first network (not a release: the meeting page shows the live venue).
  const venueId = (await a.as({ url: `/api/v1/meetings/${s.meetingId}` })).json().venue.id;
  t.equal((await a.as({ method: 'PATCH', url: `/api/v1/venues/${venueId}`, payload: { streetAddress: 'Ørbækvej 350, indgang Æ' } })).statusCode, 200);
  const after = await a.app.inject({ url: mine, headers: { 'if-none-match': before.headers.etag as string } });
  t.equal(after.statusCode, 200, 'the changed page is sent again');
  t.match(after.body, /Ørbækvej 350, indgang Æ/);
  t.equal(pages.stats.renders, renders + 1);
  const otherAfter = await a.app.inject({ url: other, headers: { 'if-none-match': otherBefore.headers.etag as string } });
  t.equal(otherAfter.statusCode, 304, 'the other network’s page is unchanged');
  t.equal((await a.app.inject({ url: `/networks/${OTHER_SLUG}`, headers: { 'if-none-match': otherNet.headers.etag as string } })).statusCode, 304);
  t.equal(pages.stats.renders, renders + 1, 'and was not rendered again');
  // The front page lists every network: it goes with any.
  await a.app.inject({ url: '/' });
  t.equal(pages.stats.renders, renders + 2);

  // A new release, a vote, a network field: each shows on the next request.
  const items = (await a.as({ url: `/api/v1/meetings/${s.meetingId}/agenda?version=working` })).json().items;
  const lunch = items.find((i: { title: string }) => i.title === 'Frokost');
  await a.as({ method: 'PATCH', url: `/api/v1/items/${lunch.id}`, payload: { title: 'Frokost i foyeren' } });
  t.notMatch((await a.app.inject({ url: mine })).body, /Frokost i foyeren/, 'a working change does not show');
  await a.as({ method: 'POST', url: `/api/v1/meetings/${s.meetingId}/releases`, payload: {} });
  t.match((await a.app.inject({ url: mine })).body, /Frokost i foyeren/, 'the release shows at once');
  await a.as({ method: 'PATCH', url: `/api/v1/networks/${PAGES_SLUG}`, payload: { purpose: 'Et nyt formål med æøå.' } });
  t.match((await a.app.inject({ url: `/networks/${PAGES_SLUG}` })).body, /Et nyt formål med æøå\./);
  await a.as({ method: 'PATCH', url: `/api/v1/networks/${PAGES_SLUG}`, payload: { signupDeadline: '2020-02-01T12:00' } });
  t.match((await a.app.inject({ url: `/networks/${PAGES_SLUG}?lang=en` })).body, /Sign-up is closed\./);
  t.equal((await a.app.inject({ url: other, headers: { 'if-none-match': otherBefore.headers.etag as string } })).statusCode, 304);
});

t.test('page cache: writes from elsewhere are noticed within a second; sign-up windows expire the page', async (t) => {
  const a = await makeApp(t);
  await seedPages(a.app, a.auth);
  let now = Date.parse('2030-01-01T00:00:00Z');
  const cache = pageCache(a.app.db, { clock: () => now });
  const page = cache.store('da /x', '<p>x</p>', { network: PAGES_SLUG }, now + 5000);
  cache.store('da /y', '<p>y</p>', { network: OTHER_SLUG }, null);
  t.equal(cache.lookup('da /x'), page);
  // A write that did not pass through this process's requests (as the CLI or another instance would).
  a.app.db.$client.prepare("UPDATE networks SET purpose = 'direkte' WHERE slug = ?").run(PAGES_SLUG);
  t.equal(cache.lookup('da /x'), page, 'not looked for before a second has passed');
  now += 1000;
  t.equal(cache.lookup('da /x'), undefined, 'dropped once the trail is read');
  t.ok(cache.lookup('da /y'), 'the other network’s page stays');
  cache.store('da /x', '<p>x</p>', { network: PAGES_SLUG }, now + 5000);
  now += 5000;
  t.equal(cache.lookup('da /x'), undefined, 'expired when the sign-up window opens or closes');
  // Inside a write's transaction nothing is read from the trail (it may be rolled back) and nothing is kept.
  const sqlite = a.app.db.$client;
  sqlite.prepare('BEGIN IMMEDIATE').run();
  sqlite.prepare("UPDATE networks SET purpose = 'rulles tilbage' WHERE slug = ?").run(OTHER_SLUG);
  cache.refresh();
  t.ok(cache.lookup('da /y'), 'not dropped for a write that is not committed');
  cache.store('da /w', '<p>w</p>', { network: OTHER_SLUG }, null);
  t.equal(cache.lookup('da /w'), undefined, 'a page rendered inside a transaction is sent, not kept');
  sqlite.prepare('ROLLBACK').run();
  cache.refresh();
  t.ok(cache.lookup('da /y'), 'the rolled-back write drops nothing');
  cache.store('da /z', '<p>z</p>', 'all', null);
  sqlite.prepare("UPDATE networks SET purpose = 'igen' WHERE slug = ?").run(OTHER_SLUG);
  cache.refresh();
  t.equal(cache.size(), 0, 'the front page and the other network’s page go');
});

t.test('the network page shows when sign-up has not opened yet, in the network’s zone', async (t) => {
  const a = await makeApp(t);
  await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'nuuk', name: 'Netværk i Nuuk', timeZone: 'America/Nuuk', signupOpens: '2099-01-02T08:00', signupDeadline: '2099-02-01T16:00' } });
  const res = await a.app.inject({ url: '/networks/nuuk' });
  t.match(res.body, /Tilmeldingen er ikke åben endnu\./);
  t.match(res.body, /Åbner 2\. januar 2099 kl\. 08\.00 \(America\/Nuuk\)\./);
  t.match(res.body, /Der er ingen annoncerede møder endnu\./);
  t.match(res.body, /Netværket har ingen temaer endnu\./);
  t.match(res.body, /Der er ingen forslag endnu\./);
  const home = await a.app.inject({ url: '/?lang=en' });
  t.match(home.body, /0 meetings/);
});

t.test('feed events link to their meeting page, also in a database published before', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netagenda-pages-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'db.sqlite');
  const config = testConfig({ databasePath: file, publicBaseUrl: 'https://agenda.example.dk' });
  const first = await buildApp(config);
  const { raw: token } = createToken(first.db, { name: 't', role: 'admin' });
  const s = await seedPages(first, { authorization: `Bearer ${token}` });
  const unfold = (ics: string) => ics.replace(/\r\n[ \t]/g, '');
  const feed1 = unfold((await first.inject({ url: `/feeds/meetings/${s.meetingId}.ics?items=1` })).body);
  t.ok(feed1.includes(`URL;VALUE=URI:https://agenda.example.dk/meetings/${s.meetingId}\r\n`), 'the meeting page');
  t.notMatch(feed1, /api\/v1/);
  // As a database written by the previous renderer (version 1): its stored fragments carry another URL
  // line (folded, so it is marked rather than rewritten) and its feed bodies are built from them.
  const sqlite = first.db.$client;
  sqlite.prepare("UPDATE feed_events SET ics_live = replace(ics_live, 'URL;VALUE=URI:', 'X-OLD-URL:')").run();
  sqlite.prepare("INSERT OR IGNORE INTO feed_queue (kind, key) SELECT 'body', scope FROM feed_bodies").run();
  first.feeds.publisher.drain();
  t.match((await first.inject({ url: `/feeds/meetings/${s.meetingId}.ics?items=1` })).body, /X-OLD-URL/, 'the old fragments are served');
  sqlite.prepare("UPDATE feed_meta SET value = json_set(value, '$[0]', 1) WHERE key IN ('fragments', 'bodies')").run();
  await first.close();
  const second = await buildApp(config);
  t.teardown(() => second.close());
  second.feeds.publisher.drain();
  const feed2 = unfold((await second.inject({ url: `/feeds/meetings/${s.meetingId}.ics?items=1` })).body);
  t.ok(feed2.includes(`URL;VALUE=URI:https://agenda.example.dk/meetings/${s.meetingId}\r\n`), 'rendered again at start-up');
  t.notMatch(feed2, /X-OLD-URL/);
});

t.test('over a real socket a kept page takes the light path: no router, no request log; changes still show', async (t) => {
  const lines: string[] = [];
  const logStream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const app = await buildApp(testConfig({ logLevel: 'info' }), { logStream });
  t.teardown(() => app.close());
  const { raw: token } = createToken(app.db, { name: 't', role: 'admin' });
  const auth = { authorization: `Bearer ${token}` };
  const s = await seedPages(app, auth);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const url = `${base}/meetings/${s.meetingId}`;
  const logged = () => lines.filter((l) => l.includes('incoming request') && l.includes('"url":"/meetings/')).length;

  const first = await fetch(url);
  t.equal(first.status, 200);
  const etag = first.headers.get('etag')!;
  const body = await first.text();
  t.equal(logged(), 1, 'the first request renders through the service');
  const second = await fetch(url);
  t.equal(await second.text(), body);
  t.equal(second.headers.get('content-security-policy'), first.headers.get('content-security-policy'));
  const notModified = await fetch(url, { headers: { 'if-none-match': etag } });
  t.equal(notModified.status, 304);
  const head = await fetch(url, { method: 'HEAD' });
  t.equal(head.status, 200);
  t.equal(head.headers.get('etag'), etag);
  t.equal(logged(), 1, 'kept pages are answered before the router (and its request log)');
  // POST to a page path is not a page request: it reaches the service (and its 404).
  t.equal((await fetch(url, { method: 'POST' })).status, 404);

  const venueId = (await app.inject({ url: `/api/v1/meetings/${s.meetingId}`, headers: auth })).json().venue.id;
  await fetch(`${base}/api/v1/venues/${venueId}`, { method: 'PATCH', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Odense Congress Center, Sal 1' }) });
  const changed = await fetch(url, { headers: { 'if-none-match': etag } });
  t.equal(changed.status, 200, 'a write drops the kept page');
  t.match(await changed.text(), /Odense Congress Center, Sal 1/);
});

t.test('a page that fails is an HTML error page that tells nothing of the cause', async (t) => {
  const a = await makeApp(t);
  const s = await seedPages(a.app, a.auth);
  a.app.db.$client.prepare("UPDATE releases SET snapshot = '{not json' WHERE meeting_id = ?").run(s.meetingId);
  for (const [url, title] of [
    [`/meetings/${s.meetingId}`, 'Der opstod en fejl'],
    [`/meetings/${s.meetingId}?lang=en`, 'Something went wrong'],
  ] as const) {
    const res = await a.app.inject({ url });
    t.equal(res.statusCode, 500);
    t.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    t.match(res.body, new RegExp(`<h1>${title}</h1>`));
    t.notMatch(res.body, /JSON|SyntaxError|at /, 'no internals');
  }
  t.equal(a.app.pages.size(), 0, 'nothing kept');
});
