// E-mail with iTIP (RFC 5546) through a real SMTP server in the test (smtp-server): receipts on
// registration and on promotion from the waiting list, one update per participant for a release that
// retimes one item and removes another (REQUEST with a higher SEQUENCE, CANCEL, a human summary), a
// cancelled meeting, English for English speakers, the one-click opt-out of change e-mails. The calendar
// parts carry the personal feed's UIDs and SEQUENCEs and pass ../shared/tools/ical-check where present.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ICAL from 'ical.js';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { makeApp, ok, futureDate, problem, type TestApp } from './helpers.js';
import { waitFor } from './outbox-helpers.js';
import { longDate, meetingLines, releaseLines } from '../server/email/change-summary.js';

t.setTimeout(400_000);
const CHECKER = new URL('../../shared/tools/ical-check/check.sh', import.meta.url).pathname;

interface Mail {
  to: string;
  parsed: ParsedMail;
  calendars: { method: string; text: string; uid: string; sequence: number; status: string | null; start: string }[];
}

async function smtp(t: Test) {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then((parsed) => {
        const calendars = parsed.attachments
          .filter((a) => a.contentType === 'text/calendar')
          .map((a) => {
            const text = a.content.toString('utf8');
            const cal = new ICAL.Component(ICAL.parse(text));
            const ve = cal.getFirstSubcomponent('vevent')!;
            return {
              method: String(cal.getFirstPropertyValue('method')),
              text,
              uid: String(ve.getFirstPropertyValue('uid')),
              sequence: Number(ve.getFirstPropertyValue('sequence')),
              status: (ve.getFirstPropertyValue('status') as string | null) ?? null,
              start: new ICAL.Event(ve).startDate.toJSDate().toISOString(),
            };
          });
        for (const rcpt of session.envelope.rcptTo) mails.push({ to: rcpt.address, parsed, calendars });
        callback();
      }, callback);
    },
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  t.teardown(() => new Promise<void>((ok) => server.close(() => ok())));
  return { url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`, mails };
}

/** The personal feed's events: UID → SEQUENCE and STATUS. */
async function feedEvents(a: TestApp, feedUrl: string) {
  const body = (await a.app.inject({ url: new URL(feedUrl).pathname })).body;
  const cal = new ICAL.Component(ICAL.parse(body));
  return new Map(cal.getAllSubcomponents('vevent').map((ve) => [String(ve.getFirstPropertyValue('uid')), { sequence: Number(ve.getFirstPropertyValue('sequence')), status: ve.getFirstPropertyValue('status') }]));
}

/** A header as sent (mailparser turns List-* headers into objects). */
const rawHeader = (parsed: ParsedMail, name: string) => parsed.headerLines.find((h) => h.key === name)?.line.replace(/^[^:]+:\s*/, '') ?? '';

function strictCheck(t: Test, text: string, label: string) {
  if (!existsSync(CHECKER)) {
    t.comment(`ical-check not found at ${CHECKER}: skipped for ${label}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'itip-'));
  try {
    const file = join(dir, 'invite.ics');
    writeFileSync(file, text);
    const r = spawnSync('bash', [CHECKER, file], { encoding: 'utf8', timeout: 200_000 });
    t.equal(r.status, 0, `ical-check passes for ${label}`, { output: (r.stdout + r.stderr).slice(-2000) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const settled = (a: TestApp) => () =>
  (a.app.db.$client.prepare("SELECT (SELECT count(*) FROM outbox_messages WHERE fanned_out_at IS NULL) + (SELECT count(*) FROM outbox_deliveries WHERE status = 'pending')").pluck().get() as number) === 0;

t.test('receipts, a promotion, a release’s changes, opt-out and a cancelled meeting, by e-mail with iTIP', async (t) => {
  const mail = await smtp(t);
  const a = await makeApp(t, { smtpUrl: mail.url, publicBaseUrl: 'https://agenda.example.dk', outbox: { pollMs: 20, retryDelaysMs: [50, 50] } });
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'net', name: 'Læsenetværket', organiser: { name: 'KL Læsning', email: 'laesning@kl.dk' } } }), 201);
  const venue = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/venues', payload: { name: 'Rådhuset', streetAddress: 'Torvet 1', postalCode: '5970', city: 'Ærøskøbing' } }), 201);
  const date = '2099-01-15'; // winter: Copenhagen is UTC+1
  const m = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/meetings', payload: { title: 'Læsemøde på Ærø', date, startTime: '10:00', endTime: '15:00', status: 'announced', capacity: 3, venueId: venue.id } }), 201);
  const track = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/tracks`, payload: { name: 'Dagtilbud', room: 'Lokale 1' } }), 201);
  const item = (title: string, startTime: string, endTime: string, trackId: string | null) =>
    a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { title, kind: 'presentation', startTime, endTime, trackId } }).then((r) => ok(t, r, 201));
  await item('Velkomst', '10:00', '10:30', null);
  const talk = await item('Oplæg om læsning', '10:30', '11:30', track.id);
  const workshop = await item('Workshop', '12:00', '13:00', track.id);
  ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/releases`, payload: { note: 'Program' } }), 201);
  const person = (name: string, email: string, language?: string) =>
    a.as({ method: 'POST', url: '/api/v1/networks/net/participants', payload: { name, email, ...(language ? { language } : {}) } }).then((r) => ok(t, r, 201));
  const aase = await person('Åse Ærø', 'aase@aero.dk');
  const bob = await person('Bob Smith', 'bob@example.com', 'en');
  const dorte = await person('Dorte Ø', 'dorte@aero.dk');
  const carl = await person('Carl Ørsted', 'carl@aero.dk');
  const register = (p: { id: string }) => a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/registrations`, payload: { participantId: p.id, trackId: track.id } }).then((r) => ok(t, r, 201));
  await register(aase);
  const bobReg = await register(bob);
  await register(dorte);
  t.equal((await register(carl)).status, 'waitlisted');
  await waitFor('three receipts', () => mail.mails.length === 3);
  await waitFor('settled', settled(a));
  t.same(mail.mails.map((x) => x.to).sort(), ['aase@aero.dk', 'bob@example.com', 'dorte@aero.dk'], 'a receipt each, none for the waiting list');

  const receipt = mail.mails.find((x) => x.to === 'aase@aero.dk')!;
  t.equal(receipt.parsed.subject, 'Tilmeldt: Læsemøde på Ærø');
  t.match(receipt.parsed.text, `Du er tilmeldt «Læsemøde på Ærø»`);
  t.match(receipt.parsed.text, longDate(date, 'da'));
  t.match(receipt.parsed.text, 'Rådhuset');
  t.match(receipt.parsed.text, `webcal://agenda.example.dk/feeds/meetings/${m.id}.ics?items=1`);
  t.match(receipt.parsed.text, /https:\/\/agenda\.example\.dk\/api\/v1\/email-preferences\/[\w-]+/);
  t.match(rawHeader(receipt.parsed, 'list-unsubscribe'), /email-preferences\/[\w-]+\/unsubscribe/);
  t.equal(rawHeader(receipt.parsed, 'list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
  t.equal(receipt.calendars.length, 4, 'the meeting, the common item and the track’s two');
  t.ok(receipt.calendars.every((c) => c.method === 'REQUEST'));
  const aaseFeed = await feedEvents(a, aase.feed.https);
  t.same(receipt.calendars.map((c) => c.uid).sort(), [...aaseFeed.keys()].sort(), 'the personal feed’s UIDs');
  for (const c of receipt.calendars) t.equal(c.sequence, aaseFeed.get(c.uid)!.sequence, `SEQUENCE as in the feed for ${c.uid}`);
  t.match(receipt.calendars[0]!.text.replace(/\r\n[ \t]/g, ''), /ATTENDEE;CN="Åse Ærø";ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=FALSE:mailto:aase@aero\.dk/);
  const english = mail.mails.find((x) => x.to === 'bob@example.com')!;
  t.equal(english.parsed.subject, 'Registered: Læsemøde på Ærø');
  t.match(english.parsed.text, 'Dear Bob Smith');
  strictCheck(t, receipt.calendars[0]!.text, 'the meeting invitation');

  // Bob cancels: Carl gets the place and a receipt saying so.
  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/registrations/${bobReg.id}` })).statusCode, 204);
  await waitFor('the promotion receipt', () => mail.mails.length === 4);
  const promoted = mail.mails[3]!;
  t.equal(promoted.to, 'carl@aero.dk');
  t.equal(promoted.parsed.subject, 'Du har fået en plads: Læsemøde på Ærø');
  t.equal(promoted.calendars.length, 4);

  // Dorte stops e-mails about changes with the one-click link of her receipt.
  const dorteMail = mail.mails.find((x) => x.to === 'dorte@aero.dk')!;
  const unsubscribe = /<([^>]+)>/.exec(rawHeader(dorteMail.parsed, 'list-unsubscribe'))![1]!;
  const oneClick = await a.app.inject({ method: 'POST', url: new URL(unsubscribe).pathname, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
  t.same(ok(t, oneClick), { language: 'da', changeEmails: false });
  problem(t, await a.app.inject({ method: 'GET', url: '/api/v1/email-preferences/not-a-token' }), 404, 'not-found');
  const prefs = new URL(unsubscribe.replace(/\/unsubscribe$/, '')).pathname;
  t.same(ok(t, await a.app.inject({ method: 'GET', url: prefs })), { language: 'da', changeEmails: false });
  problem(t, await a.app.inject({ method: 'PATCH', url: prefs, payload: { language: 'fr' } }), 400, 'validation-failed');
  t.same(ok(t, await a.app.inject({ method: 'PATCH', url: prefs, payload: { language: 'en' } })), { language: 'en', changeEmails: false });
  t.same(ok(t, await a.app.inject({ method: 'PATCH', url: prefs, payload: { language: 'da' } })), { language: 'da', changeEmails: false });

  // A release that retimes one item and removes another: one e-mail per registered participant who wants them.
  const before = await feedEvents(a, aase.feed.https);
  await waitFor('settled', settled(a));
  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/items/${talk.id}`, payload: { startTime: '10:45', endTime: '11:45' } }));
  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/items/${workshop.id}` })).statusCode, 204);
  ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/releases`, payload: { note: 'Nyt tidspunkt' } }), 201);
  await waitFor('two update e-mails', () => mail.mails.length === 6);
  await waitFor('settled', settled(a));
  const updates = mail.mails.slice(4);
  t.same(updates.map((x) => x.to).sort(), ['aase@aero.dk', 'carl@aero.dk'], 'Dorte opted out; Bob is no longer registered');
  const update = updates.find((x) => x.to === 'aase@aero.dk')!;
  t.equal(update.parsed.subject, 'Ændret: Læsemøde på Ærø');
  t.match(update.parsed.text, '«Oplæg om læsning» starter nu kl. 10:45');
  t.match(update.parsed.text, '«Workshop» er taget af programmet');
  const after = await feedEvents(a, aase.feed.https);
  const talkUid = [...after.keys()].find((u) => u.includes(talk.id))!;
  const workshopUid = [...after.keys()].find((u) => u.includes(workshop.id))!;
  const talkPart = update.calendars.find((c) => c.uid === talkUid)!;
  const workshopPart = update.calendars.find((c) => c.uid === workshopUid)!;
  t.equal(talkPart.method, 'REQUEST');
  t.ok(talkPart.sequence > before.get(talkUid)!.sequence, 'a higher SEQUENCE for the retimed item');
  t.equal(talkPart.sequence, after.get(talkUid)!.sequence, 'the feed’s SEQUENCE');
  t.equal(workshopPart.method, 'CANCEL');
  t.equal(workshopPart.status, 'CANCELLED');
  t.ok(workshopPart.sequence > before.get(workshopUid)!.sequence);
  t.notOk(update.calendars.some((c) => c.uid.includes(workshop.id) && c.method === 'REQUEST'));
  t.equal(new Set(update.calendars.map((c) => c.uid)).size, update.calendars.length, 'one part per changed event');
  t.notOk(update.calendars.some((c) => c.uid === [...after.keys()].find((u) => !u.includes(talk.id) && !u.includes(workshop.id) && before.get(u)?.sequence === after.get(u)?.sequence)), 'nothing unchanged');
  strictCheck(t, talkPart.text, 'the REQUEST update');
  strictCheck(t, workshopPart.text, 'the CANCEL');

  // The meeting starts earlier: an update of the meeting's event with the new time.
  const beforeRetime = await feedEvents(a, aase.feed.https);
  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/meetings/${m.id}`, payload: { startTime: '09:30' } }));
  await waitFor('two retime e-mails', () => mail.mails.length === 8);
  await waitFor('settled', settled(a));
  const retimed = mail.mails.slice(6);
  t.same(retimed.map((x) => x.to).sort(), ['aase@aero.dk', 'carl@aero.dk']);
  const r = retimed.find((x) => x.to === 'aase@aero.dk')!;
  t.match(r.parsed.text, '- Starter nu kl. 09:30');
  t.match(r.parsed.text, 'kl. 09:30–15:00');
  const meetingUid = [...beforeRetime.keys()].find((u) => u.includes(m.id))!;
  const meetingPart = r.calendars.find((x) => x.uid === meetingUid)!;
  t.equal(meetingPart.method, 'REQUEST');
  t.ok(meetingPart.sequence > beforeRetime.get(meetingUid)!.sequence, 'a higher SEQUENCE');
  t.equal(new Date(meetingPart.start).getTime(), new Date(`${date}T09:30:00+01:00`).getTime(), '09:30 in Copenhagen (winter time)');

  // The meeting is cancelled: everything on their agenda is cancelled, in one e-mail each.
  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/meetings/${m.id}`, payload: { status: 'cancelled' } }));
  await waitFor('two cancellation e-mails', () => mail.mails.length === 10);
  await waitFor('settled', settled(a));
  const cancelled = mail.mails.slice(8);
  t.same(cancelled.map((x) => x.to).sort(), ['aase@aero.dk', 'carl@aero.dk']);
  const c = cancelled.find((x) => x.to === 'carl@aero.dk')!;
  t.equal(c.parsed.subject, 'Aflyst: Læsemøde på Ærø');
  t.same(c.calendars.map((x) => x.method), ['CANCEL', 'CANCEL', 'CANCEL'], 'the meeting, the common item and the retimed one');
  t.ok(c.calendars.every((x) => x.status === 'CANCELLED'));
  strictCheck(t, c.calendars[0]!.text, 'the meeting’s CANCEL');

  const ids = mail.mails.map((x) => x.parsed.messageId);
  t.equal(new Set(ids).size, ids.length, 'a Message-ID per e-mail');
  t.equal(a.app.db.$client.prepare("SELECT count(*) FROM outbox_deliveries WHERE channel = 'email' AND status = 'delivered'").pluck().get(), 10);
});

t.test('without SMTP_URL no e-mail deliveries are made', async (t) => {
  const a = await makeApp(t);
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'net', name: 'Net' } }), 201);
  const m = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/meetings', payload: { title: 'M', date: futureDate(), startTime: '10:00', endTime: '12:00', status: 'announced' } }), 201);
  const p = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/participants', payload: { name: 'P', email: 'p@x.dk' } }), 201);
  ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/registrations`, payload: { participantId: p.id } }), 201);
  await waitFor('fan-out', () => a.app.db.$client.prepare('SELECT count(*) FROM outbox_messages WHERE fanned_out_at IS NULL').pluck().get() === 0);
  t.equal(a.app.db.$client.prepare('SELECT count(*) FROM outbox_deliveries').pluck().get(), 0);
});

t.test('summaries: Danish and English, meeting and item lines', async (t) => {
  t.same(meetingLines([{ field: 'startTime', from: '10:00', to: '10:30' }, { field: 'venue', from: 'A', to: 'Rådhuset, Ærøskøbing' }, { field: 'timeZone', from: 'x', to: 'y' }], 'da'), ['Starter nu kl. 10:30', 'Sted flyttet til Rådhuset, Ærøskøbing']);
  t.same(meetingLines([{ field: 'endTime', from: '15:00', to: '16:00' }, { field: 'status', from: 'announced', to: 'cancelled' }], 'en'), ['Now ends at 16:00', 'The meeting is cancelled']);
  t.equal(longDate('2026-05-05', 'da'), 'tirsdag den 5. maj 2026');
  t.match(longDate('2026-05-05', 'en'), /^Tuesday,? 5 May 2026$/);
  const changelog = {
    meeting: [],
    tracks: { added: [], removed: [], changed: [{ id: 'trk_1', name: 'Dagtilbud', fields: ['room'] }] },
    items: { added: [], removed: [], moved: [], retitled: [], changed: [] },
    empty: false,
  };
  t.same(releaseLines(changelog, [{ kind: 'item', itemId: 'itm_1', title: 'Oplæg', room: 'Lokale 2', trackName: 'Dagtilbud', cancelled: false }], 'da'), ['Lokale flyttet til Lokale 2 («Dagtilbud»)']);
});
