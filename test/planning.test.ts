// Agenda planning over the API: templates, apply/copy/shift, checks, and writes refused on errors.
import t from 'tap';
import { makeApp, type TestApp } from './helpers.js';

const SLUG = 'kl-konsulentnetvaerk-2019-2020';

async function seedMeetings(ctx: TestApp) {
  const res = await ctx.as({ method: 'GET', url: `/api/v1/networks/${SLUG}/meetings` });
  return res.json().data as { id: string; date: string }[];
}

t.test('templates are listed and shown', async (t) => {
  const { app } = await makeApp(t, { seed: true });
  const list = await app.inject({ url: '/api/v1/agenda-templates' });
  t.equal(list.statusCode, 200);
  const keys = list.json().data.map((x: { key: string }) => x.key);
  t.same(keys, ['peer-sparring-day', 'plenary-day', 'plenary-morning-parallel-afternoon']);
  for (const s of list.json().data) t.equal(s.lengthMinutes, 360);
  const one = await app.inject({ url: '/api/v1/agenda-templates/plenary-morning-parallel-afternoon' });
  t.equal(one.statusCode, 200);
  t.same(one.json().tracks.map((x: { key: string }) => x.key), ['dagtilbud', 'skole']);
  t.ok(one.json().items.length > 5);
  const missing = await app.inject({ url: '/api/v1/agenda-templates/nope' });
  t.equal(missing.statusCode, 404);
  t.equal(missing.json().code, 'not-found');
});

t.test('every template applies to every seed meeting with no error finding', async (t) => {
  const ctx = await makeApp(t, { seed: true });
  const meetings = await seedMeetings(ctx);
  t.equal(meetings.length, 3);
  const templates = (await ctx.app.inject({ url: '/api/v1/agenda-templates' })).json().data as { key: string; tracks: unknown[] }[];
  for (const m of meetings) {
    for (const tpl of templates) {
      const res = await ctx.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/apply-template`, payload: { template: tpl.key, mode: 'replace' } });
      t.equal(res.statusCode, 200, `${tpl.key} on ${m.date}: ${res.body.slice(0, 300)}`);
      const body = res.json();
      t.equal(body.findings.filter((f: { severity: string }) => f.severity === 'error').length, 0);
      t.equal(body.agenda.tracks.length, tpl.tracks.length, 'replace mode leaves only the template tracks');
      const checks = await ctx.as({ method: 'GET', url: `/api/v1/meetings/${m.id}/checks` });
      t.equal(checks.json().errors, 0);
    }
  }
});

t.test('apply-template: themes, modes and refusals', async (t) => {
  const ctx = await makeApp(t);
  const net = await ctx.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'nyt-netvaerk', name: 'Nyt netværk' } });
  t.equal(net.statusCode, 201);
  const m = (await ctx.as({ method: 'POST', url: '/api/v1/networks/nyt-netvaerk/meetings', payload: { title: 'Møde', date: '2021-03-10', startTime: '09:00' } })).json();
  // The network has no themes: refused without createMissingThemes, and nothing is written.
  const refused = await ctx.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/apply-template`, payload: { template: 'plenary-day', mode: 'replace' } });
  t.equal(refused.statusCode, 409);
  t.equal(refused.json().code, 'missing-themes');
  t.ok(refused.json().themes.includes('aktuelt'));
  const items0 = await ctx.as({ url: `/api/v1/meetings/${m.id}/items` });
  t.equal(items0.json().data.length, 0);
  const themes0 = await ctx.as({ url: '/api/v1/networks/nyt-netvaerk/themes' });
  t.equal(themes0.json().data.length, 0);

  const ok = await ctx.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/apply-template`, payload: { template: 'plenary-day', mode: 'replace', createMissingThemes: true } });
  t.equal(ok.statusCode, 200, ok.body.slice(0, 300));
  t.equal(ok.json().agenda.items[0].startTime, '09:00', 'laid out from the meeting start');
  const themes1 = await ctx.as({ url: '/api/v1/networks/nyt-netvaerk/themes' });
  t.same(themes1.json().data.map((x: { key: string }) => x.key).sort(), ['aktuelt', 'lovgivning', 'ny-viden', 'sparring']);

  // Appending the same plenary day on top overlaps everything: refused, agenda unchanged.
  const before = (await ctx.as({ url: `/api/v1/meetings/${m.id}/agenda` })).json();
  const dup = await ctx.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/apply-template`, payload: { template: 'plenary-day', mode: 'append' } });
  t.equal(dup.statusCode, 409);
  t.equal(dup.json().code, 'agenda-conflict');
  t.ok(dup.json().findings.some((f: { code: string }) => f.code === 'track-overlap'));
  const after = (await ctx.as({ url: `/api/v1/meetings/${m.id}/agenda` })).json();
  t.same(after.items.map((i: { id: string }) => i.id), before.items.map((i: { id: string }) => i.id));

  // A meeting shorter than the template: refused.
  const short = (await ctx.as({ method: 'POST', url: '/api/v1/networks/nyt-netvaerk/meetings', payload: { title: 'Kort', date: '2021-04-10', startTime: '09:00', endTime: '12:00' } })).json();
  const nofit = await ctx.as({ method: 'POST', url: `/api/v1/meetings/${short.id}/apply-template`, payload: { template: 'plenary-day', mode: 'replace' } });
  t.equal(nofit.statusCode, 409);
  t.equal(nofit.json().code, 'template-does-not-fit');

  const unknownTpl = await ctx.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/apply-template`, payload: { template: 'nope', mode: 'replace' } });
  t.equal(unknownTpl.statusCode, 404);
  const badMode = await ctx.as({ method: 'POST', url: `/api/v1/meetings/${m.id}/apply-template`, payload: { template: 'plenary-day', mode: 'merge' } });
  t.equal(badMode.statusCode, 400);
  const noToken = await ctx.app.inject({ method: 'POST', url: `/api/v1/meetings/${m.id}/apply-template`, payload: { template: 'plenary-day', mode: 'replace' } });
  t.equal(noToken.statusCode, 401);
  const noMeeting = await ctx.as({ method: 'POST', url: '/api/v1/meetings/mtg_nope/apply-template', payload: { template: 'plenary-day', mode: 'replace' } });
  t.equal(noMeeting.statusCode, 404);
});

t.test('append reuses tracks by name', async (t) => {
  const ctx = await makeApp(t, { seed: true });
  const [m] = await seedMeetings(ctx);
  await ctx.as({ method: 'POST', url: `/api/v1/meetings/${m!.id}/tracks`, payload: { name: 'Dagtilbud' } });
  const res = await ctx.as({ method: 'POST', url: `/api/v1/meetings/${m!.id}/apply-template`, payload: { template: 'plenary-morning-parallel-afternoon', mode: 'append' } });
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  t.same(res.json().agenda.tracks.map((x: { name: string }) => x.name), ['Dagtilbud', 'Skole']);
});

t.test('copy-agenda-from and shift', async (t) => {
  const ctx = await makeApp(t, { seed: true });
  const [a, b] = await seedMeetings(ctx);
  await ctx.as({ method: 'POST', url: `/api/v1/meetings/${a!.id}/apply-template`, payload: { template: 'plenary-morning-parallel-afternoon', mode: 'replace' } });
  // A speaker of the network on one of the source's items: a copy within the network keeps them.
  const spk = (await ctx.as({ method: 'POST', url: `/api/v1/networks/${SLUG}/speakers`, payload: { name: 'Søren Ærø', email: 'soeren@kl.dk' } })).json();
  const talk = (await ctx.as({ url: `/api/v1/meetings/${a!.id}/agenda` })).json().items[1];
  const withSpeaker = await ctx.as({ method: 'PATCH', url: `/api/v1/items/${talk.id}`, payload: { speakerIds: [spk.id] } });
  t.equal(withSpeaker.statusCode, 200, withSpeaker.body.slice(0, 300));
  const src = (await ctx.as({ url: `/api/v1/meetings/${a!.id}/agenda` })).json();
  const speakersOf = (agenda: { items: { speakers: { id: string }[] }[] }) => agenda.items.map((i) => i.speakers.map((s) => s.id));
  t.same(speakersOf(src)[1], [spk.id]);

  const copy = await ctx.as({ method: 'POST', url: `/api/v1/meetings/${b!.id}/copy-agenda-from/${a!.id}` });
  t.equal(copy.statusCode, 200, copy.body.slice(0, 300));
  const copied = copy.json().agenda;
  t.equal(copied.items.length, src.items.length);
  t.same(copied.items.map((i: { startTime: string; title: string }) => `${i.startTime} ${i.title}`), src.items.map((i: { startTime: string; title: string }) => `${i.startTime} ${i.title}`));
  t.notSame(copied.tracks.map((x: { id: string }) => x.id), src.tracks.map((x: { id: string }) => x.id), 'new tracks, not shared ones');
  t.equal(copied.items[0].start.utc, '2020-01-16T09:00:00Z', 'timed on the target meeting’s date');
  t.same(speakersOf(copied), speakersOf(src), 'a copy within the network keeps the speakers');
  t.equal(copied.items[1].speakers[0].name, 'Søren Ærø');
  const self = await ctx.as({ method: 'POST', url: `/api/v1/meetings/${a!.id}/copy-agenda-from/${a!.id}` });
  t.equal(self.statusCode, 400);
  const missing = await ctx.as({ method: 'POST', url: `/api/v1/meetings/${a!.id}/copy-agenda-from/mtg_nope` });
  t.equal(missing.statusCode, 404);

  // Shift the afternoon of one track: the day ends at 16:00, so +30 pushes its last item out.
  const skole = copied.tracks.find((x: { name: string }) => x.name === 'Skole');
  const out = await ctx.as({ method: 'POST', url: `/api/v1/meetings/${b!.id}/shift`, payload: { after: '15:00', minutes: 30 } });
  t.equal(out.statusCode, 409);
  t.equal(out.json().code, 'shift-out-of-meeting');
  // Shifting one track's items 15 minutes later overlaps the plenary break: refused as an agenda conflict.
  const clash = await ctx.as({ method: 'POST', url: `/api/v1/meetings/${b!.id}/shift`, payload: { after: '12:45', minutes: 15, track: skole.id } });
  t.equal(clash.statusCode, 409);
  t.equal(clash.json().code, 'agenda-conflict');
  // Shrink lunch then pull the afternoon 15 minutes earlier: allowed, and a gap warning appears at the end.
  const lunch = copied.items.find((i: { kind: string }) => i.kind === 'lunch');
  const patched = await ctx.as({ method: 'PATCH', url: `/api/v1/items/${lunch.id}`, payload: { endTime: '12:30' } });
  t.equal(patched.statusCode, 200);
  const ok = await ctx.as({ method: 'POST', url: `/api/v1/meetings/${b!.id}/shift`, payload: { after: '12:45', minutes: -15 } });
  t.equal(ok.statusCode, 200, ok.body.slice(0, 300));
  const last = ok.json().agenda.items.at(-1);
  t.equal(last.endTime, '15:45');
  t.ok(ok.json().findings.some((f: { code: string }) => f.code === 'track-gap'));
  const badTrack = await ctx.as({ method: 'POST', url: `/api/v1/meetings/${b!.id}/shift`, payload: { after: '12:45', minutes: 5, track: src.tracks[0].id } });
  t.equal(badTrack.statusCode, 400);
  t.equal(badTrack.json().code, 'track-not-in-meeting');
  const zero = await ctx.as({ method: 'POST', url: `/api/v1/meetings/${b!.id}/shift`, payload: { after: '12:45', minutes: 0 } });
  t.equal(zero.statusCode, 400);
});

t.test('copy-agenda-from a meeting of another network leaves the speakers out', async (t) => {
  const ctx = await makeApp(t, { seed: true });
  const [a] = await seedMeetings(ctx);
  await ctx.as({ method: 'POST', url: `/api/v1/meetings/${a!.id}/apply-template`, payload: { template: 'plenary-morning-parallel-afternoon', mode: 'replace' } });
  const spk = (await ctx.as({ method: 'POST', url: `/api/v1/networks/${SLUG}/speakers`, payload: { name: 'Søren Ærø', email: 'soeren@kl.dk' } })).json();
  const items = (await ctx.as({ url: `/api/v1/meetings/${a!.id}/agenda` })).json().items as { id: string }[];
  for (const i of [items[1]!, items.at(-1)!]) {
    const res = await ctx.as({ method: 'PATCH', url: `/api/v1/items/${i.id}`, payload: { speakerIds: [spk.id] } });
    t.equal(res.statusCode, 200, res.body.slice(0, 300));
  }
  const src = (await ctx.as({ url: `/api/v1/meetings/${a!.id}/agenda` })).json();
  t.equal(src.items.filter((i: { speakers: unknown[] }) => i.speakers.length > 0).length, 2);

  t.equal((await ctx.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'andet-netvaerk', name: 'Andet netværk' } })).statusCode, 201);
  const target = (await ctx.as({ method: 'POST', url: '/api/v1/networks/andet-netvaerk/meetings', payload: { title: 'Møde', date: '2021-03-10', startTime: '10:00', endTime: '16:00' } })).json();
  const copy = await ctx.as({ method: 'POST', url: `/api/v1/meetings/${target.id}/copy-agenda-from/${a!.id}`, payload: { createMissingThemes: true } });
  t.equal(copy.statusCode, 200, copy.body.slice(0, 300));
  const copied = copy.json().agenda;
  const line = (i: { startTime: string; title: string; kind: string }) => `${i.startTime} ${i.kind} ${i.title}`;
  t.same(copied.items.map(line), src.items.map(line), 'every item copied');
  t.same(copied.items.map((i: { speakers: unknown[] }) => i.speakers), copied.items.map(() => []), 'without the other network’s speakers');
  t.notMatch(JSON.stringify(copied), /Søren Ærø|soeren@kl\.dk/);
  const stored = (await ctx.as({ url: `/api/v1/meetings/${target.id}/agenda` })).json();
  t.same(stored.items.map((i: { speakers: unknown[] }) => i.speakers.length), stored.items.map(() => 0));
  // The source keeps its speakers, and the speaker is still only its own network's.
  t.same((await ctx.as({ url: `/api/v1/meetings/${a!.id}/agenda` })).json().items.map((i: { speakers: { id: string }[] }) => i.speakers.map((s) => s.id)), src.items.map((i: { speakers: { id: string }[] }) => i.speakers.map((s) => s.id)));
  const foreign = await ctx.as({ method: 'PATCH', url: `/api/v1/items/${copied.items[1].id}`, payload: { speakerIds: [spk.id] } });
  t.equal(foreign.statusCode, 400);
  t.equal(foreign.json().code, 'unknown-speaker');
});

t.test('item writes that create an error finding are refused with the findings', async (t) => {
  const ctx = await makeApp(t, { seed: true });
  const [m] = await seedMeetings(ctx);
  const spk = (await ctx.as({ method: 'POST', url: `/api/v1/networks/${SLUG}/speakers`, payload: { name: 'Søren Ærø' } })).json();
  t.equal(spk.networkSlug, SLUG);
  const track = (await ctx.as({ method: 'POST', url: `/api/v1/meetings/${m!.id}/tracks`, payload: { name: 'Skole' } })).json();
  const a = await ctx.as({ method: 'POST', url: `/api/v1/meetings/${m!.id}/items`, payload: { title: 'Oplæg', kind: 'presentation', startTime: '10:00', endTime: '11:00', speakerIds: [spk.id], themes: ['aktuelt'] } });
  t.equal(a.statusCode, 201);
  const overlap = await ctx.as({ method: 'POST', url: `/api/v1/meetings/${m!.id}/items`, payload: { title: 'Spor', kind: 'workshop', startTime: '10:30', endTime: '11:30', trackId: track.id } });
  t.equal(overlap.statusCode, 409);
  t.equal(overlap.json().code, 'agenda-conflict');
  t.equal(overlap.json().findings[0].code, 'plenary-overlap');
  const b = await ctx.as({ method: 'POST', url: `/api/v1/meetings/${m!.id}/items`, payload: { title: 'Spor', kind: 'workshop', startTime: '11:00', endTime: '12:00', trackId: track.id, speakerIds: [spk.id] } });
  t.equal(b.statusCode, 201);
  const double = await ctx.as({ method: 'PATCH', url: `/api/v1/items/${b.json().id}`, payload: { startTime: '10:45' } });
  t.equal(double.statusCode, 409);
  t.ok(double.json().findings.some((f: { code: string }) => f.code === 'speaker-double-booked' || f.code === 'plenary-overlap'));
  const unchanged = await ctx.as({ url: `/api/v1/items/${b.json().id}` });
  t.equal(unchanged.json().startTime, '11:00');
  const checks = await ctx.as({ url: `/api/v1/meetings/${m!.id}/checks` });
  t.equal(checks.statusCode, 200);
  t.equal(checks.json().errors, 0);
  t.ok(checks.json().findings.some((f: { code: string }) => f.code === 'no-lunch-break'));
  const anon = await ctx.app.inject({ url: `/api/v1/meetings/${m!.id}/checks` });
  t.equal(anon.statusCode, 401);
});
