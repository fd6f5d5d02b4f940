// Draft and release: numbering, changelogs across a sequence of edits, diffs, and what the public sees.
import t from 'tap';
import { makeApp } from './helpers.js';

const SLUG = 'kl-konsulentnetvaerk-2019-2020';

t.test('release numbering, changelog and diff across edits', async (t) => {
  const ctx = await makeApp(t, { seed: true });
  const { app, as } = ctx;
  const m = (await as({ url: `/api/v1/networks/${SLUG}/meetings` })).json().data[0];
  const dagtilbud = (await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/tracks`, payload: { name: 'Dagtilbud' } })).json();
  const skole = (await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/tracks`, payload: { name: 'Skole', sortOrder: 1 } })).json();
  const add = async (payload: Record<string, unknown>) => {
    const r = await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload });
    t.equal(r.statusCode, 201, r.body);
    return r.json();
  };
  const welcome = await add({ title: 'Velkomst', kind: 'welcome', startTime: '10:00', endTime: '10:30' });
  const oplaeg = await add({ title: 'Oplæg om trivsel', kind: 'presentation', startTime: '10:30', endTime: '12:00', trackId: dagtilbud.id, themes: ['ny-viden'] });

  // Nothing released yet: the public sees the meeting but no agenda.
  const before = await app.inject({ url: `/api/v1/meetings/${m.id}/agenda` });
  t.equal(before.statusCode, 200);
  t.equal(before.json().version, 'released');
  t.equal(before.json().release, null);
  t.same(before.json().items, []);
  t.equal((await app.inject({ url: `/api/v1/items/${welcome.id}` })).statusCode, 404);

  const r1 = await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/releases`, payload: { note: 'Første udgave' } });
  t.equal(r1.statusCode, 201, r1.body);
  t.equal(r1.json().number, 1);
  t.equal(r1.json().createdBy, 'test-admin');
  t.same(r1.json().changelog.items.added.map((i: { id: string }) => i.id).sort(), [welcome.id, oplaeg.id].sort());
  t.same(r1.json().changelog.meeting, []);

  const again = await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/releases` });
  t.equal(again.statusCode, 409);
  t.equal(again.json().code, 'no-changes');

  // Public now sees release 1.
  const pub1 = (await app.inject({ url: `/api/v1/meetings/${m.id}/agenda` })).json();
  t.equal(pub1.release.number, 1);
  t.same(pub1.items.map((i: { title: string }) => i.title), ['Velkomst', 'Oplæg om trivsel']);
  t.equal(pub1.items[1].start.utc, '2019-09-11T08:30:00Z');

  // Edits: add, move between tracks, retime, retitle, delete.
  const sparring = await add({ title: 'Sparring', kind: 'peer-sparring', startTime: '13:00', endTime: '14:00', trackId: skole.id, themes: ['sparring'] });
  t.equal((await as({ method: 'PATCH', url: `/api/v1/items/${oplaeg.id}`, payload: { trackId: skole.id, startTime: '11:00', endTime: '12:00' } })).statusCode, 200);
  t.equal((await as({ method: 'PATCH', url: `/api/v1/items/${welcome.id}`, payload: { title: 'Velkomst og program' } })).statusCode, 200);

  // Public still sees release 1; the working view (token) shows the edits.
  const pubStill = (await app.inject({ url: `/api/v1/meetings/${m.id}/agenda` })).json();
  t.same(pubStill.items.map((i: { title: string }) => i.title), ['Velkomst', 'Oplæg om trivsel']);
  const working = (await as({ url: `/api/v1/meetings/${m.id}/agenda?version=working` })).json();
  t.equal(working.version, 'working');
  t.equal(working.items.length, 3);
  const releasedWithToken = (await as({ url: `/api/v1/meetings/${m.id}/agenda?version=released` })).json();
  t.equal(releasedWithToken.items.length, 2);
  const anonWorking = await app.inject({ url: `/api/v1/meetings/${m.id}/agenda?version=working` });
  t.equal(anonWorking.statusCode, 401);

  const r2 = (await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/releases`, payload: { note: 'Program opdateret' } })).json();
  t.equal(r2.number, 2);
  t.same(r2.changelog.items.added.map((i: { id: string }) => i.id), [sparring.id]);
  t.equal(r2.changelog.items.moved.length, 1);
  t.same(r2.changelog.items.moved[0].from, { startTime: '10:30', endTime: '12:00', trackId: dagtilbud.id });
  t.same(r2.changelog.items.moved[0].to, { startTime: '11:00', endTime: '12:00', trackId: skole.id });
  t.same(r2.changelog.items.retitled, [{ id: welcome.id, from: 'Velkomst', to: 'Velkomst og program' }]);
  t.same(r2.changelog.items.removed, []);

  // Delete an item, change a theme, cancel the meeting.
  t.equal((await as({ method: 'DELETE', url: `/api/v1/items/${sparring.id}` })).statusCode, 204);
  t.equal((await as({ method: 'PATCH', url: `/api/v1/items/${oplaeg.id}`, payload: { themes: ['ny-viden', 'aktuelt'] } })).statusCode, 200);
  t.equal((await as({ method: 'PATCH', url: `/api/v1/meetings/${m.id}`, payload: { status: 'cancelled', startTime: '09:30' } })).statusCode, 200);
  const r3 = (await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/releases` })).json();
  t.equal(r3.number, 3);
  t.same(r3.changelog.items.removed.map((i: { id: string }) => i.id), [sparring.id]);
  t.same(r3.changelog.items.changed, [{ id: oplaeg.id, title: 'Oplæg om trivsel', fields: ['themes'] }]);
  t.same(r3.changelog.meeting, [
    { field: 'startTime', from: '10:00', to: '09:30' },
    { field: 'status', from: 'announced', to: 'cancelled' },
  ]);

  // Cancelled meetings stay visible.
  const cancelled = await app.inject({ url: `/api/v1/meetings/${m.id}` });
  t.equal(cancelled.statusCode, 200);
  t.equal(cancelled.json().status, 'cancelled');

  // Listing, reading and diffing.
  const list = (await app.inject({ url: `/api/v1/meetings/${m.id}/releases` })).json();
  t.same(list.data.map((r: { number: number }) => r.number), [1, 2, 3]);
  const paged = (await app.inject({ url: `/api/v1/meetings/${m.id}/releases?limit=2` })).json();
  t.equal(paged.data.length, 2);
  const rest = (await app.inject({ url: `/api/v1/meetings/${m.id}/releases?limit=2&cursor=${paged.nextCursor}` })).json();
  t.same(rest.data.map((r: { number: number }) => r.number), [3]);
  const one = (await app.inject({ url: `/api/v1/meetings/${m.id}/releases/2` })).json();
  t.equal(one.note, 'Program opdateret');
  t.equal(one.agenda.items.length, 3);
  t.notOk(JSON.stringify(one).includes('"email"'), 'releases carry no private data');
  const d13 = (await app.inject({ url: `/api/v1/meetings/${m.id}/releases/3/diff?from=1` })).json();
  t.equal(d13.from, 1);
  t.equal(d13.to, 3);
  t.same(d13.changelog.items.added, []);
  t.same(d13.changelog.items.removed, []);
  t.equal(d13.changelog.items.moved.length, 1);
  t.equal(d13.changelog.items.retitled.length, 1);
  const d03 = (await app.inject({ url: `/api/v1/meetings/${m.id}/releases/3/diff?from=0` })).json();
  t.equal(d03.changelog.items.added.length, 2);
  const d31 = (await app.inject({ url: `/api/v1/meetings/${m.id}/releases/1/diff?from=3` })).json();
  t.same(d31.changelog.meeting.map((c: { field: string }) => c.field), ['startTime', 'status']);
  t.equal((await app.inject({ url: `/api/v1/meetings/${m.id}/releases/9` })).statusCode, 404);
  t.equal((await app.inject({ url: `/api/v1/meetings/${m.id}/releases/2/diff?from=9` })).statusCode, 404);
  t.equal((await app.inject({ url: `/api/v1/meetings/${m.id}/releases/x` })).statusCode, 400);
  t.equal((await app.inject({ url: `/api/v1/meetings/${m.id}/releases/2/diff` })).statusCode, 400);

  // Public item and track reads follow the release.
  const pubItems = (await app.inject({ url: `/api/v1/meetings/${m.id}/items?track=${skole.id}` })).json();
  t.same(pubItems.data.map((i: { id: string }) => i.id), [oplaeg.id]);
  const pubItem = await app.inject({ url: `/api/v1/items/${oplaeg.id}` });
  t.equal(pubItem.statusCode, 200);
  t.same(pubItem.json().themes.map((x: { key: string }) => x.key).sort(), ['aktuelt', 'ny-viden']);
  const pubTracks = (await app.inject({ url: `/api/v1/meetings/${m.id}/tracks` })).json();
  t.same(pubTracks.data.map((x: { name: string }) => x.name), ['Dagtilbud', 'Skole']);
  t.equal((await app.inject({ url: `/api/v1/tracks/${skole.id}` })).json().name, 'Skole');
  t.equal((await app.inject({ url: `/api/v1/items/${sparring.id}` })).statusCode, 404);
});

t.test('releases are refused while the agenda has errors, and need a token', async (t) => {
  const { app, as } = await makeApp(t, { seed: true });
  const m = (await as({ url: `/api/v1/networks/${SLUG}/meetings` })).json().data[0];
  const anon = await app.inject({ method: 'POST', url: `/api/v1/meetings/${m.id}/releases`, payload: {} });
  t.equal(anon.statusCode, 401);
  // Errors can only enter through a change the item checks do not see: items made valid, then the
  // network's rules... simplest real case: two items of one speaker made to overlap by a direct write.
  const spkRes = await as({ method: 'POST', url: `/api/v1/networks/${SLUG}/speakers`, payload: { name: 'Åse' } });
  t.equal(spkRes.statusCode, 201, spkRes.body);
  const spk = spkRes.json();
  t.equal(spk.networkSlug, SLUG, 'a speaker of the meeting’s network');
  const a = (await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { title: 'A', kind: 'presentation', startTime: '10:00', endTime: '11:00', speakerIds: [spk.id] } })).json();
  const track = (await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/tracks`, payload: { name: 'Spor' } })).json();
  const b = (await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/items`, payload: { title: 'B', kind: 'presentation', startTime: '11:00', endTime: '12:00', trackId: track.id, speakerIds: [spk.id] } })).json();
  app.db.$client.prepare('UPDATE agenda_items SET start_time = ? WHERE id = ?').run('10:30', b.id);
  const refused = await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/releases`, payload: { note: 'x' } });
  t.equal(refused.statusCode, 409);
  t.equal(refused.json().code, 'agenda-has-errors');
  t.ok(refused.json().findings.length >= 1);
  t.ok(refused.json().findings.every((f: { severity: string }) => f.severity === 'error'));
  t.equal((await app.inject({ url: `/api/v1/meetings/${m.id}/releases` })).json().data.length, 0);
  t.ok(a.id);
  const bad = await as({ method: 'POST', url: `/api/v1/meetings/${m.id}/releases`, payload: { note: 'x', number: 7 } });
  t.equal(bad.statusCode, 400);
});

t.test('drafts: releases of a draft meeting are hidden from the public', async (t) => {
  const { app, as } = await makeApp(t, { seed: true });
  const draft = (await as({ method: 'POST', url: `/api/v1/networks/${SLUG}/meetings`, payload: { title: 'Kladde', date: '2020-09-01', startTime: '10:00' } })).json();
  t.equal(draft.status, 'draft');
  await as({ method: 'POST', url: `/api/v1/meetings/${draft.id}/items`, payload: { title: 'Velkomst', kind: 'welcome', startTime: '10:00', endTime: '10:15' } });
  t.equal((await as({ method: 'POST', url: `/api/v1/meetings/${draft.id}/releases` })).statusCode, 201);
  t.equal((await app.inject({ url: `/api/v1/meetings/${draft.id}/releases` })).statusCode, 404);
  t.equal((await app.inject({ url: `/api/v1/meetings/${draft.id}/agenda` })).statusCode, 404);
  t.equal((await as({ url: `/api/v1/meetings/${draft.id}/releases/1` })).statusCode, 200);
});
