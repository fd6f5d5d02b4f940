// Deleting a meeting notifies as cancelling it does: its registered participants get the METHOD:CANCEL
// e-mail (a real SMTP server), webhooks subscribed to `meeting.cancelled` get the event with `deleted: true`
// (a real HTTP receiver, signature verified independently). A refused deletion (409) and a draft's
// deletion announce nothing.
import t from 'tap';
import ICAL from 'ical.js';
import { futureDate, makeApp, ok, problem } from './helpers.js';
import { receiver, smtpMailbox, verifyStandardWebhook, waitFor } from './outbox-helpers.js';

t.setTimeout(120_000);

const vevents = (ics: string) => {
  const cal = new ICAL.Component(ICAL.parse(ics));
  return cal.getAllSubcomponents('vevent').map((ve) => ({
    method: String(cal.getFirstPropertyValue('method')),
    uid: String(ve.getFirstPropertyValue('uid')),
    sequence: Number(ve.getFirstPropertyValue('sequence')),
    status: ve.getFirstPropertyValue('status') as string | null,
  }));
};

t.test('a deleted meeting: CANCEL e-mails to the registered, a meeting.cancelled webhook with deleted: true', async (t) => {
  const mail = await smtpMailbox(t);
  const hooks = await receiver(t);
  const a = await makeApp(t, { smtpUrl: mail.url, publicBaseUrl: 'https://agenda.example.dk', outbox: { pollMs: 20, retryDelaysMs: [50, 50] } });
  const settled = () =>
    (a.app.db.$client.prepare("SELECT (SELECT count(*) FROM outbox_messages WHERE fanned_out_at IS NULL) + (SELECT count(*) FROM outbox_deliveries WHERE status = 'pending')").pluck().get() as number) === 0;
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'net', name: 'Læsenetværket' } }), 201);
  const endpoint = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/webhooks', payload: { url: hooks.url, events: ['meeting.cancelled'] } }), 201);
  const meeting = (title: string, status: string) =>
    a.as({ method: 'POST', url: '/api/v1/networks/net/meetings', payload: { title, date: futureDate(45), startTime: '10:00', endTime: '15:00', status, capacity: 2 } }).then((r) => ok(t, r, 201));
  const m = await meeting('Læsemøde på Ærø', 'announced');
  const track = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/tracks`, payload: { name: 'Dagtilbud', room: 'Lokale 1' } }), 201);
  ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { title: 'Oplæg', kind: 'presentation', startTime: '10:30', endTime: '11:30', trackId: track.id } }), 201);
  ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/releases`, payload: { note: 'Program' } }), 201);
  const person = (name: string, email: string, language = 'da') =>
    a.as({ method: 'POST', url: '/api/v1/networks/net/participants', payload: { name, email, language } }).then((r) => ok(t, r, 201));
  const people = [await person('Åse Ærø', 'aase@aero.dk'), await person('Bob Smith', 'bob@example.com', 'en'), await person('Ditte Ø', 'ditte@aero.dk')];
  for (const p of people) ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/registrations`, payload: { participantId: p.id, trackId: track.id } }), 201);
  await waitFor('two receipts', () => mail.mails.length === 2);
  await waitFor('settled', settled);
  const receipts = new Map(mail.mails.map((x) => [x.to, x.calendars.flatMap(vevents)]));
  t.same([...receipts.keys()].sort(), ['aase@aero.dk', 'bob@example.com'], 'Ditte is on the waiting list');
  const messages = () => a.app.db.$client.prepare('SELECT count(*) FROM outbox_messages').pluck().get() as number;

  // Without ?confirm=true the deletion is refused, and nothing is announced.
  const before = messages();
  problem(t, await a.as({ method: 'DELETE', url: `/api/v1/meetings/${m.id}` }), 409, 'confirmation-required');
  t.equal(messages(), before, 'a refused deletion writes no message');

  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/meetings/${m.id}?confirm=true` })).statusCode, 204);
  await waitFor('two cancellation e-mails', () => mail.mails.length === 4);
  await waitFor('the webhook', () => hooks.received.length === 1);
  await waitFor('settled', settled);
  const cancels = mail.mails.slice(2);
  t.same(cancels.map((x) => x.to).sort(), ['aase@aero.dk', 'bob@example.com'], 'the registered, not the waiting list');
  t.equal(cancels.find((x) => x.to === 'aase@aero.dk')!.subject, 'Aflyst: Læsemøde på Ærø');
  t.equal(cancels.find((x) => x.to === 'bob@example.com')!.subject, 'Cancelled: Læsemøde på Ærø');
  for (const c of cancels) {
    const parts = c.calendars.flatMap(vevents);
    const receipt = receipts.get(c.to)!;
    t.same(parts.map((p) => p.uid).sort(), receipt.map((p) => p.uid).sort(), `${c.to}: a part for every event of the receipt`);
    t.ok(parts.every((p) => p.method === 'CANCEL' && p.status === 'CANCELLED'), 'all METHOD:CANCEL, STATUS:CANCELLED');
    for (const p of parts) t.ok(p.sequence > receipt.find((r) => r.uid === p.uid)!.sequence, `${p.uid}: a higher SEQUENCE`);
  }
  const h = hooks.received[0]!;
  t.ok(verifyStandardWebhook(endpoint.secret, h.headers, h.body), 'signed');
  const body = JSON.parse(h.body);
  t.match(body, { type: 'meeting.cancelled', networkSlug: 'net', data: { meetingId: m.id, title: 'Læsemøde på Ærø', deleted: true } });

  // A draft nobody could see: its deletion announces nothing. A cancellation by status says deleted: false.
  const draft = await meeting('Kladde', 'draft');
  const n = messages();
  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/meetings/${draft.id}` })).statusCode, 204);
  t.equal(messages(), n, 'no message for a draft');
  const other = await meeting('Andet møde', 'announced');
  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/meetings/${other.id}`, payload: { status: 'cancelled' } }));
  await waitFor('the second webhook', () => hooks.received.length === 2);
  t.match(JSON.parse(hooks.received[1]!.body), { type: 'meeting.cancelled', data: { meetingId: other.id, deleted: false } });
  // Deleting the already cancelled meeting does not announce it again.
  const k = messages();
  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/meetings/${other.id}` })).statusCode, 204);
  t.equal(messages(), k, 'cancelled before: nothing more to say');

  // A message written before `deleted` existed still shows in the delivery log, as a cancellation by status.
  a.app.db.$client.prepare("UPDATE outbox_messages SET payload = json_remove(payload, '$.deleted') WHERE type = 'meeting.cancelled' AND json_extract(payload, '$.meetingId') = ?").run(other.id);
  const log = ok(t, await a.as({ method: 'GET', url: `/api/v1/webhooks/${endpoint.id}/deliveries` }));
  const entries = log.data as { payload: { data: { meetingId: string; deleted: boolean } } }[];
  t.same(entries.map((e) => [e.payload.data.meetingId, e.payload.data.deleted]).sort(), [[m.id, true], [other.id, false]].sort(), 'both in the log; the old one as deleted: false');
});
