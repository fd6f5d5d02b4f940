// The outbox: every change someone must hear about is written as a message in the change's own
// transaction (and a refused change writes none): releases with their changelog, a meeting cancelled,
// retimed or moved, registrations confirmed, waitlisted, promoted and cancelled, members signing up and
// withdrawing, a proposal accepted. Also the pure rule for meeting changes.
import t from 'tap';
import type { MeetingRow } from '../db/schema.js';
import { meetingChanges } from '../server/outbox/meeting-changes.js';
import { futureDate, makeApp, ok, problem, type TestApp } from './helpers.js';

t.setTimeout(120_000);

const messages = (a: TestApp) =>
  (a.app.db.$client.prepare('SELECT type, network_slug AS slug, payload, recipients FROM outbox_messages ORDER BY rowid').all() as { type: string; slug: string; payload: string; recipients: string }[]).map(
    (m) => ({ type: m.type, slug: m.slug, data: JSON.parse(m.payload), recipients: JSON.parse(m.recipients) as string[] }),
  );

t.test('each change writes its message with the change', async (t) => {
  // The worker stays off: this test reads the messages as written.
  const a = await makeApp(t);
  await a.app.ready();
  await a.app.outbox.stop();
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'net', name: 'Netværk' } }), 201);
  const venue = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/venues', payload: { name: 'Rådhuset', city: 'Århus' } }), 201);
  const draft = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/meetings', payload: { title: 'Kladde', date: futureDate(), startTime: '10:00', endTime: '15:00' } }), 201);
  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/meetings/${draft.id}`, payload: { startTime: '09:00' } }));
  t.same(messages(a), [], 'a draft meeting’s changes are nobody’s business');

  const m = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/meetings', payload: { title: 'Møde på Ærø', date: futureDate(), startTime: '10:00', endTime: '15:00', status: 'announced', capacity: 1 } }), 201);
  const p1 = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/participants', payload: { name: 'Åse', email: 'aase@x.dk' } }), 201);
  const p2 = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/participants', payload: { name: 'Bjørn', email: 'bjorn@x.dk' } }), 201);
  const r1 = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/registrations`, payload: { participantId: p1.id } }), 201);
  const r2 = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/registrations`, payload: { participantId: p2.id } }), 201);
  problem(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/registrations`, payload: { participantId: p2.id } }), 409, 'already-registered');
  t.same(messages(a).map((x) => [x.type, x.data.registrationId, x.recipients]), [
    ['registration.confirmed', r1.id, [p1.id]],
    ['registration.waitlisted', r2.id, []],
  ], 'confirmed (with a receipt to the participant), waitlisted; the refused duplicate wrote nothing');

  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/registrations/${r1.id}` })).statusCode, 204);
  t.same(messages(a).slice(2).map((x) => [x.type, x.data.registrationId, x.data.status, x.recipients]), [
    ['registration.cancelled', r1.id, 'cancelled', []],
    ['registration.promoted', r2.id, 'registered', [p2.id]],
  ], 'the cancellation promotes the waiting participant, who gets a receipt');

  ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { title: 'Velkomst', kind: 'welcome', startTime: '10:00', endTime: '10:30' } }), 201);
  ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/releases`, payload: { note: 'Første udgave' } }), 201);
  const release = messages(a)[4]!;
  t.equal(release.type, 'release.published');
  t.equal(release.data.releaseNumber, 1);
  t.equal(release.data.note, 'Første udgave');
  t.equal(release.data.changelog.items.added[0].title, 'Velkomst', 'with its changelog');
  t.same(release.recipients, [p2.id], 'to the registered participants');

  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/meetings/${m.id}`, payload: { startTime: '09:30', venueId: venue.id } }));
  const changed = messages(a)[5]!;
  t.equal(changed.type, 'meeting.changed');
  t.same(changed.data.changes, [
    { field: 'startTime', from: '10:00', to: '09:30' },
    { field: 'venue', from: null, to: 'Rådhuset, Århus' },
  ]);
  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/meetings/${m.id}`, payload: { description: 'Kaffe' } }));
  t.equal(messages(a).length, 6, 'a description is not a change people are told of');
  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/meetings/${m.id}`, payload: { status: 'cancelled' } }));
  t.same(messages(a)[6]!.type, 'meeting.cancelled');
  t.same(messages(a)[6]!.recipients, [p2.id]);

  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/members', payload: { municipalityCode: 492, contact: { name: 'Ærø', email: 'aero@k.dk' } } }), 201);
  problem(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/members', payload: { municipalityCode: 492, contact: { name: 'Ærø', email: 'aero@k.dk' } } }), 409, 'already-member');
  t.equal((await a.as({ method: 'DELETE', url: '/api/v1/networks/net/members/492' })).statusCode, 204);
  t.same(messages(a).slice(7).map((x) => [x.type, x.data.municipalityCode, x.data.status]), [
    ['member.signed-up', 492, 'active'],
    ['member.withdrawn', 492, 'withdrawn'],
  ]);

  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/themes', payload: { key: 'sprog', name: 'Sprog' } }), 201);
  const prop = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/net/proposals', payload: { participantId: p1.id, title: 'Sprog og læsning' } }), 201);
  ok(t, await a.as({ method: 'POST', url: `/api/v1/proposals/${prop.id}/accept`, payload: { themeKey: 'sprog' } }));
  const accepted = messages(a)[9]!;
  t.equal(accepted.type, 'proposal.accepted');
  t.equal(accepted.data.title, 'Sprog og læsning');
  t.equal(accepted.data.proposalId, prop.id);
  t.ok(messages(a).every((x) => x.slug === 'net'));
  t.equal(new Set(a.app.db.$client.prepare('SELECT id FROM outbox_messages').pluck().all()).size, 10, 'stable, distinct ids');
});

t.test('meetingChanges: only announced meetings; cancellation wins; fields compared', async (t) => {
  const base = { id: 'mtg_1', networkSlug: 'n', title: 'M', date: '2026-05-01', startTime: '10:00', endTime: '12:00', timeZone: 'Europe/Copenhagen', venueId: null, status: 'announced' } as MeetingRow;
  const none = () => null;
  t.same(meetingChanges({ ...base, status: 'draft' }, { ...base, startTime: '11:00' }, none), []);
  t.same(meetingChanges(base, { ...base, status: 'cancelled', startTime: '11:00' }, none).map((c) => c.type), ['meeting.cancelled']);
  t.same(meetingChanges(base, { ...base, status: 'draft' }, none), []);
  t.same(meetingChanges(base, { ...base }, none), []);
  const [c] = meetingChanges(base, { ...base, date: '2026-05-02', endTime: '13:00' }, none);
  t.same(c!.type === 'meeting.changed' && c!.data.changes, [
    { field: 'date', from: '2026-05-01', to: '2026-05-02' },
    { field: 'endTime', from: '12:00', to: '13:00' },
  ]);
});
