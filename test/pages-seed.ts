// A network like the seeds, for the page tests: three six-hour days in Odense (one with two parallel tracks,
// day-care and school, and plenary items between them; one cancelled; one without a programme yet), themes,
// speakers, released agendas (two releases, so the latest has changes), a draft meeting that must never show,
// open theme proposals with votes, and Danish text (æ ø å) everywhere. Seeded through the API.
import type { FastifyInstance, InjectOptions } from 'fastify';

export const PAGES_SLUG = 'konsulentnetvaerk-odense';
export const OTHER_SLUG = 'andet-netvaerk';

export interface PagesSeed {
  meetingId: string;
  cancelledId: string;
  plainId: string;
  draftId: string;
  tracks: { daycare: string; school: string };
  otherMeetingId: string;
}

export async function seedPages(app: FastifyInstance, auth: { authorization: string }): Promise<PagesSeed> {
  const call = async (opts: InjectOptions, expect = [200, 201]) => {
    const res = await app.inject({ ...opts, headers: { ...auth, ...(opts.headers ?? {}) } });
    if (!expect.includes(res.statusCode)) throw new Error(`${opts.method ?? 'GET'} ${opts.url}: ${res.statusCode} ${res.body}`);
    return res.body ? res.json() : null;
  };
  const post = (url: string, payload: unknown) => call({ method: 'POST', url, payload: payload as InjectOptions['payload'] });
  const api = '/api/v1';

  await post(`${api}/networks`, {
    slug: PAGES_SLUG,
    name: 'Konsulentnetværket for dagtilbud og skole',
    description: 'Netværket for kommunale konsulenter på dagtilbuds- og skoleområdet mødes tre gange om året til heldagsmøder à seks timer i Odense.',
    purpose: 'At styrke konsulenternes opgaveløsning på tværs af dagtilbud og skole, med ny viden og gensidig sparring.',
    organiser: { name: 'KL – Børn og Unge', email: 'netvaerk@kl.dk', phone: '3370 3370', address: 'Weidekampsgade 10, 2300 København S' },
    seasonStart: '2030-09-11',
    seasonEnd: '2031-06-03',
    signupOpens: '2020-01-01T09:00',
    signupDeadline: '2099-08-15T12:00',
    targetGroup: 'Konsulenter, teamledere og chefer i forvaltningerne',
  });
  const venue = await post(`${api}/networks/${PAGES_SLUG}/venues`, { name: 'Odense Congress Center', streetAddress: 'Ørbækvej 350', postalCode: '5220', city: 'Odense SØ' });
  for (const t of [
    { key: 'aktuelt', name: 'Aktuelt på områderne', description: 'Nyt fra dagtilbud og skole.' },
    { key: 'ny-viden', name: 'Ny viden fra forskning', description: 'Forskning og undersøgelser.' },
    { key: 'sparring', name: 'Gensidig sparring', description: 'Sparring på konkrete opgaver.' },
  ]) {
    await post(`${api}/networks/${PAGES_SLUG}/themes`, t);
  }
  const speaker = async (name: string, title: string, organisation: string) => (await post(`${api}/networks/${PAGES_SLUG}/speakers`, { name, title, organisation })).id as string;
  const søren = await speaker('Søren Ødegård', 'Chefkonsulent', 'KL');
  const åse = await speaker('Åse Bæk', 'Lektor', 'Danmarks Institut for Pædagogik og Uddannelse');

  const meeting = (title: string, date: string, status: string) =>
    post(`${api}/networks/${PAGES_SLUG}/meetings`, { title, date, startTime: '10:00', endTime: '16:00', status, venueId: venue.id, description: 'Heldagsmøde med oplæg og drøftelser.' });
  const m1 = await meeting('Netværksmøde 11. september – Sprog og overgange', '2030-09-11', 'announced');
  const m2 = await meeting('Netværksmøde 16. januar – Trivsel', '2031-01-16', 'announced');
  const m3 = await meeting('Netværksmøde 3. juni – Årets afslutning', '2031-06-03', 'announced');
  const draft = await meeting('Hemmeligt udkast til ekstramøde', '2031-03-03', 'draft');

  const daycare = await post(`${api}/meetings/${m1.id}/tracks`, { name: 'Dagtilbud', room: 'Sal A', sortOrder: 0 });
  const school = await post(`${api}/meetings/${m1.id}/tracks`, { name: 'Skole', room: 'Sal B', sortOrder: 1 });
  const item = (meetingId: string, p: Record<string, unknown>) => post(`${api}/meetings/${meetingId}/items`, p);
  await item(m1.id, { startTime: '10:00', endTime: '10:30', title: 'Velkomst og dagens program', kind: 'welcome', themes: ['aktuelt'] });
  await item(m1.id, { trackId: daycare.id, startTime: '10:30', endTime: '12:00', title: 'Sprogvurdering i dagtilbud', kind: 'presentation', themes: ['ny-viden'], speakerIds: [åse] });
  const reading = await item(m1.id, { trackId: school.id, startTime: '10:30', endTime: '12:00', title: 'Faglig læsning i udskolingen', kind: 'presentation', themes: ['ny-viden'] });
  await item(m1.id, { startTime: '12:00', endTime: '12:45', title: 'Frokost', kind: 'lunch' });
  await item(m1.id, { trackId: daycare.id, startTime: '12:45', endTime: '14:15', title: 'Overgange fra dagtilbud til skole', kind: 'workshop', themes: ['sparring'] });
  await item(m1.id, { trackId: school.id, startTime: '12:45', endTime: '14:15', title: 'Trivselsmåling – hvad gør vi nu?', kind: 'discussion', themes: ['aktuelt'], speakerIds: [søren] });
  await item(m1.id, { startTime: '14:15', endTime: '14:30', title: 'Kaffe', kind: 'break' });
  await item(m1.id, { startTime: '14:30', endTime: '15:45', title: 'Gensidig sparring på tværs af områderne', kind: 'peer-sparring', themes: ['sparring'] });
  await item(m1.id, { startTime: '15:45', endTime: '16:00', title: 'Afrunding og næste møde', kind: 'other' });
  await post(`${api}/meetings/${m1.id}/releases`, { note: 'Første udgave af programmet' });
  await call({ method: 'PATCH', url: `${api}/items/${reading.id}`, payload: { title: 'Faglig læsning i udskolingen – erfaringer fra Århus' } });
  await post(`${api}/meetings/${m1.id}/releases`, { note: 'Nyt oplæg i skolesporet' });
  // A working change after the last release: never shown on the page.
  await call({ method: 'PATCH', url: `${api}/items/${reading.id}`, payload: { title: 'UDKAST: ikke udgivet endnu' } });

  await item(m2.id, { startTime: '10:00', endTime: '16:00', title: 'Trivsel i skole og dagtilbud', kind: 'presentation', themes: ['aktuelt'] });
  await post(`${api}/meetings/${m2.id}/releases`, {});
  await call({ method: 'PATCH', url: `${api}/meetings/${m2.id}`, payload: { status: 'cancelled' } });

  // Proposals: two open ones, the second with more votes.
  const people = [];
  for (const [name, email] of [
    ['Jørgen Æblø', 'jorgen@kommune.dk'],
    ['Ålborg Konsulent', 'aa@kommune.dk'],
  ]) {
    people.push((await post(`${api}/networks/${PAGES_SLUG}/participants`, { name, email })).id as string);
  }
  const p1 = await post(`${api}/networks/${PAGES_SLUG}/proposals`, { participantId: people[0], title: 'Børns sprog på tværs af overgangen', description: 'Hvordan følger vi sproget fra dagtilbud til skole?' });
  const p2 = await post(`${api}/networks/${PAGES_SLUG}/proposals`, { participantId: people[1], title: 'Fravær i udskolingen', description: '' });
  await post(`${api}/proposals/${p2.id}/votes`, { participantId: people[0] });
  await post(`${api}/proposals/${p2.id}/votes`, { participantId: people[1] });
  await post(`${api}/proposals/${p1.id}/votes`, { participantId: people[1] });

  // Another network, for "a write in one network never re-renders another's pages".
  await post(`${api}/networks`, { slug: OTHER_SLUG, name: 'Et andet netværk' });
  const other = await post(`${api}/networks/${OTHER_SLUG}/meetings`, { title: 'Møde i det andet netværk', date: '2030-10-01', startTime: '10:00', endTime: '16:00', status: 'announced' });
  await post(`${api}/meetings/${other.id}/releases`, {});

  return { meetingId: m1.id, cancelledId: m2.id, plainId: m3.id, draftId: draft.id, tracks: { daycare: daycare.id, school: school.id }, otherMeetingId: other.id };
}
