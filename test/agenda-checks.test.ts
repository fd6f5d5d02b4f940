import t from 'tap';
import fc from 'fast-check';
import {
  agendaErrors,
  checkAgenda,
  errorsOnly,
  findingCodes,
  findingSchema,
  findingSeverity,
  hasErrors,
  type CheckInput,
  type CheckItem,
  type Finding,
  type FindingCode,
} from '../server/checks/agenda-checks.js';
import { dayClock, fromMinutes, type DayClock } from '../server/time/local-time.js';

const item = (id: string, startTime: string, endTime: string, extra: Partial<CheckItem> = {}): CheckItem => ({
  id,
  trackId: null,
  startTime,
  endTime,
  title: id,
  kind: 'presentation',
  themes: ['aktuelt'],
  speakers: [],
  ...extra,
});

const lunch = (id: string, startTime: string, endTime: string, extra: Partial<CheckItem> = {}) =>
  item(id, startTime, endTime, { kind: 'lunch', themes: [], title: 'Frokost', ...extra });

/** A clean 10:00–16:00 plenary day: no findings at all. */
const cleanDay = (): CheckItem[] => [
  item('welcome', '10:00', '10:15', { kind: 'welcome', themes: [], title: 'Velkomst' }),
  item('news', '10:15', '12:00', { title: 'Aktuelt fra KL' }),
  lunch('lunch', '12:00', '12:45'),
  item('research', '12:45', '14:00', { title: 'Ny viden' }),
  item('coffee', '14:00', '14:15', { kind: 'break', themes: [], title: 'Pause' }),
  item('sparring', '14:15', '16:00', { kind: 'peer-sparring', title: 'Sparring', themes: ['sparring'] }),
];

/** A clean 10:00–16:00 day with two afternoon tracks. */
const trackDay = (): CheckInput => ({
  meeting: { startTime: '10:00', endTime: '16:00' },
  standardMinutes: 360,
  tracks: [
    { id: 'T1', name: 'Dagtilbud' },
    { id: 'T2', name: 'Skole' },
  ],
  items: [
    item('welcome', '10:00', '10:15', { kind: 'welcome', themes: [] }),
    item('news', '10:15', '12:00'),
    lunch('lunch', '12:00', '12:45'),
    item('d1', '12:45', '14:00', { trackId: 'T1', title: 'Dagtilbud 1' }),
    item('d2', '14:00', '15:00', { trackId: 'T1', title: 'Dagtilbud 2' }),
    item('s1', '12:45', '14:00', { trackId: 'T2', title: 'Skole 1' }),
    item('s2', '14:00', '15:00', { trackId: 'T2', title: 'Skole 2' }),
    item('close', '15:00', '16:00', { kind: 'discussion' }),
  ],
});

const day = (items: CheckItem[], extra: Partial<CheckInput> = {}): CheckInput => ({
  meeting: { startTime: '10:00', endTime: '16:00' },
  standardMinutes: 360,
  tracks: [],
  items,
  ...extra,
});

const withCode = (findings: Finding[], code: FindingCode) => findings.filter((f) => f.code === code);

t.test('clean agendas have no findings', async (t) => {
  t.same(checkAgenda(day(cleanDay())), []);
  t.same(checkAgenda(trackDay()), []);
});

t.test('invalid-time-range', async (t) => {
  const findings = checkAgenda(day([...cleanDay(), item('bad', '11:00', '11:00', { title: 'Omvendt' }), item('worse', '11:30', '11:00')]));
  const found = withCode(findings, 'invalid-time-range');
  t.equal(found.length, 2);
  t.same(
    found.map((f) => [f.severity, f.items]),
    [
      ['error', ['bad']],
      ['error', ['worse']],
    ],
  );
  t.match(found[0]!.message, /"Omvendt" \(11:00–11:00\) must end after it starts/);
  // an item with a broken range takes part in no overlap check
  t.same(withCode(findings, 'track-overlap'), []);

  const meeting = checkAgenda(day(cleanDay(), { meeting: { startTime: '16:00', endTime: '10:00' } }));
  const m = withCode(meeting, 'invalid-time-range');
  t.equal(m.length, 1);
  t.same(m[0]!.items, []);
  t.match(m[0]!.message, /meeting must end after it starts \(16:00–10:00\)/);
  // nothing that depends on the meeting's hours is checked
  for (const code of ['item-outside-meeting', 'nonstandard-length', 'no-lunch-break', 'track-gap'] as const) {
    t.same(withCode(meeting, code), [], code);
  }

  t.same(withCode(checkAgenda(day(cleanDay())), 'invalid-time-range'), []);
});

t.test('malformed times count as an invalid range and sort last', async (t) => {
  const findings = checkAgenda(day([...cleanDay(), item('garbled', 'xx', '11:00'), item('bad', '11:00', '10:00')]));
  const found = withCode(findings, 'invalid-time-range');
  t.same(
    found.map((f) => f.items[0]),
    ['bad', 'garbled'],
  );
});

t.test('item-outside-meeting', async (t) => {
  const items = [
    item('early', '09:30', '10:15', { kind: 'welcome', themes: [], title: 'Morgenkaffe' }),
    ...cleanDay().slice(1, -1),
    item('late', '14:15', '16:30', { kind: 'peer-sparring' }),
  ];
  const found = withCode(checkAgenda(day(items)), 'item-outside-meeting');
  t.same(
    found.map((f) => [f.severity, f.items]),
    [
      ['error', ['early']],
      ['error', ['late']],
    ],
  );
  t.match(found[0]!.message, /"Morgenkaffe" \(09:30–10:15\) lies outside the meeting’s hours \(10:00–16:00\)/);
  // exactly on the edges is inside
  t.same(withCode(checkAgenda(day(cleanDay())), 'item-outside-meeting'), []);
});

t.test('track-overlap', async (t) => {
  const input = trackDay();
  input.items.push(item('d3', '14:30', '15:00', { trackId: 'T1', title: 'Ekstra' }));
  const found = withCode(checkAgenda(input), 'track-overlap');
  t.equal(found.length, 1);
  t.equal(found[0]!.severity, 'error');
  t.same(found[0]!.items, ['d2', 'd3']);
  t.same(found[0]!.tracks, ['T1']);
  t.match(found[0]!.message, /"Dagtilbud 2" \(14:00–15:00\) and "Ekstra" \(14:30–15:00\) overlap in track "Dagtilbud"/);

  // two plenary items overlapping
  const plenary = cleanDay();
  plenary.push(item('extra', '13:30', '14:05', { title: 'Ekstra' }));
  const p = withCode(checkAgenda(day(plenary)), 'track-overlap');
  t.same(
    p.map((f) => f.items),
    [
      ['research', 'extra'],
      ['extra', 'coffee'],
    ],
  );
  t.equal(p[0]!.tracks, undefined);
  t.match(p[0]!.message, /^Plenary items "Ny viden" \(12:45–14:00\) and "Ekstra" \(13:30–14:05\) overlap$/);

  // touching (end == start) is not overlap, nor are items in different tracks at the same time
  t.same(withCode(checkAgenda(trackDay()), 'track-overlap'), []);
});

t.test('plenary-overlap', async (t) => {
  const input = trackDay();
  // the plenary close starts while the tracks are still going; a plenary item starting before a track item too
  input.items = input.items.map((i) => (i.id === 'close' ? { ...i, startTime: '14:45', title: 'Afslutning' } : i));
  input.items.push(item('early', '12:30', '12:50', { trackId: 'T2', title: 'Tidlig' }));
  const found = withCode(checkAgenda(input), 'plenary-overlap');
  t.same(
    found.map((f) => [f.severity, f.items, f.tracks]),
    [
      ['error', ['lunch', 'early'], ['T2']],
      ['error', ['d2', 'close'], ['T1']],
      ['error', ['s2', 'close'], ['T2']],
    ],
  );
  t.match(found[1]!.message, /Plenary item "Afslutning" \(14:45–16:00\) overlaps "Dagtilbud 2" \(14:00–15:00\) in track "Dagtilbud"/);
  t.match(found[0]!.message, /Plenary item "Frokost" \(12:00–12:45\) overlaps "Tidlig" \(12:30–12:50\) in track "Skole"/);

  // a track not in the track list is named by its id
  const stray = trackDay();
  stray.items.push(item('x', '11:00', '11:30', { trackId: 'T9' }));
  const s = withCode(checkAgenda(stray), 'plenary-overlap');
  t.same(s[0]!.items, ['news', 'x']);
  t.match(s[0]!.message, /in track "T9"/);

  t.same(withCode(checkAgenda(trackDay()), 'plenary-overlap'), []);
});

t.test('speaker-double-booked', async (t) => {
  const input = trackDay();
  const anna = { id: 'sp-anna', name: 'Anna Holm' };
  const bo = { id: 'sp-bo' };
  input.items = input.items.map((i) =>
    i.id === 'd1' ? { ...i, speakers: [anna, bo, anna] } : i.id === 's1' ? { ...i, speakers: [bo, anna] } : i,
  );
  const found = withCode(checkAgenda(input), 'speaker-double-booked');
  t.same(
    found.map((f) => [f.severity, f.items]),
    [
      ['error', ['d1', 's1']],
      ['error', ['d1', 's1']],
    ],
  );
  t.match(found[0]!.message, /^Anna Holm is booked for both "Dagtilbud 1" \(12:45–14:00\) and "Skole 1" \(12:45–14:00\)$/);
  t.match(found[1]!.message, /^sp-bo is booked/);

  // the same speaker in consecutive items is fine
  const ok = trackDay();
  ok.items = ok.items.map((i) => (i.id === 'd1' || i.id === 'd2' || i.id === 'close' ? { ...i, speakers: [anna] } : i));
  t.same(withCode(checkAgenda(ok), 'speaker-double-booked'), []);
});

t.test('nonstandard-length', async (t) => {
  const short = cleanDay().map((i) => (i.id === 'sparring' ? { ...i, endTime: '15:00' } : i));
  const found = withCode(checkAgenda(day(short, { meeting: { startTime: '10:00', endTime: '15:00' } })), 'nonstandard-length');
  t.equal(found.length, 1);
  t.equal(found[0]!.severity, 'warning');
  t.same(found[0]!.items, []);
  t.match(found[0]!.message, /lasts 300 minutes \(10:00–15:00\); the network’s standard is 360 minutes/);

  t.same(withCode(checkAgenda(day(short, { meeting: { startTime: '10:00', endTime: '15:00' }, standardMinutes: 300 })), 'nonstandard-length'), []);
});

t.test('no-lunch-break', async (t) => {
  const noLunch = cleanDay().map((i) => (i.id === 'lunch' ? { ...i, kind: 'break' as const } : i));
  const found = withCode(checkAgenda(day(noLunch)), 'no-lunch-break');
  t.equal(found.length, 1);
  t.equal(found[0]!.severity, 'warning');
  t.same(found[0]!.items, []);
  t.match(found[0]!.message, /lasts 360 minutes \(10:00–16:00\) but has no lunch break/);

  // a short meeting needs no lunch
  const morning = [item('a', '09:00', '11:00'), item('b', '11:00', '13:55')];
  t.same(withCode(checkAgenda(day(morning, { meeting: { startTime: '09:00', endTime: '13:55' }, standardMinutes: 295 })), 'no-lunch-break'), []);
  // a meeting of exactly 300 minutes does
  const five = [item('a', '09:00', '11:00'), item('b', '11:00', '14:00')];
  t.equal(withCode(checkAgenda(day(five, { meeting: { startTime: '09:00', endTime: '14:00' } })), 'no-lunch-break').length, 1);
  t.same(withCode(checkAgenda(day(cleanDay())), 'no-lunch-break'), []);
});

t.test('track-gap', async (t) => {
  // plenary timeline (no tracks): a hole after lunch and at the end of the day
  const holes = cleanDay()
    .filter((i) => i.id !== 'coffee')
    .map((i) => (i.id === 'research' ? { ...i, startTime: '13:00' } : i.id === 'sparring' ? { ...i, endTime: '15:30' } : i));
  const found = withCode(checkAgenda(day(holes)), 'track-gap');
  t.same(
    found.map((f) => [f.severity, f.items, f.tracks]),
    [
      ['warning', ['lunch', 'research'], undefined],
      ['warning', ['research', 'sparring'], undefined],
      ['warning', ['sparring'], undefined],
    ],
  );
  t.match(found[0]!.message, /^Nothing is scheduled 12:45–13:00 in the plenary programme$/);
  t.match(found[2]!.message, /15:30–16:00/);

  // a gap at the start of the day, and an item sticking out of the meeting does not hide it
  const late = [item('a', '10:30', '16:30'), lunch('l', '12:00', '12:30')];
  const g = withCode(checkAgenda(day(late)), 'track-gap');
  t.same(
    g.map((f) => f.items),
    [['a']],
  );
  t.match(g[0]!.message, /10:00–10:30/);

  // with tracks: each track's timeline is plenary + that track
  const input = trackDay();
  input.items = input.items.filter((i) => i.id !== 'd2');
  const tg = withCode(checkAgenda(input), 'track-gap');
  t.equal(tg.length, 1);
  t.same(tg[0]!.items, ['d1', 'close']);
  t.same(tg[0]!.tracks, ['T1']);
  t.match(tg[0]!.message, /^Nothing is scheduled 14:00–15:00 for track "Dagtilbud"$/);

  // a track with no items is skipped (that is empty-track); without any used track the plenary timeline is checked
  const unused = trackDay();
  unused.items = unused.items.filter((i) => i.trackId !== 'T2');
  t.same(withCode(checkAgenda(unused), 'track-gap'), []);
  const allEmpty = day(cleanDay(), { tracks: [{ id: 'T1', name: 'Dagtilbud' }] });
  t.same(withCode(checkAgenda(allEmpty), 'track-gap'), []);
  allEmpty.items = allEmpty.items.filter((i) => i.id !== 'coffee');
  t.same(
    withCode(checkAgenda(allEmpty), 'track-gap').map((f) => [f.items, f.tracks]),
    [[['research', 'sparring'], undefined]],
  );

  // an empty agenda has no gap findings (nothing to follow)
  t.same(withCode(checkAgenda(day([])), 'track-gap'), []);
  t.same(withCode(checkAgenda(day(cleanDay())), 'track-gap'), []);
  t.same(withCode(checkAgenda(trackDay()), 'track-gap'), []);
});

t.test('empty-track', async (t) => {
  const input = trackDay();
  input.tracks.push({ id: 'T3', name: 'Ledelse' });
  const found = withCode(checkAgenda(input), 'empty-track');
  t.same(
    found.map((f) => [f.severity, f.items, f.tracks]),
    [['warning', [], ['T3']]],
  );
  t.match(found[0]!.message, /Track "Ledelse" has no items/);
  t.same(withCode(checkAgenda(trackDay()), 'empty-track'), []);
});

t.test('item-without-theme', async (t) => {
  const items = cleanDay().map((i) => (i.id === 'research' || i.id === 'coffee' ? { ...i, themes: [] } : i));
  items.push(item('other', '11:00', '11:30', { kind: 'other', themes: [], title: 'Diverse' }));
  const found = withCode(checkAgenda(day(items)), 'item-without-theme');
  t.same(
    found.map((f) => [f.severity, f.items]),
    [
      ['warning', ['other']],
      ['warning', ['research']],
    ],
  );
  t.match(found[0]!.message, /"Diverse" \(11:00–11:30\) has no theme/);
  // welcome, break and lunch need none
  t.same(withCode(checkAgenda(day(cleanDay())), 'item-without-theme'), []);
});

t.test('sorting: errors first, then code, then time', async (t) => {
  const input = trackDay();
  input.meeting.endTime = '16:30';
  input.tracks.push({ id: 'T3', name: 'Ledelse' });
  input.items.push(
    item('x', '15:30', '15:45', { themes: [] }),
    item('y', '10:00', '10:05', { trackId: 'T1' }),
    item('z', '17:00', '16:50'),
    item('w', '12:30', '12:45', { trackId: 'T2' }),
  );
  const findings = checkAgenda(input);
  const codes = findings.map((f) => f.code);
  t.same(codes, [
    'invalid-time-range',
    'plenary-overlap',
    'plenary-overlap',
    'track-overlap',
    'empty-track',
    'item-without-theme',
    'nonstandard-length',
    'track-gap',
    'track-gap',
  ]);
  t.same(findings[1]!.items, ['y', 'welcome']);
  t.same(findings[2]!.items, ['lunch', 'w']);
  t.same(findings[3]!.items, ['close', 'x']);
  t.same(
    findings.slice(-2).map((f) => f.tracks),
    [['T1'], ['T2']],
  );
  const severities = findings.map((f) => f.severity);
  t.same(severities, codes.map((c) => findingSeverity[c]));
  t.ok(hasErrors(findings));
  t.same(
    errorsOnly(findings).map((f) => f.code),
    codes.slice(0, 4),
  );
  t.notOk(hasErrors(findings.slice(4)));
  t.same(errorsOnly(findings.slice(4)), []);
});

t.test('findingCodes and findingSchema', async (t) => {
  t.equal(new Set(findingCodes).size, 11);
  t.same(Object.keys(findingSeverity).sort(), [...findingCodes].sort());
  const findings = checkAgenda({ ...trackDay(), tracks: [...trackDay().tracks, { id: 'T3', name: 'Ledelse' }] });
  for (const f of findings) t.ok(findingSchema.safeParse(f).success);
  t.ok(findingSchema.safeParse({ severity: 'error', code: 'track-overlap', message: 'm', items: ['a', 'b'] }).success);
  t.notOk(findingSchema.safeParse({ severity: 'fatal', code: 'track-overlap', message: 'm', items: [] }).success);
  t.notOk(findingSchema.safeParse({ severity: 'error', code: 'nope', message: 'm', items: [] }).success);
});

/** The autumn night in Copenhagen: 02:00–02:59 occurs twice (the clocks go back from 03:00 to 02:00). */
const autumn: DayClock = { repeated: [[120, 180]], skipped: [] };
/** The spring night: 02:00–02:59 does not occur (the clocks jump from 02:00 to 03:00). */
const spring: DayClock = { repeated: [], skipped: [[120, 180]] };
/** A plenary night 00:00–06:00 with lunch, no gaps. */
const night = (): CheckItem[] => [
  item('open', '00:00', '01:30'),
  item('half', '01:30', '02:30'),
  item('turn', '02:30', '03:00', { title: 'Skiftet' }),
  lunch('lunch', '03:00', '04:00'),
  item('late', '04:00', '06:00', { title: 'Sent' }),
];
const nightInput = (clock: DayClock | undefined, extra: Partial<CheckInput> = {}): CheckInput => ({
  ...day(night(), { meeting: { startTime: '00:00', endTime: '06:00' } }),
  ...(clock ? { day: clock } : {}),
  ...extra,
});

t.test('the day length counts real minutes across a daylight-saving change', async (t) => {
  // An ordinary day: 00:00–06:00 is six hours.
  t.same(withCode(checkAgenda(nightInput(undefined)), 'nonstandard-length'), []);
  // The autumn night is seven hours long: 02:00–03:00 passes twice.
  const long = withCode(checkAgenda(nightInput(autumn)), 'nonstandard-length');
  t.equal(long.length, 1);
  t.match(long[0]!.message, /lasts 420 minutes \(00:00–06:00\); the network’s standard is 360 minutes/);
  t.same(withCode(checkAgenda(nightInput(autumn, { standardMinutes: 420 })), 'nonstandard-length'), []);
  // The spring night is five hours long.
  const short = withCode(checkAgenda(nightInput(spring, { items: night().filter((i) => i.id !== 'half' && i.id !== 'turn') })), 'nonstandard-length');
  t.match(short[0]!.message, /lasts 300 minutes \(00:00–06:00\)/);
  // A stretch the clocks repeat counts once it has passed, not while it lasts.
  const early = checkAgenda({ ...nightInput(autumn), meeting: { startTime: '00:00', endTime: '02:30' }, items: [], standardMinutes: 150 });
  t.same(withCode(early, 'nonstandard-length'), []);

  // The lunch threshold is real minutes too: 240 wall minutes across the autumn change are 300.
  const noLunch = { ...nightInput(autumn), meeting: { startTime: '00:00', endTime: '04:00' }, items: [item('x', '00:00', '04:00')], standardMinutes: 300 };
  t.equal(withCode(checkAgenda(noLunch), 'no-lunch-break').length, 1);
  t.same(withCode(checkAgenda({ ...noLunch, day: undefined, standardMinutes: 240 }), 'no-lunch-break'), []);
});

t.test('ambiguous-local-time: times the clocks pass twice are a warning, never an error', async (t) => {
  const findings = checkAgenda(nightInput(autumn));
  const found = withCode(findings, 'ambiguous-local-time');
  t.same(
    found.map((f) => [f.severity, f.items]),
    [
      ['warning', ['half']],
      ['warning', ['turn']],
    ],
  );
  t.match(found[0]!.message, /"half" \(01:30–02:30\): 02:30 occurs twice on this day \(the clocks go back\); the first occurrence is meant/);
  t.match(found[1]!.message, /"Skiftet" \(02:30–03:00\): 02:30 occurs twice/, '03:00 occurs once');
  t.notOk(hasErrors(findings));

  // Both ends inside the repeated hour; and the meeting's own hours.
  const both = checkAgenda({ ...nightInput(autumn), meeting: { startTime: '02:00', endTime: '06:00' }, items: [item('x', '02:15', '02:45')] });
  const b = withCode(both, 'ambiguous-local-time');
  t.same(b.map((f) => f.items), [[], ['x']]);
  t.match(b[0]!.message, /The meeting \(02:00–06:00\): 02:00 occurs twice/);
  t.match(b[1]!.message, /02:15 and 02:45 occur twice/);

  // No finding on an ordinary day or a spring day, nor from agendaErrors.
  t.same(withCode(checkAgenda(nightInput(undefined)), 'ambiguous-local-time'), []);
  t.same(withCode(checkAgenda(nightInput(spring)), 'ambiguous-local-time'), []);
  t.same(agendaErrors(nightInput(autumn)), []);
  t.equal(findingSeverity['ambiguous-local-time'], 'warning');

  // The clock of a real day, as the service passes it.
  t.same(withCode(checkAgenda(nightInput(dayClock('2026-10-25', 'Europe/Copenhagen'))), 'ambiguous-local-time'), found);
});

t.test('agendaErrors is exactly the error part of checkAgenda', async (t) => {
  const tracks = [
    { id: 'T1', name: 'Et' },
    { id: 'T2', name: 'To' },
  ];
  const anItem = fc
    .record({
      start: fc.integer({ min: 8 * 60, max: 17 * 60 }),
      length: fc.integer({ min: -30, max: 180 }),
      track: fc.constantFrom(null, 'T1', 'T2'),
      speakers: fc.subarray(['s1', 's2', 's3']),
    })
    .map((r) => ({ ...r, end: Math.min(r.start + r.length, 23 * 60 + 59) }));
  fc.assert(
    fc.property(fc.array(anItem, { maxLength: 25 }), (drawn) => {
      const items = drawn.map((d, i) =>
        item(`i${String(i).padStart(2, '0')}`, fromMinutes(d.start), fromMinutes(d.end), {
          trackId: d.track,
          speakers: d.speakers.map((id) => ({ id, name: id })),
        }),
      );
      const input: CheckInput = { meeting: { startTime: '09:00', endTime: '17:00' }, standardMinutes: 480, tracks, items };
      const errors = agendaErrors(input);
      if (JSON.stringify(errors) !== JSON.stringify(errorsOnly(checkAgenda(input)))) return false;
      // Every overlapping pair in one line (a track, or plenary against anything) is reported once.
      const timed = items.filter((i) => i.endTime > i.startTime);
      let pairs = 0;
      for (let i = 0; i < timed.length; i++) {
        for (let j = i + 1; j < timed.length; j++) {
          const [a, b] = [timed[i]!, timed[j]!];
          const overlap = a.startTime < b.endTime && b.startTime < a.endTime;
          if (overlap && (a.trackId === null || b.trackId === null || a.trackId === b.trackId)) pairs++;
        }
      }
      return errors.filter((f) => f.code === 'track-overlap' || f.code === 'plenary-overlap').length === pairs;
    }),
    { numRuns: 300 },
  );
  t.pass('300 random agendas');
});
