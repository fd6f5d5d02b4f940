// Danish text (æøå ÆØÅ) and typographic apostrophes (’ ´) survive every text field, every way it is read.
import t, { type Test } from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { makeApp } from './helpers.js';

const ok = (t: Test, res: LightMyRequestResponse, status = 200) => {
  t.equal(res.statusCode, status, `status ${status}`, { body: res.body.slice(0, 500) });
  t.match(res.headers['content-type'], /^application\/json; charset=utf-8/);
  return res.json();
};

const DA = 'æøå ÆØÅ KL’s netværk, Århus´ “Øresund” – Ærø';
const da = (field: string) => `${field}: ${DA}`;

t.test('every text field round-trips through create, read, list and agenda', async (t) => {
  const a = await makeApp(t);

  // The network comes first (venues belong to it); its default venue is set once the venue exists.
  const networkIn = {
    slug: 'kl-netvaerk',
    name: da('network.name'),
    description: da('description'),
    purpose: `${da('purpose')}\n\nAfsnit to: øøø`,
    organiser: { name: da('organiser'), phone: '33 70 33 70', address: da('address') },
  };
  const { slug: _s, ...networkText } = networkIn;
  t.match(ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: networkIn }), 201), networkText);

  const venueIn = { name: da('venue.name'), streetAddress: da('streetAddress'), postalCode: 'ÆØÅ 5000', city: da('city') };
  const venue = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/kl-netvaerk/venues', payload: venueIn }), 201);
  t.match(venue, venueIn);
  t.match(ok(t, await a.app.inject({ url: `/api/v1/venues/${venue.id}` })), venueIn);
  t.match(ok(t, await a.app.inject({ url: '/api/v1/venues' })).data[0], venueIn);
  t.match(ok(t, await a.app.inject({ url: '/api/v1/networks/kl-netvaerk/venues' })).data[0], venueIn);

  const network = ok(t, await a.as({ method: 'PATCH', url: '/api/v1/networks/kl-netvaerk', payload: { defaultVenueId: venue.id } }));
  t.match(network, { ...networkText, defaultVenueId: venue.id });
  t.match(ok(t, await a.app.inject({ url: '/api/v1/networks/kl-netvaerk' })), networkText);
  t.match(ok(t, await a.app.inject({ url: '/api/v1/networks' })).data[0], networkText);

  const themeIn = { key: 'aktuelt', name: da('theme.name'), description: da('theme.description') };
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/kl-netvaerk/themes', payload: themeIn }), 201);
  t.match(ok(t, await a.app.inject({ url: '/api/v1/networks/kl-netvaerk/themes/aktuelt' })), themeIn);
  t.match(ok(t, await a.app.inject({ url: '/api/v1/networks/kl-netvaerk/themes' })).data[0], themeIn);

  const speakerIn = { name: da('speaker.name'), title: da('speaker.title'), organisation: da('organisation'), email: 'soeren@kl.dk' };
  const speaker = ok(t, await a.as({ method: 'POST', url: '/api/v1/networks/kl-netvaerk/speakers', payload: speakerIn }), 201);
  t.match(speaker, speakerIn);
  t.match(ok(t, await a.as({ url: `/api/v1/speakers/${speaker.id}` })), speakerIn);
  const { email: _e, ...publicSpeaker } = speakerIn;
  t.match(ok(t, await a.app.inject({ url: '/api/v1/speakers' })).data[0], publicSpeaker);
  t.match(ok(t, await a.app.inject({ url: '/api/v1/networks/kl-netvaerk/speakers' })).data[0], publicSpeaker);

  const meetingIn = { title: da('meeting.title'), description: da('meeting.description') };
  const meeting = ok(
    t,
    await a.as({ method: 'POST', url: '/api/v1/networks/kl-netvaerk/meetings', payload: { ...meetingIn, date: '2019-09-11', startTime: '10:00', status: 'announced' } }),
    201,
  );
  t.match(meeting, { ...meetingIn, venue: venueIn });
  t.match(ok(t, await a.app.inject({ url: `/api/v1/meetings/${meeting.id}` })), { ...meetingIn, venue: venueIn });
  t.match(ok(t, await a.app.inject({ url: '/api/v1/networks/kl-netvaerk/meetings' })).data[0], meetingIn);

  const trackIn = { name: da('track.name'), description: da('track.description'), audience: da('audience'), room: da('room') };
  const track = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${meeting.id}/tracks`, payload: trackIn }), 201);
  t.match(track, trackIn);
  t.match(ok(t, await a.as({ url: `/api/v1/tracks/${track.id}` })), trackIn);
  t.match(ok(t, await a.as({ url: `/api/v1/meetings/${meeting.id}/tracks` })).data[0], trackIn);

  const itemIn = { title: da('item.title'), description: da('item.description') };
  const item = ok(
    t,
    await a.as({
      method: 'POST',
      url: `/api/v1/meetings/${meeting.id}/items`,
      payload: { ...itemIn, trackId: track.id, startTime: '10:00', endTime: '11:00', kind: 'presentation', themes: ['aktuelt'], speakerIds: [speaker.id] },
    }),
    201,
  );
  const itemOut = { ...itemIn, themes: [{ key: 'aktuelt', name: themeIn.name }], speakers: [publicSpeaker] };
  t.match(item, itemOut);
  t.match(ok(t, await a.as({ url: `/api/v1/items/${item.id}` })), itemOut);
  t.match(ok(t, await a.as({ url: `/api/v1/meetings/${meeting.id}/items` })).data[0], itemOut);

  const working = ok(t, await a.as({ url: `/api/v1/meetings/${meeting.id}/agenda` }));
  t.match(working, { meeting: { ...meetingIn, venue: venueIn }, tracks: [trackIn], items: [itemOut] });

  // What the public sees after a release (with a Danish note).
  const release = ok(t, await a.as({ method: 'POST', url: `/api/v1/meetings/${meeting.id}/releases`, payload: { note: da('note') } }), 201);
  t.equal(release.note, da('note'));
  const pub = ok(t, await a.app.inject({ url: `/api/v1/meetings/${meeting.id}/agenda` }));
  t.match(pub, { meeting: { ...meetingIn, venue: venueIn }, tracks: [trackIn], items: [itemOut], release: { note: da('note') } });
  t.match(ok(t, await a.app.inject({ url: `/api/v1/items/${item.id}` })), itemOut);
  t.match(ok(t, await a.app.inject({ url: `/api/v1/tracks/${track.id}` })), trackIn);

  // Patching keeps it too, and the bytes on the wire are UTF-8.
  const patched = ok(t, await a.as({ method: 'PATCH', url: `/api/v1/items/${item.id}`, payload: { title: 'Åbning ’25´' } }));
  t.equal(patched.title, 'Åbning ’25´');
  const raw = await a.as({ url: `/api/v1/items/${item.id}` });
  t.ok(raw.rawPayload.includes(Buffer.from('Åbning ’25´', 'utf8')), 'UTF-8 on the wire, not escaped');
});

t.test('slugs and theme keys are ASCII; Danish letters in them are refused', async (t) => {
  const a = await makeApp(t);
  const slug = await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'kl-netværk', name: 'Netværk' } });
  t.equal(slug.statusCode, 400);
  t.same(slug.json().errors.map((e: { path: string }) => e.path), ['body.slug']);
  ok(t, await a.as({ method: 'POST', url: '/api/v1/networks', payload: { slug: 'kl-net', name: 'Netværk' } }), 201);
  const key = await a.as({ method: 'POST', url: '/api/v1/networks/kl-net/themes', payload: { key: 'læring', name: 'Læring' } });
  t.equal(key.statusCode, 400);
  t.same(key.json().errors.map((e: { path: string }) => e.path), ['body.key']);
  // Looking one up by a (percent-encoded) Danish slug is simply not found.
  const missing = await a.app.inject({ url: `/api/v1/networks/${encodeURIComponent('kl-netværk')}` });
  t.equal(missing.statusCode, 404);
  t.equal(missing.json().code, 'not-found');
  t.match(missing.json().detail, 'kl-netværk');
});
