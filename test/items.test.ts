// Agenda items: /api/v1/meetings/{id}/items and /api/v1/items/{id}, with their integrity rules.
import t, { type Test } from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { makeApp, type TestApp, ok, problem } from './helpers.js';

/** A draft asked for with `?version=working` and no token: refused (401 or 404), never shown. */
const refused = (t: Test, res: LightMyRequestResponse) => {
  t.ok([401, 404].includes(res.statusCode), `refused: ${res.statusCode}`);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  t.equal(res.json().code, res.statusCode === 401 ? 'unauthorized' : 'not-found');
};
const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);
const ids = (body: { data: { id: string }[] }) => body.data.map((x) => x.id);

/**
 * Two networks with themes, a meeting 10:00–16:00 with two tracks, another meeting with one track, two speakers
 * of the meeting's network and one of the other network.
 */
async function fixture(a: TestApp, status = 'announced') {
  for (const slug of ['net', 'other']) await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug, name: slug } });
  for (const key of ['aktuelt', 'sparring']) await a.as({ method: 'POST', url: '/api/v1/networks/net/themes', payload: { key, name: key } });
  await a.as({ method: 'POST', url: '/api/v1/networks/other/themes', payload: { key: 'fremmed', name: 'Fremmed' } });
  const meeting = (await a.as({ method: 'POST', url: '/api/v1/networks/net/meetings', payload: { title: 'Møde', date: '2019-09-11', startTime: '10:00', endTime: '16:00', status } })).json();
  const otherMeeting = (await a.as({ method: 'POST', url: '/api/v1/networks/net/meetings', payload: { title: 'Andet', date: '2020-01-16', startTime: '10:00' } })).json();
  const track = async (meetingId: string, name: string, sortOrder: number) =>
    (await a.as({ method: 'POST', url: `/api/v1/meetings/${meetingId}/tracks`, payload: { name, sortOrder } })).json();
  const trackA = await track(meeting.id, 'Dagtilbud', 1);
  const trackB = await track(meeting.id, 'Skole', 2);
  const foreignTrack = await track(otherMeeting.id, 'Fremmed spor', 1);
  const speaker = async (name: string, email: string, slug = 'net') => {
    const res = await a.as({ method: 'POST', url: `/api/v1/networks/${slug}/speakers`, payload: { name, email } });
    if (res.statusCode !== 201) throw new Error(res.body);
    return res.json();
  };
  const anna = await speaker('Anna', 'anna@kl.dk');
  const bent = await speaker('Bent', 'bent@kl.dk');
  const foreignSpeaker = await speaker('Frede', 'frede@kl.dk', 'other');
  return { meeting, otherMeeting, trackA, trackB, foreignTrack, anna, bent, foreignSpeaker, items: `/api/v1/meetings/${meeting.id}/items` };
}

t.test('create, read, list, update and delete items', async (t) => {
  const a = await makeApp(t);
  const f = await fixture(a);
  t.same(ok(t, await a.as({ url: f.items })), { data: [], nextCursor: null });

  const welcome = ok(t, await a.as({ method: 'POST', url: f.items, payload: { startTime: '10:00', endTime: '10:30', title: 'Velkomst', kind: 'welcome' } }), 201);
  t.match(welcome, {
    id: /^itm_/,
    meetingId: f.meeting.id,
    trackId: null,
    startTime: '10:00',
    endTime: '10:30',
    title: 'Velkomst',
    kind: 'welcome',
    description: '',
    themes: [],
    speakers: [],
    start: { local: '2019-09-11T10:00', timeZone: 'Europe/Copenhagen', offset: '2019-09-11T10:00:00+02:00', utc: '2019-09-11T08:00:00Z' },
    end: { local: '2019-09-11T10:30', utc: '2019-09-11T08:30:00Z' },
  });

  const talk = ok(
    t,
    await a.as({
      method: 'POST',
      url: f.items,
      payload: {
        trackId: f.trackA.id,
        startTime: '10:30',
        endTime: '12:00',
        title: 'Oplæg om kapacitetsopbygning',
        kind: 'presentation',
        description: 'Med drøftelse',
        themes: ['sparring', 'aktuelt', 'sparring'],
        speakerIds: [f.bent.id, f.anna.id, f.bent.id],
      },
    }),
    201,
  );
  t.match(talk, { trackId: f.trackA.id, kind: 'presentation', description: 'Med drøftelse' });
  t.same(talk.themes.map((x: { key: string }) => x.key), ['aktuelt', 'sparring'], 'themes deduplicated, by key');
  t.same(talk.speakers.map((s: { id: string }) => s.id), [f.bent.id, f.anna.id], 'speakers deduplicated, in the order given');
  t.match(talk.speakers[0], { name: 'Bent', email: 'bent@kl.dk' });

  const parallel = ok(t, await a.as({ method: 'POST', url: f.items, payload: { trackId: f.trackB.id, startTime: '10:30', endTime: '12:00', title: 'Workshop', kind: 'workshop', themes: ['aktuelt'] } }), 201);

  t.same(ok(t, await a.as({ url: `/api/v1/items/${talk.id}` })), talk);
  const list = ok(t, await a.as({ url: f.items }));
  t.same(ids(list).slice(0, 1), [welcome.id], 'time order');
  t.same([...ids(list)].sort(), [welcome.id, talk.id, parallel.id].sort());
  t.equal(list.nextCursor, null);

  const moved = ok(
    t,
    await a.as({ method: 'PATCH', url: `/api/v1/items/${talk.id}`, payload: { trackId: null, startTime: '12:00', endTime: '12:45', themes: ['aktuelt'], speakerIds: [f.anna.id], title: 'Plenum' } }),
  );
  t.match(moved, { id: talk.id, trackId: null, startTime: '12:00', endTime: '12:45', title: 'Plenum', description: 'Med drøftelse', end: { utc: '2019-09-11T10:45:00Z' } });
  t.same(moved.themes.map((x: { key: string }) => x.key), ['aktuelt']);
  t.same(moved.speakers.map((s: { id: string }) => s.id), [f.anna.id]);
  t.same(ok(t, await a.as({ url: `/api/v1/items/${talk.id}` })), moved);

  // A patch without themes or speakers keeps them.
  const retitled = ok(t, await a.as({ method: 'PATCH', url: `/api/v1/items/${talk.id}`, payload: { title: 'Plenumoplæg', trackId: f.trackB.id, startTime: '13:00', endTime: '14:00' } }));
  t.same(retitled.themes, moved.themes);
  t.same(retitled.speakers, moved.speakers);
  t.equal(retitled.trackId, f.trackB.id);

  const del = await a.as({ method: 'DELETE', url: `/api/v1/items/${welcome.id}` });
  t.equal(del.statusCode, 204);
  t.equal(del.body, '');
  problem(t, await a.as({ url: `/api/v1/items/${welcome.id}` }), 404, 'not-found');
  t.same([...ids(ok(t, await a.as({ url: f.items })))].sort(), [talk.id, parallel.id].sort());
});

t.test('integrity rules: hours, time range, track, themes, speakers', async (t) => {
  const a = await makeApp(t);
  const f = await fixture(a);
  const item = ok(t, await a.as({ method: 'POST', url: f.items, payload: { trackId: f.trackA.id, startTime: '11:00', endTime: '12:00', title: 'Oplæg', kind: 'presentation', themes: ['aktuelt'], speakerIds: [f.anna.id] } }), 201);
  const url = `/api/v1/items/${item.id}`;
  const valid = { startTime: '13:00', endTime: '14:00', title: 'Nyt', kind: 'discussion' };

  for (const times of [{ startTime: '09:30', endTime: '10:30' }, { startTime: '15:30', endTime: '16:30' }, { startTime: '08:00', endTime: '09:00' }]) {
    const c = problem(t, await a.as({ method: 'POST', url: f.items, payload: { ...valid, ...times } }), 409, 'item-outside-meeting');
    t.match(c.detail, /10:00–16:00/);
  }
  problem(t, await a.as({ method: 'PATCH', url, payload: { endTime: '16:01' } }), 409, 'item-outside-meeting');
  problem(t, await a.as({ method: 'PATCH', url, payload: { startTime: '09:59' } }), 409, 'item-outside-meeting');
  // Exactly the meeting's hours is fine (checked below with a fresh plenary item).

  for (const times of [{ startTime: '12:00', endTime: '12:00' }, { startTime: '12:00', endTime: '11:00' }]) {
    const body = problem(t, await a.as({ method: 'POST', url: f.items, payload: { ...valid, ...times } }), 400, 'invalid-time-range');
    t.same(paths(body), ['body.endTime']);
  }
  problem(t, await a.as({ method: 'PATCH', url, payload: { endTime: '11:00' } }), 400, 'invalid-time-range');

  for (const trackId of [f.foreignTrack.id, 'trk_nope']) {
    const body = problem(t, await a.as({ method: 'POST', url: f.items, payload: { ...valid, trackId } }), 400, 'track-not-in-meeting');
    t.same(paths(body), ['body.trackId']);
    problem(t, await a.as({ method: 'PATCH', url, payload: { trackId } }), 400, 'track-not-in-meeting');
  }

  for (const themes of [['fremmed'], ['aktuelt', 'findes-ikke']]) {
    const body = problem(t, await a.as({ method: 'POST', url: f.items, payload: { ...valid, themes } }), 400, 'unknown-theme');
    t.same(paths(body), ['body.themes']);
    problem(t, await a.as({ method: 'PATCH', url, payload: { themes } }), 400, 'unknown-theme');
  }
  const sp = problem(t, await a.as({ method: 'POST', url: f.items, payload: { ...valid, speakerIds: [f.anna.id, 'spk_nope'] } }), 400, 'unknown-speaker');
  t.same(paths(sp), ['body.speakerIds']);
  t.match(sp.detail, /spk_nope/);
  problem(t, await a.as({ method: 'PATCH', url, payload: { speakerIds: ['spk_nope'] } }), 400, 'unknown-speaker');
  // Another network's speaker is as unknown here as a missing one.
  for (const speakerIds of [[f.foreignSpeaker.id], [f.anna.id, f.foreignSpeaker.id]]) {
    const body = problem(t, await a.as({ method: 'POST', url: f.items, payload: { ...valid, speakerIds } }), 400, 'unknown-speaker');
    t.same(paths(body), ['body.speakerIds']);
    t.match(body.detail, f.foreignSpeaker.id);
    problem(t, await a.as({ method: 'PATCH', url, payload: { speakerIds } }), 400, 'unknown-speaker');
  }

  t.same(ok(t, await a.as({ url: f.items })).data, [item], 'no refused create left an item');
  t.same(ok(t, await a.as({ url })), item, 'no refused patch changed the item');

  const whole = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${f.otherMeeting.id}/items`, payload: { ...valid, startTime: '10:00', endTime: '16:00' } }), 201);
  t.match(whole, { startTime: '10:00', endTime: '16:00', meetingId: f.otherMeeting.id });
  const foreign = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${f.otherMeeting.id}/tracks`, payload: { name: 'Spor' } }), 201);
  problem(t, await a.as({ method: 'PATCH', url: `/api/v1/items/${whole.id}`, payload: { trackId: f.trackA.id } }), 400, 'track-not-in-meeting');
  t.equal(ok(t, await a.as({ method: 'PATCH', url: `/api/v1/items/${whole.id}`, payload: { trackId: foreign.id } })).trackId, foreign.id);
});

t.test('validation failures name the field and change nothing', async (t) => {
  const a = await makeApp(t);
  const f = await fixture(a);
  const item = ok(t, await a.as({ method: 'POST', url: f.items, payload: { startTime: '11:00', endTime: '12:00', title: 'Oplæg', kind: 'presentation' } }), 201);
  const valid = { startTime: '13:00', endTime: '14:00', title: 'Nyt', kind: 'discussion' };
  const bad: [Record<string, unknown>, string][] = [
    [{ kind: 'keynote' }, 'body.kind'],
    [{ startTime: '1300' }, 'body.startTime'],
    [{ endTime: '25:00' }, 'body.endTime'],
    [{ title: '' }, 'body.title'],
    [{ themes: 'aktuelt' }, 'body.themes'],
    [{ themes: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'body.themes'],
    [{ speakerIds: [42] }, 'body.speakerIds.0'],
    [{ trackId: 7 }, 'body.trackId'],
    [{ room: 'A' }, 'body.room'],
    [{ meetingId: f.otherMeeting.id }, 'body.meetingId'],
  ];
  for (const [fields, path] of bad) {
    const body = problem(t, await a.as({ method: 'POST', url: f.items, payload: { ...valid, ...fields } }), 400, 'validation-failed');
    t.ok(paths(body).includes(path), `${path} in ${JSON.stringify(body.errors)}`);
    const pb = problem(t, await a.as({ method: 'PATCH', url: `/api/v1/items/${item.id}`, payload: fields }), 400, 'validation-failed');
    t.ok(paths(pb).includes(path), `patch: ${path} in ${JSON.stringify(pb.errors)}`);
  }
  const missing = problem(t, await a.as({ method: 'POST', url: f.items, payload: { startTime: '13:00', endTime: '14:00', kind: 'discussion' } }), 400, 'validation-failed');
  t.same(paths(missing), ['body.title']);
  const q = problem(t, await a.as({ url: `${f.items}?kind=keynote` }), 400, 'validation-failed');
  t.same(paths(q), ['querystring.kind']);
  problem(t, await a.as({ method: 'POST', url: f.items, payload: '{"title":', headers: { 'content-type': 'application/json' } }), 400, 'invalid-json');
  problem(t, await a.as({ method: 'PATCH', url: `/api/v1/items/${item.id}`, payload: '{"title":', headers: { 'content-type': 'application/json' } }), 400, 'invalid-json');
  t.same(ok(t, await a.as({ url: f.items })).data, [item]);
});

t.test('writes need a token', async (t) => {
  const a = await makeApp(t);
  const f = await fixture(a);
  const item = ok(t, await a.as({ method: 'POST', url: f.items, payload: { startTime: '11:00', endTime: '12:00', title: 'Oplæg', kind: 'presentation' } }), 201);
  for (const headers of [{}, { authorization: 'Bearer na_wrong' }]) {
    problem(t, await a.app.inject({ method: 'POST', url: f.items, payload: { startTime: '13:00', endTime: '14:00', title: 'x', kind: 'other' }, headers }), 401, 'unauthorized');
    problem(t, await a.app.inject({ method: 'PATCH', url: `/api/v1/items/${item.id}`, payload: { title: 'x' }, headers }), 401, 'unauthorized');
    problem(t, await a.app.inject({ method: 'DELETE', url: `/api/v1/items/${item.id}`, headers }), 401, 'unauthorized');
  }
  t.same(ok(t, await a.as({ url: f.items })).data, [item]);
});

t.test('unknown meetings and items are 404', async (t) => {
  const a = await makeApp(t);
  await fixture(a);
  problem(t, await a.as({ url: '/api/v1/meetings/mtg_nope/items' }), 404, 'not-found');
  problem(t, await a.app.inject({ url: '/api/v1/meetings/mtg_nope/items' }), 404, 'not-found');
  problem(t, await a.as({ method: 'POST', url: '/api/v1/meetings/mtg_nope/items', payload: { startTime: '10:00', endTime: '11:00', title: 'x', kind: 'other' } }), 404, 'not-found');
  problem(t, await a.as({ url: '/api/v1/items/itm_nope' }), 404, 'not-found');
  problem(t, await a.app.inject({ url: '/api/v1/items/itm_nope' }), 404, 'not-found');
  problem(t, await a.as({ method: 'PATCH', url: '/api/v1/items/itm_nope', payload: { title: 'x' } }), 404, 'not-found');
  problem(t, await a.as({ method: 'DELETE', url: '/api/v1/items/itm_nope' }), 404, 'not-found');
});

t.test('items of a draft meeting are hidden without a token', async (t) => {
  const a = await makeApp(t);
  const f = await fixture(a, 'draft');
  const item = ok(t, await a.as({ method: 'POST', url: f.items, payload: { startTime: '11:00', endTime: '12:00', title: 'Oplæg', kind: 'presentation' } }), 201);
  problem(t, await a.app.inject({ url: f.items }), 404, 'not-found');
  problem(t, await a.app.inject({ url: `/api/v1/items/${item.id}` }), 404, 'not-found');
  refused(t, await a.app.inject({ url: `${f.items}?version=working` }));
  refused(t, await a.app.inject({ url: `/api/v1/items/${item.id}?version=working` }));
  t.same(ok(t, await a.as({ url: f.items })).data, [item]);
  t.same(ok(t, await a.as({ url: `/api/v1/items/${item.id}` })), item);

  // Announced: the public sees the released items.
  ok(t, await a.as({ method: 'PATCH', url: `/api/v1/meetings/${f.meeting.id}`, payload: { status: 'announced' } }));
  problem(t, await a.app.inject({ url: `${f.items}?version=working` }), 401, 'unauthorized');
  problem(t, await a.app.inject({ url: `/api/v1/items/${item.id}?version=working` }), 401, 'unauthorized');
  t.same(ok(t, await a.app.inject({ url: f.items })).data, [], 'nothing released yet');
  problem(t, await a.app.inject({ url: `/api/v1/items/${item.id}` }), 404, 'not-found');
  ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${f.meeting.id}/releases`, payload: {} }), 201);
  t.same(ids(ok(t, await a.app.inject({ url: f.items }))), [item.id]);
  t.match(ok(t, await a.app.inject({ url: `/api/v1/items/${item.id}` })), {
    id: item.id,
    meetingId: f.meeting.id,
    title: 'Oplæg',
    start: item.start,
    end: item.end,
  });
});

t.test('a write that would add an agenda error is refused with 409 and changes nothing', async (t) => {
  const a = await makeApp(t);
  const f = await fixture(a);
  const post = (payload: Record<string, unknown>) => a.as({ method: 'POST', url: f.items, payload: { kind: 'presentation', themes: ['aktuelt'], ...payload } });
  const first = ok(t, await post({ trackId: f.trackA.id, startTime: '10:00', endTime: '11:00', title: 'Først', speakerIds: [f.anna.id] }), 201);
  const last = ok(t, await post({ trackId: f.trackA.id, startTime: '15:00', endTime: '16:00', title: 'Sidst' }), 201);
  const listed = () => a.as({ url: f.items }).then((r) => ids(r.json()).sort());
  const before = await listed();

  const overlap = problem(t, await post({ trackId: f.trackA.id, startTime: '10:30', endTime: '11:30', title: 'Oven i' }), 409, 'agenda-conflict');
  t.same(overlap.findings.map((x: { code: string; severity: string }) => [x.code, x.severity]), [['track-overlap', 'error']]);
  t.ok(overlap.findings[0].items.includes(first.id));
  t.match(overlap.detail, /"Først" \(10:00–11:00\) and "Oven i" \(10:30–11:30\) overlap in track "Dagtilbud"/);
  problem(t, await post({ startTime: '10:30', endTime: '10:45', title: 'Plenum' }), 409, 'agenda-conflict').findings.forEach(
    (x: { code: string }) => t.equal(x.code, 'plenary-overlap'),
  );
  const booked = problem(t, await post({ trackId: f.trackB.id, startTime: '10:30', endTime: '11:30', title: 'Parallel', speakerIds: [f.anna.id] }), 409, 'agenda-conflict');
  t.same(booked.findings.map((x: { code: string }) => x.code), ['speaker-double-booked']);
  t.match(booked.detail, /Anna is booked for both/);
  t.same(await listed(), before, 'nothing created');
  ok(t, await post({ trackId: f.trackB.id, startTime: '10:30', endTime: '11:30', title: 'Parallel', speakerIds: [f.bent.id] }), 201);

  // Moving an item onto another one far from where it was is checked against the new place.
  const moved = problem(t, await a.as({ method: 'PATCH', url: `/api/v1/items/${first.id}`, payload: { startTime: '15:30', endTime: '16:00' } }), 409, 'agenda-conflict');
  t.same(moved.findings[0].items, [last.id, first.id], 'in time order');
  t.same(ok(t, await a.as({ url: `/api/v1/items/${first.id}` })), first, 'unchanged');
  const retitled = ok(t, await a.as({ method: 'PATCH', url: `/api/v1/items/${first.id}`, payload: { title: 'Velkomst og overblik' } }));
  t.match(retitled, { title: 'Velkomst og overblik', startTime: '10:00', speakers: [{ id: f.anna.id }], themes: [{ key: 'aktuelt' }] });

  // An error already in the agenda (written before the checks existed) blocks only what adds a new one.
  const legacy = a.app.db.$client.prepare(
    "INSERT INTO agenda_items (id, meeting_id, start_time, end_time, title, kind, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'other', '2019-01-01T00:00:00Z', '2019-01-01T00:00:00Z')",
  );
  legacy.run('itm_old1', f.meeting.id, '13:00', '14:00', 'Gammel 1');
  legacy.run('itm_old2', f.meeting.id, '13:30', '14:30', 'Gammel 2');
  ok(t, await a.as({ method: 'PATCH', url: '/api/v1/items/itm_old1', payload: { title: 'Gammel, omdøbt' } }));
  t.equal(ok(t, await a.as({ method: 'PATCH', url: '/api/v1/items/itm_old1', payload: { endTime: '14:15' } })).endTime, '14:15', 'the same overlap, no new error');
  const added = problem(t, await post({ startTime: '14:15', endTime: '14:45', title: 'Ny' }), 409, 'agenda-conflict');
  t.same(added.findings.length, 1, 'only the new finding');
  t.ok(added.findings[0].items.includes('itm_old2'));
  t.notOk(added.findings[0].items.includes('itm_old1'));
});

t.test('If-Match on an item PATCH', async (t) => {
  const a = await makeApp(t);
  const f = await fixture(a);
  const item = ok(t, await a.as({ method: 'POST', url: f.items, payload: { startTime: '11:00', endTime: '12:00', title: 'Oplæg', kind: 'presentation' } }), 201);
  const url = `/api/v1/items/${item.id}`;
  const read = await a.as({ url });
  const etag = read.headers.etag as string;
  t.match(etag, /^"v\d+"$/);

  const first = await a.as({ method: 'PATCH', url, headers: { 'if-match': etag }, payload: { title: 'Første' } });
  t.equal(first.statusCode, 200);
  t.not(first.headers.etag, etag, 'a new version');
  const stale = problem(t, await a.as({ method: 'PATCH', url, headers: { 'if-match': etag }, payload: { title: 'Anden' } }), 412, 'precondition-failed');
  t.equal(stale.etag, first.headers.etag, 'the current version');
  t.equal(ok(t, await a.as({ url })).title, 'Første', 'the stale edit changed nothing');
  problem(t, await a.as({ method: 'PATCH', url, headers: { 'if-match': 'garbage' }, payload: { title: 'Nej' } }), 412, 'precondition-failed');
  t.equal(ok(t, await a.as({ method: 'PATCH', url, headers: { 'if-match': `"v1", ${first.headers.etag}` }, payload: { title: 'Ja' } })).title, 'Ja');
  t.equal(ok(t, await a.as({ method: 'PATCH', url, headers: { 'if-match': '*' }, payload: { title: 'Også' } })).title, 'Også');
});
