// Guarded destruction: deleting a meeting with registrations or releases, or a track chosen by registrations,
// needs ?confirm=true (otherwise 409 confirmation-required, nothing changed); apply-template needs an explicit
// mode and reports what `replace` removed; every removed row (cascades included) is in the audit trail in full.
import t, { type Test } from 'tap';
import { futureDate, makeApp, ok, problem, type TestApp } from './helpers.js';

const SLUG = 'fynske-netvaerk';

interface AuditEntry {
  action: string;
  entity: string;
  entityId: string;
  networkSlug: string | null;
  changes: Record<string, { before: unknown; after: unknown }>;
}

/** A network with a meeting planned in full: a track, two items with a theme and a speaker, two registrations, a release. */
async function plannedMeeting(t: Test, a: TestApp) {
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: SLUG, name: 'Fynske dagtilbudskonsulenter' } }), 201);
  ok(t, await a.as({ method: 'POST', url: `/api/v1/networks/${SLUG}/themes`, payload: { key: 'sproglig-udvikling', name: 'Sproglig udvikling – børn på 0–6 år' } }), 201);
  const speaker = ok(t, await a.as({ method: 'POST', url: `/api/v1/networks/${SLUG}/speakers`, payload: { name: 'Åse Ørsted', email: 'aase@ærø.dk' } }), 201);
  const meeting = ok(
    t,
    await a.as({
      method: 'POST',
      url: `/api/v1/networks/${SLUG}/meetings`,
      payload: { title: 'Netværksmøde i Ærøskøbing', date: futureDate(), startTime: '10:00', endTime: '16:00', status: 'announced', description: 'Fælles dag om læring og trivsel', capacity: 40 },
    }),
    201,
  );
  const track = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${meeting.id}/tracks`, payload: { name: 'Dagtilbud – små børn', room: 'Lokale Æ', capacity: 20 } }), 201);
  const school = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${meeting.id}/tracks`, payload: { name: 'Skole og fritid', sortOrder: 1 } }), 201);
  const plenary = ok(
    t,
    await a.as({
      method: 'POST',
      url: `/api/v1/meetings/${meeting.id}/items`,
      payload: { title: 'Velkomst og præsentation', kind: 'welcome', startTime: '10:00', endTime: '10:30', themes: ['sproglig-udvikling'], speakerIds: [speaker.id] },
    }),
    201,
  );
  const inTrack = ok(
    t,
    await a.as({ method: 'POST', url: `/api/v1/meetings/${meeting.id}/items`, payload: { title: 'Sparring på tværs af kommuner', kind: 'peer-sparring', startTime: '10:30', endTime: '12:00', trackId: track.id } }),
    201,
  );
  const person = async (name: string, email: string) =>
    ok(t, await a.as({ method: 'POST', url: `/api/v1/networks/${SLUG}/participants`, payload: { name, email } }), 201);
  const søren = await person('Søren Ødegård', 'søren@kommune.dk');
  const bjørg = await person('Bjørg Æbelø', 'bjoerg@kommune.dk');
  const withTrack = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${meeting.id}/registrations`, payload: { participantId: søren.id, trackId: track.id } }), 201);
  const plain = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${meeting.id}/registrations`, payload: { participantId: bjørg.id, trackId: school.id } }), 201);
  const release = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${meeting.id}/releases`, payload: { note: 'Første udgave – ret gerne' } }), 201);
  return { meeting, track, school, plenary, inTrack, speaker, registrations: [withTrack, plain], release };
}

const auditOf = async (a: TestApp) => (await a.as({ url: `/api/v1/audit?network=${SLUG}&limit=200` })).json().data as AuditEntry[];

t.test('a meeting with registrations and a release: 409 with what would go, nothing changed; ?confirm=true deletes', async (t) => {
  const a = await makeApp(t);
  const w = await plannedMeeting(t, a);
  const auditBefore = await auditOf(a);
  const agendaBefore = ok(t, await a.as({ url: `/api/v1/meetings/${w.meeting.id}/agenda` }));

  for (const url of [`/api/v1/meetings/${w.meeting.id}`, `/api/v1/meetings/${w.meeting.id}?confirm=false`]) {
    const refused = problem(t, await a.as({ method: 'DELETE', url }), 409, 'confirmation-required');
    t.same(refused.wouldLose, { registrations: 2, releases: 1, tracks: 2, items: 2 });
    t.equal(refused.title, 'Confirmation required');
    t.equal(refused.type, 'https://netagenda.dk/problems/confirmation-required');
    t.match(refused.detail, 'Netværksmøde i Ærøskøbing');
    t.match(refused.detail, '2 registrations, 1 release, 2 tracks and 2 agenda items');
    t.match(refused.detail, '?confirm=true');
  }

  // Nothing changed: the meeting, its agenda, registrations and release are all there; the audit trail has nothing new.
  t.same(ok(t, await a.as({ url: `/api/v1/meetings/${w.meeting.id}/agenda` })), agendaBefore);
  t.equal(ok(t, await a.as({ url: `/api/v1/meetings/${w.meeting.id}/registrations` })).data.length, 2);
  t.equal(ok(t, await a.as({ url: `/api/v1/meetings/${w.meeting.id}/releases` })).data.length, 1);
  t.same(await auditOf(a), auditBefore, 'no audit entry for a refused delete');

  // ?confirm takes true or false only.
  for (const bad of ['yes', '1', 'TRUE', '']) {
    const res = problem(t, await a.as({ method: 'DELETE', url: `/api/v1/meetings/${w.meeting.id}?confirm=${bad}` }), 400, 'validation-failed');
    t.ok(res.errors.some((e: { path: string }) => e.path === 'querystring.confirm'), `confirm=${bad} names the parameter`);
  }
  problem(t, await a.as({ method: 'DELETE', url: `/api/v1/meetings/${w.meeting.id}?confirm=true&confirm=true` }), 400, 'validation-failed');
  ok(t, await a.as({ url: `/api/v1/meetings/${w.meeting.id}` }));

  // A stale If-Match still wins over the confirmation.
  problem(t, await a.as({ method: 'DELETE', url: `/api/v1/meetings/${w.meeting.id}?confirm=true`, headers: { 'if-match': '"v999"' } }), 412, 'precondition-failed');

  const del = await a.as({ method: 'DELETE', url: `/api/v1/meetings/${w.meeting.id}?confirm=true` });
  t.equal(del.statusCode, 204);
  problem(t, await a.as({ url: `/api/v1/meetings/${w.meeting.id}` }), 404, 'not-found');
  problem(t, await a.as({ url: `/api/v1/tracks/${w.track.id}` }), 404, 'not-found');
  problem(t, await a.as({ url: `/api/v1/items/${w.plenary.id}` }), 404, 'not-found');
  problem(t, await a.as({ url: `/api/v1/registrations/${w.registrations[0].id}` }), 404, 'not-found');
});

t.test('the audit trail shows every row a confirmed meeting delete removed, with all its before-values', async (t) => {
  const a = await makeApp(t);
  const w = await plannedMeeting(t, a);
  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/meetings/${w.meeting.id}?confirm=true` })).statusCode, 204);

  const deletions = (await auditOf(a)).filter((e) => e.action === 'delete');
  t.equal(deletions.length, 10, 'the meeting, 2 tracks, 2 items, an item theme, an item speaker, 2 registrations and a release');
  /** The before-values of the one deletion of `entity` (with this id, when given). */
  const one = (entity: string, entityId?: string) => {
    const found = deletions.filter((e) => e.entity === entity && (entityId === undefined || e.entityId === entityId));
    t.equal(found.length, 1, `one delete entry for ${entity} ${entityId}`);
    t.equal(found[0]?.networkSlug, SLUG, `${entity} ${entityId} is filed under its network`);
    const before = Object.fromEntries(Object.entries(found[0]?.changes ?? {}).map(([k, v]) => [k, v.before]));
    t.ok(Object.values(found[0]?.changes ?? {}).every((v) => v.after === null), `${entity}: after is null`);
    return before;
  };

  t.match(one('meeting', w.meeting.id), {
    id: w.meeting.id,
    networkSlug: SLUG,
    title: 'Netværksmøde i Ærøskøbing',
    description: 'Fælles dag om læring og trivsel',
    date: w.meeting.date,
    startTime: '10:00',
    endTime: '16:00',
    timeZone: 'Europe/Copenhagen',
    status: 'announced',
    capacity: 40,
    registrationDeadline: null,
    clusterId: null,
    createdAt: w.meeting.createdAt,
    updatedAt: String,
    version: Number,
  });
  t.match(one('track', w.track.id), { id: w.track.id, meetingId: w.meeting.id, name: 'Dagtilbud – små børn', room: 'Lokale Æ', capacity: 20, sortOrder: 0, version: 1 });
  t.match(one('item', w.plenary.id), { title: 'Velkomst og præsentation', kind: 'welcome', startTime: '10:00', endTime: '10:30', trackId: null, meetingId: w.meeting.id });
  t.match(one('item', w.inTrack.id), { title: 'Sparring på tværs af kommuner', trackId: w.track.id });
  const themeLink = deletions.find((e) => e.entity === 'item-theme' && e.entityId.startsWith(`${w.plenary.id}/`));
  t.equal(themeLink?.networkSlug, SLUG, 'the item’s theme link is filed under the network');
  t.match(one('item-speaker', `${w.plenary.id}/${w.speaker.id}`), { itemId: w.plenary.id, speakerId: w.speaker.id, position: 0 });
  for (const r of w.registrations) {
    t.match(one('registration', r.id), { id: r.id, meetingId: w.meeting.id, participantId: r.participantId, trackId: r.trackId, status: 'registered' });
  }
  const release = one('release') as { number: number; note: string; snapshot: { meeting: { title: string }; items: { title: string }[] }; changelog: unknown };
  t.match(release, { number: 1, note: 'Første udgave – ret gerne' });
  t.equal(release.snapshot.meeting.title, 'Netværksmøde i Ærøskøbing', 'the released agenda is kept');
  t.same(release.snapshot.items.map((i) => i.title), ['Velkomst og præsentation', 'Sparring på tværs af kommuner']);
  t.ok(release.changelog, 'and its changelog');
  t.notMatch(JSON.stringify(deletions), /aase@|søren@|Søren Ødegård/, 'no personal data or speaker e-mail in the trail');

  // Also found by entity and id, and a plain meeting delete (nothing to confirm) is recorded the same way.
  const byId = (await a.as({ url: `/api/v1/audit?entity=registration&entityId=${w.registrations[0].id}` })).json().data as AuditEntry[];
  t.same(byId.map((e) => e.action), ['delete', 'create']);
  const bare = ok(t, await a.as({ method: 'POST', url: `/api/v1/networks/${SLUG}/meetings`, payload: { title: 'Tomt møde', date: '2031-01-15', startTime: '10:00' } }), 201);
  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/meetings/${bare.id}` })).statusCode, 204, 'no registrations, no release: no confirmation needed');
  const bareDeleted = (await auditOf(a)).find((e) => e.action === 'delete' && e.entity === 'meeting' && e.entityId === bare.id);
  t.match(bareDeleted, { networkSlug: SLUG, changes: { title: { before: 'Tomt møde', after: null }, status: { before: 'draft' } } });
});

t.test('a track chosen by registrations: 409 unless confirmed; the registrations stay, without a track', async (t) => {
  const a = await makeApp(t);
  const w = await plannedMeeting(t, a);
  const auditBefore = await auditOf(a);

  const refused = problem(t, await a.as({ method: 'DELETE', url: `/api/v1/tracks/${w.track.id}` }), 409, 'confirmation-required');
  t.same(refused.wouldLose, { registrations: 1, items: 1 });
  t.match(refused.detail, "Deleting track 'Dagtilbud – små børn'");
  t.match(refused.detail, 'the track choice of 1 registration');
  t.match(refused.detail, '1 agenda item');
  ok(t, await a.as({ url: `/api/v1/tracks/${w.track.id}` }));
  t.equal(ok(t, await a.as({ url: `/api/v1/registrations/${w.registrations[0].id}` })).trackId, w.track.id);
  t.equal(ok(t, await a.as({ url: `/api/v1/items/${w.inTrack.id}` })).trackId, w.track.id);
  t.same(await auditOf(a), auditBefore, 'nothing changed');
  problem(t, await a.as({ method: 'DELETE', url: `/api/v1/tracks/${w.track.id}?confirm=ja` }), 400, 'validation-failed');

  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/tracks/${w.track.id}?confirm=true` })).statusCode, 204);
  problem(t, await a.as({ url: `/api/v1/tracks/${w.track.id}` }), 404, 'not-found');
  problem(t, await a.as({ url: `/api/v1/items/${w.inTrack.id}` }), 404, 'not-found');
  const kept = ok(t, await a.as({ url: `/api/v1/registrations/${w.registrations[0].id}` }));
  t.match(kept, { status: 'registered', trackId: null });

  const audit = await auditOf(a);
  const trackDel = audit.find((e) => e.entity === 'track' && e.action === 'delete');
  t.match(trackDel, { entityId: w.track.id, networkSlug: SLUG, changes: { name: { before: 'Dagtilbud – små børn', after: null }, capacity: { before: 20 }, room: { before: 'Lokale Æ' } } });
  t.match(audit.find((e) => e.entity === 'item' && e.action === 'delete'), { entityId: w.inTrack.id, networkSlug: SLUG, changes: { title: { before: 'Sparring på tværs af kommuner' } } });
  t.match(audit.find((e) => e.entity === 'registration' && e.action === 'update'), { entityId: w.registrations[0].id, changes: { trackId: { before: w.track.id, after: null } } });

  // A track nobody chose goes without confirmation, as before.
  const empty = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${w.meeting.id}/tracks`, payload: { name: 'Skole' } }), 201);
  t.equal((await a.as({ method: 'DELETE', url: `/api/v1/tracks/${empty.id}` })).statusCode, 204);
});

t.test('apply-template: mode is required; replace reports what it removed, and the audit trail has it in full', async (t) => {
  const a = await makeApp(t);
  const w = await plannedMeeting(t, a);
  const agendaBefore = ok(t, await a.as({ url: `/api/v1/meetings/${w.meeting.id}/agenda` }));
  const url = `/api/v1/meetings/${w.meeting.id}/apply-template`;

  const missing = problem(t, await a.as({ method: 'POST', url, payload: { template: 'plenary-morning-parallel-afternoon', createMissingThemes: true } }), 400, 'validation-failed');
  t.equal(missing.errors.length, 1);
  t.equal(missing.errors[0].path, 'body.mode');
  t.match(missing.errors[0].message, /required: "replace" .* or "append"/);
  t.same(ok(t, await a.as({ url: `/api/v1/meetings/${w.meeting.id}/agenda` })), agendaBefore, 'nothing changed');
  problem(t, await a.as({ method: 'POST', url, payload: { template: 'plenary-day', mode: null } }), 400, 'validation-failed');

  const replaced = ok(t, await a.as({ method: 'POST', url, payload: { template: 'plenary-morning-parallel-afternoon', mode: 'replace', createMissingThemes: true } }));
  t.same(replaced.removed, {
    tracks: [
      { id: w.track.id, name: 'Dagtilbud – små børn' },
      { id: w.school.id, name: 'Skole og fritid' },
    ],
    items: [
      { id: w.plenary.id, title: 'Velkomst og præsentation', startTime: '10:00', endTime: '10:30', trackId: null },
      { id: w.inTrack.id, title: 'Sparring på tværs af kommuner', startTime: '10:30', endTime: '12:00', trackId: w.track.id },
    ],
    clearedTrackChoices: 2,
  });
  t.same(replaced.agenda.tracks.map((x: { name: string }) => x.name), ['Dagtilbud', 'Skole']);
  for (const r of w.registrations) t.match(ok(t, await a.as({ url: `/api/v1/registrations/${r.id}` })), { status: 'registered', trackId: null }, 'registrations stay, without a track');

  const audit = await auditOf(a);
  const deleted = (entity: string, id: string) => audit.find((e) => e.action === 'delete' && e.entity === entity && e.entityId === id);
  t.match(deleted('item', w.plenary.id), { networkSlug: SLUG, changes: { title: { before: 'Velkomst og præsentation' }, kind: { before: 'welcome' }, version: { before: 1 } } });
  t.match(deleted('item', w.inTrack.id), { networkSlug: SLUG, changes: { trackId: { before: w.track.id } } });
  t.match(deleted('track', w.track.id), { networkSlug: SLUG, changes: { name: { before: 'Dagtilbud – små børn' } } });
  t.match(deleted('item-speaker', `${w.plenary.id}/${w.speaker.id}`), { networkSlug: SLUG, changes: { speakerId: { before: w.speaker.id } } });
  t.ok(audit.some((e) => e.action === 'delete' && e.entity === 'item-theme' && e.entityId.startsWith(`${w.plenary.id}/`) && e.networkSlug === SLUG));

  problem(t, await a.as({ method: 'POST', url, payload: { template: 'plenary-day', mode: 'append', createMissingThemes: true } }), 409, 'agenda-conflict');
  const fresh = ok(t, await a.as({ method: 'POST', url: `/api/v1/networks/${SLUG}/meetings`, payload: { title: 'Nyt møde', date: '2031-02-01', startTime: '10:00' } }), 201);
  const first = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${fresh.id}/apply-template`, payload: { template: 'plenary-day', mode: 'append', createMissingThemes: true } }));
  t.same(first.removed, { tracks: [], items: [], clearedTrackChoices: 0 }, 'append removes nothing');
  const again = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${fresh.id}/apply-template`, payload: { template: 'plenary-day', mode: 'replace' } }));
  t.equal(again.removed.items.length, first.agenda.items.length, 'replace lists every item it removed');
  t.same(again.removed.items.map((i: { id: string }) => i.id).sort(), first.agenda.items.map((i: { id: string }) => i.id).sort());
});

t.test('OpenAPI documents ?confirm, the 409 with wouldLose, the required mode and `removed`', async (t) => {
  const a = await makeApp(t);
  const doc = (await a.app.inject({ url: '/openapi.json' })).json();
  const ref = (s: { $ref?: string }) => (s.$ref ? doc.components.schemas[s.$ref.split('/').at(-1)!] : s);
  for (const path of ['/api/v1/meetings/{id}', '/api/v1/tracks/{id}']) {
    const del = doc.paths[path].delete;
    const confirm = del.parameters.find((p: { name: string; in: string }) => p.in === 'query' && p.name === 'confirm');
    t.ok(confirm, `${path}: ?confirm is documented`);
    t.same(confirm.schema.enum, ['true', 'false']);
    t.ok(del.responses['400'], `${path}: 400`);
    const conflict = ref(del.responses['409'].content['application/problem+json'].schema);
    t.ok(conflict.properties.wouldLose, `${path}: 409 documents wouldLose`);
    t.ok(conflict.properties.wouldLose.properties.registrations);
    t.ok(del.description.includes('confirm=true'));
  }
  const apply = doc.paths['/api/v1/meetings/{id}/apply-template'].post;
  const body = ref(apply.requestBody.content['application/json'].schema);
  t.ok(body.required.includes('mode'), 'mode is required');
  t.notOk('default' in body.properties.mode, 'and has no default');
  const result = ref(apply.responses['200'].content['application/json'].schema);
  t.ok(result.properties.removed, 'the response documents removed');
  const removed = ref(result.properties.removed);
  t.same(Object.keys(removed.properties).sort(), ['clearedTrackChoices', 'items', 'tracks']);
});
